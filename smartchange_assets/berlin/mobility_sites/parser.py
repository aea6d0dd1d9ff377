"""Parser for the mobility site metadata: one staged record per metadata record.

Four published layouts, told apart by content (docs/sources/berlin-mobility-sites.md §2):

* ``location-info.csv`` (bike counter Standortdaten): ``station-id,direction,lat,long,installed``
  → ``bike_station`` records;
* ``bzm_ecocounter_segments.geojson``: one Point per Eco-Counter site with its official counter
  ids in ``properties.counter[]`` → ``ecocounter_site`` records (``related_ids`` = those ids);
* ``bzm_telraam_segments.geojson``: one MultiLineString per Telraam segment →
  ``telraam_segment`` records; the position is the segment's representative point: the point
  half-way along the road segment (shapely ``line_interpolate_point``), which lies on the road
  itself, as the centre of a curved segment's bounding box need not; its end points are
  junctions, often on an area boundary;
* ``Stammdaten_Verkehrsdetektion_*.xlsx`` (sheet of lane detectors): one row per detector →
  ``detector`` records, ``parent_site_id`` = the cross-section short name (``MQ_KURZNAME``).
  Dates may be date cells or bare Excel serials (``37670`` = 2003-02-18); ``DEINSTALLIERT`` is
  ``X`` or blank.

Personal data: a Telraam camera hangs in a volunteer's window, so the segment's
``osm.address.house_number`` with its road, and the cameras' ``user_id`` and ``mac``, point at a
private home and person. None of them is read, nor the camera instance ids (some equal the
volunteer's user id). Only the road name, the segment id, dates derived from the cameras and a
point on the road segment (its representative point) are staged.

A record is identified by its site id, its type and the other ids it names (:data:`RECORD_KEY`);
a repeated identity follows the platform's one duplicate-key rule
(:func:`~smartchange_assets.platform.duplicates.settle_duplicates`): an exact repeat is
quarantined as ``duplicate`` (the Stammdaten repeats some detector rows verbatim), different
records under one identity are none of them staged. The same detector under another
``DET_NAME_ALT`` is another identity and is staged: it is the hardware's old and new name, and
``mobility_sites`` folds the records of one site together.

:data:`COLUMNS` is the staging table's one declaration (``source.py`` builds the table from it);
the parser hands over records by those names and the engine types them.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pandas as pd
import shapely
import shapely.errors

from smartchange_assets.berlin.bike_counters.parser import SITE_ID_MAP, STATION_ID
from smartchange_assets.berlin.mobility.common import (
    BIKE_COUNTER,
    DETECTOR_DET,
    TELRAAM,
    payload_text,
    quarantine_rows,
    read_cells,
    to_float,
)
from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
)
from smartchange_assets.platform.tables import Column

RECORD_TYPES = ("bike_station", "ecocounter_site", "telraam_segment", "detector")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year bug included)

COLUMNS = [
    Column("source_row", "bigint", "record number in the payload (CSV/xlsx data row, GeoJSON "
           "feature)", nullable=False),
    Column("record_type", "text", "bike_station, ecocounter_site, telraam_segment or detector",
           nullable=False),
    Column("counter_kind", "text", "counter kind the record describes", nullable=False),
    Column("site_id", "text", "canonical site id", nullable=False),
    Column("site_id_raw", "text", "id as published", nullable=False),
    Column("name", "text", "site name (station, road, road and position)"),
    Column("direction", "text", "direction of travel as published"),
    Column("lane", "text", "detector lane code (HF_R = right lane of the main carriageway …)"),
    Column("lat", "double precision", "WGS84 latitude"),
    Column("lon", "double precision", "WGS84 longitude"),
    Column("installed", "date", "put into service"),
    Column("removed", "date", "taken out of service"),
    Column("deinstalled", "boolean", "publisher marks the site as removed"),
    Column("parent_site_id", "text", "detector: its cross-section (MQ short name)"),
    Column("related_ids", "text", "other published ids, comma-separated: the official counter "
           "ids of an Eco-Counter site; a detector's MQ_ID15 and old/new names"),
    Column("timezone", "text", "time zone named by the publisher (GeoJSON)"),
]
# what one published record is about: the site, its kind, and the other ids it names (a
# detector's old and new names make two records of one site)
RECORD_KEY = ["site_id", "record_type", "related_ids"]
LOCATION_INFO = HeaderSpec({c: () for c in ("station-id", "direction", "lat", "long",
                                             "installed")},
                           required=("station-id", "direction", "lat", "long", "installed"))


def parse_sites(data: bytes, file_name: str) -> ParseResult:
    if data[:4] == b"PK\x03\x04":
        records, source_rows, quarantine = _stammdaten(data, file_name)
    elif data.lstrip()[:1] == b"{":
        records, source_rows, quarantine = _geojson(data, file_name)
    else:
        records, source_rows, quarantine = _location_info(data, file_name)
    staged = _frame(records, quarantine)
    return ParseResult(staged=staged, source_rows=source_rows, quarantine=quarantine.frame(),
                       notes={"record_types": staged["record_type"].value_counts().to_dict()})


# --------------------------------------------------------------------------- bike stations


def _location_info(data: bytes, file_name: str) -> tuple[list[dict], int, Quarantine]:
    text = payload_text(data, file_name)
    cells, width_problem = read_cells(text, file_name, LOCATION_INFO)
    quarantine = Quarantine()
    ok = width_problem.isna()
    quarantine_rows(quarantine, cells, ~ok, None, width_problem, UNREADABLE)
    lat, bad_lat = to_float(cells["lat"])
    lon, bad_lon = to_float(cells["long"])
    installed = pd.to_datetime(cells["installed"], format="%Y-%m-%dT%H:%M", errors="coerce")
    for bad, column, what in (
            (~cells["station-id"].str.fullmatch(STATION_ID), "station-id", "is not a counter id"),
            (bad_lat | ~lat.between(-90, 90), "lat", "is not a latitude"),
            (bad_lon | ~lon.between(-180, 180), "long", "is not a longitude"),
            (installed.isna() & cells["installed"].ne(""), "installed",
             "is not YYYY-MM-DDTHH:MM")):
        quarantine_rows(quarantine, cells, ok & bad, column, what, UNREADABLE)
        ok &= ~bad
    records = [{
        "source_row": int(r["source_row"]), "_raw": r["_raw"], "record_type": "bike_station",
        "counter_kind": BIKE_COUNTER, "site_id": SITE_ID_MAP.get(r["station-id"], r["station-id"]),
        "site_id_raw": r["station-id"], "name": r["direction"] or None, "lat": la, "lon": lo,
        "installed": None if pd.isna(inst) else inst.date(),
    } for r, la, lo, inst in zip(cells[ok].to_dict("records"), lat[ok], lon[ok], installed[ok])]
    return records, len(cells), quarantine


# --------------------------------------------------------------------------- GeoJSON


def _geojson(data: bytes, file_name: str) -> tuple[list[dict], int, Quarantine]:
    try:
        doc = json.loads(payload_text(data, file_name))
    except json.JSONDecodeError as exc:
        raise ParseError(file_name, f"not valid JSON ({exc}); truncated?") from exc
    features = doc.get("features") if isinstance(doc, dict) else None
    if doc.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise ParseError(file_name, "not a GeoJSON FeatureCollection")
    quarantine = Quarantine()
    records = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            quarantine.add(number, "properties", "feature has no properties object",
                           _short(feature))
            continue
        raw_id = props.get("segment_id")
        if not isinstance(raw_id, int) or isinstance(raw_id, bool):
            quarantine.add(number, "segment_id", f"segment_id {raw_id!r} is not an integer id",
                           _short(_public(props)))
            continue
        if "counter" in props:
            record = _ecocounter(props, feature.get("geometry"))
        elif "cameras" in props or "osm" in props:
            record = _telraam(props, feature.get("geometry"))
        else:
            raise ParseError(file_name, "features are neither Eco-Counter sites "
                             "(properties.counter) nor Telraam segments (properties.cameras)",
                             row=number)
        if isinstance(record, str):  # a problem, not a record
            quarantine.add(number, "counter" if "counter" in props else "geometry", record,
                           _short(_public(props)), kind=UNREADABLE)
            continue
        records.append({"source_row": number, "_raw": _short(_public(props)),
                        "site_id_raw": str(raw_id),
                        "site_id": str(raw_id), "timezone": props.get("timezone"), **record})
    return records, len(features), quarantine


def _ecocounter(props: dict, geometry) -> dict | str:
    counters = props.get("counter")
    if not isinstance(counters, list) or not counters or not all(
            isinstance(c, dict) and isinstance(c.get("name"), str) for c in counters):
        return f"counter {counters!r} is not a list of official counters"
    eco = props.get("eco-counter") if isinstance(props.get("eco-counter"), dict) else {}
    lon, lat = _point(geometry)
    installed = [pd.to_datetime(c.get("installation"), errors="coerce") for c in counters]
    installed = [d.date() for d in installed if not pd.isna(d)]
    return {"record_type": "ecocounter_site", "counter_kind": BIKE_COUNTER,
            "name": eco.get("nom"), "lat": lat if lat is not None else eco.get("lat"),
            "lon": lon if lon is not None else eco.get("lon"),
            "installed": min(installed) if installed else None,
            "related_ids": ",".join(SITE_ID_MAP.get(c["name"], c["name"]) for c in counters)}


def _telraam(props: dict, geometry) -> dict | str:
    osm = props.get("osm") if isinstance(props.get("osm"), dict) else {}
    if not _flatten(geometry.get("coordinates") if isinstance(geometry, dict) else None):
        return "geometry has no coordinates"
    try:
        point = _half_way(shapely.from_geojson(json.dumps(geometry)))
    except (shapely.errors.ShapelyError, ValueError, TypeError) as exc:
        return f"geometry cannot be read: {exc}"
    cameras = [c for c in props.get("cameras") or [] if isinstance(c, dict)]
    added = [pd.to_datetime(c.get("time_added"), errors="coerce", utc=True) for c in cameras]
    ended = [pd.to_datetime(c.get("time_end"), errors="coerce", utc=True) for c in cameras]
    all_stopped = bool(cameras) and all(c.get("status") == "stopped" for c in cameras)
    return {"record_type": "telraam_segment", "counter_kind": TELRAAM,
            "name": osm.get("name") if isinstance(osm.get("name"), str) else None,
            "lat": point.y, "lon": point.x,
            "installed": _first_date(added, min), "deinstalled": all_stopped,
            "removed": _first_date(ended, max) if all_stopped else None}


def _half_way(shape) -> shapely.Point:
    """The point half-way along a (Multi)LineString; another shape's representative point."""
    if shape.geom_type in ("LineString", "MultiLineString"):
        return shapely.line_interpolate_point(shape, 0.5, normalized=True)
    return shape.representative_point()


