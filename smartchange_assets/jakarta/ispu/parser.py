"""Jakarta ISPU (Indeks Standar Pencemar Udara) parser: one published file's bytes -> ParseResult.

Reads every known layout of the DLH DKI daily ISPU tables (docs/sources/jakarta-ispu.md §2): the
six CSV schema generations 2010–2024 and the satudata JSON API reply. Columns are mapped by name
through :data:`HEADER`, never by position, because the publisher reorders them (2024 moves
``tanggal`` last). The pollutant columns are ISPU *sub-indices*, not concentrations
(docs/sources/jakarta-ispu.md §1), so nothing is converted here.

Every data row ends up in exactly one place:

* ``no_data``    – the publisher's own "TIDAK ADA DATA" rows with no sub-index values;
* ``quarantine`` – rows that cannot be trusted (shifted fields, a date that disagrees with
  ``periode_data``, an unknown station, a non-numeric value, a repeated key), with the column
  and the reason;
* ``staged``     – one row per surviving source row (wide: one column per pollutant), by the
  staging table's column names; the engine types it by the table spec in source.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from smartchange_assets.jakarta.satudata import SATUDATA_SYSTEM_COLUMNS
from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec, header_key
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
from smartchange_assets.standards.ispu import (
    CATEGORIES,
    NO_DATA_CATEGORY,
    category_for_index,
    regime_for,
)

POLLUTANT_COLUMNS = ("pm10", "pm25", "so2", "co", "o3", "no2")

# canonical column -> header spellings (compared by header_key: case, spaces, underscores and
# hyphens do not matter). From docs/sources/jakarta-ispu.md §2, plus the obvious punctuation
# variants of PM2.5 that a re-export could produce.
HEADER = HeaderSpec({
    "periode_data": (),
    "tanggal": (),
    "station": ("stasiun", "lokasi_spku"),
    "pm10": ("pm_10", "pm_sepuluh"),
    "pm25": ("pm_25", "pm2_5", "pm2.5", "pm_2.5", "pm_duakomalima"),
    "so2": ("sulfur_dioksida",),
    "co": ("karbon_monoksida",),
    "o3": ("ozon",),
    "no2": ("nitrogen_dioksida",),
    "max": (),
    "critical": ("parameter_pencemar_kritis",),
    "category": ("categori", "kategori"),
}, required=("tanggal", "station", "max", "category"))

# the table's key; a city_max file has one row per day whichever station gave the max, so there
# a second row for the same day repeats the key even when it names another station
KEY = {"station": ("date", "station_code", "granularity"), "city_max": ("date", "granularity")}
# staged column -> the canonical column it is read from (to name the published column)
_READ_FROM = {"date": "tanggal", "station_code": "station", "station_raw": "station",
              "max_index": "max", "critical_raw": "critical"}

# Headers exactly as published (docs/sources/jakarta-ispu.md §2), used only to name the
# generation in notes.
GENERATIONS: dict[str, tuple[str, ...]] = {
    "G1": ("periode_data", "tanggal", "stasiun", "pm10", "so2", "co", "o3", "no2", "max",
           "critical", "categori"),
    "G1b": ("periode_data", "tanggal", "stasiun", "pm10", "pm25", "so2", "co", "o3", "no2", "max",
            "critical", "categori"),
    "G2": ("periode_data", "tanggal", "pm10", "so2", "co", "o3", "no2", "max", "critical",
           "categori", "lokasi_spku"),
    "G2b": ("periode_data", "tanggal", "pm_10", "pm_duakomalima", "so2", "co", "o3", "no2", "max",
            "critical", "categori", "lokasi_spku"),
    "G3": ("periode_data", "tanggal", "stasiun", "pm_sepuluh", "pm_duakomalima", "sulfur_dioksida",
           "karbon_monoksida", "ozon", "nitrogen_dioksida", "max", "parameter_pencemar_kritis",
           "kategori"),
    "G4": ("periode_data", "stasiun", "pm_sepuluh", "pm_duakomalima", "sulfur_dioksida",
           "karbon_monoksida", "ozon", "nitrogen_dioksida", "max", "parameter_pencemar_kritis",
           "kategori", "tanggal"),
}

KNOWN_CRITICAL = frozenset({"PM10", "PM25", "SO2", "CO", "O3", "NO2", "HC"})
VALID_CATEGORIES = frozenset({*CATEGORIES, NO_DATA_CATEGORY})

_MISSING = re.compile(r"-*")  # after strip: "", "-", "---" (docs/sources/jakarta-ispu.md §3)
_STATION = re.compile(r"\bDKI\s*([1-5])(?!\d)", re.IGNORECASE)
_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T].*)?")
_SLASH_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_EXCEL_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_DAY_OF_MONTH = re.compile(r"\d{1,2}")
_PERIODE = re.compile(r"(\d{4})-?(\d{2})(?:\.0+)?")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 once its 1900 leap-year bug is allowed for
_HEADER_SEARCH_LINES = 20


class _RowError(Exception):
    """One row cannot be staged; carries the column to blame (None = the whole row)."""

    def __init__(self, column: str | None, reason: str, kind: str = UNREADABLE):
        super().__init__(reason)
        self.column, self.reason, self.kind = column, reason, kind


@dataclass
class _Layout:
    header: list[str]
    columns: dict[str, str]  # canonical -> header name as published
    positions: dict[str, int]  # canonical -> field index in a record
    granularity: str
    generation: str


@dataclass
class _Pending:
    """A row whose values are clean but whose date still needs the file-wide year check."""

    source_row: int
    raw: dict
    values: dict
    tanggal: str
    candidates: list[dt.date]
    periode: tuple[int, int] | None


@dataclass
class _Counters:
    date_forms: Counter = field(default_factory=Counter)
    year_settled: Counter = field(default_factory=Counter)


# --------------------------------------------------------------------------------------------
# public entry point


def parse_ispu(data: bytes, file_name: str) -> ParseResult:
    """Parse one ISPU payload (CSV of any generation, or a satudata JSON reply)."""
    header, records, notes = _read_payload(data, file_name)
    if not records:
        # A header-only file or the empty last page of a satudata reply: readable, just empty.
        return ParseResult(staged=pd.DataFrame(), source_rows=0, notes=notes)
    layout = _layout(header, file_name)
    notes.update(schema_generation=layout.generation, granularity=layout.granularity,
                 column_map=dict(layout.columns))

    quarantine, counters = Quarantine(), _Counters()
    no_data, pending = 0, []
    for source_row, record in enumerate(records, start=1):
        raw = _raw_record(layout.header, record)
        try:
            values = _row_values(layout, record)
            if _is_publisher_no_data(values):
                no_data += 1
                continue
            pending.append(_clean_row(source_row, raw, values, counters))
        except _RowError as err:
            _quarantine(quarantine, layout, source_row, err, raw)

    staged = _settle(_resolve_dates(pending, layout, quarantine, counters), layout, quarantine)
    notes.update(_summary_notes(staged, quarantine, counters))
    result = ParseResult(staged=staged, source_rows=len(records), no_data=no_data,
                         quarantine=quarantine.frame(), notes=notes)
    result.reconcile()
    return result


def _quarantine(quarantine: Quarantine, layout: _Layout, source_row: int, err: _RowError,
                raw: dict) -> None:
    # Errors are raised with canonical names; the quarantine names the column as published, so
    # it can be found in raw_record.
    column = layout.columns.get(err.column, err.column) if err.column else None
    quarantine.add(source_row, column, err.reason, raw, kind=err.kind)


# --------------------------------------------------------------------------------------------
# reading the payload: CSV or JSON -> header + list of string records


def _read_payload(data: bytes, file_name: str) -> tuple[list[str], list[list[str]], dict]:
    try:
        text = decode_text(data, file_name)
    except UnicodeDecodeError as err:  # cp1252 fallback also failed: not text at all
        raise ParseError(file_name, f"not a text file ({err.reason})") from None
    text = text.lstrip("\ufeff")  # a BOM survives the cp1252 fallback
    if text.lstrip()[:1] in ("{", "["):
        header, records, notes = _read_json(text, file_name)
    else:
        header, records, notes = _read_csv(text, file_name)
    return header, records, notes


def _read_csv(text: str, file_name: str) -> tuple[list[str], list[list[str]], dict]:
    # The header is line 1 in every known file; searching a few lines also survives a title
    # line or a blank line that an export tool might put on top.
    lines = text.splitlines(keepends=True)
    nonblank = [i for i, line in enumerate(lines) if line.strip()][:_HEADER_SEARCH_LINES]
    for i in nonblank:
        line = lines[i].rstrip("\r\n")
        delimiter = sniff_delimiter(line, candidates=",;")
        if not HEADER.missing(next(csv.reader([line], delimiter=delimiter))):
            header, records = read_csv_records("".join(lines[i:]), delimiter)
            return header, records, {"format": "csv", "delimiter": delimiter, "header_line": i + 1}
    first = lines[nonblank[0]].strip()[:120] if nonblank else ""
    raise ParseError(file_name,
                     f"no ISPU header (needs columns {', '.join(HEADER.required)}) in the first "
                     f"{_HEADER_SEARCH_LINES} lines; first line reads {first!r}", row=1)


def _read_json(text: str, file_name: str) -> tuple[list[str], list[list[str]], dict]:
    try:
        reply = json.loads(text)
    except json.JSONDecodeError as err:
        raise ParseError(file_name, f"invalid JSON at line {err.lineno} column "
                         f"{err.colno}: {err.msg}") from None
    rows, kind = _json_rows(reply)
    if rows is None:
        keys = sorted(reply) if isinstance(reply, dict) else type(reply).__name__
        raise ParseError(file_name, f"JSON reply has no row list ('filedata' or a "
                         f"'data' list); top-level keys: {keys}")
    header: list[str] = []
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise ParseError(file_name, f"JSON row is a {type(row).__name__}, "
                             "not an object", row=n)
        header.extend(k for k in row if k not in SATUDATA_SYSTEM_COLUMNS and k not in header)
    records = [[_json_cell(row.get(k)) for k in header] for row in rows]
    notes = {"format": f"satudata json ({kind})", "delimiter": None}
    if isinstance(reply, dict) and isinstance(reply.get("totalFiledata"), int):
        # A single page of a paginated reply is normal; say so rather than fail.
        notes["total_filedata"] = reply["totalFiledata"]
    return header, records, notes


def _json_rows(reply: object) -> tuple[list | None, str]:
    if isinstance(reply, list):
        return reply, "row list"
    if not isinstance(reply, dict):
        return None, ""
    if isinstance(reply.get("filedata"), list):
        return reply["filedata"], "detail/filedata"
    if isinstance(reply.get("data"), list):
        return reply["data"], "get-table-data"
    return None, ""


def _json_cell(value: object) -> str:
    """API values back to the text the CSV would hold (null -> empty, 51.0 stays 51.0)."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# --------------------------------------------------------------------------------------------
