"""Air quality: measures from ``core.fact_air_quality_daily``, per scope and period.

* ``<pollutant>_mean`` (PM2.5, PM10, NO2): mean over days of the daily mean over the scope's
  stations; station rows only. Jakarta's 'city_max' rows (the daily worst station) are not a
  city mean and never enter a mean; the shortfall says when a period has only those.
* ``pm25_mean_population_weighted`` (year only): see the catalogue entry; weights are the
  residents (``core.dim_area_population``) of the district each station stands in
  (``core.dim_station.district_key``: Berlin by point in polygon, ``core.site_placement``);
  never equal weights.
* ``days_above_who_<pollutant>``: days on which any station's daily value exceeded the WHO
  2021 24-hour guideline; station rows only.
* ``days_ispu_unhealthy``: days with any sub-index 'Tidak Sehat' or worse; for the city,
  'city_max' rows count too (the worst station decides the day's ISPU).
* ``days_eaqi_poor``: days with any EAQI band 'Poor' or worse; station rows only.

``pollutants`` lists, for the any-pollutant day counts, the pollutants with data on at least
75 % of the period's days, so a comparison can see when the cities measured different things.
The SQL is ``air_measures.sql``.
"""

import dagster as dg

from smartchange_assets.air_quality.fact import FACT
from smartchange_assets.core.area_population import DIM_KEY as AREA_POPULATION_KEY
from smartchange_assets.core.area_population import DIM_TABLE as AREA_POPULATION
from smartchange_assets.core.dim_station import KEY as DIM_STATION_KEY
from smartchange_assets.core.dim_station import TABLE as DIM_STATION
from smartchange_assets.marts.scope import Scope
from smartchange_assets.marts.theme import BOTH, CAVEATS, Indicator, Theme, YearSource
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.standards import eaqi
from smartchange_assets.standards.ispu import UNHEALTHY_OR_WORSE

MEAN_POLLUTANTS = ("pm25", "pm10", "no2")
GASES = ("no2", "o3", "so2")  # EAQI bands of these are hourly: a daily-mean band approximates
DAY_SHARE = 0.75     # days with data / days in the period (annual and monthly air quality)
STATION_SHARE = 0.75  # stations with a valid annual mean / stations reporting

# Air-quality values of Jakarta are derived from published ISPU sub-indices (integers) through
# the breakpoint tables; Berlin's are measured.
_DERIVED = ("Jakarta's concentrations are derived from published ISPU sub-indices (integers, "
            "through the breakpoint table of the regime in force), Berlin's are measured; "
            "pre-2020 Jakarta conversions rest on an unverified KEP-107/1997 table")


def _who_days(pollutant: str, label: str, limit: int) -> Indicator:
    return Indicator(
        f"days_above_who_{pollutant}", f"Days above the WHO 24-h guideline, {label}", "days",
        f"WHO global air quality guidelines 2021, 24-hour AQG level {label} {limit} µg/m³",
        f"Days on which at least one station's daily {label} concentration exceeded "
        f"{limit} µg/m³ (station rows only). The AQG is a 99th percentile, i.e. 3–4 "
        "exceedance days a year are within it.",
        "days", DAY_SHARE, BOTH, CAVEATS, _DERIVED + "; more stations find more exceedance "
        "days", main=pollutant == "pm25")


