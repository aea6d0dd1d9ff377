"""The DCAT-AP 3.0.1 catalogue against the official SHACL shapes (pyshacl): the generated one
has no violation; planted defects each produce the violation they should."""

from __future__ import annotations

import copy
import json

import pytest

from smartchange_assets.publish.assets import catalogue_check_result
from smartchange_assets.publish.catalogue import build_catalogue
from smartchange_assets.publish.datasets import DATASETS
from smartchange_assets.publish.shacl import SHAPE_FILES, SHAPES_DIR, validate_catalogue

from .samples import sample_entries

BASE = "https://data.example.org/smartchange/"
DCAT, DCT, SPDX = ("http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/",
                   "http://spdx.org/rdf/terms#")


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return build_catalogue(BASE, sample_entries(), issued="2025-01-06T09:13:02+00:00")


def _validate(document: dict):
    return validate_catalogue(json.dumps(document))


def test_the_shapes_are_the_official_release_files_unchanged():
    import hashlib

    # SHA-256 of the SEMIC release files (SEMICeu/DCAT-AP 7c531da, releases/3.0.1)
    expected = {
        "dcat-ap-SHACL.ttl":
            "990d3e42721de6a4be8cc338a7171559f195e62dea89c0b56531356b78cc026f",
        "ranges.ttl":
            "a6eed0fae8d0f5ca977fe2098ca12081ac60b0efe1ddce802d5c08e49505ebcc",
        "shapes_recommended.ttl":
            "9afbf23f1f56d10d6839259684934137e20506a9aedce0249b619bbc593b9abd",
    }
    actual = {n: hashlib.sha256((SHAPES_DIR / n).read_bytes()).hexdigest() for n in SHAPE_FILES}
    assert actual == expected


def test_generated_catalogue_has_no_violation_and_no_warning(catalogue):
    report = _validate(catalogue)
    assert report.conforms, [str(f) for f in report.violations]
    assert report.violations == [] and report.warnings == []
    # the release's dangling property-shape references (SEMICeu/DCAT-AP#448) were dropped
    assert report.dangling_shape_refs == 5


def test_catalogue_carries_what_the_issue_lists(catalogue):
    datasets = catalogue["dcat:dataset"]
    # the citizen reports (3), monthly air quality, the three indicator marts, the area shapes
    assert len(datasets) == len(DATASETS) == 8
    # the comparison report is a page (documentation) of the comparison, not a distribution
    pages = {ds["dct:identifier"]: [p["@id"] for p in ds["foaf:page"]] for ds in datasets}
    assert pages["city_comparison"] == [BASE + "city_comparison/datapackage.json",
                                        BASE + "comparison_report.html"]
    assert pages["city_indicators"] == [BASE + "city_indicators/datapackage.json"]
    for ds in datasets:
        languages = {t["@language"] for t in ds["dct:title"]}
        assert "en" in languages and languages & {"id", "de"}
        assert {t["@language"] for t in ds["dct:description"]} == languages
        for key in ("dct:publisher", "dct:temporal", "dct:spatial", "dct:modified",
                    "dcat:theme", "dcat:keyword"):
            assert ds[key], key
        for dist in ds["dcat:distribution"]:
            assert dist["dcat:accessURL"]["@id"] == dist["dcat:downloadURL"]["@id"]
            assert dist["dcat:downloadURL"]["@id"].startswith(BASE + ds["dct:identifier"])
            assert dist["dcat:mediaType"]["@id"].startswith("http://www.iana.org/")
            assert int(dist["dcat:byteSize"]["@value"]) > 0
            assert len(dist["spdx:checksum"]["spdx:checksumValue"]["@value"]) == 64
            assert dist["dct:license"]["@type"] == "dct:LicenseDocument"


def _first_distribution(document: dict) -> dict:
    return document["dcat:dataset"][0]["dcat:distribution"][0]


def _violations(document: dict) -> set[tuple[str, str]]:
    return {(f.focus, f.path) for f in _validate(document).violations}


def test_a_distribution_without_access_url_is_a_violation(catalogue):
    broken = copy.deepcopy(catalogue)
    dist = _first_distribution(broken)
    del dist["dcat:accessURL"]
    assert _violations(broken) == {(dist["@id"], DCAT + "accessURL")}


def test_a_dataset_without_title_is_a_violation(catalogue):
    broken = copy.deepcopy(catalogue)
    del broken["dcat:dataset"][1]["dct:title"]
    assert _violations(broken) == {(broken["dcat:dataset"][1]["@id"], DCT + "title")}


def test_a_checksum_that_is_not_hex_binary_is_a_violation(catalogue):
    broken = copy.deepcopy(catalogue)
    checksum = _first_distribution(broken)["spdx:checksum"]["spdx:checksumValue"]
    checksum["@type"] = "xsd:string"
    assert any(path == SPDX + "checksumValue" for _, path in _violations(broken))


def test_a_publisher_that_is_not_an_agent_is_a_violation(catalogue):
    broken = copy.deepcopy(catalogue)
    broken["dcat:dataset"][0]["dct:publisher"] = {"@id": "https://example.org/someone"}
    assert (broken["dcat:dataset"][0]["@id"], DCT + "publisher") in _violations(broken)


def test_a_byte_size_that_is_negative_is_a_violation(catalogue):
    broken = copy.deepcopy(catalogue)
    _first_distribution(broken)["dcat:byteSize"] = {"@value": "-1",
                                                    "@type": "xsd:integer"}
    assert any(path == DCAT + "byteSize" for _, path in _violations(broken))


def test_the_blocking_check_fails_on_a_broken_file_and_on_no_json_ld(catalogue, tmp_path):
    good, broken, garbage = (tmp_path / n for n in ("good.jsonld", "broken.jsonld", "x.jsonld"))
    good.write_text(json.dumps(catalogue), encoding="utf-8")
    bad = copy.deepcopy(catalogue)
    del _first_distribution(bad)["dcat:accessURL"]
    broken.write_text(json.dumps(bad), encoding="utf-8")
    garbage.write_text('{"@context": {"dcat": ', encoding="utf-8")
    assert catalogue_check_result(good).passed
    result = catalogue_check_result(broken)
    assert not result.passed and "accessURL" in result.description
    assert result.metadata["violations"].value == 1
    assert not catalogue_check_result(garbage).passed
    assert not catalogue_check_result(tmp_path / "missing.jsonld").passed
