"""What the boundary parsers share: each feature's geometry judged, measured and encoded.

A feature is staged with its geometry as published (WKT, in the layer's CRS), the CRS, its
area in m² (:mod:`.measure`: EPSG:6933, equal-area) and its vertex count. A feature is not an
area, and is quarantined with the reason, when its geometry is missing or empty, is not a
polygon, or is invalid (OGC validity as GEOS judges it: self-intersection, a ring that does not
close, …). Invalid shapes are never repaired silently: which repair the publisher meant is a
guess, and every later step (areas, point in polygon, overlays) would rest on it.
"""

from __future__ import annotations

import json

import numpy as np
import shapely

from smartchange_assets.geo import measure
from smartchange_assets.geo.vector import Layer
from smartchange_assets.platform.tables import Column

POLYGONAL = ("Polygon", "MultiPolygon")
# the staged columns every boundary table has (parsers add them to their rows)
GEOMETRY_COLUMNS = ("geometry_wkt", "crs", "area_m2", "vertices")


def polygon_columns() -> list[Column]:
    """The staging columns of :data:`GEOMETRY_COLUMNS`, declared once for every boundary
    source."""
    return [
        Column("geometry_wkt", "text", "the geometry as published (WKT, every coordinate as in "
               "the file), in the CRS of column crs", nullable=False),
        Column("crs", "text", "CRS of geometry_wkt as published (EPSG:25833 = ETRS89 / UTM "
               "33N, metres; EPSG:4326 = WGS 84 lon/lat)", nullable=False),
        Column("area_m2", "double precision", "area in m², computed in EPSG:6933 (WGS 84 / "
               "EASE-Grid 2.0, equal-area)", nullable=False),
        Column("vertices", "integer", "coordinates in the geometry", nullable=False),
    ]


def polygon_problem(geometry) -> str | None:
    """Why ``geometry`` is not a usable area (None: it is one)."""
    if geometry is None:
        return "the feature has no geometry"
    if shapely.is_empty(geometry):
        return "the geometry is empty"
    kind = shapely.get_type_id(geometry)
    name = geometry.geom_type
    if name not in POLYGONAL:
        return f"the geometry is a {name} (type {kind}), not a polygon"
    if not shapely.is_valid(geometry):
        return f"invalid geometry: {shapely.is_valid_reason(geometry)}"
    return None


def raw_record(layer: Layer, i: int) -> str:
    """The feature as published, for the quarantine: its attributes and a summary of its
    geometry (type, vertices, bounds in the layer's CRS), never all the coordinates."""
    attributes = {name: _plain(values[i]) for name, values in layer.columns.items()}
    geometry = layer.geometries[i]
    summary = None if geometry is None else {
        "type": geometry.geom_type, "vertices": int(shapely.get_num_coordinates(geometry)),
        "bounds": [round(float(b), 6) for b in geometry.bounds] if not geometry.is_empty
        else None}
    return json.dumps({"attributes": attributes, "geometry": summary, "crs": layer.crs},
                      ensure_ascii=False, default=str)


def geometry_values(layer: Layer, rows: list[int]) -> dict[str, np.ndarray]:
    """The staged geometry columns of the features at ``rows`` (positions in the layer)."""
    geometries = layer.geometries[rows] if rows else np.array([], dtype=object)
    return {"geometry_wkt": measure.to_wkt(geometries),
            "crs": np.full(len(rows), layer.crs, dtype=object),
            "area_m2": measure.equal_area_m2(geometries, layer.crs),
            "vertices": shapely.get_num_coordinates(geometries)}


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value
