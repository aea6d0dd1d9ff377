"""A published vector payload read into features: attributes by name, geometries, CRS.

One reader for every form a boundary publisher uses (GDAL through pyogrio, from the bytes in
memory, nothing written to disk):

* a **zipped shapefile** (``.shp`` with ``.shx`` and ``.dbf``; ``.prj`` and ``.cpg`` when
  published): exactly one shapefile per zip, at its root or in a folder. Member names are
  matched case-insensitively (the Senate's old LOR files are ``.SHX``/``.DBF``). Without
  ``.cpg`` the DBF text is read as ``encoding_without_cpg`` (the German publisher layers are
  cp1252). Without ``.prj`` the CRS is
  taken from the member's name when it states one (``…_EPSG_25833.shp``), else the payload
  cannot be read;
* **GeoJSON** (RFC 7946: lon/lat, EPSG:4326 unless a legacy ``crs`` member names another).

Coordinates come as stored, x = easting or longitude (GDAL's traditional GIS order).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import numpy as np
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from smartchange_assets.platform.parsing import ParseError

ZIP_MAGIC = b"PK\x03\x04"
_CRS_IN_NAME = re.compile(r"EPSG[_:\-]?(\d{4,5})", re.IGNORECASE)


@dataclass(frozen=True)
class Layer:
    """The features of one payload, in file order."""

    file_name: str
    layer: str                          # layer name (the shapefile's or the file's stem)
    crs: str                            # 'EPSG:25833', or the CRS as pyproj spells it
    columns: dict[str, np.ndarray]      # attribute name as published -> values
    geometries: np.ndarray              # shapely geometries (None where a feature has none)
    crs_basis: str                      # where the CRS came from (.prj, file name, GeoJSON)

    def __len__(self) -> int:
        return len(self.geometries)

    @property
    def fields(self) -> list[str]:
        return list(self.columns)


def crs_label(crs: CRS) -> str:
    """'EPSG:<code>' when the CRS has one (CRS84 counts as EPSG:4326: same datum, both read
    lon/lat here), else its pyproj string."""
    if crs.to_string() in ("OGC:CRS84", "urn:ogc:def:crs:OGC:1.3:CRS84"):
        return "EPSG:4326"
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_string()


def read_layer(data: bytes, file_name: str, *, encoding_without_cpg: str = "cp1252") -> Layer:
    """The features of ``data`` (a zipped shapefile or a GeoJSON file); ParseError when the
    payload is no readable vector layer or its CRS is unknown."""
    if data[:4] == ZIP_MAGIC:
        return _read_zipped_shapefile(data, file_name, encoding_without_cpg)
    return _read(data, file_name, PurePosixPath(file_name).stem, None, "GeoJSON (RFC 7946)",
                 default_crs="EPSG:4326")


def _read_zipped_shapefile(data: bytes, file_name: str, encoding: str) -> Layer:
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile as exc:
        raise ParseError(file_name, f"not a readable zip: {exc}") from None
    by_suffix: dict[str, list[str]] = {}
    for name in members:
        by_suffix.setdefault(PurePosixPath(name).suffix.lower(), []).append(name)
    shapefiles = by_suffix.get(".shp", [])
    if len(shapefiles) != 1:
        raise ParseError(file_name, f"a zip must hold exactly one shapefile, found "
                         f"{len(shapefiles)} .shp member(s): {shapefiles}")
    shp = PurePosixPath(shapefiles[0])
    companions = {PurePosixPath(m).suffix.lower() for m in members
                  if PurePosixPath(m).stem == shp.stem}
    missing = [s for s in (".shx", ".dbf") if s not in companions]
    if missing:
        raise ParseError(file_name, f"shapefile {shp.name} lacks {missing} in the zip")
    crs_basis = ".prj"
    default_crs = None
    if ".prj" not in companions:
        stated = _CRS_IN_NAME.search(shp.name)
        if not stated:
            raise ParseError(file_name, f"shapefile {shp.name} has no .prj and its name states "
                             "no CRS (…_EPSG_<code>)")
        default_crs, crs_basis = f"EPSG:{stated.group(1)}", f"the member name {shp.name}"
    dbf_encoding = None if ".cpg" in companions else encoding
    if dbf_encoding:
        crs_basis += f"; DBF text read as {dbf_encoding} (no .cpg)"
    if str(shp.parent) != ".":  # GDAL looks for shapefiles at the zip's root only
        data = _flattened(data, [m for m in members if PurePosixPath(m).stem == shp.stem])
    return _read(data, file_name, shp.stem, dbf_encoding, crs_basis, default_crs)


def _flattened(data: bytes, names: list[str]) -> bytes:
    """The shapefile's members, unchanged, in a zip of their own at its root (in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as flat:
        for name in names:
            flat.writestr(PurePosixPath(name).name, source.read(name))
    return buffer.getvalue()


def _read(data: bytes, file_name: str, layer: str, encoding: str | None, crs_basis: str,
          default_crs: str | None) -> Layer:
    try:
        meta, _fids, wkb, values = pyogrio.raw.read(io.BytesIO(data), encoding=encoding)
    except Exception as exc:  # pyogrio's DataSourceError, DataLayerError, …: not a layer
        raise ParseError(file_name, f"not a readable vector layer: "
                         f"{type(exc).__name__}: {exc}") from None
    crs_text = meta.get("crs") or default_crs
    if crs_text is None:
        raise ParseError(file_name, "the layer states no CRS")
    try:
        crs = CRS.from_user_input(crs_text)
    except CRSError as exc:
        raise ParseError(file_name, f"unknown CRS {crs_text!r}: {exc}") from None
    geometries = np.array([_geometry(g, file_name, i) for i, g in enumerate(wkb, start=1)],
                          dtype=object)
    columns = {str(name): np.asarray(v) for name, v in zip(meta["fields"], values, strict=True)}
    return Layer(file_name, layer, crs_label(crs), columns, geometries, crs_basis)


def _geometry(wkb: bytes | None, file_name: str, feature: int):
    """One feature's geometry; a shape GEOS cannot build (an unclosed ring, cut bytes) is a
    ParseError naming the feature, never a stack trace from the library."""
    if wkb is None:
        return None
    try:
        return shapely.from_wkb(wkb)
    except shapely.errors.GEOSException as exc:
        raise ParseError(file_name, f"feature {feature}: unreadable geometry: {exc}",
                         row=feature, column="geometry") from None
