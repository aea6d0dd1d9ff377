"""Open-Meteo live connector, replayed with ``responses`` through the real HttpClient.

Bodies are BUILT FROM THE REAL 2025 Berlin forecast reply (seed file): its envelope, with the dates
the request asks for and its real daily values repeated along them; the Jakarta replies take that
envelope with Jakarta's grid point and zone. Open-Meteo does not paginate, so there is no pagination
case; the error body follows the shape docs/sources/global-weather.md §3 gives (no recorded sample).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import PurePosixPath
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
import requests
import responses

from smartchange_assets.global_.weather import live
from smartchange_assets.global_.weather.cities import BERLIN, JAKARTA
from smartchange_assets.global_.weather.live import (
    ARCHIVE_URL,
    DAILY_VARIABLES,
    FORECAST_URL,
    OpenMeteoError,
    fetch_archive,
    fetch_live,
    fetch_recent,
)
from smartchange_assets.global_.weather.parser import parse_open_meteo
from smartchange_assets.global_.weather.source import SOURCE
from smartchange_assets.platform.http import HttpClient, HttpError
from smartchange_assets.platform.resources import PortalResource, WarehouseResource
from smartchange_assets.platform.source_assets import build_source

from ..seed_files import SEED
from ..source_harness import check_results

REAL = (SEED / "global" / "weather"
        / "openmeteo_forecast_daily_berlin_2025-04-15.json").read_bytes()
NOW = dt.datetime(2025, 4, 18, 12, 0, tzinfo=dt.UTC)  # 14:00 in Berlin, 19:00 in Jakarta


def body_for(params: dict, now: dt.datetime = NOW) -> bytes:
    """The real reply, re-dated to the request's window, placed at the requested city."""
    reply = json.loads(REAL)
    if "start_date" in params:
        first = dt.date.fromisoformat(params["start_date"])
        days = (dt.date.fromisoformat(params["end_date"]) - first).days + 1
    else:
        today = now.astimezone(ZoneInfo(params["timezone"])).date()
        first = today - dt.timedelta(days=int(params["past_days"]))
        days = int(params["past_days"]) + int(params["forecast_days"])
    daily = reply["daily"]
    reply["daily"] = {"time": [(first + dt.timedelta(days=i)).isoformat() for i in range(days)]}
    for name, values in daily.items():
        if name != "time":
            reply["daily"][name] = [values[i % len(values)] for i in range(days)]
    if params["timezone"] == "Asia/Jakarta":
        reply.update(latitude=-6.25, longitude=106.875, timezone="Asia/Jakarta",
                     timezone_abbreviation="GMT+7", utc_offset_seconds=25200, elevation=8.0)
    return json.dumps(reply).encode()


class Server:
    """Both Open-Meteo endpoints; records each request's URL, params and fake-clock time."""

    def __init__(self, rsps, clock=None, now: dt.datetime = NOW):
        self.calls: list[tuple[str, dict, float]] = []
        self.clock, self.now = clock, now
        for url in (ARCHIVE_URL, FORECAST_URL):
            rsps.add_callback(responses.GET, url, callback=self.reply)

    def reply(self, request):
        parts = urlsplit(request.url)
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        when = self.clock.t if self.clock else 0.0
        self.calls.append((f"{parts.scheme}://{parts.netloc}{parts.path}", params, when))
        return (200, {"Content-Type": "application/json; charset=utf-8"},
                body_for(params, self.now))


class FakeClock:
    def __init__(self):
        self.t, self.sleeps = 0.0, []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.t += seconds


class MaxJitter:
    def uniform(self, a, b):
        return b


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def client(clock):
    return HttpClient(sleep=clock.sleep, clock=lambda: clock.t, now=lambda: NOW,
                      rng=MaxJitter(), backoff_base_s=1.0)


def landed_name(url: str) -> str:
    """The file name the raw asset records for a live payload (landing.land's rule)."""
    return PurePosixPath(url.split("?")[0]).name


# --------------------------------------------------------------------------- a whole run


