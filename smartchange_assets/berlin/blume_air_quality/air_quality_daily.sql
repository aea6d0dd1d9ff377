-- staging.berlin_air_quality_daily: BLUME daily means per station and pollutant from the
-- hourly values (see berlin/blume_air_quality/daily.py). An hour of two payloads: the API
-- record first (explicit UTC offset), then the most recently fetched payload.
WITH manifest AS (
    SELECT DISTINCT ON (sha256)
        sha256,
        fetched_at,
        content_type
    FROM raw.landing_manifest
    WHERE source = :blume_source
    ORDER BY sha256 ASC, fetched_at ASC
),

hourly AS (
    SELECT DISTINCT ON (h.station_code, h.pollutant, h.period_start_utc)
        h.station_code,
        h.pollutant,
        h.period_start_utc,
        h.local_date,
        h.value,
        h.payload_sha256
    FROM {blume_staging} AS h
    INNER JOIN manifest AS m ON h.payload_sha256 = m.sha256
    WHERE h.period = '1h'
    ORDER BY
        h.station_code ASC,
        h.pollutant ASC,
        h.period_start_utc ASC,
        (m.content_type = 'application/json') DESC,
        m.fetched_at DESC
),

from_hours AS (
    SELECT
        station_code,
        pollutant,
        local_date,
        avg(value) AS mean_ugm3,
        count(*)::int AS hours_present,
        -- the length of the Europe/Berlin day: 23, 24 or 25 hours
        (extract(
            EPOCH FROM ((local_date + 1)::timestamp AT TIME ZONE 'Europe/Berlin')
            - (local_date::timestamp AT TIME ZONE 'Europe/Berlin')
        ) / 3600)::int AS hours_in_day,
        mode() WITHIN GROUP (ORDER BY payload_sha256) AS payload_sha256
    FROM hourly
    GROUP BY station_code, pollutant, local_date
),

published AS (  -- the publisher's own 24-hour means
    SELECT DISTINCT ON (h.station_code, h.pollutant, h.local_date)
        h.station_code,
        h.pollutant,
        h.local_date,
        h.value,
        h.payload_sha256
    FROM {blume_staging} AS h
    INNER JOIN manifest AS m ON h.payload_sha256 = m.sha256
    WHERE h.period = '24h'
    ORDER BY h.station_code ASC, h.pollutant ASC, h.local_date ASC, m.fetched_at DESC
)

SELECT
    station_code,
    pollutant,
    local_date,
    mean_ugm3,
    hours_present,
    hours_in_day,
    hours_present >= ceil(:min_hours_share * hours_in_day) AS valid,
    'hourly_mean' AS basis,
    payload_sha256
FROM from_hours
UNION ALL
SELECT
    p.station_code,
    p.pollutant,
    p.local_date,
    p.value AS mean_ugm3,
    NULL AS hours_present,
    (extract(
        EPOCH FROM ((p.local_date + 1)::timestamp AT TIME ZONE 'Europe/Berlin')
        - (p.local_date::timestamp AT TIME ZONE 'Europe/Berlin')
    ) / 3600)::int AS hours_in_day,
    TRUE AS valid,
    'published_24h' AS basis,
    p.payload_sha256
FROM published AS p
WHERE NOT EXISTS (
    SELECT 1 FROM from_hours AS f
    WHERE
        f.station_code = p.station_code
        AND f.pollutant = p.pollutant
        AND f.local_date = p.local_date
)
