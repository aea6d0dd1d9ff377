"""``marts.city_comparison``: Jakarta and Berlin side by side per indicator and year.

``comparable`` is true only when both cities have a value, the indicator is not single-city,
neither figure rests on an unverified conversion and, for the day counts over all pollutants,
both cities had each of the :data:`MAIN_POLLUTANTS` on most days (SO2 and CO, which Berlin's
seed stations mostly lack, rarely decide a bad day). ``comparability_note`` gives the
catalogue's standing caveat, what made the pair not comparable, and remarks that do not
(a figure resting on one station, pollutants only one city measured).
"""

import dagster as dg

from smartchange_assets.marts import catalogue
from smartchange_assets.marts.charts import comparison_metadata
from smartchange_assets.marts.indicators import CITY_INDICATORS
from smartchange_assets.marts.tables import CITY_TABLE
from smartchange_assets.marts.theme import COMPARABILITIES, NOT_COMPARABLE, ONE_CITY
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import Subquery, bind, merge, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["marts", "city_comparison"])

_SIDE = ("value", "coverage", "null_reason", "basis", "flags", "pollutants")
MAIN_POLLUTANTS = ("no2", "o3", "pm10", "pm25")
# the day counts over all pollutants: comparable only when both cities had the main ones
ANY_POLLUTANT = ("days_ispu_unhealthy", "days_eaqi_poor")


def _side_columns(city: str) -> list[Column]:
    return [Column(f"{city}_value", "double precision"),
            Column(f"{city}_coverage", "double precision"),
            Column(f"{city}_null_reason", "text"),
            Column(f"{city}_basis", "text"),
            Column(f"{city}_flags", "text[]"),
            Column(f"{city}_pollutants", "text[]")]


TABLE = TableSpec("marts", "city_comparison", (
    Column("indicator", "text", nullable=False),
    Column("category", "text", "shared citizen-report category; 'all' otherwise",
           nullable=False),
    Column("year", "integer", nullable=False),
    Column("unit", "text", nullable=False),
    Column("standard", "text", nullable=False),
    *_side_columns("jakarta"),
    *_side_columns("berlin"),
    Column("jakarta_to_berlin", "double precision", "Jakarta value / Berlin value (both > 0)"),
    Column("comparable", "boolean", "the two values can be set side by side", nullable=False),
    Column("comparability", "text", "comparable, comparable_with_caveats, not_comparable, "
           "one_city_only", nullable=False),
    Column("comparability_note", "text", nullable=False),
    Column("payload_sha256s", "text[]", "payloads behind both figures", nullable=False),
), ("indicator", "category", "year"),
    "Jakarta and Berlin side by side per indicator and year")


SELECT_SQL = sql_file(__file__, "city_comparison.sql",
                      catalogue=Subquery(catalogue.CATALOGUE_SQL),
                      city_indicators=CITY_TABLE.qualified)

CITY_COMPARISON = SqlTable(
    key=KEY,
    table=TABLE,
    select_sql=SELECT_SQL,
    params=merge(catalogue.PARAMS, bind(one_city=ONE_CITY, not_comparable=NOT_COMPARABLE,
                                        main_pollutants=MAIN_POLLUTANTS,
                                        any_pollutant_indicators=ANY_POLLUTANT)),
    deps=[CITY_INDICATORS.key],
    description="Jakarta and Berlin side by side per indicator and year, with a "
                "comparability flag and note. Its metadata shows the main indicators over "
                "the years as a small multiple.",
    group="marts",
    expectations=(
        q.compound_unique(["indicator", "category", "year"]),
        q.in_set("indicator", [i.code for i in catalogue.INDICATORS]),
        q.in_set("comparability", list(COMPARABILITIES)),
        q.between("jakarta_value", 0, None), q.between("berlin_value", 0, None),
        q.between("jakarta_coverage", 0, 1), q.between("berlin_coverage", 0, 1),
        q.between("jakarta_to_berlin", 0, None, strict_min=True),
        q.not_null("comparability_note"),
    ),
    column_lineage=dg.TableColumnLineage(deps_by_column={
        **{f"{city}_{c}": [dg.TableColumnDep(CITY_INDICATORS.key, c)]
           for city in ("jakarta", "berlin") for c in _SIDE},
        "jakarta_to_berlin": [dg.TableColumnDep(CITY_INDICATORS.key, "value")],
        "comparable": [dg.TableColumnDep(CITY_INDICATORS.key, c)
                       for c in ("value", "flags", "pollutants")],
        "payload_sha256s": [dg.TableColumnDep(CITY_INDICATORS.key, "payload_sha256s")],
    }),
    after_load=comparison_metadata,
)
