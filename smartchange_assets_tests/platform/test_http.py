"""HttpClient: retries, backoff, Retry-After, throttling, truncation, errors, User-Agent.

Replies are replayed with ``responses`` through the real ``requests`` code path; one test uses a
real loopback socket to check the truncation and User-Agent behaviour below ``responses``.
Nothing sleeps: ``sleep`` and ``clock`` are a fake clock.
"""

from __future__ import annotations

import gzip
import http.server
import io
import json
import logging
import random
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import requests
import responses
import urllib3
from requests.adapters import BaseAdapter

from smartchange_assets.platform.http import (
    USER_AGENT,
    FetchedPayload,
    HttpClient,
    HttpError,
    parse_retry_after,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "http"
BLUME_MARCH = (FIXTURES / "blume_api_mc010_2024-03_1h.json").read_bytes()
URL = "https://luftdaten.berlin.de/api/stations/mc010/data"
NOW = datetime(2024, 4, 2, 8, 30, tzinfo=UTC)


class FakeClock:
    """Monotonic clock + sleep that only advances time and records the waits."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


class MaxJitter:
    """rng stand-in: full jitter always picks the top of the range, so delays are exact."""

    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def make_client(clock: FakeClock, **kw) -> HttpClient:
    opts = dict(sleep=clock.sleep, clock=clock.monotonic, now=lambda: NOW, rng=MaxJitter(),
                min_interval_s=0.0, backoff_base_s=1.0, backoff_cap_s=30.0)
    opts.update(kw)
    return HttpClient(**opts)


# --- happy path ----------------------------------------------------------------------------------

def test_get_returns_raw_bytes_and_manifest_metadata(rsps, clock):
    rsps.add(responses.GET, URL, body=BLUME_MARCH, content_type="application/json")
    payload = make_client(clock).get(URL, params={"period": "1h", "start[date]": "01.03.2024"})

    assert isinstance(payload, FetchedPayload)
    assert payload.content == BLUME_MARCH  # byte-for-byte, never re-encoded
    assert payload.status == 200
    assert payload.content_type == "application/json"
    assert payload.url == URL + "?period=1h&start%5Bdate%5D=01.03.2024"
    assert payload.fetched_at == NOW and payload.fetched_at.tzinfo is not None
    assert payload.request == {"method": "GET", "url": URL,
                               "params": {"period": "1h", "start[date]": "01.03.2024"}}
    assert clock.sleeps == []


def test_fetched_at_defaults_to_aware_utc(rsps):
    rsps.add(responses.GET, URL, body=b"[]")
    payload = HttpClient(min_interval_s=0).get(URL)
    assert payload.fetched_at.utcoffset() == timedelta(0)


def test_post_json_sends_body_and_records_it(rsps, clock):
    rsps.add(responses.POST, URL, body=b"{}")
    body = {"page_url": "x", "kategori": "dataset", "data_no": 1, "per_page": 100}
    payload = make_client(clock).post_json(URL, body)
    sent = rsps.calls[0].request
    assert json.loads(sent.body) == body
    assert sent.headers["Content-Type"] == "application/json"
    assert payload.request == {"method": "POST", "url": URL, "body": body}


def test_user_agent_is_sent_and_is_wire_safe(rsps, clock):
    rsps.add(responses.GET, URL, body=b"[]")
    make_client(clock).get(URL)
    sent = rsps.calls[0].request.headers["User-Agent"]
    assert sent == USER_AGENT
    assert sent.startswith("smartchange/0.1.0 (+https://github.com/smartchange; ")
    assert "Smart Change data platform" in sent
    sent.encode("ascii")  # http.client encodes header values as Latin-1; ASCII is safe anywhere


# --- retries -------------------------------------------------------------------------------------

def test_429_with_retry_after_seconds_then_success(rsps, clock):
    rsps.add(responses.GET, URL, status=429, body=b"slow down", headers={"Retry-After": "7"})
    rsps.add(responses.GET, URL, body=BLUME_MARCH)
    payload = make_client(clock).get(URL)
    assert payload.content == BLUME_MARCH
    assert clock.sleeps == [7]
    assert len(rsps.calls) == 2


def test_429_with_retry_after_http_date(rsps, clock):
    when = format_datetime(NOW + timedelta(seconds=30), usegmt=True)
    rsps.add(responses.GET, URL, status=429, headers={"Retry-After": when})
    rsps.add(responses.GET, URL, body=b"[]")
    make_client(clock).get(URL)
    assert clock.sleeps == [30]


def test_retry_after_is_capped(rsps, clock):
    rsps.add(responses.GET, URL, status=503, headers={"Retry-After": "3600"})
    rsps.add(responses.GET, URL, body=b"[]")
    make_client(clock, max_retry_after_s=45).get(URL)
    assert clock.sleeps == [45]


def test_500_then_success_uses_backoff(rsps, clock):
    rsps.add(responses.GET, URL, status=500, body=b"oops")
    rsps.add(responses.GET, URL, body=BLUME_MARCH)
    payload = make_client(clock, backoff_base_s=1.5).get(URL)
    assert payload.content == BLUME_MARCH
    assert clock.sleeps == [1.5]  # retry 1: uniform(0, base) -> top of range with MaxJitter


@pytest.mark.parametrize("exc", [
    requests.exceptions.ConnectTimeout("connect timed out"),
    requests.exceptions.ReadTimeout("read timed out"),
    requests.exceptions.ConnectionError("connection reset"),
    requests.exceptions.SSLError("TLS handshake dropped"),  # satudata does this (REPORT §0.1)
])
def test_connection_problem_then_success(rsps, clock, exc):
    rsps.add(responses.GET, URL, body=exc)
    rsps.add(responses.GET, URL, body=b"[]")
    payload = make_client(clock).get(URL)
    assert payload.content == b"[]"
    assert len(rsps.calls) == 2
    assert clock.sleeps == [1.0]


def test_exhausted_retries_raise_naming_url_attempts_and_cause(rsps, clock):
    rsps.add(responses.GET, URL, status=503, body=b"maintenance")
    client = make_client(clock, max_attempts=4)
    with pytest.raises(HttpError) as info:
        client.get(URL, params={"period": "1h"})
    err = info.value
    msg = str(err)
    assert URL + "?period=1h" in msg
    assert "4 attempts" in msg and "503" in msg
    assert err.attempts == 4 and err.status == 503
    assert len(rsps.calls) == 4
    assert clock.sleeps == [1.0, 2.0, 4.0]  # exponential, no sleep after the last attempt


def test_exhausted_connection_errors_name_the_cause(rsps, clock):
    rsps.add(responses.GET, URL, body=requests.exceptions.ConnectTimeout("timed out"))
    with pytest.raises(HttpError) as info:
        make_client(clock, max_attempts=3).get(URL)
    assert "ConnectTimeout" in str(info.value) and URL in str(info.value)
    assert info.value.status is None
    assert isinstance(info.value.__cause__, requests.exceptions.ConnectTimeout)


def test_backoff_is_capped(rsps, clock):
    rsps.add(responses.GET, URL, status=502)
    with pytest.raises(HttpError):
        make_client(clock, max_attempts=5, backoff_base_s=1.0, backoff_cap_s=3.0).get(URL)
    assert clock.sleeps == [1.0, 2.0, 3.0, 3.0]


def test_full_jitter_stays_within_the_exponential_ceiling(rsps, clock):
    rsps.add(responses.GET, URL, status=500)
    with pytest.raises(HttpError):
        make_client(clock, max_attempts=5, rng=random.Random(1234)).get(URL)
    assert len(clock.sleeps) == 4
    for n, slept in enumerate(clock.sleeps, start=1):
        assert 0.0 <= slept <= 2 ** (n - 1)


def test_default_max_attempts_is_five(rsps, clock):
    rsps.add(responses.GET, URL, status=504)
    with pytest.raises(HttpError):
        make_client(clock).get(URL)
    assert len(rsps.calls) == 5


# --- non-retryable -------------------------------------------------------------------------------

def test_404_fails_immediately_with_url_status_and_body(rsps, clock):
    rsps.add(responses.GET, URL, status=404, body=b'{"message":"Station not found"}')
    with pytest.raises(HttpError) as info:
        make_client(clock).get(URL)
    msg = str(info.value)
    assert URL in msg and "404" in msg and "Station not found" in msg
    assert info.value.status == 404 and info.value.attempts == 1
    assert len(rsps.calls) == 1
    assert clock.sleeps == []


def test_other_request_exceptions_are_not_retried(rsps, clock):
    rsps.add(responses.GET, URL, body=requests.exceptions.TooManyRedirects("loop"))
    with pytest.raises(HttpError) as info:
        make_client(clock).get(URL)
    assert URL in str(info.value)
    assert len(rsps.calls) == 1 and clock.sleeps == []


def test_invalid_settings_are_rejected():
    with pytest.raises(ValueError):
        HttpClient(max_attempts=0)
    with pytest.raises(ValueError):
        HttpClient(read_timeout=0)
    with pytest.raises(ValueError):
        HttpClient(min_interval_s=-1)


def test_timeouts_are_passed_to_requests(rsps, clock):
    rsps.add(responses.GET, URL, body=b"[]")
    make_client(clock, connect_timeout=3, read_timeout=20).get(URL)
    assert rsps.calls[0].request.req_kwargs["timeout"] == (3, 20)


# --- truncation ----------------------------------------------------------------------------------

def test_truncated_body_is_retried_then_fails_and_nothing_is_returned(rsps, clock):
    # Content-Length announces the whole file, only the first 1000 bytes arrive.
    rsps.add(responses.GET, URL, body=BLUME_MARCH[:1000],
             headers={"Content-Length": str(len(BLUME_MARCH))})
    client = make_client(clock, max_attempts=3)
    result = None
    with pytest.raises(HttpError) as info:
        result = client.get(URL)
    assert result is None
    assert "3 attempts" in str(info.value) and URL in str(info.value)
    assert "IncompleteRead" in str(info.value) or "Content-Length" in str(info.value)
    assert len(rsps.calls) == 3


def test_truncated_body_then_complete_body(rsps, clock):
    rsps.add(responses.GET, URL, body=BLUME_MARCH[:1000],
             headers={"Content-Length": str(len(BLUME_MARCH))})
    rsps.add(responses.GET, URL, body=BLUME_MARCH)
    assert make_client(clock).get(URL).content == BLUME_MARCH
    assert len(rsps.calls) == 2


class _MismatchAdapter(BaseAdapter):
    """A transport whose body disagrees with Content-Length without urllib3 noticing."""

    def __init__(self, body: bytes, content_length: int, extra_headers: dict | None = None):
        super().__init__()
        self.body, self.content_length, self.extra = body, content_length, extra_headers or {}
        self.sent = 0

    def send(self, request, **kwargs):
        self.sent += 1
        headers = {"Content-Length": str(self.content_length), **self.extra}
        resp = requests.Response()
        resp.status_code = 200
        resp.reason = "OK"
        resp.url = request.url
        resp.request = request
        resp.headers.update(headers)
        # a streamed body, as requests' own adapter hands it over, minus urllib3's length check
        resp.raw = urllib3.HTTPResponse(body=io.BytesIO(self.body), headers=headers, status=200,
                                        preload_content=False, decode_content=False,
                                        enforce_content_length=False)
        return resp

    def close(self):
        pass


def test_explicit_content_length_check_catches_what_the_transport_missed(clock):
    session = requests.Session()
    adapter = _MismatchAdapter(BLUME_MARCH[:500], len(BLUME_MARCH))
    session.mount("https://", adapter)
    client = make_client(clock, session=session, max_attempts=2)
    with pytest.raises(HttpError) as info:
        client.get(URL)
    assert "Content-Length" in str(info.value) and "500 bytes" in str(info.value)
    assert adapter.sent == 2


def test_length_check_counts_the_coded_bytes_of_a_content_coded_body(clock):
    # With gzip, Content-Length counts encoded bytes; the payload is the decoded body.
    coded = gzip.compress(BLUME_MARCH)
    session = requests.Session()
    session.mount("https://", _MismatchAdapter(coded, len(coded), {"Content-Encoding": "gzip"}))
    assert make_client(clock, session=session).get(URL).content == BLUME_MARCH
    short = requests.Session()
    short.mount("https://", _MismatchAdapter(coded, len(coded) + 7,
                                             {"Content-Encoding": "gzip"}))
    with pytest.raises(HttpError, match="Content-Length"):
        make_client(clock, session=short, max_attempts=1).get(URL)


def test_loopback_socket_truncation_and_user_agent_on_the_wire(clock):
    """Below responses: a real server that sends 5 of 100 announced bytes and hangs up."""
    seen_agents: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server API
            seen_agents.append(self.headers.get("User-Agent"))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"[1,2]")
            self.close_connection = True

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/api/stations/mc010/data"
        client = make_client(clock, max_attempts=2, connect_timeout=5, read_timeout=5)
        with pytest.raises(HttpError) as info:
            client.get(url)
        assert url in str(info.value)
        assert seen_agents == [USER_AGENT, USER_AGENT]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- throttle ------------------------------------------------------------------------------------

def test_min_interval_between_requests_with_fake_clock(rsps, clock):
    started: list[float] = []

    def reply(request):
        started.append(clock.t)
        return 200, {}, b"[]"

    rsps.add_callback(responses.GET, URL, callback=reply)
    client = make_client(clock, min_interval_s=2.0)
    client.get(URL)
    client.get(URL)
    clock.t += 0.5  # some work between calls counts towards the interval
    client.get(URL)
    clock.t += 10.0  # long pause: no throttle wait at all
    client.get(URL)
    assert started == [0.0, 2.0, 4.0, 14.0]
    assert clock.sleeps == [2.0, 1.5]


def test_throttle_also_spaces_retries(rsps, clock):
    rsps.add(responses.GET, URL, status=500)
    rsps.add(responses.GET, URL, body=b"[]")
    make_client(clock, min_interval_s=2.0, backoff_base_s=0.5).get(URL)
    assert clock.sleeps == [0.5, 1.5]  # backoff, then the rest of the 2 s interval


# --- logging and helpers -------------------------------------------------------------------------

def test_each_attempt_is_logged(rsps, clock, caplog):
    rsps.add(responses.GET, URL, status=500)
    rsps.add(responses.GET, URL, body=b"[]")
    with caplog.at_level(logging.INFO, logger="smartchange.http"):
        make_client(clock).get(URL)
    messages = [r.getMessage() for r in caplog.records if r.name == "smartchange.http"]
    assert any("attempt 1/5" in m for m in messages)
    assert any("attempt 2/5" in m for m in messages)
    assert any("retrying" in m for m in messages)


@pytest.mark.parametrize("value, expected", [
    ("7", 7.0),
    (" 0 ", 0.0),
    ("-3", 0.0),
    (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
    (format_datetime(NOW - timedelta(seconds=90), usegmt=True), 0.0),
    ("soon", None),
    ("", None),
    (None, None),
])
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, NOW) == expected
