"""``marts.city_indicators`` and ``marts.district_scorecard``: every indicator of the catalogue
per city (or district), year and month, with value, numerator, denominator, coverage, the
coverage rule applied, method, standard and the payloads behind it.

Both tables come from one query, :func:`indicator_sql`, over the measure blocks of
:data:`MEASURE_BLOCKS` for a scope. The rule: a value is kept only when it exists and its
coverage reaches the catalogue threshold; otherwise value, numerator and denominator are NULL
and ``null_reason`` says what was missing. For the cities every applicable indicator has a
row for every year in which any of the city's facts has data (so a missing year is a NULL with
its reason, not a missing row); months and districts have rows where there is data.

Extension point: a new theme adds a block ``f(scope) -> SELECT`` of
:data:`~smartchange_assets.marts.scope.MEASURE_COLUMNS` to :data:`MEASURE_BLOCKS`, its
catalogue entries to ``catalogue.INDICATORS``, its facts to ``_YEAR_SOURCES`` and their asset
keys to ``FACT_DEPS``.
"""

import dagster as dg

from smartchange_assets.air_quality.fact import FACT
from smartchange_assets.berlin.mobility.counts import SITES_KEY as BERLIN_MOBILITY_SITES_KEY
from smartchange_assets.core import keys
from smartchange_assets.core.area_population import DIM_KEY as AREA_POPULATION_KEY
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.dim_date import KEY as DIM_DATE_KEY
from smartchange_assets.core.dim_station import KEY as DIM_STATION_KEY
from smartchange_assets.core.flood import KEY as FLOOD_KEY
from smartchange_assets.core.flood import TABLE as FLOOD_FACT
from smartchange_assets.core.mobility import KEY as MOBILITY_KEY
from smartchange_assets.core.mobility import TABLE as MOBILITY_FACT
from smartchange_assets.core.population import FACT_KEY as POPULATION_KEY
from smartchange_assets.core.population import FACT_TABLE as POPULATION_FACT
from smartchange_assets.core.reports import KEY as REPORTS_KEY
from smartchange_assets.core.reports import TABLE as REPORTS_FACT
from smartchange_assets.core.weather import KEY as WEATHER_KEY
from smartchange_assets.core.weather import TABLE as WEATHER_FACT
from smartchange_assets.marts import catalogue
from smartchange_assets.marts.air import air_measures
from smartchange_assets.marts.charts import ranking_metadata
from smartchange_assets.marts.flood import flood_measures
from smartchange_assets.marts.mobility import bicycle_measures, transjakarta_measures
from smartchange_assets.marts.reports import reports_measures
from smartchange_assets.marts.residents import residents_measures
from smartchange_assets.marts.scope import CITY, DISTRICT, MEASURE_COLUMNS, Scope
from smartchange_assets.marts.weather import weather_measures
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.tables import Column, TableSpec

MEASURE_BLOCKS = (air_measures, flood_measures, residents_measures)
MEASURE_BLOCKS += (reports_measures,)
MEASURE_BLOCKS += (transjakarta_measures, bicycle_measures, weather_measures)
# blocks returning a 17th column ``category`` (split by shared report category); every other
# block returns MEASURE_COLUMNS only and gets category 'all'
CATEGORY_BLOCKS = {reports_measures}
ALL_CATEGORIES = "all"
FACT_DEPS = [FACT.key, FLOOD_KEY, AREA_POPULATION_KEY, POPULATION_KEY, DIM_STATION_KEY,
             DIM_AREA_KEY, DIM_DATE_KEY]
FACT_DEPS += [REPORTS_KEY]
# the bike counters' site list (installation dates) gives the counter-days expected
FACT_DEPS += [MOBILITY_KEY, WEATHER_KEY, BERLIN_MOBILITY_SITES_KEY]
# (table, city column, year expression): the years a city's seed covers
_YEAR_SOURCES = (
    (FACT.table, "city", "extract(year FROM local_date)::int"),
    (FLOOD_FACT, "city", "year"),
    (POPULATION_FACT, "city", "reference_year"),
    (REPORTS_FACT, "city", "observed_year"),  # payload years, not old cases' creation years
    (MOBILITY_FACT, "city", "year"),
    (WEATHER_FACT, "city", "extract(year FROM local_date)::int"),
)

