"""Parser for BLUME air-quality measurements (Berliner Luftgüte-Messnetz, luftdaten.berlin.de).

Two published forms are read; the form is detected from the content, never from the file name:

* ``json_api`` – the bare JSON array of ``GET /api/stations/{code}/data``, one item per station,
  component and period, e.g.
  ``{"datetime": "2024-03-30T23:00:00+01:00", "station": "mc010", "core": "pm10",
  "component": "pm10_1h", "period": "1h", "value": 221}``. The API answers newest first.
* ``csv_export`` – the website download (``;``-separated, UTF-8): header rows ``Station``
  (``"010 Wedding"`` …, one column per station), ``Messkomponente``, ``Einheit`` and
  ``Messzeit (Angaben in MESZ bzw. MEZ)``, a blank line, then one line per hour.

**Source row** = one measurement record: one JSON array item, or one CSV *cell* (data line ×
station column). ``source_row`` is the item's 1-based position in the array; for the CSV it is
``line_index * n_stations + column_position`` (line index 0-based among the data lines, column
position 1-based among the station columns), so every cell has its own number. Quarantine
reasons for CSV cells name the real file line number and the column header.

**Time rules**

* JSON ``datetime`` carries its UTC offset and marks the START of the period (a month file
  starts at ``T00:00``). It is converted with that offset, never by assuming the zone, so the
  fall-back day needs no guessing.
* CSV stamps are Europe/Berlin wall time without offset (the header says "MESZ bzw. MEZ") and
  label an hour exactly as the JSON does: in the sample files the CSV column ``124`` and the
  mc124 JSON carry identical values under identical printed stamps (742 of 742 October 2023
  hours, against 167 of 740 when shifted by an hour). So a CSV stamp is read as the START of
  its hour, like the JSON (``CSV_STAMP_MARKS_PERIOD_END = False``), localised in
  Europe/Berlin. The export has only one ``02:00`` line on the fall-back day; that ambiguous
  stamp is read as its first (CEST) occurrence. A stamp that does not exist (spring-forward
  gap, ``26.03.2023 02:00``) cannot be placed in time: every cell of that line is quarantined.
* ``period_start_local`` is the Europe/Berlin wall time of the start; ``local_date`` its date.
  For ``24h`` items (stamped local midnight) that is the day the value belongs to.

**No data vs. quarantine.** JSON ``"value": null`` and empty CSV cells are the publisher's own
"no data": counted in ``no_data``, not staged. An empty array ``[]`` is a valid payload with 0
source rows. Non-numeric values, missing or malformed fields, stamps without offset, unknown
pollutant codes and duplicate records are quarantined with the column and the reason. A payload
that is neither this JSON array nor the CSV layout (or is truncated JSON) raises ``ParseError``.

Values are kept as published (µg/m³ per the CSV ``Einheit`` row; CO may be mg/m³ — unverified).
Pollutants are canonicalised: the API's ``pm2`` IS PM2.5 (``pm25``), ``chb`` benzene, ``cht``
toluene.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.parsing import (
    ParseError,
    ParseResult,
    Quarantine,
    decode_text,
)

TZ = "Europe/Berlin"

# the staging key within one payload (source.py adds the payload hash)
KEY = ["station_code", "pollutant", "period", "period_start_utc"]
# what decides whether two records of one key are the same record or a conflict
VALUES = ["station_name", "value"]

# API ``core`` codes -> canonical pollutant. ``pm2`` is PM2.5, not "PM2"
# (docs/sources/berlin-blume-air-quality.md §2).
POLLUTANTS = {"pm10": "pm10", "pm2": "pm25", "no2": "no2", "no": "no", "nox": "nox",
              "o3": "o3", "co": "co", "so2": "so2", "chb": "benzene", "cht": "toluene"}
PERIODS = ("1h", "24h")

# CSV ``Messkomponente`` labels, compared lower-case with everything but letters/digits removed.
# Only "Feinstaub (PM10)" is seen in a real export; the others are the usual German names
# (unverified), so a differently spelled label is quarantined rather than guessed.
CSV_COMPONENTS = {"feinstaubpm10": "pm10", "feinstaubpm25": "pm25", "stickstoffdioxid": "no2",
                  "stickstoffmonoxid": "no", "stickoxide": "nox", "ozon": "o3",
                  "kohlenmonoxid": "co", "schwefeldioxid": "so2", "benzol": "benzene",
                  "toluol": "toluene"}
# Only hourly exports are supported: the stamp rule for daily exports has not been seen.
CSV_PERIODS = {"stundenwerte": "1h"}
CSV_HEADER_LABELS = ("station", "messkomponente", "einheit", "messzeit")
CSV_STAMP_FORMAT = "%d.%m.%Y %H:%M"
# False: a CSV stamp marks the start of its hour, as the JSON does (measured: see docstring).
CSV_STAMP_MARKS_PERIOD_END = False

_STATION_CODE = re.compile(r"^mc\d{3}$")
_CSV_STATION = re.compile(r"^(\d{3})\s+(\S.*)$")


# --------------------------------------------------------------------------- entry point


def parse_blume(data: bytes, file_name: str) -> ParseResult:
    """Parse one BLUME payload (API JSON array or website CSV export) into a ParseResult."""
    text = decode_text(data, file_name)
    head = text.lstrip()
    if head.startswith(("[", "{")):
        result = _parse_json(head, file_name)
    elif _label(head.split("\n", 1)[0].split(";", 1)[0]) == "station":
        result = _parse_csv(text, file_name)
    else:
        raise ParseError(file_name, "neither a JSON array from /api/stations/{code}/data "
                         "nor the luftdaten.berlin.de CSV export (first line does not start "
                         "with 'Station;')")
    result.reconcile()
    return result


# --------------------------------------------------------------------------- JSON form


def _parse_json(text: str, file_name: str) -> ParseResult:
    items = _load_json_array(text, file_name)
    quarantine, cand = Quarantine(), _Candidates()
    no_data = 0
    for pos, item in enumerate(items, start=1):
        problem, record = _read_item(item)
        if problem:
            column, reason = problem
            quarantine.add(pos, column, f"item {pos}: {reason}", item)
        elif record is None:
            no_data += 1
        else:
            cand.add(pos, *record, raw=item)
    staged = _finish(cand.frame(pd.to_datetime(cand.times, utc=True)), quarantine)
    notes = _notes("json_api", staged)
    return ParseResult(staged, len(items), no_data, quarantine.frame(), notes)


def _load_json_array(text: str, file_name: str) -> list:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        # A cut-off download ends mid-array; name where the reader stopped.
        raise ParseError(file_name, f"not valid JSON (truncated?): {exc}") from exc
    if not isinstance(items, list):
        raise ParseError(file_name, f"expected a JSON array, got {type(items).__name__}")
    if items and not any(isinstance(i, dict) and "datetime" in i for i in items):
        # e.g. the /api/lqi answer ([{"station", "data": [...]}]) is a different endpoint.
        raise ParseError(file_name, "array items have no 'datetime': not the "
                         "/api/stations/{code}/data response")
    return items


def _read_item(item: object) -> tuple[tuple[str | None, str] | None, tuple | None]:
    """(problem, None) | (None, None) for publisher no-data | (None, record fields)."""
    if not isinstance(item, dict):
        return (None, f"item is a {type(item).__name__}, not an object"), None
    missing = [k for k in ("datetime", "station", "core", "period", "value") if k not in item]
    if missing:
        return (missing[0], f"missing field(s) {', '.join(missing)}"), None
    station = item["station"].strip().lower() if isinstance(item["station"], str) else None
    if station is None or not _STATION_CODE.match(station):
        return ("station", f"station {item['station']!r} is not a code like 'mc010'"), None
    core, period = item["core"], item["period"]
    if core not in POLLUTANTS:
        return ("core", f"unknown pollutant code {core!r}"), None
    if period not in PERIODS:
        return ("period", f"unknown period {period!r} (expected 1h or 24h)"), None
    # Variants such as pm10_24hg (gravimetric) share core and period but are another
    # measurement; taking them would collide with pm10_24h.
    component = item.get("component", f"{core}_{period}")
    if component != f"{core}_{period}":
        return ("component", f"component {component!r} is not {core}_{period}"), None
    start, problem = _offset_datetime(item["datetime"])
    if problem:
        return ("datetime", problem), None
    if item["value"] is None:
        return None, None
    value, problem = _json_number(item["value"])
    if problem:
        return ("value", problem), None
    return None, (station, None, POLLUTANTS[core], period, start, value)


def _offset_datetime(raw: object) -> tuple[datetime | None, str | None]:
    if not isinstance(raw, str):
        return None, f"datetime {raw!r} is not a string"
    try:
        stamp = datetime.fromisoformat(raw)
    except ValueError:
        return None, f"datetime {raw!r} is not ISO 8601"
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        # Without the offset the fall-back hour cannot be placed; never assume the zone.
        return None, f"datetime {raw!r} has no UTC offset"
    return stamp, None


def _json_number(raw: object) -> tuple[float | None, str | None]:
    # bool is an int subclass in Python, but true/false is not a concentration.
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None, f"value {raw!r} is not a number"
    if not math.isfinite(raw):
        return None, f"value {raw!r} is not finite"
    return float(raw), None


# --------------------------------------------------------------------------- CSV form


@dataclass
class _CsvColumn:
    header: str
    code: str
    name: str
    pollutant: str | None
    problem: str | None  # set when every cell of the column must be quarantined


def _parse_csv(text: str, file_name: str) -> ParseResult:
    header, body = _csv_records(text, file_name)
    columns = _csv_columns(header, file_name)
    time_label = header[3][0].strip()
    stamps = [row[0].strip() for _, row in body]
    starts, stamp_problems = _csv_period_starts(stamps)
    quarantine, cand = Quarantine(), _Candidates()
    no_data, line_index = 0, []
    for i, (line_no, row) in enumerate(body):
        line_problem = stamp_problems[i] or _width_problem(row, len(columns))
        for j, col in enumerate(columns, start=1):
            src = i * len(columns) + j
            cell = row[j] if j < len(row) else None
            raw = {"line": line_no, "time": row[0], "column": col.header, "value": cell}
            where = f"line {line_no}, column {col.header!r}"
            if line_problem or col.problem:
                column = time_label if line_problem else col.header
                quarantine.add(src, column, f"{where}: {line_problem or col.problem}", raw)
            elif not cell.strip():
                no_data += 1
            elif (value := _csv_number(cell)) is None:
                quarantine.add(src, col.header, f"{where}: value {cell!r} is not a number", raw)
            else:
                cand.add(src, col.code, col.name, col.pollutant, "1h", None, value, raw=raw)
                line_index.append(i)
    staged = _finish(cand.frame(starts[np.asarray(line_index, dtype=int)]), quarantine)
    notes = _notes("csv_export", staged)
    notes["units"] = sorted({u.strip() for u in header[2][1:]})
    notes["csv_stamp_rule"] = "end of hour" if CSV_STAMP_MARKS_PERIOD_END else "start of hour"
    source_rows = len(body) * len(columns)
    return ParseResult(staged, source_rows, no_data, quarantine.frame(), notes)


def _csv_records(text: str, file_name: str) -> tuple[list[list[str]], list[tuple[int, list]]]:
    """The 4 header rows, and the data rows with their real file line numbers."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    records = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    header = [row for _, row in records[:4]]
    labels = tuple(_label(row[0]) for row in header)
    if len(header) < 4 or not all(lab.startswith(want)
                                  for lab, want in zip(labels, CSV_HEADER_LABELS, strict=True)):
        raise ParseError(file_name, "not the luftdaten.berlin.de CSV export: expected "
                         "header rows Station / Messkomponente / Einheit / Messzeit, got "
                         f"{[row[0] for row in header]}")
    widths = {len(row) for row in header}
    if len(widths) != 1:
        raise ParseError(file_name, f"header rows differ in width: {sorted(widths)}")
    return header, records[4:]


