-- marts.district_scorecard: the indicators per district (kota / Bezirk), ranked within the
-- city (marts/indicators.py)
SELECT
    r.city,
    r.scope_key AS district_key,
    a.name AS district_name,
    r.indicator,
    r.category,
    r.period_type,
    r.period_start,
    r.year,
    r.month,
    r.value,
    r.unit,
    r.numerator,
    r.denominator,
    r.value_scale,
    r.coverage,
    r.coverage_basis,
    r.coverage_threshold,
    r.null_reason,
    r.standard,
    r.method_note,
    r.basis,
    r.flags,
    r.pollutants,
    r.population_year,
    r.payload_sha256s,
    CASE
        WHEN r.value IS NOT NULL THEN rank() OVER (
            PARTITION BY
                r.city, r.indicator, r.category, r.period_type, r.period_start,
                r.value IS NULL
            ORDER BY r.value DESC
        )::int
    END AS rank_in_city,
    count(r.value) OVER (
        PARTITION BY r.city, r.indicator, r.category, r.period_type, r.period_start
    )::int AS districts_ranked
FROM {indicator_rows} AS r
INNER JOIN {dim_area} AS a ON r.scope_key = a.area_key