def test_live_run_asks_both_apis_for_both_cities_and_parses(rsps, client, clock):
    server = Server(rsps, clock)
    payloads = fetch_live(client, now=NOW, start=dt.date(2025, 3, 1))

    assert [(url, p["timezone"]) for url, p, _ in server.calls] == [
        (ARCHIVE_URL, "Asia/Jakarta"), (FORECAST_URL, "Asia/Jakarta"),
        (ARCHIVE_URL, "Europe/Berlin"), (FORECAST_URL, "Europe/Berlin")]
    archive_jkt, recent_jkt, archive_ber, recent_ber = (p for _, p, _ in server.calls)
    assert archive_jkt == {"latitude": "-6.2", "longitude": "106.85",
                           "daily": ",".join(DAILY_VARIABLES), "timezone": "Asia/Jakarta",
                           "start_date": "2025-03-01", "end_date": "2025-04-13"}
    assert (recent_ber["past_days"], recent_ber["forecast_days"]) == ("7", "1")
    assert (archive_ber["latitude"], archive_ber["longitude"]) == ("52.52", "13.41")
    # the client's 0.5 s minimum interval spaces the four requests on the fake clock
    assert [t for _, _, t in server.calls] == [0.0, 0.5, 1.0, 1.5]

    assert [(p.period_start, p.period_end) for p in payloads] == [
        (dt.date(2025, 3, 1), dt.date(2025, 4, 13)), (dt.date(2025, 4, 11), dt.date(2025, 4, 18)),
        (dt.date(2025, 3, 1), dt.date(2025, 4, 13)), (dt.date(2025, 4, 11), dt.date(2025, 4, 18))]
    assert payloads[0].fetched.request == {"method": "GET", "url": ARCHIVE_URL,
                                           "params": {**archive_jkt, "latitude": -6.2,
                                                      "longitude": 106.85}}
    staged = [parse_open_meteo(p.fetched.content, landed_name(p.fetched.url)).staged
              for p in payloads]
    assert [(len(s), s["city"].iloc[0], s["api"].iloc[0]) for s in staged] == [
        (44, "jakarta", "archive"), (8, "jakarta", "forecast"),
        (44, "berlin", "archive"), (8, "berlin", "forecast")]


def test_default_history_and_configured_start(rsps, client, monkeypatch):
    server = Server(rsps)
    monkeypatch.delenv(live.START_ENV, raising=False)
    fetch_live(client, now=NOW)
    assert server.calls[0][1]["start_date"] == "2025-02-17"  # 60 days back
    server.calls.clear()
    monkeypatch.setenv(live.START_ENV, "2024-01-01")
    fetch_live(client, now=NOW)
    assert server.calls[0][1]["start_date"] == "2024-01-01"
    monkeypatch.setenv(live.START_ENV, "01.01.2024")
    with pytest.raises(ValueError, match="SMARTCHANGE_WEATHER_START"):
        fetch_live(client, now=NOW)


def test_live_mode_through_dagster_lands_and_stages_both_cities(rsps, fresh_database):
    # the real platform client (0.5 s throttle), raw asset in live mode, staging from the archive
    # (the seed is synced in live mode too); the fetcher uses the real clock here
    Server(rsps, now=dt.datetime.now(dt.UTC))
    assets, checks = build_source(SOURCE), []
    result = dg.materialize([*assets, *checks], resources={
        "warehouse": WarehouseResource(url=fresh_database.url),
        "portal": PortalResource(mode="live", max_attempts=1)})
    assert result.success
    assert all(check_results(result).values()), check_results(result)
    manifest = fresh_database.read_frame(
        "SELECT file_name, landed_by, http_status, request::text AS request"
        " FROM raw.landing_manifest WHERE source = 'global/weather'")
    live_rows = manifest[manifest["landed_by"] == "live"]
    assert sorted(live_rows["file_name"]) == ["archive", "archive", "forecast", "forecast"]
    assert set(live_rows["http_status"]) == {200}
    assert (manifest["landed_by"] == "seed").sum() == 2
    cities = fresh_database.read_frame(
        "SELECT city, api, count(*) AS n FROM staging.global_weather_daily"
        " GROUP BY city, api ORDER BY city, api")
    assert cities[["city", "api"]].values.tolist() == [  # berlin forecast: live + seed
        ["berlin", "archive"], ["berlin", "forecast"], ["jakarta", "archive"],
        ["jakarta", "forecast"]]
    assert cities.set_index(["city", "api"]).loc[("jakarta", "forecast"), "n"] == 8


