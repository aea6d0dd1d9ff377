"""Floods (Jakarta): measures from ``core.fact_flood_events``, per scope and period.

Coverage is the share of the period's months the publisher reported on, city-wide:

* a month with any row (events, or the publisher's 'nihil' no-flood rows) is reported;
* the F2 layout (satudata 2023) marks unreported months with all-'-' rows, so in it a month
  without rows is *not* reported (August and September 2023);
* F1 (2020 Q1) and F3 (2024) list only kelurahan with events and carry no such marks; a month
  inside the period their payload declares (``raw.landing_manifest``) is reported, with zero
  events if it has no rows (October 2024).
* F4 (October 2019 - September 2020, per RW) is two yearly exports joined by the mirror's
  owner, and nothing says what the 2019 export covered: only its months with rows are
  reported (October and December 2019, not November).

Every district of Jakarta gets a row for every reported period (zero when it had no event);
the payloads behind a period are those reporting any of its months.
``flood_affected_per_100k`` and ``flood_events_per_100k`` divide by the scope's residents in
the nearest year, within :data:`~smartchange_assets.marts.theme.MAX_POPULATION_GAP` years,
that has a complete count.
The SQL is ``flood_measures.sql``.
"""

import dagster as dg

from smartchange_assets.core import keys
from smartchange_assets.core.area_population import DIM_KEY as AREA_POPULATION_KEY
from smartchange_assets.core.area_population import DIM_TABLE as AREA_POPULATION
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.flood import KEY as FLOOD_KEY
from smartchange_assets.core.flood import TABLE as FLOOD_FACT
from smartchange_assets.jakarta.flood.source import SOURCE as FLOOD
from smartchange_assets.marts.scope import Scope
from smartchange_assets.marts.theme import (
    FULL,
    MAX_POPULATION_GAP,
    ONE_CITY,
    Indicator,
    Theme,
    YearSource,
)
from smartchange_assets.platform.sql_files import bind, sql_file

EVENT_LISTS = ("F1", "F3")  # layouts that list only events, without no-data marks
_ONE_CITY = "Jakarta only: no Berlin flood source"

INDICATORS = (
    Indicator("flood_events", "Flood events", "events",
              "BPBD DKI Jakarta 'kejadian bencana banjir' (events per kelurahan and month)",
              "Sum of the flood events the publisher counts per kelurahan and month.",
              "months", FULL, (keys.JAKARTA,), ONE_CITY, _ONE_CITY),
    Indicator("flood_affected_people", "People affected by floods", "persons",
              "BPBD DKI Jakarta (jiwa terdampak)",
              "Sum of the people affected (jiwa terdampak) per kelurahan and month.",
              "months", FULL, (keys.JAKARTA,), ONE_CITY, _ONE_CITY),
    Indicator("flood_affected_per_100k", "People affected by floods per 100 000 residents",
              "persons per 100 000 residents",
              "In the spirit of SDG 11.5.1 (directly affected persons per 100 000 population; "
              "floods only)",
              "People affected / residents of the area × 100 000; residents from the nearest "
              "year (within 5 years) with a complete count.",
              "months", FULL, (keys.JAKARTA,), ONE_CITY, _ONE_CITY),
    Indicator("flood_events_per_100k", "Flood events per 100 000 residents",
              "events per 100 000 residents",
              "Own definition (BPBD DKI Jakarta event counts scaled by population)",
              "Flood events (per kelurahan and month; for the per-RW layout the distinct "
              "event days of each kelurahan) / residents of the area × 100 000; residents "
              "from the nearest year (within 5 years) with a complete count.",
              "months", FULL, (keys.JAKARTA,), ONE_CITY, _ONE_CITY),
)


def flood_measures(scope: Scope) -> str:
    return sql_file(__file__, "flood_measures.sql", flood_fact=FLOOD_FACT.qualified,
                    dim_area=DIM_AREA.qualified, area_population=AREA_POPULATION.qualified)


def _dep(key: dg.AssetKey, column: str) -> dg.TableColumnDep:
    return dg.TableColumnDep(asset_key=key, column_name=column)


_VALUES = (_dep(FLOOD_KEY, "events"), _dep(FLOOD_KEY, "affected_people"))

FLOODS = Theme(
    name="floods",
    indicators=INDICATORS,
    measures=flood_measures,
    params=bind(flood_source=FLOOD.source_id, event_lists=EVENT_LISTS, jakarta=keys.JAKARTA,
                jakarta_city_key=keys.JAKARTA_CITY_KEY, max_population_gap=MAX_POPULATION_GAP),
    fact_deps=(FLOOD_KEY, DIM_AREA_KEY, AREA_POPULATION_KEY),
    year_sources=(YearSource(FLOOD_FACT, year_column="year"),),
    lineage={
        "scope_key": (_dep(FLOOD_KEY, "district_key"),),
        "value": _VALUES,
        "numerator": _VALUES,
        "denominator": (_dep(AREA_POPULATION_KEY, "residents"),),
        "coverage": (_dep(FLOOD_KEY, "event_month"),),
        "population_year": (_dep(AREA_POPULATION_KEY, "reference_year"),),
        "payload_sha256s": (_dep(FLOOD_KEY, "payload_sha256"),),
    },
)
