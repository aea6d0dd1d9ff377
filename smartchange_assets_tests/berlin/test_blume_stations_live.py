"""BLUME /api/stations connector, replayed with ``responses`` through the real HttpClient.

The reply body is CONSTRUCTED (no recorded /api/stations reply exists,
docs/sources/berlin-blume-stations.md §1): the published field names around the 18 real station
codes of the recorded /api/lqi reply (fixture), with the real names from the compiled seed;
coordinates are placeholders. The list is one reply (no pagination), so there is no pagination case.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import responses
from responses import matchers

from smartchange_assets.berlin.blume_stations.live import (
    STATIONS_PARAMS,
    STATIONS_URL,
    BlumeStationsError,
    fetch_live,
    fetch_stations,
)
from smartchange_assets.berlin.blume_stations.parser import parse_blume_stations
from smartchange_assets.platform.http import HttpClient, HttpError

from .test_blume_stations_parser import api_station, compiled

LQI = Path(__file__).resolve().parents[1] / "fixtures" / "blume_stations" / \
    "blume_api_lqi_2024-04-24T17.json"


def constructed_reply() -> bytes:
    names = compiled().staged.set_index("station_code")["name"]
    items = []
    for entry in json.loads(LQI.read_bytes()):
        code = entry["station"]  # as the API spells it, MC221 included
        name = names[code.lower()]
        items.append(api_station(code, f"{code[2:]} {name}" if isinstance(name, str) else None,
                                 codeEu=None))
    return json.dumps(items, ensure_ascii=False).encode("utf-8")


REPLY = constructed_reply()


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
    return HttpClient(sleep=clock.sleep, clock=lambda: clock.t, rng=MaxJitter(),
                      now=lambda: datetime(2025, 11, 22, tzinfo=UTC))


def test_station_list_is_fetched_unchanged_and_parses(rsps, client):
    rsps.add(responses.GET, STATIONS_URL, body=REPLY, content_type="application/json",
             match=[matchers.query_param_matcher(STATIONS_PARAMS)])
    (live,) = fetch_live(client)
    assert live.fetched.content == REPLY
    assert live.fetched.url == STATIONS_URL + "?active=true&include_hidden=true"
    result = parse_blume_stations(live.fetched.content, "stations")
    assert len(result.staged) == 18 and "mc221" in result.staged["station_code"].tolist()
    assert result.staged.set_index("station_code").loc["mc174", "name"] == "Frankfurter Allee"


def test_429_with_retry_after_then_success(rsps, client, clock):
    rsps.add(responses.GET, STATIONS_URL, status=429, headers={"Retry-After": "12"})
    rsps.add(responses.GET, STATIONS_URL, body=REPLY)
    assert fetch_stations(client).content == REPLY
    assert clock.sleeps[0] == 12.0


def test_500_then_success(rsps, client, clock):
    rsps.add(responses.GET, STATIONS_URL, status=500)
    rsps.add(responses.GET, STATIONS_URL, body=REPLY)
    assert fetch_stations(client).content == REPLY
    assert len(rsps.calls) == 2 and clock.sleeps[0] == 1.0


def test_timeout_then_success(rsps, client):
    rsps.add(responses.GET, STATIONS_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    rsps.add(responses.GET, STATIONS_URL, body=REPLY)
    assert fetch_stations(client).content == REPLY


def test_truncated_body_fails_loudly(rsps, client):
    rsps.add(responses.GET, STATIONS_URL, body=REPLY[:500],
             headers={"Content-Length": str(len(REPLY))})
    got = None
    with pytest.raises(HttpError) as err:
        got = fetch_live(client)
    assert got is None and STATIONS_URL in str(err.value) and len(rsps.calls) == 5


@pytest.mark.parametrize("body, message", [
    (b"<!DOCTYPE html><title>Luftdaten</title>", "not JSON"),
    (b"[]", "non-empty JSON array"),
    (b'{"stations": []}', "non-empty JSON array"),
    (b'[{"station": "mc010", "data": []}]', "item 0 is not a station"),
])
def test_reply_that_is_not_a_station_list_is_an_error_naming_the_url(rsps, client, body,
                                                                     message):
    rsps.add(responses.GET, STATIONS_URL, body=body)
    with pytest.raises(BlumeStationsError, match=message) as err:
        fetch_stations(client)
    assert "luftdaten.berlin.de/api/stations" in str(err.value)
