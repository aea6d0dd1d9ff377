"""Shapes, placements, the old-LOR crosswalk and the population weighting, materialised once
through Dagster on a real Postgres from the seed, plus the coordinates of the 13 BLUME stations
with data (a test fixture copied from the station list derivative:
fixtures/blume_stations/README.md), and held against the seed files read another way."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from smartchange_assets.berlin.blume_stations.source import SOURCE as BLUME_STATIONS
from smartchange_assets.core.dim_area_geometry import KEY as GEOMETRY_KEY
from smartchange_assets.core.lor_crosswalk import KEY as CROSSWALK_KEY
from smartchange_assets.core.population_lor2021 import KEY as ESTIMATE_KEY
from smartchange_assets.core.site_placement import KEY as PLACEMENT_KEY
from smartchange_assets.definitions import LOCATION
from smartchange_assets.platform.landing import LandingArchive
from smartchange_assets.platform.resources import PortalResource, WarehouseResource

from ..conftest import REPO, new_database
from ..geo.shapefiles import dbf_rows, members, shx_records
from ..marts.conftest import MARTS, materialize_upstream_of
from ..seed_files import SEED, seed_bytes, seed_entries
from ..source_harness import check_results

STATIONS = REPO / "smartchange_assets_tests/fixtures/blume_stations"
STATION_FILE = "station_coordinates_from_derivative.csv"
TARGETS = [GEOMETRY_KEY, PLACEMENT_KEY, CROSSWALK_KEY, ESTIMATE_KEY, *MARTS]
GEOMETRY_SOURCES = ("berlin/lor_geometry", "berlin/lor_old_geometry",
                    "jakarta/kelurahan_boundaries")
BERLIN_LEVELS = {"city": 1, "district": 12, "prognoseraum": 58, "subdistrict": 143,
                 "unit": 542}
JAKARTA_LEVELS = {"city": 1, "district": 6, "subdistrict": 44, "unit": 267}


@pytest.fixture(scope="module")
def built(database_urls):
    with new_database(database_urls) as wh:
        LandingArchive(wh).land(
            BLUME_STATIONS.source_id, (STATIONS / STATION_FILE).read_bytes(),
            origin=f"test fixture {STATION_FILE}", landed_by="test", file_name=STATION_FILE,
            content_type="text/csv", fetched_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
        results = materialize_upstream_of(
            TARGETS, LOCATION.assets, LOCATION.checks,
            {"warehouse": WarehouseResource(url=wh.url), "portal": PortalResource(mode="replay")})
        yield wh, results


@pytest.fixture(scope="module")
def wh(built):
    return built[0]


def test_everything_materialises_with_every_check_passed(built):
    _, results = built
    assert all(r.success for r in results)
    checks = {k: v for r in results for k, v in check_results(r).items()}
    # the one failure by design: the implausible 2023 Q4 Transjakarta total, a warning
    # (docs/indicators.md, Mobility)
    assert {k for k, v in checks.items() if not v} == {
        "core/fact_transit_services_quarterly:quarter_totals_plausible"}
    for key in ("core/dim_area_geometry:every_area_has_a_shape",
                "core/dim_area_geometry:areas_agree",
                "core/site_placement:stations_and_counters_in_a_bezirk",
                "core/lor_crosswalk:shares_sum_to_one",
                "core/population_lor2021_estimated:residents_conserved",
                "berlin/staging/lor_geometry:payload_reconciliation",
                "jakarta/staging/kelurahan_boundaries:payload_reconciliation"):
        assert checks[key], key


# --------------------------------------------------------------------------------------------
# shapes


def _features(source: str, file: str) -> int:
    data = seed_bytes(source, file)
    if file.endswith(".zip"):
        return shx_records(members(data)["shx"])
    return len(json.loads(data)["features"])


def test_every_feature_of_every_layer_file_is_reconciled(wh):
    recon = wh.read_frame("SELECT * FROM raw.payload_reconciliation WHERE source = ANY(:s)",
                          s=list(GEOMETRY_SOURCES))
    expected = {e.sha256: _features(e.source, e.file) for s in GEOMETRY_SOURCES
                for e in seed_entries(s)}
    assert dict(zip(recon["payload_sha256"], recon["source_rows"])) == expected
    assert (recon["staged"] + recon["quarantined"] == recon["source_rows"]).all()
    # the quarantined: the Senate's unkeyed pairs (3 layers) and Jakarta's two lakes
    assert recon["quarantined"].sum() == 8


def test_shapes_cover_every_area_at_every_level(wh):
    counts = wh.read_frame("SELECT city, level, count(*) AS n FROM core.dim_area_geometry "
                           "GROUP BY 1, 2")
    got = {(c, lv): n for c, lv, n in counts.itertuples(index=False)}
    assert got == {**{("berlin", lv): n for lv, n in BERLIN_LEVELS.items()},
                   **{("jakarta", lv): n for lv, n in JAKARTA_LEVELS.items()}}
    kelurahan = [r for r in dbf_rows(members(seed_bytes(
        "jakarta/kelurahan_boundaries", "BATAS_DESA_DESEMBER_2019_DUKCAPIL_DKI_JAKARTA.zip"))
        ["dbf"], "utf-8") if r["KAB_KOTA"]]
    assert got[("jakarta", "unit")] == len(kelurahan)


def test_every_shape_is_a_valid_lon_lat_polygon(wh):
    shapes = wh.read_frame("SELECT area_key, city, geometry_geojson FROM core.dim_area_geometry")
    geometries = shapely.from_geojson(shapes["geometry_geojson"].to_numpy())
    assert set(shapely.get_type_id(geometries)) <= {3, 6}  # Polygon, MultiPolygon
    assert shapely.is_valid(geometries).mean() > 0.99  # 7-decimal rounding may pinch a few
    bounds = shapely.bounds(geometries)
    berlin = (shapes["city"] == "berlin").to_numpy()
    assert (bounds[berlin, 0] > 13.0).all() and (bounds[berlin, 3] < 52.7).all()
    assert (bounds[~berlin, 1] > -6.5).all() and (bounds[~berlin, 3] < -5.1).all()


def test_berlin_adds_up_to_891_km2_and_its_bezirke_to_the_alkis_layer(wh):
    areas = wh.read_frame("SELECT g.area_key, g.level, g.area_m2, a.district_key "
                          "FROM core.dim_area_geometry g JOIN core.dim_area a USING (area_key) "
                          "WHERE g.city = 'berlin'")
    units = areas[areas["level"] == "unit"]
    assert units["area_m2"].sum() / 1e6 == pytest.approx(891.1, abs=0.05)
    city = areas.loc[areas["level"] == "city", "area_m2"].iloc[0]
    assert city / 1e6 == pytest.approx(891.1, abs=0.05)
    doc = json.loads(seed_bytes("berlin/lor_geometry", "bezirksgrenzen.geojson"))
    geod = Geod(ellps="GRS80")
    alkis = {"berlin:LOR2021:" + f["properties"]["Gemeinde_schluessel"][1:]: abs(
        geod.geometry_area_perimeter(shapely.geometry.shape(f["geometry"]))[0])
        for f in doc["features"]}
    per_bezirk = units.groupby("district_key")["area_m2"].sum()
    for key, area in alkis.items():
        assert per_bezirk[key] == pytest.approx(area, rel=1e-4), key


def test_jakarta_kecamatan_kota_and_province_are_dissolved_from_the_kelurahan(wh):
    shapes = wh.read_frame("SELECT g.*, a.district_key, a.subdistrict_key FROM "
                           "core.dim_area_geometry g JOIN core.dim_area a USING (area_key) "
                           "WHERE g.city = 'jakarta'")
    units = shapes[shapes["level"] == "unit"]
    for level, parent in (("subdistrict", "subdistrict_key"), ("district", "district_key")):
        dissolved = shapes[shapes["level"] == level].set_index("area_key")
        assert set(dissolved["derivation"]) == {"dissolved"}
        summed = units.groupby(parent)["area_m2"].sum()
        # the union loses only the publisher's overlaps and gains its filled gaps (< 1,000 m²
        # each; at most 0.011 % of a kecamatan)
        assert (dissolved["area_m2"] / summed[dissolved.index] - 1).abs().max() < 2e-4
        assert (dissolved["parts"] == units.groupby(parent).size()[dissolved.index]).all()
    province = shapes[shapes["level"] == "city"].iloc[0]
    assert province["parts"] == 267 and province["area_m2"] / 1e6 == pytest.approx(652.9,
                                                                                  abs=0.05)


# --------------------------------------------------------------------------------------------
# the Dukcapil residents in the population fact


def test_dukcapil_layer_residents_reach_the_population_fact_and_its_sums(wh):
    rows = dbf_rows(members(seed_bytes("jakarta/kelurahan_boundaries",
                                       "BATAS_DESA_DESEMBER_2019_DUKCAPIL_DKI_JAKARTA.zip"))
                    ["dbf"], "utf-8")
    per_kota = pd.Series({r["KODE_DESA"]: float(r["JUMLAH_PEN"]) for r in rows
                          if r["KAB_KOTA"]}).groupby(lambda k: f"{k[:2]}.{k[2:4]}").sum()
    fact = wh.read_frame("SELECT * FROM core.fact_population "
                         "WHERE source_table = 'dukcapil_kelurahan_layer'")
    assert len(fact) == 267 and fact["complete"].all()
    assert set(fact["reference_date"].astype(str)) == {"2019-06-30"}
    totals = wh.read_frame("SELECT area_key, residents, source_table, method FROM "
                           "core.dim_area_population WHERE reference_year = 2019 AND "
                           "area_key LIKE 'jakarta:%' AND length(area_key) <= 29")
    got = totals.set_index("area_key")
    for kota, residents in per_kota.items():
        assert got.loc[f"jakarta:kemendagri_2025:{kota}", "residents"] == residents
    assert got.loc["jakarta:kemendagri_2025:31", "residents"] == per_kota.sum() == 11_011_862
    assert set(got["source_table"]) == {"dukcapil_kelurahan_layer"}


# --------------------------------------------------------------------------------------------
# placements


def test_mc010_stands_in_mitte_and_every_fixture_station_in_a_bezirk(wh):
    stations = wh.read_frame("SELECT s.*, d.name AS bezirk FROM core.dim_station s "
                             "LEFT JOIN core.dim_area d ON d.area_key = s.district_key "
                             "WHERE s.city = 'berlin'").set_index("station_code")
    wedding = stations.loc["mc010"]
    assert (wedding["bezirk"], wedding["area_key"]) == ("Mitte", "berlin:LOR2021:01400942")
    assert wedding["location_basis"].startswith("point in polygon")
    assert stations["district_key"].notna().all() and len(stations) == 13
    # the same stations against the ALKIS Bezirke, read from the GeoJSON with shapely alone
    fixture = pd.read_csv(STATIONS / STATION_FILE, comment="#").set_index("station_code")
    doc = json.loads(seed_bytes("berlin/lor_geometry", "bezirksgrenzen.geojson"))
    bezirke = {f["properties"]["Gemeinde_name"]: shapely.geometry.shape(f["geometry"])
               for f in doc["features"]}
    for code, row in fixture.iterrows():
        point = shapely.Point(row["lon"], row["lat"])
        assert [n for n, shape in bezirke.items() if shape.contains(point)] == [
            stations.loc[code, "bezirk"]], code


def test_counting_sites_are_placed_and_those_outside_berlin_say_how_far(wh):
    placed = wh.read_frame("SELECT * FROM core.site_placement WHERE site_kind <> "
                           "'blume_station'")
    bikes = placed[placed["site_kind"] == "bike_counter"]
    locations = pd.read_csv(SEED / "berlin/mobility_sites/location-info.csv")
    assert len(bikes) == locations["station-id"].nunique() and bikes["placed"].all()
    assert bikes["district_key"].str.fullmatch(r"berlin:LOR2021:(0[1-9]|1[0-2])").all()
    jannowitz = bikes.set_index("site_id").loc["02-MI-JAN-N"]
    assert jannowitz["district_key"] == "berlin:LOR2021:01"  # Jannowitzbrücke, Mitte
    outside = placed[~placed["placed"]]
    assert (outside["distance_m"] > 0).all() and outside["nearest_area_key"].notna().all()
    assert outside["unplaced_reason"].str.startswith("outside every area of berlin").all()
    telraam = placed[placed["site_kind"] == "telraam"]
    assert telraam["placed"].sum() > 0.8 * len(telraam)  # a few segments lie in Brandenburg


# --------------------------------------------------------------------------------------------
# the crosswalk and the residents on LOR 2021 units


def test_crosswalk_shares_of_each_old_planungsraum_sum_to_one(wh):
    x = wh.read_frame("SELECT * FROM core.lor_crosswalk")
    sums = x.groupby(["old_payload_sha256", "old_code"])["share"].sum()
    assert np.allclose(sums, 1.0, atol=1e-9)
    editions = x.groupby("old_layer").agg(units=("old_code", "nunique"),
                                          start=("valid_from", "min"), end=("valid_to", "max"))
    assert editions.loc["Planungsraum_EPSG_25833", "units"] == 447
    assert editions.loc["berlin-lor-planning-areas-until-2020", "units"] == 448
    assert str(editions.loc["Planungsraum_EPSG_25833", "end"]) == "2018-12-31"
    assert (x["covered"] > 0.999).all() and (x["sliver_share"] < 0.005).all()
    corrected = x[(x["old_code"] == "04030417")
                  & (x["old_layer"] == "berlin-lor-planning-areas-until-2020")]
    assert corrected["new_code"].str.startswith("04").all()  # Charlottenburg-Wilmersdorf


def _ewr(name: str) -> pd.DataFrame:
    """A whole-city EWR matrix of the seed (old LOR: RAUMID is the 8-digit Planungsraum)."""
    return pd.read_csv(SEED / "berlin/population" / name, sep=";", dtype={"RAUMID": str})


def test_2019_residents_on_lor2021_units_add_up_to_the_ewr_file(wh):
    ewr = _ewr("EWR201912E_Matrix.csv")
    estimate = wh.read_frame("SELECT * FROM core.population_lor2021_estimated")
    assert 2019 in set(estimate["reference_year"]) <= set(range(2014, 2021))  # old LOR years
    year = estimate[estimate["reference_year"] == 2019]
    # the whole city's 3,769,495 residents, spread over today's units and none lost
    assert year["residents_estimated"].sum() == pytest.approx(ewr["E_E"].sum(), rel=1e-9)
    assert ewr["E_E"].sum() == 3_769_495
    assert year["estimated"].all() and year["area_key"].str.startswith("berlin:LOR2021:").all()
    units = wh.scalar("SELECT count(*) FROM core.dim_area WHERE level = 'unit' AND "
                      "area_key LIKE 'berlin:LOR2021:%'")
    assert len(year) == units == 542


# --------------------------------------------------------------------------------------------
# population-weighted PM2.5, recomputed from the seed files


def _mitte_residents_2020() -> int:
    ewr = _ewr("EWR202012E_Matrix.csv")
    return int(ewr.loc[ewr["RAUMID"].str.zfill(8).str[:2] == "01", "E_E"].sum())


def test_berlin_2022_population_weighted_pm25_uses_the_bezirk_of_the_station(wh):
    # mc010 (Wedding, placed in Mitte by point in polygon) is the only station of 2022 in the
    # seed: one district, so the weighted mean is that district's mean, the city's plain mean;
    # the weight is Mitte's complete count nearest to 2022 (31.12.2020, old LOR summed to the
    # Bezirk; 2025 is farther)
    rows = wh.read_frame("SELECT indicator, value, flags, basis, population_year, denominator "
                         "FROM marts.city_indicators WHERE city = 'berlin' AND year = 2022 AND "
                         "period_type = 'year' AND indicator IN ('pm25_mean', "
                         "'pm25_mean_population_weighted')").set_index("indicator")
    got, plain = rows.loc["pm25_mean_population_weighted"], rows.loc["pm25_mean"]
    assert got["value"] == pytest.approx(plain["value"], rel=1e-12) and got["value"] > 0
    assert got["population_year"] == 2020 and got["denominator"] == _mitte_residents_2020()
    assert "equal_weights" not in got["flags"] and "1 district" in got["basis"]
