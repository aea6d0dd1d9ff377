"""The fault matrix: live fetching against a misbehaving portal on a real loopback server.

Every case runs the real :class:`HttpClient` (requests, urllib3, http.client, sockets) against
:class:`~smartchange_assets_tests.fault_server.FaultServer` on 127.0.0.1, and a second server on
127.0.0.2 where a redirect must cross hosts. Only waiting is faked (``sleep`` records the delays
the client asks for); timeouts are real and short. Each row of the matrix:

* 429 with ``Retry-After`` (seconds, HTTP date, capped) and runs of 500/503;
* a server that never answers, answers late, or trickles its body;
* a body cut short (``Content-Length``, chunked, a gzip stream cut inside a complete transfer);
* an HTML page with 200 where JSON or CSV is expected (client option and the connectors' checks);
* redirects to another host: credential headers not forwarded, or the redirect refused;
* bodies over the size limit, a gzip bomb, and a ``.gz`` file that must stay gzip;
* the raw asset: a failing fetch lands nothing partial and fails the asset, saying so;
* secrets (query keys, credential headers, webhook URLs) in no error text and no log line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import logging
import socket
import tracemalloc
import zlib
from email.utils import format_datetime
from pathlib import Path

import dagster as dg
import pytest

from smartchange_assets.berlin.blume_stations import live as blume_stations_live
from smartchange_assets.berlin.mobility import live as mobility_live
from smartchange_assets.berlin.population import live as population_live
from smartchange_assets.berlin.telraam import source as telraam
from smartchange_assets.global_.openaq import live as openaq_live
from smartchange_assets.ops import alerts
from smartchange_assets.platform import source_assets
from smartchange_assets.platform.http import (
    DEFAULT_MAX_BYTES,
    BodyTooLargeError,
    HttpClient,
    HttpError,
    PayloadValidationError,
    UnexpectedContentType,
)
from smartchange_assets.platform.http_body import CHUNK_BYTES
from smartchange_assets.platform.resources import PortalResource, WarehouseResource
from smartchange_assets.platform.secrets import hide_url, redact_text, redact_url
from smartchange_assets.platform.spec import LivePayload
from smartchange_assets_tests.fault_server import FaultServer, Reply, SilentServer, redirect
from smartchange_assets_tests.seed_files import seed_bytes

pytestmark = pytest.mark.faults

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "http"
NOW = dt.datetime(2024, 4, 2, 8, 30, tzinfo=dt.UTC)
BLUME_STATIONS = b'[{"code": "mc010", "name": "Wedding"}, {"code": "mc042", "name": "Neukoelln"}]'
HTML = (b"<!DOCTYPE html><html><head><title>Wartungsarbeiten</title></head>"
        b"<body><h1>Wir sind gleich wieder da</h1></body></html>")
SECRET = "sk-live-0123456789abcdef"
# real hourly values (a recorded BLUME reply), gzip-coded as a server would send them
GZIPPED = gzip.compress((FIXTURES / "blume_api_mc010_2024-03_1h.json").read_bytes())
MiB = 1024 * 1024


class Sleeps(list):
    """The client's ``sleep``: records the waits it asks for, waits for none."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class MaxJitter:
    """Full jitter at the top of its range: backoff delays are exact."""

    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.fixture
def server():
    with FaultServer("127.0.0.1") as srv:
        yield srv


@pytest.fixture
def other_host():
    with FaultServer("127.0.0.2") as srv:
        yield srv


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_client(sleeps):
    clients = []

    def make(**kw) -> HttpClient:
        opts = dict(connect_timeout=2.0, read_timeout=2.0, max_attempts=3, min_interval_s=0.0,
                    sleep=sleeps, now=lambda: NOW, rng=MaxJitter())
        opts.update(kw)
        clients.append(HttpClient(**opts))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


