"""BPBD DKI flood-event tables (kejadian banjir, docs/sources/jakarta-flood.md): one payload ->
ParseResult.

Four real layouts, told apart by their columns (mapped by name, never position):

* **F1** legacy data.jakarta.go.id 2020 Q1: event dates as free text without a year
  (``tanggal_kejadian``), RW lists, numeric water heights. The year comes from the payload
  (JSON ``periodeData``/title, else a year in the file name).
* **F2** satudata 2023: ``periode_data`` = release quarter (YYYYMM of its last month), ``bulan`` =
  event month, water height as free text, ``nihil`` rows (no flood in that kota that month) and
  all-``-`` rows (no data).
* **F3** satudata 2024 as processed by a third party: ``triwulan``, month names, numeric heights.
  Its year is nowhere in the rows either.
* **F4** satudata per-RW export 2019–2020: ``periode_data`` = the event month, one line per RW
  (or per RT: ``rw`` = ``0`` names no RW), water height as free text, event dates as free text
  (``tgl. 01 Januari``, ``06/12/2020``), no event count (``jumlah_kejadian``): the staged
  ``event_days`` says how many days a line names, and the core counts an area's events as its
  distinct event days (docs/sources/jakarta-flood.md §2, §5).

The satudata / CKAN JSON form of any layout is read through ``records_from_json``.

Each source row is staged (a flood fact per kelurahan and month, or a ``no_flood`` fact per
kota and month), counted as the publisher's no-data (every field but the period is ``-``), or
quarantined naming the column as published. One fact per area and month: a repeat follows the
one duplicate-key rule of every source (:func:`~smartchange_assets.platform.duplicates.
settle_duplicates`: an exact repeat stages once, a repeat with other values stages neither).
Casualty/evacuee columns are staged as published, never repaired: payloads of a layout where
they are known to look misaligned carry ``evacuee_columns_suspect`` and the ``evacuee_columns``
check tests that against the numbers. Staged rows carry the staging table's column names; the
engine types them by the table spec in source.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from smartchange_assets.jakarta.flood import fields as f
from smartchange_assets.jakarta.satudata import JsonRecordsError, records_from_json, reply_metadata
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

# canonical column -> header spellings, compared by header_key (docs/sources/jakarta-flood.md §2)
ALIASES: dict[str, tuple[str, ...]] = {
    "periode": ("periode_data",),
    "quarter": ("triwulan",),
    "month": ("bulan",),
    "kota": ("kota_administrasi", "wilayah", "wilayah_adm", "kabupaten_kota"),
    "kecamatan": (),
    "kelurahan": (),
    "rw": (),
    "event_dates": ("tanggal_kejadian",),
    "water_text": ("jumlah_rata_rata_ketinggian_air", "ketinggian_air"),
    "water_min": ("ketinggian_air_min(cm)", "ketinggian_air_min (cm)", "ketinggian_air_min_cm",
                  "ketinggian_air_min", "tinggi_air_min"),
    "water_max": ("ketinggian_air_max(cm)", "ketinggian_air_max (cm)", "ketinggian_air_max_cm",
                  "ketinggian_air_max", "tinggi_air_max"),
    "events": ("jumlah_kejadian",),
    "affected_rw": ("jumlah_terdampak_rw", "jumlah_rw_terdampak"),
    "affected_households": ("jumlah_terdampak_kk", "jumlah_kk_terdampak"),
    "affected_people": ("jumlah_terdampak_jiwa", "jumlah_jiwa_terdampak"),
    "displaced_people": ("jumlah_pengungsi_tertinggi", "jumlah_pengungsi"),
    "evacuation_sites": ("jumlah_tempat_pengungsian",),
    "deaths": ("jumlah_meninggal", "jumlah_korban_meninggal"),
    "injured": ("jumlah_korban_luka",),
    "injured_severe": ("jumlah_luka_berat",),
    "injured_light": ("jumlah_luka_ringan",),
}
AREA = ("kota", "kecamatan", "kelurahan")
# the three layouts, told apart by the columns each must have (tried in this order)
LAYOUTS = {
    "F1": HeaderSpec(ALIASES, required=(*AREA, "event_dates", "water_min", "water_max")),
    "F2": HeaderSpec(ALIASES, required=("periode", "month", *AREA, "water_text")),
    "F3": HeaderSpec(ALIASES, required=("quarter", "month", *AREA, "water_min", "water_max")),
    "F4": HeaderSpec(ALIASES, required=("periode", *AREA, "rw", "event_dates", "water_text")),
}
COUNTS = ("events", "affected_rw", "affected_households", "affected_people", "displaced_people",
          "evacuation_sites", "deaths", "injured", "injured_severe", "injured_light")
PERIOD_FIELDS = ("periode", "quarter", "month")

# docs/sources/jakarta-flood.md §4: F1's jumlah_luka_ringan equals jumlah_terdampak_jiwa in 98
# non-zero rows and jumlah_pengungsi_tertinggi looks like a count of shelters; F2's
# jumlah_pengungsi (0-3) and jumlah_tempat_pengungsian (7-179) look swapped. F3's columns look
# sane. F4's 2020 lines are F1's rows again (docs/sources/jakarta-flood.md §2), luka_ringan
# included. The check `evacuee_columns` compares this with the numbers of every payload.
EVACUEE_COLUMNS_SUSPECT = {"F1": True, "F2": True, "F3": False, "F4": True}

# one fact per area and month; kelurahan first, so an exact repeat is reported on it
KEY = ("kelurahan_name", "kecamatan_name", "kota_name", "year", "month")
# F4 has one line per RW or RT, and an RT line names no RW ('0'): no column tells two lines of
# a kelurahan and month apart, so a line is its whole content. Lines differing in any value are
# different lines; an exact repeat is the one rule's duplicate (docs/sources/jakarta-flood.md §5)
LINE_KEY = (*KEY, "rw_raw", "event_dates", "water_raw", "water_min_cm", "water_max_cm",
            "affected_rw", "affected_households", "affected_people", "displaced_people",
            "evacuation_sites", "deaths", "injured")
# layouts whose lines carry no event count: the core counts distinct event days instead
DERIVED_EVENTS = ("F4",)
# staged column -> the canonical columns it may be read from (the first the layout has names the
# published column in the quarantine)
_READ_FROM = {
    "year": ("periode",), "month": ("month", "event_dates"), "event_month": ("month",),
    "period_label": ("periode", "quarter"), "event_dates_is_range": ("event_dates",),
    "event_date_first": ("event_dates",), "event_date_last": ("event_dates",),
    "event_days": ("event_dates",), "event_dates_raw": ("event_dates",),
    "event_year_settled": ("event_dates",),
    "kota_name": ("kota",), "kecamatan_name": ("kecamatan",), "kelurahan_name": ("kelurahan",),
    "rw_list": ("rw",), "rw_raw": ("rw",), "rw_count": ("rw",),
    "water_min_cm": ("water_text", "water_min"), "water_max_cm": ("water_text", "water_max"),
    "water_raw": ("water_text",), "injured": ("injured", "injured_light", "injured_severe"),
}

_YEAR = re.compile(r"(?<!\d)(19[89]\d|20\d\d)(?!\d)")
_PERIODE = re.compile(r"(\d{4})-?(\d{2})(?:\.0+)?")
_HEADER_SEARCH_LINES = 20


class _RowError(Exception):
    """One row cannot be staged; carries the canonical column to blame (None = whole row)."""

    def __init__(self, column: str | None, reason: str, kind: str = UNREADABLE):
        super().__init__(reason)
        self.column, self.reason, self.kind = column, reason, kind


@dataclass
class _Layout:
    variant: str
    header: list[str]
    columns: dict[str, str]  # canonical -> header name as published
    year: int | None  # the payload's year, for layouts whose rows carry none
    year_source: str | None
    # F4: the first and last (year, month) of periode_data in the payload, to settle a written
    # year that disagrees with periode_data (see _settle_year)
    span: tuple[tuple[int, int], tuple[int, int]] | None = None


# --------------------------------------------------------------------------------------------
# public entry point


def parse_flood(data: bytes, file_name: str) -> ParseResult:
    """Parse one flood payload: a CSV of layout F1/F2/F3 or a satudata/CKAN JSON reply."""
    header, records, notes, meta = _read_payload(data, file_name)
    if not records:  # a header-only file or the empty last page of a satudata reply
        return ParseResult(staged=pd.DataFrame(), source_rows=0, notes=notes)
    layout = _layout(header, file_name, meta, records)
    notes.update(variant=layout.variant, column_map=dict(layout.columns),
                 year=layout.year, year_source=layout.year_source)

    quarantine, no_data, staged = Quarantine(), 0, []
    for source_row, raw in enumerate(records, start=1):
        try:
            if _is_no_data(raw, layout):
                no_data += 1
                continue
            staged.append({**_staged_row(source_row, raw, layout), "_raw": raw})
        except _RowError as err:
            column = layout.columns.get(err.column, err.column) if err.column else None
            quarantine.add(source_row, column, err.reason, raw, kind=err.kind)

    frame = _settle(staged, layout, quarantine)
    notes.update(_summary(frame, quarantine))
    if layout.variant == "F4":
        notes["event_years_settled"] = int(frame["event_year_settled"].sum()) if len(frame) else 0
    quarantined = quarantine.frame().sort_values("source_row", kind="stable", ignore_index=True)
    result = ParseResult(staged=frame, source_rows=len(records), no_data=no_data,
                         quarantine=quarantined, notes=notes)
    result.reconcile()
    return result


# --------------------------------------------------------------------------------------------
# reading: CSV or JSON -> header + records (dicts keyed by the published header)


def _read_payload(data: bytes, file_name: str) -> tuple[list[str], list[dict], dict, dict]:
    try:
        text = decode_text(data, file_name).lstrip("\ufeff")
    except UnicodeDecodeError as err:  # the cp1252 fallback failed too: not text at all
        raise ParseError(file_name, f"not a text file ({err.reason})") from None
    if text.lstrip()[:1] in ("{", "["):
        try:
            header, records = records_from_json(data)
            meta = reply_metadata(data)
        except JsonRecordsError as err:
            raise ParseError(file_name, str(err), row=err.row) from None
        return header, records, {"format": "json"}, meta
    header, rows, notes = _read_csv(text, file_name)
    if not rows and not text.endswith(("\n", "\r")):
        raise ParseError(file_name, "no data rows and no line end after the header: "
                         "the payload ends inside its header (truncated?)", row=1)
    records = []
    for n, cells in enumerate(rows, start=1):
        if len(cells) < len(header) and n == len(rows):
            # a short LAST row is how a cut-off download looks: fail loudly, land nothing
            raise ParseError(file_name, f"last row has {len(cells)} of {len(header)} "
                             "fields: the payload ends mid-row (truncated?)", row=n)
        record = dict(zip(header, cells, strict=False))
        if len(cells) != len(header):
            record["_field_count"] = f"{len(cells)} of {len(header)}"
            if len(cells) > len(header):
                record["_extra_fields"] = cells[len(header):]
        records.append(record)
    return header, records, notes, {}


def _read_csv(text: str, file_name: str) -> tuple[list[str], list[list[str]], dict]:
    # the header is line 1 in every known file; a few lines of search survive a title line
    lines = text.splitlines(keepends=True)
    nonblank = [i for i, line in enumerate(lines) if line.strip()][:_HEADER_SEARCH_LINES]
    for i in nonblank:
        line = lines[i].rstrip("\r\n")
        delimiter = sniff_delimiter(line, candidates=",;\t")
        if _variant_of(next(csv.reader([line], delimiter=delimiter))) is not None:
            header, rows = read_csv_records("".join(lines[i:]), delimiter)
            return header, rows, {"format": "csv", "delimiter": delimiter, "header_line": i + 1}
    first = lines[nonblank[0]].strip()[:120] if nonblank else ""
    raise ParseError(file_name, f"no flood-table header (layouts F1/F2/F3) in the first "
                     f"{_HEADER_SEARCH_LINES} lines; first line reads {first!r}", row=1)


# --------------------------------------------------------------------------------------------
# header -> layout


def _variant_of(header: list[str]) -> str | None:
    return next((variant for variant, spec in LAYOUTS.items() if not spec.missing(header)), None)


def _layout(header: list[str], file_name: str, meta: dict, records: list[dict]) -> _Layout:
    variant = _variant_of(header)
    if variant is None:
        needs = {v: list(spec.required) for v, spec in LAYOUTS.items()}
        raise ParseError(file_name, f"header matches no flood layout (needs {needs}): {header}")
    columns = LAYOUTS[variant].names(header, file_name)  # two columns meaning one: an error
    rows_carry_year = variant in ("F2", "F4")
    year, source = (None, None) if rows_carry_year else _payload_year(meta, file_name)
    span = _periode_span(records, columns["periode"]) if variant == "F4" else None
    return _Layout(variant, header, columns, year, source, span)


# the years a flood record can be of (the DKI flood archive starts in the 2000s)
FIRST_YEAR, LAST_YEAR = 1900, 2100


def _periode_span(records: list[dict], column: str) -> tuple | None:
    """The first and last readable periode_data (year, month) of the payload."""
    months = [(int(m[1]), int(m[2])) for r in records
              if (m := _PERIODE.fullmatch((r.get(column) or "").strip())) and 1 <= int(m[2]) <= 12]
    return (min(months), max(months)) if months else None


def _payload_year(meta: dict, file_name: str) -> tuple[int, str]:
    """F1 and F3 rows carry no year: take it from the reply, else from the file name."""
    periods = {m[0] for p in meta.get("periode_data", []) if p for m in [_YEAR.findall(str(p))]
               if m}
    if len(periods) == 1:
        return int(periods.pop()), "periodeData"
    title_years = set(_YEAR.findall(meta.get("title", "")))
    if len(title_years) == 1:
        return int(title_years.pop()), "dataset title"
    name_years = set(_YEAR.findall(file_name))
    if len(name_years) == 1:
        return int(name_years.pop()), "file name"
    raise ParseError(file_name, "the rows carry no year and neither the reply "
                     f"(periodeData, title) nor the file name names exactly one: "
                     f"{sorted(periods | title_years | name_years) or 'none'}; land the file "
                     "under a name with its year")


# --------------------------------------------------------------------------------------------
# one row


def _value(raw: dict, layout: _Layout, canonical: str) -> str | None:
    name = layout.columns.get(canonical)
    return None if name is None else raw.get(name)


def _is_no_data(raw: dict, layout: _Layout) -> bool:
    """The publisher's own no-data row: every field but the period is ``-`` or blank."""
    period = {layout.columns[c] for c in PERIOD_FIELDS if c in layout.columns}
    return all(f.is_missing(v) for k, v in raw.items()
               if k in layout.header and k not in period)