INDICATORS = (
    Indicator("pm25_mean", "Mean PM2.5 concentration", "µg/m³",
              "ISO 37120:2018, Environment and climate change: fine particulate matter (PM2.5) "
              "concentration",
              "Mean over the days of the period of the city's daily mean over its stations "
              "(station rows only; a day counts when any station has a value).",
              "days", DAY_SHARE, BOTH, CAVEATS, _DERIVED, main=True),
    Indicator("pm10_mean", "Mean PM10 concentration", "µg/m³",
              "ISO 37120:2018, Environment and climate change: particulate matter (PM10) "
              "concentration",
              "Mean over the days of the period of the city's daily mean over its stations.",
              "days", DAY_SHARE, BOTH, CAVEATS, _DERIVED, main=True),
    Indicator("no2_mean", "Mean NO2 concentration", "µg/m³",
              "ISO 37120:2018, Environment and climate change: NO2 (nitrogen dioxide) "
              "concentration",
              "Mean over the days of the period of the city's daily mean over its stations.",
              "days", DAY_SHARE, BOTH, CAVEATS, _DERIVED + "; NO2 under P.14/2020 is marked "
              "unverified (averaging period not read from the regulation)", main=True),
    Indicator("pm25_mean_population_weighted", "Population-weighted mean PM2.5", "µg/m³",
              "In the spirit of SDG 11.6.2 (annual mean PM2.5 in cities, population weighted)",
              "Each station with PM2.5 on at least 75 % of the year's days gives its annual "
              "mean; stations are averaged per district (kota / Bezirk: the district each "
              "station stands in, Jakarta from the station table, Berlin by point in polygon "
              "in the LOR shapes), and district means are weighted by the district's "
              "residents in the nearest year in which every such district has a complete "
              "count. No equal weights: where a valid station has no located district with "
              "residents, the value is missing and the reason says which station.",
              "stations", STATION_SHARE, BOTH, CAVEATS, _DERIVED + "; districts without a "
              "station are not represented", monthly=False),
    _who_days("pm25", "PM2.5", 15),
    _who_days("pm10", "PM10", 45),
    _who_days("no2", "NO2", 25),
    Indicator("days_ispu_unhealthy", "Days with ISPU 'Tidak Sehat' or worse", "days",
              "ISPU: Permen LHK P.14/2020 (from 2020-07-01), KEP-107/1997 before",
              "Days on which any pollutant's sub-index at any station was in the category "
              "'Tidak Sehat' or worse under the regime in force. Jakarta: published "
              "sub-indices, including the 'city_max' years (the daily worst station, which "
              "decides the day's ISPU); Berlin: computed from concentrations under P.14/2020.",
              "days", DAY_SHARE, BOTH, CAVEATS, "Same scale for both cities from the same "
              "fact table; the count depends on the pollutants measured (see pollutants)",
              main=True),
    Indicator("days_eaqi_poor", "Days with European AQI 'Poor' or worse", "days",
              "European Air Quality Index (EEA, 6 bands, version EEA-2021)",
              "Days on which any pollutant's band at any station was 'Poor' (4) or worse. PM "
              "bands use 24-h means as defined; NO2, O3 and SO2 bands from daily means are an "
              "approximation of the hourly bands (flag eaqi_gas_daily_mean_approx).",
              "days", DAY_SHARE, BOTH, CAVEATS, _DERIVED + "; gas bands from daily means",
              main=True),
)


def air_measures(scope: Scope) -> str:
    return sql_file(__file__, "air_measures.sql", fact=FACT.table.qualified,
                    dim_station=DIM_STATION.qualified, area_population=AREA_POPULATION.qualified,
                    station_key=scope.station_key)


def _dep(key: dg.AssetKey, column: str) -> dg.TableColumnDep:
    return dg.TableColumnDep(asset_key=key, column_name=column)


_VALUES = tuple(_dep(FACT.key, c) for c in ("concentration_ugm3", "above_who_24h",
                                             "ispu_category", "eaqi_band", "granularity"))

AIR = Theme(
    name="air",
    indicators=INDICATORS,
    measures=air_measures,
    params=bind(mean_pollutants=MEAN_POLLUTANTS, gases=GASES, day_share=DAY_SHARE,
                day_share_percent=f"{DAY_SHARE:.0%}", ispu_unhealthy=UNHEALTHY_OR_WORSE,
                ispu_unhealthy_label="/".join(UNHEALTHY_OR_WORSE),
                eaqi_poor_from=eaqi.POOR_OR_WORSE_FROM),
    fact_deps=(FACT.key, DIM_STATION_KEY, AREA_POPULATION_KEY),
    year_sources=(YearSource(FACT.table, date_column="local_date"),),
    lineage={
        "scope_key": (_dep(DIM_STATION_KEY, "city_key"), _dep(DIM_STATION_KEY, "district_key")),
        "value": _VALUES,
        "numerator": _VALUES,
        "denominator": (_dep(FACT.key, "local_date"),),
        "coverage": (_dep(FACT.key, "local_date"),),
        "flags": tuple(_dep(FACT.key, c) for c in ("concentration_derived", "conversion_verified",
                                                    "ispu_basis", "eaqi_basis")),
        "population_year": (_dep(AREA_POPULATION_KEY, "reference_year"),),
        "payload_sha256s": (_dep(FACT.key, "payload_sha256"),),
    },
)
