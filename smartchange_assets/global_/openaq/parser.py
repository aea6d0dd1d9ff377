"""OpenAQ API v3 replies: one payload's bytes -> ParseResult of measurement rows
(docs/sources/global-openaq.md).

Every v3 reply is ``{"meta": {..., "page", "limit", "found"}, "results": [...]}`` (a collector
may have dropped ``meta``). Three kinds of ``results`` are read, told apart by their items:

* **measurements** – ``/v3/sensors/{id}/measurements`` (raw), ``/hours``, ``/days``: items with
  ``value``, ``parameter{name, units}``, ``period{label, datetimeFrom{utc}, datetimeTo{utc}}``
  and ``coverage{percentComplete}``. **Source row** = one item. These are staged.
* **locations** (``/v3/locations``) and **sensors** (``/v3/locations/{id}/sensors``) – the
  catalogue the live connector uses to find sensors. They hold no measurements, so they add
  no source rows to this table; their ids are listed in the notes.

A measurement item carries no sensor or location id (verified in the real reply). The live
connector therefore names each landed page ``openaq_location<L>_sensor<S>_<endpoint>_….json``
and the ids are read from the file name: a measurements payload whose name has no
``sensor<ID>`` cannot be attributed and raises :class:`ParseError`; ``location<ID>`` is
optional (null without it).

Rules: ``value: null`` is the publisher's no-data. ``value_raw`` and ``units_raw`` are kept as
published; ``value_ugm3`` converts them (:mod:`units`: ppm at 25 °C and 1 atm for NO2, O3, SO2,
CO). A pollutant with a unit that is not understood, a negative concentration or an unreadable
period is quarantined naming the field. Key: sensor, period label and period start (UTC); a
repeated key follows the platform's one duplicate-key rule
(:func:`~smartchange_assets.platform.duplicates.settle_duplicates`): an exact repeat is staged
once, items that differ in any staged value are none of them staged.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime

import pandas as pd

from smartchange_assets.global_.openaq.units import POLLUTANTS, to_ugm3
from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
)

# the staging key within one payload (the sensor is the file's)
KEY = ["period_start_utc", "sensor_id", "period_label"]
# staging column -> the item's field, to name it in the quarantine
FIELD_OF = {"period_start_utc": "period.datetimeFrom.utc",
            "period_end_utc": "period.datetimeTo.utc", "period_label": "period.label",
            "parameter": "parameter.name", "units_raw": "parameter.units", "value_raw": "value",
            "value_ugm3": "value", "coverage_percent": "coverage.percentComplete"}

_SENSOR_IN_NAME = re.compile(r"sensors?[_-]?(\d+)", re.IGNORECASE)
_LOCATION_IN_NAME = re.compile(r"locations?[_-]?(\d+)", re.IGNORECASE)


class _RowError(Exception):
    def __init__(self, column: str, reason: str, kind: str = UNREADABLE):
        super().__init__(reason)
        self.column, self.reason, self.kind = column, reason, kind


# --------------------------------------------------------------------------- entry point


def parse_openaq(data: bytes, file_name: str) -> ParseResult:
    """Parse one OpenAQ v3 reply; measurement replies give rows, catalogue replies none."""
    results, meta = _load(data, file_name)
    kind = _kind(results, file_name)
    notes = {"kind": kind, "records": len(results), "meta_found": meta.get("found")}
    if kind != "measurements":
        notes["ids"] = [item.get("id") for item in results if isinstance(item, dict)]
        return ParseResult(pd.DataFrame(), 0, notes=notes)
    sensor_id, location_id = _ids_from_name(file_name)
    quarantine, rows, no_data = Quarantine(), [], 0
    for source_row, item in enumerate(results, start=1):
        try:
            row = _measurement(item)
        except _RowError as err:
            quarantine.add(source_row, err.column, f"item {source_row}: {err.reason}", item,
                           err.kind)
            continue
        if row is None:
            no_data += 1
            continue
        rows.append({"source_row": source_row, "location_id": location_id,
                     "sensor_id": sensor_id, **row, "_raw": item})
    staged = _settled(rows, quarantine)
    notes.update(sensor_id=sensor_id, location_id=location_id,
                 parameters=sorted(set(staged["parameter"])) if len(staged) else [],
                 period_labels=sorted(set(staged["period_label"])) if len(staged) else [])
    result = ParseResult(staged, len(results), no_data, quarantine.frame(), notes)
    result.reconcile()
    return result


# --------------------------------------------------------------------------- reading


def _utf8(data: bytes, file_name: str) -> str:
    """JSON is UTF-8 (RFC 8259), a leading BOM tolerated; anything else is not this payload."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ParseError(file_name, f"not UTF-8 text ({err.reason} at byte "
                         f"{err.start})") from None



