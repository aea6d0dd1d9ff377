"""Reading the BPS tables re-keyed by third parties (Jakarta economy sources).

The four Jakarta economy sources (``employment``, ``labour_force``, ``potensi_kelurahan``,
``consumption``) are BPS figures typed or re-keyed into flat files by repository owners
(docs/sources/jakarta-employment.md and the others). They share the reading:

* :func:`read_grid`: an XLSX workbook (first sheet with a header) or a CSV (UTF-8 with or
  without BOM, cp1252 fallback, delimiter sniffed), as rows of text cells with their line
  numbers; numbers an XLSX stores as floats with no fraction come out as integers;
* :func:`whole_count`: a published count (``5072737``, ``5.072.737``, ``5,072,737``,
  ``5072737.0``), never a fraction guessed into a count;
* :func:`kota_records`: a table with one row per kab/kota and a last total row, wide by
  measure, as one record per (row, measure column) – the unit ``staged + no_data +
  quarantined`` counts for these sources.

Each source documents its own caveat (a transcription, not a BPS download) in its table
description.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from smartchange_assets.platform.names import fold, tidy
from smartchange_assets.platform.parsing import ParseError, decode_text, sniff_delimiter

_COUNT = re.compile(r"\d+")
_GROUPED = re.compile(r"\d{1,3}(?:([.,])\d{3})+")
_ZERO_FRACTION = re.compile(r"(\d+)[.,]0+")
# labels of a table's total row (the three transcribed tables each use another)
TOTAL_LABELS = ("TOTAL", "JUMLAH", "DKIJAKARTA", "RATARATA", "PROVINSIDKIJAKARTA")


@dataclass(frozen=True)
class Grid:
    rows: list[list[str]]
    line_numbers: list[int]  # line (CSV) or sheet row (XLSX) of each row, 1-based
    kind: str


def read_grid(data: bytes, file_name: str) -> Grid:
    """The non-empty rows of a CSV or of an XLSX workbook's first sheet, as text cells."""
    if not data.strip():
        raise ParseError(file_name, "empty payload")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, file_name)
    text = decode_text(data, file_name).lstrip("\ufeff")
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if first_line.lstrip().startswith("<"):
        raise ParseError(file_name, f"an HTML/XML page, not a table; starts with "
                         f"{first_line[:80]!r}", row=1)
    reader = csv.reader(io.StringIO(text, newline=""),
                        delimiter=sniff_delimiter(first_line, candidates=",;\t"))
    rows, lines = [], []
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                rows.append(record)
                lines.append(reader.line_num)
    except csv.Error as err:
        raise ParseError(file_name, f"CSV cannot be read: {err}", row=reader.line_num) from None
    return Grid(rows, lines, "csv")


def _read_xlsx(data: bytes, file_name: str) -> Grid:
    import openpyxl  # only XLSX payloads need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise ParseError(file_name, f"not a readable XLSX workbook ({type(err).__name__}: "
                         f"{err}); truncated download?") from None
    try:
        rows, lines = [], []
        for n, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            cells = [cell_text(v) for v in values]
            while cells and not cells[-1].strip():
                cells.pop()
            if cells:
                rows.append(cells)
                lines.append(n)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise ParseError(file_name, f"XLSX sheet cannot be read ({type(err).__name__}: "
                         f"{err})") from None
    finally:
        book.close()
    return Grid(rows, lines, "xlsx")


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


# the longest count text read: 10^15 with its separators is far beyond any population table
MAX_COUNT_CHARS = 24


def whole_count(text: str) -> int | None:
    """A published count, or None when the text is not one (a fraction, a word)."""
    value = text.strip()
    if len(value) > MAX_COUNT_CHARS:
        return None  # no published count has that many digits (and int() refuses 4,300)
    if _COUNT.fullmatch(value):
        return int(value)
    if _GROUPED.fullmatch(value):
        return int(re.sub(r"[.,]", "", value))
    if m := _ZERO_FRACTION.fullmatch(value):
        return int(m[1])
    return None


def is_total_label(label: str) -> bool:
    """A total row's label: 'Total Kelurahan', 'DKI Jakarta', 'Rata-rata DKI Jakarta'."""
    key = fold(label)
    return any(key.startswith(t) for t in TOTAL_LABELS)


@dataclass(frozen=True)
class KotaRecord:
    """One (row, measure column) cell of a kab/kota table."""
    source_row: int
    level: str            # kota or province (the total row)
    kota_name: str | None  # as published, tidied; None for the total row
    row_label: str
    measure: str           # canonical measure
    column: str            # the column as published
    text: str
    raw: dict


def kota_records(grid: Grid, name_at: int, measures: Sequence[tuple[str, int]],
                 header: list[str]) -> list[KotaRecord]:
    """Every (row, measure) cell below the header. The total row is the last row whose label
    is a total label; a total label elsewhere is an ordinary (unresolvable) row, so the area
    check names it."""
    body = list(zip(grid.rows[1:], grid.line_numbers[1:], strict=True))
    last = len(body) - 1
    records = []
    for i, (record, line) in enumerate(body):
        label = tidy(record[name_at]) if name_at < len(record) else ""
        total = i == last and is_total_label(label)
        raw = dict(zip(header, record, strict=False))
        for measure, at in measures:
            records.append(KotaRecord(line - grid.line_numbers[0], "province" if total
                                      else "kota", None if total else label, label, measure,
                                      header[at], record[at] if at < len(record) else "", raw))
    return records