CITY_KEY = "city_indicators"
DISTRICT_KEY = "district_scorecard"

_COMMON = (
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
           "equal_weights, city_max_included, ispu_computed_from_concentration, "
           "eaqi_gas_daily_mean_approx, payload_rows_quarantined, counts_at_sites_not_trips, "
           "includes_forecast", nullable=False),
    Column("pollutants", "text[]", "pollutants behind an air-quality figure (for the day "
           "counts over all pollutants: those with data on ≥ 75 % of the days)"),
    Column("population_year", "integer", "reference year of the residents used"),
    Column("payload_sha256s", "text[]", "landed payloads behind the figure", nullable=False),
)

CITY_TABLE = TableSpec("marts", CITY_KEY, (
    Column("city", "text", nullable=False),
    Column("area_key", "text", "dim_area key of the city", nullable=False),
    *_COMMON,
), ("city", "indicator", "category", "period_type", "period_start"),
    "Comparable city indicators per city, year and month")

DISTRICT_TABLE = TableSpec("marts", DISTRICT_KEY, (
    Column("city", "text", nullable=False),
    Column("district_key", "text", "dim_area key of the kota / Bezirk", nullable=False),
    Column("district_name", "text", nullable=False),
    *_COMMON,
    Column("rank_in_city", "integer", "1 = highest value among the city's districts for the "
           "indicator and period (NULL without a value)"),
    Column("districts_ranked", "integer", "districts of the city with a value"),
), ("district_key", "indicator", "category", "period_type", "period_start"),
    "The city indicators per district (kota / Bezirk), with a ranking")


def _measures(scope: Scope) -> str:
    names = ", ".join(MEASURE_COLUMNS)
    return "\n  UNION ALL\n  ".join(
        f"SELECT * FROM ({block(scope)}) AS m{n}({names}, category)" if block in CATEGORY_BLOCKS
        else f"SELECT *, '{ALL_CATEGORIES}'::text AS category FROM ({block(scope)}) "
             f"AS m{n}({names})"
        for n, block in enumerate(MEASURE_BLOCKS))


def _grid(scope: Scope) -> str:
    """SQL CTEs ``years`` and ``grid``: every applicable indicator × year of a city."""
    if scope.name != "city":
        return ("grid AS (SELECT NULL::text AS scope_key, NULL::text AS city, NULL::text AS "
                "indicator, NULL::text AS category, NULL::text AS period_type, NULL::date AS "
                "period_start WHERE false)")
    years = "\n    UNION ".join(f"SELECT DISTINCT {c} AS city, {y} AS year FROM {t.qualified}"
                                for t, c, y in _YEAR_SOURCES)
    city_key = " ".join(f"WHEN '{c}' THEN '{k}'" for c, k in keys.CITY_KEYS.items())
    return f"""years AS (
    {years}
), grid AS (
  SELECT CASE y.city {city_key} END AS scope_key, y.city, a.indicator,
         '{ALL_CATEGORIES}'::text AS category, 'year' AS period_type,
         make_date(y.year, 1, 1) AS period_start
  FROM years y JOIN applicable a ON a.city = y.city
)"""


