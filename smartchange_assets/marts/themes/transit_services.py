"""Transit services — Jakarta, Transjakarta's quarterly report: passengers of every service per
year, from ``core.fact_transit_services_quarterly``.

A separate indicator from ``transit_passengers`` (``marts.themes.mobility``), not more months
of it: the report counts every service of the operator (Transjabodetabek, Royal Trans, Rusun
feeders, tourist buses, Cares, …) per quarter, the per-route dataset the route services per
month, and no year is in both. Yearly only (the marts have no quarters); coverage = quarters
reported / 4, so 2024 (four quarters) has a value and 2023 (Q4 only) and 2025 (Q1-Q3) are NULL
with the reason. A quarter whose total is implausible (2023 Q4: 2.9 times the other quarters'
median) stays in the sum, and every figure it enters carries the flag
``quarter_total_suspect`` and says so in ``basis``. Per capita divides by the city's residents
in the nearest year, within :data:`~smartchange_assets.marts.theme.MAX_POPULATION_GAP` years,
with a complete count. SQL: ``transit_services_measures.sql``.
"""

import dagster as dg

from smartchange_assets.core import keys
from smartchange_assets.core.area_population import DIM_KEY as AREA_POPULATION_KEY
from smartchange_assets.core.area_population import DIM_TABLE as AREA_POPULATION
from smartchange_assets.core.transit_services import KEY as SERVICES_KEY
from smartchange_assets.core.transit_services import TABLE as SERVICES_FACT
from smartchange_assets.marts.scope import CITY, Scope
from smartchange_assets.marts.theme import (
    FULL,
    MAX_POPULATION_GAP,
    NOT_COMPARABLE,
    ONE_CITY,
    Indicator,
    Theme,
    YearSource,
)
from smartchange_assets.platform.sql_files import bind, sql_file

_NOTE = ("Jakarta only: Transjakarta's boardings of every service; Berlin has no public "
         "transport source, and a bicycle count is not a ridership")

INDICATORS = (
    Indicator("transit_passengers_all_services",
              "Transjakarta passengers, every service (quarterly report)", "passengers",
              "Transjakarta's quarterly report (satudata 'Data Jumlah Bus yang Beroperasi dan "
              "Jumlah Penumpang Layanan Transjakarta'); own definition",
              "Passengers of every Transjakarta service (BRT, feeder, Mikrotrans, Rusun, "
              "Transjabodetabek, Royal Trans, tourist, assignment, Cares) summed over the "
              "quarters of the year. Not the same as transit_passengers, which counts the "
              "route services of the per-route dataset.",
              "quarters", FULL, (keys.JAKARTA,), ONE_CITY, _NOTE, monthly=False),
    Indicator("transit_passengers_all_services_per_capita",
              "Transjakarta passengers per resident, every service (quarterly report)",
              "passengers per resident",
              "In the spirit of ISO 37120:2018, Transportation: annual public transport trips "
              "per capita (Transjakarta boardings of every service only)",
              "Passengers of every Transjakarta service in the year / residents of the city "
              "in the nearest year (within 5 years) with a complete count. Boardings, not "
              "trips; other operators (KRL, MRT, LRT) are not in it.",
              "quarters", FULL, (keys.JAKARTA,), NOT_COMPARABLE, _NOTE, monthly=False),
)


def transit_services_measures(scope: Scope) -> str | None:
    if scope != CITY:
        return None  # the report is city-wide
    return sql_file(__file__, "transit_services_measures.sql",
                    services_fact=SERVICES_FACT.qualified,
                    area_population=AREA_POPULATION.qualified)


def _dep(key: dg.AssetKey, column: str) -> dg.TableColumnDep:
    return dg.TableColumnDep(asset_key=key, column_name=column)


TRANSIT_SERVICES = Theme(
    name="transit_services",
    indicators=INDICATORS,
    measures=transit_services_measures,
    params=bind(jakarta=keys.JAKARTA, jakarta_city_key=keys.JAKARTA_CITY_KEY,
                max_population_gap=MAX_POPULATION_GAP),
    fact_deps=(SERVICES_KEY, AREA_POPULATION_KEY),
    year_sources=(YearSource(SERVICES_FACT, year_column="year"),),
    lineage={
        "value": (_dep(SERVICES_KEY, "passengers"),),
        "numerator": (_dep(SERVICES_KEY, "passengers"),),
        "denominator": (_dep(AREA_POPULATION_KEY, "residents"),),
        "coverage": (_dep(SERVICES_KEY, "quarter_start"),),
        "population_year": (_dep(AREA_POPULATION_KEY, "reference_year"),),
        "payload_sha256s": (_dep(SERVICES_KEY, "payload_sha256"),),
    },
)
