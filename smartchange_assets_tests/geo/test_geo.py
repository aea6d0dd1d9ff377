"""The geometry helpers on shapes made up for the cases (a unit square, two touching squares, a
bow tie): reading forms, areas, point in polygon, overlay shares."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
import shapely
from pyproj import Geod

from smartchange_assets.geo import measure
from smartchange_assets.geo.features import polygon_problem
from smartchange_assets.geo.overlay import area_shares
from smartchange_assets.geo.placement import place
from smartchange_assets.geo.vector import read_layer
from smartchange_assets.platform.parsing import ParseError
from smartchange_assets.tiers.scan import pii_kinds

from ..seed_files import seed_bytes
from .shapefiles import members


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buffer.getvalue()


PLR_ZIP = "LOR_2023-01-01_PLR_EPSG_25833_nur_ID.zip"


def test_a_zipped_shapefile_is_read_whatever_its_member_names_and_crs_basis():
    parts = members(seed_bytes("berlin/lor_geometry", PLR_ZIP))
    layer = read_layer(_zip({f"x/LAYER.{s.upper()}": d for s, d in parts.items()}), "x.zip")
    assert (len(layer), layer.crs, layer.fields) == (542, "EPSG:25833", ["PLR_ID"])
    # no .prj: the CRS from the member's name, as the Senate's old layers need
    named = _zip({f"plr_EPSG_25833.{s}": d for s, d in parts.items() if s != "prj"})
    assert read_layer(named, "named.zip").crs == "EPSG:25833"


@pytest.mark.parametrize(("files", "message"), [
    ({"a.shp": b"", "a.shx": b"", "a.dbf": b"", "b.shp": b"", "b.shx": b"", "b.dbf": b""},
     "exactly one shapefile"),
    ({"a.shp": b"", "a.dbf": b""}, "lacks ['.shx']"),
    ({"a.shp": b"x", "a.shx": b"x", "a.dbf": b"x"}, "states no CRS"),
])
def test_a_zip_that_is_no_single_located_shapefile_is_refused(files, message):
    with pytest.raises(ParseError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_layer(_zip(files), "broken.zip")


def test_bytes_that_are_no_layer_are_refused():
    with pytest.raises(ParseError, match="not a readable vector layer"):
        read_layer(b"station;value\nmc010;12\n", "table.csv")


def test_areas_are_equal_area_square_metres_as_on_the_ellipsoid():
    # 0.01° squares at the equator, in Berlin and in Jakarta, against pyproj's ellipsoidal area
    squares = [shapely.box(13.0, 0.0, 13.01, 0.01), shapely.box(13.0, 52.5, 13.01, 52.51),
               shapely.box(106.8, -6.21, 106.81, -6.2)]
    geod = Geod(ellps="WGS84")
    expected = [abs(geod.geometry_area_perimeter(s)[0]) for s in squares]
    assert measure.equal_area_m2(squares, measure.WGS84) == pytest.approx(expected, rel=1e-6)
    # the same square given in UTM 33N metres: the same area
    utm = measure.reproject(squares[1:2], measure.WGS84, "EPSG:25833")
    assert measure.equal_area_m2(utm, "EPSG:25833")[0] == pytest.approx(expected[1], rel=1e-6)


def test_geojson_keeps_seven_decimals_in_their_shortest_form():
    text = measure.to_geojson([shapely.Point(13.123456789, 52.987654321)])[0]
    assert json.loads(text)["coordinates"] == [13.1234568, 52.9876543]
    # a Jakarta vertex GEOS would write as -6.1639099999999996: 16 digits, a NIK to the scan
    text = measure.to_geojson([shapely.Point(106.816452, -6.16390999999999996)])[0]
    assert text == '{"type":"Point","coordinates":[106.816452,-6.16391]}'
    assert pii_kinds(text) == []


def test_a_bow_tie_and_a_line_are_no_areas():
    bow_tie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    assert polygon_problem(bow_tie).startswith("invalid geometry: Self-intersection")
    assert "not a polygon" in polygon_problem(shapely.LineString([(0, 0), (1, 1)]))
    assert polygon_problem(None) == "the feature has no geometry"
    assert polygon_problem(shapely.box(0, 0, 1, 1)) is None


def test_dissolve_fills_gaps_below_the_threshold_and_keeps_real_holes():
    # two squares 1 m apart at the equator in metres of EPSG:3857 leave no hole; a ring of
    # squares around a lake does
    ring = [shapely.box(x, y, x + 1e-3, y + 1e-3) for x, y in
            [(0, 0), (1e-3, 0), (2e-3, 0), (0, 1e-3), (2e-3, 1e-3), (0, 2e-3), (1e-3, 2e-3),
             (2e-3, 2e-3)]]
    lake = measure.dissolve(ring, measure.WGS84, gap_m2=1_000)
    assert shapely.get_num_interior_rings(lake) == 1  # the 111 m × 111 m hole stays
    filled = measure.dissolve(ring, measure.WGS84, gap_m2=20_000)
    assert shapely.get_num_interior_rings(filled) == 0


def _squares():
    left, right = shapely.box(13.0, 52.0, 13.1, 52.1), shapely.box(13.1, 52.0, 13.2, 52.1)
    return ["b", "a"], measure.to_geojson([left, right])


def test_points_are_placed_in_their_area_on_an_edge_in_the_smaller_key_and_outside_not():
    keys, shapes = _squares()
    # (13.1, 52.1) is the squares' shared corner: a vertex moves with the reprojection exactly
    found = place([13.05, 13.1, 13.3, np.nan], [52.05, 52.1, 52.05, np.nan], keys, shapes,
                  "EPSG:25833")
    assert found.area_key == ["b", "a", None, None]
    assert found.on_boundary == [False, True, False, False]
    assert found.nearest_key[2] == "a"
    assert found.distance_m[2] == pytest.approx(6_860, rel=0.01)  # 0.1° of longitude at 52°N
    assert found.distance_m[3] is None


def test_overlay_shares_sum_to_one_and_drop_slivers():
    old = [shapely.box(0, 0, 100, 100)]
    new = [shapely.box(0, 0, 60, 100), shapely.box(60, 0, 99.95, 100),
           shapely.box(99.95, 0, 200, 100)]
    shares = area_shares(["o"], old, ["n1", "n2", "n3"], new, "EPSG:25833", min_share=0.001)
    assert list(shares["new_key"]) == ["n1", "n2"]  # n3 holds 0.05 %: a sliver
    assert shares["share"].sum() == pytest.approx(1, abs=1e-12)
    assert shares["sliver_share"].iloc[0] == pytest.approx(0.0005, rel=1e-3)
    assert shares["share"].iloc[0] == pytest.approx(0.6 / 0.9995, rel=1e-6)