def indicator_sql(scope: Scope) -> str:
    """SQL: every indicator row of ``scope``, the coverage rule applied."""
    return f"""
WITH measures AS (
  {_measures(scope)}
), {catalogue.catalogue_values_sql()}, {catalogue.applicable_sql()}, {_grid(scope)}, joined AS (
  SELECT coalesce(m.scope_key, g.scope_key) AS scope_key, coalesce(m.city, g.city) AS city,
         coalesce(m.indicator, g.indicator) AS indicator,
         coalesce(m.category, g.category) AS category,
         coalesce(m.period_type, g.period_type) AS period_type,
         coalesce(m.period_start, g.period_start) AS period_start,
         m.indicator IS NULL AS no_data, m.value, m.numerator, m.denominator,
         coalesce(m.value_scale, 1.0) AS value_scale, coalesce(m.coverage, 0) AS coverage,
         m.shortfall, coalesce(m.flags, '{{}}'::text[]) AS flags, m.pollutants,
         m.population_year, m.basis, coalesce(m.payload_sha256s, '{{}}'::text[]) AS payloads
  FROM measures m FULL JOIN grid g ON g.scope_key = m.scope_key AND g.indicator = m.indicator
    AND g.category = m.category
    AND g.period_type = m.period_type AND g.period_start = m.period_start
), judged AS (
  SELECT j.*, c.unit, c.standard, c.method_note, c.coverage_basis, c.threshold,
         j.value IS NOT NULL AND j.coverage >= c.threshold AS ok
  FROM joined j JOIN catalogue c ON c.indicator = j.indicator
  WHERE c.monthly OR j.period_type = 'year'
)
SELECT scope_key, city, indicator, category, period_type, period_start,
       extract(year FROM period_start)::int AS year,
       CASE WHEN period_type = 'month' THEN extract(month FROM period_start)::int END AS month,
       CASE WHEN ok THEN value END AS value, unit,
       CASE WHEN ok THEN numerator END AS numerator,
       CASE WHEN ok THEN denominator END AS denominator,
       value_scale, coverage, coverage_basis, threshold AS coverage_threshold,
       CASE WHEN ok THEN NULL
            WHEN no_data THEN format('no data for this indicator in %s', extract(year FROM
              period_start))
            WHEN coverage < threshold THEN format('coverage %s below the threshold %s: %s',
              round(coverage::numeric, 3), threshold, coalesce(shortfall, 'no data'))
            ELSE coalesce(nullif(shortfall, ''), 'an input is missing') END AS null_reason,
       standard, method_note, basis, flags, pollutants, population_year,
       payloads AS payload_sha256s
FROM judged
"""


_OUT = [c.name for c in _COMMON]

CITY_SQL = f"""
SELECT city, scope_key, {", ".join(_OUT)} FROM ({indicator_sql(CITY)}) AS rows
"""

DISTRICT_SQL = f"""
SELECT r.city, r.scope_key, a.name, {", ".join(f"r.{c}" for c in _OUT)},
       CASE WHEN r.value IS NOT NULL THEN rank() OVER (
         PARTITION BY r.city, r.indicator, r.category, r.period_type, r.period_start,
                      r.value IS NULL
         ORDER BY r.value DESC)::int END,
       count(r.value) OVER (PARTITION BY r.city, r.indicator, r.category, r.period_type,
                            r.period_start)::int
FROM ({indicator_sql(DISTRICT)}) AS r JOIN {DIM_AREA.qualified} a ON a.area_key = r.scope_key
"""


def _dep(key: dg.AssetKey, column: str) -> dg.TableColumnDep:
    return dg.TableColumnDep(asset_key=key, column_name=column)


# every indicator column back to the fact (and dimension) columns it is computed from
_AIR_VALUES = [_dep(FACT.key, c) for c in ("concentration_ugm3", "above_who_24h",
                                           "ispu_category", "eaqi_band", "granularity")]
_FLOOD_VALUES = [_dep(FLOOD_KEY, c) for c in ("events", "affected_people")]
_RESIDENTS = [_dep(AREA_POPULATION_KEY, "residents")]
_REPORTS = [_dep(REPORTS_KEY, c) for c in ("created_date", "resolved", "days_to_resolution")]
_MOBILITY_WEATHER = [_dep(MOBILITY_KEY, "count"),
                     *[_dep(WEATHER_KEY, c) for c in ("precipitation_mm", "temperature_max_c")]]
_MOBILITY_WEATHER_COVERAGE = [_dep(MOBILITY_KEY, c) for c in ("month_start", "days_complete",
                                                              "site_installed")]