def _point(geometry) -> tuple[float | None, float | None]:
    if isinstance(geometry, dict) and geometry.get("type") == "Point":
        coords = geometry.get("coordinates")
        if isinstance(coords, list) and len(coords) >= 2:
            return float(coords[0]), float(coords[1])
    return None, None


def _flatten(coords) -> list[list[float]]:
    """Every [lon, lat] pair of a (Multi)LineString / Polygon coordinate array."""
    if not isinstance(coords, list):
        return []
    if len(coords) >= 2 and all(isinstance(v, int | float) for v in coords[:2]):
        return [coords]
    return [pair for part in coords for pair in _flatten(part)]


def _first_date(stamps: list, pick) -> dt.date | None:
    valid = [s for s in stamps if not pd.isna(s)]
    return pick(valid).tz_convert("Europe/Berlin").date() if valid else None


def _public(props: dict) -> dict:
    """The feature's properties without what points at a volunteer (see module docstring): the
    OSM address block and the cameras (user id, MAC). Used for quarantine records."""
    out = {k: v for k, v in props.items() if k != "cameras"}
    if isinstance(out.get("osm"), dict):
        out["osm"] = {k: v for k, v in out["osm"].items() if k != "address"}
    return out


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 2000 else text[:2000] + "…"


# --------------------------------------------------------------------------- detector master


