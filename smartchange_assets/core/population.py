"""``core.fact_population``: residents per area, reference date and source table, as published.

``fact_population`` has one row per area, reference date and source table:

* Jakarta: the staged counts with a resolved Kemendagri code at the level the table publishes
  (satudata: kelurahan, by 5-year band and sex; Dukcapil: kota, by 10-year band; BPS: kota
  total). A count is ``complete`` when every cell of the table's layout is there (satudata
  16 bands × 2 sexes, Dukcapil 8 bands, BPS 1); the seed copies are partial (a truncated
  satudata file, a sampled Dukcapil CSV), and an incomplete sum is never used as a total.
  The Dukcapil kelurahan counts of the boundary layer (``dukcapil_kelurahan_layer``, from
  ``staging.jakarta_kelurahan_residents``) are one complete count per kelurahan.
  A cell published by two payloads (the Dukcapil CSV and XLSX) is counted once, from the most
  recently fetched payload.
* Berlin: EWR rows per LOR 2021 Planungsraum. Old-LOR rows (up to 2020) have keys with no
  official mapping to LOR 2021 (docs/sources/berlin-lor.md §2), so they are summed to their
  Bezirk, whose code did not change; such a Bezirk total is ``complete`` when no row of it is
  suppressed (that every Planungsraum is there is the blocking ``plr_coverage`` check of the
  staging table). A suppressed Planungsraum total is incomplete; a Planungsraum the publisher
  lists without any count (no-data, e.g. 03400831 in 2025) has no row, so its Bezirk and
  Berlin are incomplete for that year rather than summed as if it had nobody.
  **One payload per LOR version and reference date**: the one listing the most
  Planungsräume, then the most recently fetched, so a whole-city file and an excerpt of it
  (or a re-published year) are never mixed or counted twice (docs/sources/berlin-population.md
  §5). That Berlin's total is the sum of its Bezirke from that one payload is the blocking
  ``berlin_total_is_sum_of_bezirke`` check of ``core.dim_area_population``
  (:mod:`.population_totals`).

The satudata kelurahan table stays in the fact but is not used for totals
(``usable_for_totals = false``), measured on the whole file (docs/sources/jakarta-population.md
§3, §4): its sex labels are wrong in 2014/2015 (far more Perempuan than Laki-laki lines), its
13,423 repeated lines leave 2014 and 2015 with 3,103 and 1,001 distinct cells of 8,544 (3.94 M
and 1.27 M residents), 2016 with 8,280, and its 2013 total (12.93 M without the repeats) is not
credible next to 10.37 M in BPS 2017 (Jakarta Utara alone sums to 2.95 M against 1.78 M). The
seed holds the whole file only (it replaced the first-20,000-lines copy), and a cell published
by two payloads is counted once anyway (below).

Residents per area and year, summed up the hierarchy, are in ``core.dim_area_population``
(:mod:`.area_population`).
"""

import dagster as dg

from smartchange_assets.berlin.population.layout import LOR2021, LOR_OLD
from smartchange_assets.berlin.population.source import SOURCE as BERLIN_POPULATION
from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.dim_date import KEY as DIM_DATE_KEY
from smartchange_assets.core.dim_date import TABLE as DIM_DATE
from smartchange_assets.core.integrity import Rule, integrity_check, references
from smartchange_assets.jakarta.kelurahan_boundaries.residents import (
    KEY as KELURAHAN_RESIDENTS_KEY,
)
from smartchange_assets.jakarta.kelurahan_boundaries.residents import (
    SOURCE_TABLE as DUKCAPIL_LAYER,
)
from smartchange_assets.jakarta.kelurahan_boundaries.residents import (
    TABLE as KELURAHAN_RESIDENTS,
)
from smartchange_assets.jakarta.population import values
from smartchange_assets.jakarta.population.layouts import BPS, DUKCAPIL, SATUDATA
from smartchange_assets.jakarta.population.source import SOURCE as JAKARTA_POPULATION
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

FACT_KEY = dg.AssetKey(["core", "fact_population"])

EWR_LOR2021, EWR_LOR_OLD = "ewr_matrix_lor2021", "ewr_matrix_lor_old"
SOURCE_TABLES = (SATUDATA, DUKCAPIL, BPS, EWR_LOR2021, EWR_LOR_OLD, DUKCAPIL_LAYER)

# tables whose counts are kept but never used as residents totals, and why
NOT_FOR_TOTALS = {
    SATUDATA: "docs/sources/jakarta-population.md §3: wrong sex labels (2014, 2015), 13,423 "
              "repeated lines leaving 2014 and 2015 a third and an eighth of their cells, "
              "2013 total of 12.93 M not credible",
}

# the cells a complete Jakarta count has, per table: (table_kind, age_band, sex)
EXPECTED_CELLS = (
    [(SATUDATA, band, sex) for band in values.FIVE_YEAR_BANDS for sex in ("male", "female")]
    + [(DUKCAPIL, band, "total") for band in values.TEN_YEAR_BANDS]
    + [(BPS, values.ALL_AGES, "total")]
)

