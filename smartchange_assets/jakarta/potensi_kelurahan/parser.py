"""Parser for the kab/kota tables of "Statistik Potensi Kelurahan Provinsi DKI Jakarta"
(BPS, PODES-based), as transcribed from the PDF by a third party
(docs/sources/jakarta-potensi-kelurahan.md).

Two tables, told apart by their columns:

* ``main_income_sector`` (``profil_penghasilan_utama``): kelurahan whose majority of residents
  live mainly from agriculture/fishery, manufacturing, trade/repair, accommodation/food; only
  these four sectors were transcribed, so a row does not sum to the kota's kelurahan;
* ``economic_facilities`` (``sarana_ekonomi_kelurahan``): kelurahan **having** a shop cluster,
  a permanent market, a semi-permanent market, a grocery shop/stall – numbers of kelurahan, not
  of facilities.

A **record** is one (row, measure column) cell: a file row gives four records. Rows are the
six kab/kota by name (no prefix, no code: the area columns are resolved by name downstream
through the Jakarta alias table) and a last total row whose label differs from table to table
(``Total Kelurahan``, ``DKI Jakarta``): staged as ``level = 'province'`` when it is the sum of
the kota rows, else ``inconsistent``. A column of neither table is refused (a fuller
transcription could add a sector: it must be mapped, not dropped). The publication year comes
from the file name (``…_2024_…``); a name without one is refused.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pandas as pd

from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
)

from ..bps_tables import kota_records, read_grid, whole_count

MAIN_INCOME, FACILITIES = "main_income_sector", "economic_facilities"
# canonical measure -> (table kind, published column, meaning)
MEASURES = {
    "main_income_agriculture_fishery": (MAIN_INCOME, "pertanian_perikanan",
                                        "agriculture and fishery"),
    "main_income_manufacturing": (MAIN_INCOME, "industri_pengolahan", "manufacturing"),
    "main_income_trade_repair": (MAIN_INCOME, "perdagangan_reparasi",
                                 "wholesale/retail trade and repair"),
    "main_income_accommodation_food": (MAIN_INCOME, "akomodasi_makan_minum",
                                       "accommodation, food and drink"),
    "has_shop_cluster": (FACILITIES, "kelompok_pertokoan", "a shop cluster"),
    "has_permanent_market": (FACILITIES, "pasar_permanen", "a permanent market"),
    "has_semi_permanent_market": (FACILITIES, "pasar_semi_permanen", "a semi-permanent market"),
    "has_grocery_stall": (FACILITIES, "toko_warung_kelontong",
                          "a grocery shop or stall (toko/warung kelontong)"),
}
HEADER = HeaderSpec({
    "kota": ("kabupaten_kota", "kab_kota", "kabkota", "wilayah"),
    **{m: (published,) for m, (_, published, _) in MEASURES.items()},
}, required=("kota",))
KEY = ("table_kind", "row_label", "measure")
_YEAR = re.compile(r"(?:^|[_\-])(20\d\d)(?:[_\-.]|$)")


def parse_potensi_kelurahan(data: bytes, file_name: str) -> ParseResult:
    """Parse one PODES kab/kota table into one staged row per (row, measure)."""
    year = _YEAR.search(file_name)
    if year is None:
        raise ParseError(file_name, "the file name names no publication year (…_2024_…): the "
                         "year of the counts would be a guess")
    grid = read_grid(data, file_name)
    if len(grid.rows) < 2:
        raise ParseError(file_name, "no data rows after the header")
    header = [h.strip() for h in grid.rows[0]]
    at = HEADER.positions(header, file_name, row=1)
    unknown = [h for i, h in enumerate(header) if i not in at.values() and h]
    if unknown:
        raise ParseError(file_name, f"column {unknown[0]!r} is no measure of the Potensi "
                         f"Kelurahan tables (known: {[p for _, p, _ in MEASURES.values()]})",
                         row=1, column=unknown[0])
    kinds = {MEASURES[m][0] for m in at if m != "kota"}
    if len(kinds) != 1:
        raise ParseError(file_name, f"columns of {sorted(kinds) or 'no'} table(s): expected "
                         f"the measures of exactly one of {[MAIN_INCOME, FACILITIES]}", row=1)
    kind = kinds.pop()
    measures = [(m, i) for m, i in at.items() if m != "kota"]
    records = kota_records(grid, at["kota"], measures, header)
    quarantine, rows = Quarantine(), []
    for r in records:
        value = whole_count(r.text)
        if value is None:
            quarantine.add(r.source_row, r.column, f"{r.column} {r.text!r} is not a whole count "
                           "of kelurahan", r.raw, UNREADABLE)
            continue
        rows.append({"source_row": r.source_row, "year": int(year[1]), "table_kind": kind,
                     "level": r.level, "kota_name": r.kota_name, "row_label": r.row_label,
                     "measure": r.measure, "kelurahan": value, "_raw": r.raw,
                     "_column": r.column})
    rows = _check_totals(rows, quarantine)
    frame = pd.DataFrame(rows, columns=["source_row", "year", "table_kind", "level",
                                        "kota_name", "row_label", "measure", "kelurahan",
                                        "_raw", "_column"]).drop(columns="_column")
    frame = settle_duplicates(frame, KEY, quarantine, raw="_raw")
    result = ParseResult(staged=frame.drop(columns="_raw"), source_rows=len(records),
                         quarantine=quarantine.frame(),
                         notes={"table_kind": kind, "file_rows": len(grid.rows) - 1})
    result.reconcile()
    return result


def _check_totals(rows: list[dict], quarantine: Quarantine) -> list[dict]:
    """The total row's records that equal the sum of the kota rows; the others quarantined."""
    sums: dict[str, int] = defaultdict(int)
    for r in rows:
        if r["level"] == "kota":
            sums[r["measure"]] += r["kelurahan"]
    kept = []
    for r in rows:
        if r["level"] == "province" and r["kelurahan"] != sums[r["measure"]]:
            quarantine.add(r["source_row"], r["_column"],
                           f"total row {r['row_label']!r}: {r['kelurahan']} is not the sum of "
                           f"the kab/kota rows ({sums[r['measure']]})", r["_raw"], INCONSISTENT)
            continue
        kept.append(r)
    return kept
