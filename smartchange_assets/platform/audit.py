"""Write-audit-publish: a table's blocking checks judge its new version before anyone sees it.

A :class:`TableCheck` is declared beside its table (a module-level object, found like every
other definition) and evaluated on an :class:`Audit`: the version of the table under audit –
the shadow a run just wrote (:class:`~.warehouse.Shadow`), or the live table when a check is
run on its own from the UI. The asset that writes the table runs its checks itself
(Dagster ``check_specs``), between writing the shadow and publishing it:

* every check passed (non-blocking ones may fail) → the shadow is published and the asset
  reports a materialisation carrying the check results;
* a blocking check failed → nothing is published: the previous version stays live and
  readable, the shadow is kept in schema ``audit`` (named in each result's metadata), the
  check results are reported as failed, and the step fails with no materialisation, so
  nothing downstream runs and automation waits for a passing run.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import dagster as dg

from smartchange_assets.platform.partitions import PartitionWindow
from smartchange_assets.platform.quality import Relation, render_query, table
from smartchange_assets.platform.secrets import redact_text
from smartchange_assets.platform.tables import TableSpec
from smartchange_assets.platform.warehouse import Shadow, Warehouse

KEPT_VERSION = "kept_for_inspection"


@dataclass(frozen=True)
class Audit:
    """One version of one table, as a check reads it.

    ``relation`` is the qualified name to read; ``rows_sql`` selects the rows under audit
    (all of a shadow; the run's partitions of a live partitioned table), with ``params``.
    ``context`` carries what the writer knows beyond the table (a staging load's payload
    bookkeeping, for the reconciliation check)."""

    wh: Warehouse
    table: TableSpec
    relation: str
    window: PartitionWindow | None = None
    row_filter: str | None = None  # SQL on the table's columns; only for a live table
    published: bool = False
    context: dict = field(default_factory=dict)
    # columns the version under audit is known to be unique on: its primary key, built on the
    # shadow before the audit (Warehouse.add_key); empty when unknown
    unique_key: tuple[str, ...] = ()

    @property
    def suite_relation(self) -> Relation:
        """What a Great Expectations suite reads: the table itself, or its rows under audit."""
        if self.row_filter:
            return render_query(self.rows_sql, **self.params)
        schema, name = (part.strip('"') for part in self.relation.split(".", 1))
        return table(schema, name)

    @property
    def rows_sql(self) -> str:
        where = f" WHERE {self.row_filter}" if self.row_filter else ""
        return f"SELECT * FROM {self.relation}{where}"

    @property
    def params(self) -> dict:
        return self.window.params if self.window is not None and self.row_filter else {}


@dataclass(frozen=True)
class TableCheck:
    """A check of one table, evaluated on the version under audit."""

    asset: dg.AssetKey
    name: str
    description: str
    evaluate: Callable[[Audit], dg.AssetCheckResult]
    blocking: bool = True
    # other assets the check reads (e.g. the dimensions an integrity check joins)
    reads: tuple[dg.AssetKey, ...] = ()

    def spec(self) -> dg.AssetCheckSpec:
        return dg.AssetCheckSpec(self.name, asset=self.asset, description=self.description,
                                 blocking=self.blocking,
                                 additional_deps=[k for k in self.reads if k != self.asset])


class AuditFailed(Exception):
    """A blocking check failed on the new version; nothing was published."""

    def __init__(self, message: str, results: list[dg.AssetCheckResult]):
        super().__init__(message)
        self.results = results


def run_checks(checks: Sequence[TableCheck], audit: Audit,
               selected: set[str] | None = None) -> list[dg.AssetCheckResult]:
    """Evaluate ``checks`` (those named in ``selected``, or all) on ``audit``. A check that
    raises fails (blocking or not, never a pass), with the error's type and redacted text."""
    results = []
    for check in checks:
        if selected is not None and check.name not in selected:
            continue
        try:
            result = check.evaluate(audit)
        except Exception as exc:  # a broken check is a failed check, named and explained
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            result = dg.AssetCheckResult(
                passed=False, severity=dg.AssetCheckSeverity.ERROR,
                description=f"the check could not run: {type(exc).__name__}: "
                            f"{redact_text(str(exc))[:500]}",
                metadata={"where": f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"})
        results.append(_named(result, check))
    return results


def _named(result: dg.AssetCheckResult, check: TableCheck,
           more: dict | None = None) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=check.asset, check_name=check.name, passed=result.passed,
        severity=result.severity if check.blocking else dg.AssetCheckSeverity.WARN,
        description=result.description, metadata={**(result.metadata or {}), **(more or {})})


def failed_blocking(checks: Sequence[TableCheck],
                    results: Sequence[dg.AssetCheckResult]) -> list[str]:
    blocking = {c.name for c in checks if c.blocking}
    return [r.check_name for r in results if not r.passed and r.check_name in blocking]


def audit_and_publish(wh: Warehouse, shadow: Shadow, checks: Sequence[TableCheck], audit: Audit,
                      publish: Callable[[], None], run_id: str) -> list[dg.AssetCheckResult]:
    """Give the shadow its key, run the checks on it; publish it if no blocking check failed,
    else keep it in schema ``audit`` and raise :class:`AuditFailed` with the results."""
    if wh.add_key(shadow):
        audit = replace(audit, unique_key=tuple(shadow.table.primary_key))
    results = run_checks(checks, audit)
    failed = failed_blocking(checks, results)
    if not failed:
        publish()
        return results
    label = audit.window.label if audit.window is not None else None
    kept = wh.keep_for_audit(shadow, run_id, failed, label)
    pointer = {KEPT_VERSION: dg.MetadataValue.text(
        f"{kept} (the version that failed; {shadow.table.label} still holds the previous one)")}
    marked = [dg.AssetCheckResult(asset_key=r.asset_key, check_name=r.check_name,
                                  passed=r.passed, severity=r.severity,
                                  description=r.description,
                                  metadata={**(r.metadata or {}), **pointer})
              for r in results]
    raise AuditFailed(f"{shadow.table.label}: not published, blocking check(s) "
                      f"{', '.join(failed)} failed on the new version"
                      f"{f' ({label})' if label else ''}; the previous version stays live; "
                      f"the failed version is kept as {kept}", marked)


def checks_read(checks: Sequence[TableCheck]) -> list[dg.AssetKey]:
    """Other assets the checks read: the asset that runs them must wait for them (a check of
    the new version runs before it is published, inside the asset's step)."""
    own = {c.asset for c in checks}
    return sorted({k for c in checks for k in c.reads} - own, key=lambda k: k.to_user_string())


def check_specs(checks: Sequence[TableCheck]) -> list[dg.AssetCheckSpec]:
    names = [c.name for c in checks]
    duplicated = {n for n in names if names.count(n) > 1}
    if duplicated:
        raise ValueError(f"{checks[0].asset.to_user_string()}: checks {sorted(duplicated)} "
                         "are declared twice")
    return [c.spec() for c in checks]


def write_audit_publish(context, wh: Warehouse, table: TableSpec,
                        checks: Sequence[TableCheck], fill: Callable[[Shadow], int],
                        window: PartitionWindow | None = None,
                        publish: Callable[[Shadow], None] | None = None,
                        audit_context: dict | None = None,
                        prepare: Callable[[Shadow], None] | None = None,
                        ) -> tuple[int, list[dg.AssetCheckResult]]:
    """The whole cycle for one table, under its writer lock: a shadow, ``fill`` it (rows
    written), ``prepare`` it (e.g. revoke readers' grants), audit it with ``checks``, and
    ``publish`` it (default: swap in the whole table). Raises :class:`AuditFailed`."""
    with wh.writer(table, on_wait=lambda s: context.log.info(
            "%s: waiting %.0f s for another run writing it", table.label, s)):
        shadow = wh.create_shadow(table, context.run_id)
        if prepare is not None:
            prepare(shadow)
        try:
            rows = fill(shadow)
        except Exception:  # not swallowed: the half-written shadow goes, the error is re-raised
            wh.drop_shadow(shadow)
            raise
        audit = Audit(wh, table, shadow.qualified, window, context=audit_context or {})
        results = audit_and_publish(
            wh, shadow, checks, audit,
            (lambda: publish(shadow)) if publish is not None else (lambda: wh.publish(shadow)),
            context.run_id)
    return rows, results
