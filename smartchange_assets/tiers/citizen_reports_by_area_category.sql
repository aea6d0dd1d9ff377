-- open.citizen_reports_by_area_category: reports of both cities per area and category from
-- the open per-report tables; a cell with too few reports is suppressed
WITH reports AS (
    SELECT
        'jakarta' AS city,
        CASE
            WHEN kelurahan_code IS NOT NULL THEN 'kelurahan'
            WHEN kecamatan_code IS NOT NULL THEN 'kecamatan'
            WHEN kota_code IS NOT NULL THEN 'kota'
            ELSE 'unresolved'
        END AS area_level,
        coalesce(kelurahan_code, kecamatan_code, kota_code) AS area_code,
        coalesce(kelurahan_name, kecamatan_name, kota_name) AS area_name,
        coalesce(category, '(none)') AS category
    FROM {jakarta_open}
    UNION ALL
    SELECT
        'berlin' AS city,
        'bezirk' AS area_level,
        bezirk_code AS area_code,
        bezirk AS area_name,
        coalesce(category_main, '(none)') AS category
    FROM {berlin_open}
)

SELECT
    city,
    area_level,
    area_code,
    area_name,
    category,
    CASE WHEN count(*) >= :min_cell_reports THEN count(*)::int END AS reports,
    count(*) < :min_cell_reports AS suppressed
FROM reports
GROUP BY city, area_level, area_code, area_name, category
