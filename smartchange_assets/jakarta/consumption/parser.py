"""Parser for the average monthly expenditure per capita by kab/kota (BPS DKI Jakarta "Pola
Konsumsi Penduduk", Susenas), as transcribed from the PDF by a third party
(docs/sources/jakarta-consumption.md).

The table is wide by year (``pengeluaran_2023_rp``, ``pengeluaran_2024_rp``; the years are
read from the headers, whatever they are). A **record** is one (row, year) cell. Rows are the
six kab/kota by name (resolved downstream through the Jakarta alias table) and a last row with
the province figure (``Rata-rata DKI Jakarta``): an **average** over residents, not a sum, so
it is checked to lie between the lowest and the highest kab/kota of its year (else
``inconsistent``) and staged as ``level = 'province'``. Values are whole Rupiah per capita and
month (``Rp 2.743.643`` and ``2,743,643`` read as 2743643); anything else is ``unreadable``.
"""

from __future__ import annotations

import re

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

MEASURE = "expenditure_per_capita_month"
HEADER = HeaderSpec({"kota": ("kabupaten_kota", "kab_kota", "kabkota", "wilayah")},
                    required=("kota",))
KEY = ("row_label", "year")
_YEAR_COLUMN = re.compile(r"^pengeluaran[_ ](\d{4})(?:[_ ]rp)?$", re.IGNORECASE)
_RUPIAH = re.compile(r"^(?:rp\.?\s*)", re.IGNORECASE)


def parse_consumption(data: bytes, file_name: str) -> ParseResult:
    """Parse the expenditure table into one staged row per (row, year)."""
    grid = read_grid(data, file_name)
    if len(grid.rows) < 2:
        raise ParseError(file_name, "no data rows after the header")
    header = [h.strip() for h in grid.rows[0]]
    at = HEADER.positions(header, file_name, row=1)
    years = {}
    for i, name in enumerate(header):
        if i == at["kota"] or not name:
            continue
        match = _YEAR_COLUMN.match(name)
        if match is None:
            raise ParseError(file_name, f"column {name!r} is not 'pengeluaran_<year>_rp'",
                             row=1, column=name)
        years[match[1]] = i
    if not years:
        raise ParseError(file_name, "no 'pengeluaran_<year>_rp' column", row=1)
    records = kota_records(grid, at["kota"], list(years.items()), header)
    quarantine, rows = Quarantine(), []
    for r in records:
        value = whole_count(_RUPIAH.sub("", r.text.strip()))
        if value is None:
            quarantine.add(r.source_row, r.column, f"{r.column} {r.text!r} is not whole "
                           "Rupiah", r.raw, UNREADABLE)
            continue
        rows.append({"source_row": r.source_row, "year": int(r.measure), "level": r.level,
                     "kota_name": r.kota_name, "row_label": r.row_label, "measure": MEASURE,
                     "expenditure_rp": value, "_raw": r.raw, "_column": r.column})
    rows = _check_averages(rows, quarantine)
    frame = pd.DataFrame(rows, columns=["source_row", "year", "level", "kota_name",
                                        "row_label", "measure", "expenditure_rp", "_raw",
                                        "_column"]).drop(columns="_column")
    frame = settle_duplicates(frame, KEY, quarantine, raw="_raw")
    result = ParseResult(staged=frame.drop(columns="_raw"), source_rows=len(records),
                         quarantine=quarantine.frame(),
                         notes={"years": sorted(int(y) for y in years),
                                "file_rows": len(grid.rows) - 1})
    result.reconcile()
    return result


def _check_averages(rows: list[dict], quarantine: Quarantine) -> list[dict]:
    """The province average of a year lies between its lowest and highest kab/kota."""
    by_year: dict[int, list[int]] = {}
    for r in rows:
        if r["level"] == "kota":
            by_year.setdefault(r["year"], []).append(r["expenditure_rp"])
    kept = []
    for r in rows:
        values = by_year.get(r["year"], [])
        if r["level"] == "province" and values and not \
                min(values) <= r["expenditure_rp"] <= max(values):
            quarantine.add(r["source_row"], r["_column"],
                           f"province average {r['expenditure_rp']} lies outside the kab/kota "
                           f"range {min(values)}–{max(values)} of {r['year']}", r["_raw"],
                           INCONSISTENT)
            continue
        kept.append(r)
    return kept
