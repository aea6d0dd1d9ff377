"""DWD daily climate values (KL), one station's ``produkt_klima_tag_*.txt`` -> ParseResult.

The file (docs/sources/berlin-dwd-climate.md §2) is ``;``-separated and fixed-width padded, one
row per station and day, ending in an ``eor`` (end of record) column::

    STATIONS_ID;MESS_DATUM;QN_3;  FX;  FM;QN_4; RSK;RSKF; SDK;SHK_TAG;  NM; VPM;  PM; TMK; …;eor
            433;19480101;-999;-999;-999;    5;   5.7;   8;-999;   4;   5.0; …;eor

**Source row** = one data line (1-based, the header not counted).

Rules

* Columns by name (:data:`HEADER`): the padded names are compared without their spaces, in
  any order; the long German names of the older layout (``LUFTTEMPERATUR_MAXIMUM``,
  ``NIEDERSCHLAGSHOEHE``, one ``QUALITAETS_NIVEAU`` for every parameter) are accepted too.
  Station, date, TXK, TNK, TMK, RSK and the quality level are required; an absent optional
  parameter stays NULL and is listed in the notes.
* ``-999`` is the publisher's missing value: NULL, never a number. A row in which every
  parameter is ``-999`` is the publisher's own no-data row (counted, not staged).
* The quality levels ``QN_3`` (of FX, FM) and ``QN_4`` (of the others) are kept as published
  (DWD codes 1–10); ``-999`` there is NULL too (Dahlem has no wind measurements, so no QN_3).
* The station comes from ``STATIONS_ID`` (five digits, as DWD names its files). It must be a
  Berlin station this source knows (:mod:`.stations`) and, when the file carries DWD's name
  ``produkt_klima_tag_<from>_<to>_<station>.txt``, the station and period of the name:
  anything else is quarantined as ``inconsistent``.
* A row whose last field is not ``eor``, or with another number of fields than the header,
  was cut off or joined: ``unreadable``. A value that is not a number is ``unreadable`` and
  names its column; an unreadable station or date stops the line (key columns).
* The same station and day twice follow the platform's duplicate rule
  (:func:`~smartchange_assets.platform.duplicates.settle_duplicates`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

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
)

from .stations import STATIONS

MISSING = -999.0  # DWD's missing-value marker in every column
END_OF_RECORD = "eor"


@dataclass(frozen=True)
class Parameter:
    column: str  # staging column
    name: str  # DWD's current name
    old_names: tuple[str, ...] = ()  # the older layout's names
    integer: bool = False


PARAMETERS = (
    Parameter("wind_gust_max_ms", "FX", ("WINDSPITZE_MAXIMUM",)),
    Parameter("wind_speed_mean_ms", "FM", ("WINDGESCHWINDIGKEIT",)),
    Parameter("precipitation_mm", "RSK", ("NIEDERSCHLAGSHOEHE",)),
    Parameter("precipitation_form", "RSKF", ("NIEDERSCHLAGSHOEHE_IND",), integer=True),
    Parameter("sunshine_h", "SDK", ("SONNENSCHEINDAUER",)),
    Parameter("snow_depth_cm", "SHK_TAG", ("SCHNEEHOEHE",)),
    Parameter("cloud_cover_okta", "NM", ("BEDECKUNGSGRAD",)),
    Parameter("vapour_pressure_hpa", "VPM", ("DAMPFDRUCK",)),
    Parameter("pressure_hpa", "PM", ("LUFTDRUCK_STATIONSHOEHE",)),
    Parameter("temperature_mean_c", "TMK", ("LUFTTEMPERATUR",)),
    Parameter("humidity_pct", "UPM", ("REL_FEUCHTE",)),
    Parameter("temperature_max_c", "TXK", ("LUFTTEMPERATUR_MAXIMUM",)),
    Parameter("temperature_min_c", "TNK", ("LUFTTEMPERATUR_MINIMUM",)),
    Parameter("temperature_ground_min_c", "TGK", ("LUFTTEMP_AM_ERDB_MINIMUM",)),
)
QUALITY = (
    Parameter("quality_wind", "QN_3", integer=True),
    # the older layout has one quality level for every parameter
    Parameter("quality", "QN_4", ("QUALITAETS_NIVEAU",), integer=True),
)
WIND = ("wind_gust_max_ms", "wind_speed_mean_ms")  # the parameters QN_3 rates

HEADER = HeaderSpec({
    "station_id": ("STATIONS_ID",),
    "local_date": ("MESS_DATUM",),
    END_OF_RECORD: (),
    **{p.column: (p.name, *p.old_names) for p in (*PARAMETERS, *QUALITY)},
}, required=("station_id", "local_date", "quality", "temperature_max_c", "temperature_min_c",
             "temperature_mean_c", "precipitation_mm"))
# the staging key without payload_sha256: one row per station and day
KEY = ("station_id", "local_date")
# produkt_klima_tag_<first day>_<last day>_<station>.txt, as DWD names the file in its zip
FILE_NAME = re.compile(r"produkt_klima_tag_(\d{8})_(\d{8})_(\d{5})\.txt$", re.IGNORECASE)


class _RowError(Exception):
    def __init__(self, column: str, reason: str, kind: str = UNREADABLE):
        super().__init__(reason)
        self.column, self.reason, self.kind = column, reason, kind


def parse_dwd_climate(data: bytes, file_name: str) -> ParseResult:
    header, records = read_csv_records(decode_text(data, file_name), delimiter=";")
    if not header:
        raise ParseError(file_name, "empty file: no header line")
    at = HEADER.positions(header, file_name, row=1)
    published = {c: header[i].strip() for c, i in at.items()}
    named = _name_parts(file_name)
    quarantine, rows, no_data = Quarantine(), [], 0
    for i, record in enumerate(records, start=1):
        cells = [cell.strip() for cell in record]
        raw = dict(zip((h.strip() for h in header), cells, strict=False))
        try:
            row = _read_row(cells, len(header), at, published, named)
        except _RowError as err:
            quarantine.add(i, err.column, err.reason, raw, err.kind)
            continue
        if row is None:
            no_data += 1
            continue
        rows.append({"source_row": i, **row, "_raw": raw})
    columns = ["source_row", *KEY, *(p.column for p in (*QUALITY, *PARAMETERS)), "_raw"]
    frame = settle_duplicates(pd.DataFrame(rows, columns=columns), KEY, quarantine, raw="_raw")
    # the quarantine names the published columns
    for entry in quarantine.rows:
        entry["column_name"] = published.get(entry["column_name"], entry["column_name"])
    result = ParseResult(frame.drop(columns="_raw").reset_index(drop=True), len(records),
                         no_data, quarantine.frame(), _notes(at, published, named, frame))
    result.reconcile()
    return result


def _name_parts(file_name: str) -> tuple[dt.date, dt.date, str] | None:
    """(first day, last day, station id) from DWD's own file name, or None for another name."""
    found = FILE_NAME.search(file_name)
    if not found:
        return None
    first, last = (dt.datetime.strptime(found[g], "%Y%m%d").date() for g in (1, 2))
    return first, last, found[3]


