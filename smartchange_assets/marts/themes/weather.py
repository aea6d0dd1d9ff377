"""Weather context: measures from ``core.fact_weather_daily``, per city, year and month.

* ``annual_precipitation_mm``: the sum of the daily precipitation over the period (a monthly
  row is the month's sum);
* ``hot_days``: days with a daily maximum temperature of at least :data:`HOT_DAY_C` °C
  (DWD "heißer Tag").

Coverage = days of the period with the variable / days of the period. Both are sums over
days, so a missing day can only lower them; the threshold (:data:`WEATHER_DAY_SHARE`) bounds
that. A figure resting on forecast replies rather than the ERA5 archive is flagged
``includes_forecast``. Weather is city-wide (one grid cell per city): no district rows.
The SQL is ``weather_measures.sql``.
"""

import dagster as dg

from smartchange_assets.core.weather import KEY as WEATHER_KEY
from smartchange_assets.core.weather import TABLE as WEATHER_FACT
from smartchange_assets.marts.scope import CITY, Scope
from smartchange_assets.marts.theme import BOTH, CAVEATS, Indicator, Theme, YearSource
from smartchange_assets.platform.sql_files import bind, sql_file

HOT_DAY_C = 30.0
# A sum over days can only lose by a missing day; 95 % bounds that loss (about 18 days a year,
# 1 of a month) while tolerating the ERA5 archive's few days of lag at a period's end.
WEATHER_DAY_SHARE = 0.95
_WEATHER = ("Same source (Open-Meteo, one grid cell per city) and definition for both; the "
            "climates differ (tropical Jakarta has a daily maximum of 30 °C on most days), so "
            "this is context, not a performance to compare")

INDICATORS = (
    Indicator("annual_precipitation_mm", "Precipitation", "mm",
              "Precipitation total of the period from Open-Meteo daily precipitation_sum (ERA5 "
              "reanalysis, or forecast for recent days); own definition",
              "Sum of the daily precipitation of the period (yearly rows: the year; monthly "
              "rows: the month), one grid cell per city. Flag includes_forecast when a day's "
              "value comes from a forecast reply.",
              "days", WEATHER_DAY_SHARE, BOTH, CAVEATS, _WEATHER),
    Indicator("hot_days", "Hot days (daily maximum ≥ 30 °C)", "days",
              "Deutscher Wetterdienst 'heißer Tag' (Tmax ≥ 30 °C); cf. ETCCDI SU (Tmax > "
              "25 °C) with a 30 °C threshold",
              "Days of the period whose daily maximum 2 m temperature is at least 30 °C "
              "(Open-Meteo temperature_2m_max, local days).",
              "days", WEATHER_DAY_SHARE, BOTH, CAVEATS, _WEATHER),
)


def weather_measures(scope: Scope) -> str | None:
    if scope != CITY:
        return None  # one grid cell per city
    return sql_file(__file__, "weather_measures.sql", weather_fact=WEATHER_FACT.qualified)


def _dep(column: str) -> dg.TableColumnDep:
    return dg.TableColumnDep(asset_key=WEATHER_KEY, column_name=column)


_VALUES = (_dep("precipitation_mm"), _dep("temperature_max_c"))

WEATHER = Theme(
    name="weather",
    indicators=INDICATORS,
    measures=weather_measures,
    params=bind(hot_day_c=HOT_DAY_C),
    fact_deps=(WEATHER_KEY,),
    year_sources=(YearSource(WEATHER_FACT, date_column="local_date"),),
    lineage={
        "value": _VALUES,
        "numerator": _VALUES,
        "coverage": (_dep("local_date"),),
        "flags": (_dep("forecast"),),
        "payload_sha256s": (_dep("payload_sha256s"),),
    },
)
