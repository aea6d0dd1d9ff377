"""Transjakarta ridership parser: one payload's bytes -> ParseResult
(docs/sources/jakarta-transjakarta.md).

Reads the satudata "Data Jumlah Penumpang Trans Jakarta" download (CSV, every field quoted:
``periode_data, jenis, kode_trayek, trayek, jumlah_penumpang``) and the same dataset as a
satudata JSON reply. Columns are mapped by name, never by position.

What the published data does, and what happens to it here:

* route codes with typos: ``JAK,19`` (a comma inside a quoted field), ``JA.77``, ``JAK. 10B``
  -> ``JAK.19``, ``JAK.77``, ``JAK.10B``; the published code is kept in ``route_code_raw``;
* route names with typos (``Ttanjung Priok``) and two codes sharing a name: kept as published,
  the key is the code;
* rows unsorted: order does not matter, staged rows are sorted by month and code;
* passenger counts as quoted text; legacy files wrote thousands separators (``1.234`` or
  ``1,234`` = 1234, Indonesian style), which are accepted only in groups of three digits;
* the same month and route twice: the one duplicate-key rule of every source
  (:func:`~smartchange_assets.platform.duplicates.settle_duplicates`): an exact repeat is a
  ``duplicate``; with different values (2021: route 3E in November, 901 and 27 894 passengers)
  nothing says which is right, so no row of that key is staged and each is quarantined as
  ``inconsistent`` rather than staging a guess.

An empty passenger count is the publisher's no-data (counted, not staged). Staged rows carry the
staging table's column names; the engine types them by the table spec in source.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pandas as pd

from smartchange_assets.jakarta.satudata import JsonRecordsError, records_from_json
from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.parsing import (
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
    decode_text,
    read_csv_records,
    sniff_delimiter,
)

# canonical column -> header spellings (compared by header_key). The first spelling of each is
# the 2021 satudata header; the others are the obvious variants of a re-export.
HEADER = HeaderSpec({
    "month": ("periode_data", "periode"),
    "route_type": ("jenis", "jenis_layanan", "jenis_angkutan"),
    "route_code": ("kode_trayek", "kode_rute"),
    "route_name": ("trayek", "nama_trayek", "rute"),
    "passengers": ("jumlah_penumpang", "penumpang"),
}, required=("month", "route_type", "route_code", "route_name", "passengers"))
KEY = ("month", "route_code")
# staged column -> the canonical column it is read from (to name the published column)
_READ_FROM = {"route_code_raw": "route_code"}

_PERIODE = re.compile(r"(\d{4})-?(\d{2})(?:-01)?(?:\.0+)?")
# Mikrotrans codes: JAK, JA, with '.', ',' or nothing, then the number
# (docs/sources/jakarta-transjakarta.md §3).
_MIKROTRANS = re.compile(r"JAK?\s*[.,]?\s*(\d{1,3})([A-Z]?)")
# Every other published code: BRT corridors (1–13), feeders (1A, 10K, 11D), GR2–GR5.
_OTHER_CODE = re.compile(r"[A-Z]{0,3}\d{1,3}[A-Z]{0,2}")
_THOUSANDS = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")
_WHOLE_FLOAT = re.compile(r"(\d+)[.,]0{1,2}")  # 773717.0 from a JSON float; never 3 zeros
_MISSING = re.compile(r"-*")
_HEADER_SEARCH_LINES = 20


class _RowError(Exception):
    def __init__(self, column: str | None, reason: str, kind: str = UNREADABLE):
        super().__init__(reason)
        self.column, self.reason, self.kind = column, reason, kind


# --------------------------------------------------------------------------------------------
# values


def normalise_route_code(text: str) -> str:
    """``JAK,19`` / ``JA.77`` / ``JAK. 10B`` / ``jak.1`` -> ``JAK.19`` / ``JAK.77`` / ``JAK.10B`` /
    ``JAK.01``; other codes upper-cased and stripped (``1a`` -> ``1A``). Raises ValueError."""
    code = re.sub(r"\s+", " ", text.strip().upper())
    if not code:
        raise ValueError("empty route code")
    mikrotrans = _MIKROTRANS.fullmatch(code)
    if mikrotrans:
        # The published Mikrotrans codes are two-digit (JAK.01 … JAK.88, JAK.112): pad alike.
        return f"JAK.{int(mikrotrans.group(1)):02d}{mikrotrans.group(2)}"
    code = code.replace(" ", "")
    if _OTHER_CODE.fullmatch(code):
        return code
    raise ValueError(f"route code {text!r} is not a known Transjakarta code form")


def parse_passengers(text: str) -> int | None:
    """Passenger count; ``None`` for the publisher's empty value. Raises ValueError.

    ``1.234`` and ``1,234`` are 1234 (thousands separators, groups of exactly three digits);
    ``773717.0`` (a JSON float) is 773717. Anything else with a separator is refused rather
    than guessed (``1.5``, ``12.34``).
    """
    value = text.strip().replace("\u00a0", "")
    if _MISSING.fullmatch(value):
        return None
    if value.isdigit():
        return int(value)
    if _THOUSANDS.fullmatch(value):
        return int(re.sub(r"[.,]", "", value))
    whole = _WHOLE_FLOAT.fullmatch(value)
    if whole:
        return int(whole.group(1))
    raise ValueError(f"passenger count {text!r} is not a whole number")


def parse_month(text: str) -> dt.date:
    """``202101`` / ``2021-01`` / ``2021-01-01`` / ``202101.0`` -> 2021-01-01. Raises ValueError."""
    match = _PERIODE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"periode {text!r} is not YYYYMM")
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError(f"periode {text!r} is not a valid month")
    return dt.date(year, month, 1)


# --------------------------------------------------------------------------------------------
# public entry point


def parse_transjakarta(data: bytes, file_name: str) -> ParseResult:
    """Parse one Transjakarta ridership payload (satudata CSV or JSON reply)."""
    header, records, notes = _read_payload(data, file_name)
    if not records:
        return ParseResult(staged=pd.DataFrame(), source_rows=0, notes=notes)
    columns = HEADER.names(header, file_name)
    notes["column_map"] = dict(columns)

    quarantine, no_data, clean = Quarantine(), 0, []
    for source_row, raw in enumerate(records, start=1):
        try:
            row = _clean_row(raw, columns)
        except _RowError as err:
            quarantine.add(source_row, err.column, err.reason, raw, kind=err.kind)
            continue
        if row is None:
            no_data += 1
            continue
        clean.append({"source_row": source_row, **row, "_raw": raw})

    staged = _settle(clean, columns, quarantine)
    notes.update(_summary_notes(staged, quarantine))
    result = ParseResult(staged=staged, source_rows=len(records), no_data=no_data,
                         quarantine=quarantine.frame(), notes=notes)
    result.reconcile()
    return result


# --------------------------------------------------------------------------------------------
# reading: CSV or JSON -> header + records as {published column: text}


def _read_payload(data: bytes, file_name: str) -> tuple[list[str], list[dict], dict]:
    try:
        text = decode_text(data, file_name).lstrip("\ufeff")
    except UnicodeDecodeError as err:
        raise ParseError(file_name, f"not a text file ({err.reason})") from None
    if text.lstrip()[:1] in ("{", "["):
        try:
            header, records = records_from_json(text.encode("utf-8"))
        except JsonRecordsError as err:
            raise ParseError(file_name, str(err), row=err.row) from None
        return header, records, {"format": "satudata json", "delimiter": None}
    return _read_csv(text, file_name)


def _read_csv(text: str, file_name: str) -> tuple[list[str], list[dict], dict]:
    if text.count('"') % 2:
        # RFC 4180 doubles quotes inside fields, so an odd count means a field never closes:
        # the download was cut off (or the file is not CSV). Nothing after it can be trusted.
        raise ParseError(file_name, "unterminated quoted field: payload truncated?",
                         row=_last_record_number(text))
    lines = text.splitlines(keepends=True)
    nonblank = [i for i, line in enumerate(lines) if line.strip()][:_HEADER_SEARCH_LINES]
    for i in nonblank:
        line = lines[i].rstrip("\r\n")
        delimiter = sniff_delimiter(line, candidates=",;\t")
        if not HEADER.missing(read_csv_records(line, delimiter)[0]):
            header, rows = read_csv_records("".join(lines[i:]), delimiter)
            if rows and len(rows[-1]) < len(header) and not text.endswith(("\n", "\r")):
                raise ParseError(file_name, f"last record has {len(rows[-1])} of "
                                 f"{len(header)} fields and no line end: payload truncated",
                                 row=len(rows))
            records = [_record(header, row) for row in rows]
            return header, records, {"format": "csv", "delimiter": delimiter,
                                     "header_line": i + 1}
    first = lines[nonblank[0]].strip()[:120] if nonblank else ""
    raise ParseError(file_name, f"no Transjakarta header (needs {', '.join(HEADER.required)}: "
                     f"{', '.join(HEADER.aliases[c][0] for c in HEADER.required)}) in the first "
                     f"{_HEADER_SEARCH_LINES} lines; first line reads {first!r}", row=1)


def _last_record_number(text: str) -> int:
    return max(1, text.count("\n"))


def _record(header: list[str], row: list[str]) -> dict:
    record = dict(zip(header, row, strict=False))
    if len(row) != len(header):
        # kept in raw_record so the quarantine shows what the shifted row looked like
        record["_field_count"] = f"{len(row)} fields, header has {len(header)}"
        record["_extra_fields"] = row[len(header):]
    return record


# --------------------------------------------------------------------------------------------
# one row


def _clean_row(raw: dict, columns: dict[str, str]) -> dict | None:
    """Typed values of one record, or None for the publisher's no-data row."""
    if "_field_count" in raw:
        raise _RowError(None, f"row has {raw['_field_count']} (a comma outside quotes, or a "
                        "field cut off?)")
    value = {c: (raw.get(name) or "") for c, name in columns.items()}
    try:
        month = parse_month(value["month"])
    except ValueError as err:
        raise _RowError(columns["month"], str(err)) from None
    try:
        code = normalise_route_code(value["route_code"])
    except ValueError as err:
        raise _RowError(columns["route_code"], str(err)) from None
    try:
        passengers = parse_passengers(value["passengers"])
    except ValueError as err:
        raise _RowError(columns["passengers"], str(err)) from None
    if passengers is None:
        return None
    return {"month": month, "route_type": value["route_type"].strip() or None,
            "route_code": code, "route_code_raw": value["route_code"],
            "route_name": " ".join(value["route_name"].split()) or None,
            "passengers": passengers}


