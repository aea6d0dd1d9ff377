"""Citizen reports of both cities on one taxonomy: ``core.report_category_map`` and
``core.fact_citizen_reports``.

* ``report_category_map``: the mapping of :mod:`.report_taxonomy` as a table; the blocking
  ``taxonomy_mapping_complete`` check fails when the staging data holds a native category with
  no row, naming each one with its report count.
* ``fact_citizen_reports``: one row per report (never dropped): the latest state of a Jakarta
  CRM report (from the most recently fetched payload listing it) and every Ordnungsamt report
  ever seen (``staging.berlin_citizen_reports``). ``resolved`` reads the status vocabulary
  (:data:`RESOLVED_STATUSES`; NULL where no status is published). The time to resolution is
  **bounded**, never guessed: for a Berlin report resolved in its latest state,
  ``days_to_resolution_max`` counts to the first snapshot showing it resolved (``resolved_at``)
  and ``days_to_resolution_min`` to the earliest time of the last snapshot showing it open
  (``open_seen_until``; 0 for a report first seen already resolved,
  ``resolution_basis = 'first_seen_resolved'``; ``'observed_change'`` when it was seen open
  first). ``days_to_resolution`` is set only where the two are at most
  :data:`KNOWN_WITHIN_DAYS` apart (daily snapshots). The CRM publishes no resolution time.
  Areas: Jakarta's resolved kelurahan, Berlin's Bezirk (the bulk API has no address);
  ``area_note`` says why an area is NULL.
"""

import dagster as dg

from smartchange_assets.berlin.citizen_reports.categories import BEZIRKE
from smartchange_assets.berlin.citizen_reports.history import REPORTS as BERLIN_REPORTS
from smartchange_assets.berlin.citizen_reports.history import RESOLVED_STATUS
from smartchange_assets.berlin.citizen_reports.source import SOURCE as BERLIN_SOURCE
from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.dim_date import KEY as DIM_DATE_KEY
from smartchange_assets.core.dim_date import TABLE as DIM_DATE
from smartchange_assets.core.integrity import Rule, integrity_check, references
from smartchange_assets.core.report_taxonomy import NO_CATEGORY, SHARED_CATEGORIES, rows
from smartchange_assets.jakarta.citizen_reports.source import SOURCE as JAKARTA_REPORTS
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

MAP_KEY = dg.AssetKey(["core", "report_category_map"])
KEY = dg.AssetKey(["core", "fact_citizen_reports"])
COMPLETENESS_CHECK = "taxonomy_mapping_complete"

# a resolution time counts as known when its bounds are at most this many days apart
KNOWN_WITHIN_DAYS = 1

# statuses that mean the case is closed, as each publisher writes them
RESOLVED_STATUSES = {keys.JAKARTA: ("Selesai",), keys.BERLIN: (RESOLVED_STATUS,)}

MAP_TABLE = TableSpec("core", "report_category_map", (
    Column("city", "text", nullable=False),
    Column("native_category", "text", "the city's own category as staged", nullable=False),
    Column("shared_category", "text", "one of " + ", ".join(SHARED_CATEGORIES),
           nullable=False),
    Column("note", "text", "why, where the mapping is not obvious"),
), ("city", "native_category"), "Native citizen-report categories on the shared taxonomy")

MAP_SQL = sql_file(__file__, "report_category_map.sql")
_MAP_ROWS = list(rows())
_MAP_PARAMS = bind(cities=[r[0] for r in _MAP_ROWS], native_categories=[r[1] for r in _MAP_ROWS],
                   shared_categories=[r[2] for r in _MAP_ROWS], notes=[r[3] for r in _MAP_ROWS])

# The staging table of each city's reports (native category: Jakarta category, Berlin
# category_main).
NATIVE_TABLES = {keys.JAKARTA: JAKARTA_REPORTS.staging, keys.BERLIN: BERLIN_REPORTS.table}

TABLE = TableSpec("core", "fact_citizen_reports", (
    Column("city", "text", nullable=False),
    Column("report_id", "text", "publisher's report id (CRM code, Ordnungsamt id)",
           nullable=False),
    Column("native_category", "text", "category as staged ('(no category)' where none)",
           nullable=False),
    Column("shared_category", "text", "from core.report_category_map", nullable=False),
    Column("created_date", "date", "local creation day (Asia/Jakarta, Europe/Berlin)",
           nullable=False),
    Column("created_at_utc", "timestamptz", "creation instant; NULL where only a date is "
           "published (CRM research CSV)"),
    Column("area_key", "text", "dim_area key of the finest area known (kelurahan, Bezirk); "
           "NULL when it could not be resolved (see area_note)"),
    Column("district_key", "text", "kota / Bezirk of the report; NULL when unresolved"),
    Column("area_note", "text", "how the area was found, or why it is NULL"),
    Column("status", "text", "status as published (NULL where the payload has none)"),
    Column("resolved", "boolean", "status is a closing one (Selesai, Erledigt); NULL without "
           "a status"),
    Column("resolved_at", "timestamptz", "Berlin: first snapshot showing the report resolved"),
    Column("resolved_date", "date", "local day of resolved_at"),
    Column("resolution_basis", "text", "observed_change (seen open, then resolved: resolved "
           "between the two snapshots) or first_seen_resolved (only an upper bound)"),
    Column("days_to_resolution_min", "double precision", "lower bound of the days from "
           "creation to resolution (to the last snapshot seen open; 0 when first seen "
           "resolved); resolved reports only"),
    Column("days_to_resolution_max", "double precision", "upper bound: days from creation to "
           "the first snapshot showing the report resolved; resolved reports only"),
    Column("days_to_resolution", "double precision", "days to resolution where known to "
           f"within {KNOWN_WITHIN_DAYS} day (the upper bound then), else NULL"),
    Column("payload_sha256", "text", "payload of the report's latest state", nullable=False),
    Column("observed_year", "integer", "year the payload's declared period ends in (the CRM "
           "export's year, the Ordnungsamt snapshot's day): the years the reports observe, "
           "not the creation years of old cases still in the window", nullable=False),
), ("city", "report_id"), "Citizen reports of both cities, one row per report")

