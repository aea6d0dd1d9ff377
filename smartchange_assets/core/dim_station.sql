-- core.dim_station: the air-quality stations of both cities, located in dim_area
-- (see core/dim_station.py).
WITH spku AS (  -- the SPKU station list (core/stations.py)
    SELECT
        s.station_code,
        s.location,
        s.kota_code,
        s.evidence
    FROM
        unnest(
            cast(:spku_codes AS text[]),
            cast(:spku_locations AS text[]),
            cast(:spku_kota_codes AS text[]),
            cast(:spku_evidence AS text[])
        ) AS s (station_code, location, kota_code, evidence)
),

ispu AS (
    SELECT
        station_code,
        min(date) AS first_date,
        max(date) AS last_date
    FROM {ispu_staging}
    GROUP BY station_code
),

blume AS (
    SELECT
        station_code,
        min(local_date) AS first_date,
        max(local_date) AS last_date
    FROM {blume_daily}
    GROUP BY station_code
),

names AS (
    SELECT
        station_code,
        max(station_name) AS station_name
    FROM {blume_staging}
    WHERE station_name IS NOT NULL
    GROUP BY station_code
),

locations_manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :locations_source
    GROUP BY sha256
),

located AS (  -- per station: the latest payload of the station-location source
    SELECT DISTINCT ON (l.station_code)
        l.station_code,
        l.name,
        l.bezirk,
        l.lat,
        l.lon
    FROM {locations_staging} AS l
    LEFT JOIN locations_manifest AS m ON l.payload_sha256 = m.sha256
    ORDER BY l.station_code ASC, m.fetched_at DESC NULLS LAST, l.payload_sha256 ASC
),

berlin AS (
    SELECT
        b.station_code,
        b.first_date,
        b.last_date,
        coalesce(l.name, n.station_name) AS station_name,
        l.bezirk,
        l.lat,
        l.lon
    FROM blume AS b
    LEFT JOIN names AS n ON b.station_code = n.station_code
    LEFT JOIN located AS l ON b.station_code = l.station_code
),

districts AS (
    SELECT
        area_key,
        lower(name) AS name
    FROM {dim_area}
    WHERE city = :berlin AND level = :district_level
),

placed AS (  -- point in polygon (core.site_placement)
    SELECT
        site_id AS station_code,
        area_key,
        district_key,
        unplaced_reason
    FROM {site_placement}
    WHERE city = :berlin AND site_kind = :blume_kind
)

SELECT
    :jakarta AS city,
    coalesce(s.station_code, i.station_code) AS station_code,
    :jakarta || ':' || coalesce(s.station_code, i.station_code) AS station_key,
    'SPKU' AS network,
    s.location AS station_name,
    :jakarta_prefix || s.kota_code AS area_key,
    :jakarta_city_key AS city_key,
    :jakarta_prefix || s.kota_code AS district_key,
    s.evidence AS location_basis,
    CASE
        WHEN s.station_code IS NULL THEN 'station code not in the SPKU station list'
    END AS area_null_reason,
    NULL::double precision AS lat,
    NULL::double precision AS lon,
    i.first_date,
    i.last_date
FROM spku AS s
FULL JOIN ispu AS i ON s.station_code = i.station_code

UNION ALL

SELECT
    :berlin AS city,
    b.station_code,
    :berlin || ':' || b.station_code AS station_key,
    'BLUME' AS network,
    b.station_name,
    coalesce(p.area_key, d.area_key) AS area_key,
    :berlin_city_key AS city_key,
    coalesce(p.district_key, d.area_key) AS district_key,
    CASE
        WHEN p.area_key IS NOT NULL THEN :point_in_polygon
        WHEN d.area_key IS NOT NULL THEN 'Bezirk of the station-location source'
    END AS location_basis,
    CASE
        WHEN p.area_key IS NULL AND d.area_key IS NULL
            THEN :blume_unlocated || coalesce(' (' || p.unplaced_reason || ')', '')
    END AS area_null_reason,
    b.lat,
    b.lon,
    b.first_date,
    b.last_date
FROM berlin AS b
LEFT JOIN placed AS p ON b.station_code = p.station_code
LEFT JOIN districts AS d ON lower(b.bezirk) = d.name
