"""Open-Meteo daily weather (forecast and archive API): one reply's bytes -> ParseResult.

The reply (docs/sources/global-weather.md §2) is an envelope per location::

    {"latitude": 52.52, "longitude": 13.419998, "utc_offset_seconds": 7200,
     "timezone": "Europe/Berlin", "timezone_abbreviation": "GMT+2", "elevation": 38.0,
     "daily_units": {"time": "iso8601", "temperature_2m_max": "°C", ...},
     "daily": {"time": ["2025-04-15", ...], "temperature_2m_max": [21.1, ...], ...}}

or, for several coordinates in one request, a JSON array of such envelopes (the later ones
carry ``location_id``). ``daily`` is column-oriented: each variable is an array aligned with
``daily.time``, the local calendar dates of the requested time zone.

**Source row** = one (location, day): position ``j`` of ``daily.time`` in location block ``i``.
``source_row`` numbers them 1-based through the whole reply, location after location.

Rules

* Variables are mapped by name through :class:`~smartchange_assets.platform.headers.HeaderSpec`,
  old and new spellings alike (the API renamed ``weathercode`` to ``weather_code`` and
  ``windspeed_10m_max`` to ``wind_speed_10m_max`` in 2023); both spellings in one reply are a
  ParseError (which one holds is a guess). A variable
  the request did not ask for is absent: its column stays null for that reply. Other variables
  (``sunrise``, ``precipitation_probability_max`` …) are ignored and listed in the notes.
* Units are read from ``daily_units`` and must be the ones the staging columns promise (°C,
  mm, km/h, WMO code). A unit this parser does not know quarantines every row of that
  location, naming the variable: it is never converted by guesswork.
* ``null`` values stay null, never zero. A day on which every variable the reply carries is
  null (the archive API's last days before ERA5 catches up) is the publisher's own no-data.
* The city is assigned from the reply's coordinates (:func:`cities.city_at`); a location that
  is neither Jakarta nor Berlin, or whose ``timezone`` is not the city's own (so its dates
  would not be local dates), is quarantined as inconsistent.
* Forecast or archive is not in the body: it is read from the file name (live payloads are
  named after the endpoint, ``forecast`` / ``archive``; seed files carry the word).
* The same location and day twice in one reply (a multi-location request that names one point
  twice) follows the platform's one duplicate-key rule
  (:func:`~smartchange_assets.platform.duplicates.settle_duplicates`): an exact repeat is staged
  once, different values for one day are none of them staged.
* A reply that is not such JSON, an error object ``{"error": true, "reason": …}``, arrays of
  different lengths, or a truncated body raise :class:`ParseError` naming the file.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field

import pandas as pd

from smartchange_assets.global_.weather.cities import GRID_TOLERANCE_DEG, City, city_at
from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec, header_key
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
)

APIS = ("forecast", "archive")


@dataclass(frozen=True)
class Variable:
    column: str  # staging column
    names: tuple[str, ...]  # spellings in the reply, current first
    units: frozenset[str]  # daily_units values that mean the staging column's unit


VARIABLES = (
    Variable("temperature_max_c", ("temperature_2m_max",), frozenset({"°C"})),
    Variable("temperature_min_c", ("temperature_2m_min",), frozenset({"°C"})),
    Variable("precipitation_mm", ("precipitation_sum",), frozenset({"mm"})),
    Variable("wind_speed_max_kmh", ("wind_speed_10m_max", "windspeed_10m_max"),
             frozenset({"km/h"})),
    Variable("weather_code", ("weather_code", "weathercode"), frozenset({"wmo code"})),
)
# staging column -> the spellings of its variable in ``daily`` (current first)
DAILY = HeaderSpec({var.column: var.names for var in VARIABLES})
TIME_UNIT = "iso8601"

# a location and day appear once per reply (the city follows from the coordinates)
KEY = ["local_date", "latitude", "longitude"]
# staging column -> the reply's field, to name it in the quarantine
FIELD_OF = {"local_date": "time", "elevation_m": "elevation",
            **{var.column: var.names[0] for var in VARIABLES}}


@dataclass
class _Location:
    """One envelope of the reply, checked as a whole before its days are read."""

    index: int
    location_id: object  # the API's own index, present from the second location on
    latitude: object
    longitude: object
    timezone: object
    elevation: float | None
    times: list
    values: dict[str, tuple[str, list]]  # staging column -> (name in the reply, values)
    city: City | None = None
    problem: tuple[str, str, str] | None = None  # (column, reason, kind) for every day


@dataclass
class _Notes:
    renamed: set[str] = field(default_factory=set)
    ignored: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    tz_abbreviations: set[str] = field(default_factory=set)


# --------------------------------------------------------------------------- entry point


def parse_open_meteo(data: bytes, file_name: str) -> ParseResult:
    """Parse one Open-Meteo daily reply (single location or multi-location array)."""
    api = api_of(file_name)
    envelopes = _load(data, file_name)
    notes, quarantine = _Notes(), Quarantine()
    rows: list[dict] = []
    no_data = source_rows = 0
    for index, envelope in enumerate(envelopes):
        loc = _read_location(envelope, index, file_name, notes)
        for j, time in enumerate(loc.times):
            source_rows += 1
            raw = _raw(loc, j)
            if loc.problem:
                column, reason, kind = loc.problem
                quarantine.add(source_rows, column, reason, raw, kind)
                continue
            row, problem = _read_day(loc, j, time)
            if problem:
                quarantine.add(source_rows, problem[0], problem[1], raw)
            elif row is None:
                no_data += 1
            else:
                rows.append({"source_row": source_rows, **row, "api": api, "_raw": raw})
    staged = _settled(rows, quarantine)
    result = ParseResult(staged, source_rows, no_data, quarantine.frame(),
                         _summary(api, len(envelopes), notes, staged))
    result.reconcile()
    return result


def api_of(file_name: str) -> str:
    """``forecast`` or ``archive``, from the payload's file name (the body does not say)."""
    name = file_name.lower()
    found = [api for api in APIS if api in name]
    if len(found) != 1:
        raise ParseError(file_name, "cannot tell the forecast API from the archive API: "
                         "the file name must contain exactly one of 'forecast' or 'archive'")
    return found[0]


