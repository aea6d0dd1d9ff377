"""A database of its own for a test module, and a materialisation of the tier (and publish)
assets with everything upstream of them, through Dagster, on the real Postgres.

``fresh_database`` (conftest) is per test; a module that materialises the platform once uses
:func:`module_database`, the same thing with module lifetime. Upstream assets are monthly
partitioned, so the run covers every month in one go, as ``smartchange refresh`` does
(``platform.partitions.range_tags``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import sqlalchemy as sa

from smartchange_assets.platform.partitions import all_keys, monthly, range_tags
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


def materialise(warehouse_url: str, assets: list, checks: list,
                targets: list[dg.AssetKey]) -> dg.ExecuteInProcessResult:
    """``targets`` and everything upstream of them (from the platform's unbound assets plus
    ``assets``), with every check of those assets (:func:`needed`)."""
    from smartchange_assets.definitions import LOCATION

    platform_assets, platform_checks = (LOCATION.assets, LOCATION.checks)
    every = all_keys(monthly())
    resources = {"warehouse": WarehouseResource(url=warehouse_url),
                 "portal": PortalResource(mode="replay")}
    # the tier and publish layers are discovered into the code location too: a definition the
    # location already holds (same asset or check key) is not added a second time
    asset_keys = {k for a in platform_assets for k in a.keys}
    check_keys = {k for d in (*platform_assets, *platform_checks) for k in d.check_keys}
    all_assets = [*platform_assets, *(a for a in assets if not set(a.keys) & asset_keys)]
    all_checks = [*platform_checks,
                  *(c for c in checks if not set(c.check_keys) & check_keys)]
    return dg.materialize(
        [*all_assets, *all_checks],
        selection=needed(all_assets, all_checks, targets, resources),
        resources=resources,
        tags=range_tags(every[0], every[-1]),
        raise_on_error=False)


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
