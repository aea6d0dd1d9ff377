"""Transjakarta ridership parser: one payload's bytes -> ParseResult
(docs/sources/jakarta-transjakarta.md).

Reads the satudata "Data Jumlah Penumpang Trans Jakarta" download (CSV, every field quoted:
``periode_data, jenis, kode_trayek, trayek, jumlah_penumpang``; or the XLSX download of the same
table, every cell text), the same dataset as a satudata JSON reply, and the legacy monthly files
of data.jakarta.go.id (``jenis, kode_trayek, trayek, jumlah_penumpang``: no month column, the
month is in the file name). Columns are mapped by name, never by position (:mod:`.reading`).

What the published data does, and what happens to it here:

* no month column (legacy files): the month is read from the file name, strictly: it must name
  exactly one Indonesian month and year (``…-desember-2019.csv``), else the payload is refused;
* service types (``jenis``) with stray spaces and legacy names, and appendix blocks that break
  down free rides counted elsewhere (:mod:`.services`): staged with the canonical type, the
  published one in ``route_type_raw``, appendix lines as ``row_kind = free_ride_breakdown``;
* route codes with typos: ``JAK,19`` (a comma inside a quoted field), ``JA.77``, ``JAK. 10B``,
  ``JAK-1`` -> ``JAK.19``, ``JAK.77``, ``JAK.10B``, ``JAK.01``; the published code is kept in
  ``route_code_raw``. A legacy line without a code (charter groups, shuttles) is keyed by its
  name: ``NAME:<name>``;
* route names with typos (``Ttanjung Priok``) and two codes sharing a name: kept as published,
  the key is the code;
* rows unsorted: order does not matter, staged rows are sorted by month and code;
* passenger counts as quoted text; legacy files wrote thousands separators (``1.234`` or
  ``1,234`` = 1234, Indonesian style), which are accepted only in groups of three digits;
* the same month, row kind and route twice: the one duplicate-key rule of every source
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

from smartchange_assets.jakarta.transjakarta.reading import read_payload
from smartchange_assets.jakarta.transjakarta.services import (
    FREE_RIDE_BREAKDOWN,
    ROUTE,
    service_type,
)
from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.parsing import (
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
)

# canonical column -> header spellings (compared by header_key). The first spelling of each is
# the 2021 satudata header; the others are the obvious variants of a re-export. The month is
# optional: the legacy monthly files carry it in their name only.
HEADER = HeaderSpec({
    "month": ("periode_data", "periode"),
    "route_type": ("jenis", "jenis_layanan", "jenis_angkutan"),
    "route_code": ("kode_trayek", "kode_rute"),
    "route_name": ("trayek", "nama_trayek", "rute"),
    "passengers": ("jumlah_penumpang", "penumpang"),
}, required=("route_type", "route_code", "route_name", "passengers"))
KEY = ("month", "row_kind", "route_code")
# staged column -> the canonical column it is read from (to name the published column)
_READ_FROM = {"route_code_raw": "route_code", "route_type_raw": "route_type",
              "row_kind": "route_type"}

_PERIODE = re.compile(r"(\d{4})-?(\d{2})(?:-01)?(?:\.0+)?")
# Mikrotrans codes: JAK, JA, with '.', ',' or nothing, then the number
# (docs/sources/jakarta-transjakarta.md §3).
_MIKROTRANS = re.compile(r"JAK?\s*[.,-]?\s*(\d{1,3})([A-Z]?)")
# Every other published code: BRT corridors (1–13), feeders (1A, 10K, 11D), GR2–GR5, the
# legacy regional and premium routes (B11, S41, T12, 1K, BW1), letters only (TJC: Transjakarta
# Cares).
_OTHER_CODE = re.compile(r"[A-Z]{0,3}\d{1,3}[A-Z]{0,2}|[A-Z]{2,4}")
_APPENDIX_CODE = re.compile(r"[A-Z0-9]{1,6}")  # entitlement (PNS, PAUD) or stop (B11) codes
_NAME_MONTHS = {"januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5,
                "juni": 6, "juli": 7, "agustus": 8, "september": 9, "oktober": 10,
                "nopember": 11, "november": 11, "desember": 12}
_NAME_MONTH = re.compile(rf"(?<![a-z])({'|'.join(_NAME_MONTHS)})[-_. ]*((?:19|20)\d\d)(?!\d)")
_MONTH_WORD = re.compile(rf"(?<![a-z])(?:{'|'.join(_NAME_MONTHS)})(?![a-z])")
_THOUSANDS = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")
_WHOLE_FLOAT = re.compile(r"(\d+)[.,]0{1,2}")  # 773717.0 from a JSON float; never 3 zeros
_MISSING = re.compile(r"-*")


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


def month_from_name(file_name: str) -> dt.date:
    """The month a legacy file covers, from its name (``data-penumpang-bus-transjakarta-
    desember-2019.csv`` -> 2019-12-01). The name must say exactly one month and year; the
    rows have no month to check it against. Raises ParseError."""
    name = file_name.lower()
    found = {(int(year), _NAME_MONTHS[month]) for month, year in _NAME_MONTH.findall(name)}
    words = set(_MONTH_WORD.findall(name))
    if len(found) != 1 or len(words) != 1:
        raise ParseError(file_name, "no periode_data column, and the file name does not name "
                         f"exactly one month and year (found {sorted(found) or 'none'}); land "
                         "the file under its published name, e.g. "
                         "data-penumpang-bus-transjakarta-desember-2019.csv")
    (year, month), = found
    return dt.date(year, month, 1)


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
    """Parse one Transjakarta ridership payload (satudata CSV, XLSX or JSON reply; legacy
    monthly CSV)."""
    header, records, notes = read_payload(data, file_name, HEADER)
    if not records:
        return ParseResult(staged=pd.DataFrame(), source_rows=0, notes=notes)
    columns = HEADER.names(header, file_name)
    notes["column_map"] = dict(columns)
    named_month = None
    if "month" not in columns:
        named_month = month_from_name(file_name)
        notes["month_from_file_name"] = f"{named_month:%Y-%m}"

    quarantine, no_data, clean = Quarantine(), 0, []
    for source_row, raw in enumerate(records, start=1):
        try:
            row = _clean_row(raw, columns, named_month)
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
# one row


def _clean_row(raw: dict, columns: dict[str, str], named_month: dt.date | None) -> dict | None:
    """Typed values of one record, or None for the publisher's no-data row."""
    if "_field_count" in raw:
        raise _RowError(None, f"row has {raw['_field_count']} (a comma outside quotes, or a "
                        "field cut off?)")
    value = {c: (raw.get(name) or "") for c, name in columns.items()}
    month = named_month
    if month is None:
        try:
            month = parse_month(value["month"])
        except ValueError as err:
            raise _RowError(columns["month"], str(err)) from None
    route_type, row_kind = service_type(value["route_type"])
    name = " ".join(value["route_name"].split()) or None
    try:
        code = _route_code(value["route_code"], row_kind, name)
    except ValueError as err:
        raise _RowError(columns["route_code"], str(err)) from None
    try:
        passengers = parse_passengers(value["passengers"])
    except ValueError as err:
        raise _RowError(columns["passengers"], str(err)) from None
    if passengers is None:
        return None
    return {"month": month, "row_kind": row_kind, "route_type": route_type,
            "route_type_raw": value["route_type"], "route_code": code,
            "route_code_raw": value["route_code"], "route_name": name,
            "passengers": passengers}


