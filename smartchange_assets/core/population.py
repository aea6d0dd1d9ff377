"""``core.fact_population``: residents per area, reference date and source table, as published.

``fact_population`` has one row per area, reference date and source table:

* Jakarta: the staged counts with a resolved Kemendagri code at the level the table publishes
  (satudata: kelurahan, by 5-year band and sex; Dukcapil: kota, by 10-year band; BPS: kota
  total). A count is ``complete`` when every cell of the table's layout is there (satudata
  16 bands × 2 sexes, Dukcapil 8 bands, BPS 1); the seed copies are partial (a truncated
  satudata file, a sampled Dukcapil CSV), and an incomplete sum is never used as a total.
  A cell published by two payloads (the Dukcapil CSV and XLSX) is counted once, from the most
  recently fetched payload.
* Berlin: EWR rows per LOR 2021 Planungsraum. Old-LOR rows (up to 2020) have keys with no
  official mapping to LOR 2021 (REPORT §3, §5), so they are summed to their Bezirk, whose code
  did not change; such a Bezirk total is ``complete`` when no row of it is suppressed (there is
  no old-LOR code list to check that every Planungsraum is there; the seed excerpt holds all 41
  of Mitte). A suppressed Planungsraum total is incomplete.

The satudata kelurahan table stays in the fact but is not used for totals
(``usable_for_totals = false``): per REPORT §3.1 its sex labels are wrong (2014/2015), every
year has conflicting duplicate keys, and its 2013 total (13.19 M) is not credible; its seed
copy bears that out (Jakarta Utara sums to 2.95 M in 2013 against 1.78 M in BPS 2017).

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
from smartchange_assets.jakarta.population import values
from smartchange_assets.jakarta.population.layouts import BPS, DUKCAPIL, SATUDATA
from smartchange_assets.jakarta.population.source import SOURCE as JAKARTA_POPULATION
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.tables import Column, TableSpec

FACT_KEY = dg.AssetKey(["core", "fact_population"])

EWR_LOR2021, EWR_LOR_OLD = "ewr_matrix_lor2021", "ewr_matrix_lor_old"
SOURCE_TABLES = (SATUDATA, DUKCAPIL, BPS, EWR_LOR2021, EWR_LOR_OLD)

# tables whose counts are kept but never used as residents totals, and why
NOT_FOR_TOTALS = {
    SATUDATA: "REPORT §3.1: wrong sex labels, conflicting duplicate keys in every year, "
              "2013 total of 13.19 M not credible",
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
           "bps_kota_total, ewr_matrix_lor2021, ewr_matrix_lor_old", nullable=False),
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

_NOT_FOR_TOTALS = ", ".join(f"({keys.literal(t)}, {keys.literal(why)})"
                            for t, why in NOT_FOR_TOTALS.items())

_EXPECTED = ", ".join(f"('{t}', '{band}', '{sex}')" for t, band, sex in EXPECTED_CELLS)

FACT_SQL = f"""
WITH jakarta_manifest AS (
  SELECT sha256, max(fetched_at) AS fetched_at FROM raw.landing_manifest
  WHERE source = '{JAKARTA_POPULATION.source_id}' GROUP BY sha256
), expected(table_kind, age_band, sex) AS (VALUES {_EXPECTED}
), jakarta_cells AS (
  SELECT DISTINCT ON (p.table_kind, p.reference_date, p.area_code, p.age_band, p.sex)
         p.table_kind, p.reference_date, p.area_code, p.age_band, p.sex, p.residents,
         p.male_residents, p.female_residents, p.payload_sha256
  FROM {JAKARTA_POPULATION.staging.qualified} p
  JOIN jakarta_manifest m ON m.sha256 = p.payload_sha256
  JOIN expected e ON e.table_kind = p.table_kind AND e.age_band = p.age_band AND e.sex = p.sex
  WHERE p.area_code IS NOT NULL AND p.area_level = p.level
  ORDER BY p.table_kind, p.reference_date, p.area_code, p.age_band, p.sex, m.fetched_at DESC,
           p.payload_sha256
), jakarta AS (
  SELECT '{keys.JAKARTA}' AS city, {keys.jakarta_key("c.area_code")} AS area_key,
         c.reference_date, c.table_kind AS source_table, sum(c.residents) AS residents,
         coalesce(sum(c.residents) FILTER (WHERE c.sex = 'male'), sum(c.male_residents)) AS male,
         coalesce(sum(c.residents) FILTER (WHERE c.sex = 'female'), sum(c.female_residents))
           AS female,
         count(*)::int AS cells_present, n.cells AS cells_expected, count(*) = n.cells AS complete,
         array_agg(DISTINCT c.payload_sha256 ORDER BY c.payload_sha256) AS payload_sha256s
  FROM jakarta_cells c
  JOIN (SELECT table_kind, count(*)::int AS cells FROM expected GROUP BY 1) n USING (table_kind)
  GROUP BY c.area_code, c.reference_date, c.table_kind, n.cells
), berlin_manifest AS (
  SELECT sha256, max(fetched_at) AS fetched_at FROM raw.landing_manifest
  WHERE source = '{BERLIN_POPULATION.source_id}' GROUP BY sha256
), berlin_rows AS (
  SELECT DISTINCT ON (p.lor_version, p.plr_code, p.reference_date) p.*
  FROM {BERLIN_POPULATION.staging.qualified} p
  JOIN berlin_manifest m ON m.sha256 = p.payload_sha256
  ORDER BY p.lor_version, p.plr_code, p.reference_date, m.fetched_at DESC, p.payload_sha256
), berlin AS (
  SELECT '{keys.BERLIN}', {keys.berlin_key("plr_code")}, reference_date, '{EWR_LOR2021}',
         total::bigint, male::bigint, female::bigint, 1, 1, total IS NOT NULL,
         ARRAY[payload_sha256]
  FROM berlin_rows WHERE lor_version = '{LOR2021}'
  UNION ALL
  SELECT '{keys.BERLIN}', {keys.berlin_key("bez")}, reference_date, '{EWR_LOR_OLD}',
         sum(total), sum(male), sum(female), count(*)::int, NULL::int,
         bool_and(total IS NOT NULL), array_agg(DISTINCT payload_sha256 ORDER BY payload_sha256)
  FROM berlin_rows WHERE lor_version = '{LOR_OLD}' GROUP BY bez, reference_date
), counted AS (
  SELECT * FROM jakarta UNION ALL SELECT * FROM berlin
)
SELECT c.city, c.area_key, a.level, c.reference_date, extract(year FROM c.reference_date)::int,
       c.source_table, c.residents, c.male, c.female, c.cells_present, c.cells_expected,
       c.complete, n.why IS NULL, n.why, c.payload_sha256s
