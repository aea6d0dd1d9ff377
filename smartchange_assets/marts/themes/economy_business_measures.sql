-- IHK businesses per 1 000 residents of a scope (marts/themes/economy.py) from
-- core.fact_businesses and core.dim_area_population; the columns of marts/scope.py
-- MEASURE_COLUMNS. A month per snapshot; a year from its latest snapshot.
WITH placed AS (
    SELECT
        b.*,
        a.{area_key} AS scope_key
    FROM {businesses} AS b
    INNER JOIN {dim_area} AS a ON b.area_key = a.area_key
    WHERE a.{area_key} IS NOT NULL
),

snapshots AS (
    SELECT
        scope_key,
        snapshot_month,
        sum(businesses) AS businesses,
        bool_or(register_sample) AS register_sample,
        max(payload_businesses) AS payload_businesses,
        array_agg(DISTINCT payload_sha256 ORDER BY payload_sha256) AS payloads
    FROM placed
    GROUP BY 1, 2
),

latest_of_year AS (
    SELECT DISTINCT ON (s.scope_key, date_trunc('year', s.snapshot_month))
        'year' AS period_type,
        date_trunc('year', s.snapshot_month)::date AS period_start,
        s.*
    FROM snapshots AS s
    ORDER BY
        s.scope_key ASC, date_trunc('year', s.snapshot_month) ASC, s.snapshot_month DESC
),

periods AS (
    SELECT
        'month' AS period_type,
        s.snapshot_month AS period_start,
        s.*
    FROM snapshots AS s
    UNION ALL
    SELECT * FROM latest_of_year
),

residents AS (  -- the nearest year, within the gap allowed, with a complete count
    SELECT DISTINCT ON (p.scope_key, p.period_type, p.period_start)
        p.scope_key,
        p.period_type,
        p.period_start,
        ap.reference_year,
        ap.residents,
        ap.payload_sha256s
    FROM periods AS p
    INNER JOIN {area_population} AS ap
        ON
            p.scope_key = ap.area_key
            AND ap.complete
            AND abs(ap.reference_year - extract(YEAR FROM p.period_start))
            <= :max_population_gap
    ORDER BY
        p.scope_key ASC,
        p.period_type ASC,
        p.period_start ASC,
        abs(ap.reference_year - extract(YEAR FROM p.period_start)) ASC,
        ap.reference_year ASC
)

SELECT
    p.scope_key,
    :berlin AS city,
    :economy_businesses AS indicator,
    p.period_type,
    p.period_start,
    -- a sample of the register is no rate of businesses: no value, the reason says why
    CASE
        WHEN NOT p.register_sample THEN p.businesses::float8 / r.residents * 1000
    END AS value,
    p.businesses::float8 AS numerator,
    r.residents::float8 AS denominator,
    1000.0::float8 AS value_scale,
    1.0::float8 AS coverage,
    CASE
        WHEN p.register_sample
            THEN
                format(
                    'the payload is a sample of %s businesses, not the register',
                    p.payload_businesses
                )
        WHEN r.residents IS NULL
            THEN format('no complete residents count within %s years', :max_population_gap)
    END AS shortfall,
    array_remove(ARRAY[CASE WHEN p.register_sample THEN 'register_sample' END], NULL) AS flags,
    NULL::text[] AS pollutants,
    r.reference_year AS population_year,
    format(
        'IHK snapshot %s: %s businesses in the scope of %s in the payload%s; residents %s',
        to_char(p.snapshot_month, 'YYYY-MM'), p.businesses, p.payload_businesses,
        CASE
            WHEN p.register_sample THEN ' (a sample, not the register of about 350 000)'
            ELSE ''
        END,
        coalesce(r.reference_year::text, 'missing')
    ) AS basis,
    array(
        SELECT DISTINCT x
        FROM unnest(p.payloads || coalesce(r.payload_sha256s, '{}'::text[])) AS x
        ORDER BY x
    ) AS payload_sha256s
FROM periods AS p
LEFT JOIN residents AS r
    ON
        p.scope_key = r.scope_key
        AND p.period_type = r.period_type
        AND p.period_start = r.period_start