STAMMDATEN = ("MQ_KURZNAME", "DET_NAME_ALT", "DET_NAME_NEU", "DET_ID15", "MQ_ID15", "STRASSE",
              "POSITION", "POS_DETAIL", "RICHTUNG", "SPUR", "LÄNGE (WGS84)", "BREITE (WGS84)",
              "INBETRIEBNAHME", "ABBAUDATUM", "DEINSTALLIERT")
# the 2022-07-20 sheet's names; a re-save without umlauts spells LAENGE
STAMMDATEN_HEADER = HeaderSpec({c: (c.replace("Ä", "AE"),) if "Ä" in c else () for c in STAMMDATEN},
                               required=STAMMDATEN)


def _stammdaten(data: bytes, file_name: str) -> tuple[list[dict], int, Quarantine]:
    import openpyxl  # only this layout needs it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ParseError(file_name, f"not a readable xlsx workbook ({exc})") from exc
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    rows = [r for r in rows if any(v not in (None, "") for v in r)]
    if not rows:
        raise ParseError(file_name, "the first sheet is empty")
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    try:
        at = STAMMDATEN_HEADER.positions(header, file_name, row=1)
    except ParseError as err:
        raise ParseError(file_name, f"not the detector master data (sheet {sheet.title!r}): "
                         f"{err.message}", row=1) from None
    quarantine, records = Quarantine(), []
    for number, row in enumerate(rows[1:], start=1):
        row = (row + [None] * len(header))[:len(header)]
        raw = json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False, default=str)
        record, column, problem = _detector(row, at)
        if problem:
            quarantine.add(number, column, problem, raw, kind=UNREADABLE)
            continue
        records.append({"source_row": number, "_raw": raw, **record})
    return records, len(rows) - 1, quarantine