# BEZIRKE is in the official order: its position is the LOR 2021 Bezirk code
_BEZIRK_KEYS = {name: f"{keys.BERLIN_PREFIX}{n:02d}" for n, name in enumerate(BEZIRKE, start=1)}

SELECT_SQL = sql_file(__file__, "fact_citizen_reports.sql",
                      jakarta_staging=JAKARTA_REPORTS.staging.qualified,
                      berlin_reports=BERLIN_REPORTS.table.qualified,
                      category_map=MAP_TABLE.qualified, dim_area=DIM_AREA.qualified)

REPORT_CATEGORY_MAP = SqlTable(
    key=MAP_KEY,
    table=MAP_TABLE,
    select_sql=MAP_SQL,
    params=_MAP_PARAMS,
    deps=[],
    description="Each city's native citizen-report categories (Jakarta CRM category, Berlin "
                "Ordnungsamt Hauptthema) on the shared taxonomy (" + ", ".join(
                    SHARED_CATEGORIES) + "), from core/report_taxonomy.py.",
    group="core",
    expectations=(
        q.compound_unique(["city", "native_category"]),
        q.in_set("city", list(keys.CITIES)),
        q.in_set("shared_category", list(SHARED_CATEGORIES)),
        q.not_null("native_category"),
    ),
)

FACT_CITIZEN_REPORTS = SqlTable(
    key=KEY,
    table=TABLE,
    select_sql=SELECT_SQL,
    params=bind(jakarta_source=JAKARTA_REPORTS.source_id, berlin_source=BERLIN_SOURCE.source_id,
                no_category=NO_CATEGORY, bezirk_keys=_BEZIRK_KEYS,
                berlin_resolved_status=RESOLVED_STATUS, known_within_days=KNOWN_WITHIN_DAYS,
                jakarta_closing_statuses=RESOLVED_STATUSES[keys.JAKARTA],
                berlin_closing_statuses=RESOLVED_STATUSES[keys.BERLIN], jakarta=keys.JAKARTA,
                berlin=keys.BERLIN, jakarta_prefix=keys.JAKARTA_PREFIX),
    deps=[JAKARTA_REPORTS.staging_key, BERLIN_REPORTS.key, MAP_KEY, DIM_AREA_KEY],
    description="Citizen reports of Jakarta (CRM) and Berlin (Ordnungsamt-Online), one row per "
                "report, on the shared category taxonomy, with area, status, resolved flag and "
                "days to resolution where the resolution time is known.",
    group="core",
    expectations=(
        q.compound_unique(["city", "report_id"]),
        *[q.not_null(c.name) for c in TABLE.columns if not c.nullable],
        q.in_set("city", list(keys.CITIES)),
        q.in_set("shared_category", list(SHARED_CATEGORIES)),
        q.in_set("resolution_basis", ["observed_change", "first_seen_resolved"]),
        q.between("days_to_resolution", 0, None),
        q.between("days_to_resolution_min", 0, None),
        q.Expect("ExpectColumnPairValuesAToBeGreaterThanB", None,
                 {"column_A": "days_to_resolution_max", "column_B": "days_to_resolution_min",
                  "or_equal": True, "ignore_row_if": "either_value_is_missing"}),
    ),
    column_lineage=dg.TableColumnLineage(deps_by_column={
        "report_id": [dg.TableColumnDep(JAKARTA_REPORTS.staging_key, "report_id"),
                      dg.TableColumnDep(BERLIN_REPORTS.key, "report_id")],
        "native_category": [dg.TableColumnDep(JAKARTA_REPORTS.staging_key, "category"),
                            dg.TableColumnDep(BERLIN_REPORTS.key, "category_main")],
        "shared_category": [dg.TableColumnDep(MAP_KEY, "shared_category")],
        "created_date": [dg.TableColumnDep(JAKARTA_REPORTS.staging_key, "created_date"),
                         dg.TableColumnDep(BERLIN_REPORTS.key, "created_at_local")],
        "area_key": [dg.TableColumnDep(JAKARTA_REPORTS.staging_key, "area_code"),
                     dg.TableColumnDep(BERLIN_REPORTS.key, "bezirk")],
        "status": [dg.TableColumnDep(JAKARTA_REPORTS.staging_key, "status"),
                   dg.TableColumnDep(BERLIN_REPORTS.key, "status")],
        "resolved": [dg.TableColumnDep(JAKARTA_REPORTS.staging_key, "status"),
                     dg.TableColumnDep(BERLIN_REPORTS.key, "status")],
        **{column: [dg.TableColumnDep(BERLIN_REPORTS.key, c)
                    for c in ("resolved_at", "open_seen_until", "created_at_utc", "status")]
           for column in ("days_to_resolution", "days_to_resolution_min",
                          "days_to_resolution_max")},
        "payload_sha256": [dg.TableColumnDep(JAKARTA_REPORTS.staging_key, "payload_sha256"),
                           dg.TableColumnDep(BERLIN_REPORTS.key, "payload_sha256")],
    }),
)