# header -> layout


def _layout(header: list[str], file_name: str) -> _Layout:
    positions = HEADER.positions(header, file_name)
    columns = {canonical: header[i] for canonical, i in positions.items()}
    # 'stasiun' is one row per station and day; 'lokasi_spku' names the day's worst station
    granularity = "station" if header_key(columns["station"]) == "stasiun" else "city_max"
    return _Layout(header, columns, positions, granularity, _generation(header))


def _generation(header: list[str]) -> str:
    names = tuple(header_key(h) for h in header)
    for gen, cols in GENERATIONS.items():
        if names == cols:
            return gen
    for gen, cols in GENERATIONS.items():
        if set(names) == set(cols):
            return f"{gen} (columns reordered)"
    return "unknown (mapped by alias)"


# --------------------------------------------------------------------------------------------
# one row: raw strings -> clean values (everything but the final date)


def _raw_record(header: list[str], record: list[str]) -> dict:
    raw = dict(zip(header, record, strict=False))
    if len(record) > len(header):
        raw["_extra_fields"] = record[len(header):]
    return raw


def _row_values(layout: _Layout, record: list[str]) -> dict[str, str]:
    if len(record) != len(layout.header):
        raise _RowError(None, f"row has {len(record)} fields, header has {len(layout.header)}")
    return {canonical: record[i] for canonical, i in layout.positions.items()}


