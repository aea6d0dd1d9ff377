"""Great Expectations suites as blocking Dagster checks: the ``gx_suite`` of every table.

:func:`run_table_suite` runs a suite on the rows a SELECT returns and reports the outcome as a
check result (each expectation with its observed value, unexpected count and a few examples);
:func:`staging_suite_check` builds a staging table's suite from its spec, adding what only the
payloads know (the row count they staged, the period each one covers).
"""

import dagster as dg

from smartchange_assets.platform import partition_load, quality
from smartchange_assets.platform.partitions import PartitionWindow, run_window
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.resources import WarehouseResource
from smartchange_assets.platform.spec import GX_SUITE_CHECK, SourceSpec


def run_table_suite(wh, select: str, expectations: list[Expect], label: str,
                    extra_metadata: dict | None = None, **params) -> dg.AssetCheckResult:
    """Run a GX suite, inside Postgres, on the rows ``select`` returns and report it as a check
    result; no row is read into Python but the bounded samples of unexpected values."""
    relation = quality.render_query(select, **params)
    outcome = quality.run_suite(wh.url, relation, expectations, suite_name=label)
    rows = int(wh.scalar(f"SELECT count(*) FROM ({relation.sql}) AS r"))
    failed = [r for r in outcome.results if not r.success]
    return dg.AssetCheckResult(
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR,
        description=("all expectations met" if outcome.success else
                     "failed: " + ", ".join(r.expectation for r in failed)),
        metadata={
            "expectations": dg.MetadataValue.md(outcome.to_markdown()),
            "evaluated": dg.MetadataValue.int(len(outcome.results)),
            "failed": dg.MetadataValue.int(len(failed)),
            "rows_checked": dg.MetadataValue.int(rows),
            **(extra_metadata or {}),
        })


def staging_suite_check(spec: SourceSpec) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=spec.staging_key, name=GX_SUITE_CHECK, blocking=True,
        description=(f"Great Expectations suite for {spec.staging.label}: "
                     + "; ".join(e.label for e in spec.expectations)
                     + "; row count equals the payloads' staged rows; dates inside each "
                       "payload's period"))
    def check(context: dg.AssetCheckExecutionContext,
              warehouse: WarehouseResource) -> dg.AssetCheckResult:
        wh = warehouse.get()
        window = run_window(context, spec.partitions)
        select, more = staging_suite_query(wh, spec, window)
        return run_table_suite(
            wh, select, [*spec.expectations, *more], spec.staging.label,
            extra_metadata={"partitions": dg.MetadataValue.text(window.label)} if window else None,
            source=spec.source_id, **(window.params if window else {}))

    return check


def staging_suite_query(wh, spec: SourceSpec,
                        window: PartitionWindow | None = None) -> tuple[str, list[Expect]]:
    """The frame the suite reads, plus the expectations that depend on the payloads: the row
    count reconciles with the payloads (with the loads' records of the window's partitions,
    when partitioned), and dates lie inside each payload's period."""
    if window is None:
        staged_total = int(wh.scalar(
            "SELECT coalesce(sum(staged), 0) FROM raw.payload_reconciliation WHERE source = :s",
            s=spec.source_id))
    else:
        staged_total = partition_load.staged_in_window(wh, spec, window)
    expectations = [quality.row_count_equals(staged_total)]
    where = f" WHERE {partition_load.row_filter(spec, window, 's')}" if window else ""
    if not spec.date_column:
        return f"SELECT * FROM {spec.staging.qualified} s{where}", expectations
    select = (
        f'SELECT s.*, (m.period_start IS NULL OR s."{spec.date_column}"::date '
        f"BETWEEN m.period_start AND m.period_end) AS date_in_payload_period "
        f"FROM {spec.staging.qualified} s LEFT JOIN (SELECT DISTINCT ON (sha256) sha256, "
        f"period_start, period_end FROM raw.landing_manifest WHERE source = :source "
        f"ORDER BY sha256, fetched_at) m ON m.sha256 = s.payload_sha256{where}")
    expectations.append(quality.in_set("date_in_payload_period", [True]))
    return select, expectations
