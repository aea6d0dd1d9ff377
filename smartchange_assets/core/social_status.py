"""``core.fact_social_status``: the social status of each LOR 2021 Planungsraum (MSS).

One row per Planungsraum and reference day of the Monitoring Soziale Stadtentwicklung
(``berlin/social_monitoring``; MSS 2021 = data of 31.12.2020): status and dynamics class,
their indices, the z-scores of unemployment (S1), transfer payments (S3) and child poverty
(S4), and the residents the publisher counted. ``low_status`` is a status class of
``niedrig`` or ``sehr niedrig`` (the MSS's own "Gebiete mit besonderem Aufmerksamkeitsbedarf"
are these two); a Planungsraum without an index (fewer than 300 residents) has no class and is
not low. Old-LOR editions have no key in ``dim_area`` and stay in staging. A Planungsraum of one
reference day published by two payloads is taken from the most recently fetched one.

The residents weighting the classes into a share (``marts/themes/economy.py``) come from the
population fact, not from this table's ``residents_published``.
"""

import dagster as dg

from smartchange_assets.berlin.social_monitoring.parser import LOR2021, STATUS_CLASSES
from smartchange_assets.berlin.social_monitoring.source import SOURCE as SOCIAL_MONITORING
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

KEY = dg.AssetKey(["core", "fact_social_status"])
LOW_CLASSES = ("niedrig", "sehr niedrig")

TABLE = TableSpec("core", "fact_social_status", (
    Column("city", "text", "berlin", nullable=False),
    Column("area_key", "text", "dim_area key of the Planungsraum (LOR 2021)", nullable=False),
    Column("district_key", "text", "its Bezirk"),
    Column("reference_date", "date", "day the MSS data refer to (31.12.2020 for MSS 2021)",
           nullable=False),
    Column("reference_year", "integer", nullable=False),
    Column("edition", "integer", "MSS report edition (2021)"),
    Column("residents_published", "integer", "residents the MSS table gives (EW)",
           nullable=False),
    Column("indexed", "boolean", "the MSS computed an index (false below 300 residents)",
           nullable=False),
    Column("status_class", "text", "hoch, mittel, niedrig, sehr niedrig (NULL: no index)"),
    Column("dynamics_class", "text", "positiv, stabil, negativ (NULL: no index)"),
    Column("low_status", "boolean", "status class niedrig or sehr niedrig (NULL: no index)"),
    Column("status_index", "double precision", "standardised status sum (z)"),
    Column("dynamics_index", "double precision", "standardised dynamics sum (z)"),
    Column("z_s1", "double precision", "unemployment share, z-score"),
    Column("z_s3", "double precision", "transfer payments share, z-score"),
    Column("z_s4", "double precision", "child poverty share, z-score"),
    Column("payload_sha256", "text", nullable=False),
), ("area_key", "reference_date"), "MSS social status per Planungsraum and reference day")


def _dep(column: str) -> dg.TableColumnDep:
    return dg.TableColumnDep(SOCIAL_MONITORING.staging_key, column)


FACT_SOCIAL_STATUS = SqlTable(
    key=KEY,
    table=TABLE,
    select_sql=sql_file(__file__, "fact_social_status.sql",
                        social_monitoring=SOCIAL_MONITORING.staging.qualified,
                        dim_area=DIM_AREA.qualified),
    params=bind(source=SOCIAL_MONITORING.source_id, lor2021=LOR2021, berlin=keys.BERLIN,
                berlin_prefix=keys.BERLIN_PREFIX, low_classes=list(LOW_CLASSES)),
    deps=[SOCIAL_MONITORING.staging_key, DIM_AREA_KEY],
    description="MSS status and dynamics classes per LOR 2021 Planungsraum and reference day, "
                "with the z-scores of unemployment, transfer payments and child poverty.",
    group="core",
    expectations=(
        q.compound_unique(["area_key", "reference_date"]),
        *[q.not_null(c.name) for c in TABLE.columns if not c.nullable],
        q.in_set("status_class", list(STATUS_CLASSES)),
        q.between("residents_published", 0, 100_000),
    ),
    column_lineage=dg.TableColumnLineage(deps_by_column={
        "area_key": [_dep("plr_code")],
        "status_class": [_dep("status_class")],
        "low_status": [_dep("status_class")],
        "dynamics_class": [_dep("dynamics_class")],
        "residents_published": [_dep("residents")],
        "payload_sha256": [_dep("payload_sha256")],
    }),
)

FACT_SOCIAL_STATUS_CHECK = integrity_check(KEY, TABLE, refs=(
    references("area_key", DIM_AREA, "area_key", DIM_AREA_KEY,
               f"p.level = '{keys.UNIT}' AND p.city = c.city", "a Planungsraum"),
    references("reference_date", DIM_DATE, "date", DIM_DATE_KEY),
), rules=(
    Rule("class_only_with_index", "c.indexed = (c.status_class IS NOT NULL)",
         ("area_key", "indexed", "status_class")),
))
