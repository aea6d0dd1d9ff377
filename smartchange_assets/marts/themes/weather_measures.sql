-- Weather measures of a city per period (marts/themes/weather.py) from
-- core.fact_weather_daily: annual_precipitation_mm, hot_days; the columns of
-- marts/scope.py MEASURE_COLUMNS. Coverage: days of the period with the variable; the basis
-- counts the days of each source (dwd 00433, open-meteo export DKI1,…, open-meteo forecast).
WITH days AS (  -- one row per day, period and indicator whose variable the day has
    SELECT
        w.area_key,
        w.city,
        w.variable_payloads -> v.variable AS payloads,
        v.indicator,
        v.variable,
        v.measure,
        v.source,
        periods.period_type,
        date_trunc(periods.period_type, w.local_date)::date AS period_start
    FROM {weather_fact} AS w
    CROSS JOIN (VALUES ('year'), ('month')) AS periods (period_type)
    CROSS JOIN
        LATERAL (
            VALUES
            (
                'annual_precipitation_mm', 'precipitation_mm', w.precipitation_mm,
                w.precipitation_source
            ),
            (
                'hot_days', 'temperature_max_c',
                (w.temperature_max_c >= cast(:hot_day_c AS float8))::int::float8,
                w.temperature_max_source
            )
        ) AS v (indicator, variable, measure, source)
    WHERE v.measure IS NOT NULL
),

periods AS (
    SELECT
        area_key,
        city,
        indicator,
        variable,
        period_type,
        period_start,
        sum(measure)::float8 AS value,
        count(*) AS days,
        count(*) FILTER (WHERE source = 'open-meteo forecast') AS forecast_days,
        (period_start + ('1 ' || period_type)::interval)::date - period_start AS period_days
    FROM days
    GROUP BY area_key, city, indicator, variable, period_type, period_start
),

by_source AS (
    SELECT
        area_key,
        indicator,
        period_type,
        period_start,
        source,
        count(*) AS days
    FROM days
    GROUP BY area_key, indicator, period_type, period_start, source
),

sources AS (
    SELECT
        area_key,
        indicator,
        period_type,
        period_start,
        string_agg(
            format('%s %s', days, source), ', ' ORDER BY days DESC, source ASC
        ) AS sources
    FROM by_source
    GROUP BY area_key, indicator, period_type, period_start
),

payloads AS (
    SELECT
        d.area_key,
        d.indicator,
        d.period_type,
        d.period_start,
        array_agg(DISTINCT p.sha ORDER BY p.sha) AS payload_sha256s
    FROM days AS d
    CROSS JOIN LATERAL jsonb_array_elements_text(d.payloads) AS p (sha)
    GROUP BY d.area_key, d.indicator, d.period_type, d.period_start
)

SELECT
    p.area_key AS scope_key,
    p.city,
    p.indicator,
    p.period_type,
    p.period_start,
    p.value,
    p.value AS numerator,
    NULL::float8 AS denominator,
    1.0::float8 AS value_scale,
    p.days::float8 / p.period_days AS coverage,
    format('%s of %s days with %s', p.days, p.period_days, p.variable) AS shortfall,
    CASE WHEN p.forecast_days > 0 THEN ARRAY['includes_forecast'] ELSE '{}'::text[] END
        AS flags,
    NULL::text[] AS pollutants,
    NULL::int AS population_year,
    format(
        '%s of %s days with %s: %s', p.days, p.period_days, p.variable, s.sources
    ) AS basis,
    pl.payload_sha256s
FROM periods AS p
INNER JOIN sources AS s
    ON
        p.area_key = s.area_key
        AND p.indicator = s.indicator
        AND p.period_type = s.period_type
        AND p.period_start = s.period_start
INNER JOIN payloads AS pl
    ON
        p.area_key = pl.area_key
        AND p.indicator = pl.indicator
        AND p.period_type = pl.period_type
        AND p.period_start = pl.period_start
