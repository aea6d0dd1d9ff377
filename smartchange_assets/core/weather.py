"""``core.fact_weather_daily``: one row per city and day, each value with its source.

Three sources meet here (docs/indicators.md, Weather):

* **Berlin: DWD observations** (``berlin/dwd_climate``) are the reference. Per variable the
  first station of :data:`~smartchange_assets.berlin.dwd_climate.stations.PREFERENCE` that has
  a value: Berlin-Tempelhof (00433), then Berlin-Dahlem (00403) for a day or value Tempelhof
  lacks (12 precipitation days of the seed). A hot-day count so stays a station count, as DWD
  defines the "heißer Tag", instead of a mean of two stations' maxima.
* **Open-Meteo archive CSV exports** (``global/weather_exports``): the city's value is the
  mean over the export's locations that have the variable that day (Jakarta: the five ISPU
  stations DKI1–DKI5; Berlin: one grid point, no precipitation), rounded to 0.001.
  Jakarta's weather rests on them; for Berlin they are the fallback after DWD.
* **Open-Meteo API replies** (``global/weather``): after the exports, the ERA5 archive before a
  forecast (a reanalysis of what happened against a prediction).

Within a level, the most recently fetched payload wins. Per variable, because sources carry
different variables (the Berlin export has no precipitation, DWD no weather code): a missing
value stays NULL and is never taken as 0. ``<variable>_source`` names where each value came
from (``dwd 00433``, ``open-meteo export DKI1,DKI2,…``, ``open-meteo archive`` …);
``forecast`` says that some value of the day comes from a forecast reply.
``openmeteo_temperature_max_c`` keeps Open-Meteo's own maximum beside a DWD one for the
comparison check (:mod:`.weather_crosscheck`).

Days before the calendar's first day (``core/dim_date.py``, 2000-01-01) stay in staging (DWD
reaches back to 1948) and are not in the fact.
"""

import dagster as dg

from smartchange_assets.berlin.dwd_climate.source import SOURCE as DWD
from smartchange_assets.berlin.dwd_climate.stations import PREFERENCE
from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.dim_date import FIRST_DAY
from smartchange_assets.core.dim_date import KEY as DIM_DATE_KEY
from smartchange_assets.core.dim_date import TABLE as DIM_DATE
from smartchange_assets.core.integrity import Rule, integrity_check, references
from smartchange_assets.global_.weather.source import SOURCE as WEATHER
from smartchange_assets.global_.weather_exports.source import SOURCE as EXPORTS
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["core", "fact_weather_daily"])

# variable -> (SQL type, description, has a source column)
VARIABLES = {
    "temperature_max_c": ("double precision", "2 m air temperature, daily maximum, °C", True),
    "temperature_min_c": ("double precision", "2 m air temperature, daily minimum, °C", True),
    "temperature_mean_c": ("double precision", "2 m air temperature, daily mean, °C", True),
    "precipitation_mm": ("double precision", "precipitation of the day, mm (NULL: no source "
                         "has it)", True),
    "wind_speed_max_kmh": ("double precision", "10 m wind speed, daily maximum, km/h "
                           "(Open-Meteo only)", False),
    "weather_code": ("integer", "WMO weather interpretation code (Open-Meteo only)", False),
}
# variable -> the column naming its source
SOURCE_COLUMNS = {name: name.removesuffix("_c").removesuffix("_mm") + "_source"
                  for name, (_, _, sourced) in VARIABLES.items() if sourced}
SOURCED = list(SOURCE_COLUMNS)


def _source_column(variable: str) -> str:
    return SOURCE_COLUMNS[variable]


def _columns() -> list[Column]:
    columns = []
    for name, (sql_type, text, sourced) in VARIABLES.items():
        columns.append(Column(name, sql_type, text))
        if sourced:
            columns.append(Column(_source_column(name), "text", f"where {name} comes from: "
                                  "'dwd <station>', 'open-meteo export <locations>', "
                                  "'open-meteo archive' or 'open-meteo forecast'"))
    return columns


TABLE = TableSpec("core", "fact_weather_daily", (
    Column("city", "text", nullable=False),
    Column("area_key", "text", "dim_area key of the city", nullable=False),
    Column("local_date", "date", "calendar day of the city (each source's day: "
           "docs/indicators.md, Weather)", nullable=False),
    *_columns(),
    Column("openmeteo_temperature_max_c", "double precision", "Open-Meteo's daily maximum "
           "for the day (equal to temperature_max_c where that comes from Open-Meteo), for "
           "the DWD comparison"),
    Column("openmeteo_temperature_max_source", "text", "where that value comes from"),
    Column("forecast", "boolean", "some value of the day comes from a forecast reply",
           nullable=False),
    Column("payload_sha256s", "text[]", "payloads behind the day's values", nullable=False),
    Column("variable_payloads", "jsonb", "variable -> the payloads behind its value "
           "(what an indicator on one variable rests on)", nullable=False),
), ("city", "local_date"), "Daily weather per city and day, each value with its source "
                           "(DWD for Berlin, Open-Meteo)")

