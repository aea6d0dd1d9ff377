-- Transjakarta measures of the city (marts/themes/mobility.py) from
-- core.fact_mobility_monthly: transit_passengers, transit_passengers_per_capita; the columns
-- of marts/scope.py MEASURE_COLUMNS. Coverage: months of the period with data. Only the route
-- services of the definition (BRT, feeder, Mikrotrans) are counted; the other services of the
-- legacy files are named in the basis.
WITH quarantined AS (  -- rows of the source's payloads in quarantine
    SELECT
        payload_sha256,
        count(*) AS rows
    FROM raw.quarantine
    WHERE source = :transjakarta_source
    GROUP BY payload_sha256
),

transjakarta AS (
    SELECT
        f.*,
        f.mode = any(cast(:transit_modes AS text[])) AS in_definition
    FROM {mobility_fact} AS f
    WHERE f.city = :jakarta AND f.counter_kind = :transjakarta_kind
),

counted AS (
    SELECT t.*
    FROM transjakarta AS t
    WHERE t.in_definition
),

others AS (  -- passengers of services outside the definition, per period
    SELECT
        periods.period_type,
        date_trunc(periods.period_type, t.month_start)::date AS period_start,
        sum(t.count) AS passengers,
        string_agg(DISTINCT t.mode, ', ' ORDER BY t.mode) AS modes
    FROM transjakarta AS t
    CROSS JOIN (VALUES ('year'), ('month')) AS periods (period_type)
    WHERE NOT t.in_definition
    GROUP BY 1, 2
),

period_payloads AS (
    SELECT
        periods.period_type,
        date_trunc(periods.period_type, c.month_start)::date AS period_start,
        array_agg(DISTINCT x.sha ORDER BY x.sha) AS payloads
    FROM counted AS c
    CROSS JOIN LATERAL unnest(c.payload_sha256s) AS x (sha)
    CROSS JOIN (VALUES ('year'), ('month')) AS periods (period_type)
    GROUP BY 1, 2
),

period_totals AS (
    SELECT
        periods.period_type,
        date_trunc(periods.period_type, r.month_start)::date AS period_start,
        sum(r.count) AS total,
        count(DISTINCT r.month_start) AS months,
        CASE periods.period_type WHEN 'year' THEN 12 ELSE 1 END AS of_months,
        count(DISTINCT r.site_id) AS routes
    FROM counted AS r
    CROSS JOIN (VALUES ('year'), ('month')) AS periods (period_type)
    GROUP BY 1, 2
),

totals AS (
    SELECT
        p.period_type,
        p.period_start,
        p.total,
        p.months::float8 / p.of_months AS coverage,
        CASE
            WHEN p.months < p.of_months
                THEN format('%s of %s months with data', p.months, p.of_months)
        END AS shortfall,
        CASE
            WHEN q.rows > 0 THEN ARRAY['payload_rows_quarantined'] ELSE '{}'::text[]
        END AS flags,
        format(
            '%s of %s months, %s routes%s%s', p.months, p.of_months, p.routes,
            CASE
                WHEN q.rows > 0
                    THEN
                        format(
                            '; %s row(s) of its payloads quarantined (raw.quarantine)', q.rows
                        )
                ELSE ''
            END,
            CASE
                WHEN o.passengers > 0
                    THEN
                        format(
                            '; not counted: %s passengers of other services (%s)',
                            o.passengers, o.modes
                        )
                ELSE ''
            END
        ) AS basis,
        pp.payloads
    FROM period_totals AS p
    INNER JOIN period_payloads AS pp USING (period_type, period_start)
    LEFT JOIN others AS o USING (period_type, period_start)
    LEFT JOIN LATERAL (
        SELECT sum(q.rows) AS rows
        FROM quarantined AS q
        WHERE q.payload_sha256 = any(pp.payloads)
    ) AS q ON TRUE
),

residents AS (  -- the city's nearest complete residents count, within the gap allowed
    SELECT DISTINCT ON (t.period_type, t.period_start)
        t.period_type,
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
        t.period_type ASC,
        t.period_start ASC,
        abs(ap.reference_year - extract(YEAR FROM t.period_start)) ASC,
        ap.reference_year ASC
)

SELECT
    :jakarta_city_key AS scope_key,
    :jakarta AS city,
    'transit_passengers' AS indicator,
    t.period_type,
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
    'transit_passengers_per_capita' AS indicator,
    t.period_type,
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
LEFT JOIN residents AS r USING (period_type, period_start)