def lineage(scope_column: str) -> dg.TableColumnLineage:
    return dg.TableColumnLineage(deps_by_column={
        scope_column: [_dep(DIM_STATION_KEY, "city_key"), _dep(DIM_STATION_KEY, "district_key"),
                       _dep(FLOOD_KEY, "district_key"), _dep(AREA_POPULATION_KEY, "area_key"),
                       _dep(REPORTS_KEY, "district_key")],
        "category": [_dep(REPORTS_KEY, "shared_category")],
        "value": [*_AIR_VALUES, *_FLOOD_VALUES, *_RESIDENTS, *_REPORTS, *_MOBILITY_WEATHER],
        "numerator": [*_AIR_VALUES, *_FLOOD_VALUES, *_RESIDENTS, *_REPORTS,
                      *_MOBILITY_WEATHER],
        "denominator": [_dep(FACT.key, "local_date"), *_RESIDENTS, _dep(REPORTS_KEY, "resolved")],
        "coverage": [_dep(FACT.key, "local_date"), _dep(FLOOD_KEY, "event_month"),
                     _dep(AREA_POPULATION_KEY, "coverage"), *_MOBILITY_WEATHER_COVERAGE,
                     _dep(WEATHER_KEY, "local_date")],
        "flags": [_dep(FACT.key, c) for c in ("concentration_derived", "conversion_verified",
                                              "ispu_basis", "eaqi_basis")]
        + [_dep(WEATHER_KEY, "forecast")],
        "population_year": [_dep(AREA_POPULATION_KEY, "reference_year")],
        "payload_sha256s": [_dep(FACT.key, "payload_sha256"),
                            _dep(FLOOD_KEY, "payload_sha256"),
                            _dep(AREA_POPULATION_KEY, "payload_sha256s"),
                            _dep(REPORTS_KEY, "payload_sha256"),
                            _dep(MOBILITY_KEY, "payload_sha256s"),
                            _dep(WEATHER_KEY, "payload_sha256s")],
    })


def _expectations(key_columns: list[str]) -> tuple:
    return (
        q.compound_unique(key_columns),
        q.in_set("indicator", [i.code for i in catalogue.INDICATORS]),
        q.in_set("city", list(keys.CITIES)),
        q.in_set("period_type", ["year", "month"]),
        q.between("value", 0, None),
        q.between("numerator", 0, None),
        q.between("denominator", 0, None, strict_min=True),
        q.between("coverage", 0, 1),
        q.between("coverage_threshold", 0, 1),
        q.between("month", 1, 12),
        *[q.not_null(c) for c in ("unit", "standard", "method_note", "coverage_basis")],
    )


CITY_INDICATORS = SqlTable(
    key=dg.AssetKey(["marts", CITY_KEY]),
    table=CITY_TABLE,
    select_sql=CITY_SQL,
    deps=FACT_DEPS,
    description="Comparable indicators of Jakarta and Berlin per year and month (ISO 37120 "
                "air quality, SDG 11.6.2-style population-weighted PM2.5, WHO 2021 exceedance "
                "days, ISPU and EAQI bad days, floods per 100 000, residents), each with "
                "numerator, denominator, coverage, method, standard and payload hashes; NULL "
                "with a reason below the coverage threshold.",
    group="marts",
    expectations=_expectations(["city", "indicator", "category", "period_type",
                                "period_start"]),
    column_lineage=lineage("area_key"),
)

DISTRICT_SCORECARD = SqlTable(
    key=dg.AssetKey(["marts", DISTRICT_KEY]),
    table=DISTRICT_TABLE,
    select_sql=DISTRICT_SQL,
    deps=FACT_DEPS,
    description="The city indicators per district (kota / Bezirk) where the data allow: air "
                "quality where a station stands in the district, floods, residents; ranked "
                "within the city. Its metadata shows the district ranking per city.",
    group="marts",
    expectations=(*_expectations(["district_key", "indicator", "category", "period_type",
                                  "period_start"]),
                  q.between("rank_in_city", 1, 20)),
    column_lineage=lineage("district_key"),
    after_load=ranking_metadata,
)
