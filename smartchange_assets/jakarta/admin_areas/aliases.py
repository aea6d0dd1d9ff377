"""Curated area-name aliases: spellings the real datasets use -> Kemendagri 2025 codes.

Each entry was seen in a real file (docs/sources/jakarta-admin-areas.md §3 lists the datasets):
the note says where. Spellings that differ from Kemendagri only in
case, spacing or punctuation (``KALI DERES``, ``BALE KAMBANG``, ``RAWA JATI``) already meet
after :func:`~smartchange_assets.jakarta.admin_areas.names.normalise_name`; they are listed
anyway so the table documents every spelling in use, and the check proves each one lands on the area
it names. Placeholders (``nihil``, ``-``) are recorded as non-areas.

The table ``staging.jakarta_area_aliases`` is written from :data:`ALIASES` by the asset
``jakarta/staging/area_aliases``; its blocking check proves every code exists at its level in
Kemendagri 2025, that no alias is the official name of another area, and that one spelling
never points to two areas.
"""

from __future__ import annotations

from typing import NamedTuple

import dagster as dg
import pandas as pd

from smartchange_assets.jakarta.admin_areas.codes import KEMENDAGRI
from smartchange_assets.jakarta.admin_areas.names import normalise_name
from smartchange_assets.jakarta.admin_areas.source import GROUP
from smartchange_assets.jakarta.admin_areas.source import SOURCE as ADMIN_AREAS
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.audit import TableCheck
from smartchange_assets.platform.frame_asset import FrameTable
from smartchange_assets.platform.quality import render_query
from smartchange_assets.platform.spec import GX_SUITE_CHECK
from smartchange_assets.platform.suites import suite_result
from smartchange_assets.platform.tables import Column, TableSpec

ALIASES_KEY = dg.AssetKey(["jakarta", "staging", "area_aliases"])
ALIAS, PLACEHOLDER = "alias", "placeholder"
ANY_LEVEL = "any"

# where a spelling was seen (the datasets of docs/sources/jakarta-*.md)
POPULATION = "population satudata 2013-2016 (nama_kabupaten_kota/_kecamatan/_kelurahan)"
FLOOD_2020 = "flood 2020 Q1, data.jakarta.go.id (kota_administrasi/kecamatan/kelurahan)"
FLOOD_2023 = "flood 2023 satudata data-kejadian-bencana-banjir (wilayah/kecamatan/kelurahan)"
FLOOD_2024 = "flood 2024 satudata, third-party processed banjir.csv (Title Case)"
BPS_MFD = "BPS MFD 2018 code list"
BPS_2017 = "BPS 2017 population web table (Kab/Kota)"
DUKCAPIL = "Dukcapil semester CSV penduduk_2024-2025 (NAMA KAB)"
ISPU = "ISPU station label 'DKI5 (Kebon Jeruk) Jakarta Barat' (2016, 2021, 2023, 2024)"


class Alias(NamedTuple):
    spelling: str
    level: str
    kemendagri_code: str | None
    seen_in: str


def _seen(*where: str) -> str:
    return "; ".join(where)