def _staged_row(source_row: int, raw: dict, layout: _Layout) -> dict:
    if "_field_count" in raw:
        raise _RowError(None, f"row has {raw['_field_count']} fields (shifted or cut)")
    year, month, label, dates, is_range, settled = _when(raw, layout)
    if not FIRST_YEAR <= year <= LAST_YEAR:  # a garbled period, not an event of that year
        raise _RowError("periode", f"event year {year} is outside {FIRST_YEAR}-{LAST_YEAR}")
    area = _area(raw, layout)
    counts = {c: _count(raw, layout, c) for c in COUNTS if c in layout.columns}
    water_min, water_max, water_raw = _water(raw, layout)
    rw_raw = _value(raw, layout, "rw")
    try:
        rws = f.rw_numbers(rw_raw)
    except f.FieldError as err:
        raise _RowError("rw", str(err)) from None
    if area["no_flood"]:
        nonzero = {c: v for c, v in counts.items() if v}
        if water_max:
            nonzero["water_text" if "water_text" in layout.columns else "water_max"] = water_max
        if nonzero:
            raise _RowError(next(iter(nonzero)), "'nihil' row (no flood) with non-zero values "
                            f"{nonzero}", INCONSISTENT)
    return {
        "source_row": source_row, "variant": layout.variant, "year": year, "month": month,
        "event_month": dt.date(year, month, 1), "period_label": label,
        "event_dates": ";".join(d.isoformat() for d in dates) if dates else None,
        "event_dates_is_range": is_range if dates else None,
        "event_date_first": dates[0] if dates else None,
        "event_date_last": dates[-1] if dates else None,
        "event_days": f.event_days(dates, is_range) if dates else None,
        "event_dates_raw": _text(raw, layout, "event_dates"),
        "event_year_settled": settled if dates else None,
        "kota_name": area["kota"], "kecamatan_name": area["kecamatan"],
        "kelurahan_name": area["kelurahan"],
        "rw_list": ";".join(map(str, rws)) if rws else None,
        "rw_raw": rw_raw.strip() if rw_raw and rw_raw.strip() else None,
        "rw_count": len(rws) if rws else None,
        "water_min_cm": water_min, "water_max_cm": water_max, "water_raw": water_raw,
        **{c: counts.get(c) for c in COUNTS[:7]}, "injured": _injured(counts),
        "no_flood": area["no_flood"],
        "evacuee_columns_suspect": EVACUEE_COLUMNS_SUSPECT[layout.variant],
    }


