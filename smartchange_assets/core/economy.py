"""``core.fact_economy``: the economy statistics of both cities as observations.

One row per statistic, area, measure, breakdown, period and aggregation, each with its unit,
whether the published row adds up (``consistent``), its provenance and payloads. What goes in
(docs/sources/ for each):

* Jakarta, BPS Sakernas employed persons by KBLI sector group (``jakarta/employment``): DKI
  Jakarta only (province 31 = the city), per year; breakdown = sector column (``kbli_c``,
  ``total``). A year whose sectors do not add up to its total stays, ``consistent = false``.
* Jakarta, labour force by education (``jakarta/labour_force``): the DKI kab/kota, whose BPS
  codes are mapped to Kemendagri through ``staging.jakarta_area_crosswalk`` (BPS 3171 is
  Jakarta Selatan = Kemendagri 31.74; never joined on the digits).
* Jakarta, expenditure per capita (``jakarta/consumption``) and kelurahan counts of the
  Potensi Kelurahan tables (``jakarta/potensi_kelurahan``): kota rows by their resolved area
  code, the total / average row at the city.
* Berlin, the construction report's time series (``berlin/construction``: Bauhauptgewerbe
  monthly, Ausbaugewerbe quarterly, annual figures) at the city; ``sector`` is the branch; a
  period restated by several issues is taken from the latest (revisions win). The % changes and
  the tables by WZ 2008 stay in staging.

Within a source, a row published by two payloads is taken from the most recently fetched one.
The MSS classes and the IHK register have facts of their own (``core.fact_social_status``,
``core.fact_businesses``): different shapes, different meaning.
"""

import dagster as dg

from smartchange_assets.berlin.construction.source import SOURCE as CONSTRUCTION
from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.dim_date import KEY as DIM_DATE_KEY
from smartchange_assets.core.dim_date import TABLE as DIM_DATE
from smartchange_assets.core.integrity import Rule, integrity_check, references
from smartchange_assets.jakarta.admin_areas.crosswalk import CROSSWALK_KEY
from smartchange_assets.jakarta.admin_areas.crosswalk import TABLE as CROSSWALK
from smartchange_assets.jakarta.consumption.source import SOURCE as CONSUMPTION
from smartchange_assets.jakarta.employment.parser import COUNTS as EMPLOYMENT_COUNTS
from smartchange_assets.jakarta.employment.source import SOURCE as EMPLOYMENT
from smartchange_assets.jakarta.labour_force.parser import COUNTS as LABOUR_COUNTS
from smartchange_assets.jakarta.labour_force.source import SOURCE as LABOUR_FORCE
from smartchange_assets.jakarta.potensi_kelurahan.source import SOURCE as POTENSI_KELURAHAN
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["core", "fact_economy"])

EMPLOYMENT_STATISTIC = "bps_sakernas_employment_by_sector"
LABOUR_STATISTIC = "bps_sakernas_labour_force_by_education"
CONSUMPTION_STATISTIC = "bps_susenas_expenditure_per_capita"
PODES_STATISTIC = "bps_podes_kelurahan"
CONSTRUCTION_STATISTIC = "statistik_bb_construction_report"
STATISTICS = (EMPLOYMENT_STATISTIC, LABOUR_STATISTIC, CONSUMPTION_STATISTIC, PODES_STATISTIC,
              CONSTRUCTION_STATISTIC)
# how each statistic reached the platform (docs/sources/)
REKEYED, TRANSCRIBED, OFFICIAL = ("third_party_rekeyed", "third_party_transcription",
                                  "official_file")
PROVENANCE = {EMPLOYMENT_STATISTIC: REKEYED, LABOUR_STATISTIC: REKEYED,
              CONSUMPTION_STATISTIC: TRANSCRIBED, PODES_STATISTIC: TRANSCRIBED,
              CONSTRUCTION_STATISTIC: OFFICIAL}
CONSTRUCTION_AGGREGATIONS = ("level", "annual_average", "annual_sum")
JAKARTA_PROVINCE = "31"  # BPS and Kemendagri agree on the province code

TABLE = TableSpec("core", "fact_economy", (
    Column("city", "text", nullable=False),
    Column("area_key", "text", "dim_area key: the city, or a kota", nullable=False),
    Column("area_level", "text", "dim_area level of area_key"),
    Column("statistic", "text", ", ".join(STATISTICS), nullable=False),
    Column("sector", "text", "construction branch (bauhauptgewerbe, ausbaugewerbe); 'all' "
           "elsewhere", nullable=False),
    Column("measure", "text", "employed_persons, labour_force, expenditure_per_capita_month, "
           "a Potensi Kelurahan measure, a construction measure", nullable=False),
    Column("breakdown", "text", "KBLI sector column (kbli_c, total), education group "
           "(lf_tertiary, lf_total), type of construction (building, total); 'total' where "
           "there is none", nullable=False),
    Column("period_type", "text", "year, quarter or month", nullable=False),
    Column("period_start", "date", "first day of the period", nullable=False),
    Column("year", "integer", nullable=False),
    Column("aggregation", "text", "level, annual_average (stocks), annual_sum (flows)",
           nullable=False),
    Column("value", "double precision", "the published figure, in unit", nullable=False),
    Column("unit", "text", "persons, kelurahan, IDR per capita per month, EUR thousand, hours "
           "thousand, count, days", nullable=False),
    Column("consistent", "boolean", "the published row adds up (sectors or education groups "
           "to their total); indicators use consistent rows only", nullable=False),
    Column("note", "text", "why a row is not consistent; the construction value status "
           "(provisional, revised, nothing …)"),
    Column("provenance", "text", f"{OFFICIAL}, {REKEYED} or {TRANSCRIBED}: how the figures "
           "reached the platform (docs/sources/)", nullable=False),
    Column("report_month", "date", "construction: the issue the figure is taken from"),
    Column("payload_sha256s", "text[]", "payloads the figure came from", nullable=False),
), ("statistic", "area_key", "sector", "measure", "breakdown", "period_type", "period_start",
    "aggregation"), "Economy statistics of both cities, one row per observation")

