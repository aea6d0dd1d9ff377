"""``core.fact_businesses``: IHK member businesses per LOR 2021 Planungsraum and month.

The IHK register (``berlin/ihk_businesses``) is a **stock**: every active member business at
a month. Each business is placed in a Planungsraum by its LOR id (padded, verified against
its Bezirk in staging and against the LOR table by the blocking ``plr_in_lor`` check); this
table counts them per Planungsraum and snapshot month, from the most recently fetched payload
of that month (a register is never mixed from two files).

A payload with fewer than :data:`MIN_REGISTER_ROWS` businesses cannot be the register (Berlin
has about 350 000 IHK member businesses): it is an excerpt or the IHK's 30-row schema sample,
and ``register_sample`` says so; the marts flag every figure resting on it.

Placement by coordinates (point in the Planungsraum's polygon, checked against the LOR id)
needs the LOR 2021 geometries, which this branch does not have: not done here
(docs/sources/berlin-ihk-businesses.md §4).
"""

import dagster as dg

from smartchange_assets.berlin.ihk_businesses.source import SOURCE as IHK
from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.dim_date import KEY as DIM_DATE_KEY
from smartchange_assets.core.dim_date import TABLE as DIM_DATE
from smartchange_assets.core.integrity import Rule, integrity_check, references
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["core", "fact_businesses"])
MIN_REGISTER_ROWS = 100_000  # the monthly register holds about 350 000 businesses

TABLE = TableSpec("core", "fact_businesses", (
    Column("city", "text", "berlin", nullable=False),
    Column("area_key", "text", "dim_area key of the Planungsraum (LOR 2021)", nullable=False),
    Column("district_key", "text", "its Bezirk"),
    Column("snapshot_month", "date", "month of the register file", nullable=False),
    Column("year", "integer", nullable=False),
    Column("businesses", "integer", "member businesses in the Planungsraum (head offices and "
           "branches)", nullable=False),
    Column("businesses_with_id", "integer", "of which with a usable opendata_id (not "
           "Excel-mangled)", nullable=False),
    Column("businesses_with_employees", "integer", "of which with an employee size class "
           "reported", nullable=False),
    Column("payload_businesses", "integer", "businesses the whole payload staged",
           nullable=False),
    Column("register_sample", "boolean", f"the payload has fewer than {MIN_REGISTER_ROWS:,} "
           "businesses: a sample or excerpt, not the register", nullable=False),
    Column("payload_sha256", "text", nullable=False),
), ("area_key", "snapshot_month"), "IHK businesses per Planungsraum and snapshot month")


def _dep(column: str) -> dg.TableColumnDep:
    return dg.TableColumnDep(IHK.staging_key, column)


FACT_BUSINESSES = SqlTable(
    key=KEY,
    table=TABLE,
    select_sql=sql_file(__file__, "fact_businesses.sql", ihk=IHK.staging.qualified,
                        dim_area=DIM_AREA.qualified),
    params=bind(source=IHK.source_id, berlin=keys.BERLIN, berlin_prefix=keys.BERLIN_PREFIX,
                min_register_rows=MIN_REGISTER_ROWS),
    deps=[IHK.staging_key, DIM_AREA_KEY],
    description="IHK member businesses per LOR 2021 Planungsraum and snapshot month (placed by "
                "their LOR id), flagged when the payload is a sample rather than the register.",
    group="core",
    expectations=(
        q.compound_unique(["area_key", "snapshot_month"]),
        *[q.not_null(c.name) for c in TABLE.columns if not c.nullable],
        q.between("businesses", 1, 50_000),
    ),
    column_lineage=dg.TableColumnLineage(deps_by_column={
        "area_key": [_dep("plr_code")],
        "businesses": [_dep("source_row")],
        "businesses_with_id": [_dep("opendata_id")],
        "snapshot_month": [_dep("snapshot_month")],
        "payload_sha256": [_dep("payload_sha256")],
    }),
)

FACT_BUSINESSES_CHECK = integrity_check(KEY, TABLE, refs=(
    references("area_key", DIM_AREA, "area_key", DIM_AREA_KEY,
               f"p.level = '{keys.UNIT}' AND p.city = c.city", "a Planungsraum"),
    references("snapshot_month", DIM_DATE, "date", DIM_DATE_KEY),
), rules=(
    Rule("parts_within_businesses",
         "c.businesses_with_id <= c.businesses AND c.businesses_with_employees <= c.businesses "
         "AND c.businesses <= c.payload_businesses",
         ("area_key", "snapshot_month", "businesses", "businesses_with_id",
          "payload_businesses")),
))
