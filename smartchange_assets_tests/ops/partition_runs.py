"""Run assets over a partition range in one run, as a single-run backfill does, and read a
table's partitions back (content fingerprints, and the transaction that wrote each row).

Also what the GraphQL backfill test of the UI needs: :data:`BACKFILL_SOURCE` and the asset keys
and partition keys of a twelve-month backfill.
"""

from __future__ import annotations

import dagster as dg

from smartchange_assets.platform.partitions import key_sql, range_tags, row_day_sql
from smartchange_assets.platform.resources import PortalResource, WarehouseResource
from smartchange_assets.platform.tables import TableSpec

# the source a twelve-month backfill is shown on: ISPU 2023 spans two payloads' periods
# (Dec 2022–Nov 2023 and 2024), so a year's partitions read one payload and leave its
# December 2022 rows to their own partition
BACKFILL_SOURCE = "jakarta/ispu"
BACKFILL_FIRST, BACKFILL_LAST = "2023-01-01", "2023-12-01"


def with_upstream(*keys: dg.AssetKey) -> list[dg.AssetsDefinition]:
    """The code location's assets writing ``keys`` and everything upstream of them (with the
    dimensions their checks read), each with the checks it runs."""
    from smartchange_assets.definitions import LOCATION

    graph = dg.Definitions(assets=LOCATION.assets, resources={
        "warehouse": WarehouseResource(), "portal": PortalResource()}).resolve_asset_graph()
    needed = dg.AssetSelection.assets(*keys).upstream().resolve(graph)
    return LOCATION.assets_for(*needed)


def run_range(assets: list, warehouse_url: str, first: str, last: str,
              instance: dg.DagsterInstance | None = None) -> dg.ExecuteInProcessResult:
    """One run over partitions ``first``…``last`` of the given assets and checks."""
    assets_defs = [a for a in assets if isinstance(a, dg.AssetsDefinition)
                   and not isinstance(a, dg.AssetChecksDefinition)]
    checks = [a for a in assets if isinstance(a, dg.AssetChecksDefinition)]
    defs = dg.Definitions(
        assets=assets_defs, asset_checks=checks,
        jobs=[dg.define_asset_job("partition_range", selection=dg.AssetSelection.all())],
        resources={"warehouse": WarehouseResource(url=warehouse_url),
                   "portal": PortalResource(mode="replay")})
    job = defs.resolve_job_def("partition_range")
    return job.execute_in_process(instance=instance or dg.DagsterInstance.ephemeral(),
                                  tags=range_tags(first, last), raise_on_error=False)


def partition_fingerprints(wh, table: TableSpec, column: str, cadence: str = "monthly",
                           ) -> dict[str, str]:
    """Per partition key: an md5 of the rows' content. Doubles are compared to 12 significant
    digits: an average over the same values summed in another order (another query plan)
    differs in the last bits, and that is not a different table."""
    import hashlib

    day = row_day_sql(column, _type(table, column), "t")
    frame = wh.read_frame(f"SELECT {key_sql(day, cadence)} AS partition_key, t.* "
                          f"FROM {table.qualified} t")
    doubles = [c.name for c in table.columns if c.sql_type == "double precision"]
    for name in doubles:
        frame[name] = frame[name].map(lambda v: None if v is None or v != v else f"{v:.12g}")
    out = {}
    for key, rows in frame.groupby("partition_key"):
        lines = sorted("|".join(map(str, r)) for r in
                       rows.drop(columns="partition_key").itertuples(index=False))
        out[key] = hashlib.md5("\n".join(lines).encode()).hexdigest()
    return out


def partition_writers(wh, table: TableSpec, column: str, cadence: str = "monthly",
                      ) -> dict[str, str]:
    """Per partition key: the transactions that wrote its rows (``xmin``) and where the rows
    sit (``ctid``). A partition nobody touched keeps both, byte for byte."""
    day = row_day_sql(column, _type(table, column), "t")
    frame = wh.read_frame(
        f"SELECT {key_sql(day, cadence)} AS k, md5(string_agg(t.xmin::text || t.ctid::text, '|'"
        f" ORDER BY t.ctid)) AS f FROM {table.qualified} t GROUP BY 1")
    return dict(zip(frame["k"], frame["f"]))


def _type(table: TableSpec, column: str) -> str:
    return next(c.sql_type for c in table.columns if c.name == column)
