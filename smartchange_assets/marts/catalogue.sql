-- the indicator catalogue (marts/catalogue.py: every theme's entries), one row per indicator
SELECT
    c.indicator,
    c.unit,
    c.standard,
    c.method_note,
    c.coverage_basis,
    c.threshold,
    c.comparability,
    c.comparability_note,
    c.monthly
FROM
    unnest(
        cast(:catalogue_indicators AS text[]),
        cast(:catalogue_units AS text[]),
        cast(:catalogue_standards AS text[]),
        cast(:catalogue_method_notes AS text[]),
        cast(:catalogue_coverage_bases AS text[]),
        cast(:catalogue_thresholds AS float8[]),
        cast(:catalogue_comparabilities AS text[]),
        cast(:catalogue_comparability_notes AS text[]),
        cast(:catalogue_monthly AS boolean[])
    ) AS c (
        indicator,
        unit,
        standard,
        method_note,
        coverage_basis,
        threshold,
        comparability,
        comparability_note,
        monthly
    )
