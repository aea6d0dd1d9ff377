"""Live connector for jakarta/population, replayed with ``responses`` through the real HttpClient.

Every reply is a satudata ``/satudata/detail`` envelope around real rows of the seed's satudata
download (see test_population_parser.satudata_json_rows); nothing is fetched from the network.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import dagster as dg
import pandas as pd
import pytest
import requests
import responses

from smartchange_assets.jakarta.population.live import POPULATION_SLUGS, fetch_population_pages
from smartchange_assets.jakarta.population.parser import parse_population
from smartchange_assets.jakarta.population.source import SOURCE
from smartchange_assets.jakarta.satudata import SATUDATA_DETAIL_URL, SatudataError
from smartchange_assets.platform.http import HttpClient, HttpError
from smartchange_assets.platform.parsing import ParseError
from smartchange_assets.platform.resources import PortalResource, WarehouseResource
from smartchange_assets.platform.source_assets import build_source

from ..source_harness import check_results, upstream_assets
from .test_population_parser import SATUDATA, parse, parsed, satudata_json_rows

BOM = b"\xef\xbb\xbf"
ROWS = satudata_json_rows(12)  # the first 12 real rows, as the API lists them
PER_PAGE = 5  # the stand-in server caps pages at 5 rows, like the 25-row cap one script reports


def reply(rows: list[dict], total: int = len(ROWS)) -> bytes:
    envelope = {"data": {"title": "Data Jumlah Penduduk Provinsi DKI Jakarta Berdasarkan "
                                  "Kelompok Usia dan Jenis Kelamin", "komponen_data": "[]"},
                "filedata": rows, "totalFiledata": total,
                "periodeData": [{"periode_data": "2013"}], "lastUpdatefiledata": []}
    return BOM + json.dumps(envelope, ensure_ascii=False).encode("utf-8")


PAGES = {n + 1: reply(ROWS[i:i + PER_PAGE]) for n, i in enumerate(range(0, len(ROWS), PER_PAGE))}


class Satudata:
    """Answers by the data_no in the POSTed body; ``script`` overrides single calls in order."""

    def __init__(self, rsps, script: list | None = None):
        self.calls: list[dict] = []
        self.script = list(script or [])
        rsps.add_callback(responses.POST, SATUDATA_DETAIL_URL, callback=self.answer)

    def answer(self, request):
        body = json.loads(request.body)
        self.calls.append(body)
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, Exception):
                raise step
            if step is not None:
                return step
        return 200, {"Content-Type": "application/json"}, PAGES.get(body["data_no"], reply([]))


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def slept() -> list[float]:
    return []


@pytest.fixture
def client(slept) -> HttpClient:
    return HttpClient(min_interval_s=0, sleep=slept.append, max_attempts=3,
                      now=lambda: datetime(2025, 11, 22, tzinfo=UTC))


def staged_from(payloads) -> pd.DataFrame:
    frames = [parse(p.fetched.content, f"page-{n}.json").staged
              for n, p in enumerate(payloads, start=1)]
    return pd.concat(frames, ignore_index=True).drop(columns="source_row")


def expected_first_rows() -> pd.DataFrame:
    csv_rows = parsed(SATUDATA).staged
    return csv_rows[csv_rows["source_row"] <= len(ROWS)].drop(columns="source_row") \
        .reset_index(drop=True)


def test_pagination_lands_every_page_unchanged_and_parses_like_the_csv(rsps, client):
    server = Satudata(rsps)
    payloads = fetch_population_pages(client)
    assert [p.fetched.content for p in payloads] == [PAGES[1], PAGES[2], PAGES[3]]
    assert [c["data_no"] for c in server.calls] == [1, 2, 3]
    assert {c["page_url"] for c in server.calls} == set(POPULATION_SLUGS)
    assert all(p.period_start is None for p in payloads)  # the rows say which years they hold
    pd.testing.assert_frame_equal(staged_from(payloads), expected_first_rows())


def test_429_with_retry_after_is_honoured(rsps, client, slept):
    too_many = (429, {"Retry-After": "7"}, b"slow down")
    server = Satudata(rsps, [too_many])
    payloads = fetch_population_pages(client)
    assert len(payloads) == 3 and len(server.calls) == 4
    assert slept == [7.0]


def test_500_then_success(rsps, client, slept):
    server = Satudata(rsps, [None, (500, {}, b"Internal Server Error")])  # page 2 fails once
    payloads = fetch_population_pages(client)
    assert [c["data_no"] for c in server.calls] == [1, 2, 2, 3]
    assert [p.fetched.content for p in payloads] == [PAGES[1], PAGES[2], PAGES[3]]
    assert len(slept) == 1  # one backoff pause, injected so the test does not sleep


def test_timeout_then_success(rsps, client):
    Satudata(rsps, [requests.exceptions.ConnectTimeout("connect timed out")])
    assert len(fetch_population_pages(client)) == 3


def test_timeouts_to_the_end_fail_loudly(rsps, client):
    Satudata(rsps, [requests.exceptions.ReadTimeout("read timed out")] * 3)
    with pytest.raises(HttpError, match="ReadTimeout"):
        fetch_population_pages(client)


def test_truncated_body_fails_loudly_and_returns_nothing(rsps, client):
    # Content-Length announces page 1 whole, only half of it arrives, on every attempt
    cut = (200, {"Content-Length": str(len(PAGES[1]))}, PAGES[1][: len(PAGES[1]) // 2])
    Satudata(rsps, [cut] * 3)
    with pytest.raises(HttpError) as info:
        fetch_population_pages(client)
    assert "Content-Length" in str(info.value) or "IncompleteRead" in str(info.value)


def test_cut_json_with_a_consistent_length_is_refused_and_unparseable(rsps, client):
    cut_page = PAGES[2][:-60]  # a proxy that cut the body and fixed Content-Length
    Satudata(rsps, [None, (200, {}, cut_page)])
    with pytest.raises(SatudataError, match="page 2: reply is not JSON"):
        fetch_population_pages(client)
    with pytest.raises(ParseError, match="page-2.json"):
        parse_population(cut_page, "page-2.json")


def test_short_pull_is_a_count_mismatch(rsps, client):
    Satudata(rsps, [None, (200, {}, reply([]))])  # page 2 comes back empty, total says 12
    with pytest.raises(SatudataError, match="collected 5 rows .* totalFiledata is 12"):
        fetch_population_pages(client)


def test_live_pages_go_through_dagster_into_staging(rsps, fresh_database):
    # the live raw asset lands the three pages, staging parses them from the archive
    Satudata(rsps)
    assets, checks = build_source(SOURCE), []
    result = dg.materialize(
        [*upstream_assets(SOURCE), *assets, *checks],
        resources={"warehouse": WarehouseResource(url=fresh_database.url),
                   "portal": PortalResource(mode="live", max_attempts=1)})
    assert result.success
    assert all(check_results(result).values()), check_results(result)
    # (the platform also lands the seed in live mode; only the live pages are looked at here)
    live = ("SELECT DISTINCT sha256 FROM raw.landing_manifest WHERE source = :s"
            " AND landed_by = 'live'")
    recon = fresh_database.read_frame(
        "SELECT source_rows, staged, no_data, quarantined FROM raw.payload_reconciliation"
        f" WHERE source = :s AND payload_sha256 IN ({live})", s=SOURCE.source_id)
    assert sorted(recon["source_rows"]) == [2, 5, 5] and (recon["quarantined"] == 0).all()
    staged = fresh_database.read_frame(
        f"SELECT residents FROM {SOURCE.staging.qualified} WHERE payload_sha256 IN ({live})",
        s=SOURCE.source_id)
    assert sorted(staged["residents"]) == sorted(expected_first_rows()["residents"])