FACT_TABLE = TableSpec("core", "fact_population", (
    Column("city", "text", nullable=False),
    Column("area_key", "text", "dim_area key of the counted area", nullable=False),
    Column("area_level", "text", "dim_area level (unit, district)"),
    Column("reference_date", "date", "day the count refers to", nullable=False),
    Column("reference_year", "integer", nullable=False),
    Column("source_table", "text", "satudata_age_sex_kelurahan, dukcapil_semester_kota, "
           "bps_kota_total, ewr_matrix_lor2021, ewr_matrix_lor_old, dukcapil_kelurahan_layer",
           nullable=False),
    Column("residents", "bigint", "residents counted (a partial sum when not complete)"),
    Column("male", "bigint", "male residents where published"),
    Column("female", "bigint", "female residents where published"),
    Column("cells_present", "integer", "published cells summed (bands × sexes; PLR rows)",
           nullable=False),
    Column("cells_expected", "integer", "cells a complete count has (NULL: unknown, old LOR)"),
    Column("complete", "boolean", "every cell present and none suppressed", nullable=False),
    Column("usable_for_totals", "boolean", "false: the table is known to be unreliable (see "
           "note); dim_area_population does not use it", nullable=False),
    Column("note", "text", "why a table is not used for totals"),
    Column("payload_sha256s", "text[]", "payloads the cells came from", nullable=False),
), ("area_key", "reference_date", "source_table"), "Residents per area and reference date")

_EXPECTED = bind(expected_tables=[t for t, _, _ in EXPECTED_CELLS],
                 expected_bands=[band for _, band, _ in EXPECTED_CELLS],
                 expected_sexes=[sex for _, _, sex in EXPECTED_CELLS])

FACT_SQL = sql_file(__file__, "fact_population.sql",
                    jakarta_staging=JAKARTA_POPULATION.staging.qualified,
                    berlin_staging=BERLIN_POPULATION.staging.qualified,
                    kelurahan_residents=KELURAHAN_RESIDENTS.qualified,
                    dim_area=DIM_AREA.qualified)


def _jakarta_rows_not_used(wh) -> dict:
    """Metadata: staged Jakarta cells the fact cannot place (no code at the published level,
    or a cell outside the table's layout); they are reported, never silently summed."""
    n = wh.scalar(sql_file(__file__, "population_cells_not_placed.sql",
                           jakarta_staging=JAKARTA_POPULATION.staging.qualified), **_EXPECTED)
    return {"jakarta_cells_not_placed": dg.MetadataValue.int(int(n))}


FACT_POPULATION = SqlTable(
    key=FACT_KEY,
    table=FACT_TABLE,
    select_sql=FACT_SQL,
    params=bind(jakarta_source=JAKARTA_POPULATION.source_id,
                berlin_source=BERLIN_POPULATION.source_id, jakarta=keys.JAKARTA,
                berlin=keys.BERLIN, jakarta_prefix=keys.JAKARTA_PREFIX,
                berlin_prefix=keys.BERLIN_PREFIX, ewr_lor2021=EWR_LOR2021,
                ewr_lor_old=EWR_LOR_OLD, lor2021=LOR2021, lor_old=LOR_OLD,
                dukcapil_layer=DUKCAPIL_LAYER,
                not_for_totals=NOT_FOR_TOTALS, **_EXPECTED),
    deps=[JAKARTA_POPULATION.staging_key, BERLIN_POPULATION.staging_key, DIM_AREA_KEY,
          KELURAHAN_RESIDENTS_KEY],
    description="Residents per area and reference date as published (Jakarta kelurahan and "
                "kota, Berlin Planungsraum; old-LOR Berlin counts summed to the Bezirk), "
                "with whether the count is complete.",
    group="core",
    expectations=(
        q.compound_unique(["area_key", "reference_date", "source_table"]),
        *[q.not_null(c.name) for c in FACT_TABLE.columns if not c.nullable],
        q.in_set("source_table", list(SOURCE_TABLES)),
        q.in_set("city", list(keys.CITIES)),
        q.between("residents", 0, 15_000_000),
        q.between("cells_present", 1, None),
    ),
    column_lineage=dg.TableColumnLineage(deps_by_column={
        "area_key": [dg.TableColumnDep(JAKARTA_POPULATION.staging_key, "area_code"),
                     dg.TableColumnDep(BERLIN_POPULATION.staging_key, "plr_code"),
                     dg.TableColumnDep(BERLIN_POPULATION.staging_key, "bez")],
        "reference_date": [dg.TableColumnDep(JAKARTA_POPULATION.staging_key, "reference_date"),
                           dg.TableColumnDep(BERLIN_POPULATION.staging_key, "reference_date")],
        "residents": [dg.TableColumnDep(JAKARTA_POPULATION.staging_key, "residents"),
                      dg.TableColumnDep(BERLIN_POPULATION.staging_key, "total"),
                      dg.TableColumnDep(KELURAHAN_RESIDENTS_KEY, "residents")],
        "male": [dg.TableColumnDep(JAKARTA_POPULATION.staging_key, "male_residents"),
                 dg.TableColumnDep(BERLIN_POPULATION.staging_key, "male")],
        "female": [dg.TableColumnDep(JAKARTA_POPULATION.staging_key, "female_residents"),
                   dg.TableColumnDep(BERLIN_POPULATION.staging_key, "female")],
        "payload_sha256s": [dg.TableColumnDep(JAKARTA_POPULATION.staging_key, "payload_sha256"),
                            dg.TableColumnDep(BERLIN_POPULATION.staging_key, "payload_sha256")],
    }),
    after_load=_jakarta_rows_not_used,
)

FACT_POPULATION_CHECK = integrity_check(FACT_KEY, FACT_TABLE, refs=(
    references("area_key", DIM_AREA, "area_key", DIM_AREA_KEY, "p.city = c.city",
               "an area of its city"),
    references("reference_date", DIM_DATE, "date", DIM_DATE_KEY),
), rules=(
    Rule("unusable_says_why", "c.usable_for_totals = (c.note IS NULL)",
         ("area_key", "source_table", "usable_for_totals", "note")),
    Rule("complete_has_all_cells",
         "NOT c.complete OR c.cells_expected IS NULL OR c.cells_present = c.cells_expected",
         ("area_key", "reference_date", "source_table", "cells_present", "cells_expected")),
))
