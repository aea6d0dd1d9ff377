"""Tables built by SQL inside Postgres, written, audited and published (write-audit-publish).

Past staging, transformations are ``INSERT … SELECT`` in the warehouse, scaling with the
database rather than with Python memory. A run builds the new version under a shadow name,
runs the table's blocking checks on it – its Great Expectations suite (``gx_suite``) and every
:class:`~.audit.TableCheck` declared for the table – and publishes it only if they passed
(:mod:`.audit`). A reader never sees a version whose blocking checks failed.

A time-partitioned table (``partitions=monthly("local_date")``) is written a partition range
at a time: the shadow holds the range's rows, and publishing replaces exactly those rows. The
range is applied *around* the table's SELECT (``SELECT * FROM (…) WHERE day in range``), so a
partition holds exactly the rows a full build would put there, whatever the SELECT does across
days; Postgres pushes the filter into the SELECT where that is safe. A full refresh builds the
whole table and swaps it in.
"""

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import dagster as dg

from smartchange_assets.platform.audit import (
    Audit,
    AuditFailed,
    TableCheck,
    audit_and_publish,
    check_specs,
    checks_read,
    run_checks,
)
from smartchange_assets.platform.automation import AFTER_UPSTREAM
from smartchange_assets.platform.partitions import (
    BACKFILL_POLICY,
    Partitioning,
    PartitionWindow,
    cadence_tag,
    key_sql,
    materialize_result,
    row_day_sql,
    run_window,
)
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.resources import WarehouseResource
from smartchange_assets.platform.spec import GX_SUITE_CHECK
from smartchange_assets.platform.suites import suite_result
from smartchange_assets.platform.tables import TableSpec, table_metadata


@dataclass(frozen=True)
class SqlTable:
    key: dg.AssetKey
    table: TableSpec
    select_sql: str
    deps: Sequence[dg.AssetKey]
    description: str
    group: str
    expectations: tuple[Expect, ...]
    column_lineage: dg.TableColumnLineage | None = None
    # extra metadata computed after the load (charts, summaries)
    after_load: Callable[[object], dict] | None = None
    # time partitions; the Partitioning must name the output column that dates a row
    partitions: Partitioning | None = None
    # when the table updates by itself (default: after its upstreams, once their blocking
    # checks passed); None switches automation off for this table
    automation_condition: dg.AutomationCondition | None = AFTER_UPSTREAM
    # the values bound to select_sql's :parameters (platform.sql_files.bind)
    params: Mapping[str, object] = field(default_factory=dict)

    def partition_column_type(self) -> str:
        column = self.partitions.column
        types = {c.name: c.sql_type for c in self.table.columns}
        if column not in types:
            raise ValueError(f"{self.table.label}: partition column {column!r} is not a column")
        return types[column]

    def row_filter(self, window: PartitionWindow, alias: str | None = None) -> str:
        return window.sql_filter(row_day_sql(self.partitions.column,
                                             self.partition_column_type(), alias))

    def select_for(self, window: PartitionWindow) -> str:
        """The table's SELECT restricted to the window's rows."""
        return (f"SELECT * FROM ({self.select_sql}\n) AS partition_rows "
                f"WHERE {self.row_filter(window, 'partition_rows')}")

    def suite_check(self) -> TableCheck:
        """The table's Great Expectations suite, as the blocking ``gx_suite`` check."""
        return TableCheck(
            self.key, GX_SUITE_CHECK,
            f"Great Expectations suite for {self.table.label}: "
            + "; ".join(e.label for e in self.expectations)
            + ("; on the run's partitions" if self.partitions else ""),
            lambda audit: suite_result(audit, list(self.expectations)))


