"""Reprojection, areas and the text forms geometries are kept in.

* **Areas** of every shape of both cities are computed in one equal-area CRS,
  :data:`EQUAL_AREA_CRS` = EPSG:6933 (WGS 84 / NSIDC EASE-Grid 2.0 Global, a Lambert
  cylindrical equal-area projection on the WGS 84 ellipsoid), so that square metres mean the same
  in Jakarta and Berlin. For the LOR 2021 Planungsräume it gives 891.1198 km² in total, as do
  ETRS89-LAEA (EPSG:3035) and the ellipsoidal area (pyproj.Geod) to within 0.00003 km²; the
  plane of the published UTM 33N coordinates (EPSG:25833) gives 890.67 km² (scale factor).
* **Staging** keeps each geometry in the CRS it was published in, as WKT with full precision
  (:func:`to_wkt`: shortest round-trip decimal of every coordinate), next to its CRS.
* **The core** keeps GeoJSON in EPSG:4326 (lon/lat), coordinates rounded to 7 decimals
  (about 1 cm; :func:`to_geojson`).
"""

from __future__ import annotations

import json

import numpy as np
import shapely
import shapely.geometry
from pyproj import Transformer

WGS84 = "EPSG:4326"
EQUAL_AREA_CRS = "EPSG:6933"
GEOJSON_DECIMALS = 7
# metric CRSs for distances: UTM zones of the two cities (ETRS89 / UTM 33N; WGS 84 / UTM 48S)
METRIC_CRS = {"berlin": "EPSG:25833", "jakarta": "EPSG:32748"}


def reproject(geometries, source: str, target: str) -> np.ndarray:
    """``geometries`` (an array or list of shapely geometries, None allowed) from ``source``
    to ``target``; coordinates x = easting/longitude in both."""
    geometries = np.asarray(geometries, dtype=object)
    if source == target:
        return geometries
    transformer = Transformer.from_crs(source, target, always_xy=True)

    def move(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometries, move)


def equal_area_m2(geometries, crs: str) -> np.ndarray:
    """Area of each geometry in m², computed in :data:`EQUAL_AREA_CRS`."""
    return shapely.area(reproject(geometries, crs, EQUAL_AREA_CRS))


def to_wkt(geometries) -> np.ndarray:
    """WKT with every coordinate as published (no rounding)."""
    return shapely.to_wkt(np.asarray(geometries, dtype=object), rounding_precision=-1,
                          trim=True)


def from_wkt(texts) -> np.ndarray:
    return shapely.from_wkt(np.asarray(texts, dtype=object))


def to_geojson(geometries, decimals: int = GEOJSON_DECIMALS) -> np.ndarray:
    """GeoJSON geometry objects as text, coordinates rounded to ``decimals`` and written in
    their shortest form (Python's float repr: ``-6.16391``; GEOS's writer would print
    ``-6.1639099999999996``, a digit run the personal-data scan reads as a NIK)."""
    rounded = shapely.transform(np.asarray(geometries, dtype=object),
                                lambda xy: np.round(xy, decimals))
    return np.array([json.dumps(shapely.geometry.mapping(g), separators=(",", ":"))
                     for g in rounded], dtype=object)


def from_geojson(texts) -> np.ndarray:
    return shapely.from_geojson(np.asarray(texts, dtype=object))


def dissolve(geometries, crs: str, gap_m2: float) -> object:
    """The union of ``geometries`` (in ``crs``), with every hole smaller than ``gap_m2``
    (equal-area) filled: such holes are gaps between the published polygons, not areas."""
    union = shapely.union_all(np.asarray(geometries, dtype=object))
    parts = []
    for part in shapely.get_parts(union):
        holes = [shapely.get_interior_ring(part, i)
                 for i in range(shapely.get_num_interior_rings(part))]
        kept = [h for h, a in zip(holes, equal_area_m2([shapely.Polygon(h) for h in holes], crs))
                if a >= gap_m2] if holes else []
        parts.append(shapely.Polygon(shapely.get_exterior_ring(part), kept))
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