def _csv_columns(header: list[list[str]], file_name: str) -> list[_CsvColumn]:
    columns = []
    for pos, title in enumerate(header[0][1:], start=1):
        match = _CSV_STATION.match(title.strip())
        if not match:
            raise ParseError(file_name, "station header is not 'NNN Name'",
                             row=1, column=title)
        period = CSV_PERIODS.get(_label(header[3][pos]))
        if period is None:
            raise ParseError(file_name, f"unsupported period {header[3][pos]!r}; only "
                             "hourly exports (Stundenwerte) are read", row=4, column=title)
        component = header[1][pos].strip()
        pollutant = CSV_COMPONENTS.get(_label(component))
        problem = None if pollutant else f"unknown component {component!r}"
        columns.append(_CsvColumn(title.strip(), "mc" + match.group(1), match.group(2).strip(),
                                  pollutant, problem))
    return columns


def _csv_period_starts(stamps: list[str]) -> tuple[pd.DatetimeIndex, list[str | None]]:
    """UTC period start per data line, and a problem text for lines that cannot be placed."""
    naive = pd.DatetimeIndex(pd.to_datetime(pd.Series(stamps, dtype=object),
                                            format=CSV_STAMP_FORMAT, errors="coerce"))
    # ambiguous=True: the single fall-back 02:00 line is read as its first (CEST) occurrence.
    local = naive.tz_localize(TZ, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="NaT")
    stamp_utc = local.tz_convert("UTC").as_unit("ns")
    shift = pd.Timedelta(hours=1) if CSV_STAMP_MARKS_PERIOD_END else pd.Timedelta(0)
    problems: list[str | None] = []
    for stamp, n, loc in zip(stamps, naive, local, strict=True):
        if pd.isna(n):
            problems.append(f"time {stamp!r} is not DD.MM.YYYY HH:MM")
        elif pd.isna(loc):
            problems.append(f"time {stamp!r} does not exist in Europe/Berlin (DST gap)")
        else:
            problems.append(None)
    return stamp_utc - shift, problems


