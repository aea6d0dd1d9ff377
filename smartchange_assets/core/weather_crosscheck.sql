-- DWD against Open-Meteo (core/weather_crosscheck.py): per year, the Berlin days on which the
-- daily maximum comes from a DWD station and Open-Meteo has one too, and how many of them
-- agree within the tolerance.
SELECT
    extract(YEAR FROM local_date)::int AS year,
    count(*) AS days,
    count(*) FILTER (
        WHERE abs(temperature_max_c - openmeteo_temperature_max_c)
        <= cast(:tolerance_c AS float8)
    ) AS agreeing,
    round(avg(temperature_max_c - openmeteo_temperature_max_c)::numeric, 2)::float8
        AS mean_difference_c,
    round(max(abs(temperature_max_c - openmeteo_temperature_max_c))::numeric, 2)::float8
        AS largest_difference_c
FROM {fact}
WHERE
    city = :berlin
    AND temperature_max_source LIKE 'dwd%'
    AND openmeteo_temperature_max_c IS NOT NULL
GROUP BY 1
ORDER BY 1
