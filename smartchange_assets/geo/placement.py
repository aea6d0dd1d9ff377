"""Points placed in polygons (point in polygon with an STRtree), distances in metres.

:func:`place` takes points (lon/lat) and the polygons of one city's finest areas (GeoJSON in
EPSG:4326), moves both into the city's metric CRS (:data:`~.measure.METRIC_CRS`) and returns per
point the area it lies in. A point on the shared edge of two areas lies in both: the one with the
smallest key is taken and ``on_boundary`` says so. A point in no area gets the nearest one and
its distance in metres, and is not placed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from smartchange_assets.geo import measure


@dataclass(frozen=True)
class Placement:
    area_key: list            # the area the point lies in (None: in none)
    on_boundary: list[bool]
    nearest_key: list         # nearest area when in none (None when placed or no point)
    distance_m: list          # 0 when placed; None without a point


def place(lon, lat, area_keys, area_geojson, metric_crs: str) -> Placement:
    """Place each (lon, lat) (NaN: no point) in the areas ``area_keys`` / ``area_geojson``."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    keys = np.asarray(area_keys, dtype=object)
    order = np.argsort(keys)  # the smallest key first among areas sharing an edge
    keys = keys[order]
    shapes = measure.reproject(measure.from_geojson(np.asarray(area_geojson,
                                                               dtype=object)[order]),
                               measure.WGS84, metric_crs)
    has_point = ~(np.isnan(lon) | np.isnan(lat))
    points = np.full(len(lon), None, dtype=object)
    if has_point.any():
        points[has_point] = measure.reproject(shapely.points(lon[has_point], lat[has_point]),
                                              measure.WGS84, metric_crs)
    tree = shapely.STRtree(shapes)
    hits: dict[int, list[int]] = {}
    where = np.flatnonzero(has_point)
    if len(where):
        found_points, found_areas = tree.query(points[where], predicate="intersects")
        for p, a in zip(found_points, found_areas):
            hits.setdefault(int(where[p]), []).append(int(a))
    area, boundary, nearest, distance = [], [], [], []
    for i in range(len(lon)):
        inside = sorted(hits.get(i, []))
        if inside:
            area.append(keys[inside[0]])
            boundary.append(len(inside) > 1)
            nearest.append(None)
            distance.append(0.0)
        elif has_point[i]:
            j = int(tree.nearest(points[i]))
            area.append(None)
            boundary.append(False)
            nearest.append(keys[j])
            distance.append(float(shapely.distance(points[i], shapes[j])))
        else:
            area.append(None)
            boundary.append(False)
            nearest.append(None)
            distance.append(None)
    return Placement(area, boundary, nearest, distance)
