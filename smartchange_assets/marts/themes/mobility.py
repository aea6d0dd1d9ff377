"""Mobility: two themes from ``core.fact_mobility_monthly``, per city, year and month.

* **Transit — Jakarta, Transjakarta** (``transit_passengers``,
  ``transit_passengers_per_capita``): passengers of the Transjakarta route services BRT,
  integrated feeder routes and Mikrotrans (the services the satudata dataset publishes)
  summed over the routes; coverage = months of the period with data / months of the period.
  The legacy December 2019 file publishes more services (Rusun feeders, Transjabodetabek,
  Royal Trans, tourist buses, other): they are in ``core.fact_mobility_monthly`` under their
  own modes, outside this definition, and ``basis`` names them with their passengers. A
  route-month the publisher gave twice with different values is quarantined in staging, so a
  payload with quarantined rows is flagged (``payload_rows_quarantined``) and counted in
  ``basis``. SQL: ``transit_measures.sql``.
* **Transit services — Jakarta, Transjakarta's quarterly report** (see
  :mod:`.transit_services`).
* **Bicycles — Berlin, bike counters** (``bicycle_counts``, ``bicycle_counts_per_capita``):
  bicycles counted at SenMVKU's permanent counting sites. A count at fixed points, not a
  number of trips: one ride passing two counters is counted twice, a ride passing none not at
  all. Coverage = counter-days with a complete day (every hour, no suspected outage) /
  counter-days expected, a counter being expected from its installation (site metadata; else
  its first day with data) to its removal. A counter installed but absent from every payload
  of the period therefore lowers the coverage: the sum would silently miss its bicycles. SQL:
  ``bicycle_measures.sql``.

Per capita divides by the city's residents in the nearest year, within
:data:`~smartchange_assets.marts.theme.MAX_POPULATION_GAP` years, with a complete count.

District rows: none. Transjakarta is city-wide, and the Berlin counters are not placed in a
Bezirk (see ``core.mobility``).
"""

import dagster as dg

from smartchange_assets.berlin.mobility import common
from smartchange_assets.berlin.mobility.counts import SITES_KEY as BERLIN_MOBILITY_SITES_KEY
from smartchange_assets.berlin.mobility.counts import SITES_TABLE
from smartchange_assets.core import keys
from smartchange_assets.core.area_population import DIM_KEY as AREA_POPULATION_KEY
from smartchange_assets.core.area_population import DIM_TABLE as AREA_POPULATION
from smartchange_assets.core.mobility import KEY as MOBILITY_KEY
from smartchange_assets.core.mobility import TABLE as MOBILITY_FACT
from smartchange_assets.core.mobility import TRANSJAKARTA_KIND
from smartchange_assets.jakarta.transjakarta.source import SOURCE as TRANSJAKARTA
from smartchange_assets.marts.scope import CITY, Scope
from smartchange_assets.marts.theme import (
    MAX_POPULATION_GAP,
    NOT_COMPARABLE,
    ONE_CITY,
    Indicator,
    Theme,
    YearSource,
)
from smartchange_assets.platform.sql_files import bind, sql_file

ABSENT_LISTED = 5  # absent counters named in the shortfall
MONTHS_WITH_DATA = 1.0  # a passenger total needs every month of the period
COUNTER_DAYS = 0.9      # complete counter-days / expected counter-days (bike counters)

_TRANSIT_VS_BIKES = ("Not directly comparable between the cities: Transjakarta counts one "
                     "operator's boardings (every service, a transfer boards twice), the Berlin "
                     "counters count bicycles passing a few fixed points (not trips, not "
                     "people, and no public transport); neither is a modal share")

# the route services the satudata dataset publishes: the definition of transit_passengers
TRANSIT_MODES = ("bus_rapid_transit", "feeder_bus", "minibus")

TRANSIT_INDICATORS = (
    Indicator("transit_passengers", "Transjakarta passengers", "passengers",
              "Transjakarta ridership as published (satudata 'Data Jumlah Penumpang Trans "
              "Jakarta'; legacy monthly files); own definition",
              "Passengers (boardings) of the Transjakarta route services BRT corridors, "
              "integrated feeder routes (Angkutan Umum Integrasi) and Mikrotrans, summed over "
              "the routes and months of the period; other services of the legacy files "
              "(Transjabodetabek, Royal Trans, Rusun feeders, tourist and other buses) are not "
              "counted.",
              "months", MONTHS_WITH_DATA, (keys.JAKARTA,), ONE_CITY, _TRANSIT_VS_BIKES),
    Indicator("transit_passengers_per_capita", "Transjakarta passengers per resident",
              "passengers per resident",
              "In the spirit of ISO 37120:2018, Transportation: annual number of public "
              "transport trips per capita (here Transjakarta boardings only)",
              "Transjakarta passengers of the period / residents of the city in the nearest "
              "year (within 5 years) with a complete count. Boardings, not trips: a transfer "
              "between services counts twice; other operators (KRL, MRT, LRT) are not in it.",
              "months", MONTHS_WITH_DATA, (keys.JAKARTA,), NOT_COMPARABLE, _TRANSIT_VS_BIKES),
)

