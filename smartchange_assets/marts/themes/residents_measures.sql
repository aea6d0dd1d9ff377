-- Residents of a scope per year (marts/themes/residents.py) from core.dim_area_population;
-- the columns of marts/scope.py MEASURE_COLUMNS. Coverage: the share of the areas the table
-- counts at that have a complete count.
WITH not_for_totals AS (  -- years whose only counts come from a table not used for totals
    SELECT
        a.{area_key} AS scope_key,
        f.city,
        f.reference_year,
        min(f.source_table) AS source_table,
        min(f.note) AS note,
        array_agg(DISTINCT s.sha ORDER BY s.sha) AS payload_sha256s
    FROM {population_fact} AS f
    INNER JOIN {dim_area} AS a ON f.area_key = a.area_key
    CROSS JOIN LATERAL unnest(f.payload_sha256s) AS s (sha)
    WHERE NOT f.usable_for_totals AND a.{area_key} IS NOT NULL
    GROUP BY 1, 2, 3
)

SELECT
    ap.area_key AS scope_key,
    a.city,
    'residents' AS indicator,
    'year' AS period_type,
    make_date(ap.reference_year, 1, 1) AS period_start,
    ap.residents::float8 AS value,
    ap.residents::float8 AS numerator,
    NULL::float8 AS denominator,
    1.0::float8 AS value_scale,
    ap.coverage,
    format(
        '%s of %s %s areas counted completely (%s, %s)', ap.parts_complete,
        ap.parts_expected, ap.base_level, ap.source_table, ap.reference_date
    ) AS shortfall,
    '{}'::text[] AS flags,
    NULL::text[] AS pollutants,
    ap.reference_year AS population_year,
    format('%s, %s, %s', ap.source_table, ap.reference_date, ap.method) AS basis,
    ap.payload_sha256s
FROM {area_population} AS ap
INNER JOIN {dim_area} AS a ON ap.area_key = a.area_key AND a.level = :scope_level
UNION ALL
SELECT
    u.scope_key,
    u.city,
    'residents' AS indicator,
    'year' AS period_type,
    make_date(u.reference_year, 1, 1) AS period_start,
    NULL AS value,
    NULL AS numerator,
    NULL AS denominator,
    1.0 AS value_scale,
    0 AS coverage,
    format('only %s counts, not used for totals: %s', u.source_table, u.note) AS shortfall,
    '{}'::text[] AS flags,
    NULL AS pollutants,
    NULL AS population_year,
    NULL AS basis,
    u.payload_sha256s
FROM not_for_totals AS u
WHERE NOT EXISTS (
    SELECT 1 FROM {area_population} AS ap
    WHERE ap.area_key = u.scope_key AND ap.reference_year = u.reference_year
)
