"""Materialise one source (raw, staging and its checks) on a given warehouse, in process.

Used by the per-source tests, so that each source is exercised through the same Dagster
wiring as in production, on a real Postgres database. Assets the source's transform reads
(``extra_deps``, e.g. the Jakarta area reference) are materialised with it.
"""

from __future__ import annotations

import dagster as dg

from smartchange_assets.platform.resources import PortalResource, WarehouseResource
from smartchange_assets.platform.source_assets import build_source
from smartchange_assets.platform.spec import SourceSpec


def upstream_assets(spec: SourceSpec) -> list[dg.AssetsDefinition]:
    """The assets behind ``spec.extra_deps``, with their own raw assets when they are another
    source's staging table (resources unbound, so the harness can bind its own)."""
    from smartchange_assets.definitions import LOCATION, SOURCES

    unbound = {key: a for a in LOCATION.assets for key in a.keys}
    assets: list[dg.AssetsDefinition] = []
    for key in spec.extra_deps:
        other = next((s for s in SOURCES if s.staging_key == key), None)
        assets += build_source(other)[0] if other else [unbound[key]]
    return assets


def materialize_source(spec: SourceSpec, warehouse_url: str, *extra_assets,
                       raise_on_error: bool = False) -> dg.ExecuteInProcessResult:
    assets, checks = build_source(spec)
    chosen: dict = {}
    for asset in [*upstream_assets(spec), *extra_assets, *assets, *checks]:
        chosen.setdefault(tuple(sorted(asset.keys)) or id(asset), asset)
    return dg.materialize(
        list(chosen.values()),
        resources={"warehouse": WarehouseResource(url=warehouse_url),
                   "portal": PortalResource(mode="replay")},
        raise_on_error=raise_on_error,
    )


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    """``{"asset/key:check_name": passed}`` for every check evaluated in the run."""
    return {f"{e.asset_key.to_user_string()}:{e.check_name}": e.passed
            for e in result.get_asset_check_evaluations()}
