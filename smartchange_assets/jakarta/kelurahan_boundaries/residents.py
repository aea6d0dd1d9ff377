"""``staging.jakarta_kelurahan_residents``: the layer's Dukcapil residents as a population row set.

One row per kelurahan of the most recently fetched boundary payload that dates its population
attributes (``residents_reference_date``): Kemendagri code, reference date, residents, men,
women, households. ``core.fact_population`` reads it as the source table
``dukcapil_kelurahan_layer`` (registered residents per kelurahan, 30 June 2019 in the seed:
11,011,862 over 267 kelurahan). Kept apart from the shapes so that the population fact does not
depend on the geometry, and the geometry not on a population's reference date.
"""

import dagster as dg

from smartchange_assets.jakarta.kelurahan_boundaries.source import SOURCE as BOUNDARIES
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["jakarta", "staging", "kelurahan_residents"])
# the name core.fact_population gives these counts (its source_table)
SOURCE_TABLE = "dukcapil_kelurahan_layer"

TABLE = TableSpec("staging", "jakarta_kelurahan_residents", (
    Column("code", "text", "Kemendagri kelurahan code (31.73.03.1006)", nullable=False),
    Column("name", "text", "kelurahan name as the layer spells it, tidied", nullable=False),
    Column("reference_date", "date", "day the counts refer to (the layer's GENERATED date)",
           nullable=False),
    Column("residents", "bigint", "registered residents", nullable=False),
    Column("male", "bigint", "men"),
    Column("female", "bigint", "women"),
    Column("households", "bigint", "family cards (Kartu Keluarga)"),
    Column("payload_sha256", "text", "boundary payload the counts came from", nullable=False),
), ("code", "reference_date"), "Dukcapil residents per kelurahan from the boundary layer")

RESIDENTS = SqlTable(
    key=KEY,
    table=TABLE,
    select_sql=sql_file(__file__, "kelurahan_residents.sql",
                        boundaries=BOUNDARIES.staging.qualified),
    params=bind(boundaries_source=BOUNDARIES.source_id),
    deps=[BOUNDARIES.staging_key],
    description="Registered residents, men, women and households per Jakarta kelurahan from "
                "the Dukcapil boundary layer's attributes (newest payload), with the date the "
                "attributes were generated.",
    group="population",
    expectations=(
        q.compound_unique(["code", "reference_date"]),
        *[q.not_null(c.name) for c in TABLE.columns if not c.nullable],
        q.between("residents", 0, 500_000),
    ),
    column_lineage=dg.TableColumnLineage(deps_by_column={
        c: [dg.TableColumnDep(BOUNDARIES.staging_key, s)] for c, s in (
            ("code", "code"), ("reference_date", "residents_reference_date"),
            ("residents", "residents"), ("male", "male"), ("female", "female"),
            ("households", "households"))}),
)
