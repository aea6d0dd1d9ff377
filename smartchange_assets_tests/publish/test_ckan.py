"""The CKAN push through ckanapi, against CKAN action-API exchanges replayed with `responses`
(fixtures/ckan, see its README): what we send, and what we make of each answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
import responses

from smartchange_assets.publish import config
from smartchange_assets.publish.ckan import PushError, package_name, push
from smartchange_assets.publish.config import CkanSettings
from smartchange_assets.publish.datasets import DATASETS

from .samples import sample_entries

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ckan"
PORTAL = "https://data.example.org"
BASE = "https://files.example.org/smartchange/"
API_KEY = "secret-api-token-123"
SETTINGS = CkanSettings(PORTAL, API_KEY, "smart-change")


def action(name: str) -> str:
    return f"{PORTAL}/api/action/{name}"


def body(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def _sent(call) -> dict:
    return json.loads(call.request.body)


@responses.activate
def test_unknown_packages_are_created_with_linked_resources_and_the_key():
    for _ in DATASETS:
        responses.post(action("package_show"), body=body("package_show_not_found.json"),
                       status=404, content_type="application/json")
        responses.post(action("package_create"), body=body("package_create.json"),
                       content_type="application/json")
    entries = sample_entries()
    pushed = push(entries, SETTINGS, BASE)
    assert [(p.dataset, p.action) for p in pushed] == [(d.name, "created") for d in DATASETS]
    creates = [c for c in responses.calls if c.request.url == action("package_create")]
    assert len(creates) == len(DATASETS)
    for call, (dataset, package) in zip(creates, entries):
        assert call.request.headers["Authorization"] == API_KEY
        sent = _sent(call)
        assert sent["name"] == package_name(dataset) == "smartchange-" + dataset.name.replace(
            "_", "-")
        assert sent["owner_org"] == "smart-change"
        assert sent["license_id"] == dataset.licence.ckan_id
        assert sent["version"] == "1"
        assert sent["title"] == dataset.title["en"]
        for lang, text in dataset.description.items():
            assert text in sent["notes"], lang
        files = {r["path"]: r for r in package["resources"]}
        for resource in sent["resources"][:-1]:  # the data files (CSV, Parquet, GeoJSON)
            described = files[resource["name"]]
            assert resource["url"] == f"{BASE}{dataset.name}/{resource['name']}"
            assert (resource["size"], resource["hash"]) == (described["bytes"],
                                                            described["hash"])
            assert resource["mimetype"] == described["mediatype"]
        assert sent["resources"][-1]["url"].endswith("/datapackage.json")
        extras = {e["key"]: e["value"] for e in sent["extras"]}
        assert (extras["temporal_start"], extras["temporal_end"]) == ("2023-01-01",
                                                                      "2023-12-31")


@responses.activate
def test_an_existing_package_is_updated_by_its_id():
    responses.post(action("package_show"), body=body("package_show_found.json"),
                   content_type="application/json")
    responses.post(action("package_update"), body=body("package_update.json"),
                   content_type="application/json")
    berlin = [e for e in sample_entries() if e[0].name == "berlin_citizen_reports"]
    pushed = push(berlin, SETTINGS, BASE)
    assert [(p.action, p.ckan_id) for p in pushed] == [
        ("updated", "c4a8e0f2-6d1b-4f3e-9a25-7b0e5d3c9f81")]
    update = _sent(responses.calls[1])
    assert update["id"] == "c4a8e0f2-6d1b-4f3e-9a25-7b0e5d3c9f81"
    # the resource list is replaced: three resources, all ours
    assert [r["name"] for r in update["resources"]] == [
        "berlin_citizen_reports.csv", "berlin_citizen_reports.parquet", "datapackage.json"]


@responses.activate
def test_not_authorised_names_the_cause_but_never_the_key():
    responses.post(action("package_show"), body=body("package_show_not_found.json"),
                   status=404, content_type="application/json")
    responses.post(action("package_create"), body=body("not_authorized.json"), status=403,
                   content_type="application/json")
    with pytest.raises(PushError, match="not authorised") as err:
        push(sample_entries()[:1], SETTINGS, BASE)
    assert "not authorized to add dataset" in str(err.value)
    assert API_KEY not in str(err.value)


@responses.activate
def test_a_validation_error_lists_the_portal_s_field_messages():
    responses.post(action("package_show"), body=body("package_show_not_found.json"),
                   status=404, content_type="application/json")
    responses.post(action("package_create"), body=body("validation_error.json"), status=409,
                   content_type="application/json")
    with pytest.raises(PushError, match="rejected") as err:
        push(sample_entries()[:1], SETTINGS, BASE)
    assert "That URL is already in use." in str(err.value)
    assert "Please choose a license" in str(err.value)


@responses.activate
def test_a_portal_that_answers_html_fails_loudly():
    responses.post(action("package_show"), body=body("bad_gateway.html"), status=502,
                   content_type="text/html")
    with pytest.raises(PushError, match="unexpected answer"):
        push(sample_entries()[:1], SETTINGS, BASE)


@responses.activate
def test_an_unreachable_portal_fails_loudly():
    responses.post(action("package_show"), body=requests.ConnectionError("refused"))
    with pytest.raises(PushError, match="unreachable"):
        push(sample_entries()[:1], SETTINGS, BASE)


@responses.activate
def test_a_file_url_base_is_refused_before_any_request():
    with pytest.raises(PushError, match="SMARTCHANGE_PUBLISH_BASE_URL"):
        push(sample_entries(), SETTINGS, "file:///srv/publish/")
    assert len(responses.calls) == 0


def test_the_push_is_configured_from_the_environment(monkeypatch):
    for name in (config.CKAN_URL_ENV, config.CKAN_KEY_ENV, config.CKAN_ORG_ENV):
        monkeypatch.delenv(name, raising=False)
    assert config.ckan_settings() is None
    monkeypatch.setenv(config.CKAN_URL_ENV, PORTAL + "/")
    assert config.ckan_settings() is None           # a URL without a key: not configured
    monkeypatch.setenv(config.CKAN_KEY_ENV, API_KEY)
    assert config.ckan_settings() == CkanSettings(PORTAL, API_KEY, None)