def closed_port() -> int:
    """A loopback port nobody listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chain_text(exc: BaseException) -> str:
    """Every message of an exception chain, as Dagster shows a failure (causes and contexts)."""
    parts, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        parts.append(f"{type(exc).__name__}: {exc}")
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return "\n".join(parts)


# --- 429 / 5xx ------------------------------------------------------------------------------


def test_429_retry_after_seconds_is_waited_then_the_retry_succeeds(server, make_client, sleeps):
    server.script("/api/stations", [Reply(429, b"slow down", {"Retry-After": "7"}),
                                    Reply(body=BLUME_STATIONS)])
    payload = make_client().get(server.url("/api/stations"))
    assert payload.content == BLUME_STATIONS
    assert sleeps == [7.0]
    assert len(server.requests_to("/api/stations")) == 2


def test_429_retry_after_http_date_is_waited(server, make_client, sleeps):
    when = format_datetime(NOW + dt.timedelta(seconds=30), usegmt=True)
    server.script("/api/stations", [Reply(429, headers={"Retry-After": when}),
                                    Reply(body=BLUME_STATIONS)])
    assert make_client().get(server.url("/api/stations")).content == BLUME_STATIONS
    assert sleeps == [30.0]


def test_retry_after_is_capped(server, make_client, sleeps):
    server.script("/api/stations", [Reply(503, headers={"Retry-After": "3600"}),
                                    Reply(body=BLUME_STATIONS)])
    make_client(max_retry_after_s=5).get(server.url("/api/stations"))
    assert sleeps == [5.0]


def test_a_run_of_5xx_backs_off_then_names_url_and_last_status(server, make_client, sleeps):
    server.script("/api/data", [Reply(500, b"oops"), Reply(503, b"maintenance"),
                                Reply(503, b"maintenance")])
    with pytest.raises(HttpError) as info:
        make_client(max_attempts=3).get(server.url("/api/data"), params={"period": "1h",
                                                                        "api_key": SECRET})
    err = info.value
    message = str(err)
    assert server.url("/api/data?period=1h&api_key=***") in message
    assert "gave up after 3 attempts" in message and "HTTP 503" in message
    assert err.status == 503 and err.attempts == 3
    assert SECRET not in chain_text(err)
    assert sleeps == [1.0, 2.0]  # full-jitter exponential backoff, top of the range
    assert len(server.requests_to("/api/data")) == 3


# --- timeouts -------------------------------------------------------------------------------


def test_a_server_that_never_answers_times_out_is_retried_then_fails(make_client, sleeps):
    with SilentServer() as silent:
        url = silent.url("/api/stations")
        with pytest.raises(HttpError) as info:
            make_client(read_timeout=0.2, max_attempts=2).get(url)
    assert url in str(info.value) and "ReadTimeout" in str(info.value)
    assert info.value.status is None and info.value.attempts == 2
    assert len(sleeps) == 1


def test_an_answer_slower_than_the_read_timeout_is_retried(server, make_client):
    server.script("/api/stations", [Reply(body=BLUME_STATIONS, delay_s=1.0),
                                    Reply(body=BLUME_STATIONS)])
    payload = make_client(read_timeout=0.2).get(server.url("/api/stations"))
    assert payload.content == BLUME_STATIONS
    assert len(server.requests_to("/api/stations")) == 2


@pytest.mark.parametrize("framing", ["content-length", "close-delimited", "chunked"])
def test_a_trickling_body_hits_the_body_timeout(server, make_client, framing):
    # one byte per 50 ms never trips a 1 s read timeout; the body deadline stops it
    body = BLUME_STATIONS * 20
    server.script("/api/stations", [Reply(body=body, chunk_size=1, trickle_s=0.05,
                                          close_delimited=framing == "close-delimited",
                                          chunked=framing == "chunked")])
    client = make_client(read_timeout=1.0, body_timeout_s=0.3, max_attempts=2)
    with pytest.raises(HttpError) as info:
        client.get(server.url("/api/stations"))
    message = str(info.value)
    assert server.url("/api/stations") in message
    assert "BodyTimeout" in message and "not complete after 0.3 s" in message
    assert len(server.requests_to("/api/stations")) == 2


def test_a_body_that_stalls_midway_is_a_read_timeout(server, make_client):
    body = BLUME_STATIONS * 50
    server.script("/api/stations", [Reply(body=body, chunk_size=len(body) // 2, trickle_s=2.0),
                                    Reply(body=body)])
    client = make_client(read_timeout=0.2)
    assert client.get(server.url("/api/stations")).content == body
    with pytest.raises(HttpError, match="ReadTimeout") as info:
        server.script("/api/stations", [Reply(body=body, chunk_size=len(body) // 2,
                                              trickle_s=2.0)])
        make_client(read_timeout=0.2, max_attempts=2).get(server.url("/api/stations"))
    assert server.url("/api/stations") in str(info.value)


@pytest.mark.parametrize("reply", [
    Reply(body=b"\x1f\x8b\x08\x00garbage, not a gzip stream", headers={"Content-Encoding": "gzip"}),
    Reply(body=b"[]", headers={"Content-Encoding": "br"}),
], ids=["corrupt-gzip", "unoffered-coding"])
def test_a_body_that_cannot_be_decoded_is_never_returned(server, make_client, reply):
    server.script("/api/stations", [reply])
    with pytest.raises(HttpError) as info:
        make_client(max_attempts=2).get(server.url("/api/stations"))
    assert server.url("/api/stations") in str(info.value)
    assert "gzip" in str(info.value) or "'br'" in str(info.value)


# --- truncated bodies -----------------------------------------------------------------------


@pytest.mark.parametrize("reply", [
    Reply(body=BLUME_STATIONS * 100, send_bytes=1000),  # Content-Length larger than sent
    Reply(body=BLUME_STATIONS * 100, chunked=True, chunk_size=500, send_bytes=1000),  # cut
    # a gzip stream cut in half inside a complete transfer: urllib3 would hand over the
    # decoded half as the whole body
    Reply(body=GZIPPED[:len(GZIPPED) // 2], headers={"Content-Encoding": "gzip"}),
], ids=["content-length", "chunked", "gzip-stream"])
def test_a_truncated_body_is_never_returned(server, make_client, reply):
    server.script("/api/stations", [reply])
    result = None
    with pytest.raises(HttpError) as info:
        result = make_client(max_attempts=2).get(server.url("/api/stations"))
    assert result is None
    assert server.url("/api/stations") in str(info.value)
    assert "gave up after 2 attempts" in str(info.value)
    assert len(server.requests_to("/api/stations")) == 2


def test_a_truncated_body_then_a_whole_one(server, make_client):
    body = BLUME_STATIONS * 100
    server.script("/api/stations", [Reply(body=body, send_bytes=1000), Reply(body=body)])
    assert make_client().get(server.url("/api/stations")).content == body


# --- wrong content type ---------------------------------------------------------------------


def test_expected_content_types_refuse_an_html_page_with_200(server, make_client):
    server.script("/api/stations", [Reply(body=HTML, content_type="text/html; charset=utf-8")])
    client = make_client(expect_content_types=("application/json", "application/*+json"))
    with pytest.raises(UnexpectedContentType) as info:
        client.get(server.url("/api/stations"))
    message = str(info.value)
    assert server.url("/api/stations") in message
    assert "'text/html; charset=utf-8'" in message and "application/json" in message
    assert "Wartungsarbeiten" in message  # what the page said
    assert isinstance(info.value, PayloadValidationError)
    assert len(server.requests_to("/api/stations")) == 1  # not retried


@pytest.mark.parametrize("content_type, accepted", [
    ("application/json", True),
    ("Application/JSON; charset=UTF-8", True),
    ("application/geo+json", True),
    (None, True),  # nothing to judge: the connector's body checks decide
    ("text/html", False),
    ("application/xhtml+xml", False),
])
def test_expected_content_types_per_call(server, make_client, content_type, accepted):
    server.script("/x", [Reply(body=BLUME_STATIONS, content_type=content_type)])
    client = make_client()
    call = lambda: client.get(server.url("/x"), expect=("application/json",  # noqa: E731
                                                         "application/*+json"))
    if accepted:
        assert call().content == BLUME_STATIONS
    else:
        with pytest.raises(UnexpectedContentType):
            call()


def _blume_stations(client):
    return blume_stations_live.fetch_stations(client)


def _telraam_month(client):
    return mobility_live.fetch_telraam_month(client, 2024, 3)


def _ewr_year(client):
    return population_live.fetch_ewr_year(client, 2024)


@pytest.mark.parametrize("fetch, module, attribute, path, error", [
    (_blume_stations, blume_stations_live, "STATIONS_URL", "/api/stations",
     blume_stations_live.BlumeStationsError),
    (_telraam_month, mobility_live, "TELRAAM_MONTH_URL", "/csv/telraam.csv.gz",
     mobility_live.MobilityPayloadError),
    (_ewr_year, population_live, "LOR2021_URL", "/opendata/EWR.csv",
     population_live.EwrPayloadError),
], ids=["json-connector", "gzip-csv-connector", "csv-connector"])
def test_connectors_reject_an_html_page_with_200(server, make_client, monkeypatch, fetch,
                                                 module, attribute, path, error):
    monkeypatch.setattr(module, attribute, server.url(path))
    server.script(path, [Reply(body=HTML, content_type="text/html")])
    with pytest.raises(error) as info:
        fetch(make_client())
    assert server.url(path) in str(info.value)


# --- redirects ------------------------------------------------------------------------------

CREDENTIALS = {"Authorization": "Bearer " + SECRET, "X-API-Key": SECRET, "api-key": SECRET,
               "Cookie": f"session={SECRET}"}


def test_cross_host_redirect_is_followed_without_any_credential_header(server, other_host,
                                                                       make_client):
    other_host.script("/v3/locations", [Reply(body=b'{"results": []}')])
    server.script("/v3/locations", [redirect(other_host.url("/v3/locations"))])
    client = make_client()
    client.session.headers.update(CREDENTIALS)
    client.session.auth = ("smartchange", SECRET)  # basic auth, added when sent
    payload = client.get(server.url("/v3/locations"))
    assert payload.content == b'{"results": []}'
    assert payload.url == other_host.url("/v3/locations")
    sent_first = server.requests_to("/v3/locations")[0].headers
    assert all(sent_first.get(name) == value for name, value in CREDENTIALS.items()
               if name != "Authorization")
    assert sent_first["Authorization"].startswith("Basic ")
    sent_other = other_host.requests_to("/v3/locations")[0].headers
    assert not {k.lower() for k in sent_other} & {name.lower() for name in CREDENTIALS}
    assert "User-Agent" in sent_other  # the rest of the request is unchanged
    assert SECRET not in str(sent_other)


def test_cross_host_redirect_sends_no_cookie_of_the_jar(server, other_host, make_client):
    other_host.script("/land", [Reply(body=b"[]")])
    server.script("/start", [redirect(other_host.url("/land"))])
    client = make_client()
    client.session.cookies.set("sessionid", SECRET)  # no domain: the jar would send it anywhere
    client.get(server.url("/start"))
    assert server.requests_to("/start")[0].headers["Cookie"] == f"sessionid={SECRET}"
    assert "Cookie" not in other_host.requests_to("/land")[0].headers


def test_same_host_redirect_keeps_the_credentials(server, make_client):
    server.script("/old", [redirect(server.url("/new"), status=301)])
    server.script("/new", [Reply(body=b"[]")])
    client = make_client()
    client.session.headers.update(CREDENTIALS)
    assert client.get(server.url("/old")).content == b"[]"
    assert server.requests_to("/new")[0].headers["X-API-Key"] == SECRET


def test_openaq_key_does_not_follow_a_redirect_to_another_host(server, other_host, make_client,
                                                               monkeypatch):
    monkeypatch.setattr(openaq_live, "API_URL", server.url("/v3"))
    other_host.script("/v3/locations", [Reply(body=b'{"meta": {}, "results": []}')])
    server.script("/v3/locations", [redirect(other_host.url("/v3/locations"), status=307)])
    api = openaq_live.OpenAQClient(make_client(), SECRET, sleep=lambda s: None)
    api.get("/locations", {"limit": 1})
    assert server.requests_to("/v3/locations")[0].headers["X-API-Key"] == SECRET
    assert "X-API-Key" not in other_host.requests_to("/v3/locations")[0].headers


def test_cross_host_redirect_can_be_refused(server, other_host, make_client):
    other_host.script("/v3/locations", [Reply(body=b"[]")])
    server.script("/v3/locations", [redirect(other_host.url("/v3/locations") + "?token=abc123xyz")])
    client = make_client(allow_cross_host_redirects=False)
    client.session.headers.update(CREDENTIALS)
    with pytest.raises(HttpError) as info:
        client.get(server.url("/v3/locations"))
    message = str(info.value)
    assert "refused" in message and "another host" in message
    assert other_host.url("/v3/locations?token=***") in message
    assert other_host.received == []
    assert len(server.received) == 1  # not retried


def test_a_post_redirected_with_303_becomes_a_get_and_307_repeats_the_post(server, other_host,
                                                                          make_client):
    server.script("/see-other", [redirect(other_host.url("/result"), status=303)])
    server.script("/temporary", [redirect(other_host.url("/result"), status=307)])
    other_host.script("/result", [Reply(body=b"{}")])
    client = make_client()
    client.post_json(server.url("/see-other"), {"data_no": 1})
    client.post_json(server.url("/temporary"), {"data_no": 2})
    first, second = other_host.requests_to("/result")
    assert (first.method, first.body) == ("GET", b"")
    assert (second.method, second.body) == ("POST", b'{"data_no": 2}')


def test_a_redirect_loop_ends_with_a_clear_error(server, make_client):
    server.script("/a", [redirect(server.url("/b"))])
    server.script("/b", [redirect(server.url("/a"))])
    with pytest.raises(HttpError, match="more than 4 redirects"):
        make_client(max_redirects=4).get(server.url("/a"))
    assert len(server.received) == 5  # not retried


# --- size limits ----------------------------------------------------------------------------


def test_content_length_over_the_limit_fails_before_reading(server, make_client):
    server.script("/big.csv", [Reply(body=b"x" * (2 * MiB), content_type="text/csv")])
    with pytest.raises(BodyTooLargeError) as info:
        make_client(max_bytes=MiB).get(server.url("/big.csv"))
    assert server.url("/big.csv") in str(info.value)
    assert f"limit of {MiB} bytes" in str(info.value) and "Content-Length says" in str(info.value)
    assert len(server.received) == 1  # not retried


@pytest.mark.parametrize("framing", ["chunked", "close-delimited"])
def test_a_body_without_length_stops_at_the_limit(server, make_client, framing):
    server.script("/big.csv", [Reply(body=b"x" * (8 * MiB), content_type="text/csv",
                                     chunked=framing == "chunked",
                                     close_delimited=framing == "close-delimited")])
    with pytest.raises(BodyTooLargeError, match=f"limit of {MiB} bytes") as info:
        make_client(max_bytes=MiB).get(server.url("/big.csv"))
    received = int(str(info.value).split("stopped reading after ")[1].split(" ")[0])
    assert MiB < received <= MiB + CHUNK_BYTES


def test_a_body_of_exactly_the_limit_is_returned(server, make_client):
    body = b"y" * MiB
    server.script("/ok.csv", [Reply(body=body, content_type="text/csv", chunked=True)])
    assert make_client(max_bytes=MiB).get(server.url("/ok.csv")).content == body


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """256 MiB of zeros as a ~250 KiB gzip stream."""
    zeros, packer = bytes(MiB), zlib.compressobj(9, zlib.DEFLATED, 31)
    return b"".join([packer.compress(zeros) for _ in range(256)] + [packer.flush()])


def test_a_gzip_bomb_stops_at_the_limit_of_decoded_bytes(server, make_client, gzip_bomb):
    server.script("/bomb.json", [Reply(body=gzip_bomb, headers={"Content-Encoding": "gzip"})])
    client = make_client(max_bytes=8 * MiB)
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLargeError) as info:
            client.get(server.url("/bomb.json"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    received = int(str(info.value).split("stopped reading after ")[1].split(" ")[0])
    assert 8 * MiB < received <= 8 * MiB + CHUNK_BYTES
    assert peak < 64 * MiB  # far below the 256 MiB the stream unpacks to


def test_a_gzip_coded_body_under_the_limit_is_decoded(server, make_client):
    body = BLUME_STATIONS * 1000
    server.script("/data.json", [Reply(body=gzip.compress(body),
                                       headers={"Content-Encoding": "gzip"})])
    assert make_client(max_bytes=len(body)).get(server.url("/data.json")).content == body


def test_a_gz_file_is_returned_as_gzip(server, make_client, gzip_bomb):
    # a .gz download (no Content-Encoding) is the payload itself: never unpacked, and the size
    # limit applies to the bytes sent
    archive = gzip.compress(b"segment_id,date_local,car_total\n9000001234,2024-03-01 08:00,12\n")
    server.script("/csv/month.csv.gz", [Reply(body=archive, content_type="application/gzip")])
    server.script("/csv/bomb.csv.gz", [Reply(body=gzip_bomb, content_type="application/gzip")])
    client = make_client(max_bytes=MiB)
    assert client.get(server.url("/csv/month.csv.gz")).content == archive
    assert client.get(server.url("/csv/bomb.csv.gz")).content == gzip_bomb


def test_portal_resource_passes_its_limits_to_the_client(monkeypatch):
    monkeypatch.delenv("SMARTCHANGE_HTTP_MAX_BYTES", raising=False)
    monkeypatch.delenv("SMARTCHANGE_HTTP_BODY_TIMEOUT_S", raising=False)
    default = PortalResource(mode="live").client()
    assert default.max_bytes == DEFAULT_MAX_BYTES == 512 * MiB
    assert default.body_timeout_s == 1800.0 and default.allow_cross_host_redirects
    monkeypatch.setenv("SMARTCHANGE_HTTP_MAX_BYTES", "1_048_576")
    monkeypatch.setenv("SMARTCHANGE_HTTP_BODY_TIMEOUT_S", "0")
    from_env = PortalResource(mode="live").client()
    assert (from_env.max_bytes, from_env.body_timeout_s) == (MiB, None)
    configured = PortalResource(mode="live", max_bytes=4096, body_timeout_s=5.0,
                                allow_cross_host_redirects=False).client()
    assert (configured.max_bytes, configured.body_timeout_s) == (4096, 5.0)
    assert not configured.allow_cross_host_redirects
    monkeypatch.setenv("SMARTCHANGE_HTTP_MAX_BYTES", "lots")
    with pytest.raises(ValueError, match="SMARTCHANGE_HTTP_MAX_BYTES"):
        PortalResource(mode="live").client()


def test_a_derived_client_keeps_the_limits(make_client):
    base = make_client(max_bytes=4096, body_timeout_s=3.0, allow_cross_host_redirects=False)
    derived = base.derive(read_timeout=600.0, max_attempts=4)
    assert (derived.max_bytes, derived.body_timeout_s) == (4096, 3.0)
    assert not derived.allow_cross_host_redirects and derived.session is base.session
    assert (derived.timeout, derived.max_attempts) == ((2.0, 600.0), 4)


# --- the raw asset: nothing partial lands ---------------------------------------------------

TODAY = dt.date(2024, 4, 2)
TELRAAM_CSV = seed_bytes("berlin/telraam", "bzm_merged_all_test_read.csv")


def _telraam_paths(server, monkeypatch) -> list[str]:
    """Point the Telraam connector at the server; the paths of its two months, newest first."""
    monkeypatch.setattr(mobility_live, "TELRAAM_MONTH_URL",
                        server.url("/csv/bzm_telraam_{year}_{month:02d}.csv.gz"))
    return [f"/csv/bzm_telraam_{y}_{m:02d}.csv.gz"
            for y, m in mobility_live.recent_months(TODAY, mobility_live.TELRAAM_MONTHS_BACK,
                                                    True)]


def _run_raw(wh, spec, monkeypatch):
    monkeypatch.setattr(source_assets, "SOURCE_RETRY", None)  # fail once, not 3 times
    raw = source_assets.build_source(spec)[0]
    portal = PortalResource(mode="live", max_attempts=2, read_timeout_s=2.0)
    return dg.materialize([raw], resources={"warehouse": WarehouseResource(url=wh.url),
                                            "portal": portal}, raise_on_error=False)


def _failure(result) -> str:
    failures = [e for e in result.all_events if e.is_step_failure]
    assert len(failures) == 1
    return failures[0].step_failure_data.error.message


def _landed_live(wh, source: str) -> list[tuple[str, bytes]]:
    from smartchange_assets.platform.landing import default_store

    rows = wh.read_frame(
        "SELECT origin, sha256 FROM raw.landing_manifest"
        " WHERE source = :s AND landed_by = 'live' ORDER BY origin", s=source)
    store = default_store()
    return [(r.origin, store.read(r.sha256)) for r in rows.itertuples()]


def test_raw_asset_lands_gz_files_byte_for_byte(fresh_database, server, monkeypatch):
    newest, previous = _telraam_paths(server, monkeypatch)
    files = {newest: gzip.compress(TELRAAM_CSV, mtime=0),
             previous: gzip.compress(TELRAAM_CSV[:-200].rsplit(b"\n", 1)[0] + b"\n", mtime=0)}
    for path, body in files.items():
        server.script(path, [Reply(body=body, content_type="application/gzip")])
    spec = dataclasses.replace(telraam.SOURCE,
                               fetch_live=lambda client: telraam.fetch_telraam(client, TODAY))
    result = _run_raw(fresh_database, spec, monkeypatch)
    assert result.success
    landed = dict(_landed_live(fresh_database, spec.source_id))
    assert landed == {server.url(path): body for path, body in files.items()}


def test_raw_asset_lands_nothing_when_a_listing_connector_fails(fresh_database, server,
                                                               monkeypatch):
    newest, previous = _telraam_paths(server, monkeypatch)
    body = gzip.compress(TELRAAM_CSV)
    server.script(newest, [Reply(body=body, content_type="application/gzip")])
    server.script(previous, [Reply(body=body, content_type="application/gzip", send_bytes=500)])
    spec = dataclasses.replace(telraam.SOURCE,
                               fetch_live=lambda client: telraam.fetch_telraam(client, TODAY))
    result = _run_raw(fresh_database, spec, monkeypatch)
    assert not result.success
    message = _failure(result)
    assert "berlin/telraam: live fetch failed (nothing of this run was landed)" in message
    assert server.url(previous) in message and "gave up after 2 attempts" in message
    assert _landed_live(fresh_database, spec.source_id) == []
    assert len(server.requests_to(newest)) == 1  # it was fetched, whole, and still not landed


def test_raw_asset_keeps_whole_payloads_before_a_failure_and_fails(fresh_database, server,
                                                                  monkeypatch):
    newest, previous = _telraam_paths(server, monkeypatch)
    body = gzip.compress(TELRAAM_CSV)
    server.script(newest, [Reply(body=body, content_type="application/gzip")])
    server.script(previous, [Reply(body=body, chunked=True, chunk_size=300, send_bytes=900,
                                   content_type="application/gzip")])

    def one_month_at_a_time(client):  # a connector that yields as it fetches
        for y, m in mobility_live.recent_months(TODAY, 2, True):
            yield LivePayload(mobility_live.fetch_telraam_month(client, y, m))

    spec = dataclasses.replace(telraam.SOURCE, fetch_live=one_month_at_a_time)
    result = _run_raw(fresh_database, spec, monkeypatch)
    assert not result.success
    message = _failure(result)
    assert "berlin/telraam: live fetch failed (1 payload(s) of this run were landed before it, " \
           "each complete)" in message
    assert server.url(previous) in message
    assert _landed_live(fresh_database, spec.source_id) == [(server.url(newest), body)]


# --- secrets --------------------------------------------------------------------------------


def test_a_key_in_the_query_is_sent_but_never_shown(server, make_client, caplog):
    server.script("/api", [Reply(body=b"[]")])
    with caplog.at_level(logging.DEBUG):
        payload = make_client().get(server.url("/api"), params={"station": "mc010",
                                                                "api_key": SECRET})
    assert f"api_key={SECRET}" in server.received[0].path  # the server got the key
    assert payload.url == server.url("/api?station=mc010&api_key=***")
    assert payload.request["params"] == {"station": "mc010", "api_key": "***"}
    assert SECRET not in caplog.text
    assert "/api?station=mc010&api_key=***" in caplog.text  # urllib3's own DEBUG line


@pytest.mark.parametrize("query", [f"token={SECRET}", f"key={SECRET}", f"access_token={SECRET}",
                                   f"sig={SECRET}"])
def test_connection_errors_quoting_the_url_are_redacted(make_client, caplog, query):
    url = f"http://127.0.0.1:{closed_port()}/api/data?station=mc010&{query}"
    with caplog.at_level(logging.DEBUG), pytest.raises(HttpError) as info:
        make_client(max_attempts=2).get(url)
    text = chain_text(info.value)
    assert "ConnectionError" in text and "/api/data?station=mc010&" in text
    assert SECRET not in text and SECRET not in caplog.text


def test_credential_header_values_echoed_by_the_server_are_redacted(server, make_client,
                                                                    caplog):
    server.script("/v3/locations", [Reply(401, f'{{"detail": "invalid key {SECRET}"}}'.encode())])
    client = make_client()
    client.session.headers["X-API-Key"] = SECRET
    with caplog.at_level(logging.DEBUG), pytest.raises(HttpError) as info:
        client.get(server.url("/v3/locations"))
    assert info.value.status == 401 and "invalid key ***" in str(info.value)
    assert SECRET not in chain_text(info.value) and SECRET not in caplog.text


@pytest.mark.parametrize("where", ["503", "refused"])
def test_alert_delivery_never_shows_the_webhook_path(server, caplog, where):
    path = f"/services/T0001/B0002/{SECRET}"
    port = server.port if where == "503" else closed_port()
    webhook = f"http://127.0.0.1:{port}{path}"
    server.script(path, [Reply(503, b"no")])
    alert = alerts.Alert(kind="run_failure", run_id="fe7f5786-ba2e-4b4a-8fdc-047b5646bb6f",
                         job="refresh_all", reason="step failed")
    client = HttpClient(max_attempts=2, sleep=lambda s: None, min_interval_s=0.0,
                        connect_timeout=1.0, read_timeout=1.0)
    with caplog.at_level(logging.DEBUG), pytest.raises(alerts.AlertDeliveryError) as info:
        alerts.deliver(alert, webhook=webhook, client=client)
    text = chain_text(info.value)
    assert "http://127.0.0.1/…" in text and "step failed" in text
    for secret in (SECRET, "T0001/B0002"):
        assert secret not in text and secret not in caplog.text
    if where == "503":
        assert len(server.requests_to(path)) == 2  # it was really posted there


@pytest.mark.parametrize("url, expected", [
    ("https://api.openaq.org/v3/locations?limit=5&api_key=abc",
     "https://api.openaq.org/v3/locations?limit=5&api_key=***"),
    ("https://u:p4ss@host.example/x?start%5Bdate%5D=01.03.2024&token=t&page=2",
     "https://***@host.example/x?start%5Bdate%5D=01.03.2024&token=***&page=2"),
    ("https://maps.example/api?key=AIzaX&signature=s1&X-Amz-Credential=c",
     "https://maps.example/api?key=***&signature=***&X-Amz-Credential=***"),
    ("https://luftdaten.berlin.de/api/stations?active=true",
     "https://luftdaten.berlin.de/api/stations?active=true"),
])
def test_redact_url(url, expected):
    assert redact_url(url) == expected


def test_redact_text_and_hide_url():
    text = ("HTTPConnectionPool(host='h', port=80): Max retries exceeded with url: "
            "/x?page=2&apikey=abcdef (see https://u:pw@h.example/y?session_id=42)")
    assert redact_text(text) == (
        "HTTPConnectionPool(host='h', port=80): Max retries exceeded with url: "
        "/x?page=2&apikey=*** (see https://***@h.example/y?session_id=***)")
    assert redact_text("POST /hooks/abcdefgh HTTP/1.1", secrets=["/hooks/abcdefgh"]) == \
        "POST *** HTTP/1.1"
    assert hide_url("https://hooks.slack.com:443/services/T/B/X") == "https://hooks.slack.com/…"
