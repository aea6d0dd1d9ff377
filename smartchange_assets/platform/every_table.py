"""Assets that read the whole warehouse (the build diff) come after every table.

Such an asset is declared as an :class:`AfterEveryTable` (a module-level object, discovered like
every other definition) holding a builder. When the code location is assembled, the builder
gets every asset key that writes a table (``dagster/table_name`` in its metadata) and the
names of those tables, and returns the asset, with those keys as its upstreams: it runs after
all of them (in a refresh: last) and reads exactly the published tables the code location
writes – never a shadow under audit nor a version kept in schema ``audit``.

(The upstreams have to be known when the asset is built: dependencies added to an existing
asset's specs show in the lineage but do not order its execution.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import dagster as dg

TABLE_NAME = "dagster/table_name"
TABLES_METADATA = "smartchange/tables"


@dataclass(frozen=True)
class AfterEveryTable:
    """``build(upstream_keys, table_names) -> AssetsDefinition``."""

    build: Callable[[list[dg.AssetKey], list[str]], dg.AssetsDefinition]


def table_names(assets: Iterable[dg.AssetsDefinition]) -> dict[dg.AssetKey, str]:
    """Asset key -> ``schema.table`` of every asset that writes a table."""
    found = {}
    for asset in assets:
        for spec in asset.specs:
            name = spec.metadata.get(TABLE_NAME)
            if name is not None:
                found[spec.key] = str(getattr(name, "value", name))
    return found


def build_after_every_table(declared: Iterable[AfterEveryTable],
                            assets: Iterable[dg.AssetsDefinition]) -> list[dg.AssetsDefinition]:
    tables = table_names(assets)
    keys = sorted(tables, key=lambda k: k.to_user_string())
    names = sorted(set(tables.values()))
    return [item.build(keys, names) for item in declared]