ALIASES: tuple[Alias, ...] = (
    # -- kota ---------------------------------------------------------------------------------
    Alias("KAB.ADM.KEP.SERIBU", "kota", "31.01", POPULATION),
    Alias("KABUPATEN KEPULAUAN SERIBU", "kota", "31.01", BPS_MFD),
    Alias("Kep Seribu", "kota", "31.01", BPS_2017),
    Alias("KEPULAUAN SERIBU", "kota", "31.01", _seen(FLOOD_2023, FLOOD_2024)),
    Alias("JAKARTA PUSAT", "kota", "31.71", _seen(DUKCAPIL, POPULATION, FLOOD_2020, FLOOD_2023,
                                                  BPS_2017)),
    Alias("JAKARTA UTARA", "kota", "31.72", _seen(DUKCAPIL, POPULATION, FLOOD_2020, FLOOD_2023,
                                                  FLOOD_2024, BPS_2017)),
    Alias("JAKARTA BARAT", "kota", "31.73", _seen(DUKCAPIL, POPULATION, FLOOD_2020, FLOOD_2023,
                                                  FLOOD_2024, BPS_2017, ISPU)),
    Alias("JAKARTA SELATAN", "kota", "31.74", _seen(DUKCAPIL, POPULATION, FLOOD_2020,
                                                    FLOOD_2023, FLOOD_2024, BPS_2017)),
    Alias("JAKARTA TIMUR", "kota", "31.75", _seen(DUKCAPIL, POPULATION, FLOOD_2020, FLOOD_2023,
                                                  FLOOD_2024, BPS_2017)),
    # -- kecamatan ----------------------------------------------------------------------------
    Alias("KEP. SERIBU UTR", "kecamatan", "31.01.01", POPULATION),
    Alias("KEP. SERIBU SLT", "kecamatan", "31.01.02", POPULATION),
    Alias("Kep. Seribu Utara", "kecamatan", "31.01.01", FLOOD_2024),
    Alias("Kep. Seribu Selatan", "kecamatan", "31.01.02", FLOOD_2024),
    Alias("CILIINCING", "kecamatan", "31.72.04", FLOOD_2020 + " (typo of Cilincing)"),
    Alias("KALI DERES", "kecamatan", "31.73.06", _seen(POPULATION, FLOOD_2024, BPS_MFD)),
    Alias("PALMERAH", "kecamatan", "31.73.07", _seen(POPULATION, FLOOD_2020, FLOOD_2023,
                                                     BPS_MFD) + " (Kemendagri: Pal Merah)"),
    Alias("PULO GADUNG", "kecamatan", "31.75.02", _seen(POPULATION, BPS_MFD)),
    Alias("SETIA BUDI", "kecamatan", "31.74.02", _seen(POPULATION, BPS_MFD)),
    Alias("KRAMAT JATI", "kecamatan", "31.75.04", _seen(POPULATION, FLOOD_2020, FLOOD_2023,
                                                        FLOOD_2024, BPS_MFD)),
    # -- kelurahan ----------------------------------------------------------------------------
    Alias("P. PANGGANG", "kelurahan", "31.01.01.1001", POPULATION),
    Alias("P. KELAPA", "kelurahan", "31.01.01.1002", POPULATION),
    Alias("P. HARAPAN", "kelurahan", "31.01.01.1003", POPULATION),
    Alias("P. UNTUNG JAWA", "kelurahan", "31.01.02.1001", POPULATION),
    Alias("P. TIDUNG", "kelurahan", "31.01.02.1002", POPULATION),
    Alias("P. PARI", "kelurahan", "31.01.02.1003", POPULATION),
    Alias("HARAPAN MULYA", "kelurahan", "31.71.03.1003", BPS_MFD + " (Kemendagri: Harapan Mulia)"),
    Alias("TANJUNG PRIUK", "kelurahan", "31.72.02.1001", BPS_MFD + " (Kemendagri: Tanjung "
          "Priok)"),
    Alias("PAPANGO", "kelurahan", "31.72.02.1003", BPS_MFD + " (Kemendagri: Papanggo)"),
    Alias("SUKA PURA", "kelurahan", "31.72.04.1002", _seen(FLOOD_2020, BPS_MFD)),
    Alias("RAWABADAK UTARA", "kelurahan", "31.72.03.1004", BPS_MFD),
    Alias("RAWABADAK SELATAN", "kelurahan", "31.72.03.1006", BPS_MFD),
    Alias("KEDAUNG KALIANGKE", "kelurahan", "31.73.01.1004", FLOOD_2023),
    Alias("WIJAYA KESUMA", "kelurahan", "31.73.02.1007", BPS_MFD + " (Kemendagri: Wijaya "
          "Kusuma)"),
    Alias("KALI ANYAR", "kelurahan", "31.73.04.1002", POPULATION),
    Alias("KERENDANG", "kelurahan", "31.73.04.1005", POPULATION + " (Kemendagri: Krendang)"),
    Alias("JATI PULO", "kelurahan", "31.73.07.1004", _seen(POPULATION, FLOOD_2020, BPS_MFD)),
    Alias("RAWA JATI", "kelurahan", "31.74.08.1003", _seen(POPULATION, FLOOD_2024)),
    Alias("RAWAJATI", "kelurahan", "31.74.08.1003", _seen(FLOOD_2020, FLOOD_2023)),
    Alias("PAL MERIEM", "kelurahan", "31.75.01.1004", BPS_MFD + " (Kemendagri: Palmeriam)"),
    Alias("PAL MERIAM", "kelurahan", "31.75.01.1004", _seen(POPULATION, FLOOD_2020)),
    Alias("KAMPUNG TENGAH", "kelurahan", "31.75.04.1002",
          _seen(POPULATION, FLOOD_2023, BPS_MFD) + " (Kemendagri: Tengah)"),
    Alias("BALE KAMBANG", "kelurahan", "31.75.04.1005", _seen(POPULATION, FLOOD_2020, FLOOD_2023,
                                                              FLOOD_2024, BPS_MFD)),
    Alias("BALEKAMBANG", "kelurahan", "31.75.04.1005", FLOOD_2023),
    Alias("MAKA", "kelurahan", "31.75.08.1001", FLOOD_2023 + " (truncated: Makasar)"),
    Alias("HALIM PERDANA KUSUMAH", "kelurahan", "31.75.08.1004",
          _seen(POPULATION, FLOOD_2024, BPS_MFD) + " (Kemendagri: Halim Perdana Kusuma)"),
    Alias("KALIDERES", "kelurahan", "31.73.06.1001", _seen(POPULATION, BPS_MFD)),
    # -- placeholders: not areas --------------------------------------------------------------
    Alias("nihil", ANY_LEVEL, None, FLOOD_2023 + ": no flood in that kota that month"),
    Alias("-", ANY_LEVEL, None, FLOOD_2023 + ": all-'-' rows, no data for that month"),
)