def _read_row(cells: list[str], width: int, at: dict[str, int], published: dict[str, str],
              named: tuple[dt.date, dt.date, str] | None) -> dict | None:
    """The staged row; None for the publisher's no-data row; raises _RowError."""
    if len(cells) != width:
        raise _RowError(published.get(END_OF_RECORD, "eor"), f"{len(cells)} fields where the "
                        f"header has {width} (a cut-off or joined line)")
    if END_OF_RECORD in at and cells[at[END_OF_RECORD]].lower() != END_OF_RECORD:
        raise _RowError(published[END_OF_RECORD], f"last field {cells[at[END_OF_RECORD]]!r} "
                        "is not the end-of-record marker 'eor' (a cut-off line)")
    station = _station(cells[at["station_id"]], published["station_id"])
    day = _date(cells[at["local_date"]], published["local_date"])
    if station not in STATIONS:
        raise _RowError(published["station_id"], f"station {station} is not one of the Berlin "
                        f"stations this source knows ({', '.join(STATIONS)})", INCONSISTENT)
    if named is not None:
        first, last, named_station = named
        if station != named_station:
            raise _RowError(published["station_id"], f"station {station} in a file named "
                            f"for station {named_station}", INCONSISTENT)
        if not first <= day <= last:
            raise _RowError(published["local_date"], f"{day} lies outside the file name's "
                            f"period {first}..{last}", INCONSISTENT)
    row: dict = {"station_id": station, "local_date": day}
    for p in (*QUALITY, *PARAMETERS):
        row[p.column] = (_number(cells[at[p.column]], published[p.column], p.integer)
                         if p.column in at else None)
    if "quality_wind" not in at and published["quality"].upper() == "QUALITAETS_NIVEAU":
        row["quality_wind"] = row["quality"]  # one level rated every parameter
    if all(row[p.column] is None for p in PARAMETERS):
        return None
    return row


def _station(text: str, column: str) -> str:
    if not text.isdigit() or len(text) > 5:
        raise _RowError(column, f"station id {text!r} is not a DWD station number")
    return text.zfill(5)


def _date(text: str, column: str) -> dt.date:
    try:
        if len(text) != 8:
            raise ValueError
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise _RowError(column, f"date {text!r} is not YYYYMMDD") from None


def _number(text: str, column: str, integer: bool) -> float | int | None:
    try:
        value = float(text)
    except ValueError:
        raise _RowError(column, f"{column} {text!r} is not a number") from None
    if value == MISSING:
        return None
    if not math.isfinite(value):
        raise _RowError(column, f"{column} {text[:40]!r} is not a finite number")
    if integer:
        if value != int(value):
            raise _RowError(column, f"{column} {text!r} is not an integer code")
        return int(value)
    return value


def _notes(at: dict[str, int], published: dict[str, str],
           named: tuple[dt.date, dt.date, str] | None, staged: pd.DataFrame) -> dict:
    old = sorted(name for column, name in published.items()
                 if column not in ("station_id", "local_date", END_OF_RECORD)
                 and name.upper() != _current_name(column))
    missing_share = {p.column: round(float(staged[p.column].isna().mean()), 4)
                     for p in PARAMETERS if p.column in at and len(staged)}
    return {
        "stations": sorted(set(staged["station_id"])) if len(staged) else [],
        "file_name_period": [named[0].isoformat(), named[1].isoformat()] if named else None,
        "older_layout_names": old,
        "parameters_not_in_file": [p.name for p in (*QUALITY, *PARAMETERS)
                                   if p.column not in at],
        "share_missing_-999": {k: v for k, v in missing_share.items() if v},
    }


def _current_name(column: str) -> str:
    return next(p.name for p in (*QUALITY, *PARAMETERS) if p.column == column)
