"""Transjakarta buses and passengers per service and quarter (satudata "Data Jumlah Bus yang
Beroperasi dan Jumlah Penumpang Layanan Transjakarta"): one payload -> ParseResult
(docs/sources/jakarta-transjakarta-services.md).

Header ``periode_data, triwulan, jenis_layanan, jumlah_bus, jumlah_penumpang``, mapped by name
(order free; ``triwulan`` optional, checked when present). What the data does and what happens
to it here:

* ``periode_data`` is the quarter's last month (``202312``, ``202403``, …): a month that ends no
  quarter, or a ``triwulan`` that disagrees with it, is quarantined as ``inconsistent``;
* rows are unsorted: staged rows are sorted by quarter and service;
* the BRT service is named ``Layanan BRT`` in some quarters and ``Layanan Bus Rapid Transit``
  in others (:mod:`.services`): one service, the published name kept in ``service_raw``;
* counts are whole numbers (thousands separators in groups of three are accepted); an empty
  passenger count is the publisher's no-data;
* the same quarter and service twice: the one duplicate-key rule of every source.

The 202312 quarter's total is about three times every later quarter's; the parser stages it as
published. ``core.fact_transit_services_quarterly`` flags it (``quarter_total_suspect``) and its
``quarter_totals_plausible`` check warns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pandas as pd

from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
    decode_text,
    read_csv_records,
    sniff_delimiter,
)

from .services import service

HEADER = HeaderSpec({
    "periode": ("periode_data", "periode"),
    "quarter": ("triwulan",),
    "service": ("jenis_layanan", "layanan"),
    "buses": ("jumlah_bus", "jumlah_bus_beroperasi"),
    "passengers": ("jumlah_penumpang", "penumpang"),
}, required=("periode", "service", "buses", "passengers"))
KEY = ("quarter_start", "service")
_READ_FROM = {"quarter_start": "periode", "service_raw": "service", "year": "periode",
              "quarter": "periode"}

_PERIODE = re.compile(r"(\d{4})-?(\d{2})(?:\.0+)?")
_COUNT = re.compile(r"\d+|\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*|\d+\.0+")
_HEADER_SEARCH_LINES = 20


class _RowError(Exception):
    def __init__(self, column: str, reason: str, kind: str = UNREADABLE):
        super().__init__(reason)
        self.column, self.reason, self.kind = column, reason, kind


def parse_quarter(text: str) -> tuple[dt.date, int]:
    """``202312`` -> (2023-10-01, 4): the first day of the quarter ending in that month, and
    the quarter. Raises ValueError for a month that ends no quarter."""
    match = _PERIODE.fullmatch(text.strip())
    if not match or not 2000 <= int(match[1]) <= 2100:
        raise ValueError(f"periode_data {text!r} is not YYYYMM")
    year, month = int(match[1]), int(match[2])
    if month not in (3, 6, 9, 12):
        raise ValueError(f"periode_data {text!r} ends no quarter (03, 06, 09, 12)")
    return dt.date(year, month - 2, 1), month // 3


def parse_count(text: str) -> int | None:
    """A whole count: ``2695``, ``112,379,110``, ``12.0``; empty or ``-`` -> None."""
    value = text.strip()
    if value in ("", "-", "--", "---"):
        return None
    if not _COUNT.fullmatch(value):
        raise ValueError(f"count {text!r} is not a whole number")
    if re.fullmatch(r"\d+\.0+", value):
        return int(float(value))
    return int(re.sub(r"[.,]", "", value))


def parse_transjakarta_services(data: bytes, file_name: str) -> ParseResult:
    header, records, notes = _read_csv(data, file_name)
    if not records:
        return ParseResult(staged=pd.DataFrame(), source_rows=0, notes=notes)
    columns = HEADER.names(header, file_name)
    notes["column_map"] = dict(columns)
    quarantine, no_data, clean = Quarantine(), 0, []
    for source_row, raw in enumerate(records, start=1):
        try:
            row = _row(raw, columns)
        except _RowError as err:
            quarantine.add(source_row, columns.get(err.column, err.column), err.reason, raw,
                           kind=err.kind)
            continue
        if row is None:
            no_data += 1
            continue
        clean.append({"source_row": source_row, **row, "_raw": raw})
    staged = _settle(clean, columns, quarantine)
    notes.update(_notes(staged))
    result = ParseResult(staged=staged, source_rows=len(records), no_data=no_data,
                         quarantine=quarantine.frame(), notes=notes)
    result.reconcile()
    return result


def _read_csv(data: bytes, file_name: str) -> tuple[list[str], list[dict], dict]:
    text = decode_text(data, file_name).lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    nonblank = [i for i, line in enumerate(lines) if line.strip()][:_HEADER_SEARCH_LINES]
    for i in nonblank:
        delimiter = sniff_delimiter(lines[i].rstrip("\r\n"), candidates=",;\t")
        if not HEADER.missing(read_csv_records(lines[i], delimiter)[0]):
            names, rows = read_csv_records("".join(lines[i:]), delimiter)
            if rows and len(rows[-1]) < len(names) and not text.endswith(("\n", "\r")):
                raise ParseError(file_name, f"last record has {len(rows[-1])} of {len(names)} "
                                 "fields and no line end: payload truncated", row=len(rows))
            records = [dict(zip(names, row, strict=False)) | (
                {"_field_count": f"{len(row)} fields, header has {len(names)}"}
                if len(row) != len(names) else {}) for row in rows]
            return names, records, {"format": "csv", "delimiter": delimiter,
                                    "header_line": i + 1}
    raise ParseError(file_name, "no header with periode_data, jenis_layanan, jumlah_bus, "
                     f"jumlah_penumpang in the first {_HEADER_SEARCH_LINES} lines", row=1)


def _row(raw: dict, columns: dict[str, str]) -> dict | None:
    if "_field_count" in raw:
        raise _RowError("periode", f"row has {raw['_field_count']}")
    value = {c: (raw.get(name) or "") for c, name in columns.items()}
    try:
        start, quarter = parse_quarter(value["periode"])
    except ValueError as err:
        raise _RowError("periode", str(err)) from None
    stated = value.get("quarter", "").strip()
    if stated and stated != str(quarter):
        raise _RowError("quarter", f"triwulan {stated!r} disagrees with periode_data "
                        f"{value['periode'].strip()} (quarter {quarter})", INCONSISTENT)
    name = service(value["service"])
    if name is None:
        raise _RowError("service", "no service named")
    counts = {}
    for column in ("buses", "passengers"):
        try:
            counts[column] = parse_count(value[column])
        except ValueError as err:
            raise _RowError(column, str(err)) from None
    if counts["passengers"] is None:
        return None
    return {"quarter_start": start, "year": start.year, "quarter": quarter, "service": name,
            "service_raw": value["service"], **counts}


def _settle(rows: list[dict], columns: dict[str, str], quarantine: Quarantine) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame()
    before = len(quarantine.rows)
    frame = pd.DataFrame(rows)
    compare = [c for c in frame.columns if c not in ("source_row", "_raw", "service_raw")]
    frame = settle_duplicates(frame, KEY, quarantine, raw="_raw", compare=compare)
    for q in quarantine.rows[before:]:
        canonical = _READ_FROM.get(q["column_name"], q["column_name"])
        q["column_name"] = columns.get(canonical, canonical)
    return (frame.drop(columns="_raw").sort_values(list(KEY), kind="stable")
            .reset_index(drop=True))


def _notes(staged: pd.DataFrame) -> dict:
    if staged.empty:
        return {}
    renamed = staged[staged["service"] != staged["service_raw"].str.strip()]
    totals = staged.groupby("quarter_start")["passengers"].sum()
    return {
        "services_renamed": dict(Counter(f"{raw} -> {name}" for raw, name in zip(
            renamed["service_raw"], renamed["service"], strict=True))),
        "services_per_quarter": {f"{q:%Y-%m}": int(n) for q, n in
                                 staged.groupby("quarter_start").size().items()},
        "passengers_per_quarter": {f"{q:%Y-%m}": int(n) for q, n in totals.items()},
    }
