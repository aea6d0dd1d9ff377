-- marts.city_indicators: every indicator of the catalogue per city, year and month
-- (marts/indicators.py)
SELECT
    r.city,
    r.scope_key AS area_key,
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
    r.payload_sha256s
FROM {indicator_rows} AS r