def _is_missing(text: str | None) -> bool:
    return text is None or _MISSING.fullmatch(text.strip()) is not None


def _normalise_category(text: str) -> str:
    return " ".join(text.split()).upper()


def _is_publisher_no_data(values: dict[str, str]) -> bool:
    return (_normalise_category(values["category"]) == NO_DATA_CATEGORY
            and all(_is_missing(values.get(p)) for p in POLLUTANT_COLUMNS))


def _clean_row(source_row: int, raw: dict, values: dict[str, str],
               counters: _Counters) -> _Pending:
    # max and category first: a shifted row (docs/sources/jakarta-ispu.md §3, 2021 line 1764)
    # shows up there, and naming that column is more useful than a confusing error further on.
    clean = {"max_index": _number(values["max"], "max")}
    clean["category"] = _category(values["category"])
    for pollutant in POLLUTANT_COLUMNS:
        clean[pollutant] = _number(values.get(pollutant), pollutant)
    clean["critical"], clean["critical_raw"] = _critical(values.get("critical"))
    clean["station_raw"] = values["station"].strip()
    clean["station_code"] = _station_code(values["station"])
    periode = _periode(values.get("periode_data"))
    clean["periode_data"] = periode[0] * 100 + periode[1] if periode else None
    tanggal = values["tanggal"].strip()
    candidates, form = _date_candidates(tanggal, periode)
    counters.date_forms[form] += 1
    return _Pending(source_row, raw, clean, tanggal, candidates, periode)


