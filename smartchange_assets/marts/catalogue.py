"""The indicators of the marts: code, unit, standard, definition, coverage rule, comparability.

One entry per indicator; the marts' SQL reads this catalogue (as a VALUES list), and
``docs/indicators.md`` describes the same entries for people. An indicator whose coverage is
below its ``threshold`` is NULL with a ``null_reason``.

"""

from __future__ import annotations

from dataclasses import dataclass

from smartchange_assets.core.keys import BERLIN, JAKARTA

BOTH = (JAKARTA, BERLIN)
COMPARABLE, CAVEATS, NOT_COMPARABLE, ONE_CITY = (
    "comparable", "comparable_with_caveats", "not_comparable", "one_city_only")

DAY_SHARE = 0.75     # days with data / days in the period (annual and monthly air quality)
STATION_SHARE = 0.75  # stations with a valid annual mean / stations reporting
FULL = 1.0           # every month reported / every area counted

# Air-quality values of Jakarta are derived from published ISPU sub-indices (integers) through
# the breakpoint tables; Berlin's are measured.
_DERIVED = ("Jakarta's concentrations are derived from published ISPU sub-indices (integers, "
            "through the breakpoint table of the regime in force), Berlin's are measured; "
            "pre-2020 Jakarta conversions rest on an unverified KEP-107/1997 table")


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    standard: str
    definition: str
    coverage_basis: str      # days, stations, months, areas
    threshold: float
    cities: tuple[str, ...]
    comparability: str
    comparability_note: str
    monthly: bool = True     # also per month
    main: bool = False       # in the comparison chart


def _who_days(pollutant: str, label: str, limit: int) -> Indicator:
    return Indicator(
        f"days_above_who_{pollutant}", f"Days above the WHO 24-h guideline, {label}", "days",
        f"WHO global air quality guidelines 2021, 24-hour AQG level {label} {limit} µg/m³",
        f"Days on which at least one station's daily {label} concentration exceeded "
        f"{limit} µg/m³ (station rows only). The AQG is a 99th percentile, i.e. 3–4 "
        "exceedance days a year are within it.",
        "days", DAY_SHARE, BOTH, CAVEATS, _DERIVED + "; more stations find more exceedance "
        "days", main=pollutant == "pm25")


INDICATORS: tuple[Indicator, ...] = (
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
              "mean; stations are averaged per district (kota / Bezirk), and district means "
              "are weighted by the district's residents in the nearest year in which every "
              "such district has a complete count. Where any such station has no district "
              "with residents, all stations get equal weights (flag equal_weights).",
              "stations", STATION_SHARE, BOTH, CAVEATS, _DERIVED + "; Berlin's stations are "
              "not located yet, so Berlin uses equal weights", monthly=False),
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
    Indicator("flood_events", "Flood events", "events",
              "BPBD DKI Jakarta 'kejadian bencana banjir' (events per kelurahan and month)",
              "Sum of the flood events the publisher counts per kelurahan and month.",
              "months", FULL, (JAKARTA,), ONE_CITY, "Jakarta only: no Berlin flood source"),
    Indicator("flood_affected_people", "People affected by floods", "persons",
              "BPBD DKI Jakarta (jiwa terdampak)",
              "Sum of the people affected (jiwa terdampak) per kelurahan and month.",
              "months", FULL, (JAKARTA,), ONE_CITY, "Jakarta only: no Berlin flood source"),
    Indicator("flood_affected_per_100k", "People affected by floods per 100 000 residents",
              "persons per 100 000 residents",
              "In the spirit of SDG 11.5.1 (directly affected persons per 100 000 population; "
              "floods only)",
              "People affected / residents of the area × 100 000; residents from the nearest "
              "year (within 5 years) with a complete count.",
              "months", FULL, (JAKARTA,), ONE_CITY, "Jakarta only: no Berlin flood source"),
    Indicator("residents", "Residents", "persons",
              "ISO 37120:2018 profile indicator: total population",
              "Residents of the area in the reference year (Dukcapil/EWR registered "
              "residents, BPS totals), from complete counts only.",
              "areas", FULL, BOTH, CAVEATS, "Registered residents (Dukcapil, EWR main "
              "residence) against BPS estimates; reference days differ (30 Jun / 31 Dec)",
              monthly=False),
)

# Citizen reports (marts/reports.py), by shared category ('all' = every report)
_REPORTS_SCOPE = ("Berlin's Ordnungsamt-Online covers what the public-order offices handle "
                  "(waste, parking, street use, noise …), Jakarta's CRM every complaint to the "
                  "provincial government (roads, floods, public buildings …); channels, "
                  "promotion and district uptake differ (the Berlin seed is dominated by three "
                  "Bezirke), so levels are not comparable, only the same city over time")
