"""The tables of ``marts.city_indicators`` and ``marts.district_scorecard`` (built in
:mod:`.indicators`; the charts read them too)."""

from smartchange_assets.platform.tables import Column, TableSpec

CITY_KEY = "city_indicators"
DISTRICT_KEY = "district_scorecard"

COMMON = (
    Column("indicator", "text", "catalogue code (docs/indicators.md)", nullable=False),
    Column("category", "text", "shared citizen-report category (core.report_category_map), "
           "'all' for the total and for indicators not split by category", nullable=False),
    Column("period_type", "text", "year or month", nullable=False),
    Column("period_start", "date", "first day of the year or month", nullable=False),
    Column("year", "integer", nullable=False),
    Column("month", "integer", "month of a monthly row (NULL for a year)"),
    Column("value", "double precision", "the indicator; NULL when coverage is below the "
           "threshold or an input is missing (see null_reason)"),
    Column("unit", "text", nullable=False),
    Column("numerator", "double precision", "what was summed or counted (NULL with value)"),
    Column("denominator", "double precision", "what it was divided by; NULL for counts"),
    Column("value_scale", "double precision", "value = numerator / denominator × value_scale "
           "(value = numerator when there is no denominator)", nullable=False),
    Column("coverage", "double precision", "share of days, stations, months or areas with "
           "data, 0–1", nullable=False),
    Column("coverage_basis", "text", "days, stations, months or areas", nullable=False),
    Column("coverage_threshold", "double precision", "coverage below this gives NULL",
           nullable=False),
    Column("null_reason", "text", "why value is NULL"),
    Column("standard", "text", "standard the indicator follows", nullable=False),
    Column("method_note", "text", "definition", nullable=False),
    Column("basis", "text", "what this figure rests on (stations, months, population year)"),
    Column("flags", "text[]", "derived_from_ispu, conversion_unverified, single_station, "
           "city_max_included, ispu_computed_from_concentration, "
           "eaqi_gas_daily_mean_approx, payload_rows_quarantined, counts_at_sites_not_trips, "
           "includes_forecast, third_party_rekeyed, third_party_transcription, "
           "register_sample, residents_year_differs, value_<status> (construction report: "
           "provisional, revised, estimated, limited_reliability, nothing)", nullable=False),
    Column("pollutants", "text[]", "pollutants behind an air-quality figure (for the day "
           "counts over all pollutants: those with data on ≥ 75 % of the days)"),
    Column("population_year", "integer", "reference year of the residents used"),
    Column("payload_sha256s", "text[]", "landed payloads behind the figure", nullable=False),
)

CITY_TABLE = TableSpec("marts", CITY_KEY, (
    Column("city", "text", nullable=False),
    Column("area_key", "text", "dim_area key of the city", nullable=False),
    *COMMON,
), ("city", "indicator", "category", "period_type", "period_start"),
    "Comparable city indicators per city, year and month")

DISTRICT_TABLE = TableSpec("marts", DISTRICT_KEY, (
    Column("city", "text", nullable=False),
    Column("district_key", "text", "dim_area key of the kota / Bezirk", nullable=False),
    Column("district_name", "text", nullable=False),
    *COMMON,
    Column("rank_in_city", "integer", "1 = highest value among the city's districts for the "
           "indicator and period (NULL without a value)"),
    Column("districts_ranked", "integer", "districts of the city with a value"),
), ("district_key", "indicator", "category", "period_type", "period_start"),
    "The city indicators per district (kota / Bezirk), with a ranking")
