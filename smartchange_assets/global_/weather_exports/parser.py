"""Open-Meteo historical-archive CSV export (daily table) -> ParseResult.

Two forms of the same export (docs/sources/global-weather-exports.md §2):

* **with the location preamble**, as the website's "Download CSV" writes it::

      latitude,longitude,elevation,utc_offset_seconds,timezone,timezone_abbreviation
      52.54833,13.407822,38.0,3600,Europe/Berlin,CET

      time,temperature_2m_max (°C),temperature_2m_min (°C),…

* **without it** (the Jakarta station tables): the table alone, so no coordinates; the station
  (DKI1–DKI5) and the city come from the file name through the stated mapping of
  :mod:`.stations`.

**Source row** = one line of the table (1-based, its header not counted).

Rules

* Variables by name (:data:`VARIABLES`), in any order, the unit in brackets after the name
  (``temperature_2m_max (°C)``). Old and new spellings are both read (``winddirection_10m_…``
  / ``wind_direction_10m_…``); when a file has both, they must agree on every row: a row where
  they differ is quarantined as ``inconsistent`` naming both columns (which one holds is a
  guess). Other variables are ignored and listed in the notes.
* A unit is converted only when it is named and its conversion is exact by definition (°F,
  inch, m/s, mph, kn: Open-Meteo's own unit options); a variable without a unit or with another
  unit is a ParseError naming the column: never converted by guesswork.
* Empty cells (and ``nan``/``null``) stay NULL, never 0; a row with no value at all is the
  publisher's no-data.
* With a preamble, the city follows from the coordinates (``global_/weather/cities.py``, within
  0.25°) and the preamble's ``timezone`` must be that city's, so that the dates are local dates;
  without one, ``timezone`` stays NULL (not stated). A preamble with several locations, a
  ``location_id`` column, an hourly table, or a file that says neither where nor which station
  is a ParseError.
* The same location and day twice follow the platform's duplicate rule.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from smartchange_assets.global_.weather.cities import GRID_TOLERANCE_DEG, city_at
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
)

from .stations import StationNameError, station_in_name


def _same(v: float) -> float:
    return v


def _fahrenheit(v: float) -> float:
    return (v - 32.0) * 5.0 / 9.0


def _times(factor: float) -> Callable[[float], float]:
    return lambda v: v * factor


CELSIUS = {"°C": _same, "°F": _fahrenheit}
MILLIMETRES = {"mm": _same, "inch": _times(25.4)}
KMH = {"km/h": _same, "m/s": _times(3.6), "mph": _times(1.609344), "mp/h": _times(1.609344),
       "kn": _times(1.852)}


@dataclass(frozen=True)
class Variable:
    column: str  # staging column
    names: tuple[str, ...]  # spellings in the header, current first
    units: dict[str, Callable[[float], float]]  # unit as named -> to the staging column's unit
    integer: bool = False


VARIABLES = (
    Variable("temperature_max_c", ("temperature_2m_max",), CELSIUS),
    Variable("temperature_min_c", ("temperature_2m_min",), CELSIUS),
    Variable("temperature_mean_c", ("temperature_2m_mean",), CELSIUS),
    Variable("precipitation_mm", ("precipitation_sum",), MILLIMETRES),
    Variable("precipitation_hours", ("precipitation_hours",), {"h": _same}),
    Variable("wind_speed_max_kmh", ("wind_speed_10m_max", "windspeed_10m_max"), KMH),
    Variable("wind_gusts_max_kmh", ("wind_gusts_10m_max", "windgusts_10m_max"), KMH),
    Variable("wind_direction_dominant_deg",
             ("wind_direction_10m_dominant", "winddirection_10m_dominant"), {"°": _same}),
    Variable("shortwave_radiation_mj_m2", ("shortwave_radiation_sum",),
             {"MJ/m²": _same, "MJ/m2": _same}),
    Variable("sunshine_duration_s", ("sunshine_duration",), {"s": _same}),
    Variable("relative_humidity_mean_pct", ("relative_humidity_2m_mean",), {"%": _same}),
    Variable("cloud_cover_mean_pct", ("cloud_cover_mean", "cloudcover_mean"), {"%": _same}),
    Variable("surface_pressure_mean_hpa", ("surface_pressure_mean",), {"hPa": _same}),
    Variable("weather_code", ("weather_code", "weathercode"), {"wmo code": _same},
             integer=True),
)
BY_SPELLING = {header_key(name): var for var in VARIABLES for name in var.names}
TIME = "time"
PREAMBLE = HeaderSpec({"latitude": (), "longitude": (), "elevation": (),
                       "utc_offset_seconds": (), "timezone": (), "timezone_abbreviation": (),
                       "location_id": ()}, required=("latitude", "longitude"))
NOT_A_VALUE = {"", "nan", "null", "none"}
# one row per location and day (the city follows from the location)
KEY = ("location", "local_date")
_UNIT = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


@dataclass(frozen=True)
class _Where:
    """The export's location, read once for the whole file."""

    city: str
    location: str
    station_code: str | None
    location_basis: str
    latitude: float | None
    longitude: float | None
    elevation_m: float | None
    timezone: str | None


