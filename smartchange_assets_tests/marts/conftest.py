"""The conformed core and the marts, materialised once per test session from the seed on a real
Postgres, for every marts test module (``built``: warehouse and run results; ``wh``)."""

from __future__ import annotations

from contextlib import contextmanager

import dagster as dg
import pytest
import sqlalchemy as sa

from smartchange_assets.marts.comparison import CITY_COMPARISON
from smartchange_assets.marts.indicators import CITY_INDICATORS, DISTRICT_SCORECARD
from smartchange_assets.platform.audit import Audit
from smartchange_assets.platform.resources import PortalResource, WarehouseResource
from smartchange_assets.platform.tables import TableSpec

from ..conftest import new_database

MARTS = [t.key for t in (CITY_INDICATORS, DISTRICT_SCORECARD, CITY_COMPARISON)]


def materialize_upstream_of(targets, assets, checks, resources) -> list:
    """Materialise ``targets`` and everything upstream, with all their checks, in as few runs
    as Dagster allows: a run carries one partitions definition, so each run takes the assets
    of one definition (or none) whose upstreams are done, over all of its partitions (a
    single-run range). Without partitioned assets this is one run."""
    graph = dg.Definitions(assets=assets, asset_checks=checks,
                           resources=resources).resolve_asset_graph()
    needed = dg.AssetSelection.assets(*targets).upstream().resolve(graph)
    pdefs = {key: graph.get(key).partitions_def for key in needed}
    parents = {key: set(graph.get(key).parent_keys) & needed for key in needed}
    done, results = set(), []
    while len(done) < len(needed):
        best_pdef, best = None, set()
        for pdef in {p for p in pdefs.values() if p is not None} or {None}:
            taken, grew = set(), True
            while grew:
                ready = {k for k in needed - done - taken
                         if pdefs[k] in (pdef, None) and parents[k] <= done | taken}
                taken, grew = taken | ready, bool(ready)
            if len(taken) > len(best):
                best_pdef, best = pdef, taken
        assert best, f"unmet upstreams: {needed - done}"
        partitioned = best_pdef is not None and any(pdefs[k] is not None for k in best)
        keys = best_pdef.get_partition_keys() if partitioned else []
        tags = ({"dagster/asset_partition_range_start": keys[0],
                 "dagster/asset_partition_range_end": keys[-1]} if keys else {})
        results.append(dg.materialize([*assets, *checks], selection=dg.AssetSelection.assets(
            *best), resources=resources, tags=tags, raise_on_error=False))
        done |= best
        for key in best:
            pdefs.pop(key)
    return results


@pytest.fixture(scope="session")
def built(database_urls):
    """A new database with the seed sources, the core and the marts materialised."""
    from smartchange_assets.definitions import LOCATION

    with new_database(database_urls) as wh:
        # the core and marts are wired into the code location, so they come with everything else;
        # every core table too, also those no mart reads (the old-LOR crosswalk, its estimates)
        assets, checks = (LOCATION.assets, LOCATION.checks)
        core = [k for a in assets for k in a.keys if k.path[0] == "core"]
        results = materialize_upstream_of(
            [*MARTS, *core], assets, checks, {"warehouse": WarehouseResource(url=wh.url),
                                              "portal": PortalResource(mode="replay")})
        yield wh, results


@pytest.fixture(scope="session")
def wh(built):
    return built[0]


def run_check(check, wh) -> dg.AssetCheckResult:
    """A core or mart check (a TableCheck) evaluated directly on the live table in ``wh``."""
    from smartchange_assets.definitions import LOCATION

    (asset,) = LOCATION.assets_for(check.asset)
    schema, name = asset.specs_by_key[check.asset].metadata["dagster/table_name"].split(".", 1)
    table = TableSpec(schema, name, ())
    return check.evaluate(Audit(wh, table, table.qualified, published=True))


@contextmanager
def planted_fault(wh, check, plant: str, undo: str, params: dict | None = None):
    """``check`` passes; with the fault ``plant`` planted it fails (the failing result is
    yielded for the caller's assertions); once ``undo`` removed it, it passes again."""
    assert run_check(check, wh).passed
    with wh.transaction() as conn:
        conn.execute(sa.text(plant), params or {})
    try:
        result = run_check(check, wh)
        assert not result.passed
        yield result
    finally:
        with wh.transaction() as conn:
            conn.execute(sa.text(undo), params or {})
    assert run_check(check, wh).passed
