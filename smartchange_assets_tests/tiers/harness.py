"""A database of its own for a test module, and a materialisation of the tier (and publish)
assets with everything upstream of them, through Dagster, on the real Postgres.

``fresh_database`` (conftest) is per test; a module that materialises the platform once uses
:func:`module_database`, the same thing with module lifetime. Upstream assets are monthly or
yearly partitioned, so each run covers every partition of one definition in one go, as
``smartchange refresh`` does (``platform.partitions.range_tags``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import sqlalchemy as sa

from smartchange_assets.platform.partitions import range_tags
from smartchange_assets.platform.resources import PortalResource, WarehouseResource
from smartchange_assets.platform.warehouse import Warehouse


@contextmanager
def module_database(database_urls) -> Iterator[Warehouse]:
    name = f"t_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(database_urls.server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(database_urls.warehouse).set(database=name)
    wh = Warehouse(url.render_as_string(hide_password=False))
    wh.ensure_platform_tables()
    try:
        yield wh
    finally:
        wh.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def needed(all_assets: list, all_checks: list, targets: list[dg.AssetKey],
           resources: dict) -> dg.AssetSelection:
    """``targets``, everything upstream of them, and what the checks of those assets read
    besides their asset (``additional_deps``, e.g. the dimensions a core integrity check
    joins), with *their* upstream, until nothing new is added."""
    graph = dg.Definitions(assets=all_assets, asset_checks=all_checks,
                           resources=resources).resolve_asset_graph()
    keys = dg.AssetSelection.assets(*targets).upstream().resolve(graph)
    while True:
        # (a check built with its asset, as the discovered layers are, is on the asset)
        extra = {d.asset_key for c in (*all_assets, *all_checks) for spec in c.check_specs
                 if spec.asset_key in keys for d in spec.additional_deps} - keys
        if not extra:
            return dg.AssetSelection.assets(*keys)
        keys |= dg.AssetSelection.assets(*extra).upstream().resolve(graph)


class Runs:
    """Several runs read as one: what a test asks of an ``ExecuteInProcessResult``."""

    def __init__(self, results: list[dg.ExecuteInProcessResult]):
        self.results = results

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    def get_asset_materialization_events(self) -> list:
        return [e for r in self.results for e in r.get_asset_materialization_events()]

    def get_asset_check_evaluations(self) -> list:
        return [e for r in self.results for e in r.get_asset_check_evaluations()]


def failed_checks(result) -> dict[str, str]:
    """``{"asset/key:check": severity}`` of every check that failed in the run(s). Upstream of
    the marts one non-blocking warning fails by design (the 2023 Q4 Transjakarta report total,
    core/transit_services.py): a test asserts the errors are none and names the warnings."""
    return {f"{e.asset_key.to_user_string()}:{e.check_name}": e.severity.value
            for e in result.get_asset_check_evaluations() if not e.passed}


# the warning upstream of the marts that fails by design (core/transit_services.py)
WARNINGS_BY_DESIGN = {"core/fact_transit_services_quarterly:quarter_totals_plausible": "WARN"}


def materialise(warehouse_url: str, assets: list, checks: list,
                targets: list[dg.AssetKey]) -> Runs:
    """``targets`` and everything upstream of them (from the platform's unbound assets plus
    ``assets``), with every check of those assets (:func:`needed`).

    A run carries one partitions definition, so the assets go in as few runs as that allows
    (the open copies of the indicator marts sit above monthly and yearly tables): each run
    takes the assets of one definition (or none) whose upstreams are done, over all of its
    partitions, as ``smartchange refresh`` does (``platform.partitions.range_tags``)."""
    from smartchange_assets.definitions import LOCATION

    platform_assets, platform_checks = (LOCATION.assets, LOCATION.checks)
    resources = {"warehouse": WarehouseResource(url=warehouse_url),
                 "portal": PortalResource(mode="replay")}
    # the tier and publish layers are discovered into the code location too: a definition the
    # location already holds (same asset or check key) is not added a second time
    asset_keys = {k for a in platform_assets for k in a.keys}
    check_keys = {k for d in (*platform_assets, *platform_checks) for k in d.check_keys}
    all_assets = [*platform_assets, *(a for a in assets if not set(a.keys) & asset_keys)]
    all_checks = [*platform_checks,
                  *(c for c in checks if not set(c.check_keys) & check_keys)]
    graph = dg.Definitions(assets=all_assets, asset_checks=all_checks,
                           resources=resources).resolve_asset_graph()
    keys = needed(all_assets, all_checks, targets, resources).resolve(graph)
    pdefs = {key: graph.get(key).partitions_def for key in keys}
    parents = {key: set(graph.get(key).parent_keys) & keys for key in keys}
    done: set[dg.AssetKey] = set()
    results = []
    while len(done) < len(keys):
        best_pdef, best = None, set()
        for pdef in {p for p in pdefs.values() if p is not None} or {None}:
            taken, grew = set(), True
            while grew:
                ready = {k for k in keys - done - taken
                         if pdefs[k] in (pdef, None) and parents[k] <= done | taken}
                taken, grew = taken | ready, bool(ready)
            if len(taken) > len(best):
                best_pdef, best = pdef, taken
        assert best, f"unmet upstreams: {keys - done}"
        partitioned = best_pdef is not None and any(pdefs[k] is not None for k in best)
        every = best_pdef.get_partition_keys() if partitioned else []
        results.append(dg.materialize(
            [*all_assets, *all_checks], selection=dg.AssetSelection.assets(*best),
            resources=resources, tags=range_tags(every[0], every[-1]) if every else {},
            raise_on_error=False))
        done |= best
    return Runs(results)


def rematerialise(warehouse_url: str, assets: list, checks: list,
                  targets: list[dg.AssetKey]) -> dg.ExecuteInProcessResult:
    """Only ``targets`` again (their upstream tables are already in the database)."""
    return dg.materialize(
        [*assets, *checks], selection=dg.AssetSelection.assets(*targets),
        resources={"warehouse": WarehouseResource(url=warehouse_url),
                   "portal": PortalResource(mode="replay")},
        raise_on_error=False)


def connect_as(warehouse: Warehouse, role: str, password: str) -> sa.Engine:
    """An engine logging in as ``role`` with ``password`` (over the embedded server's Unix
    socket; against an external server the password is what authenticates)."""
    url = sa.engine.make_url(warehouse.url).set(username=role, password=password)
    return sa.create_engine(url)
