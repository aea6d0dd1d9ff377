-- core.fact_weather_daily: one row per city and day (see core/weather.py).
-- Each variable is taken from the best source that has it for the day, in this order:
-- Berlin's DWD stations by preference (dwd_stations), then the Open-Meteo archive exports
-- (the city's mean over the export locations with the variable), then Open-Meteo API replies
-- (archive before forecast); within a level the most recently fetched payload.
WITH manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source IN (:dwd_source, :exports_source, :weather_source)
    GROUP BY sha256
),

dwd AS (  -- the DWD stations Berlin's weather rests on, one row per variable
    SELECT
        v.variable,
        v.value,
        d.local_date,
        m.fetched_at,
        cast(:berlin AS text) AS city,
        array_position(cast(:dwd_stations AS text[]), d.station_id) AS priority,
        'dwd ' || d.station_id AS source,
        ARRAY[d.payload_sha256] AS payload_sha256s
    FROM {dwd_staging} AS d
    INNER JOIN manifest AS m ON d.payload_sha256 = m.sha256
    CROSS JOIN
        LATERAL (
            VALUES
            ('temperature_max_c', d.temperature_max_c),
            ('temperature_min_c', d.temperature_min_c),
            ('temperature_mean_c', d.temperature_mean_c),
            ('precipitation_mm', d.precipitation_mm)
        ) AS v (variable, value)
    WHERE
        d.station_id = any(cast(:dwd_stations AS text[]))
        AND d.local_date >= cast(:first_day AS date)
),

export_values AS (  -- per export location, day and variable: the newest payload's value
    SELECT DISTINCT ON (e.city, e.location, e.local_date, v.variable)
        e.city,
        e.location,
        e.local_date,
        v.variable,
        v.value,
        m.fetched_at,
        e.payload_sha256
    FROM {exports_staging} AS e
    INNER JOIN manifest AS m ON e.payload_sha256 = m.sha256
    CROSS JOIN
        LATERAL (
            VALUES
            ('temperature_max_c', e.temperature_max_c),
            ('temperature_min_c', e.temperature_min_c),
            ('temperature_mean_c', e.temperature_mean_c),
            ('precipitation_mm', e.precipitation_mm),
            ('wind_speed_max_kmh', e.wind_speed_max_kmh),
            ('weather_code', e.weather_code::float8)
        ) AS v (variable, value)
    WHERE v.value IS NOT NULL AND e.local_date >= cast(:first_day AS date)
    ORDER BY
        e.city ASC, e.location ASC, e.local_date ASC, v.variable ASC, m.fetched_at DESC,
        e.payload_sha256 ASC
),

exports AS (  -- the city's value: the mean over the export locations with the variable
    SELECT
        city,
        local_date,
        variable,
        -- rounded to 0.001: exact for values published to 0.1 or 0.01 over up to five
        -- locations, so a threshold (30 °C) is judged on the true mean, never on a binary
        -- rounding error; a weather code is not averaged (one code, or none)
        CASE
            WHEN variable != 'weather_code' THEN round(avg(value::numeric), 3)::float8
            WHEN count(DISTINCT value) = 1 THEN min(value)
        END AS value,
        100 AS priority,
        'open-meteo export ' || string_agg(location, ',' ORDER BY location) AS source,
        max(fetched_at) AS fetched_at,
        array_agg(DISTINCT payload_sha256) AS payload_sha256s
    FROM export_values
    GROUP BY city, local_date, variable
),

replies AS (  -- the Open-Meteo API replies, archive before forecast
    SELECT
        a.city,
        a.local_date,
        v.variable,
        v.value,
        m.fetched_at,
        CASE WHEN a.api = 'archive' THEN 200 ELSE 300 END AS priority,
        'open-meteo ' || a.api AS source,
        ARRAY[a.payload_sha256] AS payload_sha256s
    FROM {weather_staging} AS a
    INNER JOIN manifest AS m ON a.payload_sha256 = m.sha256
    CROSS JOIN
        LATERAL (
            VALUES
            ('temperature_max_c', a.temperature_max_c),
            ('temperature_min_c', a.temperature_min_c),
            ('precipitation_mm', a.precipitation_mm),
            ('wind_speed_max_kmh', a.wind_speed_max_kmh),
            ('weather_code', a.weather_code::float8)
        ) AS v (variable, value)
    WHERE a.local_date >= cast(:first_day AS date)
),