def _route_code(text: str, row_kind: str, name: str | None) -> str:
    """The key of a line: a normalised route code; an appendix line's code as published (an
    entitlement or a stop, not a route); ``NAME:<name>`` for a route line published without a
    code (legacy charter groups and shuttles). Raises ValueError."""
    code = "".join(text.split()).upper()
    if row_kind == FREE_RIDE_BREAKDOWN:
        if not _APPENDIX_CODE.fullmatch(code):
            raise ValueError(f"appendix code {text!r} is not a short code")
        return code
    if not code and name:
        return f"NAME:{name.upper()}"
    return normalise_route_code(text)


def _settle(rows: list[dict], columns: dict[str, str], quarantine: Quarantine) -> pd.DataFrame:
    """The one duplicate-key rule (platform.duplicates) on (month, route_code); the quarantine
    names the columns as published. Staged rows sorted by month and code."""
    if not rows:
        return pd.DataFrame()
    before = len(quarantine.rows)
    frame = pd.DataFrame(rows)
    # a code or type spelled with other spaces (the XLSX's '3E ' for the CSV's '3E') says
    # nothing different: the published spellings do not decide "equal"
    compare = [c for c in frame.columns if c not in ("source_row", "_raw", "route_code_raw",
                                                     "route_type_raw")]
    frame = settle_duplicates(frame, KEY, quarantine, raw="_raw", compare=compare)
    for q in quarantine.rows[before:]:
        canonical = _READ_FROM.get(q["column_name"], q["column_name"])
        # a legacy file has no month column: its month came from the file name
        q["column_name"] = columns.get(canonical, "file name" if canonical == "month"
                                       else canonical)
    return (frame.drop(columns="_raw").sort_values(list(KEY), kind="stable")
            .reset_index(drop=True))


def _summary_notes(staged: pd.DataFrame, quarantine: Quarantine) -> dict:
    if staged.empty:
        staged = pd.DataFrame(columns=["month", "route_code", "route_code_raw", "row_kind",
                                       "route_type", "passengers"])
    changed = staged[(staged["route_code"] != staged["route_code_raw"])
                     & (staged["row_kind"] == ROUTE)]
    return {
        "route_codes_normalised": dict(Counter(
            f"{raw} -> {code}" for raw, code in zip(changed["route_code_raw"],
                                                    changed["route_code"], strict=True))),
        "routes_per_month": {f"{m:%Y-%m}": int(n) for m, n in
                             staged[staged["row_kind"] == ROUTE].groupby("month").size().items()},
        "quarantined_by_column": dict(Counter(r["column_name"] for r in quarantine.rows)),
        "passengers_by_type": {f"{kind}: {t}": int(n) for (kind, t), n in staged.groupby(
            ["row_kind", "route_type"])["passengers"].sum().items()},
        "month_range": ([f"{staged['month'].min():%Y-%m}", f"{staged['month'].max():%Y-%m}"]
                        if len(staged) else None),
    }
