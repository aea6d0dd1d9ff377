"""Residents per scope and year from ``core.dim_area_population``.

The value is the complete count of the year; coverage is the share of the areas the table
counts at (kota, Planungsraum, …) inside the scope that have a complete count, so Berlin with
only Mitte's Planungsräume in the seed has coverage 49/542 and no total. A year whose only
counts come from a table not used for totals (satudata, see ``core.population``) gets a row
with coverage 0 that says so. The SQL is ``residents_measures.sql``.
"""

import dagster as dg

from smartchange_assets.core.area_population import DIM_KEY as AREA_POPULATION_KEY
from smartchange_assets.core.area_population import DIM_TABLE as AREA_POPULATION
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.population import FACT_KEY as POPULATION_KEY
from smartchange_assets.core.population import FACT_TABLE as POPULATION_FACT
from smartchange_assets.marts.scope import Scope
from smartchange_assets.marts.theme import BOTH, CAVEATS, FULL, Indicator, Theme, YearSource
from smartchange_assets.platform.sql_files import sql_file

INDICATORS = (
    Indicator("residents", "Residents", "persons",
              "ISO 37120:2018 profile indicator: total population",
              "Residents of the area in the reference year (Dukcapil/EWR registered "
              "residents, BPS totals), from complete counts only.",
              "areas", FULL, BOTH, CAVEATS, "Registered residents (Dukcapil, EWR main "
              "residence) against BPS estimates; reference days differ (30 Jun / 31 Dec)",
              monthly=False),
)


def residents_measures(scope: Scope) -> str:
    return sql_file(__file__, "residents_measures.sql", area_population=AREA_POPULATION.qualified,
                    dim_area=DIM_AREA.qualified, population_fact=POPULATION_FACT.qualified,
                    area_key=scope.area_key)


def _dep(key: dg.AssetKey, column: str) -> dg.TableColumnDep:
    return dg.TableColumnDep(asset_key=key, column_name=column)


_RESIDENTS = (_dep(AREA_POPULATION_KEY, "residents"),)

RESIDENTS = Theme(
    name="residents",
    indicators=INDICATORS,
    measures=residents_measures,
    fact_deps=(AREA_POPULATION_KEY, POPULATION_KEY, DIM_AREA_KEY),
    year_sources=(YearSource(POPULATION_FACT, year_column="reference_year"),),
    lineage={
        "scope_key": (_dep(AREA_POPULATION_KEY, "area_key"),),
        "value": _RESIDENTS,
        "numerator": _RESIDENTS,
        "denominator": _RESIDENTS,
        "coverage": (_dep(AREA_POPULATION_KEY, "coverage"),),
        "population_year": (_dep(AREA_POPULATION_KEY, "reference_year"),),
        "payload_sha256s": (_dep(AREA_POPULATION_KEY, "payload_sha256s"),),
    },
)
