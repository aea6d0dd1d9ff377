-- which indicators a city reports (marts/catalogue.py), one row per city and indicator
SELECT
    a.city,
    a.indicator
FROM
    unnest(
        cast(:applicable_cities AS text[]), cast(:applicable_indicators AS text[])
    ) AS a (city, indicator)
