"""Assets that read the whole warehouse (the build diff) depend on every table.

Such an asset is declared like any other, with the tag ``smartchange/reads: every_table``.
When the code location is assembled, :func:`with_every_table` gives it every asset that writes
a table (``dagster/table_name`` in its metadata) as an upstream, and the names of those tables
as its ``smartchange/tables`` metadata: it runs after all of them (in a refresh: last), and it
reads exactly the published tables the code location writes – never a shadow under audit nor
a version kept in schema ``audit``.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

READS_TAG = "smartchange/reads"
EVERY_TABLE = "every_table"
TABLES_METADATA = "smartchange/tables"
TABLE_NAME = "dagster/table_name"


def table_names(assets: Iterable[dg.AssetsDefinition]) -> dict[dg.AssetKey, str]:
    """Asset key -> ``schema.table`` of every asset that writes a table."""
    found = {}
    for asset in assets:
        for spec in asset.specs:
            name = spec.metadata.get(TABLE_NAME)
            if name is not None:
                found[spec.key] = str(getattr(name, "value", name))
    return found


def with_every_table(assets: Iterable[dg.AssetsDefinition]) -> list[dg.AssetsDefinition]:
    assets = list(assets)
    tables = table_names(assets)

    def widen(spec: dg.AssetSpec) -> dg.AssetSpec:
        if spec.tags.get(READS_TAG) != EVERY_TABLE:
            return spec
        keys = sorted((k for k in tables if k != spec.key), key=lambda k: k.to_user_string())
        return spec.replace_attributes(
            deps=[*spec.deps, *keys],
            metadata={**spec.metadata, TABLES_METADATA: dg.MetadataValue.json(
                sorted({tables[k] for k in keys}))})

    return [asset.map_asset_specs(widen)
            if any(s.tags.get(READS_TAG) == EVERY_TABLE for s in asset.specs) else asset
            for asset in assets]