def _width_problem(row: list[str], n_stations: int) -> str | None:
    if len(row) == n_stations + 1:
        return None
    return f"line has {len(row) - 1} value fields, the header has {n_stations} stations"


def _csv_number(cell: str) -> float | None:
    text = cell.strip()
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # German decimal comma
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None  # float() accepts "nan"/"inf"


# --------------------------------------------------------------------------- shared


class _Candidates:
    """Column lists of records that passed the field checks, before the duplicate check."""

    def __init__(self) -> None:
        self.cols: dict[str, list] = {c: [] for c in ["source_row", "station_code",
                                                     "station_name", "pollutant", "period",
                                                     "value", "_raw"]}
        self.times: list[datetime | None] = []

    def add(self, source_row, station_code, station_name, pollutant, period, start, value, *,
            raw) -> None:
        for key, val in (("source_row", source_row), ("station_code", station_code),
                         ("station_name", station_name), ("pollutant", pollutant),
                         ("period", period), ("value", value), ("_raw", raw)):
            self.cols[key].append(val)
        self.times.append(start)

    def frame(self, starts_utc) -> pd.DataFrame:
        df = pd.DataFrame(self.cols)
        df["period_start_utc"] = pd.DatetimeIndex(starts_utc).as_unit("ns")
        return df