SELECT_SQL = sql_file(__file__, "fact_weather_daily.sql",
                      dwd_staging=DWD.staging.qualified,
                      exports_staging=EXPORTS.staging.qualified,
                      weather_staging=WEATHER.staging.qualified)


def _deps(column: str, *specs) -> list[dg.TableColumnDep]:
    return [dg.TableColumnDep(spec.staging_key, column) for spec in specs]


FACT_WEATHER = SqlTable(
    key=KEY,
    table=TABLE,
    select_sql=SELECT_SQL,
    params=bind(dwd_source=DWD.source_id, exports_source=EXPORTS.source_id,
                weather_source=WEATHER.source_id, dwd_stations=PREFERENCE,
                first_day=FIRST_DAY, **keys.CITY_PARAMS),
    deps=[DWD.staging_key, EXPORTS.staging_key, WEATHER.staging_key],
    description="Daily weather per city and day (maximum, minimum and mean temperature, "
                "precipitation, wind, WMO code), each value from the best source that has "
                "it: Berlin's DWD stations (Tempelhof, then Dahlem), then Open-Meteo archive "
                "exports (Jakarta: mean of the five ISPU stations), then Open-Meteo replies "
                "(archive before forecast); each with its source.",
    group="core",
    expectations=(
        q.compound_unique(["city", "local_date"]),
        *[q.not_null(c.name) for c in TABLE.columns if not c.nullable],
        q.in_set("city", list(keys.CITIES)),
        q.between("temperature_max_c", -50, 60), q.between("temperature_min_c", -50, 60),
        q.between("temperature_mean_c", -50, 60),
        q.between("openmeteo_temperature_max_c", -50, 60),
        q.between("precipitation_mm", 0, 1000),
        q.dates_between("local_date", FIRST_DAY, None),
    ),
    column_lineage=dg.TableColumnLineage(deps_by_column={
        "city": _deps("city", EXPORTS, WEATHER),
        "local_date": _deps("local_date", DWD, EXPORTS, WEATHER),
        **{c: _deps(c, DWD, EXPORTS, WEATHER) for c in SOURCED if c != "temperature_mean_c"},
        "temperature_mean_c": _deps("temperature_mean_c", DWD, EXPORTS),
        **{_source_column(c): [dg.TableColumnDep(DWD.staging_key, "station_id"),
                               dg.TableColumnDep(EXPORTS.staging_key, "location"),
                               dg.TableColumnDep(WEATHER.staging_key, "api")] for c in SOURCED},
        "wind_speed_max_kmh": _deps("wind_speed_max_kmh", EXPORTS, WEATHER),
        "weather_code": _deps("weather_code", EXPORTS, WEATHER),
        "openmeteo_temperature_max_c": _deps("temperature_max_c", EXPORTS, WEATHER),
        "forecast": _deps("api", WEATHER),
        "payload_sha256s": _deps("payload_sha256", DWD, EXPORTS, WEATHER),
        "variable_payloads": _deps("payload_sha256", DWD, EXPORTS, WEATHER),
    }),
)


def _source_rule(variable: str) -> Rule:
    source = _source_column(variable)
    return Rule(f"{variable}_has_a_source",
                f"(c.{variable} IS NULL) = (c.{source} IS NULL) AND (c.{source} IS NULL OR "
                f"c.{source} ~ '^(dwd [0-9]{{5}}|open-meteo (export .+|archive|forecast))$')",
                ("city", "local_date", variable, source))


FACT_WEATHER_CHECK = integrity_check(KEY, TABLE, refs=(
    references("area_key", DIM_AREA, "area_key", DIM_AREA_KEY,
               f"p.city = c.city AND p.level = '{keys.CITY}'", "its city"),
    references("local_date", DIM_DATE, "date", DIM_DATE_KEY),
), rules=(
    Rule("max_not_below_min", "c.temperature_max_c IS NULL OR c.temperature_min_c IS NULL "
         "OR c.temperature_max_c >= c.temperature_min_c",
         ("city", "local_date", "temperature_max_c", "temperature_min_c")),
    *[_source_rule(v) for v in SOURCED],
    Rule("dwd_only_in_berlin", "c.city = 'berlin' OR NOT (c.temperature_max_source LIKE 'dwd%' "
         "OR c.precipitation_source LIKE 'dwd%')",
         ("city", "local_date", "temperature_max_source", "precipitation_source")),
))