FROM counted c LEFT JOIN {DIM_AREA.qualified} a ON a.area_key = c.area_key
LEFT JOIN (VALUES {_NOT_FOR_TOTALS}) AS n(source_table, why) ON n.source_table = c.source_table
"""


def _jakarta_rows_not_used(wh) -> dict:
    """Metadata: staged Jakarta cells the fact cannot place (no code at the published level,
    or a cell outside the table's layout); they are reported, never silently summed."""
    n = wh.scalar(
        f"SELECT count(*) FROM {JAKARTA_POPULATION.staging.qualified} p WHERE p.area_code IS NULL "
        f"OR p.area_level IS DISTINCT FROM p.level OR NOT EXISTS (SELECT 1 FROM (VALUES "
        f"{_EXPECTED}) e(t, b, s) WHERE e.t = p.table_kind AND e.b = p.age_band "
        f"AND e.s = p.sex)")
    return {"jakarta_cells_not_placed": dg.MetadataValue.int(int(n))}


FACT_POPULATION = SqlTable(
    key=FACT_KEY,
    table=FACT_TABLE,
    select_sql=FACT_SQL,
    deps=[JAKARTA_POPULATION.staging_key, BERLIN_POPULATION.staging_key, DIM_AREA_KEY],
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
                      dg.TableColumnDep(BERLIN_POPULATION.staging_key, "total")],
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
