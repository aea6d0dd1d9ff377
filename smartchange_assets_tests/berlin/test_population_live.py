"""EWR live connector, replayed with ``responses`` through the real HttpClient.

Bodies are the bytes of the real seed files (the whole 2019 Matrix CSV, the Bezirk 01 excerpt
of the 2024 one), served at the official URLs; the faults are cuts of those bytes, or clearly
synthetic error pages. Nothing sleeps: ``sleep`` records the waits.
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime

import dagster as dg
import pytest
import requests
import responses

from smartchange_assets.berlin.population import live
from smartchange_assets.berlin.population.live import (
    EwrPayloadError,
    ewr_url,
    fetch_ewr_year,
    fetch_live,
    live_years,
)
from smartchange_assets.berlin.population.source import SOURCE
from smartchange_assets.platform import source_assets as platform_source
from smartchange_assets.platform.http import HttpClient, HttpError
from smartchange_assets.platform.resources import PortalResource, WarehouseResource

from ..seed_files import SEED

SEED = SEED / "berlin" / "population"
BODY_2024 = (SEED / "ewr_EWR_L21_202412E_Matrix_bezirk01.csv").read_bytes()
BODY_2019 = (SEED / "EWR201912E_Matrix.csv").read_bytes()
URL_2024 = "https://www.statistik-berlin-brandenburg.de/opendata/EWR_L21_202412E_Matrix.csv"
URL_2025 = "https://www.statistik-berlin-brandenburg.de/opendata/EWR_L21_202512E_Matrix.csv"
URL_2019 = "https://www.statistik-berlin-brandenburg.de/opendata/EWR201912E_Matrix.csv"
HTML = (b"<!DOCTYPE html>\n<html lang=\"de\"><head><title>Statistik Berlin Brandenburg"
        b"</title></head><body>Seite nicht gefunden</body></html>")


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def client(waits) -> HttpClient:
    return HttpClient(min_interval_s=0, sleep=waits.append, max_attempts=3,
                      now=lambda: datetime(2026, 1, 15, tzinfo=UTC))


def test_urls_per_vintage():
    assert ewr_url(2024) == URL_2024 and ewr_url(2019) == URL_2019
    assert ewr_url(2008).endswith("/EWR200812E_Matrix.csv")
    for year in (2021, 2023):
        with pytest.raises(ValueError, match="not published as CSV"):
            ewr_url(year)
    with pytest.raises(ValueError):
        ewr_url(2007)
    assert live_years(dt.date(2026, 11, 27)) == [2024, 2025]
    assert live_years(dt.date(2024, 6, 1)) == []


def test_year_returns_the_real_bytes_unchanged(rsps, client):
    rsps.add(responses.GET, URL_2024, body=BODY_2024, content_type="text/csv")
    payload = fetch_ewr_year(client, 2024)
    assert payload.content == BODY_2024 and payload.url == URL_2024 and payload.status == 200
    assert live.validate_ewr_csv(payload) == 49


def test_one_request_per_year_and_an_unpublished_newest_year_is_skipped(rsps, client):
    # no pagination: a year is one file; 2025 not out yet (404) is skipped, 2024 is landed
    rsps.add(responses.GET, URL_2024, body=BODY_2024)
    rsps.add(responses.GET, URL_2025, status=404, body=b"Not Found")
    payloads = fetch_live(client, years=[2025, 2024])
    assert [p.fetched.url for p in payloads] == [URL_2024]
    assert (payloads[0].period_start, payloads[0].period_end) == (dt.date(2024, 12, 31),) * 2
    assert [c.request.url for c in rsps.calls] == [URL_2024, URL_2025]


def test_a_missing_year_that_is_not_the_newest_fails(rsps, client):
    rsps.add(responses.GET, URL_2024, status=404, body=b"Not Found")
    rsps.add(responses.GET, URL_2025, body=BODY_2024)
    with pytest.raises(HttpError, match="404") as err:
        fetch_live(client, years=[2024, 2025])
    assert err.value.url == URL_2024


def test_429_with_retry_after_is_honoured(rsps, client, waits):
    rsps.add(responses.GET, URL_2024, status=429, headers={"Retry-After": "7"}, body=b"slow")
    rsps.add(responses.GET, URL_2024, body=BODY_2024)
    assert fetch_ewr_year(client, 2024).content == BODY_2024
    assert waits == [7.0] and len(rsps.calls) == 2


def test_500_then_success(rsps, client, waits):
    rsps.add(responses.GET, URL_2024, status=500, body=b"Internal Server Error")
    rsps.add(responses.GET, URL_2024, body=BODY_2024)
    assert fetch_ewr_year(client, 2024).content == BODY_2024
    assert len(rsps.calls) == 2 and len(waits) == 1


def test_timeout_then_success_and_timeouts_only_fail_naming_the_url(rsps, client):
    rsps.add(responses.GET, URL_2024, body=requests.exceptions.ReadTimeout("read timed out"))
    rsps.add(responses.GET, URL_2024, body=BODY_2024)
    assert fetch_ewr_year(client, 2024).content == BODY_2024
    rsps.replace(responses.GET, URL_2024,
                 body=requests.exceptions.ConnectTimeout("connect timed out"))
    with pytest.raises(HttpError) as err:
        fetch_ewr_year(client, 2024)
    assert URL_2024 in str(err.value) and "ConnectTimeout" in str(err.value)


def test_body_shorter_than_content_length_fails_and_returns_nothing(rsps, client):
    rsps.add(responses.GET, URL_2024, body=BODY_2024[:5000],
             headers={"Content-Length": str(len(BODY_2024))})
    with pytest.raises(HttpError) as err:
        fetch_live(client, years=[2024])
    assert URL_2024 in str(err.value) and len(rsps.calls) == 3  # retried, then given up


def test_body_cut_mid_row_without_content_length_fails(rsps, client):
    cut = BODY_2024[: len(BODY_2024) - 40]
    rsps.add(responses.GET, URL_2024, body=cut, stream=True)
    with pytest.raises(EwrPayloadError) as err:
        fetch_ewr_year(client, 2024)
    assert URL_2024 in str(err.value) and "truncated" in str(err.value)


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/csv"])
def test_old_url_answering_html_fails_naming_the_url(rsps, client, content_type):
    rsps.add(responses.GET, URL_2019, body=HTML, content_type=content_type)
    with pytest.raises(EwrPayloadError) as err:
        fetch_ewr_year(client, 2019)
    assert URL_2019 in str(err.value) and "HTML" in str(err.value)


def test_old_url_answering_the_csv_is_fetched(rsps, client):
    rsps.add(responses.GET, URL_2019, body=BODY_2019, content_type="text/csv")
    assert fetch_ewr_year(client, 2019).content == BODY_2019


def test_csv_that_is_not_the_matrix_fails(rsps, client):
    rsps.add(responses.GET, URL_2024, body=b"Jahr;Bezirk;Einwohner\n2024;Mitte;397134\n")
    with pytest.raises(EwrPayloadError, match="lacks \\['ZEIT', 'RAUMID', 'E_E'\\]"):
        fetch_ewr_year(client, 2024)


# --------------------------------------------------------------------------------------------
# the raw asset in live mode, on Postgres: what lands and what does not


def _live_raw_run(wh, monkeypatch, client):
    monkeypatch.setattr(PortalResource, "client", lambda self: client)
    monkeypatch.setattr(live, "live_years", lambda today=None: [2024])
    monkeypatch.setattr(platform_source, "SOURCE_RETRY", None)  # fail once, not 3 times
    raw = platform_source.build_source(SOURCE)[0]
    return dg.materialize([raw], resources={"warehouse": WarehouseResource(url=wh.url),
                                            "portal": PortalResource(mode="live")},
                          raise_on_error=False)


def _landed(wh):
    # the seed is landed in live mode too; these tests are about what the portal gave
    return wh.read_frame("SELECT origin, sha256, size_bytes, landed_by, period_start,"
                         " period_end FROM raw.landing_manifest WHERE source = :s"
                         " AND landed_by = 'live'", s=SOURCE.source_id)


def test_live_raw_asset_lands_the_fetched_bytes(fresh_database, rsps, client, monkeypatch):
    rsps.add(responses.GET, URL_2024, body=BODY_2024, content_type="text/csv")
    result = _live_raw_run(fresh_database, monkeypatch, client)
    assert result.success
    landed = _landed(fresh_database)
    assert len(landed) == 1
    row = landed.iloc[0]
    assert (row["origin"], row["size_bytes"], row["landed_by"]) == (URL_2024, len(BODY_2024),
                                                                    "live")
    assert row["period_start"] == row["period_end"] == dt.date(2024, 12, 31)


@pytest.mark.parametrize("fault", ["truncated", "html"])
def test_live_raw_asset_lands_nothing_from_a_bad_body(fresh_database, rsps, client,
                                                      monkeypatch, fault):
    if fault == "truncated":
        rsps.add(responses.GET, URL_2024, body=BODY_2024[:5000],
                 headers={"Content-Length": str(len(BODY_2024))})
    else:
        rsps.add(responses.GET, URL_2024, body=HTML, content_type="text/html")
    result = _live_raw_run(fresh_database, monkeypatch, client)
    assert not result.success
    assert _landed(fresh_database).empty
    assert fresh_database.scalar(
        "SELECT count(*) FROM raw.landing_payload p WHERE NOT EXISTS (SELECT 1 FROM "
        "raw.landing_manifest m WHERE m.sha256 = p.sha256 AND m.landed_by = 'seed')") == 0