def _text(raw: dict, layout: _Layout, canonical: str) -> str | None:
    value = _value(raw, layout, canonical)
    return value.strip() if value and value.strip() else None


def _periode(raw: dict, layout: _Layout) -> tuple[int, int, str]:
    text = (_value(raw, layout, "periode") or "").strip()
    match = _PERIODE.fullmatch(text)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise _RowError("periode", f"periode_data {text!r} is not YYYYMM")
    return int(match[1]), int(match[2]), text


def _event_dates(raw: dict, layout: _Layout, year: int) -> tuple[list[dt.date], bool]:
    try:
        return f.event_dates(_value(raw, layout, "event_dates"), year)
    except f.FieldError as err:
        raise _RowError("event_dates", str(err)) from None


def _when(raw: dict, layout: _Layout) -> tuple[int, int, str, list[dt.date], bool, bool]:
    """(year, event month, release period label, event dates, dates form a range, a written
    year was replaced by periode_data's)."""
    if layout.variant == "F1":
        dates, is_range = _event_dates(raw, layout, layout.year)
        month = dates[0].month
        return layout.year, month, f"{layout.year}-Q{(month + 2) // 3}", dates, is_range, False
    if layout.variant == "F4":
        return _when_f4(raw, layout)
    month = _month(raw, layout)
    if layout.variant == "F2":
        year, release, text = _periode(raw, layout)
        # periode_data is the release quarter's last month: 202306 covers April-June
        if not release - 3 < month <= release:
            raise _RowError("month", f"event month {month} is outside release {text} (months "
                            f"{max(release - 2, 1)}-{release})", INCONSISTENT)
        return year, month, f"{year}-Q{(release + 2) // 3}", [], False, False
    text = (_value(raw, layout, "quarter") or "").strip()
    if text not in ("1", "2", "3", "4"):
        raise _RowError("quarter", f"triwulan {text!r} is not 1-4")
    if (month + 2) // 3 != int(text):
        raise _RowError("month", f"month {month} is not in triwulan {text}", INCONSISTENT)
    return layout.year, month, f"{layout.year}-Q{text}", [], False, False


