"""Parser for the labour force by highest education per kabupaten/kota (BPS "Keadaan Angkatan
Kerja", re-keyed by soegampars/idbt; docs/sources/jakarta-labour-force.md).

One row per kab/kota and year -> one staged row. Form (tolerated): CSV (or an XLSX
re-export), any delimiter, columns by name in any order, ``NA`` / ``-`` / empty as the
publisher's "not available", counts with or without thousands separators.

Meaning (strict):

* ``kabkot_kode`` is the 4-digit **BPS** kab/kota code (Jakarta Selatan = 3171); it is never
  taken for a Kemendagri code (Kemendagri 31.71 is Jakarta Pusat): the core maps it through
  ``staging.jakarta_area_crosswalk``. Its first two digits must be ``prov`` (else
  ``inconsistent``);
* the five groups (below primary, primary, junior secondary, senior secondary, tertiary) are
  summed and compared with the labour force total ``lf``: the staged row keeps both and
  ``groups_sum_to_total`` (NULL when a group is not available). 16 of the seed's 423 rows do
  not add up (West Java 2020 by up to 0.36 M; Kab. Kepulauan Seribu 2020 by 936): kept as
  published, not used for shares;
* where the split columns are published, they must add up to their group (``lf_non =
  lf_non1 + lf_non2``, ``lf_sma = lf_sma1 + lf_sma2``, ``lf_tert = lf_tert11 + lf_tert12 +
  lf_tert2``); a row where they do not is ``inconsistent``.
"""

from __future__ import annotations

import re

import pandas as pd

from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.names import tidy
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
)

from ..bps_tables import read_grid, whole_count

# staged column -> (published column, meaning)
COUNTS = {
    "lf_no_schooling": ("lf_non1", "never attended school"),
    "lf_primary_not_completed": ("lf_non2", "primary school not completed"),
    "lf_below_primary": ("lf_non", "no schooling or primary not completed"),
    "lf_primary": ("lf_sd", "primary school (SD)"),
    "lf_junior_secondary": ("lf_smp", "junior secondary (SMP)"),
    "lf_senior_general": ("lf_sma1", "general senior secondary (SMA)"),
    "lf_senior_vocational": ("lf_sma2", "vocational senior secondary (SMK)"),
    "lf_senior_secondary": ("lf_sma", "senior secondary, general and vocational"),
    "lf_diploma_1_2": ("lf_tert11", "diploma I/II"),
    "lf_diploma_3_4": ("lf_tert12", "diploma III/IV"),
    "lf_university": ("lf_tert2", "university"),
    "lf_tertiary": ("lf_tert", "tertiary: diplomas and university"),
    "lf_total": ("lf", "labour force, all education levels"),
}
GROUPS = ("lf_below_primary", "lf_primary", "lf_junior_secondary", "lf_senior_secondary",
          "lf_tertiary")
SPLITS = {"lf_below_primary": ("lf_no_schooling", "lf_primary_not_completed"),
          "lf_senior_secondary": ("lf_senior_general", "lf_senior_vocational"),
          "lf_tertiary": ("lf_diploma_1_2", "lf_diploma_3_4", "lf_university")}
NOT_AVAILABLE = frozenset({"", "NA", "N/A", "-", "…", "..."})

HEADER = HeaderSpec({
    "kabkot_name": ("kabkot", "nama_kabkot", "kabupaten_kota"),
    "bps_code": ("kabkot_kode", "kode_kabkot", "kode_bps"),
    "prov_code": ("prov", "prov_kode", "kode_prov"),
    "year": ("tahun",),
    **{staged: (published,) for staged, (published, _) in COUNTS.items()},
}, required=("kabkot_name", "bps_code", "prov_code", "year", *GROUPS, "lf_total"))

KEY = ("bps_code", "year")
_YEAR = re.compile(r"(19[89]\d|20\d\d)")


def parse_labour_force(data: bytes, file_name: str) -> ParseResult:
    """Parse the labour force by education table into one row per kab/kota and year."""
    grid = read_grid(data, file_name)
    start, header = HEADER.find_header(grid.rows, file_name)
    header = [str(h) for h in header]
    at = HEADER.positions(header, file_name, row=grid.line_numbers[start])
    body = grid.rows[start + 1:]
    if not body:
        raise ParseError(file_name, "no data rows after the header")
    quarantine, rows = Quarantine(), []
    for source_row, record in enumerate(body, start=1):
        raw = dict(zip(header, record, strict=False))
        cell = {c: (record[i].strip() if i < len(record) else "") for c, i in at.items()}
        try:
            row = _row(cell, header, at)
        except _RowError as err:
            quarantine.add(source_row, err.column, err.reason, raw, err.kind)
            continue
        rows.append({"source_row": source_row, **row, "_raw": raw})
    columns = ["source_row", "kabkot_name", "bps_code", "prov_code", "year", *COUNTS,
               "groups_sum", "groups_sum_to_total"]
    frame = pd.DataFrame(rows, columns=[*columns, "_raw"])
    frame = settle_duplicates(frame, KEY, quarantine, raw="_raw")
    result = ParseResult(staged=frame.drop(columns="_raw"), source_rows=len(body),
                         quarantine=quarantine.frame(), notes={"format": grid.kind})
    result.reconcile()
    return result


class _RowError(Exception):
    def __init__(self, column: str, reason: str, kind: str = UNREADABLE):
        super().__init__(reason)
        self.column, self.reason, self.kind = column, reason, kind


def _row(cell: dict[str, str], header: list[str], at: dict[str, int]) -> dict:
    published = {c: header[i] for c, i in at.items()}
    code = cell["bps_code"]
    if not re.fullmatch(r"\d{4}", code):
        raise _RowError(published["bps_code"], f"BPS kab/kota code {code!r} is not 4 digits")
    prov = cell["prov_code"].zfill(2)
    if not re.fullmatch(r"\d{2}", prov):
        raise _RowError(published["prov_code"], f"province code {cell['prov_code']!r} is not "
                        "2 digits")
    if code[:2] != prov:
        raise _RowError(published["bps_code"], f"kab/kota {code} is not in province {prov}",
                        INCONSISTENT)
    if not _YEAR.fullmatch(cell["year"]):
        raise _RowError(published["year"], f"year {cell['year']!r} is not a year")
    counts = {}
    for c in COUNTS:
        text = cell.get(c, "")
        if text.upper() in NOT_AVAILABLE:
            counts[c] = None
        elif (value := whole_count(text)) is None:
            raise _RowError(published[c], f"{published[c]} {text!r} is not a whole count")
        else:
            counts[c] = value
    if counts["lf_total"] is None:
        raise _RowError(published["lf_total"], "the labour force total is not published")
    for group, parts in SPLITS.items():
        values = [counts[p] for p in parts]
        if counts[group] is not None and None not in values and sum(values) != counts[group]:
            raise _RowError(published[group], f"{published[group]} {counts[group]} is not the "
                            f"sum of {[published.get(p, p) for p in parts]} ({sum(values)})",
                            INCONSISTENT)
    groups = [counts[g] for g in GROUPS]
    total = None if None in groups else sum(groups)
    return {"kabkot_name": tidy(cell["kabkot_name"]), "bps_code": code, "prov_code": prov,
            "year": int(cell["year"]), **counts, "groups_sum": total,
            "groups_sum_to_total": None if total is None else total == counts["lf_total"]}
