"""Small tables the code itself holds (curated lists, mappings), written like every other table:
the frame is copied into a shadow, audited by the table's checks, then published."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import dagster as dg
import pandas as pd

from smartchange_assets.platform.audit import (
    Audit,
    AuditFailed,
    TableCheck,
    check_specs,
    checks_read,
    run_checks,
    write_audit_publish,
)
from smartchange_assets.platform.resources import WarehouseResource
from smartchange_assets.platform.tables import TableSpec, table_metadata


@dataclass(frozen=True)
class FrameTable:
    key: dg.AssetKey
    table: TableSpec
    frame: Callable[[], pd.DataFrame]
    deps: Sequence[dg.AssetKey]
    description: str
    group: str
    tags: dict = field(default_factory=dict)
    # more metadata from the frame (counts of kinds, …)
    summary: Callable[[pd.DataFrame], dict] | None = None


def build_frame_table(spec: FrameTable, checks: Sequence[TableCheck]) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name="__".join(spec.key.path),
        specs=[dg.AssetSpec(
            spec.key, deps=[*spec.deps, *(k for k in checks_read(checks)
                                         if k not in spec.deps)],
            group_name=spec.group,
            description=f"{spec.description}\n\n{spec.table.docs_markdown()}",
            kinds={"postgres", "pandas"}, tags=spec.tags,
            metadata={"dagster/table_name": spec.table.label,
                      "dagster/column_schema": spec.table.dagster_schema()})],
        check_specs=check_specs(checks), can_subset=True)
    def frame_asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        wh = warehouse.get()
        selected = {k.name for k in context.selected_asset_check_keys}
        if spec.key not in context.selected_asset_keys:  # checks run alone: the live table
            yield from run_checks(checks, Audit(wh, spec.table, spec.table.qualified,
                                                published=True), selected)
            return
        frame = spec.frame()
        try:
            rows, results = write_audit_publish(context, wh, spec.table, checks,
                                                lambda shadow: wh.copy_into(shadow, frame))
        except AuditFailed as failed:
            yield from failed.results
            raise dg.Failure(str(failed)) from None
        yield dg.MaterializeResult(
            asset_key=spec.key,
            metadata={**table_metadata(spec.table, rows),
                      **(spec.summary(frame) if spec.summary else {})},
            check_results=[r for r in results if r.check_name in selected])

    return frame_asset
