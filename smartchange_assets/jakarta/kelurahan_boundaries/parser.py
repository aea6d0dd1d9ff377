"""Jakarta kelurahan boundaries with Dukcapil residents (Batas Desa): one payload -> ParseResult.

The layer (docs/sources/jakarta-kelurahan-boundaries.md): a zipped shapefile, EPSG:4326, one
polygon per kelurahan with its 10-digit Kemendagri code (``KODE_DESA`` = ``3173031006`` =
31.73.03.1006 Keagungan), names, and Dukcapil population attributes (residents ``JUMLAH_PEN``,
households ``JUMLAH_KK``, men ``PRIA``, women ``WANITA``, published area ``LUAS_WILAY`` in km²,
and ``GENERATED``, the date the attributes were generated, "30 Juni 2019"). Fields are found by
name (:class:`~smartchange_assets.platform.headers.HeaderSpec`), the geometry by
:mod:`smartchange_assets.geo.vector`.

**Source row** = the feature's position in the layer, from 1. Every feature is staged or
quarantined:

* ``inconsistent`` – a feature that is no kelurahan (a code that is not 10 digits and no kota
  or kecamatan: the layer's two lake polygons ``31888888`` DANAU SUNTER), a code outside DKI
  Jakarta (province 31), men + women ≠ residents, a missing, non-polygonal or invalid
  geometry, one code twice with other values (none staged);
* ``unreadable``   – a code that is not 10 digits on a feature that names its kota, a count
  that is not a whole number ≥ 0, a ``GENERATED`` date that cannot be read.

Codes are written the Kemendagri way with dots (``31.73.03.1006``); the published form is kept
in ``kode_desa``. Whether a code exists in the Kemendagri 2025 list is judged in the core
(``core.dim_area_geometry`` and ``core.fact_population`` reference ``core.dim_area``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import numpy as np
import pandas as pd

from smartchange_assets.geo.features import geometry_values, polygon_problem, raw_record
from smartchange_assets.geo.vector import read_layer
from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.names import is_missing, tidy
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
)

KEY = ["code"]
LEVEL = "kelurahan"
PROVINCE = "31"
FIELDS = HeaderSpec({
    "code": ("KODE_DESA", "kode_kelurahan", "kd_kel"),
    "name": ("DESA", "nama_kelurahan"),
    "kecamatan": ("KECAMATAN", "nama_kecamatan"),
    "kota": ("KAB_KOTA", "kabupaten_kota", "nama_kabupaten_kota"),
    "province": ("PROVINSI", "nama_provinsi"),
    "residents": ("JUMLAH_PEN", "jumlah_penduduk"),
    "households": ("JUMLAH_KK",),
    "male": ("PRIA", "LAKI_LAKI"),
    "female": ("WANITA", "PEREMPUAN"),
    "area_km2": ("LUAS_WILAY", "luas_wilayah"),
    "generated": ("GENERATED",),
}, required=("code", "name", "kecamatan", "kota", "residents"))

_MONTHS = {"januari": 1, "februari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
           "agustus": 8, "september": 9, "oktober": 10, "november": 11, "desember": 12}
_DATE = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})")
_COUNTS = ("residents", "households", "male", "female")


class _Rejected(Exception):
    def __init__(self, column: str, reason: str, kind: str):
        super().__init__(reason)
        self.column, self.reason, self.kind = column, reason, kind


def parse_kelurahan_boundaries(data: bytes, file_name: str) -> ParseResult:
    layer = read_layer(data, file_name)
    published = FIELDS.names(layer.fields, file_name)
    quarantine = Quarantine()
    rows, kept = [], []
    counters: Counter = Counter()
    for i in range(len(layer)):
        values = {c: layer.columns[p][i] for c, p in published.items()}
        try:
            row = _feature(values, published, layer.geometries[i], i + 1)
        except _Rejected as rejected:
            quarantine.add(i + 1, rejected.column, rejected.reason, raw_record(layer, i),
                           kind=rejected.kind)
            continue
        row["layer"] = layer.layer
        rows.append(row)
        kept.append(i)
        counters["residents"] += row["residents"]
    frame = pd.DataFrame(rows, columns=_ROW_COLUMNS)
    for column, values in geometry_values(layer, kept).items():
        frame[column] = values
    raw = pd.Series([raw_record(layer, i) for i in kept], index=frame.index, dtype=object)
    staged = settle_duplicates(frame, KEY, quarantine, raw=raw)
    dates = sorted({str(d) for d in staged["residents_reference_date"].dropna()})
    notes = {"layer": layer.layer, "crs": layer.crs, "crs_basis": layer.crs_basis,
             "features": len(layer), "column_map": published,
             "residents_staged": int(staged["residents"].sum()),
             "residents_reference_dates": dates}
    return ParseResult(staged=staged.reset_index(drop=True), source_rows=len(layer),
                       quarantine=quarantine.frame(), notes=notes)


_ROW_COLUMNS = ["source_row", "code", "kode_desa", "level", "name", "name_raw", "kecamatan_name",
                "kota_name", "province_name", "layer", "area_published_km2", "residents",
                "male", "female", "households", "residents_reference_date"]


def _feature(values: dict, published: dict, geometry, source_row: int) -> dict:
    kode = "" if is_missing(values["code"]) else str(values["code"]).strip()
    if not re.fullmatch(r"\d{10}", kode):
        if is_missing(values["kota"]) and is_missing(values["kecamatan"]):
            raise _Rejected(published["code"], f"not a kelurahan: code {kode!r} is not 10 "
                            f"digits and the feature ({tidy(values['name'])!r}) names no kota "
                            "or kecamatan", INCONSISTENT)
        raise _Rejected(published["code"], f"code {kode!r} is not a 10-digit Kemendagri "
                        "kelurahan code", UNREADABLE)
    if kode[:2] != PROVINCE:
        raise _Rejected(published["code"], f"code {kode} lies outside DKI Jakarta "
                        f"(province {kode[:2]}, not {PROVINCE})", INCONSISTENT)
    if is_missing(values["name"]):
        raise _Rejected(published["name"], f"kelurahan {kode} has no name", UNREADABLE)
    counts = {c: _count(values.get(c), published.get(c)) for c in _COUNTS}
    if None not in (counts["male"], counts["female"], counts["residents"]) and \
            counts["male"] + counts["female"] != counts["residents"]:
        raise _Rejected(published["male"], f"men {counts['male']} + women {counts['female']} "
                        f"!= residents {counts['residents']}", INCONSISTENT)
    if counts["residents"] is None:
        raise _Rejected(published["residents"], "no residents count", UNREADABLE)
    problem = polygon_problem(geometry)
    if problem is not None:
        raise _Rejected("geometry", problem, INCONSISTENT)
    return {"source_row": source_row, "code": f"{kode[:2]}.{kode[2:4]}.{kode[4:6]}.{kode[6:]}",
            "kode_desa": kode, "level": LEVEL, "name": tidy(values["name"]),
            "name_raw": str(values["name"]),
            "kecamatan_name": tidy(values["kecamatan"]), "kota_name": tidy(values["kota"]),
            "province_name": tidy(values.get("province")) or None,
            "area_published_km2": _number(values.get("area_km2")), **counts,
            "residents_reference_date": _generated(values.get("generated"),
                                                   published.get("generated"))}


def _number(value) -> float | None:
    if is_missing(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _count(value, column: str | None) -> int | None:
    if column is None or is_missing(value):
        return None
    number = _number(value)
    if number is None or number < 0 or not float(number).is_integer() or not np.isfinite(number):
        raise _Rejected(column, f"{value!r} is not a whole number ≥ 0", UNREADABLE)
    return int(number)


def _generated(value, column: str | None) -> dt.date | None:
    """'30 Juni 2019' (Indonesian month names) or an ISO date."""
    if column is None or is_missing(value):
        return None
    text = str(value).strip()
    match = _DATE.fullmatch(text)
    try:
        if match and match.group(2).lower() in _MONTHS:
            return dt.date(int(match.group(3)), _MONTHS[match.group(2).lower()],
                           int(match.group(1)))
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _Rejected(column, f"date {text!r} cannot be read", UNREADABLE) from None


__all__ = ["KEY", "ParseError", "parse_kelurahan_boundaries"]