# --------------------------------------------------------------------------- failures


def test_http_400_names_url_and_reason_and_is_not_retried(rsps, client):
    reason = "Parameter 'end_date' is out of allowed range from 1940-01-01 to 2025-04-25"
    rsps.add(responses.GET, ARCHIVE_URL, status=400,
             json={"error": True, "reason": reason})
    with pytest.raises(OpenMeteoError) as err:
        fetch_archive(client, BERLIN, dt.date(2025, 4, 1), dt.date(2099, 1, 1))
    message = str(err.value)
    assert ARCHIVE_URL + "?latitude=52.52" in message and reason in message
    assert len(rsps.calls) == 1


def test_429_with_retry_after_then_success(rsps, client, clock):
    rsps.add(responses.GET, FORECAST_URL, status=429, headers={"Retry-After": "7"},
             body=b"Daily API request limit exceeded")
    Server(rsps)
    payload = fetch_recent(client, BERLIN, dt.date(2025, 4, 18), past_days=3)
    assert clock.sleeps == [7.0]
    assert payload.period_start == dt.date(2025, 4, 15)


def test_500_then_success(rsps, client, clock):
    rsps.add(responses.GET, ARCHIVE_URL, status=500, body=b"upstream error")
    Server(rsps)
    payload = fetch_archive(client, JAKARTA, dt.date(2025, 4, 1), dt.date(2025, 4, 10))
    assert len(rsps.calls) == 2 and clock.sleeps == [1.0]  # one full-jitter backoff
    assert json.loads(payload.fetched.content)["timezone"] == "Asia/Jakarta"


def test_timeout_then_success_and_timeouts_to_the_end(rsps, client):
    rsps.add(responses.GET, FORECAST_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    Server(rsps)
    assert fetch_recent(client, BERLIN, dt.date(2025, 4, 18), past_days=3).fetched.status == 200

    with responses.RequestsMock() as always:
        always.add(responses.GET, FORECAST_URL,
                   body=requests.exceptions.ConnectTimeout("connect timed out"))
        with pytest.raises(HttpError, match="ConnectTimeout"):
            fetch_live(client, now=NOW, start=dt.date(2025, 4, 20))  # archive window empty


def test_truncated_body_fails_loudly_and_nothing_is_returned(rsps, client):
    full = body_for({"timezone": "Europe/Berlin", "past_days": "3", "forecast_days": "1"})
    rsps.add(responses.GET, FORECAST_URL, body=full[:300],
             headers={"Content-Length": str(len(full))})
    result = None
    with pytest.raises(HttpError) as err:
        result = fetch_recent(client, BERLIN, dt.date(2025, 4, 18), past_days=3)
    assert result is None and len(rsps.calls) == 5
    assert FORECAST_URL in str(err.value)


@pytest.mark.parametrize("body, message", [
    (b"<html>maintenance</html>", "not JSON"),
    (b'{"error": true, "reason": "No data is available for this location"}',
     "No data is available"),
    (b'{"latitude": 52.52, "daily": {}}', "no daily.time"),
])
def test_a_200_that_is_not_daily_data_is_an_error(rsps, client, body, message):
    rsps.add(responses.GET, ARCHIVE_URL, body=body)
    with pytest.raises(OpenMeteoError, match=message):
        fetch_archive(client, BERLIN, dt.date(2025, 4, 15), dt.date(2025, 4, 18))


def test_a_reply_for_other_dates_is_refused(rsps, client):
    rsps.add(responses.GET, ARCHIVE_URL, body=REAL)  # covers 2025-04-15..18
    with pytest.raises(OpenMeteoError, match=r"asked for 2025-04-01..2025-04-18, the reply "
                                             r"covers 2025-04-15..2025-04-18"):
        fetch_archive(client, BERLIN, dt.date(2025, 4, 1), dt.date(2025, 4, 18))
    rsps.add(responses.GET, FORECAST_URL, body=REAL)
    with pytest.raises(OpenMeteoError, match="expected 8 days"):
        fetch_recent(client, BERLIN, dt.date(2025, 4, 18))
