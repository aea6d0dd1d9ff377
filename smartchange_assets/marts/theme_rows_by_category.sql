-- one theme's measure rows (marts/scope.py MEASURE_COLUMNS) with their own category column
SELECT m.*
FROM {measures} AS m ({measure_columns}, category)