def _detector(row: list, at: dict[str, int]) -> tuple[dict, str | None, str | None]:
    def cell(name):
        value = row[at[name]]
        return value.strip() if isinstance(value, str) else value

    det_id, mq = cell("DET_ID15"), cell("MQ_KURZNAME")
    det_text = str(det_id).removesuffix(".0") if isinstance(det_id, int | float | str) else ""
    if not det_text.isdigit() or len(det_text) != 15:
        return {}, "DET_ID15", f"DET_ID15 {det_id!r} is not a 15-digit detector id"
    if not isinstance(mq, str) or not mq:
        return {}, "MQ_KURZNAME", f"MQ_KURZNAME {mq!r} is empty"
    lat, lon = cell("BREITE (WGS84)"), cell("LÄNGE (WGS84)")
    for name, value, low, high in (("BREITE (WGS84)", lat, -90, 90),
                                   ("LÄNGE (WGS84)", lon, -180, 180)):
        if value is not None and not (isinstance(value, int | float) and low <= value <= high):
            return {}, name, f"{name} {value!r} is not a coordinate"
    dates = {}
    for name in ("INBETRIEBNAHME", "ABBAUDATUM"):
        dates[name], problem = excel_date(cell(name))
        if problem:
            return {}, name, f"{name} {problem}"
    flag = cell("DEINSTALLIERT")
    if flag not in (None, "", "X", "x"):
        return {}, "DEINSTALLIERT", f"DEINSTALLIERT {flag!r} is neither X nor blank"
    detail = cell("POS_DETAIL")
    return {
        "record_type": "detector", "counter_kind": DETECTOR_DET, "site_id": det_text,
        "site_id_raw": det_text,
        "name": " – ".join(str(v) for v in (cell("STRASSE"), cell("POSITION")) if v),
        "direction": f"{cell('RICHTUNG')} ({detail})" if detail else cell("RICHTUNG"),
        "lane": cell("SPUR"), "lat": lat, "lon": lon,
        "installed": dates["INBETRIEBNAHME"], "removed": dates["ABBAUDATUM"],
        "deinstalled": flag in ("X", "x"), "parent_site_id": mq,
        "related_ids": ",".join(f"{k}={cell(k)}" for k in ("MQ_ID15", "DET_NAME_ALT",
                                                            "DET_NAME_NEU") if cell(k)),
    }, None, None


def excel_date(value) -> tuple[dt.date | None, str | None]:
    """A date cell, or a bare Excel serial (days since 1899-12-30), as a date."""
    if value is None or value == "":
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        return EXCEL_EPOCH + dt.timedelta(days=int(value)), None
    return None, f"{value!r} is neither a date nor an Excel date serial"


# --------------------------------------------------------------------------- frame


def _frame(records: list[dict], quarantine: Quarantine) -> pd.DataFrame:
    """The records by staging column (a layout's missing fields NULL), repeats settled."""
    frame = pd.DataFrame(records).reindex(columns=[*(c.name for c in COLUMNS), "_raw"])
    for col in ("record_type", "site_id"):  # never empty for a staged record
        bad = frame[col].isna()
        quarantine_rows(quarantine, frame, bad, col, "is missing", INCONSISTENT)
        frame = frame[~bad]
    frame = settle_duplicates(frame, RECORD_KEY, quarantine, raw="_raw")
    return frame.sort_values("source_row", kind="stable").reset_index(drop=True) \
        .drop(columns="_raw")