def _finish(cand: pd.DataFrame, quarantine: Quarantine) -> pd.DataFrame:
    """Settle repeated keys (the platform's one rule), add the local-time columns and sort."""
    cand = settle_duplicates(cand, KEY, quarantine, raw="_raw", compare=VALUES)
    utc = cand["period_start_utc"]
    local = utc.dt.tz_convert(TZ).dt.tz_localize(None)
    staged = pd.DataFrame({
        "source_row": cand["source_row"],
        "station_code": cand["station_code"],
        "station_name": cand["station_name"],  # None where the payload gives no name
        "pollutant": cand["pollutant"],
        "period": cand["period"],
        "period_start_utc": utc,
        "period_start_local": local,
        "local_date": local.dt.normalize(),
        "value": cand["value"],
    })
    # The API answers newest first; consumers (running means) expect time order.
    return staged.sort_values(KEY, kind="stable").reset_index(drop=True)


def _notes(form: str, staged: pd.DataFrame) -> dict:
    utc = staged["period_start_utc"]
    return {
        "form": form,
        "stations": sorted(staged["station_code"].unique().tolist()),
        "pollutants": sorted(staged["pollutant"].unique().tolist()),
        "periods": sorted(staged["period"].unique().tolist()),
        "period_start_utc_min": utc.min().isoformat() if len(utc) else None,
        "period_start_utc_max": utc.max().isoformat() if len(utc) else None,
    }


