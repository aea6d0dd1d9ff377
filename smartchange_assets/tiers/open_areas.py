"""``open.area_shapes``: the areas of both cities with their shapes, for the open tier.

One row per area of ``core.dim_area`` with its shape from ``core.dim_area_geometry``: key,
city, level, name, parent and district keys, area in m² and the geometry as GeoJSON (EPSG:4326).
Published as CSV, Parquet and a GeoJSON FeatureCollection (publish/datasets.py). The bare
native code is left out: the key carries it after its code system (``berlin:LOR2021:01100101``),
and an 8-digit LOR code alone reads like a phone number to the personal-data scan, which masks
whole area keys only (tiers/scan.py).
"""

from __future__ import annotations

from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.dim_area_geometry import KEY as GEOMETRY_KEY
from smartchange_assets.core.dim_area_geometry import TABLE as GEOMETRY
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.tables import Column, TableSpec
from smartchange_assets.tiers.roles import OPEN_SCHEMA
from smartchange_assets.tiers.table import TierTable

GEOMETRY_COLUMN = "geometry"

_FROM_DIM_AREA = ("area_key", "city", "level", "native_level", "code_system", "code_version",
                  "name", "parent_key", "district_key")
_FROM_GEOMETRY = ("area_m2", "derivation", "published_crs", "source")


def _column(table: TableSpec, name: str) -> Column:
    return next(c for c in table.columns if c.name == name)


TABLE = TableSpec(OPEN_SCHEMA, "area_shapes", (
    *[_column(DIM_AREA, c) for c in _FROM_DIM_AREA],
    *[_column(GEOMETRY, c) for c in _FROM_GEOMETRY],
    Column(GEOMETRY_COLUMN, "text", "the area's shape, a GeoJSON geometry (Polygon or "
           "MultiPolygon) in EPSG:4326 (lon/lat), coordinates to 7 decimals", nullable=False),
), ("area_key",), "Areas of Jakarta and Berlin with their shapes (GeoJSON, EPSG:4326)")

_SELECT = (
    "SELECT " + ", ".join(f"a.{c}" for c in _FROM_DIM_AREA) + ", "
    + ", ".join(f"g.{c}" for c in _FROM_GEOMETRY)
    + f", g.geometry_geojson AS {GEOMETRY_COLUMN} FROM {DIM_AREA.qualified} AS a "
    f"INNER JOIN {GEOMETRY.qualified} AS g ON g.area_key = a.area_key"
)

AREA_SHAPES = TierTable(
    table=TABLE, select_sql=_SELECT, deps=(DIM_AREA_KEY, GEOMETRY_KEY),
    description="Open copy of the areas of `core.dim_area` with their shapes from "
                "`core.dim_area_geometry` (GeoJSON, EPSG:4326).",
    expectations=(q.unique("area_key"), q.not_null(GEOMETRY_COLUMN), q.not_null("area_m2")))
