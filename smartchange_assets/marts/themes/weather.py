"""Weather context: measures from ``core.fact_weather_daily``, per city, year and month.

* ``annual_precipitation_mm``: the sum of the daily precipitation over the period (a monthly
  row is the month's sum);
* ``hot_days``: days with a daily maximum temperature of at least :data:`HOT_DAY_C` °C
  (DWD "heißer Tag").

Which values: the fact's (core/weather.py). Berlin rests on the DWD station Berlin-Tempelhof,
Berlin-Dahlem where Tempelhof lacks a value, then Open-Meteo; Jakarta on the Open-Meteo archive
tables of the five ISPU stations, the city's daily value being their mean. The basis counts the
days of each source.

Coverage = days of the period with the variable / days of the period. Both are sums over
days, so a missing day can only lower them; the threshold (:data:`WEATHER_DAY_SHARE`) bounds
that. A figure resting on forecast replies rather than observations or the ERA5 archive is
flagged ``includes_forecast``. Weather is city-wide: no district rows. The SQL is
``weather_measures.sql``.
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
_WEATHER = ("Same definition for both cities, not the same kind of source: Berlin is a DWD "
            "station's observation (Tempelhof), Jakarta the mean of five Open-Meteo reanalysis "
            "points (ERA5 and finer models, whose mix changes in 2017) with the day boundary "
            "not stated; the climates differ (tropical Jakarta reaches 30 °C on most days), so "
            "this is context, not a performance to compare")

INDICATORS = (
    Indicator("annual_precipitation_mm", "Precipitation", "mm",
              "Precipitation total of the period; Berlin: DWD daily precipitation height (RSK) "
              "at Berlin-Tempelhof (Dahlem as fallback); Jakarta: Open-Meteo daily "
              "precipitation_sum, mean of the five ISPU stations; own definition",
              "Sum of the daily precipitation of the period (yearly rows: the year; monthly "
              "rows: the month). Each day from the best source that has it (core."
              "fact_weather_daily); the basis counts the days per source. Flag "
              "includes_forecast when a day's value comes from a forecast reply.",
              "days", WEATHER_DAY_SHARE, BOTH, CAVEATS, _WEATHER),
    Indicator("hot_days", "Hot days (daily maximum ≥ 30 °C)", "days",
              "Deutscher Wetterdienst 'heißer Tag' (Tmax ≥ 30 °C); cf. ETCCDI SU (Tmax > "
              "25 °C) with a 30 °C threshold",
              "Days of the period whose daily maximum 2 m temperature is at least 30 °C: "
              "Berlin the DWD station maximum (TXK) at Berlin-Tempelhof (Dahlem as "
              "fallback), Jakarta the mean of the five ISPU stations' Open-Meteo "
              "temperature_2m_max.",
              "days", WEATHER_DAY_SHARE, BOTH, CAVEATS, _WEATHER),
)


def weather_measures(scope: Scope) -> str | None:
    if scope != CITY:
        return None  # a city's weather: one station or the mean of its stations
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
        "flags": (_dep("temperature_max_source"), _dep("precipitation_source")),
        "basis": (_dep("temperature_max_source"), _dep("precipitation_source")),
        "payload_sha256s": (_dep("variable_payloads"),),
    },
)
