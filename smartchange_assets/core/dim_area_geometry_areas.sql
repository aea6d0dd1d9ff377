-- Berlin areas compared (see core/dim_area_geometry.py, check areas_agree): the Planungsräume
-- of each Bezirk against its ALKIS shape, each Planungsraum against the LOR export's area
WITH berlin AS (
    SELECT
        g.area_key,
        g.level,
        g.area_m2,
        a.district_key,
        a.area_m2 AS published_m2
    FROM {geometry} AS g
    INNER JOIN {dim_area} AS a ON g.area_key = a.area_key
    WHERE g.city = :berlin
),

bezirke AS (
    SELECT
        'planungsraeume_sum_vs_alkis_bezirk' AS comparison,
        d.area_key,
        sum(u.area_m2) AS measured_m2,
        d.area_m2 AS reference_m2
    FROM berlin AS d
    INNER JOIN berlin AS u ON d.area_key = u.district_key AND u.level = :unit
    WHERE d.level = :district
    GROUP BY d.area_key, d.area_m2
),

units AS (
    SELECT
        'planungsraum_vs_lor_export' AS comparison,
        area_key,
        area_m2 AS measured_m2,
        published_m2 AS reference_m2
    FROM berlin
    WHERE level = :unit AND published_m2 IS NOT NULL
),

compared AS (
    SELECT * FROM bezirke
    UNION ALL
    SELECT * FROM units
)

SELECT
    comparison,
    area_key,
    measured_m2,
    reference_m2,
    abs(measured_m2 - reference_m2) / reference_m2 AS relative_difference,
    abs(measured_m2 - reference_m2) / reference_m2 <= :tolerance AS agrees
FROM compared
