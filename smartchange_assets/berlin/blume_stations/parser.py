"""BLUME station metadata: one payload's bytes -> ParseResult
(docs/sources/berlin-blume-stations.md).

Two forms, told apart by content:

* ``api_json`` – the reply of ``GET /api/stations`` (live): a JSON array of station objects
  with ``name`` ("010 Wedding"), ``code`` ("mc010"), ``codeEu`` ("DEBE010"), ``address``,
  ``lat``/``lng`` (**strings**), ``active``, ``stationgroups`` (background | suburb | traffic),
  ``measuringStart`` ("1984-11-01T00:00:00+01:00"), ``measuringEnd`` and more (components,
  lqis, …, ignored). The field list is from a third-party R glimpse
  (docs/sources/berlin-blume-stations.md §1); no reply was ever recorded, so the shape of
  ``stationgroups`` (a string, a list of strings or a list of objects with ``code``/``name``)
  is read defensively.
* ``csv`` – a station table as CSV: the seed's ``blume_stations_derivative.csv`` (a
  DERIVATIVE of a ``/api/stations`` reply, written by a third-party project: ``station_id,
  station_name,lat,lon,active,components``; docs/sources/berlin-blume-stations.md §1), or a
  list whose columns are the staging columns (the list this project once compiled, with ``#``
  comment lines). Columns the table does not stage (``components``, ``evidence``) are ignored.

**Source row** = one station (array item or CSV data line), numbered from 1.

Rules: the local code is lower-cased (``MC221`` -> ``mc221``, ``MP501`` -> ``mp501``) and must
look like ``mcNNN`` (measuring container), ``mwNNN`` (measuring van, mw088) or ``mpNNN`` (the
list's street sites without components, passive samplers per the mirror's notes); the EU code
is not derived from it (mc042 is DEBE034). A name given as "NNN Name" loses its number,
which must be the code's. Coordinates must lie in Berlin. ``bezirk`` is only taken when the
payload gives one: the API has no such field and no geometry or postcode table is at hand, so
it stays null (it is a column so that a later join on LOR geometries can fill it). Timestamps
need a UTC offset (a bare date is read as Europe/Berlin midnight). Duplicate codes: an exact
repeat is reported as duplicate, different records for one code are inconsistent and all
quarantined.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime

import pandas as pd

from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
    read_csv_records,
    sniff_delimiter,
)

TZ = "Europe/Berlin"
KEY = ["station_code"]

# staging column -> its other spellings in a payload (the API's own, the derivative CSV's, the
# staging names): the same fields whether they arrive as CSV header or JSON keys
FIELDS = HeaderSpec({
    "station_code": ("code", "station_id"),
    "code_eu": ("codeEu",),
    "name": ("station_name",),
    "station_type": ("stationgroups",),
    "lat": (),
    "lon": ("lng",),
    "address": (),
    "bezirk": (),
    "measuring_start": ("measuringStart",),
    "measuring_end": ("measuringEnd",),
    "active": (),
}, required=("station_code",))
STATION_TYPES = ("background", "suburb", "traffic")
# Berlin's bounding box with a margin: a station outside it is not a Berlin station.
LAT_RANGE, LON_RANGE = (52.3, 52.7), (13.05, 13.8)

_CODE = re.compile(r"^m[cwp]\d{3}$")
_CODE_EU = re.compile(r"^DE[A-Z]{2}\d{3}$")
_NUMBERED_NAME = re.compile(r"^(\d{3})\s+(\S.*)$")


class _RowError(Exception):
    def __init__(self, column: str, reason: str, kind: str = UNREADABLE):
        super().__init__(reason)
        self.column, self.reason, self.kind = column, reason, kind


# --------------------------------------------------------------------------- entry point


def parse_blume_stations(data: bytes, file_name: str) -> ParseResult:
    """Parse a /api/stations reply or a station CSV into one row per station."""
    text = _utf8(data, file_name)
    if text.lstrip()[:1] in ("[", "{"):
        form, (keys, records) = "api_json", _json_records(text, file_name)
    else:
        form, (keys, records) = "csv", _csv_records(text, file_name)
    # staging column -> the field as this payload names it (an empty API reply names none; a
    # CSV always has a header)
    names = FIELDS.names(keys, file_name) if records or form == "csv" else {}
    quarantine, rows, groups = Quarantine(), [], set()
    for source_row, record in enumerate(records, start=1):
        try:
            if not isinstance(record, dict):
                raise _RowError(None, f"station {source_row} is a {type(record).__name__}, "
                                      "not an object")
            row = _station(_Fields(record, names), groups)
        except _RowError as err:
            quarantine.add(source_row, err.column, err.reason, record, err.kind)
            continue
        rows.append({"source_row": source_row, **row, "_raw": record})
    candidates = pd.DataFrame(rows, columns=["source_row", *(c for c in FIELDS.aliases), "_raw"])
    staged = settle_duplicates(candidates, KEY, quarantine, raw="_raw").drop(columns="_raw")
    notes = {"form": form, "stations": staged["station_code"].tolist(),
             "station_groups_seen": sorted(groups)}
    result = ParseResult(staged.reset_index(drop=True), len(records), 0, quarantine.frame(),
                         notes)
    result.reconcile()
    return result


# --------------------------------------------------------------------------- reading


def _utf8(data: bytes, file_name: str) -> str:
    """Both forms are UTF-8 (JSON by RFC 8259, the CSVs as written), BOM tolerated."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ParseError(file_name, f"not UTF-8 text ({err.reason} at byte "
                         f"{err.start})") from None


