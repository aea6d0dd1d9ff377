"""Tables built in Python, written like every other table: copied into a shadow, audited by the
table's checks, then published.

* ``frame``: a small table the code itself holds (curated lists, mappings), one frame;
* ``frames``: a table computed from the warehouse where SQL cannot compute it (geometry:
  shapely has no Postgres counterpart here), handed over in batches (one payload at a time),
  each copied into the shadow as it comes, so memory stays bounded by a batch.
"""

from collections.abc import Callable, Iterable, Sequence
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
from smartchange_assets.platform.warehouse import Shadow, Warehouse


@dataclass(frozen=True)
class FrameTable:
    key: dg.AssetKey
    table: TableSpec
    frame: Callable[[], pd.DataFrame] | None
    deps: Sequence[dg.AssetKey]
    description: str
    group: str
    tags: dict = field(default_factory=dict)
    # more metadata from the frame (counts of kinds, …); with ``frames``: from the warehouse
    # once the table is written (``summary(wh, relation)``)
    summary: Callable[..., dict] | None = None
    # instead of ``frame``: the table's rows in batches, computed from the warehouse
    frames: Callable[[Warehouse], Iterable[pd.DataFrame]] | None = None

    def __post_init__(self):
        if (self.frame is None) == (self.frames is None):
            raise ValueError(f"{self.table.label}: give either frame or frames")


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
        frame = spec.frame() if spec.frame is not None else None
        summary: dict = {}

        def fill(shadow: Shadow) -> int:
            if frame is not None:
                return wh.copy_into(shadow, frame)
            rows = sum(wh.copy_into(shadow, batch) for batch in spec.frames(wh))
            if spec.summary:
                summary.update(spec.summary(wh, shadow.qualified))
            return rows

        try:
            rows, results = write_audit_publish(context, wh, spec.table, checks, fill)
        except AuditFailed as failed:
            yield from failed.results
            raise dg.Failure(str(failed)) from None
        if frame is not None and spec.summary:
            summary = spec.summary(frame)
        yield dg.MaterializeResult(
            asset_key=spec.key,
            metadata={**table_metadata(spec.table, rows), **summary},
            check_results=[r for r in results if r.check_name in selected])

    return frame_asset
