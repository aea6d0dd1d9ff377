"""Materialise one source (raw, staging and its checks) on a given warehouse, in process.

Used by the per-source tests, so that each source is exercised through the same Dagster
wiring as in production, on a real Postgres database.
"""

from __future__ import annotations

import dagster as dg

from smartchange_assets.platform.source import SourceSpec, build_source
from smartchange_assets.resources import PortalResource, WarehouseResource


def materialize_source(spec: SourceSpec, warehouse_url: str, *extra_assets,
                       raise_on_error: bool = False) -> dg.ExecuteInProcessResult:
    assets, checks = build_source(spec)
    return dg.materialize(
        [*extra_assets, *assets, *checks],
        resources={"warehouse": WarehouseResource(url=warehouse_url),
                   "portal": PortalResource(mode="replay")},
        raise_on_error=raise_on_error,
    )


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    """``{"asset/key:check_name": passed}`` for every check evaluated in the run."""
    return {f"{e.asset_key.to_user_string()}:{e.check_name}": e.passed
            for e in result.get_asset_check_evaluations()}
