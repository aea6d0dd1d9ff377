"""Population payload bytes -> rows of text cells, whatever the container.

Four containers reach this source: the satudata CSV download, the Dukcapil CSV, the Disdukcapil
XLSX export (title rows above the header) and the BPS web-table CSV (stacked header), plus the
satudata JSON reply of the live connector. They are all turned into the same :class:`Grid`: the
non-blank rows of the payload as lists of text, in order, with their line (or sheet row) numbers.
Which row is the header is decided by the parser, by column names.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from smartchange_assets.jakarta.satudata import JsonRecordsError, records_from_json
from smartchange_assets.platform.parsing import ParseError, decode_text

_ZIP_MAGIC = b"PK\x03\x04"  # every XLSX is a zip archive
_BOM = b"\xef\xbb\xbf"


@dataclass
class Grid:
    rows: list[list[str]]
    line_numbers: list[int]  # 1-based line (CSV) or sheet row (XLSX) of each row
    format: str
    delimiter: str | None = None
    notes: dict = field(default_factory=dict)


def read_grid(data: bytes, file_name: str) -> Grid:
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, file_name)
    if data.removeprefix(_BOM).lstrip()[:1] in (b"{", b"["):
        return _read_json(data, file_name)
    return _read_csv(data, file_name)


def _read_csv(data: bytes, file_name: str) -> Grid:
    text = decode_text(data, file_name).lstrip("\ufeff")
    head = [line for line in text.splitlines() if line.strip()][:5]
    if not head:
        return Grid([], [], "csv")
    # The delimiter that splits the most fields out of the first lines (not just line 1: the
    # BPS export starts with "Kab/Kota," and an export tool could put a title line on top).

    def width(d: str) -> int:
        return max(len(next(csv.reader([line], delimiter=d))) for line in head)

    delimiter = max(",;\t", key=lambda d: (width(d), d == ","))
    rows, line_numbers = [], []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                rows.append(record)
                line_numbers.append(reader.line_num)
    except csv.Error as err:
        raise ParseError(file_name, f"CSV cannot be read: {err}",
                         row=reader.line_num) from None
    return Grid(rows, line_numbers, "csv", delimiter)


def _read_xlsx(data: bytes, file_name: str) -> Grid:
    import openpyxl  # imported here: only XLSX payloads need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise ParseError(file_name, f"not a readable XLSX workbook "
                         f"({type(err).__name__}: {err}); truncated download?") from None
    try:
        sheet = book.worksheets[0]
        rows, line_numbers = [], []
        for n, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            while cells and not cells[-1].strip():
                cells.pop()
            if cells:
                rows.append(cells)
                line_numbers.append(n)
        notes = {"sheet": sheet.title, "sheets": len(book.worksheets)}
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise ParseError(file_name, f"XLSX sheet cannot be read "
                         f"({type(err).__name__}: {err})") from None
    finally:
        book.close()
    return Grid(rows, line_numbers, "xlsx", notes=notes)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 919938.0 in the TOTAL row is the count 919938
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def _read_json(data: bytes, file_name: str) -> Grid:
    """A satudata reply (live connector): its rows as a CSV download would have them."""
    try:
        header, records = records_from_json(data)
    except JsonRecordsError as err:
        raise ParseError(file_name, str(err), row=err.row) from None
    rows = [header, *([record[h] for h in header] for record in records)]
    # "line" n is the header (0) or the n-th record, so source_row stays the record number
    return Grid(rows if records else [], list(range(len(rows))) if records else [],
                "satudata json")