# --------------------------------------------------------------------------- reading


def _utf8(data: bytes, file_name: str) -> str:
    """JSON is UTF-8 (RFC 8259), a leading BOM tolerated; anything else is not this payload."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ParseError(file_name, f"not UTF-8 text ({err.reason} at byte "
                         f"{err.start})") from None



def _load(data: bytes, file_name: str) -> list:
    text = _utf8(data, file_name)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        # a cut-off download ends mid-array: say where the reader stopped
        raise ParseError(file_name, f"not valid JSON (truncated?) at line {err.lineno} "
                         f"column {err.colno}: {err.msg}") from None
    if isinstance(doc, dict) and doc.get("error") is True:
        raise ParseError(file_name, f"Open-Meteo error reply: {doc.get('reason')!r}")
    envelopes = [doc] if isinstance(doc, dict) else doc
    if not isinstance(envelopes, list) or not envelopes:
        raise ParseError(file_name, "expected an Open-Meteo reply object or a non-empty "
                         f"array of them, got {type(doc).__name__} {str(doc)[:60]!r}")
    return envelopes


def _read_location(envelope: object, index: int, file_name: str, notes: _Notes) -> _Location:
    where = f"location {index + 1}"
    if not isinstance(envelope, dict):
        raise ParseError(file_name, f"{where} is a {type(envelope).__name__}, "
                         "not an object")
    daily, units = envelope.get("daily"), envelope.get("daily_units")
    if not isinstance(daily, dict) or not isinstance(daily.get("time"), list):
        raise ParseError(file_name, f"{where} has no 'daily' block with a 'time' list "
                         "(not a daily reply)", column="daily")
    units = units if isinstance(units, dict) else {}
    times = daily["time"]
    values = _variables(daily, len(times), where, file_name, notes)
    if isinstance(envelope.get("timezone_abbreviation"), str):
        notes.tz_abbreviations.add(envelope["timezone_abbreviation"])
    loc = _Location(index, envelope.get("location_id"), envelope.get("latitude"),
                    envelope.get("longitude"), envelope.get("timezone"), None, times, values)
    loc.problem = _location_problem(loc, envelope, units, where)
    return loc


def _variables(daily: dict, n_days: int, where: str, file_name: str,
               notes: _Notes) -> dict[str, tuple[str, list]]:
    try:
        published = DAILY.names(list(daily), file_name)
    except ParseError as err:  # both spellings of one variable: which one holds is a guess
        raise ParseError(file_name, f"{where}: {err.message}", column=err.column) from None
    found: dict[str, tuple[str, list]] = {}
    for var in VARIABLES:
        if var.column not in published:
            notes.missing.add(var.column)
            continue
        name = published[var.column]
        series = daily[name]
        if not isinstance(series, list) or len(series) != n_days:
            size = len(series) if isinstance(series, list) else type(series).__name__
            # misaligned columns cannot be matched to dates: the whole reply is unreadable
            raise ParseError(file_name, f"{where}: daily.{name} has {size} values, "
                             f"daily.time has {n_days}", column=name)
        if header_key(name) != header_key(var.names[0]):
            notes.renamed.add(f"{name}->{var.names[0]}")
        found[var.column] = (name, series)
    notes.ignored.update(k for k in daily if k != "time" and DAILY.canonical(k) is None)
    if not found:
        raise ParseError(file_name, f"{where} has none of the daily variables "
                         f"{', '.join(v.names[0] for v in VARIABLES)}", column="daily")
    return found


def _location_problem(loc: _Location, envelope: dict, units: dict,
                      where: str) -> tuple[str, str, str] | None:
    """Why every day of this location must be quarantined, or None."""
    for column in ("latitude", "longitude"):
        if not _is_number(envelope.get(column)):
            return column, f"{where}: {column} {envelope.get(column)!r} is not a number", \
                UNREADABLE
    elevation = envelope.get("elevation")
    if elevation is not None and not _is_number(elevation):
        return "elevation", f"{where}: elevation {elevation!r} is not a number", UNREADABLE
    loc.elevation = None if elevation is None else float(elevation)
    if units.get("time") != TIME_UNIT:
        return "time", (f"{where}: daily time unit {units.get('time')!r} is not {TIME_UNIT!r} "
                        "(dates as YYYY-MM-DD)"), UNREADABLE
    for var in VARIABLES:
        if var.column not in loc.values:
            continue
        name = loc.values[var.column][0]
        unit = units.get(name)
        if unit not in var.units:
            return name, (f"{where}: unit {unit!r} of {name} is not "
                          f"{' or '.join(sorted(var.units))}; not converted"), UNREADABLE
    loc.city = city_at(float(loc.latitude), float(loc.longitude))
    if loc.city is None:
        return "latitude", (f"{where}: coordinates ({loc.latitude}, {loc.longitude}) are not "
                            f"within {GRID_TOLERANCE_DEG}° of Jakarta or Berlin"), INCONSISTENT
    if loc.timezone != loc.city.timezone:
        return "timezone", (f"{where}: timezone {loc.timezone!r} is not {loc.city.name}'s "
                            f"{loc.city.timezone!r}, so the dates are not local dates"), \
            INCONSISTENT
    return None


def _read_day(loc: _Location, j: int, time: object) -> tuple[dict | None, tuple | None]:
    """(row, None) | (None, None) for the publisher's no-data | (None, (column, reason))."""
    day = _iso_date(time)
    if day is None:
        return None, ("time", f"location {loc.index + 1}: daily.time {time!r} is not a "
                              "YYYY-MM-DD date")
    row: dict = {"city": loc.city.name, "latitude": float(loc.latitude),
                 "longitude": float(loc.longitude), "timezone": loc.timezone,
                 "local_date": day, "elevation_m": loc.elevation}
    present = 0
    for var in VARIABLES:
        row[var.column] = None
        if var.column not in loc.values:
            continue
        name, series = loc.values[var.column]
        value = series[j]
        if value is None:
            continue
        if not _is_number(value):
            return None, (name, f"{name} {value!r} on {time} is not a number")
        if var.column == "weather_code":
            if float(value) != int(value):
                return None, (name, f"{name} {value!r} on {time} is not an integer WMO code")
            value = int(value)
        row[var.column] = value
        present += 1
    return (row if present else None), None