_SOURCES = (EMPLOYMENT, LABOUR_FORCE, CONSUMPTION, POTENSI_KELURAHAN, CONSTRUCTION)

SELECT_SQL = sql_file(__file__, "fact_economy.sql",
                      employment=EMPLOYMENT.staging.qualified,
                      labour_force=LABOUR_FORCE.staging.qualified,
                      consumption=CONSUMPTION.staging.qualified,
                      potensi_kelurahan=POTENSI_KELURAHAN.staging.qualified,
                      construction=CONSTRUCTION.staging.qualified,
                      crosswalk=CROSSWALK.qualified, dim_area=DIM_AREA.qualified)


def _dep(spec, column: str) -> dg.TableColumnDep:
    return dg.TableColumnDep(spec.staging_key, column)


FACT_ECONOMY = SqlTable(
    key=KEY,
    table=TABLE,
    select_sql=SELECT_SQL,
    params=bind(sources=[s.source_id for s in _SOURCES], jakarta=keys.JAKARTA,
                berlin=keys.BERLIN, jakarta_city_key=keys.JAKARTA_CITY_KEY,
                berlin_city_key=keys.BERLIN_CITY_KEY, jakarta_prefix=keys.JAKARTA_PREFIX,
                jakarta_province=JAKARTA_PROVINCE, employment_columns=list(EMPLOYMENT_COUNTS),
                labour_columns=list(LABOUR_COUNTS),
                construction_aggregations=list(CONSTRUCTION_AGGREGATIONS),
                employment_statistic=EMPLOYMENT_STATISTIC, labour_statistic=LABOUR_STATISTIC,
                consumption_statistic=CONSUMPTION_STATISTIC, podes_statistic=PODES_STATISTIC,
                construction_statistic=CONSTRUCTION_STATISTIC, provenance=PROVENANCE),
    deps=[*(s.staging_key for s in _SOURCES), CROSSWALK_KEY, DIM_AREA_KEY],
    description="Economy statistics as observations: Jakarta employment by sector (province), "
                "labour force by education, expenditure per capita and kelurahan counts (kota "
                "and province); Berlin's construction report (city). Each with unit, whether it "
                "adds up, and its provenance (official file, re-keyed, transcribed).",
    group="core",
    expectations=(
        q.compound_unique(list(TABLE.primary_key)),
        *[q.not_null(c.name) for c in TABLE.columns if not c.nullable],
        q.in_set("statistic", list(STATISTICS)),
        q.in_set("city", list(keys.CITIES)),
        q.in_set("period_type", ["year", "quarter", "month"]),
        q.in_set("aggregation", list(CONSTRUCTION_AGGREGATIONS)),
        q.in_set("provenance", [OFFICIAL, REKEYED, TRANSCRIBED]),
        q.in_set("area_level", [keys.CITY, keys.DISTRICT]),
        q.between("value", 0, None),
    ),
    column_lineage=dg.TableColumnLineage(deps_by_column={
        "area_key": [_dep(LABOUR_FORCE, "bps_code"), _dep(CONSUMPTION, "area_code"),
                     _dep(POTENSI_KELURAHAN, "area_code"),
                     dg.TableColumnDep(CROSSWALK_KEY, "kemendagri_code")],
        "value": [*(_dep(EMPLOYMENT, c) for c in EMPLOYMENT_COUNTS),
                  *(_dep(LABOUR_FORCE, c) for c in LABOUR_COUNTS),
                  _dep(CONSUMPTION, "expenditure_rp"), _dep(POTENSI_KELURAHAN, "kelurahan"),
                  _dep(CONSTRUCTION, "value")],
        "consistent": [_dep(EMPLOYMENT, "sectors_sum_to_total"),
                       _dep(LABOUR_FORCE, "groups_sum_to_total")],
        "payload_sha256s": [_dep(s, "payload_sha256") for s in _SOURCES],
    }),
)

FACT_ECONOMY_CHECK = integrity_check(KEY, TABLE, refs=(
    references("area_key", DIM_AREA, "area_key", DIM_AREA_KEY, "p.city = c.city",
               "an area of its city"),
    references("period_start", DIM_DATE, "date", DIM_DATE_KEY),
), rules=(
    Rule("inconsistent_rows_say_why", "c.consistent OR c.note IS NOT NULL",
         ("statistic", "area_key", "measure", "breakdown", "period_start", "note")),
    Rule("year_is_the_periods", "c.year = extract(YEAR FROM c.period_start)",
         ("statistic", "period_start", "year")),
))
