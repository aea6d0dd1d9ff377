-- one theme's measure rows (marts/scope.py MEASURE_COLUMNS), category 'all': the theme is
-- not split by report category
SELECT
    m.*,
    cast(:all_categories AS text) AS category
FROM {measures} AS m ({measure_columns})
