"""Tables built by SQL inside Postgres, with their Great Expectations suite as a blocking check.

Past staging, transformations are ``INSERT … SELECT`` in the warehouse (scaling with the
database, not with Python memory), swapped in atomically like every other write.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import dagster as dg

from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.source import GX_SUITE_CHECK, run_table_suite
from smartchange_assets.platform.tables import TableSpec, table_metadata
from smartchange_assets.resources import WarehouseResource


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


def build_sql_table(spec: SqlTable) -> tuple[dg.AssetsDefinition, dg.AssetChecksDefinition]:
    static_meta = {"dagster/table_name": spec.table.label,
                   "dagster/column_schema": spec.table.dagster_schema()}

    @dg.asset(key=spec.key, deps=list(spec.deps), group_name=spec.group,
              description=f"{spec.description}\n\n{spec.table.docs_markdown()}",
              kinds={"postgres", "sql"}, metadata=static_meta,
              tags={"layer": spec.key.path[1] if len(spec.key.path) > 2 else spec.key.path[0]})
    def sql_asset(context: dg.AssetExecutionContext,
                      warehouse: WarehouseResource) -> dg.MaterializeResult:
        started = time.monotonic()
        wh = warehouse.get()
        rows = wh.replace_table_from_sql(spec.table, spec.select_sql)
        context.log.info("%s: %d rows in %.1f s", spec.table.label, rows,
                         time.monotonic() - started)
        metadata = table_metadata(spec.table, rows)
        if spec.column_lineage is not None:
            metadata["dagster/column_lineage"] = spec.column_lineage
        if spec.after_load is not None:
            metadata.update(spec.after_load(wh))
        return dg.MaterializeResult(metadata=metadata)

    @dg.asset_check(asset=spec.key, name=GX_SUITE_CHECK, blocking=True,
                    description=f"Great Expectations suite for {spec.table.label}: "
                    + "; ".join(e.label for e in spec.expectations))
    def suite(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        wh = warehouse.get()
        return run_table_suite(wh, f"SELECT * FROM {spec.table.qualified}",
                               list(spec.expectations), spec.table.label)

    return sql_asset, suite