def _settle(rows: list[dict], columns: dict[str, str], quarantine: Quarantine) -> pd.DataFrame:
    """The one duplicate-key rule (platform.duplicates) on (month, route_code); the quarantine
    names the columns as published. Staged rows sorted by month and code."""
    if not rows:
        return pd.DataFrame()
    before = len(quarantine.rows)
    frame = settle_duplicates(pd.DataFrame(rows), KEY, quarantine, raw="_raw")
    for q in quarantine.rows[before:]:
        q["column_name"] = columns[_READ_FROM.get(q["column_name"], q["column_name"])]
    return (frame.drop(columns="_raw").sort_values(list(KEY), kind="stable")
            .reset_index(drop=True))


def _summary_notes(staged: pd.DataFrame, quarantine: Quarantine) -> dict:
    if staged.empty:
        staged = pd.DataFrame(columns=["month", "route_code", "route_code_raw"])
    changed = staged[staged["route_code"] != staged["route_code_raw"]]
    return {
        "route_codes_normalised": dict(Counter(
            f"{raw} -> {code}" for raw, code in zip(changed["route_code_raw"],
                                                    changed["route_code"], strict=True))),
        "routes_per_month": {f"{m:%Y-%m}": int(n) for m, n in
                             staged.groupby("month").size().items()},
        "quarantined_by_column": dict(Counter(r["column_name"] for r in quarantine.rows)),
        "month_range": ([f"{staged['month'].min():%Y-%m}", f"{staged['month'].max():%Y-%m}"]
                        if len(staged) else None),
    }
