"""``core.population_lor2021_estimated``: old-LOR residents (2014–2020) on LOR 2021 Planungsräume.

The EWR counts up to 2020 are keyed by old-LOR Planungsräume (``LOR_OLD`` rows of
``staging.berlin_population``, the newest payload per key and date). Each old count is spread
over the LOR 2021 Planungsräume by the area shares of ``core.lor_crosswalk`` of the edition whose
period covers the reference date (2015 layer: 2014–2018; 2019 derivative: 2019–2020), and summed
per new Planungsraum. **An estimate**: it assumes residents spread evenly over each old
Planungsraum (``estimated`` is always true; the published LOR 2021 counts start in 2021 and are
in ``core.fact_population``).

A new Planungsraum's estimate is ``complete`` when every old Planungsraum overlapping it (in the
crosswalk) has a count for that date; otherwise it is a partial sum (the seed excerpt holds
Mitte only). Rows exist only where at least one old count contributes. Check
``residents_conserved``: per reference date, the estimates add up to the old counts they come
from (the shares of each old unit sum to 1), and no old count is left out of the crosswalk.
"""

import dagster as dg

from smartchange_assets.berlin.population.layout import LOR_OLD
from smartchange_assets.berlin.population.source import SOURCE as BERLIN_POPULATION
from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.integrity import Rule, integrity_check, references
from smartchange_assets.core.lor_crosswalk import KEY as CROSSWALK_KEY
from smartchange_assets.core.lor_crosswalk import METHOD as CROSSWALK_METHOD
from smartchange_assets.core.lor_crosswalk import TABLE as CROSSWALK
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.markdown import md_table
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["core", "population_lor2021_estimated"])
TOLERANCE = 1e-6  # relative, residents conserved per reference date

TABLE = TableSpec("core", "population_lor2021_estimated", (
    Column("area_key", "text", "LOR 2021 Planungsraum (dim_area key)", nullable=False),
    Column("reference_date", "date", "EWR reference date (31 December)", nullable=False),
    Column("reference_year", "integer", nullable=False),
    Column("residents_estimated", "double precision", "residents spread from the old "
           "Planungsräume by area share (not a whole number: an estimate)", nullable=False),
    Column("complete", "boolean", "every old Planungsraum overlapping this one has a count",
           nullable=False),
    Column("old_units", "integer", "old Planungsräume overlapping this one (crosswalk)",
           nullable=False),
    Column("old_units_counted", "integer", "of them, with a count on this date",
           nullable=False),
    Column("estimated", "boolean", "always true: area-weighted, not counted", nullable=False),
    Column("method", "text", "how the estimate was made", nullable=False),
    Column("crosswalk_payload_sha256", "text", "old LOR layer (edition) of the crosswalk",
           nullable=False),
    Column("payload_sha256s", "text[]", "EWR payloads behind the estimate", nullable=False),
), ("area_key", "reference_date"), "Old-LOR residents 2014–2020 on LOR 2021 Planungsräume "
    "(area-weighted estimate)")

METHOD = ("old-LOR EWR residents spread over LOR 2021 Planungsräume by area share, assuming "
          "residents evenly spread over each old Planungsraum; crosswalk: " + CROSSWALK_METHOD)

POPULATION_LOR2021 = SqlTable(
    key=KEY,
    table=TABLE,
    select_sql=sql_file(__file__, "population_lor2021_estimated.sql",
                        berlin_population=BERLIN_POPULATION.staging.qualified,
                        crosswalk=CROSSWALK.qualified),
    params=bind(population_source=BERLIN_POPULATION.source_id, lor_old=LOR_OLD,
                method=METHOD),
    deps=[BERLIN_POPULATION.staging_key, CROSSWALK_KEY],
    description="Berlin residents 2014–2020 (old LOR) on today's LOR 2021 Planungsräume, "
                "estimated by area share through core.lor_crosswalk; flagged as estimated.",
    group="core",
    expectations=(
        q.compound_unique(["area_key", "reference_date"]),
        *[q.not_null(c.name) for c in TABLE.columns if not c.nullable],
        q.in_set("estimated", [True]),
        q.between("residents_estimated", 0, 100_000),
        q.between("reference_year", 2000, 2020),
    ),
    column_lineage=dg.TableColumnLineage(deps_by_column={
        "residents_estimated": [dg.TableColumnDep(BERLIN_POPULATION.staging_key, "total"),
                                dg.TableColumnDep(CROSSWALK_KEY, "share")],
        "area_key": [dg.TableColumnDep(CROSSWALK_KEY, "new_area_key")],
    }),
)

POPULATION_LOR2021_CHECK = integrity_check(KEY, TABLE, refs=(
    references("area_key", DIM_AREA, "area_key", DIM_AREA_KEY,
               f"p.level = '{keys.UNIT}' AND p.city = '{keys.BERLIN}'",
               "a LOR 2021 Planungsraum"),
), rules=(
    Rule("complete_when_all_counted", "c.complete = (c.old_units_counted = c.old_units)",
         ("area_key", "reference_date", "old_units", "old_units_counted", "complete")),
))


def _conserved(audit: Audit) -> dg.AssetCheckResult:
    found = audit.wh.read_frame(sql_file(__file__, "population_lor2021_conserved.sql",
                                         estimate=audit.relation,
                                         berlin_population=BERLIN_POPULATION.staging.qualified,
                                         crosswalk=CROSSWALK.qualified),
                                population_source=BERLIN_POPULATION.source_id, lor_old=LOR_OLD,
                                tolerance=TOLERANCE)
    bad = found[~found["ok"].astype(bool)]
    return dg.AssetCheckResult(
        passed=len(bad) == 0, severity=dg.AssetCheckSeverity.ERROR,
        description=(f"{len(bad)} reference date(s) not conserved: " + "; ".join(
            f"{r.reference_date}: {r.problem}" for r in bad.itertuples())
            if len(bad) else f"{len(found)} reference date(s): the estimates add up to the "
            "old-LOR counts"),
        metadata={"per_date": dg.MetadataValue.md(md_table(found) if len(found) else "none")})


RESIDENTS_CONSERVED = TableCheck(
    KEY, "residents_conserved", "Per reference date, the estimates add up to the old-LOR "
    f"counts (within {TOLERANCE:.0e} relative), and every old-LOR key with a count is in the "
    "crosswalk edition of its date.", _conserved,
    reads=(BERLIN_POPULATION.staging_key, CROSSWALK_KEY))
