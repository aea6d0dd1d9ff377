"""Weather context measures from ``core.fact_weather_daily``, per city, year and month.

* ``annual_precipitation_mm``: the sum of the daily precipitation over the period (a monthly
  row is the month's sum);
* ``hot_days``: days with a daily maximum temperature of at least :data:`HOT_DAY_C` °C
  (DWD "heißer Tag").

Coverage = days of the period with the variable / days of the period. Both are sums over
days, so a missing day can only lower them; the threshold (catalogue ``WEATHER_DAY_SHARE``)
bounds that. A figure resting on forecast replies rather than the ERA5 archive is flagged
``includes_forecast``. Weather is city-wide (one grid cell per city): no district rows.
"""

from smartchange_assets.core.weather import TABLE as WEATHER_FACT
from smartchange_assets.marts.scope import PERIODS, Scope, days_in

HOT_DAY_C = 30.0

# code -> (variable the coverage counts, SQL of the day's contribution)
_MEASURES = {
    "annual_precipitation_mm": ("precipitation_mm", "w.precipitation_mm"),
    "hot_days": ("temperature_max_c", f"(w.temperature_max_c >= {HOT_DAY_C})::int"),
}


def _measure(code: str, variable: str, contribution: str) -> str:
    days = days_in("p.period_start", "p.period_type")
    return f"""
SELECT p.area_key, p.city, '{code}', p.period_type, p.period_start, p.value, p.value,
       NULL::float8, 1.0::float8, p.days::float8 / {days},
       format('%s of %s days with {variable}', p.days, {days}),
       CASE WHEN p.forecast_days > 0 THEN ARRAY['includes_forecast'] ELSE '{{}}'::text[] END,
       NULL::text[], NULL::int,
       format('%s of %s days with {variable} (%s from forecasts, %s from the archive)',
              p.days, {days}, p.forecast_days, p.days - p.forecast_days),
       ARRAY(SELECT DISTINCT s FROM {WEATHER_FACT.qualified} w
             CROSS JOIN LATERAL unnest(w.payload_sha256s) AS s
             WHERE w.city = p.city AND w.{variable} IS NOT NULL
               AND date_trunc(p.period_type, w.local_date) = p.period_start ORDER BY s)
FROM (
  SELECT w.area_key, w.city, periods.period_type,
         date_trunc(periods.period_type, w.local_date)::date AS period_start,
         sum({contribution})::float8 AS value, count(w.{variable}) AS days,
         count(w.{variable}) FILTER (WHERE w.forecast) AS forecast_days
  FROM {WEATHER_FACT.qualified} w CROSS JOIN {PERIODS}
  GROUP BY 1, 2, 3, 4
) p"""


def weather_measures(scope: Scope) -> str:
    if scope.name != "city":
        return ("SELECT NULL::text, NULL::text, NULL::text, NULL::text, NULL::date, "
                "NULL::float8, NULL::float8, NULL::float8, NULL::float8, NULL::float8, "
                "NULL::text, NULL::text[], NULL::text[], NULL::int, NULL::text, NULL::text[] "
                "WHERE false")
    return "\nUNION ALL\n".join(_measure(code, variable, contribution)
                                for code, (variable, contribution) in _MEASURES.items())
