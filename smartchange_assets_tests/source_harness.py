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

    assets: list[dg.AssetsDefinition] = []
    for key in spec.extra_deps:
        other = next((s for s in SOURCES if s.staging_key == key), None)
        assets += LOCATION.assets_for(other.raw_key, key) if other else LOCATION.assets_for(key)
    return assets


def materialize_source(spec: SourceSpec, warehouse_url: str, *extra_assets,
                       raise_on_error: bool = False) -> dg.ExecuteInProcessResult:
    # the code location's assets when the spec is one of its sources (with every check
    # declared for its table), else the spec built alone (a test's own source)
    from smartchange_assets.definitions import LOCATION, SOURCES

    known = spec in SOURCES
    assets = (LOCATION.assets_for(spec.raw_key, spec.staging_key) if known
              else build_source(spec))
    checks: list = []
    chosen: dict = {}
    for asset in [*upstream_assets(spec), *extra_assets, *assets, *checks]:
        chosen.setdefault(tuple(sorted(asset.keys)) or id(asset), asset)
    return dg.materialize(
        list(chosen.values()),
        resources={"warehouse": WarehouseResource(url=warehouse_url),
                   "portal": PortalResource(mode="replay")},
        raise_on_error=raise_on_error,
    )


def check_results(result: dg.ExecuteInProcessResult,
                  of: dg.AssetKey | None = None) -> dict[str, bool]:
    """``{"asset/key:check_name": passed}`` for every check evaluated in the run (of one asset
    when ``of`` is given: upstream assets run their own checks too)."""
    return {f"{e.asset_key.to_user_string()}:{e.check_name}": e.passed
            for e in result.get_asset_check_evaluations() if of in (None, e.asset_key)}
