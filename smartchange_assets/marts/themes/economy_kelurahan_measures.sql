-- Kelurahan shares of a scope (marts/themes/economy.py) from core.fact_economy (BPS Potensi
-- Kelurahan counts) and core.dim_area (the kelurahan of the scope); the columns of
-- marts/scope.py MEASURE_COLUMNS. The count is the scope's own row (a kota row, or the
-- province total row for the city).
WITH spec AS (
    SELECT
        s.key AS indicator,
        s.value AS measure
    FROM jsonb_each_text(cast(:economy_kelurahan AS jsonb)) AS s
),

counted AS (
    SELECT
        sp.indicator,
        f.city,
        f.area_key AS scope_key,
        f.year,
        f.value AS kelurahan_with,
        f.provenance,
        f.payload_sha256s
    FROM {fact_economy} AS f
    INNER JOIN spec AS sp ON f.measure = sp.measure
    INNER JOIN {dim_area} AS a ON f.area_key = a.area_key
    WHERE
        f.statistic = :economy_podes
        AND f.period_type = 'year'
        AND a.{area_key} = f.area_key
),

kelurahan AS (  -- the kelurahan (units) inside each scope
    SELECT
        {area_key} AS scope_key,
        count(*) AS units
    FROM {dim_area}
    WHERE level = :economy_unit_level AND {area_key} IS NOT NULL
    GROUP BY 1
)

SELECT
    c.scope_key,
    c.city,
    c.indicator,
    'year' AS period_type,
    make_date(c.year, 1, 1) AS period_start,
    CASE WHEN c.kelurahan_with <= k.units THEN c.kelurahan_with / k.units END AS value,
    c.kelurahan_with AS numerator,
    k.units::float8 AS denominator,
    1.0::float8 AS value_scale,
    1.0::float8 AS coverage,
    CASE
        WHEN k.units IS NULL THEN 'the area has no kelurahan in core.dim_area'
        WHEN c.kelurahan_with > k.units
            THEN format(
                '%s kelurahan counted, but the area has %s', c.kelurahan_with, k.units
            )
    END AS shortfall,
    array_remove(
        ARRAY[cast(:economy_provenance_flags AS jsonb) ->> c.provenance], NULL
    ) AS flags,
    NULL::text[] AS pollutants,
    NULL::int AS population_year,
    format(
        'BPS Potensi Kelurahan %s: %s of %s kelurahan (core.dim_area)', c.year, c.kelurahan_with,
        coalesce(k.units::text, 'unknown')
    ) AS basis,
    c.payload_sha256s
FROM counted AS c
LEFT JOIN kelurahan AS k ON c.scope_key = k.scope_key
