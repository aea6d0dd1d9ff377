"""Public tables into the open tier with one line each: ``open_copy(MART)``.

A copy takes the *public* columns of a warehouse table (core, marts, staging of an open
source) and nothing else: personal and sensitive columns are withheld by their classification,
so a column marked personal later disappears from the open tier at the next refresh without
anyone touching this file. Array columns become ``;``-joined text (CSV and Parquet readers
everywhere understand that; a Postgres array literal they do not).
"""

from __future__ import annotations

from dataclasses import replace

import dagster as dg

from smartchange_assets.air_quality.mart import MART
from smartchange_assets.marts.comparison import CITY_COMPARISON
from smartchange_assets.marts.indicators import CITY_INDICATORS, DISTRICT_SCORECARD
from smartchange_assets.platform.tables import TableSpec
from smartchange_assets.tiers.restricted import key_unique
from smartchange_assets.tiers.roles import OPEN_SCHEMA
from smartchange_assets.tiers.table import TierTable


def open_copy(source, name: str | None = None, key: dg.AssetKey | None = None,
              description: str | None = None) -> TierTable:
    """``open.<name>`` from a :class:`SqlTable` (or a :class:`TableSpec` with ``key``)."""
    table: TableSpec = getattr(source, "table", source)
    key = key or source.key
    withheld = [c.name for c in table.columns if c not in table.public_columns]
    columns, selects = [], []
    for c in table.public_columns:
        if c.sql_type.endswith("[]"):
            columns.append(replace(c, sql_type="text",
                                   description=f"{c.description} (';'-separated)".strip()))
            selects.append(f"array_to_string(\"{c.name}\", ';')")
        else:
            columns.append(c)
            selects.append(f'"{c.name}"')
    public_key = tuple(k for k in table.primary_key if k not in withheld)
    note = f" Withheld (personal or sensitive): {', '.join(withheld)}." if withheld else ""
    text = (description or table.description or table.label) + note
    spec = TableSpec(OPEN_SCHEMA, name or table.name, tuple(columns), public_key, text)
    expectations = (key_unique(public_key),) if public_key else ()
    return TierTable(table=spec, select_sql=f"SELECT {', '.join(selects)} FROM {table.qualified}",
                     deps=(key,), description=f"Open copy of `{table.label}`.{note}",
                     expectations=expectations)


# the comparison as a product: the three indicator marts a citizen or journalist reads
# (docs/indicators.md; every column of them is public)
OPEN_COPIES = (
    open_copy(MART),
    open_copy(CITY_INDICATORS),
    open_copy(DISTRICT_SCORECARD),
    open_copy(CITY_COMPARISON),
)
