-- Share of residents in Planungsräume of low social status (marts/themes/economy.py) from
-- core.fact_social_status (MSS classes), core.fact_population (EWR residents per LOR 2021
-- Planungsraum) and core.dim_area; the columns of marts/scope.py MEASURE_COLUMNS. Coverage:
-- Planungsräume of the scope with residents and an MSS row, of all its Planungsräume.
WITH plr AS (  -- every Planungsraum with the scope it lies in
    SELECT
        area_key,
        {area_key} AS scope_key
    FROM {dim_area}
    WHERE city = :berlin AND level = :economy_unit_level AND {area_key} IS NOT NULL
),

expected AS (
    SELECT
        scope_key,
        count(*) AS plr
    FROM plr
    GROUP BY 1
),

classes AS (
    SELECT
        s.*,
        p.scope_key
    FROM {social_status} AS s
    INNER JOIN plr AS p ON s.area_key = p.area_key
),

mss_years AS (
    SELECT DISTINCT
        scope_key,
        reference_year
    FROM classes
),

counts AS (  -- complete EWR counts per Planungsraum and year
    SELECT
        f.area_key,
        f.reference_year,
        f.residents,
        f.payload_sha256s
    FROM {population} AS f
    WHERE f.source_table = :economy_ewr_lor2021 AND f.complete AND f.usable_for_totals
),

population_years AS (
    SELECT
        p.scope_key,
        c.reference_year AS population_year,
        count(*) AS plr_counted
    FROM plr AS p
    INNER JOIN counts AS c ON p.area_key = c.area_key
    GROUP BY 1, 2
),

chosen AS (  -- the nearest year within the gap, a year counting every Planungsraum first
    SELECT DISTINCT ON (m.scope_key, m.reference_year)
        m.scope_key,
        m.reference_year,
        y.population_year
    FROM mss_years AS m
    INNER JOIN expected AS e ON m.scope_key = e.scope_key
    LEFT JOIN population_years AS y
        ON
            m.scope_key = y.scope_key
            AND abs(y.population_year - m.reference_year) <= :max_population_gap
    ORDER BY
        m.scope_key ASC,
        m.reference_year ASC,
        coalesce(y.plr_counted = e.plr, FALSE) DESC,
        abs(y.population_year - m.reference_year) ASC,
        y.plr_counted DESC,
        y.population_year ASC
),

numbers AS (
    SELECT
        ch.scope_key,
        ch.reference_year,
        ch.population_year,
        sum(c.residents) FILTER (WHERE s.low_status AND c.area_key IS NOT NULL) AS low,
        sum(c.residents) FILTER (WHERE s.area_key IS NOT NULL) AS residents,
        count(*) FILTER (WHERE c.area_key IS NOT NULL AND s.area_key IS NOT NULL) AS plr_ok,
        count(*) FILTER (WHERE c.area_key IS NULL) AS plr_without_count,
        count(*) FILTER (WHERE s.area_key IS NULL) AS plr_without_class,
        coalesce(
            array_agg(DISTINCT s.payload_sha256 ORDER BY s.payload_sha256)
            FILTER (WHERE s.payload_sha256 IS NOT NULL),
            '{}'::text[]
        ) AS mss_payloads
    FROM chosen AS ch
    INNER JOIN plr AS p ON ch.scope_key = p.scope_key
    LEFT JOIN counts AS c ON p.area_key = c.area_key AND ch.population_year = c.reference_year
    LEFT JOIN classes AS s ON p.area_key = s.area_key AND ch.reference_year = s.reference_year
    GROUP BY 1, 2, 3
),

population_payloads AS (
    SELECT
        ch.scope_key,
        ch.reference_year,
        array_agg(DISTINCT x.sha ORDER BY x.sha) AS payloads
    FROM chosen AS ch
    INNER JOIN plr AS p ON ch.scope_key = p.scope_key
    INNER JOIN counts AS c ON p.area_key = c.area_key AND ch.population_year = c.reference_year
    CROSS JOIN LATERAL unnest(c.payload_sha256s) AS x (sha)
    GROUP BY 1, 2
)

SELECT
    n.scope_key,
    :berlin AS city,
    :economy_low_status AS indicator,
    'year' AS period_type,
    make_date(n.reference_year, 1, 1) AS period_start,
    n.low::float8 / nullif(n.residents, 0) AS value,
    coalesce(n.low, 0)::float8 AS numerator,
    nullif(n.residents, 0)::float8 AS denominator,
    1.0::float8 AS value_scale,
    n.plr_ok::float8 / e.plr AS coverage,
    concat_ws(
        '; ',
        CASE
            WHEN n.population_year IS NULL
                THEN format(
                    'no EWR count of the Planungsräume within %s years', :max_population_gap
                )
        END,
        CASE
            WHEN n.population_year IS NOT NULL AND n.plr_without_count > 0
                THEN format(
                    '%s of %s Planungsräume without a complete EWR count in %s',
                    n.plr_without_count, e.plr, n.population_year
                )
        END,
        CASE
            WHEN n.plr_without_class > 0
                THEN format('%s Planungsräume without an MSS row', n.plr_without_class)
        END
    ) AS shortfall,
    array_remove(
        ARRAY[
            'third_party_transcription',
            CASE
                WHEN n.population_year <> n.reference_year THEN 'residents_year_differs'
            END
        ],
        NULL
    ) AS flags,
    NULL::text[] AS pollutants,
    n.population_year,
    format(
        'MSS status classes, data of %s; residents EWR %s; %s of %s Planungsräume',
        n.reference_year, coalesce(n.population_year::text, 'missing'), n.plr_ok, e.plr
    ) AS basis,
    array(
        SELECT DISTINCT x
        FROM
            unnest(n.mss_payloads || coalesce(pp.payloads, '{}'::text[])) AS x
        ORDER BY x
    ) AS payload_sha256s
FROM numbers AS n
INNER JOIN expected AS e ON n.scope_key = e.scope_key
LEFT JOIN population_payloads AS pp
    ON n.scope_key = pp.scope_key AND n.reference_year = pp.reference_year
