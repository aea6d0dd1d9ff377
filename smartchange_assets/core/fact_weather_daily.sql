-- core.fact_weather_daily: one row per city and local day (see core/weather.py).
-- Each variable comes from the best reply that carries it: the archive before a forecast,
-- then the most recently fetched reply, then the payload hash.
WITH manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :weather_source
    GROUP BY sha256
)

SELECT
    s.city,
    cast(:city_keys AS jsonb) ->> s.city AS area_key,
    s.local_date,
    (array_agg(
        s.temperature_max_c ORDER BY
            s.api = 'archive' DESC, m.fetched_at DESC, s.payload_sha256 ASC
    )
    FILTER (WHERE s.temperature_max_c IS NOT NULL))[1] AS temperature_max_c,
    (array_agg(
        s.temperature_min_c ORDER BY
            s.api = 'archive' DESC, m.fetched_at DESC, s.payload_sha256 ASC
    )
    FILTER (WHERE s.temperature_min_c IS NOT NULL))[1] AS temperature_min_c,
    (array_agg(
        s.precipitation_mm ORDER BY
            s.api = 'archive' DESC, m.fetched_at DESC, s.payload_sha256 ASC
    )
    FILTER (WHERE s.precipitation_mm IS NOT NULL))[1] AS precipitation_mm,
    (array_agg(
        s.wind_speed_max_kmh ORDER BY
            s.api = 'archive' DESC, m.fetched_at DESC, s.payload_sha256 ASC
    )
    FILTER (WHERE s.wind_speed_max_kmh IS NOT NULL))[1] AS wind_speed_max_kmh,
    (array_agg(
        s.weather_code ORDER BY
            s.api = 'archive' DESC, m.fetched_at DESC, s.payload_sha256 ASC
    )
    FILTER (WHERE s.weather_code IS NOT NULL))[1] AS weather_code,
    (array_agg(
        s.api ORDER BY
            s.api = 'archive' DESC, m.fetched_at DESC, s.payload_sha256 ASC
    ))[1] AS api,
    -- some value of the day comes from a forecast reply
    coalesce(
        (
            array_agg(
                s.api ORDER BY s.api = 'archive' DESC, m.fetched_at DESC, s.payload_sha256 ASC
            )
            FILTER (WHERE s.temperature_max_c IS NOT NULL)
        )[1] = 'forecast'
        OR (
            array_agg(
                s.api ORDER BY s.api = 'archive' DESC, m.fetched_at DESC, s.payload_sha256 ASC
            )
            FILTER (WHERE s.temperature_min_c IS NOT NULL)
        )[1] = 'forecast'
        OR (
            array_agg(
                s.api ORDER BY s.api = 'archive' DESC, m.fetched_at DESC, s.payload_sha256 ASC
            )
            FILTER (WHERE s.precipitation_mm IS NOT NULL)
        )[1] = 'forecast'
        OR (
            array_agg(
                s.api ORDER BY s.api = 'archive' DESC, m.fetched_at DESC, s.payload_sha256 ASC
            )
            FILTER (WHERE s.wind_speed_max_kmh IS NOT NULL)
        )[1] = 'forecast'
        OR (
            array_agg(
                s.api ORDER BY s.api = 'archive' DESC, m.fetched_at DESC, s.payload_sha256 ASC
            )
            FILTER (WHERE s.weather_code IS NOT NULL)
        )[1] = 'forecast',
        FALSE
    ) AS forecast,
    count(*)::int AS replies,
    array_agg(DISTINCT s.payload_sha256 ORDER BY s.payload_sha256) AS payload_sha256s
FROM {weather_staging} AS s
INNER JOIN manifest AS m ON s.payload_sha256 = m.sha256
GROUP BY s.city, s.local_date
