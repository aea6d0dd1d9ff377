"""Transjakarta payload bytes -> header and records ({published column: text}), whatever the
container (docs/sources/jakarta-transjakarta.md §2).

Three containers reach the source: the satudata CSV download (every field quoted), the same
table as the satudata XLSX download (every cell stored as text), the legacy data.jakarta.go.id
CSV, and the satudata JSON reply of the live connector. The header is found by its column
names within the first lines (or sheet rows), never by position.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from smartchange_assets.jakarta.satudata import JsonRecordsError, records_from_json
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.parsing import (
    ParseError,
    decode_text,
    read_csv_records,
    sniff_delimiter,
)

HEADER_SEARCH_LINES = 20
_ZIP_MAGIC = b"PK\x03\x04"  # every XLSX is a zip archive


def read_payload(data: bytes, file_name: str, header: HeaderSpec
                 ) -> tuple[list[str], list[dict], dict]:
    """(header as published, records, notes about the container)."""
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, file_name, header)
    try:
        text = decode_text(data, file_name).lstrip("\ufeff")
    except UnicodeDecodeError as err:
        raise ParseError(file_name, f"not a text file ({err.reason})") from None
    if text.lstrip()[:1] in ("{", "["):
        try:
            names, records = records_from_json(text.encode("utf-8"))
        except JsonRecordsError as err:
            raise ParseError(file_name, str(err), row=err.row) from None
        return names, records, {"format": "satudata json", "delimiter": None}
    return _read_csv(text, file_name, header)


def _read_csv(text: str, file_name: str, header: HeaderSpec
              ) -> tuple[list[str], list[dict], dict]:
    if text.count('"') % 2:
        # RFC 4180 doubles quotes inside fields, so an odd count means a field never closes:
        # the download was cut off (or the file is not CSV). Nothing after it can be trusted.
        raise ParseError(file_name, "unterminated quoted field: payload truncated?",
                         row=max(1, text.count("\n")))
    lines = text.splitlines(keepends=True)
    nonblank = [i for i, line in enumerate(lines) if line.strip()][:HEADER_SEARCH_LINES]
    for i in nonblank:
        line = lines[i].rstrip("\r\n")
        delimiter = sniff_delimiter(line, candidates=",;\t")
        if not header.missing(read_csv_records(line, delimiter)[0]):
            names, rows = read_csv_records("".join(lines[i:]), delimiter)
            if rows and len(rows[-1]) < len(names) and not text.endswith(("\n", "\r")):
                raise ParseError(file_name, f"last record has {len(rows[-1])} of "
                                 f"{len(names)} fields and no line end: payload truncated",
                                 row=len(rows))
            return names, [record(names, row) for row in rows], {
                "format": "csv", "delimiter": delimiter, "header_line": i + 1}
    first = lines[nonblank[0]].strip()[:120] if nonblank else ""
    raise _no_header(file_name, header, f"first line reads {first!r}")


def _read_xlsx(data: bytes, file_name: str, header: HeaderSpec
               ) -> tuple[list[str], list[dict], dict]:
    import openpyxl  # imported here: only XLSX payloads need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise ParseError(file_name, f"not a readable XLSX workbook "
                         f"({type(err).__name__}: {err}); truncated download?") from None
    try:
        sheet = book.worksheets[0]
        rows = [[_cell_text(v) for v in values] for values in sheet.iter_rows(values_only=True)]
        notes = {"format": "xlsx", "delimiter": None, "sheet": sheet.title,
                 "sheets": len(book.worksheets)}
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise ParseError(file_name, f"XLSX sheet cannot be read "
                         f"({type(err).__name__}: {err})") from None
    finally:
        book.close()
    nonblank = [i for i, row in enumerate(rows) if any(c.strip() for c in row)]
    for i in nonblank[:HEADER_SEARCH_LINES]:
        if not header.missing(rows[i]):
            names = [c.strip() for c in rows[i]]
            while names and not names[-1]:
                names.pop()
            body = [_trimmed(row, len(names)) for row in rows[i + 1:]
                    if any(c.strip() for c in row)]
            return names, [record(names, row) for row in body], {**notes, "header_line": i + 1}
    raise _no_header(file_name, header, f"sheet {notes['sheet']!r} has none")


def _trimmed(row: list[str], width: int) -> list[str]:
    """A sheet row cut to the header's width when the cells past it are empty (openpyxl gives
    every row the sheet's full width)."""
    extra = row[width:]
    return row[:width] if not any(c.strip() for c in extra) else row


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def _no_header(file_name: str, header: HeaderSpec, detail: str) -> ParseError:
    needs = ", ".join(header.aliases[c][0] for c in header.required)
    return ParseError(file_name, f"no Transjakarta header (needs {needs}) in the first "
                      f"{HEADER_SEARCH_LINES} lines; {detail}", row=1)


def record(names: list[str], row: list[str]) -> dict:
    """{published column: text}; a row of another width keeps what it has and says so, for the
    quarantine's raw_record."""
    out = dict(zip(names, row, strict=False))
    if len(row) != len(names):
        out["_field_count"] = f"{len(row)} fields, header has {len(names)}"
        out["_extra_fields"] = row[len(names):]
    return out
