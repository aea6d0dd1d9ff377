-- Economy level measures of a scope (marts/themes/economy.py) from core.fact_economy: a
-- published figure of the scope's own area, per year and month; the columns of
-- marts/scope.py MEASURE_COLUMNS. A year's figure is the publisher's annual figure (average of
-- stocks, sum of flows, or the annual survey's); a monthly series without it has coverage
-- months published / 12.
WITH spec AS (
    SELECT
        s.key AS indicator,
        r.value ->> 'city' AS city,
        r.value ->> 'statistic' AS statistic,
        r.value ->> 'sector' AS sector,
        r.value ->> 'measure' AS measure,
        r.value ->> 'breakdown' AS breakdown,
        r.value ->> 'year_aggregation' AS year_aggregation
    FROM jsonb_each(cast(:economy_levels AS jsonb)) AS s
    CROSS JOIN LATERAL jsonb_array_elements(s.value) AS r (value)
),

observed AS (  -- the spec's rows of areas that are a scope themselves
    SELECT
        sp.indicator,
        sp.year_aggregation,
        f.*
    FROM {fact_economy} AS f
    INNER JOIN spec AS sp
        ON
            f.city = sp.city
            AND f.statistic = sp.statistic
            AND f.sector = sp.sector
            AND f.measure = sp.measure
            AND f.breakdown = sp.breakdown
    INNER JOIN {dim_area} AS a ON f.area_key = a.area_key
    WHERE a.{area_key} = f.area_key
),

annual AS (
    SELECT
        indicator,
        city,
        area_key AS scope_key,
        year,
        statistic,
        provenance,
        CASE WHEN consistent THEN 'value_' || note END AS status_flag,
        CASE WHEN NOT consistent THEN note END AS problem,
        CASE WHEN consistent THEN value END AS value,
        payload_sha256s
    FROM observed
    WHERE period_type = 'year' AND aggregation = year_aggregation
),

months AS (
    SELECT
        indicator,
        city,
        area_key AS scope_key,
        year,
        count(*) AS months,
        min(statistic) AS statistic,
        min(provenance) AS provenance,
        array_agg(DISTINCT p.sha ORDER BY p.sha) AS payload_sha256s
    FROM observed
    CROSS JOIN LATERAL unnest(payload_sha256s) AS p (sha)
    WHERE period_type = 'month' AND aggregation = 'level'
    GROUP BY 1, 2, 3, 4
),

years AS (
    SELECT
        coalesce(a.indicator, m.indicator) AS indicator,
        coalesce(a.city, m.city) AS city,
        coalesce(a.scope_key, m.scope_key) AS scope_key,
        coalesce(a.year, m.year) AS year,
        coalesce(a.statistic, m.statistic) AS statistic,
        coalesce(a.provenance, m.provenance) AS provenance,
        a.status_flag,
        a.problem,
        a.value,
        m.months,
        CASE
            WHEN a.value IS NOT NULL OR a.problem IS NOT NULL THEN 1.0 ELSE m.months / 12.0
        END AS coverage,
        array(
            SELECT DISTINCT x
            FROM
                unnest(
                    coalesce(a.payload_sha256s, '{}'::text[])
                    || coalesce(m.payload_sha256s, '{}'::text[])
                ) AS x
            ORDER BY x
        ) AS payload_sha256s
    FROM annual AS a
    FULL JOIN months AS m
        ON a.indicator = m.indicator AND a.scope_key = m.scope_key AND a.year = m.year
)

SELECT
    y.scope_key,
    y.city,
    y.indicator,
    'year' AS period_type,
    make_date(y.year, 1, 1) AS period_start,
    y.value,
    y.value AS numerator,
    NULL::float8 AS denominator,
    1.0::float8 AS value_scale,
    y.coverage::float8 AS coverage,
    CASE
        WHEN y.problem IS NOT NULL THEN format('the published row does not add up: %s', y.problem)
        WHEN y.value IS NULL
            THEN format(
                '%s of 12 months published; the annual figure comes with the year''s last issue',
                y.months
            )
    END AS shortfall,
    array_remove(
        ARRAY[cast(:economy_provenance_flags AS jsonb) ->> y.provenance, y.status_flag], NULL
    ) AS flags,
    NULL::text[] AS pollutants,
    NULL::int AS population_year,
    concat_ws(
        ', ', y.statistic,
        CASE WHEN y.value IS NOT NULL THEN 'annual figure as published' END,
        CASE WHEN y.months IS NOT NULL THEN format('%s months published', y.months) END
    ) AS basis,
    y.payload_sha256s
FROM years AS y
UNION ALL
SELECT
    o.area_key AS scope_key,
    o.city,
    o.indicator,
    'month' AS period_type,
    o.period_start,
    o.value,
    o.value AS numerator,
    NULL AS denominator,
    1.0 AS value_scale,
    1.0 AS coverage,
    NULL AS shortfall,
    array_remove(
        ARRAY[cast(:economy_provenance_flags AS jsonb) ->> o.provenance, 'value_' || o.note], NULL
    ) AS flags,
    NULL AS pollutants,
    NULL AS population_year,
    concat_ws(', ', o.statistic, format('issue %s', to_char(o.report_month, 'YYYY-MM')))
        AS basis,
    o.payload_sha256s
FROM observed AS o
WHERE o.period_type = 'month' AND o.aggregation = 'level' AND o.consistent