REPORT_MONTHS = 1.0  # every month of the period observed completely (a count needs all)
REPORT_TIMED = 0.75  # resolved reports with a known resolution time / resolved reports
INDICATORS += (
    Indicator("reports_per_100k", "Citizen reports per 100 000 residents",
              "reports per 100 000 residents",
              "City service demand: no ISO 37120 equivalent (closest: ISO 37120 profile "
              "indicators); own definition",
              "Reports created in the period (by local creation day) in the shared category "
              "/ residents of the area × 100 000; residents from the nearest year (within 5 "
              "years) with a complete count. Coverage: share of the period's months the "
              "payloads observed completely (Jakarta: the ids' daily sequence numbers are "
              "reached; Berlin: a snapshot within 28 days after the month's end).",
              "months", REPORT_MONTHS, BOTH, NOT_COMPARABLE, _REPORTS_SCOPE),
    Indicator("reports_share_resolved", "Share of citizen reports resolved", "share (0–1)",
              "City service responsiveness: no ISO 37120 equivalent; own definition",
              "Reports of the period whose published status is a closing one (Jakarta "
              "'Selesai', Berlin 'Erledigt') / reports of the period with a published status, "
              "as of the latest payload listing each report.",
              "months", REPORT_MONTHS, BOTH, NOT_COMPARABLE, _REPORTS_SCOPE + "; status "
              "vocabularies differ and the status is read at different ages of the reports"),
    Indicator("reports_median_days_to_resolution", "Median days to resolution", "days",
              "City service responsiveness: no ISO 37120 equivalent; own definition",
              "Median over the period's resolved reports with a known resolution time of the "
              "days from creation to resolution. Berlin: known only when a report was seen open "
              "in one snapshot and resolved in a later one; Jakarta: the CRM publishes no "
              "resolution time. Every month of the period must be observed completely.",
              "resolved reports", REPORT_TIMED, BOTH, NOT_COMPARABLE, _REPORTS_SCOPE),
)

# Mobility (marts/mobility.py) and weather (marts/weather.py)
_TRANSIT_VS_BIKES = ("Not directly comparable between the cities: Transjakarta counts one "
                     "operator's boardings (every service, a transfer boards twice), the Berlin "
                     "counters count bicycles passing a few fixed points (not trips, not "
                     "people, and no public transport); neither is a modal share")
MONTHS_WITH_DATA = 1.0  # a passenger total needs every month of the period
COUNTER_DAYS = 0.9      # complete counter-days / expected counter-days (bike counters)
# A sum over days can only lose by a missing day; 95 % bounds that loss (about 18 days a year,
# 1 of a month) while tolerating the ERA5 archive's few days of lag at a period's end.
WEATHER_DAY_SHARE = 0.95
_WEATHER = ("Same source (Open-Meteo, one grid cell per city) and definition for both; the "
            "climates differ (tropical Jakarta has a daily maximum of 30 °C on most days), so "
            "this is context, not a performance to compare")
INDICATORS += (
    Indicator("transit_passengers", "Transjakarta passengers", "passengers",
              "Transjakarta ridership as published (satudata 'Data Jumlah Penumpang Trans "
              "Jakarta'); own definition",
              "Passengers (boardings) of every Transjakarta service (BRT corridors, integrated "
              "feeder routes, Mikrotrans) summed over the routes and months of the period.",
              "months", MONTHS_WITH_DATA, (JAKARTA,), ONE_CITY, _TRANSIT_VS_BIKES),
    Indicator("transit_passengers_per_capita", "Transjakarta passengers per resident",
              "passengers per resident",
              "In the spirit of ISO 37120:2018, Transportation: annual number of public "
              "transport trips per capita (here Transjakarta boardings only)",
              "Transjakarta passengers of the period / residents of the city in the nearest "
              "year (within 5 years) with a complete count. Boardings, not trips: a transfer "
              "between services counts twice; other operators (KRL, MRT, LRT) are not in it.",
              "months", MONTHS_WITH_DATA, (JAKARTA,), NOT_COMPARABLE, _TRANSIT_VS_BIKES),
    Indicator("bicycle_counts", "Bicycles counted at the permanent counters", "bicycles",
              "SenMVKU Berlin permanent bicycle counting sites (Dauerzählstellen), raw "
              "counter data; own definition",
              "Bicycles counted at the permanent counting sites in the period (every hour "
              "published, summed over the counters). A count at fixed points, not a number of "
              "trips or cyclists. Coverage: counter-days with every hour and no suspected "
              "outage / counter-days expected (each counter from its installation).",
              "counter-days", COUNTER_DAYS, (BERLIN,), ONE_CITY, _TRANSIT_VS_BIKES),
    Indicator("bicycle_counts_per_capita", "Bicycles counted per resident",
              "bicycles counted per resident",
              "Own definition (no standard: counts at counting sites, not trips)",
              "Bicycles counted at the permanent counting sites in the period / residents of "
              "the city in the nearest year (within 5 years) with a complete count. It scales "
              "a count at a few fixed points by the population: a trend measure for the same "
              "set of counters, not a cycling rate.",
              "counter-days", COUNTER_DAYS, (BERLIN,), NOT_COMPARABLE, _TRANSIT_VS_BIKES),
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

BY_CODE = {i.code: i for i in INDICATORS}


def catalogue_values_sql() -> str:
    """SQL: ``catalogue(indicator, unit, standard, method_note, coverage_basis, threshold,
    comparability, comparability_note, monthly)`` as a VALUES list."""
    from smartchange_assets.core.keys import literal

    rows = ",\n  ".join(
        f"({literal(i.code)}, {literal(i.unit)}, {literal(i.standard)}, "
        f"{literal(i.definition)}, {literal(i.coverage_basis)}, {i.threshold}::float8, "
        f"{literal(i.comparability)}, {literal(i.comparability_note)}, {str(i.monthly).lower()})"
        for i in INDICATORS)
    return (f"catalogue(indicator, unit, standard, method_note, coverage_basis, threshold, "
            f"comparability, comparability_note, monthly) AS (VALUES\n  {rows})")


def applicable_sql() -> str:
    """SQL: ``applicable(city, indicator)``: which indicators a city reports."""
    rows = ", ".join(f"('{city}', '{i.code}')" for i in INDICATORS for city in i.cities)
    return f"applicable(city, indicator) AS (VALUES {rows})"