def _label(text: str) -> str:
    """Lower-case letters and digits only: 'Feinstaub (PM2,5)' -> 'feinstaubpm25'."""
    return re.sub(r"[^0-9a-zäöüß]", "", text.lower())


# --------------------------------------------------------------------------- daily means


def daily_means(hourly: pd.DataFrame, min_hours_share: float = 0.75) -> pd.DataFrame:
    """Daily mean of 1h values per (station_code, pollutant, local_date).

    Reference implementation for the warehouse SQL. Expects de-duplicated rows (as staged);
    rows with another ``period`` are ignored, missing values are not counted.

    * ``hours_present`` – 1h values present that local day,
    * ``hours_in_day``  – hours the Europe/Berlin day really has: 23 on the spring-forward
      day, 25 on the fall-back day, otherwise 24,
    * ``min_hours``     – ``ceil(min_hours_share * hours_in_day)``: 18, 18, 19 at 0.75,
    * ``valid``         – ``hours_present >= min_hours``.

    EU rule: a daily (24-hour) value needs 75 % of the hourly values (Directive 2008/50/EC,
    data aggregation criteria: "at least 18 hour values"). On DST days 75 % is taken of the
    real length of the local day, so the 25-hour day needs 19 hours, not 18.
    """
    cols = ["station_code", "pollutant", "local_date", "mean_ugm3", "hours_present",
            "hours_in_day", "min_hours", "valid"]
    if "period" in hourly.columns:
        hourly = hourly[hourly["period"] == "1h"]
    grouped = hourly.groupby(["station_code", "pollutant", "local_date"], sort=True)["value"]
    out = grouped.agg(mean_ugm3="mean", hours_present="count").reset_index()
    out["mean_ugm3"] = out["mean_ugm3"].astype("float64")
    out["hours_present"] = out["hours_present"].astype("int64")
    out["hours_in_day"] = _hours_in_local_day(out["local_date"])
    # round() guards against float noise such as 0.1 * 30 = 3.0000000000000004.
    out["min_hours"] = [math.ceil(round(min_hours_share * h, 9)) for h in out["hours_in_day"]]
    out["min_hours"] = out["min_hours"].astype("int64")
    out["valid"] = out["hours_present"] >= out["min_hours"]
    return out[cols]


def _hours_in_local_day(dates: pd.Series) -> pd.Series:
    # Berlin midnight is never inside a DST transition (those happen at 02:00/03:00).
    days = pd.to_datetime(dates).dt.normalize()
    start = days.dt.tz_localize(TZ)
    end = (days + pd.Timedelta(days=1)).dt.tz_localize(TZ)
    return ((end - start) / pd.Timedelta(hours=1)).round().astype("int64")