def _when_f4(raw: dict, layout: _Layout) -> tuple[int, int, str, list[dt.date], bool, bool]:
    """F4: periode_data is the event month; every event date must fall in it. Dates written
    with a month name take periode_data's year. A date written in full whose day and month fit
    but whose year does not (``06/12/2020`` under 201912) takes periode_data's year when only
    that year lies inside the months the payload covers (the ISPU parser's rule,
    docs/sources/jakarta-ispu.md §3); otherwise the line is quarantined."""
    year, month, text = _periode(raw, layout)
    dates, is_range = _event_dates(raw, layout, year)
    settled = False
    for i, day in enumerate(dates):
        if (day.year, day.month) == (year, month):
            continue
        if day.month != month:
            raise _RowError("event_dates", f"event date {day.isoformat()} is not in periode_data "
                            f"{text}", INCONSISTENT)
        dates[i], settled = _settle_year(day, year, layout.span, text), True
    return year, month, f"{year}-Q{(month + 2) // 3}", dates, is_range, settled


def _settle_year(day: dt.date, year: int, span: tuple | None, periode: str) -> dt.date:
    def inside(y: int) -> bool:
        return span is not None and span[0] <= (y, day.month) <= span[1]

    if inside(year) and not inside(day.year):
        try:
            return day.replace(year=year)
        except ValueError:  # 29 February moved to a common year
            pass
    raise _RowError("event_dates", f"year of event date {day.isoformat()} disagrees with "
                    f"periode_data {periode} and the payload's months do not settle it",
                    INCONSISTENT)