def _json_records(text: str, file_name: str) -> tuple[list[str], list]:
    """The keys the array's objects use (in order of first appearance) and the items."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ParseError(file_name, f"not valid JSON (truncated?) at line {err.lineno} "
                         f"column {err.colno}: {err.msg}") from None
    if not isinstance(doc, list):
        keys = sorted(doc)[:10] if isinstance(doc, dict) else type(doc).__name__
        raise ParseError(file_name, f"expected the JSON array of /api/stations, got "
                         f"{keys}")
    keys = dict.fromkeys(k for item in doc if isinstance(item, dict) for k in item)
    return list(keys), doc


def _csv_records(text: str, file_name: str) -> tuple[list[str], list[dict]]:
    # '#' lines document where a compiled list comes from; they are not records
    body = "".join(line for line in text.splitlines(keepends=True)
                   if not line.lstrip().startswith("#"))
    first = body.lstrip().split("\n", 1)[0]
    header, rows = read_csv_records(body.lstrip(), sniff_delimiter(first, ",;\t"))
    records = []
    for row in rows:
        record = {h: (cell if cell.strip() else None) for h, cell in zip(header, row)}
        if len(row) != len(header):
            record["_fields"] = len(row)  # makes the row fail below, raw kept as read
        records.append(record)
    return header, records


class _Fields:
    """A record's values by staging column, with the field name as the payload spells it."""

    def __init__(self, record: dict, names: dict[str, str]):
        self.record, self.names = record, names

    def __call__(self, column: str) -> tuple[str, object]:
        """(name as in the payload, value); a field the payload lacks is None."""
        name = self.names.get(column, column)
        return name, self.record.get(name)


def _station(field: _Fields, groups: set[str]) -> dict:
    record = field.record
    if "_fields" in record:
        raise _RowError(None, f"line has {record['_fields']} fields, the header "
                              f"{len(record) - 1}")
    code = _code(*field("station_code"))
    lat, lon = (_coordinate(*field(c), limits)
                for c, limits in (("lat", LAT_RANGE), ("lon", LON_RANGE)))
    return {
        "station_code": code,
        "code_eu": _code_eu(*field("code_eu")),
        "name": _name(*field("name"), code),
        "station_type": _station_type(*field("station_type"), groups),
        "lat": lat, "lon": lon,
        "address": _text(*field("address")),
        "bezirk": _text(*field("bezirk")),
        "measuring_start": _timestamp(*field("measuring_start")),
        "measuring_end": _timestamp(*field("measuring_end")),
        "active": _active(*field("active")),
    }


# --------------------------------------------------------------------------- fields


def _code(column: str, value: object) -> str:
    code = value.strip().lower() if isinstance(value, str) else None
    if code is None or not _CODE.match(code):
        raise _RowError(column, f"station code {value!r} is not like 'mc010' (or mw088, "
                                "mp501)")
    return code


def _code_eu(column: str, value: object) -> str | None:
    if value is None:
        return None
    code = value.strip().upper() if isinstance(value, str) else None
    if code is None or not _CODE_EU.match(code):
        raise _RowError(column, f"EU station code {value!r} is not like 'DEBE010'")
    return code


def _name(column: str, value: object, code: str) -> str | None:
    name = _text(column, value)
    if name is None:
        return None
    numbered = _NUMBERED_NAME.match(name)
    if numbered is None:
        return name
    if numbered.group(1) != code[2:]:
        raise _RowError(column, f"name {value!r} carries number {numbered.group(1)}, the code "
                                f"is {code}", INCONSISTENT)
    return numbered.group(2)


def _station_type(column: str, value: object, groups: set[str]) -> str | None:
    labels = _group_labels(column, value)
    groups.update(labels)
    types = sorted({label for label in labels if label in STATION_TYPES})
    if len(types) > 1:
        raise _RowError(column, f"station groups {labels} name several types {types}",
                        INCONSISTENT)
    # other groups (if the API has any) do not say the type: left null, listed in the notes
    return types[0] if types else None


def _group_labels(column: str, value: object) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    labels = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("code", item.get("name"))
        if not isinstance(item, str):
            raise _RowError(column, f"station group {item!r} is not a text label")
        labels.append(item.strip().lower())
    return labels


def _coordinate(column: str, value: object, limits: tuple[float, float]) -> float | None:
    if value is None:
        return None
    number = None
    if isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            number = None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    if number is None or not math.isfinite(number):
        raise _RowError(column, f"{column} {value!r} is not a number")
    if not limits[0] <= number <= limits[1]:
        raise _RowError(column, f"{column} {number} is outside Berlin ({limits[0]}..{limits[1]})",
                        INCONSISTENT)
    return number


def _text(column: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _RowError(column, f"{column} {value!r} is not text")
    text = " ".join(value.split())
    return text or None


def _timestamp(column: str, value: object) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        stamp = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        stamp = None
    if stamp is None:
        raise _RowError(column, f"{column} {value!r} is not an ISO 8601 date or time")
    if stamp.tzinfo is None:
        if len(value.strip()) != 10:  # a time without offset cannot be placed
            raise _RowError(column, f"{column} {value!r} has a time but no UTC offset")
        return pd.Timestamp(stamp).tz_localize(TZ).tz_convert("UTC")
    return pd.Timestamp(stamp).tz_convert("UTC")


_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def _active(column: str, value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise _RowError(column, f"active {value!r} is not true or false")
