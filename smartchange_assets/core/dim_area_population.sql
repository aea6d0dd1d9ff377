-- core.dim_area_population: residents per area and reference year, summed up the hierarchy
-- from complete, usable counts only (see core/area_population.py).
WITH RECURSIVE closure (area_key, ancestor_key) AS (
    SELECT
        area_key,
        area_key AS ancestor_key
    FROM {dim_area}
    UNION ALL
    SELECT
        c.area_key,
        a.parent_key
    FROM closure AS c
    INNER JOIN {dim_area} AS a ON c.ancestor_key = a.area_key
    WHERE a.parent_key IS NOT NULL
),

facts AS (
    SELECT
        f.*,
        a.level AS base_level
    FROM {fact_population} AS f
    INNER JOIN {dim_area} AS a ON f.area_key = a.area_key
    WHERE f.usable_for_totals
),

parts AS (  -- areas of each level inside each area
    SELECT
        c.ancestor_key,
        d.level,
        count(*)::int AS n
    FROM closure AS c
    INNER JOIN {dim_area} AS d ON c.area_key = d.area_key
    GROUP BY 1, 2
),

summed AS (
    SELECT
        c.ancestor_key AS area_key,
        f.source_table,
        f.reference_date,
        f.base_level,
        sum(f.residents) FILTER (WHERE f.complete) AS residents,
        sum(f.male) FILTER (WHERE f.complete) AS male,
        sum(f.female) FILTER (WHERE f.complete) AS female,
        count(*) FILTER (WHERE f.complete)::int AS parts_complete
    FROM facts AS f
    INNER JOIN closure AS c ON f.area_key = c.area_key
    GROUP BY 1, 2, 3, 4
),

payloads AS (
    SELECT
        c.ancestor_key AS area_key,
        f.source_table,
        f.reference_date,
        array_agg(DISTINCT s.sha ORDER BY s.sha) AS payload_sha256s
    FROM facts AS f
    INNER JOIN closure AS c ON f.area_key = c.area_key
    CROSS JOIN LATERAL unnest(f.payload_sha256s) AS s (sha)
    GROUP BY 1, 2, 3
),

candidates AS (
    SELECT
        s.*,
        p.n AS parts_expected,
        s.parts_complete = p.n AS complete,
        s.parts_complete::double precision / p.n AS coverage,
        CASE
            WHEN a.level = s.base_level THEN 'published' ELSE 'sum_of_parts'
        END AS method,
        pl.payload_sha256s
    FROM summed AS s
    INNER JOIN parts AS p ON s.area_key = p.ancestor_key AND s.base_level = p.level
    INNER JOIN {dim_area} AS a ON s.area_key = a.area_key
    INNER JOIN payloads AS pl
        ON
            s.area_key = pl.area_key
            AND s.source_table = pl.source_table
            AND s.reference_date = pl.reference_date
)

-- per area and year: the complete count first, then the widest, the latest, the preferred
-- table (registered residents first)
SELECT DISTINCT ON (area_key, extract(YEAR FROM reference_date))
    area_key,
    extract(YEAR FROM reference_date)::int AS reference_year,
    reference_date,
    source_table,
    CASE WHEN complete THEN residents END AS residents,
    CASE WHEN complete THEN male END AS male,
    CASE WHEN complete THEN female END AS female,
    complete,
    parts_complete,
    parts_expected,
    coverage,
    base_level,
    method,
    payload_sha256s
FROM candidates
ORDER BY
    area_key ASC,
    extract(YEAR FROM reference_date) ASC,
    complete DESC,
    coverage DESC,
    reference_date DESC,
    coalesce((cast(:source_preference AS jsonb) ->> source_table)::int, 9) ASC