BICYCLE_INDICATORS = (
    Indicator("bicycle_counts", "Bicycles counted at the permanent counters", "bicycles",
              "SenMVKU Berlin permanent bicycle counting sites (Dauerzählstellen), raw "
              "counter data; own definition",
              "Bicycles counted at the permanent counting sites in the period (every hour "
              "published, summed over the counters). A count at fixed points, not a number of "
              "trips or cyclists. Coverage: counter-days with every hour and no suspected "
              "outage / counter-days expected (each counter from its installation).",
              "counter-days", COUNTER_DAYS, (keys.BERLIN,), ONE_CITY, _TRANSIT_VS_BIKES),
    Indicator("bicycle_counts_per_capita", "Bicycles counted per resident",
              "bicycles counted per resident",
              "Own definition (no standard: counts at counting sites, not trips)",
              "Bicycles counted at the permanent counting sites in the period / residents of "
              "the city in the nearest year (within 5 years) with a complete count. It scales "
              "a count at a few fixed points by the population: a trend measure for the same "
              "set of counters, not a cycling rate.",
              "counter-days", COUNTER_DAYS, (keys.BERLIN,), NOT_COMPARABLE, _TRANSIT_VS_BIKES),
)


def transit_measures(scope: Scope) -> str | None:
    if scope != CITY:
        return None  # Transjakarta runs city-wide
    return sql_file(__file__, "transit_measures.sql", mobility_fact=MOBILITY_FACT.qualified,
                    area_population=AREA_POPULATION.qualified)


def bicycle_measures(scope: Scope) -> str | None:
    if scope != CITY:
        return None  # the counters are not placed in a Bezirk
    return sql_file(__file__, "bicycle_measures.sql", mobility_fact=MOBILITY_FACT.qualified,
                    mobility_sites=SITES_TABLE.qualified,
                    area_population=AREA_POPULATION.qualified)


def _dep(key: dg.AssetKey, column: str) -> dg.TableColumnDep:
    return dg.TableColumnDep(asset_key=key, column_name=column)


_LINEAGE = {
    "value": (_dep(MOBILITY_KEY, "count"),),
    "numerator": (_dep(MOBILITY_KEY, "count"),),
    "denominator": (_dep(AREA_POPULATION_KEY, "residents"),),
    "coverage": tuple(_dep(MOBILITY_KEY, c) for c in ("month_start", "days_complete",
                                                        "site_installed")),
    "population_year": (_dep(AREA_POPULATION_KEY, "reference_year"),),
    "payload_sha256s": (_dep(MOBILITY_KEY, "payload_sha256s"),),
}

TRANSIT = Theme(
    name="transit",
    indicators=TRANSIT_INDICATORS,
    measures=transit_measures,
    params=bind(transjakarta_source=TRANSJAKARTA.source_id, transjakarta_kind=TRANSJAKARTA_KIND,
                transit_modes=TRANSIT_MODES, jakarta=keys.JAKARTA,
                jakarta_city_key=keys.JAKARTA_CITY_KEY, max_population_gap=MAX_POPULATION_GAP),
    fact_deps=(MOBILITY_KEY, AREA_POPULATION_KEY),
    year_sources=(YearSource(MOBILITY_FACT, year_column="year"),),
    lineage=_LINEAGE,
)

BICYCLES = Theme(
    name="bicycles",
    indicators=BICYCLE_INDICATORS,
    measures=bicycle_measures,
    params=bind(bike_counter=common.BIKE_COUNTER, absent_listed=ABSENT_LISTED,
                berlin=keys.BERLIN, berlin_city_key=keys.BERLIN_CITY_KEY,
                max_population_gap=MAX_POPULATION_GAP),
    # the bike counters' site list (installation dates) gives the counter-days expected
    fact_deps=(MOBILITY_KEY, BERLIN_MOBILITY_SITES_KEY, AREA_POPULATION_KEY),
    year_sources=(YearSource(MOBILITY_FACT, year_column="year"),),
    lineage=_LINEAGE,
)