def _month(raw: dict, layout: _Layout) -> int:
    try:
        return f.month_number(_value(raw, layout, "month"))
    except f.FieldError as err:
        raise _RowError("month", str(err)) from None


def _area(raw: dict, layout: _Layout) -> dict:
    names, unnamed = {}, None
    for column in AREA:
        value = _value(raw, layout, column)
        if layout.variant == "F4" and column == "kelurahan" and (value or "").strip() == "0":
            # F4 writes 0 for what it does not name (rw '0' too): the line stays at its
            # kecamatan (docs/sources/jakarta-flood.md §3)
            names[column], unnamed = None, column
            continue
        try:
            names[column] = f.area_name(value)
        except f.FieldError as err:
            raise _RowError(column, str(err)) from None
    nihil = [c for c in ("kecamatan", "kelurahan") if names[c] == "NIHIL"]
    if nihil and len(nihil) != 2:
        raise _RowError(nihil[0], f"only {nihil[0]} says 'nihil'", INCONSISTENT)
    for column in AREA[: 1 if nihil else 3]:
        if names[column] is None and column != unnamed:
            raise _RowError(column, f"{column} missing")
    if nihil:  # a zero-event fact for the kota, not a kelurahan called NIHIL
        names["kecamatan"] = names["kelurahan"] = None
    return {**names, "no_flood": bool(nihil)}


