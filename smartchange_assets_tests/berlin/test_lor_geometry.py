"""The Berlin boundary parsers on the real seed layers, held against the files read another
way (shapefile headers and DBF records without GDAL, GeoJSON with json), and on copies with a
changed form or a planted fault (made up here, and said so)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
import shapely
from pyproj import Geod

from smartchange_assets.berlin.lor_geometry.parser import parse_lor2021_boundaries
from smartchange_assets.berlin.lor_old_geometry.parser import parse_lor_old_boundaries
from smartchange_assets.geo import measure
from smartchange_assets.platform.parsing import ParseError

from ..geo.shapefiles import dbf_rows, members, shx_records
from ..seed_files import seed_bytes

NEW, OLD = "berlin/lor_geometry", "berlin/lor_old_geometry"
LOR2021 = {"PLR": ("planungsraum", 542), "BZR": ("bezirksregion", 143),
           "PGR": ("prognoseraum", 58)}
DERIVATIVE_PLR = "berlin-lor-planning-areas-until-2020.geojson"


def _lor2021(level: str):
    name = f"LOR_2023-01-01_{level}_EPSG_25833_nur_ID.zip"
    return parse_lor2021_boundaries(seed_bytes(NEW, name), name)


def _published_lor_export() -> dict[str, float]:
    text = seed_bytes("berlin/lor", "lor_2021_planungsraeume_export.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    return {r["Planungsraum (Nummer)"]: float(r["Fläche in qm"].replace(",", ".")) for r in rows}


@pytest.mark.parametrize("level", list(LOR2021))
def test_lor2021_layers_stage_every_feature_of_the_files(level):
    native, count = LOR2021[level]
    result = _lor2021(level)
    result.reconcile()
    parts = members(seed_bytes(NEW, f"LOR_2023-01-01_{level}_EPSG_25833_nur_ID.zip"))
    ids = [r[f"{level}_ID"] for r in dbf_rows(parts["dbf"], "utf-8")]
    assert shx_records(parts["shx"]) == len(ids) == result.source_rows == count
    assert sorted(result.staged["code"]) == sorted(ids) and len(result.quarantine) == 0
    assert set(result.staged["level"]) == {native}
    assert set(result.staged["crs"]) == {"EPSG:25833"}


def test_lor2021_planungsraeume_are_those_of_the_lor_export_with_its_areas():
    staged = _lor2021("PLR").staged.set_index("code")
    published = _published_lor_export()
    assert set(staged.index) == set(published)
    relative = (staged["area_m2"] / staged.index.map(published) - 1).abs()
    assert relative.max() < 3e-5  # equal-area against the publisher's "Fläche in qm"
    assert staged["area_m2"].sum() / 1e6 == pytest.approx(891.12, abs=0.01)


def test_the_planungsraeume_of_each_bezirk_add_up_to_its_alkis_shape():
    staged = _lor2021("PLR").staged
    per_bezirk = staged.groupby(staged["code"].str[:2])["area_m2"].sum()
    doc = json.loads(seed_bytes(NEW, "bezirksgrenzen.geojson"))
    geod = Geod(ellps="GRS80")  # the ALKIS shapes measured on the ellipsoid, not our way
    alkis = {f["properties"]["Gemeinde_schluessel"][1:]: abs(geod.geometry_area_perimeter(
        shapely.geometry.shape(f["geometry"]))[0]) for f in doc["features"]}
    assert sorted(alkis) == sorted(per_bezirk.index) == [f"{n:02d}" for n in range(1, 13)]
    for bezirk, area in alkis.items():
        assert per_bezirk[bezirk] == pytest.approx(area, rel=1e-4), bezirk
    assert sum(alkis.values()) / 1e6 == pytest.approx(891.1, abs=0.1)


def test_the_bezirke_layer_stages_twelve_named_bezirke_in_lon_lat():
    result = parse_lor2021_boundaries(seed_bytes(NEW, "bezirksgrenzen.geojson"),
                                      "bezirksgrenzen.geojson")
    staged = result.staged.set_index("code")
    assert len(staged) == 12 and staged.loc["01", "name"] == "Mitte"
    assert staged.loc["12", "name"] == "Reinickendorf" and set(staged["crs"]) == {"EPSG:4326"}
    assert set(staged["level"]) == {"bezirk"}


def test_old_senate_layers_quarantine_their_unkeyed_polygon_pair():
    for stem, count in (("Planungsraum", 447), ("Bezirksregion", 138), ("Prognoseraum", 60)):
        name = f"{stem}_EPSG_25833.zip"
        data = seed_bytes(OLD, name)
        result = parse_lor_old_boundaries(data, name)
        result.reconcile()
        keys = [r["SCHLUESSEL"] for r in dbf_rows(members(data)["dbf"], "cp1252")]
        assert len(keys) == count + 2 and sorted(k for k in keys if k) == sorted(
            result.staged["code"])
        assert len(result.staged) == count
        assert list(result.quarantine["kind"]) == ["inconsistent"] * 2
        assert (result.quarantine["reason"].str.contains("neither code nor name")).all()
    plr = parse_lor_old_boundaries(seed_bytes(OLD, "Planungsraum_EPSG_25833.zip"),
                                   "Planungsraum_EPSG_25833.zip").staged.set_index("code")
    assert plr.loc["01011101", "name"] == "Stülerstr."  # cp1252 text read right


def test_the_derivatives_wrong_key_is_corrected_and_is_the_senates_04030417():
    result = parse_lor_old_boundaries(seed_bytes(OLD, DERIVATIVE_PLR), DERIVATIVE_PLR)
    doc = json.loads(seed_bytes(OLD, DERIVATIVE_PLR))
    ids = [f["properties"]["id"] for f in doc["features"]]
    assert len(ids) == 448 and ids.count("06010102") == 2 and "04030417" not in ids
    staged = result.staged.set_index("code")
    assert len(staged) == 448 and len(result.quarantine) == 0
    fixed = staged.loc["04030417"]
    assert fixed["code_published"] == "06010102" and fixed["source_row"] == 124
    assert "Charlottenburg" in fixed["correction"]
    assert staged.loc["06010102", "source_row"] == 205
    senate = parse_lor_old_boundaries(seed_bytes(OLD, "Planungsraum_EPSG_25833.zip"),
                                      "Planungsraum_EPSG_25833.zip").staged.set_index("code")

    def shape(row):
        return measure.reproject(measure.from_wkt([row["geometry_wkt"]]), row["crs"],
                                 "EPSG:25833")[0]

    for code in ("04030417", "06010102"):
        a, b = shape(staged.loc[code]), shape(senate.loc[code])
        assert shapely.area(a & b) / shapely.area(a | b) > 0.999999, code
    # with the correction, the 2019 keys are the Senate's 447 and one new Planungsraum
    assert set(staged.index) - set(senate.index) == {"09041403"}
    assert set(senate.index) <= set(staged.index)


def test_without_the_correction_neither_schlossstrasse_is_staged():
    # made up: the derivative with the second 06010102 moved out of the correction's box
    doc = json.loads(seed_bytes(OLD, DERIVATIVE_PLR))
    feature = doc["features"][123]
    feature["geometry"] = shapely.geometry.mapping(shapely.affinity.translate(
        shapely.geometry.shape(feature["geometry"]), xoff=0.2))
    result = parse_lor_old_boundaries(json.dumps(doc).encode(), DERIVATIVE_PLR)
    assert "06010102" not in set(result.staged["code"])
    assert list(result.quarantine["source_row"]) == [124, 205]
    assert set(result.quarantine["kind"]) == {"inconsistent"}


def test_an_invalid_polygon_and_an_unreadable_code_are_quarantined_with_their_reason():
    # made up: two features of the Bezirke layer broken on purpose
    doc = json.loads(seed_bytes(NEW, "bezirksgrenzen.geojson"))
    doc["features"][0]["geometry"] = {"type": "Polygon", "coordinates": [
        [[13.3, 52.5], [13.4, 52.6], [13.4, 52.5], [13.3, 52.6], [13.3, 52.5]]]}
    doc["features"][1]["properties"]["Gemeinde_schluessel"] = "0X4"
    result = parse_lor2021_boundaries(json.dumps(doc).encode(), "bezirksgrenzen.geojson")
    result.reconcile()
    q = result.quarantine.set_index("source_row")
    assert q.loc[1, "reason"].startswith("invalid geometry: Self-intersection")
    assert (q.loc[2, "kind"], q.loc[2, "column_name"]) == ("unreadable", "Gemeinde_schluessel")
    assert len(result.staged) == 10


def test_a_layer_of_the_other_lor_version_or_no_layer_is_refused():
    name = "LOR_2023-01-01_PLR_EPSG_25833_nur_ID.zip"
    with pytest.raises(ParseError, match="a LOR2021 layer"):
        parse_lor_old_boundaries(seed_bytes(NEW, name), name)
    with pytest.raises(ParseError, match="a LOR_OLD layer"):
        parse_lor2021_boundaries(seed_bytes(OLD, DERIVATIVE_PLR), DERIVATIVE_PLR)
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as z:
        for suffix, data in members(seed_bytes(NEW, name)).items():
            z.writestr(f"renamed.{suffix}", data.replace(b"PLR_ID", b"OBJ_ID") if
                       suffix == "dbf" else data)
    with pytest.raises(ParseError, match="not a Berlin boundary layer"):
        parse_lor2021_boundaries(other.getvalue(), "renamed.zip")
