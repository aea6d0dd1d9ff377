"""The Ordnungsamt-Online live connector, replayed with ``responses`` through the real HttpClient.

Bodies are the bytes of the real recorded reply (the seed file) or built from it: cut short,
with ``success: false``, or paginated (the first 1,000 reports with ``itemsPerPage`` 1000). The
503, 429 and timeout replies carry no body of interest and are written inline.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import requests
import responses

from smartchange_assets.berlin.citizen_reports.live import (
    MELDUNGEN_URL,
    READ_TIMEOUT_S,
    OrdnungsamtPayloadError,
    fetch_window,
    patient_client,
)
from smartchange_assets.berlin.citizen_reports.source import SOURCE, fetch_live
from smartchange_assets.platform.http import HttpClient, HttpError

from ..seed_files import SEED

REAL = (SEED / "berlin" / "citizen_reports"
        / "ordnungsamt_meldungen_2023-11.json").read_bytes()
NOW = datetime(2023, 11, 23, 5, 30, tzinfo=UTC)


class FakeClock:
    """Monotonic clock + sleep that only advance time and record the waits."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


class MaxJitter:
    """Full jitter always at the top of its range, so the waits are exact."""

    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(clock) -> HttpClient:
    # the portal's client as PortalResource builds it (60 s reads), with fake time
    return HttpClient(read_timeout=60, min_interval_s=0, sleep=clock.sleep,
                      clock=clock.monotonic, now=lambda: NOW, rng=MaxJitter())


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def derived(change) -> bytes:
    doc = json.loads(REAL)
    change(doc)
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def test_window_is_returned_byte_for_byte_with_a_long_read_timeout(rsps, client, clock):
    rsps.add(responses.GET, MELDUNGEN_URL, body=REAL, content_type="application/json")
    (live,) = fetch_live(client)
    assert live.fetched.content == REAL
    assert live.fetched.url == MELDUNGEN_URL and live.fetched.status == 200
    assert live.fetched.fetched_at == NOW
    assert (live.period_start, live.period_end) == (date(2023, 11, 23), date(2023, 11, 23))
    assert rsps.calls[0].request.req_kwargs["timeout"] == (10.0, READ_TIMEOUT_S)
    assert clock.sleeps == []
    # the bytes landed are what the parser reads
    assert len(SOURCE.parser(live.fetched.content, "live.json").staged) == 5842


def test_503_then_success_waits_30_s(rsps, client, clock):
    rsps.add(responses.GET, MELDUNGEN_URL, status=503, body=b"Service Unavailable")
    rsps.add(responses.GET, MELDUNGEN_URL, body=REAL)
    assert fetch_window(client).content == REAL
    assert clock.sleeps == [30.0]


def test_503_every_time_retries_30_60_120_then_fails_naming_the_url(rsps, client, clock):
    for _ in range(4):
        rsps.add(responses.GET, MELDUNGEN_URL, status=503, body=b"Service Unavailable")
    with pytest.raises(HttpError) as info:
        fetch_window(client)
    assert clock.sleeps == [30.0, 60.0, 120.0]
    assert MELDUNGEN_URL in str(info.value) and "503" in str(info.value)
    assert len(rsps.calls) == 4


def test_429_with_retry_after_is_honoured(rsps, client, clock):
    rsps.add(responses.GET, MELDUNGEN_URL, status=429, headers={"Retry-After": "7"})
    rsps.add(responses.GET, MELDUNGEN_URL, body=REAL)
    assert fetch_window(client).content == REAL
    assert clock.sleeps == [7.0]


def test_read_timeout_then_success(rsps, client, clock):
    rsps.add(responses.GET, MELDUNGEN_URL,
             body=requests.exceptions.ReadTimeout("read timed out after 600 s"))
    rsps.add(responses.GET, MELDUNGEN_URL, body=REAL)
    assert fetch_window(client).content == REAL
    assert clock.sleeps == [30.0]


def test_body_shorter_than_content_length_is_retried_then_fails(rsps, client, clock):
    # derived: the real reply cut at 100 kB, Content-Length announcing all of it
    for _ in range(4):
        rsps.add(responses.GET, MELDUNGEN_URL, body=REAL[:100_000],
                 headers={"Content-Length": str(len(REAL))})
    result = None
    with pytest.raises(HttpError) as info:
        result = fetch_live(client)
    assert result is None  # nothing to land
    assert MELDUNGEN_URL in str(info.value) and "4 attempts" in str(info.value)


def test_cut_body_without_length_fails_loudly_and_returns_nothing(rsps, client):
    # derived: the real reply cut at 100 kB by a proxy that sent no Content-Length for it
    rsps.add(responses.GET, MELDUNGEN_URL, body=REAL[:100_000])
    result = None
    with pytest.raises(OrdnungsamtPayloadError) as info:
        result = fetch_live(client)
    assert result is None
    assert MELDUNGEN_URL in str(info.value) and "not JSON" in str(info.value)


def test_paginated_reply_is_an_incomplete_window(rsps, client):
    # derived: the first 1,000 real reports, as if the server had started paginating
    def paginate(doc):
        doc["index"] = doc["index"][:1000]
        doc["results"]["itemsPerPage"] = 1000
    rsps.add(responses.GET, MELDUNGEN_URL, body=derived(paginate))
    with pytest.raises(OrdnungsamtPayloadError,
                       match=r"count is 5842 \(itemsPerPage 1000\) but index holds 1000"):
        fetch_window(client)


def test_success_false_is_an_error_naming_the_url(rsps, client):
    # derived: the real envelope with the API's failure flag
    def fail(doc):
        doc["messages"] = {"messages": ["Datenbank nicht erreichbar"], "success": False}
        doc["index"], doc["results"] = [], {"count": 0, "itemsPerPage": 0}
    rsps.add(responses.GET, MELDUNGEN_URL, body=derived(fail))
    with pytest.raises(OrdnungsamtPayloadError) as info:
        fetch_window(client)
    assert MELDUNGEN_URL in str(info.value) and "Datenbank nicht erreichbar" in str(info.value)


def test_html_error_page_is_an_error(rsps, client):
    rsps.add(responses.GET, MELDUNGEN_URL, body=b"<html><body>Wartungsarbeiten</body></html>",
             content_type="text/html")
    with pytest.raises(OrdnungsamtPayloadError, match="not JSON"):
        fetch_window(client)


def test_patient_client_keeps_session_and_injection_points(client, clock):
    patient = patient_client(client)
    assert patient.session is client.session
    assert patient.timeout == (10.0, READ_TIMEOUT_S)
    assert (patient.backoff_base_s, patient.backoff_cap_s, patient.max_attempts) == (30, 120, 4)
    patient._sleep(1.5)
    assert clock.sleeps == [1.5]