TABLE = TableSpec("staging", "jakarta_area_aliases", (
    Column("alias", "text", "spelling as seen in a dataset", nullable=False),
    Column("alias_normalised", "text", "names.normalise_name(alias)", nullable=False),
    Column("level", "text", "kota, kecamatan, kelurahan; 'any' for placeholders",
           nullable=False),
    Column("kemendagri_code", "text", "Kemendagri 2025 code it names (NULL for placeholders)"),
    Column("kind", "text", "alias, or placeholder (a value that is not an area)",
           nullable=False),
    Column("note", "text", "where the spelling was seen", nullable=False),
), ("level", "alias"), "Spellings of Jakarta area names seen in the datasets -> Kemendagri codes")


def alias_frame(aliases: tuple[Alias, ...] = ALIASES) -> pd.DataFrame:
    """The alias table as written to the warehouse."""
    return pd.DataFrame([{
        "alias": a.spelling, "alias_normalised": normalise_name(a.spelling), "level": a.level,
        "kemendagri_code": a.kemendagri_code,
        "kind": PLACEHOLDER if a.kemendagri_code is None else ALIAS, "note": a.seen_in,
    } for a in aliases], columns=TABLE.column_names)


def _counts(frame: pd.DataFrame) -> dict:
    return {"aliases": dg.MetadataValue.int(int((frame["kind"] == ALIAS).sum())),
            "placeholders": dg.MetadataValue.int(int((frame["kind"] == PLACEHOLDER).sum()))}


AREA_ALIASES = FrameTable(
    key=ALIASES_KEY, table=TABLE, frame=alias_frame, deps=[ADMIN_AREAS.staging_key],
    description="Curated spellings of Jakarta area names seen in the real datasets, each "
                "pointing to its Kemendagri 2025 code; placeholders (nihil, -) recorded as "
                "non-areas.",
    group=GROUP, tags={"city": "jakarta", "layer": "staging"}, summary=_counts)


AREAS = ADMIN_AREAS.staging.qualified
# Each alias with what the check needs: does its code exist at its level, does it collide with
# the official name of another area (or, for a placeholder, of any area), how many areas does
# its normalised spelling point to.
_CHECK_SQL = f"""
SELECT a.*,
       (a.kind = '{PLACEHOLDER}' OR k.code IS NOT NULL) AS code_known,
       NOT EXISTS (SELECT 1 FROM {AREAS} o
                   WHERE o.code_system = '{KEMENDAGRI}' AND o.name_normalised = a.alias_normalised
                     AND (a.kind = '{PLACEHOLDER}'
                          OR (o.level = a.level AND o.code <> a.kemendagri_code)))
         AS no_collision,
       t.targets
FROM {{aliases}} a
LEFT JOIN {AREAS} k ON k.code_system = '{KEMENDAGRI}' AND k.code = a.kemendagri_code
                   AND k.level = a.level
JOIN (SELECT alias_normalised, level, count(DISTINCT kemendagri_code) AS targets
      FROM {{aliases}} GROUP BY 1, 2) t
  ON t.alias_normalised = a.alias_normalised AND t.level = a.level
"""

EXPECTATIONS = (
    q.compound_unique(["level", "alias"]),
    q.not_null("alias_normalised"),
    q.in_set("kind", [ALIAS, PLACEHOLDER]),
    q.in_set("level", ["kota", "kecamatan", "kelurahan", ANY_LEVEL]),
    q.in_set("code_known", [True]),
    q.in_set("no_collision", [True]),
    q.between("targets", 0, 1),
)


AREA_ALIASES_SUITE = TableCheck(
    ALIASES_KEY, GX_SUITE_CHECK,
    "Every alias names a Kemendagri 2025 code at its level, is not the official name of "
    "another area, and one spelling names one area; placeholders match no area name.",
    lambda audit: suite_result(audit, list(EXPECTATIONS),
                               render_query(_CHECK_SQL.format(aliases=audit.relation))))
