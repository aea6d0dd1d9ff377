"""``core.fact_weather_daily``: one row per city and local day from Open-Meteo.

``staging.global_weather_daily`` can hold a city's day several times: overlapping forecast
replies, a forecast and later the archive (ERA5 reanalysis), slightly different grid cells.
Each variable is taken from the best reply that carries it: the archive before a forecast
(a reanalysis of what happened against a prediction), then the most recently fetched reply
(the shorter forecast lead), then the payload hash (deterministic). Per variable, because a
reply carries only the variables its request asked for (the 2023 seed forecast has no
precipitation): a missing value stays NULL and is never taken as 0.

``forecast`` says that some value of the day comes from a forecast reply, so the marts can
flag figures that rest on predictions rather than reanalysis.
"""

import dagster as dg

from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.dim_date import KEY as DIM_DATE_KEY
from smartchange_assets.core.dim_date import TABLE as DIM_DATE
from smartchange_assets.core.integrity import Rule, integrity_check, references
from smartchange_assets.global_.weather.source import SOURCE as WEATHER
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["core", "fact_weather_daily"])

VARIABLES = {
    "temperature_max_c": ("double precision", "2 m air temperature, daily maximum, °C"),
    "temperature_min_c": ("double precision", "2 m air temperature, daily minimum, °C"),
    "precipitation_mm": ("double precision", "precipitation sum of the day, mm (NULL: not "
                         "in any reply)"),
    "wind_speed_max_kmh": ("double precision", "10 m wind speed, daily maximum, km/h"),
    "weather_code": ("integer", "WMO weather interpretation code"),
}

TABLE = TableSpec("core", "fact_weather_daily", (
    Column("city", "text", nullable=False),
    Column("area_key", "text", "dim_area key of the city", nullable=False),
    Column("local_date", "date", "local calendar day of the city", nullable=False),
    *[Column(name, sql_type, text) for name, (sql_type, text) in VARIABLES.items()],
    Column("api", "text", "api of the best reply for the day: archive or forecast",
           nullable=False),
    Column("forecast", "boolean", "some value of the day comes from a forecast reply",
           nullable=False),
    Column("replies", "integer", "staged rows (replies, grid cells) holding the day",
           nullable=False),
    Column("payload_sha256s", "text[]", "payloads holding the day", nullable=False),
), ("city", "local_date"), "Daily weather per city and local day (Open-Meteo)")

SELECT_SQL = sql_file(__file__, "fact_weather_daily.sql",
                      weather_staging=WEATHER.staging.qualified)


def _dep(column: str) -> dg.TableColumnDep:
    return dg.TableColumnDep(WEATHER.staging_key, column)


FACT_WEATHER = SqlTable(
    key=KEY,
    table=TABLE,
    select_sql=SELECT_SQL,
    params=bind(weather_source=WEATHER.source_id, **keys.CITY_PARAMS),
    deps=[WEATHER.staging_key],
    description="Daily weather per city and local day (maximum and minimum temperature, "
                "precipitation, wind, WMO code) from Open-Meteo, each value from the best "
                "reply that carries it (archive before forecast, newest first).",
    group="core",
    expectations=(
        q.compound_unique(["city", "local_date"]),
        *[q.not_null(c.name) for c in TABLE.columns if not c.nullable],
        q.in_set("city", list(keys.CITIES)),
        q.in_set("api", ["archive", "forecast"]),
        q.between("temperature_max_c", -50, 60), q.between("temperature_min_c", -50, 60),
        q.between("precipitation_mm", 0, 1000),
    ),
    column_lineage=dg.TableColumnLineage(deps_by_column={
        "city": [_dep("city")],
        "local_date": [_dep("local_date")],
        **{c: [_dep(c)] for c in VARIABLES},
        "api": [_dep("api")],
        "forecast": [_dep("api")],
        "payload_sha256s": [_dep("payload_sha256")],
    }),
)

FACT_WEATHER_CHECK = integrity_check(KEY, TABLE, refs=(
    references("area_key", DIM_AREA, "area_key", DIM_AREA_KEY,
               f"p.city = c.city AND p.level = '{keys.CITY}'", "its city"),
    references("local_date", DIM_DATE, "date", DIM_DATE_KEY),
), rules=(
    Rule("max_not_below_min", "c.temperature_max_c IS NULL OR c.temperature_min_c IS NULL "
         "OR c.temperature_max_c >= c.temperature_min_c",
         ("city", "local_date", "temperature_max_c", "temperature_min_c")),
))