def build_sql_table(spec: SqlTable, checks: Sequence[TableCheck] = ()
                    ) -> dg.AssetsDefinition:
    """The asset writing ``spec``: its suite and ``checks`` judge each new version before it
    is published."""
    if spec.partitions is not None:
        spec.partition_column_type()  # fails early on a column the table does not have
    table_checks = [spec.suite_check(), *checks]

    @dg.multi_asset(
        name="__".join(spec.key.path),
        specs=[dg.AssetSpec(
            spec.key, deps=[*spec.deps, *(k for k in checks_read(table_checks)
                                         if k not in spec.deps)],
            group_name=spec.group,
            description=f"{spec.description}\n\n{spec.table.docs_markdown()}",
            kinds={"postgres", "sql"},
            metadata={"dagster/table_name": spec.table.label,
                      "dagster/column_schema": spec.table.dagster_schema()},
            automation_condition=spec.automation_condition,
            tags={"layer": spec.key.path[1] if len(spec.key.path) > 2 else spec.key.path[0],
                  "partitions": cadence_tag(spec.partitions)})],
        check_specs=check_specs(table_checks),
        can_subset=True,
        partitions_def=spec.partitions.definition if spec.partitions else None,
        backfill_policy=BACKFILL_POLICY if spec.partitions else None)
    def sql_asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        wh = warehouse.get()
        window = run_window(context, spec.partitions)
        selected = {k.name for k in context.selected_asset_check_keys}
        if spec.key not in context.selected_asset_keys:  # checks run alone: the live table
            yield from run_checks(table_checks, _live_audit(wh, spec, window), selected)
            return
        started = time.monotonic()
        with wh.writer(spec.table, on_wait=lambda s: context.log.info(
                "%s: waiting %.0f s for another run writing it", spec.table.label, s)):
            shadow = wh.create_shadow(spec.table, context.run_id)
            params = {**spec.params, **(window.params if window else {})}
            select = spec.select_sql if window is None else spec.select_for(window)
            rows = wh.insert_into(shadow, select, **params)
            audit = Audit(wh, spec.table, shadow.qualified, window)
            if window is None or window.covers_all:
                publish = lambda: wh.publish(shadow)  # noqa: E731
            else:
                publish = lambda: wh.publish_partitions(  # noqa: E731
                    shadow, spec.row_filter(window), window.params)
            try:
                results = audit_and_publish(wh, shadow, table_checks, audit, publish,
                                            context.run_id)
            except AuditFailed as failed:
                yield from failed.results
                raise dg.Failure(str(failed)) from None
        context.log.info("%s: %d rows written, audited and published in %.1f s%s",
                         spec.table.label, rows, time.monotonic() - started,
                         f" ({window.label})" if window else "")
        metadata = {**table_metadata(spec.table, rows),
                    "rows_loaded": dg.MetadataValue.int(rows)}
        if window is not None:
            metadata["partitions"] = dg.MetadataValue.text(window.label)
        summary = {}
        if spec.column_lineage is not None:
            summary["dagster/column_lineage"] = spec.column_lineage
        if spec.after_load is not None:
            summary.update(spec.after_load(wh))
        per_partition = (_rows_per_partition(wh, spec, window)
                         if window is not None and len(window.keys) > 1 else
                         {window.keys[0]: rows} if window is not None else None)
        result = materialize_result(context, window, metadata, per_partition, summary,
                                    asset_key=spec.key)
        yield dg.MaterializeResult(asset_key=spec.key, metadata=result.metadata,
                                   check_results=[r for r in results
                                                  if r.check_name in selected])

    return sql_asset


def _live_audit(wh, spec: SqlTable, window: PartitionWindow | None) -> Audit:
    partial = window is not None and not window.covers_all
    return Audit(wh, spec.table, spec.table.qualified, window,
                 row_filter=spec.row_filter(window) if partial else None, published=True)


def _rows_per_partition(wh, spec: SqlTable, window: PartitionWindow) -> dict[str, int]:
    day = row_day_sql(spec.partitions.column, spec.partition_column_type())
    key = key_sql(day, spec.partitions.cadence)
    counts = wh.read_frame(f"SELECT {key} AS k, count(*) AS n FROM {spec.table.qualified} "
                           f"WHERE {spec.row_filter(window)} GROUP BY 1", **window.params)
    return dict(zip(counts["k"], counts["n"].astype(int)))

