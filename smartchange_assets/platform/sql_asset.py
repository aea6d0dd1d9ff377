"""Tables built by SQL inside Postgres, with their Great Expectations suite as a blocking check.

Past staging, transformations are ``INSERT … SELECT`` in the warehouse (scaling with the
database, not with Python memory), swapped in atomically like every other write.

A time-partitioned table (``partitions=monthly("local_date")``) is loaded a partition range at
a time: ``DELETE`` of the range and ``INSERT … SELECT`` of the same range in one transaction.
The range is applied *around* the table's SELECT (``SELECT * FROM (…) WHERE day in range``), so
a partition holds exactly the rows a full build would put there, whatever the SELECT does
across days; Postgres pushes the filter into the SELECT where that is safe. A full refresh
builds the whole table and swaps it in as before.
"""

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import dagster as dg

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
from smartchange_assets.platform.suites import run_table_suite
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


def build_sql_table(spec: SqlTable) -> tuple[dg.AssetsDefinition, dg.AssetChecksDefinition]:
    static_meta = {"dagster/table_name": spec.table.label,
                   "dagster/column_schema": spec.table.dagster_schema()}
    if spec.partitions is not None:
        spec.partition_column_type()  # fails early on a column the table does not have

    @dg.asset(key=spec.key, deps=list(spec.deps), group_name=spec.group,
              description=f"{spec.description}\n\n{spec.table.docs_markdown()}",
              kinds={"postgres", "sql"}, metadata=static_meta,
              partitions_def=spec.partitions.definition if spec.partitions else None,
              backfill_policy=BACKFILL_POLICY if spec.partitions else None,
              automation_condition=spec.automation_condition,
              tags={"layer": spec.key.path[1] if len(spec.key.path) > 2 else spec.key.path[0],
                    "partitions": cadence_tag(spec.partitions)})
    def sql_asset(context: dg.AssetExecutionContext,
                      warehouse: WarehouseResource) -> dg.MaterializeResult:
        started = time.monotonic()
        wh = warehouse.get()
        window = run_window(context, spec.partitions)
        if window is None:
            rows = wh.replace_table_from_sql(spec.table, spec.select_sql, **spec.params)
        elif window.covers_all:
            rows = wh.replace_table_from_sql(spec.table, spec.select_for(window),
                                             **spec.params, **window.params)
        else:
            rows = wh.replace_partition_from_sql(spec.table, spec.select_for(window),
                                                 spec.row_filter(window), **spec.params,
                                                 **window.params)
        context.log.info("%s: %d rows in %.1f s%s", spec.table.label, rows,
                         time.monotonic() - started, f" ({window.label})" if window else "")
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
        return materialize_result(context, window, metadata, per_partition, summary)

    @dg.asset_check(asset=spec.key, name=GX_SUITE_CHECK, blocking=True,
                    description=f"Great Expectations suite for {spec.table.label}: "
                    + "; ".join(e.label for e in spec.expectations)
                    + ("; on the run's partitions" if spec.partitions else ""))
    def suite(context: dg.AssetCheckExecutionContext,
              warehouse: WarehouseResource) -> dg.AssetCheckResult:
        wh = warehouse.get()
        window = run_window(context, spec.partitions)
        if window is None:
            return run_table_suite(wh, f"SELECT * FROM {spec.table.qualified}",
                                   list(spec.expectations), spec.table.label)
        return run_table_suite(
            wh, f"SELECT * FROM {spec.table.qualified} WHERE {spec.row_filter(window)}",
            list(spec.expectations), spec.table.label,
            extra_metadata={"partitions": dg.MetadataValue.text(window.label)}, **window.params)

    return sql_asset, suite


def _rows_per_partition(wh, spec: SqlTable, window: PartitionWindow) -> dict[str, int]:
    day = row_day_sql(spec.partitions.column, spec.partition_column_type())
    key = key_sql(day, spec.partitions.cadence)
    counts = wh.read_frame(f"SELECT {key} AS k, count(*) AS n FROM {spec.table.qualified} "
                           f"WHERE {spec.row_filter(window)} GROUP BY 1", **window.params)
    return dict(zip(counts["k"], counts["n"].astype(int)))