FACT_CITIZEN_REPORTS_CHECK = integrity_check(KEY, TABLE, refs=(
    references("created_date", DIM_DATE, "date", DIM_DATE_KEY),
    references("area_key", DIM_AREA, "area_key", DIM_AREA_KEY, "p.city = c.city",
               "an area of its city"),
    references("district_key", DIM_AREA, "area_key", DIM_AREA_KEY,
               f"p.level = '{keys.DISTRICT}' AND p.city = c.city", "a district of its city"),
    references(("city", "native_category", "shared_category"), MAP_TABLE,
               ("city", "native_category", "shared_category"), MAP_KEY),
), rules=(
    Rule("shared_category_in_taxonomy", "c.shared_category IN (" + ", ".join(
        f"'{s}'" for s in SHARED_CATEGORIES) + ")", ("city", "report_id", "native_category")),
    Rule("days_only_where_the_bounds_agree", "c.days_to_resolution IS NULL OR (c.resolved "
         "AND c.days_to_resolution = c.days_to_resolution_max AND c.days_to_resolution_max - "
         f"c.days_to_resolution_min <= {KNOWN_WITHIN_DAYS})",
         ("city", "report_id", "resolved", "days_to_resolution_min", "days_to_resolution_max",
          "days_to_resolution")),
    Rule("bounds_only_for_resolved_reports", "(c.days_to_resolution_max IS NULL) = "
         "(c.days_to_resolution_min IS NULL) AND (c.days_to_resolution_max IS NULL OR "
         "c.resolved)", ("city", "report_id", "resolved", "days_to_resolution_min",
                         "days_to_resolution_max")),
))


def unmapped_sql(category_map: str = MAP_TABLE.qualified) -> str:
    """Every native category without a row in ``category_map`` (the version under audit)."""
    return sql_file(__file__, "unmapped_report_categories.sql",
                    jakarta_staging=JAKARTA_REPORTS.staging.qualified,
                    berlin_reports=BERLIN_REPORTS.table.qualified, category_map=category_map)
_UNMAPPED_PARAMS = bind(jakarta=keys.JAKARTA, berlin=keys.BERLIN, no_category=NO_CATEGORY)


def _mapping_complete(audit: Audit) -> dg.AssetCheckResult:
    wh = audit.wh
    missing = [t.label for t in NATIVE_TABLES.values() if not wh.table_exists(t)]
    if missing:
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR,
                                   description=f"missing tables: {', '.join(missing)}")
    unmapped = wh.read_frame(unmapped_sql(audit.relation), **_UNMAPPED_PARAMS)
    listed = [f"{r.city} {r.native_category!r} ({int(r.reports)} reports)"
              for r in unmapped.itertuples()]
    return dg.AssetCheckResult(
        passed=not listed, severity=dg.AssetCheckSeverity.ERROR,
        description=("every native category is mapped" if not listed else
                     f"{len(listed)} native categor{'y' if len(listed) == 1 else 'ies'} "
                     "without a mapping (add to core/report_taxonomy.py): " + "; ".join(listed)),
        metadata={"unmapped": dg.MetadataValue.json(
            [{"city": r.city, "native_category": r.native_category, "reports": int(r.reports)}
             for r in unmapped.itertuples()])})


TAXONOMY_MAPPING_COMPLETE = TableCheck(
    MAP_KEY, COMPLETENESS_CHECK,
    "Every native category in the staging data of the citizen reports (Jakarta category, "
    "Berlin category_main) has a row in core.report_category_map (add it in "
    "core/report_taxonomy.py)",
    _mapping_complete, reads=(JAKARTA_REPORTS.staging_key, BERLIN_REPORTS.key))


REPORT_TABLES = [REPORT_CATEGORY_MAP, FACT_CITIZEN_REPORTS]
REPORT_CHECKS = [TAXONOMY_MAPPING_COMPLETE, FACT_CITIZEN_REPORTS_CHECK]
