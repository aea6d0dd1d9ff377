"""Every area of every LOR level, derived in Postgres from the staged Planungsraum rows.

One row per Bezirk (12), Prognoseraum (58), Bezirksregion (143) and Planungsraum (542) of
LOR 2021. The parents come from the code prefixes the parser has verified row by row (BEZ 2,
PGR 4, BZR 6, PLR 8 digits) and their names from the name columns (one name per parent code,
also verified by the parser).

* ``area_m2`` of an upper level is the sum of its Planungsräume.
* ``valid_from`` of an upper level is the latest ``Stand der Daten`` of its Planungsräume: its
  composition as published is valid from then (a Bezirksregion with one re-cut Planungsraum
  gets 2021-12-01).
* When several payloads of one LOR version are active, the most recently fetched one is used
  (a reissued export replaces the previous one; it is never mixed with it).
"""

import dagster as dg

from smartchange_assets.berlin.lor import counts
from smartchange_assets.berlin.lor.source import SOURCE as LOR
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

TABLE = TableSpec("staging", "berlin_lor_hierarchy", (
    Column("lor_version", "text", "LOR scheme: 'LOR2021'", nullable=False),
    Column("level", "text", "bezirk, prognoseraum, bezirksregion or planungsraum",
           nullable=False),
    Column("code", "text", "2, 4, 6 or 8 digits by level, leading zeros kept", nullable=False),
    Column("name", "text", "name, trimmed, runs of spaces collapsed", nullable=False),
    Column("name_raw", "text", "name as published"),
    Column("parent_code", "text", "code of the level above (NULL for a Bezirk)"),
    Column("area_m2", "double precision", "area in m² (upper levels: sum of their "
           "Planungsräume)", nullable=False),
    Column("valid_from", "date", "Stand der Daten (upper levels: latest of their "
           "Planungsräume)", nullable=False),
    Column("planungsraeume", "integer", "Planungsräume in the area (1 for a Planungsraum)",
           nullable=False),
    Column("bezirk_code", "text", "Bezirk the area lies in", nullable=False),
    Column("payload_sha256", "text", "LOR export the area was derived from", nullable=False),
), ("lor_version", "level", "code"), "LOR areas of every level, one row per area")

SELECT_SQL = sql_file(__file__, "lor_hierarchy.sql", lor_staging=LOR.staging.qualified)

HIERARCHY = SqlTable(
    key=dg.AssetKey(["berlin", "staging", "lor_hierarchy"]),
    table=TABLE,
    select_sql=SELECT_SQL,
    params=bind(lor_source=LOR.source_id),
    deps=[LOR.staging_key],
    description="LOR 2021 areas of every level (Bezirk, Prognoseraum, Bezirksregion, "
                "Planungsraum), derived from the Planungsraum export.",
    group="admin_areas",
    expectations=(
        q.compound_unique(["lor_version", "level", "code"]),
        q.not_null("name"), q.not_null("area_m2"), q.not_null("valid_from"),
        q.in_set("level", list(counts.LEVELS)),
        q.in_set("lor_version", [counts.LOR_VERSION]),
        q.in_set("bezirk_code", list(counts.LOR2021_BEZIRKE)),
        q.between("area_m2", 1, 1_000_000_000),
        q.between("planungsraeume", 1, counts.LOR2021_TOTALS["planungsraum"]),
        *[Expect("ExpectColumnValueLengthsToEqual", "code",
                 {"value": length, "row_condition": f'level == "{level}"',
                  "condition_parser": "pandas"}, name=f"{level}_code_length")
          for level, length in zip(counts.LEVELS, (2, 4, 6, 8))],
        *counts.hierarchy_expectations(),
    ),
)