candidates AS (  -- every source's value, one row per city, day, variable and source
    SELECT
        city,
        local_date,
        variable,
        value,
        priority,
        source,
        fetched_at,
        payload_sha256s
    FROM dwd
    UNION ALL
    SELECT
        city,
        local_date,
        variable,
        value,
        priority,
        source,
        fetched_at,
        payload_sha256s
    FROM exports
    UNION ALL
    SELECT
        city,
        local_date,
        variable,
        value,
        priority,
        source,
        fetched_at,
        payload_sha256s
    FROM replies
),

best AS (  -- per city, day and variable: the best source that has a value
    SELECT DISTINCT ON (city, local_date, variable) *
    FROM candidates
    WHERE value IS NOT NULL
    ORDER BY
        city ASC, local_date ASC, variable ASC, priority ASC, fetched_at DESC, source ASC
),

openmeteo_max AS (  -- Open-Meteo's own daily maximum, kept for the DWD comparison
    SELECT DISTINCT ON (city, local_date)
        city,
        local_date,
        value,
        source
    FROM candidates
    WHERE variable = 'temperature_max_c' AND value IS NOT NULL AND source LIKE 'open-meteo%'
    ORDER BY city ASC, local_date ASC, priority ASC, fetched_at DESC, source ASC
),

days AS (
    SELECT
        city,
        local_date,
        max(value) FILTER (WHERE variable = 'temperature_max_c') AS temperature_max_c,
        max(source) FILTER (WHERE variable = 'temperature_max_c') AS temperature_max_source,
        max(value) FILTER (WHERE variable = 'temperature_min_c') AS temperature_min_c,
        max(source) FILTER (WHERE variable = 'temperature_min_c') AS temperature_min_source,
        max(value) FILTER (WHERE variable = 'temperature_mean_c') AS temperature_mean_c,
        max(source) FILTER (WHERE variable = 'temperature_mean_c') AS temperature_mean_source,
        max(value) FILTER (WHERE variable = 'precipitation_mm') AS precipitation_mm,
        max(source) FILTER (WHERE variable = 'precipitation_mm') AS precipitation_source,
        max(value) FILTER (WHERE variable = 'wind_speed_max_kmh') AS wind_speed_max_kmh,
        (max(value) FILTER (WHERE variable = 'weather_code'))::int AS weather_code,
        coalesce(bool_or(source = 'open-meteo forecast'), FALSE) AS forecast
    FROM best
    GROUP BY city, local_date
),

payloads AS (  -- the payloads behind the day's values, together and per variable
    SELECT
        b.city,
        b.local_date,
        array_agg(DISTINCT p.sha ORDER BY p.sha) AS payload_sha256s,
        jsonb_object_agg(b.variable, to_jsonb(b.payload_sha256s)) AS variable_payloads
    FROM best AS b
    CROSS JOIN LATERAL unnest(b.payload_sha256s) AS p (sha)
    GROUP BY b.city, b.local_date
)

SELECT
    d.city,
    cast(:city_keys AS jsonb) ->> d.city AS area_key,
    d.local_date,
    d.temperature_max_c,
    d.temperature_max_source,
    d.temperature_min_c,
    d.temperature_min_source,
    d.temperature_mean_c,
    d.temperature_mean_source,
    d.precipitation_mm,
    d.precipitation_source,
    d.wind_speed_max_kmh,
    d.weather_code,
    o.value AS openmeteo_temperature_max_c,
    o.source AS openmeteo_temperature_max_source,
    d.forecast,
    p.payload_sha256s,
    p.variable_payloads
FROM days AS d
INNER JOIN payloads AS p ON d.city = p.city AND d.local_date = p.local_date
LEFT JOIN openmeteo_max AS o ON d.city = o.city AND d.local_date = o.local_date
