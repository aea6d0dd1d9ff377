-- the points core.site_placement places (see core/site_placement.py): BLUME stations from the
-- latest payload of the station-location source per station, and the Berlin mobility sites
WITH blume_manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :blume_source
    GROUP BY sha256
),

blume AS (
    SELECT DISTINCT ON (l.station_code)
        l.station_code,
        l.name,
        l.lat,
        l.lon,
        l.active,
        l.payload_sha256
    FROM {blume_locations} AS l
    LEFT JOIN blume_manifest AS m ON l.payload_sha256 = m.sha256
    ORDER BY l.station_code ASC, m.fetched_at DESC NULLS LAST, l.payload_sha256 ASC
)

SELECT
    :berlin AS city,
    :blume_kind AS site_kind,
    station_code AS site_id,
    name AS site_name,
    lat,
    lon,
    'station coordinates (berlin/blume_stations)' AS point_basis,
    active,
    'staging.berlin_air_quality_stations' AS location_source,
    payload_sha256
FROM blume

UNION ALL

SELECT
    :berlin AS city,
    counter_kind AS site_kind,
    site_id,
    name AS site_name,
    lat,
    lon,
    CASE counter_kind
        WHEN :bike THEN 'counter position (Standortdaten)'
        WHEN :telraam THEN 'half-way point of the Telraam road segment'
        ELSE 'mean position of the detectors'
    END AS point_basis,
    NOT coalesce(deinstalled, FALSE) AS active,
    'staging.berlin_mobility_sites' AS location_source,
    payload_sha256
FROM {mobility_sites}
