"""``core.dim_area_population``: residents per area of ``dim_area`` and reference year.

Complete, usable counts of ``core.fact_population`` are summed up ``dim_area`` (Planungsraum →
Bezirksregion → Prognoseraum → Bezirk → Berlin; kelurahan → kecamatan → kota → DKI Jakarta).
An area's total is complete only when every area of the table's level inside it has a complete
count; otherwise ``residents`` is NULL and ``coverage`` says how much was there (Berlin 2024:
the 49 Planungsräume of Mitte of 542). Per area and year the complete count wins, then the
higher coverage, the later reference date, and registered residents (Dukcapil, EWR) before BPS
estimates.
"""

import dagster as dg

from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.dim_date import KEY as DIM_DATE_KEY
from smartchange_assets.core.dim_date import TABLE as DIM_DATE
from smartchange_assets.core.integrity import Rule, integrity_check, references
from smartchange_assets.core.population import (
    DUKCAPIL_LAYER,
    EWR_LOR2021,
    EWR_LOR_OLD,
    FACT_KEY,
    FACT_TABLE,
    SOURCE_TABLES,
)
from smartchange_assets.jakarta.population.layouts import BPS, DUKCAPIL, SATUDATA
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

DIM_KEY = dg.AssetKey(["core", "dim_area_population"])

# registered residents first (lower = preferred when two tables give the same area and year)
SOURCE_PREFERENCE = {DUKCAPIL: 1, EWR_LOR2021: 1, EWR_LOR_OLD: 1, DUKCAPIL_LAYER: 1, SATUDATA: 2,
                     BPS: 3}

DIM_TABLE = TableSpec("core", "dim_area_population", (
    Column("area_key", "text", nullable=False),
    Column("reference_year", "integer", nullable=False),
    Column("reference_date", "date", nullable=False),
    Column("source_table", "text", "table the count comes from", nullable=False),
    Column("residents", "bigint", "residents; NULL unless complete"),
    Column("male", "bigint", "NULL unless complete"),
    Column("female", "bigint", "NULL unless complete"),
    Column("complete", "boolean", "every part of the area has a complete count",
           nullable=False),
    Column("parts_complete", "integer", "areas at the table's level with a complete count",
           nullable=False),
    Column("parts_expected", "integer", "areas at the table's level inside the area",
           nullable=False),
    Column("coverage", "double precision", "parts_complete / parts_expected", nullable=False),
    Column("base_level", "text", "dim_area level the table counts at", nullable=False),
    Column("method", "text", "published (the area's own count) or sum_of_parts",
           nullable=False),
    Column("payload_sha256s", "text[]", nullable=False),
), ("area_key", "reference_year"), "Residents per area and reference year")

DIM_SQL = sql_file(__file__, "dim_area_population.sql", dim_area=DIM_AREA.qualified,
                   fact_population=FACT_TABLE.qualified)

DIM_AREA_POPULATION = SqlTable(
    key=DIM_KEY,
    table=DIM_TABLE,
    select_sql=DIM_SQL,
    params=bind(source_preference=SOURCE_PREFERENCE),
    deps=[FACT_KEY, DIM_AREA_KEY],
    description="Residents per area of dim_area and reference year, summed up the hierarchy "
                "from complete, usable counts only; an incomplete total is NULL with its "
                "coverage.",
    group="core",
    expectations=(
        q.compound_unique(["area_key", "reference_year"]),
        *[q.not_null(c.name) for c in DIM_TABLE.columns if not c.nullable],
        q.between("coverage", 0, 1),
        q.between("residents", 0, 50_000_000),
        q.in_set("method", ["published", "sum_of_parts"]),
        q.in_set("source_table", list(SOURCE_TABLES)),
    ),
    column_lineage=dg.TableColumnLineage(deps_by_column={
        "residents": [dg.TableColumnDep(FACT_KEY, "residents"),
                      dg.TableColumnDep(FACT_KEY, "complete"),
                      dg.TableColumnDep(FACT_KEY, "usable_for_totals"),
                      dg.TableColumnDep(DIM_AREA_KEY, "parent_key")],
        "coverage": [dg.TableColumnDep(FACT_KEY, "complete"),
                     dg.TableColumnDep(DIM_AREA_KEY, "level")],
        "reference_year": [dg.TableColumnDep(FACT_KEY, "reference_date")],
        "payload_sha256s": [dg.TableColumnDep(FACT_KEY, "payload_sha256s")],
    }),
)

DIM_AREA_POPULATION_CHECK = integrity_check(DIM_KEY, DIM_TABLE, refs=(
    references("area_key", DIM_AREA, "area_key", DIM_AREA_KEY),
    references("reference_date", DIM_DATE, "date", DIM_DATE_KEY),
), rules=(
    Rule("residents_only_when_complete", "(c.residents IS NOT NULL) = c.complete",
         ("area_key", "reference_year", "residents", "complete")),
    Rule("coverage_matches_parts",
         "abs(c.coverage - c.parts_complete::double precision / c.parts_expected) < 1e-12",
         ("area_key", "reference_year", "coverage", "parts_complete", "parts_expected")),
))
