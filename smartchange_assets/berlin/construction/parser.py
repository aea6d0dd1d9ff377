"""Parser for the monthly construction report "Baugewerbe in Berlin" (Statistischer Bericht
E II 1 / E III 1 – m, Amt für Statistik Berlin-Brandenburg; docs/sources/berlin-construction.md).

One XLSX workbook -> one staged row per **value cell** of its tables ``Tab1`` … ``Tab8`` (a
statistical table's record is a cell: table, row, column). ``Titel``, ``Impressum``,
``Inhaltsverzeichnis`` and ``U4`` hold no figures. Per table:

* the header rows (between the title in A1 and the first data row) give each column's label;
  its measure, breakdown (Hochbau, Wohnungsbau, …) and unit are read from keywords
  (:mod:`.labels`), so a moved or re-worded column is found and a column that says nothing
  known stops the payload with a message naming sheet and column;
* time series (``Jahr / Monat``, ``Zeitraum``): a year alone opens a section, month names and
  ``1. Vj.`` rows are periods, a year row with values is the annual figure (stocks averaged,
  flows summed; ``2022¹``), the ``Veränderung in %`` rows are changes of the latest period;
* tables by economic branch (``WZ 2008``): one row per WZ 2008 code for the report month
  (Tab6) or quarter (Tab8); the section rows (``Ausbaugewerbe``, ``Bauträger²``) set the branch;
* cells: numbers; ``…`` (later), ``•`` (confidential), ``x`` (not applicable), ``/`` (not
  reliable) are the publisher's no-data; ``–`` (nothing) is 0; ``p``/``r``/``s`` and
  parentheses give the value's status; anything else is ``unreadable``.

The report month comes from the file name (``…_2023m06_…``) and must agree with the month in
Tab6's title. Every issue restates earlier months, so the report month is part of the key;
which issue wins for a period is decided in the core (the latest).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

import pandas as pd

from smartchange_assets.platform.parsing import (
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
)

from . import labels as lb

KEY = ("report_month", "sheet", "cell")
_REPORT = re.compile(r"(20\d\d)m(0[1-9]|1[0-2])", re.IGNORECASE)
_SHEET = re.compile(r"^tab\s*(\d+)$", re.IGNORECASE)
_YEAR = re.compile(r"^(20\d\d|19\d\d)\s*[¹²³⁴⁵⁶⁷⁸⁹]*$")
_QUARTER = re.compile(r"^([1-4])\.\s*vj\.?$")
_TITLE_MONTH = re.compile(r"\bim (" + "|".join(lb.MONTHS) + r") (20\d\d)\b")
_TITLE_QUARTER = re.compile(r"\bim ([1-4])\. vierteljahr (20\d\d)\b")
_END = re.compile(r"^_{3,}$")
STAGED = ["source_row", "report_month", "sheet", "cell", "table_title", "branch", "wz_code",
          "wz_name", "period_type", "period_start", "measure", "breakdown", "aggregation",
          "unit", "value", "value_status", "footnote"]


@dataclass
class _Column:
    index: int
    label: str
    measure: str
    breakdown: str
    unit: str


class _Reader:
    """Walks one table sheet, collecting staged rows, no-data and quarantine."""

    def __init__(self, file_name: str, report_month: dt.date, quarantine: Quarantine):
        self.file_name, self.report_month, self.quarantine = file_name, report_month, quarantine
        self.rows: list[dict] = []
        self.records = self.no_data = 0

    def cell(self, sheet: str, row_number: int, column: _Column, raw: object, context: dict,
             raw_row: list) -> None:
        self.records += 1
        ref = f"{_letters(column.index)}{row_number}"
        read = lb.read_cell(raw)
        if read.no_data:
            self.no_data += 1
            return
        if read.problem:
            self.quarantine.add(self.records, f"{sheet}!{ref} ({column.label})",
                                read.problem, {"sheet": sheet, "row": raw_row}, UNREADABLE)
            return
        self.rows.append({"source_row": self.records, "report_month": self.report_month,
                          "sheet": sheet, "cell": ref, "measure": column.measure,
                          "breakdown": column.breakdown,
                          "unit": ("percent" if context["aggregation"].startswith("change")
                                   else lb.MEASURE_UNITS[column.measure]),
                          "value": read.value,
                          "value_status": read.status, **context})


def parse_construction(data: bytes, file_name: str) -> ParseResult:
    """Parse one monthly construction report into one staged row per value cell."""
    report = _REPORT.search(file_name)
    if report is None:
        raise ParseError(file_name, "the file name names no report month (…_2023m06_…)")
    report_month = dt.date(int(report[1]), int(report[2]), 1)
    sheets = _read_workbook(data, file_name)
    tables = {name: rows for name, rows in sheets.items() if _SHEET.match(name.strip())}
    if not tables:
        raise ParseError(file_name, f"no table sheets Tab1 … (sheets: {list(sheets)})")
    quarantine = Quarantine()
    reader = _Reader(file_name, report_month, quarantine)
    for name, rows in tables.items():
        _read_table(reader, name.strip(), rows)
    frame = pd.DataFrame(reader.rows, columns=STAGED)
    result = ParseResult(staged=frame, source_rows=reader.records, no_data=reader.no_data,
                         quarantine=quarantine.frame(),
                         notes={"report_month": report_month.isoformat(),
                                "table_sheets": list(tables),
                                "other_sheets": [s for s in sheets if s not in tables]})
    result.reconcile()
    return result


def _read_workbook(data: bytes, file_name: str) -> dict[str, list[list]]:
    import openpyxl  # only this source's payloads need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise ParseError(file_name, f"not a readable XLSX workbook ({type(err).__name__}: "
                         f"{err}); truncated download?") from None
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)]
                for ws in book.worksheets}
    finally:
        book.close()


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --------------------------------------------------------------------------------------------
# one table


def _read_table(reader: _Reader, sheet: str, rows: list[list]) -> None:
    file_name = reader.file_name
    if not rows or not rows[0] or not rows[0][0]:
        raise ParseError(file_name, f"sheet {sheet}: no title in A1", row=1, column=f"{sheet}!A1")
    title = lb.normalise(rows[0][0])
    top = next((i for i, r in enumerate(rows[1:], start=1) if any(v is not None for v in r)),
               None)
    if top is None:
        raise ParseError(file_name, f"sheet {sheet}: no header below the title", row=2,
                         column=f"{sheet}!A2")
    by_branch = lb.normalise(rows[top][0]).startswith("wz")
    start = _first_data_row(rows, top, by_branch, sheet, file_name)
    columns = _columns(rows[top:start], title, sheet, file_name, by_branch)
    branch = "ausbaugewerbe" if "ausbaugewerbe" in title else "bauhauptgewerbe"
    if by_branch:
        _read_branch_rows(reader, sheet, rows, start, columns, title, branch)
    else:
        _read_series_rows(reader, sheet, rows, start, columns, title, branch)


def _first_data_row(rows: list[list], top: int, by_branch: bool, sheet: str,
                    file_name: str) -> int:
    for i, row in enumerate(rows[top + 1:], start=top + 1):
        first = row[0] if row else None
        if first is None:
            continue
        text = lb.normalise(first)
        if by_branch and (re.match(r"^\d", text) or text in ("ausbaugewerbe", "bautrager",
                                                              "bauhauptgewerbe")):
            return i
        if not by_branch and (isinstance(first, int) or _YEAR.match(str(first).strip())):
            return i
    raise ParseError(file_name, f"sheet {sheet}: no data rows below the header", row=2,
                     column=f"{sheet}!A")


def _columns(header_rows: list[list], title: str, sheet: str, file_name: str,
             by_branch: bool) -> list[_Column]:
    header_rows = [r for r in header_rows if any(v is not None for v in r)]
    width = max(len(r) for r in header_rows)
    texts = [[lb.normalise(r[i]) if i < len(r) else "" for r in header_rows]
             for i in range(width)]
    unit_row = next((j for j in range(len(header_rows))
                     if any(lb.unit_of(texts[i][j]) for i in range(width))), None)
    if unit_row is None:
        raise ParseError(file_name, f"sheet {sheet}: no unit row (Anzahl, 1 000 EUR) in the "
                         "header", row=2, column=f"{sheet}!A")
    columns, unit = [], None
    for i in range(1, width):
        unit = lb.unit_of(texts[i][unit_row]) or unit
        label = " ".join(t for j, t in enumerate(texts[i]) if t and j != unit_row)
        if not label or (by_branch and label.startswith("wirtschaftszweig")):
            continue
        measure = lb.measure_of(label, title)
        where = f"{sheet}!{_letters(i)}"
        if measure is None:
            raise ParseError(file_name, f"sheet {sheet}: column {label!r} names no known "
                             "measure", row=2, column=where)
        expected = lb.MEASURE_UNITS[measure]
        got = {"count": ("count", "persons", "days")}.get(unit, (unit,))
        if expected not in got:
            raise ParseError(file_name, f"sheet {sheet}: column {label!r} ({measure}) is in "
                             f"{unit!r}, expected {expected!r}", row=2, column=where)
        columns.append(_Column(i, label, measure, lb.breakdown_of(label), expected))
    if not columns:
        raise ParseError(file_name, f"sheet {sheet}: no value columns", row=2,
                         column=f"{sheet}!B")
    return columns


def _read_series_rows(reader: _Reader, sheet: str, rows: list[list], start: int,
                      columns: list[_Column], title: str, branch: str) -> None:
    year, kind, changes = None, None, False
    for i in range(start, len(rows)):
        row = rows[i]
        first = row[0] if row else None
        label = lb.normalise(first)
        values = [row[c.index] if c.index < len(row) else None for c in columns]
        has_values = any(v is not None and str(v).strip() for v in values)
        if _END.match(str(first or "").strip()):
            break
        if first is None and not has_values:
            continue
        context = {"table_title": title, "branch": branch, "wz_code": None, "wz_name": None,
                   "footnote": lb.footnotes(first)}
        if label.startswith("veranderung"):
            changes = True
            continue
        if changes:
            if label in ("zum", ""):
                continue
            if label not in lb.CHANGES or kind is None:
                raise ParseError(reader.file_name, f"sheet {sheet}: row {first!r} in the "
                                 "change block is not a known comparison", row=i + 1,
                                 column=f"{sheet}!A{i + 1}")
            # the changes are those of the report month (its quarter in a quarterly table)
            month = reader.report_month
            period = {"period_type": kind, "aggregation": lb.CHANGES[label],
                      "period_start": month if kind == "month" else
                      dt.date(month.year, month.month - (month.month - 1) % 3, 1)}
            for c, v in zip(columns, values, strict=True):
                reader.cell(sheet, i + 1, c, v, {**context, **period}, row)
            continue
        if isinstance(first, int) or _YEAR.match(str(first).strip()):
            year = int(re.match(r"\d{4}", str(first).strip())[0])
            if not has_values:
                continue
            for c, v in zip(columns, values, strict=True):
                aggregation = "annual_average" if c.measure in lb.STOCKS else "annual_sum"
                reader.cell(sheet, i + 1, c, v, {**context, "period_type": "year",
                                                 "period_start": dt.date(year, 1, 1),
                                                 "aggregation": aggregation}, row)
            continue
        period = _period(label, year)
        if period is None:
            raise ParseError(reader.file_name, f"sheet {sheet}: row label {first!r} is no "
                             "month, quarter or year", row=i + 1, column=f"{sheet}!A{i + 1}")
        kind = period["period_type"]
        for c, v in zip(columns, values, strict=True):
            reader.cell(sheet, i + 1, c, v, {**context, **period, "aggregation": "level"}, row)


def _period(label: str, year: int | None) -> dict | None:
    if year is None:
        return None
    if label in lb.MONTHS:
        return {"period_type": "month", "period_start": dt.date(year, lb.MONTHS[label], 1)}
    if m := _QUARTER.match(label):
        return {"period_type": "quarter",
                "period_start": dt.date(year, 3 * int(m[1]) - 2, 1)}
    return None


def _read_branch_rows(reader: _Reader, sheet: str, rows: list[list], start: int,
                      columns: list[_Column], title: str, branch: str) -> None:
    period = _title_period(title)
    if period is None:
        raise ParseError(reader.file_name, f"sheet {sheet}: the title names no month or "
                         f"quarter ('im Juni 2023', 'im 2. Vierteljahr 2023'): {title!r}",
                         row=1, column=f"{sheet}!A1")
    if period["period_type"] == "month" and period["period_start"] != reader.report_month:
        raise ParseError(reader.file_name, f"sheet {sheet}: the title's month "
                         f"{period['period_start']:%Y-%m} is not the report month "
                         f"{reader.report_month:%Y-%m} of the file name", row=1,
                         column=f"{sheet}!A1")
    first_value = min(c.index for c in columns)
    for i in range(start, len(rows)):
        row = rows[i]
        first = row[0] if row else None
        if _END.match(str(first or "").strip()):
            break
        values = [row[c.index] if c.index < len(row) else None for c in columns]
        has_values = any(v is not None and str(v).strip() for v in values)
        label = lb.normalise(first)
        if not has_values:
            if label in ("ausbaugewerbe", "bautrager", "bauhauptgewerbe"):
                branch = label.replace("bautrager", "bautraeger")
            continue
        code = re.sub(r"/+", "/", re.sub(r"\s+", "/", str(first).strip()))
        name = " ".join(str(v).strip() for v in row[1:first_value] if v is not None and
                        str(v).strip())
        context = {"table_title": title, "branch": branch, "wz_code": code,
                   "wz_name": re.sub(r"\s+", " ", name).strip() or None,
                   "footnote": lb.footnotes(first), **period, "aggregation": "level"}
        for c, v in zip(columns, values, strict=True):
            reader.cell(sheet, i + 1, c, v, context, row)


def _title_period(title: str) -> dict | None:
    if m := _TITLE_MONTH.search(title):
        return {"period_type": "month",
                "period_start": dt.date(int(m[2]), lb.MONTHS[m[1]], 1)}
    if m := _TITLE_QUARTER.search(title):
        return {"period_type": "quarter",
                "period_start": dt.date(int(m[2]), 3 * int(m[1]) - 2, 1)}
    return None
