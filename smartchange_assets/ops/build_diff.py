"""``marts/build_diff``: what did this build change?

Built after every table (``platform/every_table.py``: last in a refresh; in the daemon
once a day at 07:00 UTC when nothing upstream is running), it records the build
(:mod:`.build_history`) and compares it with the previous one:

* **rows added and removed per table** (changed values count as one removed and one added
  row; provenance columns are not compared),
* **indicator values that changed** beyond the tolerance ``SMARTCHANGE_BUILD_DIFF_TOLERANCE``
  (relative, default 1e-6, with an absolute floor of 1e-9), values that appeared or
  disappeared, and **new NULLs with their reasons**,

shown on the materialisation as markdown tables. Its non-blocking ``large_drops`` check (WARN)
fails when a table lost more than ``SMARTCHANGE_BUILD_DROP_WARN`` of its rows (default 0.2)
that no rejected payload explains (``smartchange reject`` takes a payload's rows out: the
lost rows of rejected payloads are the explanation). It reads only the published tables the
code location writes.
"""


import os

import dagster as dg
import pandas as pd

from smartchange_assets.marts.tables import CITY_TABLE, DISTRICT_TABLE
from smartchange_assets.ops.build_history import Build, IndicatorTable, record_build
from smartchange_assets.platform.every_table import TABLES_METADATA, AfterEveryTable
from smartchange_assets.platform.markdown import md_table
from smartchange_assets.platform.resources import WarehouseResource

KEY = dg.AssetKey(["marts", "build_diff"])
DROPS_CHECK = "large_drops"
TOLERANCE_ENV = "SMARTCHANGE_BUILD_DIFF_TOLERANCE"
DROP_WARN_ENV = "SMARTCHANGE_BUILD_DROP_WARN"
ABSOLUTE_FLOOR = 1e-9
# once a day, when the nightly refreshes of both cities have flowed through
DAILY_BUILD_CRON = "0 7 * * *"
INDICATORS = [IndicatorTable(t.label, t.primary_key) for t in (CITY_TABLE, DISTRICT_TABLE)]
SHOWN = 50  # rows per markdown table


def tolerance() -> float:
    return float(os.environ.get(TOLERANCE_ENV, "1e-6"))


def drop_share() -> float:
    value = float(os.environ.get(DROP_WARN_ENV, "0.2"))
    if not 0 < value <= 1:
        raise ValueError(f"{DROP_WARN_ENV} must be a share between 0 and 1, not {value}")
    return value


_CHANGES_SQL = (
    "SELECT table_label, row_key, kind, before, after, reason_before, reason_after FROM ("
    " SELECT coalesce(n.table_label, o.table_label) AS table_label,"
    "  coalesce(n.row_key, o.row_key) AS row_key, o.value AS before, n.value AS after,"
    "  o.null_reason AS reason_before, n.null_reason AS reason_after,"
    "  CASE WHEN n.row_key IS NULL THEN 'removed'"
    "   WHEN n.value IS NULL AND (o.row_key IS NULL OR o.value IS NOT NULL) THEN 'new_null'"
    "   WHEN o.row_key IS NULL THEN 'added'"
    "   WHEN o.value IS NULL AND n.value IS NOT NULL THEN 'filled'"
    "   WHEN n.value IS NOT NULL AND abs(n.value - o.value)"
    "     > greatest(:floor, :tol * abs(o.value)) THEN 'changed' END AS kind"
    " FROM (SELECT * FROM ops.build_indicator WHERE build_id = :new) AS n"
    " FULL JOIN (SELECT * FROM ops.build_indicator WHERE build_id = :old) AS o"
    "  ON n.table_label = o.table_label AND n.row_key = o.row_key) AS d"
    " WHERE kind IS NOT NULL")