def _load(data: bytes, file_name: str) -> tuple[list, dict]:
    text = _utf8(data, file_name)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ParseError(file_name, f"not valid JSON (truncated?) at line {err.lineno} "
                         f"column {err.colno}: {err.msg}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        keys = sorted(doc)[:10] if isinstance(doc, dict) else type(doc).__name__
        raise ParseError(file_name, f"not an OpenAQ v3 reply: no 'results' list ({keys})")
    meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
    return doc["results"], meta


def _kind(results: list, file_name: str) -> str:
    first = next((item for item in results if isinstance(item, dict)), None)
    if first is None:
        if results:
            raise ParseError(file_name, "'results' holds no objects")
        return "empty"
    if "period" in first and "value" in first:
        return "measurements"
    if "sensors" in first and "coordinates" in first:
        return "locations"
    if "id" in first and "parameter" in first:
        return "sensors"
    raise ParseError(file_name, f"results are neither measurements, locations nor "
                     f"sensors (first item has keys {sorted(first)[:10]})")


def _ids_from_name(file_name: str) -> tuple[int, int | None]:
    sensor = _SENSOR_IN_NAME.search(file_name)
    if sensor is None:
        raise ParseError(file_name, "a measurement reply does not name its sensor and "
                         "the file name carries no 'sensor<ID>': the rows cannot be attributed")
    location = _LOCATION_IN_NAME.search(file_name)
    return int(sensor.group(1)), (int(location.group(1)) if location else None)


def _measurement(item: object) -> dict | None:
    """One staged row's fields, None for the publisher's no-data; raises _RowError."""
    if not isinstance(item, dict):
        raise _RowError(None, f"item is a {type(item).__name__}, not an object")
    period = item.get("period") if isinstance(item.get("period"), dict) else {}
    start = _utc(period.get("datetimeFrom"), "period.datetimeFrom.utc")
    end = _utc(period.get("datetimeTo"), "period.datetimeTo.utc")
    label = period.get("label")
    if not isinstance(label, str) or not label.strip():
        raise _RowError("period.label", f"period label {label!r} is missing")
    if end <= start:
        raise _RowError("period.datetimeTo.utc", f"period ends ({end}) before it starts "
                        f"({start})", INCONSISTENT)
    parameter = item.get("parameter") if isinstance(item.get("parameter"), dict) else {}
    name, units = parameter.get("name"), parameter.get("units")
    if not isinstance(name, str) or not isinstance(units, str):
        raise _RowError("parameter", f"parameter {parameter!r} lacks a name or units")
    value = item.get("value")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _RowError("value", f"value {value!r} is not a number")
    name = name.strip().lower()
    if name in POLLUTANTS and value < 0:
        raise _RowError("value", f"negative {name} concentration {value}", INCONSISTENT)
    ugm3, problem = to_ugm3(name, units, float(value))
    if problem:
        raise _RowError("parameter.units", problem, INCONSISTENT)
    return {"parameter": name, "units_raw": units, "value_raw": float(value),
            "value_ugm3": ugm3, "period_start_utc": start, "period_end_utc": end,
            "period_label": label.strip(), "coverage_percent": _coverage(item.get("coverage"))}


def _utc(stamp: object, column: str) -> pd.Timestamp:
    raw = stamp.get("utc") if isinstance(stamp, dict) else None
    try:
        parsed = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise _RowError(column, f"{column} {raw!r} is not an ISO 8601 time with offset")
    return pd.Timestamp(parsed).tz_convert("UTC")


def _coverage(coverage: object) -> float | None:
    value = coverage.get("percentComplete") if isinstance(coverage, dict) else None
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else None


# --------------------------------------------------------------------------- duplicates


def _settled(rows: list[dict], quarantine: Quarantine) -> pd.DataFrame:
    """The staged items after the platform's one duplicate-key rule; the quarantine names the
    item's fields (``period.datetimeFrom.utc``, ``value`` …)."""
    if not rows:
        return pd.DataFrame()
    settled = Quarantine()
    frame = settle_duplicates(pd.DataFrame(rows), KEY, settled, raw="_raw")
    for entry in settled.rows:
        quarantine.add(entry["source_row"], FIELD_OF.get(entry["column_name"],
                                                         entry["column_name"]),
                       entry["reason"], entry["raw_record"], kind=entry["kind"])
    return frame.drop(columns="_raw").reset_index(drop=True)