def _iso_date(value: object) -> dt.date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _is_number(value: object) -> bool:
    # bool is an int in Python, but true/false is not a measurement
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def _raw(loc: _Location, j: int) -> dict:
    raw = {"location": loc.index + 1, "location_id": loc.location_id,
           "latitude": loc.latitude, "longitude": loc.longitude, "timezone": loc.timezone,
           "time": loc.times[j]}
    raw.update({name: series[j] for name, series in loc.values.values()})
    return raw


# --------------------------------------------------------------------------- duplicates


def _settled(rows: list[dict], quarantine: Quarantine) -> pd.DataFrame:
    """The staged days after the platform's one duplicate-key rule; the quarantine names the
    reply's fields (``time``, ``temperature_2m_max`` …)."""
    if not rows:
        return pd.DataFrame()
    settled = Quarantine()
    frame = settle_duplicates(pd.DataFrame(rows), KEY, settled, raw="_raw")
    for entry in settled.rows:
        quarantine.add(entry["source_row"], FIELD_OF.get(entry["column_name"],
                                                         entry["column_name"]),
                       entry["reason"], entry["raw_record"], kind=entry["kind"])
    return frame.drop(columns="_raw").sort_values("source_row").reset_index(drop=True)


def _summary(api: str, n_locations: int, notes: _Notes, staged: pd.DataFrame) -> dict:
    dates = list(staged["local_date"]) if len(staged) else []
    return {
        "api": api,
        "locations": n_locations,
        "renamed_variables": sorted(notes.renamed),
        "variables_not_in_reply": sorted(notes.missing),
        "ignored_variables": sorted(notes.ignored),
        "timezone_abbreviations": sorted(notes.tz_abbreviations),
        "date_range": [min(dates).isoformat(), max(dates).isoformat()] if dates else None,
    }