def _count(raw: dict, layout: _Layout, canonical: str) -> int | None:
    try:
        return f.count(_value(raw, layout, canonical))
    except f.FieldError as err:
        raise _RowError(canonical, str(err)) from None


def _injured(counts: dict) -> int | None:
    """F2 publishes one injured count; F1 severe + light, NULL unless both are readable."""
    if "injured" in counts:
        return counts["injured"]
    parts = [counts.get("injured_severe"), counts.get("injured_light")]
    return None if None in parts else sum(parts)


def _water(raw: dict, layout: _Layout) -> tuple[float | None, float | None, str | None]:
    """(min cm, max cm, free text as published; NULL where the heights are numeric columns)."""
    if "water_text" in layout.columns:
        text = _value(raw, layout, "water_text")
        try:
            low, high = f.water_range(text)
        except f.FieldError as err:
            raise _RowError("water_text", str(err)) from None
        return low, high, text.strip() if text and text.strip() else None
    low, high = (_height(raw, layout, c) for c in ("water_min", "water_max"))
    if low is not None and high is not None and low > high:
        raise _RowError("water_max", f"maximum height {high:g} cm below minimum {low:g} cm",
                        INCONSISTENT)
    return low, high, None


def _height(raw: dict, layout: _Layout, canonical: str) -> float | None:
    try:
        return f.centimetres(_value(raw, layout, canonical))
    except f.FieldError as err:
        raise _RowError(canonical, str(err)) from None


def _settle(rows: list[dict], layout: _Layout, quarantine: Quarantine) -> pd.DataFrame:
    """The one duplicate-key rule (platform.duplicates) on area and month; the quarantine names
    the columns as published."""
    if not rows:
        return pd.DataFrame()
    before = len(quarantine.rows)
    key = LINE_KEY if layout.variant == "F4" else KEY
    frame = settle_duplicates(pd.DataFrame(rows), key, quarantine, raw="_raw")
    for q in quarantine.rows[before:]:
        q["column_name"] = next((layout.columns[c] for c in _READ_FROM.get(q["column_name"],
                                 (q["column_name"],)) if c in layout.columns), q["column_name"])
    return frame.drop(columns="_raw").reset_index(drop=True)


def _summary(frame: pd.DataFrame, quarantine: Quarantine) -> dict:
    if frame.empty:
        frame = pd.DataFrame(columns=["no_flood", "year", "month", "rw_count", "affected_rw"])
    flood = frame[~frame["no_flood"].astype(bool)]
    return {
        "no_flood_rows": int(frame["no_flood"].sum()),
        "months": sorted({f"{y}-{m:02d}" for y, m in zip(frame["year"], frame["month"],
                                                            strict=True)}),
        "quarantined_by_column": dict(Counter(r["column_name"] for r in quarantine.rows)),
        # informative only: the published RW count and the RW list disagree this often
        "rw_count_differs_from_affected_rw": int(
            (flood["rw_count"].notna() & flood["affected_rw"].notna()
             & (flood["rw_count"] != flood["affected_rw"])).sum()),
    }
