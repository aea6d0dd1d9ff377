-- Transjakarta quarterly-report measures of the city (marts/themes/transit_services.py) from
-- core.fact_transit_services_quarterly: transit_passengers_all_services and its per-capita
-- rate, per year; the columns of marts/scope.py MEASURE_COLUMNS. Coverage: quarters of the
-- year reported / 4. A suspect quarter total stays in the sum and flags the figure.
WITH quarters AS (
    SELECT
        quarter_start,
        min(quarter_total) AS total,
        bool_or(quarter_total_suspect) AS suspect,
        min(quarter_total_ratio) AS ratio,
        count(*) AS services,
        min(payload_sha256) AS payload_sha256
    FROM {services_fact}
    GROUP BY quarter_start
),

years AS (
    SELECT
        date_trunc('year', quarter_start)::date AS period_start,
        sum(total) AS total,
        count(*) AS quarters,
        bool_or(suspect) AS suspect,
        string_agg(
            format(
                '%s Q%s total %s is %s x the other quarters'' median',
                extract(YEAR FROM quarter_start), extract(QUARTER FROM quarter_start), total,
                round(ratio::numeric, 1)
            ),
            '; ' ORDER BY quarter_start
        ) FILTER (WHERE suspect) AS suspect_note,
        array_agg(DISTINCT payload_sha256 ORDER BY payload_sha256) AS payloads
    FROM quarters
    GROUP BY 1
),

totals AS (
    SELECT
        y.period_start,
        y.total,
        y.quarters::float8 / 4 AS coverage,
        CASE
            WHEN y.quarters < 4 THEN format('%s of 4 quarters reported', y.quarters)
        END AS shortfall,
        CASE
            WHEN y.suspect THEN ARRAY['quarter_total_suspect'] ELSE '{}'::text[]
        END AS flags,
        concat_ws(
            '; ', format('%s of 4 quarters, every service', y.quarters),
            CASE WHEN y.suspect THEN 'SUSPECT: ' || y.suspect_note END
        ) AS basis,
        y.payloads
    FROM years AS y
),

residents AS (  -- the city's nearest complete residents count, within the gap allowed
    SELECT DISTINCT ON (t.period_start)
        t.period_start,
        ap.reference_year,
        ap.residents,
        ap.payload_sha256s
    FROM totals AS t
    INNER JOIN {area_population} AS ap
        ON
            ap.area_key = :jakarta_city_key
            AND ap.complete
            AND abs(ap.reference_year - extract(YEAR FROM t.period_start))
            <= :max_population_gap
    ORDER BY
        t.period_start ASC,
        abs(ap.reference_year - extract(YEAR FROM t.period_start)) ASC,
        ap.reference_year ASC
)

SELECT
    :jakarta_city_key AS scope_key,
    :jakarta AS city,
    'transit_passengers_all_services' AS indicator,
    'year' AS period_type,
    t.period_start,
    t.total::float8 AS value,
    t.total::float8 AS numerator,
    NULL::float8 AS denominator,
    1.0::float8 AS value_scale,
    t.coverage,
    t.shortfall,
    t.flags,
    NULL::text[] AS pollutants,
    NULL::int AS population_year,
    t.basis,
    t.payloads AS payload_sha256s
FROM totals AS t
UNION ALL
SELECT
    :jakarta_city_key AS scope_key,
    :jakarta AS city,
    'transit_passengers_all_services_per_capita' AS indicator,
    'year' AS period_type,
    t.period_start,
    t.total::float8 / r.residents AS value,
    t.total AS numerator,
    r.residents AS denominator,
    1.0 AS value_scale,
    t.coverage,
    concat_ws(
        '; ',
        t.shortfall,
        CASE
            WHEN r.residents IS NULL THEN format(
                'no complete residents count of the city within %s years', :max_population_gap
            )
        END
    ) AS shortfall,
    t.flags,
    NULL AS pollutants,
    r.reference_year AS population_year,
    format('%s; residents %s', t.basis, coalesce(r.reference_year::text, 'missing')) AS basis,
    array(
        SELECT DISTINCT x
        FROM
            unnest(
                coalesce(t.payloads, '{}'::text[]) || coalesce(r.payload_sha256s, '{}'::text[])
            ) AS x
        ORDER BY x
    ) AS payload_sha256s
FROM totals AS t
LEFT JOIN residents AS r USING (period_start)
