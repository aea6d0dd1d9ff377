-- every native category in the staging data without a row in core.report_category_map,
-- with its number of reports
WITH native AS (
    SELECT
        :jakarta AS city,
        coalesce(s.category, :no_category) AS native_category,
        count(*) AS reports
    FROM {jakarta_staging} AS s
    GROUP BY 2
    UNION ALL
    SELECT
        :berlin AS city,
        coalesce(s.category_main, :no_category) AS native_category,
        count(*) AS reports
    FROM {berlin_reports} AS s
    GROUP BY 2
)

SELECT n.*
FROM native AS n
WHERE
    NOT EXISTS (
        SELECT 1 FROM {category_map} AS m
        WHERE m.city = n.city AND m.native_category = n.native_category
    )
ORDER BY n.reports DESC, n.city ASC, n.native_category ASC