@dataclass(frozen=True)
class _Column:
    position: int
    published: str
    variable: Variable
    convert: Callable[[float], float]


def parse_weather_export(data: bytes, file_name: str) -> ParseResult:
    text = decode_text(data, file_name)
    preamble, table = _split(text, file_name)
    header, records = read_csv_records(table, delimiter=_delimiter(table))
    where = _where(preamble, file_name)
    columns, time_at, ignored = _columns(header, file_name)
    quarantine, rows, no_data = Quarantine(), [], 0
    for i, record in enumerate(records, start=1):
        raw = dict(zip(header, record, strict=False))
        row, problem = _read_row(record, header, columns, time_at, where, file_name, i)
        if problem:
            quarantine.add(i, problem[0], problem[1], raw, problem[2])
        elif row is None:
            no_data += 1
        else:
            rows.append({"source_row": i, **row, "_raw": raw})
    frame = settle_duplicates(pd.DataFrame(rows), list(KEY), quarantine, raw="_raw") \
        if rows else pd.DataFrame()
    published = {"local_date": header[time_at],
                 **{column: cols[0].published for column, cols in columns.items()}}
    for entry in quarantine.rows:  # name the published column, not the staging one
        entry["column_name"] = published.get(entry["column_name"], entry["column_name"])
    staged = frame.drop(columns="_raw").reset_index(drop=True) if len(frame) else frame
    result = ParseResult(staged, len(records), no_data, quarantine.frame(),
                         _notes(where, columns, ignored, staged))
    result.reconcile()
    return result


# --------------------------------------------------------------------------- the layout


