-- Economy share measures of a scope (marts/themes/economy.py) from core.fact_economy: a part
-- of a published total per year; the columns of marts/scope.py MEASURE_COLUMNS. Coverage: the
-- areas the statistic publishes inside the scope whose row adds up, of those expected.
WITH spec AS (
    SELECT
        s.key AS indicator,
        s.value ->> 'statistic' AS statistic,
        s.value ->> 'measure' AS measure,
        s.value ->> 'denominator' AS denominator,
        array(SELECT jsonb_array_elements_text(s.value -> 'numerator')) AS numerator
    FROM jsonb_each(cast(:economy_shares AS jsonb)) AS s
),

observed AS (  -- per indicator, area and year: the parts, the total, whether it adds up
    SELECT
        sp.indicator,
        f.statistic,
        f.city,
        f.area_key,
        f.area_level,
        a.{area_key} AS scope_key,
        f.year,
        f.provenance,
        sum(f.value) FILTER (WHERE f.breakdown = any(sp.numerator)) AS numerator,
        count(DISTINCT f.breakdown) FILTER (WHERE f.breakdown = any(sp.numerator)) AS parts,
        cardinality(sp.numerator) AS parts_expected,
        max(f.value) FILTER (WHERE f.breakdown = sp.denominator) AS denominator,
        bool_and(f.consistent) AS consistent,
        max(f.note) AS note
    FROM {fact_economy} AS f
    INNER JOIN spec AS sp ON f.statistic = sp.statistic AND f.measure = sp.measure
    INNER JOIN {dim_area} AS a ON f.area_key = a.area_key
    WHERE f.period_type = 'year' AND a.{area_key} IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, sp.numerator
),

judged AS (
    SELECT
        o.*,
        o.consistent AND o.parts = o.parts_expected AND o.denominator > 0 AS ok,
        CASE
            WHEN NOT o.consistent THEN format('%s: %s', o.area_key, o.note)
            WHEN o.parts < o.parts_expected
                THEN format('%s: %s of %s parts published', o.area_key, o.parts, o.parts_expected)
            WHEN coalesce(o.denominator, 0) <= 0 THEN format('%s: no total', o.area_key)
        END AS problem
    FROM observed AS o
),

expected AS (  -- the areas of each level inside each scope
    SELECT
        {area_key} AS scope_key,
        level,
        count(*) AS areas
    FROM {dim_area}
    WHERE {area_key} IS NOT NULL
    GROUP BY 1, 2
),

payloads AS (
    SELECT
        sp.indicator,
        a.{area_key} AS scope_key,
        f.year,
        array_agg(DISTINCT p.sha ORDER BY p.sha) AS payload_sha256s
    FROM {fact_economy} AS f
    INNER JOIN spec AS sp ON f.statistic = sp.statistic AND f.measure = sp.measure
    INNER JOIN {dim_area} AS a ON f.area_key = a.area_key
    CROSS JOIN LATERAL unnest(f.payload_sha256s) AS p (sha)
    WHERE f.period_type = 'year' AND a.{area_key} IS NOT NULL
    GROUP BY 1, 2, 3
),

scoped AS (
    SELECT
        j.indicator,
        j.statistic,
        j.city,
        j.scope_key,
        j.year,
        j.area_level,
        min(j.provenance) AS provenance,
        sum(j.numerator) FILTER (WHERE j.ok) AS numerator,
        sum(j.denominator) FILTER (WHERE j.ok) AS denominator,
        count(*) FILTER (WHERE j.ok) AS areas_ok,
        string_agg(j.problem, '; ' ORDER BY j.area_key) AS problems
    FROM judged AS j
    GROUP BY 1, 2, 3, 4, 5, 6
)

SELECT
    s.scope_key,
    s.city,
    s.indicator,
    'year' AS period_type,
    make_date(s.year, 1, 1) AS period_start,
    s.numerator / s.denominator AS value,
    s.numerator,
    s.denominator,
    1.0::float8 AS value_scale,
    s.areas_ok::float8 / e.areas AS coverage,
    concat_ws(
        '; ',
        CASE
            WHEN s.areas_ok < e.areas
                THEN format(
                    '%s of %s %s areas publish a row that adds up',
                    s.areas_ok, e.areas, s.area_level
                )
        END,
        s.problems
    ) AS shortfall,
    array_remove(
        ARRAY[cast(:economy_provenance_flags AS jsonb) ->> s.provenance], NULL
    ) AS flags,
    NULL::text[] AS pollutants,
    NULL::int AS population_year,
    format('%s, %s of %s %s areas', s.statistic, s.areas_ok, e.areas, s.area_level) AS basis,
    p.payload_sha256s
FROM scoped AS s
INNER JOIN expected AS e ON s.scope_key = e.scope_key AND s.area_level = e.level
INNER JOIN payloads AS p
    ON s.indicator = p.indicator AND s.scope_key = p.scope_key AND s.year = p.year
