"""What the definitions wire for the core: ``CORE_TABLES`` (SqlTables, built with
``build_sql_table`` like the others) and ``CORE_CHECKS`` (the blocking ``integrity`` checks).

Citizen reports, mobility and weather facts slot in here as more SqlTables (and their date
columns in ``dim_date.DATE_SOURCES``).
"""

from smartchange_assets.air_quality.fact import FACT
from smartchange_assets.core.area_population import (
    DIM_AREA_POPULATION,
    DIM_AREA_POPULATION_CHECK,
)
from smartchange_assets.core.dim_area import DIM_AREA, DIM_AREA_CHECK
from smartchange_assets.core.dim_date import DIM_DATE
from smartchange_assets.core.dim_date import KEY as DIM_DATE_KEY
from smartchange_assets.core.dim_date import TABLE as DIM_DATE_TABLE
from smartchange_assets.core.dim_station import DIM_STATION, DIM_STATION_CHECK
from smartchange_assets.core.dim_station import KEY as DIM_STATION_KEY
from smartchange_assets.core.dim_station import TABLE as DIM_STATION_TABLE
from smartchange_assets.core.flood import FACT_FLOOD_EVENTS, FACT_FLOOD_EVENTS_CHECK
from smartchange_assets.core.integrity import integrity_check, references
from smartchange_assets.core.mobility import FACT_MOBILITY, FACT_MOBILITY_CHECK
from smartchange_assets.core.population import FACT_POPULATION, FACT_POPULATION_CHECK
from smartchange_assets.core.reports import REPORT_CHECKS, REPORT_TABLES
from smartchange_assets.core.weather import FACT_WEATHER, FACT_WEATHER_CHECK

# the existing air-quality fact: every day in dim_date, every station in dim_station
FACT_AIR_QUALITY_CHECK = integrity_check(FACT.key, FACT.table, refs=(
    references("local_date", DIM_DATE_TABLE, "date", DIM_DATE_KEY),
    references(("city", "station_code"), DIM_STATION_TABLE, ("city", "station_code"),
               DIM_STATION_KEY),
))

CORE_TABLES = [DIM_AREA, DIM_DATE, DIM_STATION, FACT_POPULATION, DIM_AREA_POPULATION,
               FACT_FLOOD_EVENTS]
CORE_TABLES += [FACT_MOBILITY, FACT_WEATHER]
CORE_TABLES += REPORT_TABLES  # citizen reports: category map and fact
CORE_CHECKS = [DIM_AREA_CHECK, DIM_STATION_CHECK, FACT_POPULATION_CHECK,
               DIM_AREA_POPULATION_CHECK, FACT_FLOOD_EVENTS_CHECK, FACT_AIR_QUALITY_CHECK]
CORE_CHECKS += [FACT_MOBILITY_CHECK, FACT_WEATHER_CHECK]
CORE_CHECKS += REPORT_CHECKS
