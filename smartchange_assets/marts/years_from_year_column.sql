-- the years a fact table covers, per city, from a year column
SELECT DISTINCT
    city,
    {year_column} AS year
FROM {fact}
