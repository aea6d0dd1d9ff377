-- Weather measures of a city per period (marts/themes/weather.py) from
-- core.fact_weather_daily: annual_precipitation_mm, hot_days; the columns of
-- marts/scope.py MEASURE_COLUMNS. Coverage: days of the period with the variable.
WITH days AS (
    SELECT
        w.area_key,
        w.city,
        w.local_date,
        w.forecast,
        w.precipitation_mm,
        w.temperature_max_c,
        periods.period_type,
        date_trunc(periods.period_type, w.local_date)::date AS period_start
    FROM {weather_fact} AS w
    CROSS JOIN (VALUES ('year'), ('month')) AS periods (period_type)
),

precipitation AS (
    SELECT
        area_key,
        city,
        period_type,
        period_start,
        sum(precipitation_mm)::float8 AS value,
        count(precipitation_mm) AS days,
        count(precipitation_mm) FILTER (WHERE forecast) AS forecast_days
    FROM days
    GROUP BY 1, 2, 3, 4
),

hot AS (
    SELECT
        area_key,
        city,
        period_type,
        period_start,
        sum((temperature_max_c >= :hot_day_c)::int)::float8 AS value,
        count(temperature_max_c) AS days,
        count(temperature_max_c) FILTER (WHERE forecast) AS forecast_days
    FROM days
    GROUP BY 1, 2, 3, 4
)

SELECT
    p.area_key AS scope_key,
    p.city,
    'annual_precipitation_mm' AS indicator,
    p.period_type,
    p.period_start,
    p.value,
    p.value AS numerator,
    NULL::float8 AS denominator,
    1.0::float8 AS value_scale,
    p.days::float8
    / ((p.period_start + ('1 ' || p.period_type)::interval)::date - p.period_start)
        AS coverage,
    format(
        '%s of %s days with precipitation_mm', p.days,
        ((p.period_start + ('1 ' || p.period_type)::interval)::date - p.period_start)
    ) AS shortfall,
    CASE WHEN p.forecast_days > 0 THEN ARRAY['includes_forecast'] ELSE '{}'::text[] END
        AS flags,
    NULL::text[] AS pollutants,
    NULL::int AS population_year,
    format(
        '%s of %s days with precipitation_mm (%s from forecasts, %s from the archive)',
        p.days, ((p.period_start + ('1 ' || p.period_type)::interval)::date - p.period_start),
        p.forecast_days, p.days - p.forecast_days
    ) AS basis,
    array(
        SELECT DISTINCT s.sha
        FROM {weather_fact} AS w
        CROSS JOIN LATERAL unnest(w.payload_sha256s) AS s (sha)
        WHERE
            w.city = p.city
            AND w.precipitation_mm IS NOT NULL
            AND date_trunc(p.period_type, w.local_date) = p.period_start
        ORDER BY s.sha
    ) AS payload_sha256s
FROM precipitation AS p
UNION ALL
SELECT
    p.area_key AS scope_key,
    p.city,
    'hot_days' AS indicator,
    p.period_type,
    p.period_start,
    p.value,
    p.value AS numerator,
    NULL::float8 AS denominator,
    1.0::float8 AS value_scale,
    p.days::float8
    / ((p.period_start + ('1 ' || p.period_type)::interval)::date - p.period_start)
        AS coverage,
    format(
        '%s of %s days with temperature_max_c', p.days,
        ((p.period_start + ('1 ' || p.period_type)::interval)::date - p.period_start)
    ) AS shortfall,
    CASE WHEN p.forecast_days > 0 THEN ARRAY['includes_forecast'] ELSE '{}'::text[] END
        AS flags,
    NULL::text[] AS pollutants,
    NULL::int AS population_year,
    format(
        '%s of %s days with temperature_max_c (%s from forecasts, %s from the archive)',
        p.days, ((p.period_start + ('1 ' || p.period_type)::interval)::date - p.period_start),
        p.forecast_days, p.days - p.forecast_days
    ) AS basis,
    array(
        SELECT DISTINCT s.sha
        FROM {weather_fact} AS w
        CROSS JOIN LATERAL unnest(w.payload_sha256s) AS s (sha)
        WHERE
            w.city = p.city
            AND w.temperature_max_c IS NOT NULL
            AND date_trunc(p.period_type, w.local_date) = p.period_start
        ORDER BY s.sha
    ) AS payload_sha256s
FROM hot AS p
