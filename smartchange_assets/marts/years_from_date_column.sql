-- the years a fact table covers, per city, from a date column
SELECT DISTINCT
    city,
    extract(YEAR FROM {date_column})::int AS year
FROM {fact}