def indicator_changes(wh, build: int, previous: int, rel_tol: float,
                      kinds: tuple[str, ...] | None = None,
                      limit: int | None = None) -> pd.DataFrame:
    """Indicator rows that differ between two builds: ``changed`` (beyond the tolerance),
    ``new_null`` (NULL now, a value or no row before), ``filled`` (a value where there was a
    NULL), ``added`` (a new row with a value), ``removed`` (a row gone); only ``kinds`` and at
    most ``limit`` rows when given (computed in Postgres)."""
    params = {"new": build, "old": previous, "tol": rel_tol, "floor": ABSOLUTE_FLOOR}
    where = cap = ""
    if kinds:
        where, params["kinds"] = " AND kind = ANY(:kinds)", list(kinds)
    if limit is not None:
        cap, params["limit"] = " LIMIT :limit", limit
    return wh.read_frame(_CHANGES_SQL + where + " ORDER BY table_label, kind, row_key" + cap,
                         **params)


def indicator_change_counts(wh, build: int, previous: int, rel_tol: float) -> dict[str, int]:
    counts = wh.read_frame(
        f"SELECT kind, count(*) AS n FROM ({_CHANGES_SQL}) AS c GROUP BY kind",
        new=build, old=previous, tol=rel_tol, floor=ABSOLUTE_FLOOR)
    return dict(zip(counts["kind"], counts["n"].astype(int)))


def drops(wh, build: Build, share: float) -> pd.DataFrame:
    """Tables that lost more than ``share`` of their rows, with the rows that payloads rejected
    since explain."""
    rows = []
    for state in build.tables:
        if not state.before or (state.rows or 0) >= state.before * (1 - share):
            continue
        lost = state.before - (state.rows or 0)
        explained = wh.read_frame(
            "SELECT o.payload_sha256, o.row_count - coalesce(n.row_count, 0) AS lost,"
            " r.reason FROM ops.build_payload_rows AS o"
            " JOIN raw.landing_rejection AS r ON r.sha256 = o.payload_sha256"
            " LEFT JOIN ops.build_payload_rows AS n ON n.build_id = :new"
            "  AND n.table_label = o.table_label AND n.payload_sha256 = o.payload_sha256"
            " WHERE o.build_id = :old AND o.table_label = :label"
            "  AND o.row_count > coalesce(n.row_count, 0)",
            new=build.build_id, old=build.previous, label=state.label)
        explained = explained.drop_duplicates("payload_sha256")
        by_rejection = int(explained["lost"].sum()) if len(explained) else 0
        rows.append({
            "table": state.label, "rows_before": state.before, "rows_after": state.rows or 0,
            "lost": lost, "lost_share": round(lost / state.before, 3),
            "explained_by_rejections": by_rejection,
            "unexplained": max(lost - by_rejection, 0) > share * state.before,
            "rejected_payloads": ", ".join(f"{s[:12]} ({r})" for s, r in
                                           zip(explained["payload_sha256"],
                                               explained["reason"])) or "—"})
    return pd.DataFrame(rows, columns=["table", "rows_before", "rows_after", "lost",
                                       "lost_share", "explained_by_rejections", "unexplained",
                                       "rejected_payloads"])


def table_changes(build: Build) -> pd.DataFrame:
    rows = [{"table": s.label, "rows_before": s.before, "rows_after": s.rows,
             "added": s.added, "removed": s.removed, "present": s.present}
            for s in build.tables if s.changed or (s.before is not None) != s.present]
    return pd.DataFrame(rows, columns=["table", "rows_before", "rows_after", "added",
                                       "removed", "present"])


def _drops_result(found: pd.DataFrame, share: float, first: bool) -> dg.AssetCheckResult:
    unexplained = found[found["unexplained"]] if len(found) else found
    if first:
        description = "first build: nothing to compare with"
    elif len(unexplained):
        description = (f"{len(unexplained)} table(s) lost more than {share:.0%} of their rows "
                       "without a rejected payload to explain it: "
                       + ", ".join(f"{r.table} ({r.rows_before:,} → {r.rows_after:,})"
                                   for r in unexplained.itertuples()))
    else:
        description = f"no table lost more than {share:.0%} of its rows unexplained"
    return dg.AssetCheckResult(
        check_name=DROPS_CHECK, passed=not len(unexplained),
        severity=dg.AssetCheckSeverity.WARN, description=description,
        metadata={"drops": dg.MetadataValue.md(md_table(found, SHOWN))})