def _split(text: str, file_name: str) -> tuple[list[str] | None, str]:
    """(preamble lines or None, the table's text)."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise ParseError(file_name, "empty file")
    cells, _ = read_csv_records(lines[first] + "\n")
    if PREAMBLE.missing(cells) or any(header_key(c) == TIME for c in cells):
        return None, "\n".join(lines[first:]) + "\n"
    block = []
    for line in lines[first:]:
        if not line.strip():
            break
        block.append(line)
    rest = lines[first + len(block):]
    table_at = next((i for i, line in enumerate(rest) if line.strip()), None)
    if table_at is None:
        raise ParseError(file_name, "a location preamble but no table after it")
    return block, "\n".join(rest[table_at:]) + "\n"


def _delimiter(table: str) -> str:
    first = table.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _where(preamble: list[str] | None, file_name: str) -> _Where:
    try:
        station = station_in_name(file_name)
    except StationNameError as err:
        raise ParseError(file_name, str(err)) from None
    if preamble is None:
        if station is None:
            raise ParseError(file_name, "no location preamble (no coordinates) and no station "
                             "(DKI1–DKI5) in the file name: where these values were taken "
                             "cannot be told")
        return _Where(station.city, station.code, station.code, "file name", None, None,
                      None, None)
    header, values = read_csv_records("\n".join(preamble) + "\n")
    if len(values) != 1 or "location_id" in PREAMBLE.names(header, file_name, row=1):
        raise ParseError(file_name, f"the preamble lists {len(values)} locations: a "
                         "multi-location export is not read by this parser", row=1)
    at = PREAMBLE.positions(header, file_name, row=1)
    cell = {c: values[0][i].strip() if i < len(values[0]) else "" for c, i in at.items()}
    lat, lon = (_float(cell[c], c, file_name) for c in ("latitude", "longitude"))
    elevation = _float(cell["elevation"], "elevation", file_name) \
        if cell.get("elevation") else None
    city = city_at(lat, lon)
    if city is None:
        raise ParseError(file_name, f"preamble coordinates ({lat}, {lon}) are not within "
                         f"{GRID_TOLERANCE_DEG}° of Jakarta or Berlin", row=2,
                         column="latitude")
    timezone = cell.get("timezone") or None
    if timezone != city.timezone:
        raise ParseError(file_name, f"preamble timezone {timezone!r} is not {city.name}'s "
                         f"{city.timezone!r}, so the dates are not local dates", row=2,
                         column="timezone")
    if station is not None and station.city != city.name:
        raise ParseError(file_name, f"the file name names {station.code} ({station.city}), "
                         f"the preamble's coordinates are in {city.name}")
    location = station.code if station else f"grid {lat:.4f},{lon:.4f}"
    return _Where(city.name, location, station.code if station else None,
                  "preamble coordinates", lat, lon, elevation, timezone)


def _float(text: str, column: str, file_name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ParseError(file_name, f"preamble {column} {text!r} is not a number", row=2,
                         column=column)
    return value


def _columns(header: list[str], file_name: str
             ) -> tuple[dict[str, list[_Column]], int, list[str]]:
    """Staging column -> its published column(s), the position of ``time``, ignored names."""
    if "location_id" in (header_key(h) for h in header):
        raise ParseError(file_name, "a location_id column: a multi-location export is not "
                         "read by this parser", row=1, column="location_id")
    times = [i for i, h in enumerate(header) if header_key(_UNIT.sub(r"\1", h)) == TIME]
    if len(times) != 1:
        raise ParseError(file_name, f"expected one 'time' column, found {len(times)}; header "
                         f"as published: {header}", row=1)
    columns: dict[str, list[_Column]] = {}
    ignored = []
    for i, published in enumerate(header):
        if i == times[0]:
            continue
        found = _UNIT.match(published)
        name, unit = (found[1], found[2].strip()) if found else (published, None)
        var = BY_SPELLING.get(header_key(name))
        if var is None:
            ignored.append(published)
            continue
        if unit is None or unit not in var.units:
            raise ParseError(file_name, f"unit {unit!r} of {name} is not one of "
                             f"{', '.join(var.units)}: not converted", row=1, column=published)
        columns.setdefault(var.column, []).append(_Column(i, published, var, var.units[unit]))
    if not columns:
        raise ParseError(file_name, f"none of the daily variables "
                         f"{', '.join(v.names[0] for v in VARIABLES)}; header as published: "
                         f"{header}", row=1)
    return columns, times[0], ignored


# --------------------------------------------------------------------------- rows


def _read_row(record: list[str], header: list[str], columns: dict[str, list[_Column]],
              time_at: int, where: _Where, file_name: str, i: int
              ) -> tuple[dict | None, tuple[str, str, str] | None]:
    """(row, None) | (None, None) for no data | (None, (column, reason, kind))."""
    if len(record) != len(header):
        return None, (header[time_at], f"{len(record)} fields where the header has "
                      f"{len(header)} (a cut-off or joined line)", UNREADABLE)
    day = _date(record[time_at], file_name, i)
    if day is None:
        return None, (header[time_at], f"time {record[time_at]!r} is not a YYYY-MM-DD date",
                      UNREADABLE)
    row: dict = {"city": where.city, "location": where.location,
                 "station_code": where.station_code, "location_basis": where.location_basis,
                 "latitude": where.latitude, "longitude": where.longitude,
                 "elevation_m": where.elevation_m, "timezone": where.timezone,
                 "local_date": day}
    present = 0
    for var in VARIABLES:
        row[var.column] = None
        read = []
        for col in columns.get(var.column, ()):
            value, problem = _value(record[col.position], col)
            if problem:
                return None, (col.published, problem, UNREADABLE)
            read.append((col, value))
        values = {v for _, v in read}
        if len(values) > 1:  # two spellings of one variable that disagree
            shown = "; ".join(f"{c.published} = {record[c.position].strip()!r}" for c, _ in read)
            return None, (read[0][0].published, f"the two spellings of {var.names[0]} differ "
                          f"({shown}): which one holds is a guess", INCONSISTENT)
        if read and read[0][1] is not None:
            row[var.column] = read[0][1]
            present += 1
    return (row if present else None), None


def _date(text: str, file_name: str, i: int) -> dt.date | None:
    text = text.strip()
    if "T" in text and i == 1:
        raise ParseError(file_name, f"time {text!r} is an hour: an hourly table, not the "
                         "daily one", row=i, column=TIME)
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _value(text: str, col: _Column) -> tuple[float | int | None, str | None]:
    text = text.strip()
    if text.lower() in NOT_A_VALUE:
        return None, None
    try:
        value = float(text)
    except ValueError:
        return None, f"{col.published} {text!r} is not a number"
    if not math.isfinite(value):
        return None, f"{col.published} {text!r} is not a number"
    if col.variable.integer:
        if value != int(value):
            return None, f"{col.published} {text!r} is not an integer code"
        return int(value), None
    return col.convert(value), None


def _notes(where: _Where, columns: dict[str, list[_Column]], ignored: list[str],
           staged: pd.DataFrame) -> dict:
    dates = list(staged["local_date"]) if len(staged) else []
    return {
        "city": where.city, "location": where.location,
        "location_basis": where.location_basis, "timezone": where.timezone,
        "both_spellings": sorted(" / ".join(c.published for c in cols)
                                 for cols in columns.values() if len(cols) > 1),
        "converted_units": sorted(c.published for cols in columns.values() for c in cols
                                  if c.convert is not _same),
        "variables_not_in_file": [v.names[0] for v in VARIABLES if v.column not in columns],
        "ignored_columns": ignored,
        "date_range": [min(dates).isoformat(), max(dates).isoformat()] if dates else None,
    }
