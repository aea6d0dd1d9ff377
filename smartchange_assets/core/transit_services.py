"""``core.fact_transit_services_quarterly``: Transjakarta passengers and buses per service and
quarter, from the operator's quarterly report (``jakarta/transjakarta_services``).

Kept apart from ``core.fact_mobility_monthly``: the grain is a quarter, not a month, and the
report counts every service of the operator (Transjabodetabek, Royal Trans, Rusun feeders,
tourist buses, Cares …), not the routes of the per-route dataset. One row per service and
quarter; a quarter held by two payloads is taken whole from the most recently fetched.

**Suspect quarter totals.** The 2023 Q4 report (periode 202312) sums to 280.3 M passengers,
2.9 times the median of the seven later quarters (84-109 M each); what it counts is not
known (perhaps several months, unverified: docs/sources/jakarta-transjakarta-services.md §4).
It is kept as published, never dropped or scaled: every row carries the quarter's total, the
median of the other quarters' totals and ``quarter_total_suspect`` (the total more than
:data:`SUSPECT_RATIO` times that median, or less than its inverse, with at least
:data:`MIN_OTHER_QUARTERS` other quarters to compare with). The non-blocking
``quarter_totals_plausible`` check warns while any quarter is suspect, and the marts flag every
figure it enters.
"""

import dagster as dg

from smartchange_assets.core import keys
from smartchange_assets.core.dim_date import KEY as DIM_DATE_KEY
from smartchange_assets.core.dim_date import TABLE as DIM_DATE
from smartchange_assets.core.integrity import Rule, integrity_check, references
from smartchange_assets.jakarta.transjakarta_services.services import SERVICE_NAMES
from smartchange_assets.jakarta.transjakarta_services.source import SOURCE as SERVICES
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.markdown import md_table
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["core", "fact_transit_services_quarterly"])
SUSPECT_RATIO = 2.0
MIN_OTHER_QUARTERS = 3
PLAUSIBILITY_CHECK = "quarter_totals_plausible"

TABLE = TableSpec("core", "fact_transit_services_quarterly", (
    Column("city", "text", nullable=False),
    Column("service", "text", "Transjakarta service (Layanan BRT = Layanan Bus Rapid Transit)",
           nullable=False),
    Column("service_raw", "text", "service as published"),
    Column("quarter_start", "date", "first day of the quarter", nullable=False),
    Column("year", "integer", nullable=False),
    Column("quarter", "integer", nullable=False),
    Column("buses", "bigint", "buses operating"),
    Column("passengers", "bigint", "passengers of the service in the quarter, as published",
           nullable=False),
    Column("quarter_total", "bigint", "passengers of every service in the quarter",
           nullable=False),
    Column("other_quarters_median", "double precision", "median of every other quarter's "
           "total"),
    Column("quarter_total_ratio", "double precision", "quarter_total / other_quarters_median"),
    Column("quarter_total_suspect", "boolean", f"the quarter's total is more than "
           f"{SUSPECT_RATIO:g} times the other quarters' median (or less than its inverse): "
           "kept as published, flagged", nullable=False),
    Column("payload_sha256", "text", "payload the quarter was taken from", nullable=False),
), ("service", "quarter_start"), "Transjakarta passengers and buses per service and quarter")

FACT_TRANSIT_SERVICES = SqlTable(
    key=KEY,
    table=TABLE,
    select_sql=sql_file(__file__, "fact_transit_services_quarterly.sql",
                        services_staging=SERVICES.staging.qualified),
    params=bind(services_source=SERVICES.source_id, jakarta=keys.JAKARTA,
                suspect_ratio=SUSPECT_RATIO, min_other_quarters=MIN_OTHER_QUARTERS),
    deps=[SERVICES.staging_key],
    description="Transjakarta passengers and buses per service and quarter (the operator's "
                "quarterly report, every service), each quarter's total compared with the "
                "others and flagged when implausible (2023 Q4).",
    group="core",
    expectations=(
        q.compound_unique(["service", "quarter_start"]),
        *[q.not_null(c.name) for c in TABLE.columns if not c.nullable],
        q.in_set("service", SERVICE_NAMES),
        q.in_set("quarter", [1, 2, 3, 4]),
        q.between("passengers", 0, None),
    ),
    column_lineage=dg.TableColumnLineage(deps_by_column={
        "service": [dg.TableColumnDep(SERVICES.staging_key, "service")],
        "quarter_start": [dg.TableColumnDep(SERVICES.staging_key, "quarter_start")],
        "passengers": [dg.TableColumnDep(SERVICES.staging_key, "passengers")],
        "quarter_total_suspect": [dg.TableColumnDep(SERVICES.staging_key, "passengers")],
        "payload_sha256": [dg.TableColumnDep(SERVICES.staging_key, "payload_sha256")],
    }),
)

FACT_TRANSIT_SERVICES_CHECK = integrity_check(KEY, TABLE, refs=(
    references("quarter_start", DIM_DATE, "date", DIM_DATE_KEY),
), rules=(
    Rule("quarter_start_begins_a_quarter",
         "c.quarter_start = date_trunc('quarter', c.quarter_start) "
         "AND extract(QUARTER FROM c.quarter_start) = c.quarter",
         ("service", "quarter_start", "quarter")),
))


def _plausible(audit: Audit) -> dg.AssetCheckResult:
    quarters = audit.wh.read_frame(
        f"SELECT quarter_start, min(quarter_total) AS quarter_total,"
        f" min(other_quarters_median) AS other_quarters_median,"
        f" min(quarter_total_ratio) AS ratio, bool_or(quarter_total_suspect) AS suspect"
        f" FROM ({audit.rows_sql}) AS r GROUP BY quarter_start ORDER BY quarter_start",
        **audit.params)
    suspect = quarters[quarters["suspect"]]
    return dg.AssetCheckResult(
        passed=suspect.empty,
        severity=dg.AssetCheckSeverity.WARN,
        description=("no quarter total is implausible" if suspect.empty else "; ".join(
            f"{r.quarter_start:%Y} Q{(r.quarter_start.month + 2) // 3}: {int(r.quarter_total):,} "
            f"passengers, {r.ratio:.1f} × the other quarters' median "
            f"({r.other_quarters_median:,.0f}); kept as published, flagged "
            "quarter_total_suspect" for r in suspect.itertuples())),
        metadata={"suspect_quarters": dg.MetadataValue.int(len(suspect)),
                  "quarters": dg.MetadataValue.md(md_table(quarters))})


QUARTER_TOTALS_PLAUSIBLE = TableCheck(
    KEY, PLAUSIBILITY_CHECK,
    (f"Each quarter's passenger total against the median of the other quarters': warns when "
     f"one is more than {SUSPECT_RATIO:g} times it or less than its inverse (the 202312 report "
     "sums to about 3 times any later quarter). Not blocking: the figures are as published "
     "and flagged downstream."),
    _plausible, blocking=False)