def _number(text: str | None, column: str) -> float:
    if _is_missing(text):
        return math.nan
    try:
        value = float(text.strip())
    except ValueError:
        raise _RowError(column, f"{column} value {text!r} is not numeric "
                        "(fields may be shifted)") from None
    if not math.isfinite(value) or value < 0:
        raise _RowError(column, f"{column} value {text!r} is not a valid index (>= 0)")
    return value


def _category(text: str) -> str:
    label = _normalise_category(text)
    if label not in VALID_CATEGORIES:
        raise _RowError("category", f"category {text!r} is not one of {sorted(VALID_CATEGORIES)}"
                        " (fields may be shifted)")
    return label


def _critical(text: str | None) -> tuple[str | None, str | None]:
    if _is_missing(text):
        return None, None
    raw = text.strip()
    code = re.sub(r"[\s,._]", "", raw.upper())  # PM2,5 / PM2.5 / PM 2.5 -> PM25
    # Bare digits (2023: 1, 2, 3, 5) have no documented meaning: NULL, raw kept.
    return (code if code in KNOWN_CRITICAL else None), raw


def _station_code(text: str) -> str:
    match = _STATION.search(text or "")
    if match is None:
        raise _RowError("station", f"unknown station {text!r} (expected DKI1..DKI5)", INCONSISTENT)
    return f"DKI{match.group(1)}"


