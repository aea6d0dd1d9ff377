"""Publishing end to end: the tier and publish assets with everything upstream of them
materialised once from the seed through Dagster on the real Postgres, then held against the
files on disk, the catalogue's SHACL shapes, the open tier and the publish log.

The later tests change things on purpose (a row deleted, a phone number planted in a file, a
catalogue built without an access URL, a CKAN portal configured) and restore them; each proves
a blocking check or the version logic, so they run in file order.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest
import rdflib
import responses
import sqlalchemy as sa

from smartchange_assets.marts.catalogue import INDICATORS
from smartchange_assets.publish import assets as publish_assets
from smartchange_assets.publish import config
from smartchange_assets.publish.assets import (
    CATALOGUE_KEY,
    CKAN_KEY,
    PUBLISH_ASSETS,
    PUBLISH_CHECKS,
    dataset_key,
)
from smartchange_assets.publish.datasets import DATASETS
from smartchange_assets.publish.files import allow_long_csv_fields, csv_cell, file_digest
from smartchange_assets.publish.log import LOG_TABLE
from smartchange_assets.publish.report_asset import REPORT_KEY
from smartchange_assets.publish.shacl import validate_catalogue
from smartchange_assets.tiers.assets import TIER_ASSETS
from smartchange_assets.tiers.open_areas import AREA_SHAPES
from smartchange_assets.tiers.open_reports import AGGREGATE_OPEN, JAKARTA_OPEN, MIN_CELL_REPORTS
from smartchange_assets.tiers.pseudonym import KEY_ENV
from smartchange_assets.tiers.roles import OPEN_READER
from smartchange_assets.tiers.scan import scan_folder

from ..browser import dump_dom
from ..source_harness import check_results
from ..tiers.harness import (
    WARNINGS_BY_DESIGN,
    connect_as,
    failed_checks,
    materialise,
    module_database,
    rematerialise,
)
from .report_page import Page

pytestmark = pytest.mark.slow

ASSETS, CHECKS = [*TIER_ASSETS, *PUBLISH_ASSETS], list(PUBLISH_CHECKS)
READER_PW = "open-reader-publish-test"
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
EXPECTED_FILES = sorted([f"{d.name}/{n}" for d in DATASETS for n in
                         (*d.file_names, "datapackage.json")]
                        + ["catalog.jsonld", config.REPORT_FILE])


@pytest.fixture(scope="module")
def published(database_urls, tmp_path_factory):
    folder = tmp_path_factory.mktemp("publish")
    with pytest.MonkeyPatch.context() as mp, module_database(database_urls) as wh:
        mp.setenv(KEY_ENV, "publish-test-key")
        mp.setenv("SMARTCHANGE_OPEN_READER_PASSWORD", READER_PW)
        mp.setenv(config.PUBLISH_DIR_ENV, str(folder))
        for name in (config.BASE_URL_ENV, config.CKAN_URL_ENV, config.CKAN_KEY_ENV):
            mp.delenv(name, raising=False)
        targets = [k for a in ASSETS for k in a.keys]
        result = materialise(wh.url, ASSETS, CHECKS, targets)
        yield wh, result, folder, mp


@pytest.fixture(scope="module")
def reader(published):
    engine = connect_as(published[0], OPEN_READER, READER_PW)
    yield engine
    engine.dispose()


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _package(folder: Path, name: str) -> dict:
    return json.loads((folder / name / "datapackage.json").read_text(encoding="utf-8"))


def test_everything_materialises_with_every_check_passed(published):
    _, result, _, _ = published
    assert result.success
    checks = check_results(result)
    assert checks and failed_checks(result) == WARNINGS_BY_DESIGN
    for d in DATASETS:
        assert checks[f"publish/{d.name}:published_files"]
    assert checks["publish/catalog:dcat_ap_shacl"]
    assert checks["publish/catalog:no_personal_data_in_files"]
    ckan = [m for m in result.get_asset_materialization_events()
            if m.asset_key == CKAN_KEY][0].materialization
    assert "skipped" in ckan.metadata                       # no portal configured


def test_the_folder_holds_csv_parquet_and_datapackage_per_dataset_and_one_catalogue(published):
    _, _, folder, _ = published
    assert _files(folder) == EXPECTED_FILES


def test_the_catalogue_conforms_and_a_planted_defect_of_it_does_not(published):
    _, _, folder, _ = published
    text = (folder / "catalog.jsonld").read_text(encoding="utf-8")
    report = validate_catalogue(text)
    assert report.violations == []
    broken = json.loads(text)
    dist = broken["dcat:dataset"][2]["dcat:distribution"][1]
    del dist["dcat:accessURL"]
    violations = validate_catalogue(json.dumps(broken)).violations
    assert [(v.focus, v.path) for v in violations] == [(dist["@id"], str(DCAT.accessURL))]


def test_every_distribution_in_the_catalogue_is_the_file_on_disk(published):
    _, _, folder, _ = published
    graph = rdflib.Graph().parse(folder / "catalog.jsonld", format="json-ld")
    distributions = list(graph.subjects(rdflib.RDF.type, DCAT.Distribution))
    assert len(distributions) == sum(len(d.file_names) for d in DATASETS)  # CSV, Parquet(, GeoJSON)
    for dist in distributions:
        url = str(graph.value(dist, DCAT.downloadURL))
        assert url == str(graph.value(dist, DCAT.accessURL))
        path = Path(url.removeprefix("file://"))
        assert path.parent.parent == folder
        size, sha = file_digest(path)
        assert int(graph.value(dist, DCAT.byteSize)) == size
        checksum = graph.value(dist, SPDX.checksum)
        assert str(graph.value(checksum, SPDX.checksumValue)) == sha
        media = str(graph.value(dist, DCAT.mediaType))
        assert media.endswith({".csv": "text/csv", ".parquet": "vnd.apache.parquet",
                               ".geojson": "application/geo+json"}[path.suffix])
    for dataset in graph.subjects(rdflib.RDF.type, DCAT.Dataset):
        titles = {t.language for t in graph.objects(dataset, DCT.title)}
        assert "en" in titles and titles & {"id", "de"}
        # the area shapes cover no period (a boundary set): no dct:temporal, rightly
        timeless = str(graph.value(dataset, DCT.identifier)) == "area_shapes"
        for prop in (DCT.publisher, *([] if timeless else [DCT.temporal]), DCT.spatial,
                     DCT.modified, DCAT.theme, DCAT.keyword, DCAT.version):
            assert graph.value(dataset, prop) is not None, prop


def test_csv_and_parquet_hold_exactly_the_open_table_read_as_the_open_reader(published,
                                                                             reader):
    _, _, folder, _ = published
    for dataset in DATASETS:
        table = dataset.table.table
        order = ", ".join(f'"{c}"' for c in (table.primary_key or table.column_names))
        with reader.connect() as conn:
            rows = conn.execute(sa.text(f"SELECT * FROM {table.qualified} ORDER BY {order}"))
            expected = [[csv_cell(v) for v in row] for row in rows]
        raw = (folder / dataset.name / f"{dataset.name}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        assert raw.count(b"\r\n") >= len(expected) + 1
        allow_long_csv_fields()  # the area shapes' GeoJSON cells exceed 128 KiB
        with (folder / dataset.name / f"{dataset.name}.csv").open(encoding="utf-8",
                                                                   newline="") as f:
            parsed = list(csv.reader(f))
        assert parsed[0] == table.column_names
        assert parsed[1:] == expected, dataset.name
        parquet = pq.read_table(folder / dataset.name / f"{dataset.name}.parquet")
        assert parquet.column_names == table.column_names
        assert [[csv_cell(v) for v in r.values()] for r in parquet.to_pylist()] == expected


def test_the_area_shapes_are_published_as_geojson_next_to_the_tables(published, reader):
    _, _, folder, _ = published
    table = AREA_SHAPES.table
    with reader.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT * FROM {table.qualified} ORDER BY area_key"))
        expected = [dict(r._mapping) for r in rows]
    doc = json.loads((folder / table.name / f"{table.name}.geojson").read_text("utf-8"))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == len(expected) == 1074
    for feature, row in zip(doc["features"], expected, strict=True):
        assert feature["id"] == row["area_key"] == feature["properties"]["area_key"]
        assert feature["geometry"] == json.loads(row["geometry"])
        assert "geometry" not in feature["properties"]
    mitte = next(f for f in doc["features"] if f["id"] == "berlin:LOR2021:01")
    assert mitte["properties"]["name"] == "Mitte" and mitte["properties"]["level"] == "district"
    package = _package(folder, table.name)
    geojson = next(r for r in package["resources"] if r["format"] == "geojson")
    assert (geojson["mediatype"], geojson["rows"]) == ("application/geo+json", 1074)
    assert [f["name"] for f in geojson["schema"]["fields"]] == [
        c for c in table.column_names if c != "geometry"]
    graph = rdflib.Graph().parse(folder / "catalog.jsonld", format="json-ld")
    formats = {str(graph.value(d, DCT["format"])) for d in
               graph.subjects(rdflib.RDF.type, DCAT.Distribution)}
    assert "http://publications.europa.eu/resource/authority/file-type/GEOJSON" in formats


def test_the_data_dictionary_describes_columns_units_and_the_suppression(published):
    _, _, folder, _ = published
    for dataset in DATASETS:
        package = _package(folder, dataset.name)
        fields = package["resources"][0]["schema"]["fields"]
        assert [f["name"] for f in fields] == dataset.table.table.column_names
        assert all(f["description"] for f in fields)
        assert package["titles"]["en"] and set(package["titles"]) & {"id", "de"}
    aggregate = _package(folder, AGGREGATE_OPEN.table.name)
    assert f"fewer than {MIN_CELL_REPORTS} reports are suppressed" in aggregate["description"]
    fields = {f["name"]: f for f in aggregate["resources"][0]["schema"]["fields"]}
    assert f"fewer than {MIN_CELL_REPORTS}" in fields["reports"]["description"]
    assert fields["suppressed"]["type"] == "boolean"
    with (folder / AGGREGATE_OPEN.table.name / f"{AGGREGATE_OPEN.table.name}.csv").open(
            encoding="utf-8", newline="") as f:
        cells = list(csv.DictReader(f))
    assert all(int(c["reports"]) >= MIN_CELL_REPORTS for c in cells if c["reports"])
    assert all(c["suppressed"] == "true" for c in cells if not c["reports"])
    units = {f["name"]: f.get("unit") for f in
             _package(folder, "air_quality_monthly")["resources"][0]["schema"]["fields"]}
    assert units["mean_concentration_ugm3"] == "µg/m³"


def test_no_published_file_holds_personal_data(published):
    _, _, folder, _ = published
    findings, scanned = scan_folder(folder)
    assert sorted(scanned) == EXPECTED_FILES
    assert findings == []


def _metadata(result, key):
    return [m.materialization.metadata for m in result.get_asset_materialization_events()
            if m.asset_key == key][-1]


def test_the_comparison_report_is_published_beside_the_open_files_and_linked(published,
                                                                            reader):
    wh, result, folder, _ = published
    path = folder / config.REPORT_FILE
    size, sha = file_digest(path)
    print(f"comparison report: {size} bytes")
    meta = _metadata(result, REPORT_KEY)
    assert meta["path"].value == str(path) and meta["url"].value == path.as_uri()
    assert meta["bytes"].value == size and meta["sha256"].value == sha
    assert meta["indicator_charts"].value == len(INDICATORS)
    # the mart's materialisation links the report too
    mart = _metadata(result, dg.AssetKey(["marts", "city_comparison"]))
    assert mart["report"].value == str(path) and mart["report_url"].value == path.as_uri()
    # the publish log records the file; the catalogue lists it as a page of the comparison
    log = _log(wh, "comparison_report")
    assert list(log["sha256"]) == [sha] and list(log["media_type"]) == ["text/html"]
    graph = rdflib.Graph().parse(folder / "catalog.jsonld", format="json-ld")
    comparison = next(d for d in graph.subjects(rdflib.RDF.type, DCAT.Dataset)
                      if str(graph.value(d, DCT.identifier)) == "city_comparison")
    assert rdflib.URIRef(path.as_uri()) in set(graph.objects(comparison, FOAF.page))
    # the summary's both-city years are the open table's, read as the open reader
    with reader.connect() as conn:
        both = dict(conn.execute(sa.text(
            "SELECT indicator, count(*) FILTER (WHERE jakarta_value IS NOT NULL AND "
            "berlin_value IS NOT NULL) FROM open.city_comparison WHERE category = 'all' "
            "GROUP BY indicator")).all())
    page = Page(path.read_text(encoding="utf-8"))
    shown = {a["data-indicator"]: int(a["data-both"]) for a in page.find("tr")
             if "data-both" in a}
    assert shown == {i.code: both.get(i.code, 0) for i in INDICATORS}
    assert meta["indicator_years_with_both_cities"].value == sum(both.values())


def test_the_comparison_report_opens_in_chromium_with_a_chart_per_indicator(published,
                                                                           tmp_path):
    _, _, folder, _ = published
    dom = Page(dump_dom((folder / config.REPORT_FILE).as_uri(), tmp_path / "profile"))
    charts = [a["data-indicator"] for a in dom.find("svg", "indicator-chart")]
    assert sorted(charts) == sorted(i.code for i in INDICATORS)  # one each, every indicator
    # the years of each city with a value are drawn as points: at least one chart per city
    points = dom.find("circle", "point")
    assert {p["data-city"] for p in points} == {"jakarta", "berlin"}
    # both city maps for every main indicator, every district drawn from the open shapes
    main = [i.code for i in INDICATORS if i.main]
    maps = dom.find("svg", "district-map")
    assert sorted((m["data-indicator"], m["data-city"]) for m in maps) == sorted(
        (code, city) for code in main for city in ("jakarta", "berlin"))
    for city, districts in (("jakarta", 6), ("berlin", 12)):
        drawn = dom.within("path", "district-map", data_city=city, data_indicator="pm25_mean")
        assert len(drawn) == districts and all(p["d"].startswith("M") for p in drawn)
        # a station stands in some districts of each city: their PM2.5 is coloured
        assert any(p["data-has-value"] == "true" for p in drawn), city
    assert "Which indicators have values for both cities" in dom.text


def _log(wh, dataset: str):
    return wh.read_frame(f"SELECT * FROM {LOG_TABLE.qualified} WHERE dataset = :d "
                         "ORDER BY published_at, file_name", d=dataset)


def test_republishing_unchanged_data_keeps_version_and_bytes(published, reader):
    wh, _, folder, _ = published
    before = {p: file_digest(folder / p) for p in EXPECTED_FILES}
    again = rematerialise(wh.url, ASSETS, CHECKS, [*map(dataset_key, DATASETS), CATALOGUE_KEY])
    assert again.success
    assert {p: file_digest(folder / p) for p in EXPECTED_FILES} == before
    log = _log(wh, JAKARTA_OPEN.table.name)
    assert len(log) == 6 and set(log["version"]) == {1}
    assert list(log["content_changed"]) == [True] * 3 + [False] * 3
    # anyone can read the log
    with reader.connect() as conn:
        assert conn.execute(sa.text(f"SELECT count(*) FROM {LOG_TABLE.qualified}")).scalar() > 0


def test_changed_content_is_a_new_version_and_the_log_tells_which_file_was_served(published):
    wh, _, folder, _ = published
    name = JAKARTA_OPEN.table.name
    v1_csv = file_digest(folder / name / f"{name}.csv")[1]
    cut = dt.datetime.now(dt.UTC)
    with wh.engine.begin() as conn:
        conn.execute(sa.text(f"DELETE FROM {JAKARTA_OPEN.table.qualified} WHERE report_pid = "
                             f"(SELECT min(report_pid) FROM {JAKARTA_OPEN.table.qualified})"))
    assert rematerialise(wh.url, ASSETS, CHECKS, [dataset_key(DATASETS[0])]).success
    log = _log(wh, name)
    latest = log[log["published_at"] == log["published_at"].max()]
    assert set(latest["version"]) == {2} and latest["content_changed"].all()
    assert int(latest.loc[latest["file_name"] == f"{name}.csv", "row_count"].iloc[0]) == 14
    assert _package(folder, name)["version"] == "2"
    served = wh.read_frame(
        f"SELECT DISTINCT ON (file_name) file_name, version, sha256 FROM {LOG_TABLE.qualified} "
        "WHERE dataset = :d AND published_at < :t ORDER BY file_name, published_at DESC",
        d=name, t=cut)
    assert served.set_index("file_name").loc[f"{name}.csv", "sha256"] == v1_csv
    # rebuilding the open table restores the content; the log counts it as a new version
    assert rematerialise(wh.url, ASSETS, CHECKS,
                         [JAKARTA_OPEN.key, dataset_key(DATASETS[0])]).success
    assert file_digest(folder / name / f"{name}.csv")[1] == v1_csv
    assert _package(folder, name)["version"] == "3"


def test_a_planted_phone_number_in_a_file_blocks_the_portal_push(published):
    wh, _, folder, _ = published
    name = AGGREGATE_OPEN.table.name
    path = folder / name / f"{name}.csv"
    path.write_bytes(path.read_bytes() + b"berlin,bezirk,01,Mitte,ruf an 0171 1234567,5,false\r\n")
    result = rematerialise(wh.url, ASSETS, CHECKS, [CATALOGUE_KEY, CKAN_KEY])
    checks = check_results(result)
    assert checks["publish/catalog:no_personal_data_in_files"] is False
    assert CKAN_KEY not in {m.asset_key for m in result.get_asset_materialization_events()}
    evaluation = [e for e in result.get_asset_check_evaluations()
                  if e.check_name == "no_personal_data_in_files"][0]
    assert "PHONE" in evaluation.description and "0171" not in evaluation.description
    assert rematerialise(wh.url, ASSETS, CHECKS, [dataset_key(DATASETS[2]),
                                                  CATALOGUE_KEY]).success


def test_a_catalogue_that_breaks_the_shapes_blocks_the_portal_push(published, monkeypatch):
    wh, _, folder, _ = published
    build = publish_assets.build_catalogue

    def without_access_urls(*args, **kwargs):
        document = copy.deepcopy(build(*args, **kwargs))
        for dataset in document["dcat:dataset"]:
            for dist in dataset["dcat:distribution"]:
                dist.pop("dcat:accessURL")
        return document

    monkeypatch.setattr(publish_assets, "build_catalogue", without_access_urls)
    result = rematerialise(wh.url, ASSETS, CHECKS, [CATALOGUE_KEY, CKAN_KEY])
    checks = check_results(result)
    assert checks["publish/catalog:dcat_ap_shacl"] is False
    assert CKAN_KEY not in {m.asset_key for m in result.get_asset_materialization_events()}
    monkeypatch.undo()
    assert rematerialise(wh.url, ASSETS, CHECKS, [CATALOGUE_KEY]).success
    assert validate_catalogue((folder / "catalog.jsonld").read_text()).conforms


def test_with_a_portal_configured_every_dataset_is_pushed_to_ckan(published):
    wh, _, folder, mp = published
    portal, base = "https://data.example.org", "https://files.example.org/smartchange/"
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "ckan"
    mp.setenv(config.CKAN_URL_ENV, portal)
    mp.setenv(config.CKAN_KEY_ENV, "token")
    mp.setenv(config.CKAN_ORG_ENV, "smart-change")
    mp.setenv(config.BASE_URL_ENV, base)
    try:
        with responses.RequestsMock() as portal_api:
            for _ in DATASETS:
                portal_api.post(f"{portal}/api/action/package_show", status=404,
                                body=(fixtures / "package_show_not_found.json").read_text())
                portal_api.post(f"{portal}/api/action/package_create",
                                body=(fixtures / "package_create.json").read_text())
            result = rematerialise(wh.url, ASSETS, CHECKS, [CATALOGUE_KEY, CKAN_KEY])
            sent = [json.loads(c.request.body) for c in portal_api.calls
                    if c.request.url.endswith("package_create")]
        assert result.success
        assert [s["name"] for s in sent] == [
            "smartchange-" + d.name.replace("_", "-") for d in DATASETS]
        urls = [r["url"] for s in sent for r in s["resources"]]
        assert all(u.startswith(base) for u in urls) and len(urls) == sum(
            len(d.file_names) + 1 for d in DATASETS)  # the data files and datapackage.json
        # the catalogue now points at the served URLs too
        assert base + "catalog.jsonld" in (folder / "catalog.jsonld").read_text()
    finally:
        for name in (config.CKAN_URL_ENV, config.CKAN_KEY_ENV, config.CKAN_ORG_ENV,
                     config.BASE_URL_ENV):
            mp.delenv(name)
