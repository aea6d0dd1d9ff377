"""Reference tables of the air-quality standards, loaded from ``smartchange_assets.standards``.

The SQL of the fact table converts between ISPU and concentrations by joining these tables,
so the Python functions (tested against the regulation's breakpoints) and the SQL read the same
numbers.
"""

import dagster as dg
import pandas as pd

from smartchange_assets.platform.resources import WarehouseResource
from smartchange_assets.platform.tables import Column, TableSpec
from smartchange_assets.standards import eaqi, ispu, who

REF_KEY = dg.AssetKey(["core", "ref_air_quality_standards"])

ISPU_BREAKPOINTS = TableSpec("core", "ref_ispu_breakpoints", (
    Column("regime", "text", "regulation", nullable=False),
    Column("pollutant", "text", nullable=False),
    Column("index_lo", "double precision", nullable=False),
    Column("index_hi", "double precision", nullable=False),
    Column("conc_lo_ugm3", "double precision", "NULL: band not defined by the regulation"),
    Column("conc_hi_ugm3", "double precision", "NULL: band not defined by the regulation"),
    Column("averaging", "text"),
    Column("verified", "boolean", "false: the table rests on a source marked unverified"),
), ("regime", "pollutant", "index_lo"), "ISPU breakpoints (P.14/2020, KEP-107/1997)")

ISPU_CATEGORIES = TableSpec("core", "ref_ispu_categories", (
    Column("regime", "text", nullable=False),
    Column("rank", "integer", "1 = BAIK … 5 = BERBAHAYA", nullable=False),
    Column("category", "text", nullable=False),
    Column("upper_limit", "double precision", "NULL for the open top band"),
    Column("upper_included", "boolean"),
), ("regime", "rank"), "ISPU category bands per regime")

EAQI_BANDS = TableSpec("core", "ref_eaqi_bands", (
    Column("version", "text", nullable=False),
    Column("pollutant", "text", nullable=False),
    Column("band", "integer", "1 Good … 6 Extremely poor", nullable=False),
    Column("label", "text", nullable=False),
    Column("conc_lo_ugm3", "double precision", "inclusive", nullable=False),
    Column("conc_hi_ugm3", "double precision", "exclusive; NULL for the open top band"),
    Column("averaging", "text"),
), ("version", "pollutant", "band"), "EEA European Air Quality Index bands")

WHO_GUIDELINES = TableSpec("core", "ref_who_guidelines", (
    Column("standard", "text", nullable=False),
    Column("pollutant", "text", nullable=False),
    Column("averaging", "text", nullable=False),
    Column("limit_ugm3", "double precision", nullable=False),
), ("standard", "pollutant", "averaging"), "WHO 2021 air quality guideline levels")

TABLES = {
    ISPU_BREAKPOINTS: ispu.reference_rows,
    ISPU_CATEGORIES: ispu.category_rows,
    EAQI_BANDS: eaqi.reference_rows,
    WHO_GUIDELINES: who.reference_rows,
}


@dg.asset(key=REF_KEY, group_name="air_quality", kinds={"postgres"},
          description="ISPU breakpoints and categories, EAQI bands and WHO 2021 guideline "
                      "levels as reference tables (from smartchange_assets.standards).")
def ref_air_quality_standards(warehouse: WarehouseResource) -> dg.MaterializeResult:
    wh = warehouse.get()
    counts = {}
    for spec, rows in TABLES.items():
        frame = pd.DataFrame(rows(), columns=spec.column_names)
        counts[spec.label] = wh.replace_table(spec, frame)
    return dg.MaterializeResult(metadata={
        "dagster/row_count": dg.MetadataValue.int(sum(counts.values())),
        **{name: dg.MetadataValue.int(n) for name, n in counts.items()},
    })