def _periode(text: str | None) -> tuple[int, int] | None:
    if _is_missing(text):
        return None
    match = _PERIODE.fullmatch(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise _RowError("periode_data", f"periode_data {text!r} is not YYYYMM")
    return int(match.group(1)), int(match.group(2))


# --------------------------------------------------------------------------------------------
# dates


def _date_candidates(text: str, periode: tuple[int, int] | None) -> tuple[list[dt.date], str]:
    """Every calendar date the text can mean, and the form it was written in."""
    if match := _ISO_DATE.fullmatch(text):
        return _valid_dates(text, [(match[1], match[2], match[3])]), "iso"
    if match := _SLASH_DATE.fullmatch(text):
        # dd/mm/yyyy (2016) or m/d/yyyy: both readings are kept, periode_data picks one.
        day_first = (match[3], match[2], match[1])
        month_first = (match[3], match[1], match[2])
        return _valid_dates(text, [day_first, month_first]), "d/m/yyyy or m/d/yyyy"
    if _EXCEL_SERIAL.fullmatch(text):
        # 2022's 44926.625: the .625 is the 15:00 WIB cut-off, the date is the whole part.
        return [_EXCEL_EPOCH + dt.timedelta(days=int(float(text)))], "excel serial"
    if _DAY_OF_MONTH.fullmatch(text):
        if periode is None:
            raise _RowError("tanggal", f"day-of-month {text!r} without periode_data")
        return _valid_dates(text, [(periode[0], periode[1], text)]), "day of month"
    raise _RowError("tanggal", f"unparseable date {text!r}")


def _valid_dates(text: str, parts: list[tuple]) -> list[dt.date]:
    dates = []
    for year, month, day in parts:
        try:
            dates.append(dt.date(int(year), int(month), int(day)))
        except ValueError:
            continue
    if not dates:
        raise _RowError("tanggal", f"date {text!r} is not a calendar date")
    return sorted(set(dates))


def _consistent_span(pending: list[_Pending]) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The (year, month) range covered by rows whose tanggal and periode_data agree."""
    agreed = [p.periode for p in pending
              if p.periode and any((c.year, c.month) == p.periode for c in p.candidates)]
    return (min(agreed), max(agreed)) if agreed else None


def _resolve_date(row: _Pending, span, counters: _Counters) -> dt.date:
    if row.periode is None:
        if len(row.candidates) == 1:
            return row.candidates[0]
        raise _RowError("tanggal", f"ambiguous date {row.tanggal!r} and no periode_data",
                        INCONSISTENT)
    exact = [c for c in row.candidates if (c.year, c.month) == row.periode]
    if exact:  # at most one: both d/m readings agreeing means day == month, the same date
        return exact[0]
    same_month = [c for c in row.candidates if c.month == row.periode[1]]
    if len(same_month) == 1:
        return _settle_year(row, same_month[0], span, counters)
    readings = ", ".join(c.isoformat() for c in row.candidates)
    raise _RowError("tanggal", f"month of tanggal {row.tanggal!r} (read as {readings}) "
                    f"disagrees with periode_data {row.values['periode_data']}", INCONSISTENT)


def _settle_year(row: _Pending, from_tanggal: dt.date, span, counters: _Counters) -> dt.date:
    """tanggal and periode_data agree on month and day but not year
    (docs/sources/jakarta-ispu.md §3).

    Neither field always wins: 2015 has periode 201202 on 2015-02 dates (tanggal is right) and
    2022 has tanggal 2020-02-xx under periode 202202 (periode is right). The year that falls in
    the span the file's agreeing rows cover is taken; if that does not settle it, quarantine.
    """
    try:
        from_periode = from_tanggal.replace(year=row.periode[0])
    except ValueError:  # 29 Feb moved to a non-leap year
        from_periode = None

    def in_span(d: dt.date | None) -> bool:
        return d is not None and span is not None and span[0] <= (d.year, d.month) <= span[1]

    if in_span(from_tanggal) and not in_span(from_periode):
        counters.year_settled["year from tanggal"] += 1
        return from_tanggal
    if in_span(from_periode) and not in_span(from_tanggal):
        counters.year_settled["year from periode_data"] += 1
        return from_periode
    raise _RowError("tanggal", f"year of tanggal {row.tanggal!r} disagrees with periode_data "
                    f"{row.values['periode_data']} and the rest of the file does not settle it",
                    INCONSISTENT)


# --------------------------------------------------------------------------------------------
# dates, duplicates


def _resolve_dates(pending: list[_Pending], layout: _Layout, quarantine: Quarantine,
                   counters: _Counters) -> list[dict]:
    """The staged row of every pending row whose date settles; the others are quarantined."""
    span = _consistent_span(pending)
    rows = []
    for row in pending:
        try:
            day = _resolve_date(row, span, counters)
        except _RowError as err:
            _quarantine(quarantine, layout, row.source_row, err, row.raw)
            continue
        rows.append({**_staged_row(row, day, layout.granularity), "_raw": row.raw})
    return rows


def _settle(rows: list[dict], layout: _Layout, quarantine: Quarantine) -> pd.DataFrame:
    """The one duplicate-key rule (platform.duplicates), on the table's key; the quarantine
    names the columns as published. Staged rows sorted by date and station."""
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows)
    before = len(quarantine.rows)
    frame = settle_duplicates(frame, KEY[layout.granularity], quarantine, raw="_raw")
    for q in quarantine.rows[before:]:
        canonical = _READ_FROM.get(q["column_name"], q["column_name"])
        q["column_name"] = layout.columns.get(canonical, q["column_name"])
    return (frame.drop(columns="_raw").sort_values(["date", "station_code"], kind="stable")
            .reset_index(drop=True))


def _staged_row(row: _Pending, day: dt.date, granularity: str) -> dict:
    v = row.values
    from_max = category_for_index(v["max_index"], day)
    return {
        "source_row": row.source_row, "periode_data": v["periode_data"], "date": day,
        "station_code": v["station_code"], "station_raw": v["station_raw"],
        "granularity": granularity, **{p: v[p] for p in POLLUTANT_COLUMNS},
        "max_index": v["max_index"], "critical": v["critical"], "critical_raw": v["critical_raw"],
        "category": v["category"], "category_from_max": from_max,
        # No max, nothing to compare: not flagged as a mismatch.
        "category_mismatch": from_max is not None and from_max != v["category"],
        "regime": regime_for(day),
    }


def _summary_notes(staged: pd.DataFrame, quarantine: Quarantine, counters: _Counters) -> dict:
    if staged.empty:
        staged = pd.DataFrame(columns=["category_mismatch", "critical", "critical_raw", "date"])
    return {
        "date_forms": dict(counters.date_forms),
        "year_settled": dict(counters.year_settled),
        "quarantined_by_column": dict(Counter(r["column_name"] for r in quarantine.rows)),
        "category_mismatches": int(staged["category_mismatch"].sum()),
        "critical_unknown_codes": int((staged["critical"].isna()
                                       & staged["critical_raw"].notna()).sum()),
        "date_range": ([staged["date"].min().isoformat(), staged["date"].max().isoformat()]
                       if len(staged) else None),
    }
