"""Parser for employed persons by province and 17 KBLI sector groups (BPS Sakernas, August),
as re-keyed by soegampars/idbt (docs/sources/jakarta-employment.md).

One row per province and year -> one staged row. Form (tolerated): the XLSX as published or
a CSV re-export; columns by name in any order (the 9-sector file of the same repository puts
``prov_nama`` before ``year``); numbers stored as numbers or as text with thousands
separators.

Meaning (strict):

* the 17 sector columns are KBLI 2015/2020 section groups (A, B, C, D, E, F, G, H, I, J, K, L,
  M+N, O, P, Q, R–U); the **9-sector** layout of the same repository (``bekerja_agri``,
  ``bekerja_manuf``, ``bekerja_finance``, …; KBLI 2009 grouping, up to 2014) groups sectors
  differently and is refused, naming the column: its figures are not these columns;
* counts are whole persons; a missing or fractional count is ``unreadable``;
* ``prov_kode`` is the 2-digit BPS province code (DKI Jakarta = 31), ``year`` the Sakernas
  August round;
* the sectors are summed and compared with ``bekerja_total``: the staged row keeps both and
  ``sectors_sum_to_total`` (13 of the 306 rows of the seed do not add up, none of DKI
  Jakarta's; the transcription cannot tell which figure is wrong, so the marts use only rows
  that add up).

A province and year given twice follows the platform's one duplicate rule.
"""

from __future__ import annotations

import re

import pandas as pd

from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.names import tidy
from smartchange_assets.platform.parsing import (
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
)

from ..bps_tables import read_grid, whole_count

# staged column -> (published column, KBLI sections)
SECTORS = {
    "kbli_a": ("bekerja_agr", "A agriculture, forestry and fishing"),
    "kbli_b": ("bekerja_min", "B mining and quarrying"),
    "kbli_c": ("bekerja_mfg", "C manufacturing"),
    "kbli_d": ("bekerja_util", "D electricity and gas supply"),
    "kbli_e": ("bekerja_waste", "E water supply, sewerage, waste management"),
    "kbli_f": ("bekerja_cons", "F construction"),
    "kbli_g": ("bekerja_trade", "G wholesale and retail trade, repair of vehicles"),
    "kbli_h": ("bekerja_trans", "H transportation and storage"),
    "kbli_i": ("bekerja_hosp", "I accommodation and food service"),
    "kbli_j": ("bekerja_info", "J information and communication"),
    "kbli_k": ("bekerja_fin", "K financial and insurance activities"),
    "kbli_l": ("bekerja_real", "L real estate"),
    "kbli_mn": ("bekerja_biz", "M+N professional, scientific, technical; administrative and "
                "support services"),
    "kbli_o": ("bekerja_gov", "O public administration and defence, compulsory social "
               "security"),
    "kbli_p": ("bekerja_edu", "P education"),
    "kbli_q": ("bekerja_health", "Q human health and social work"),
    "kbli_rstu": ("bekerja_other", "R-U other services"),
}
COUNTS = (*SECTORS, "total")
NINE_SECTOR_COLUMNS = ("bekerja_agri", "bekerja_manuf", "bekerja_finance")

HEADER = HeaderSpec({
    "prov_code": ("prov_kode", "kode_prov", "kode_provinsi"),
    "prov_name": ("prov_nama", "nama_prov", "provinsi"),
    "year": ("tahun",),
    **{staged: (published,) for staged, (published, _) in SECTORS.items()},
    "total": ("bekerja_total",),
}, required=("prov_code", "prov_name", "year", *COUNTS))

KEY = ("prov_code", "year")
_PROV = re.compile(r"\d{1,2}")
_YEAR = re.compile(r"(19[89]\d|20\d\d)")


def parse_employment(data: bytes, file_name: str) -> ParseResult:
    """Parse the province × sector employment table into one row per province and year."""
    grid = read_grid(data, file_name)
    if not grid.rows:
        raise ParseError(file_name, "no rows")
    _refuse_nine_sectors(grid.rows[0], file_name)
    start, header = HEADER.find_header(grid.rows, file_name)
    header = [str(h) for h in header]
    at = HEADER.positions(header, file_name, row=grid.line_numbers[start])
    body = list(zip(grid.rows[start + 1:], grid.line_numbers[start + 1:], strict=True))
    if not body:
        raise ParseError(file_name, "no data rows after the header")
    quarantine, rows = Quarantine(), []
    for source_row, (record, _line) in enumerate(body, start=1):
        raw = dict(zip(header, record, strict=False))
        cell = {c: (record[i].strip() if i < len(record) else "") for c, i in at.items()}
        problem = _problem(cell, header, at)
        if problem:
            quarantine.add(source_row, problem[0], problem[1], raw, UNREADABLE)
            continue
        counts = {c: whole_count(cell[c]) for c in COUNTS}
        sectors_sum = sum(counts[c] for c in SECTORS)
        rows.append({"source_row": source_row, "prov_code": cell["prov_code"].zfill(2),
                     "prov_name": tidy(cell["prov_name"]), "year": int(cell["year"]),
                     **counts, "sectors_sum": sectors_sum,
                     "sectors_sum_to_total": sectors_sum == counts["total"], "_raw": raw})
    frame = pd.DataFrame(rows, columns=["source_row", "prov_code", "prov_name", "year",
                                        *COUNTS, "sectors_sum", "sectors_sum_to_total", "_raw"])
    frame = settle_duplicates(frame, KEY, quarantine, raw="_raw")
    result = ParseResult(staged=frame.drop(columns="_raw"), source_rows=len(body),
                         quarantine=quarantine.frame(),
                         notes={"format": grid.kind, "rows_not_adding_up":
                                int((~frame["sectors_sum_to_total"].astype(bool)).sum())})
    result.reconcile()
    return result


def _refuse_nine_sectors(first_row: list[str], file_name: str) -> None:
    keys = {h.strip().lower(): h for h in first_row}
    found = [keys[c] for c in NINE_SECTOR_COLUMNS if c in keys]
    if found:
        raise ParseError(file_name, "the 9-sector layout (KBLI 2009 grouping, bekerja_agri, "
                         "bekerja_manuf, bekerja_finance, …) groups sectors differently from "
                         "the 17 KBLI 2015 groups this table holds; not read", row=1,
                         column=found[0])


def _problem(cell: dict[str, str], header: list[str], at: dict[str, int]
             ) -> tuple[str, str] | None:
    if not _PROV.fullmatch(cell["prov_code"]):
        return header[at["prov_code"]], f"province code {cell['prov_code']!r} is not 2 digits"
    if not _YEAR.fullmatch(cell["year"]):
        return header[at["year"]], f"year {cell['year']!r} is not a year"
    for c in COUNTS:
        if whole_count(cell[c]) is None:
            return header[at[c]], f"{header[at[c]]} {cell[c]!r} is not a whole count of persons"
    return None
