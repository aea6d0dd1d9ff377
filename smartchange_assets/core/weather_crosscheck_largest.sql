-- the Berlin days on which DWD and Open-Meteo differ most (a bounded sample)
SELECT
    local_date,
    temperature_max_c,
    temperature_max_source,
    openmeteo_temperature_max_c,
    openmeteo_temperature_max_source
FROM {fact}
WHERE
    city = :berlin
    AND temperature_max_source LIKE 'dwd%'
    AND openmeteo_temperature_max_c IS NOT NULL
ORDER BY abs(temperature_max_c - openmeteo_temperature_max_c) DESC, local_date ASC
LIMIT 10