def build_diff_asset(upstream: list[dg.AssetKey], tables: list[str]) -> dg.AssetsDefinition:
    """The asset, after every table asset in ``upstream`` (their tables: ``tables``)."""

    @dg.asset(
        key=KEY,
        deps=upstream,
        group_name="operations",
        kinds={"postgres"},
        metadata={TABLES_METADATA: dg.MetadataValue.json(tables)},
        description="What this build changed against the previous one: rows added and removed "
                    "per table, indicator values changed beyond the tolerance, new NULLs with "
                    "their reasons (history in schema ops, ops/build_history.py).",
        automation_condition=(
            dg.AutomationCondition.cron_tick_passed(DAILY_BUILD_CRON, "UTC").since_last_handled()
            & ~dg.AutomationCondition.any_deps_in_progress()
            & ~dg.AutomationCondition.in_progress()
        ).with_label("daily at 07:00 UTC, once nothing upstream is running"),
        check_specs=[dg.AssetCheckSpec(
            DROPS_CHECK, asset=KEY, blocking=False,
            description="Warns when a table lost a large share of its rows that no rejected "
                        "payload explains (SMARTCHANGE_BUILD_DROP_WARN, default 20 %).")],
    )
    def build_diff(context: dg.AssetExecutionContext,
                   warehouse: WarehouseResource) -> dg.MaterializeResult:
        return record_and_compare(context.run_id, warehouse.get(), tables, context.log)

    return build_diff


BUILD_DIFF = AfterEveryTable(build_diff_asset)


def record_and_compare(run_id: str, wh, tables: list[str], log) -> dg.MaterializeResult:
    rel_tol, share = tolerance(), drop_share()
    build = record_build(wh, run_id, tables, INDICATORS)
    first = build.previous is None
    changes = table_changes(build)
    found = drops(wh, build, share)
    counts, shown_values, new_nulls = {}, pd.DataFrame(), pd.DataFrame()
    if not first:  # at most SHOWN rows of each table come to Python
        ids = (build.build_id, build.previous, rel_tol)
        counts = indicator_change_counts(wh, *ids)
        shown_values = indicator_changes(
            wh, *ids, kinds=("changed", "filled", "added", "removed"), limit=SHOWN)[
            ["table_label", "row_key", "kind", "before", "after"]]
        new_nulls = indicator_changes(wh, *ids, kinds=("new_null",), limit=SHOWN)[
            ["table_label", "row_key", "before", "reason_after"]]
    log.info("build %s (previous %s): %d table(s) changed, indicator rows %s",
             build.build_id, build.previous, len(changes), counts or "not compared")
    return dg.MaterializeResult(
        metadata={
            "build_id": dg.MetadataValue.int(build.build_id),
            "previous_build": dg.MetadataValue.int(build.previous or 0),
            "tables_compared": dg.MetadataValue.int(sum(s.present for s in build.tables)),
            "tables_changed": dg.MetadataValue.int(len(changes)),
            "rows_added": dg.MetadataValue.int(sum(s.added or 0 for s in build.tables)),
            "rows_removed": dg.MetadataValue.int(sum(s.removed or 0 for s in build.tables)),
            "indicator_values_changed": dg.MetadataValue.int(counts.get("changed", 0)),
            "new_nulls": dg.MetadataValue.int(counts.get("new_null", 0)),
            "tolerance": f"relative {rel_tol:g} (absolute floor {ABSOLUTE_FLOOR:g})",
            "changed_tables": dg.MetadataValue.md(
                "first build: nothing to compare with" if first else md_table(changes, SHOWN)),
            "indicator_rows_added": dg.MetadataValue.int(counts.get("added", 0)),
            "indicator_rows_removed": dg.MetadataValue.int(counts.get("removed", 0)),
            "indicator_values_filled": dg.MetadataValue.int(counts.get("filled", 0)),
            "indicator_changes": dg.MetadataValue.md(md_table(shown_values, SHOWN)),
            "new_null_values": dg.MetadataValue.md(md_table(new_nulls, SHOWN)),
        },
        check_results=[_drops_result(found, share, first)])
