"""Great Expectations suites as blocking Dagster checks: the ``gx_suite`` of every table.

:func:`run_table_suite` runs a suite on the rows a SELECT returns and reports the outcome as a
check result (each expectation with its observed value, unexpected count and a few examples);
:func:`staging_suite_check` builds a staging table's suite from its spec, adding what only the
payloads know (the row count they staged, the period each one covers).
"""

import dagster as dg

from smartchange_assets.platform import partition_load, quality
from smartchange_assets.platform.audit import TableCheck
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.spec import GX_SUITE_CHECK, SourceSpec
from smartchange_assets.platform.staging import published_load


def suite_result(audit, expectations: list[Expect], relation=None,
                 extra_metadata: dict | None = None, *, same_rows: bool = False
                 ) -> dg.AssetCheckResult:
    """A suite's outcome on the version under audit (``relation``: what to read, by default
    the audit's rows; ``same_rows``: a relation with exactly the audit's rows, so the key of
    the version under audit holds on it too), as a check result."""
    keyed = relation is None or same_rows
    relation = relation or audit.suite_relation
    outcome = quality.run_suite(audit.wh.url, relation, expectations,
                                suite_name=audit.table.label,
                                unique_key=audit.unique_key if keyed else ())
    rows = int(audit.wh.scalar(f"SELECT count(*) FROM ({relation.sql}) AS r"
                               if relation.query else f"SELECT count(*) FROM {relation.sql}"))
    return _result(outcome, rows, {
        **({"partitions": dg.MetadataValue.text(audit.window.label)} if audit.window else {}),
        **(extra_metadata or {})})


def _result(outcome, rows: int, extra_metadata: dict) -> dg.AssetCheckResult:
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
            **extra_metadata,
        })


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


def staging_suite_check(spec: SourceSpec) -> TableCheck:
    """The blocking ``gx_suite`` check of a source's staging table: the spec's expectations,
    plus what only the load knows (the rows it staged, the period of each payload)."""
    return TableCheck(
        spec.staging_key, GX_SUITE_CHECK,
        f"Great Expectations suite for {spec.staging.label}: "
        + "; ".join(e.label for e in spec.expectations)
        + "; row count equals the payloads' staged rows; dates inside each payload's period",
        lambda audit: _staging_suite(spec, audit))


def _staging_suite(spec: SourceSpec, audit) -> dg.AssetCheckResult:
    load = audit.context.get("load") or published_load(audit.wh, spec, audit.window)
    if audit.window is None:
        staged_total = int(load.reconciliation["staged"].sum()) if len(load.reconciliation) \
            else 0
    else:
        staged_total = partition_load.staged_in_window(load.partition_rows, audit.window)
    expectations = [*spec.expectations, quality.row_count_equals(staged_total)]
    if not spec.date_column:
        return suite_result(audit, expectations)
    # the rows under audit (a shadow, or a live table's partitions), each with its payload's
    # period from the manifest
    select = (
        f'SELECT s.*, (m.period_start IS NULL OR s."{spec.date_column}"::date '
        f"BETWEEN m.period_start AND m.period_end) AS date_in_payload_period "
        f"FROM ({audit.rows_sql}) AS s LEFT JOIN (SELECT DISTINCT ON (sha256) sha256, "
        f"period_start, period_end FROM raw.landing_manifest WHERE source = :source "
        f"ORDER BY sha256, fetched_at) AS m ON m.sha256 = s.payload_sha256")
    relation = quality.render_query(select, source=spec.source_id, **audit.params)
    # one row per row under audit (the manifest side is one row per payload)
    return suite_result(audit, [*expectations,
                                quality.in_set("date_in_payload_period", [True])], relation,
                        same_rows=True)
