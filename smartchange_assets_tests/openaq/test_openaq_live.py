"""OpenAQ connector replayed with ``responses`` through the real HttpClient on a fake clock.

Bodies are the real Guadalajara replies (fixtures): the measurements page unchanged, or its 484 real
items cut into pages / repeated with shifted hours for a listing of more than 1,000; the locations
reply gets the ``meta`` block its collector dropped (docs/sources/global-openaq.md §2). The
``x-ratelimit-*`` headers are set by each test.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import responses

from smartchange_assets.global_.openaq import live
from smartchange_assets.global_.openaq.live import (
    API_URL,
    SKIPPED,
    OpenAQClient,
    OpenAQError,
    fetch_live,
    skip_reason,
)
from smartchange_assets.global_.openaq.parser import parse_openaq
from smartchange_assets.platform.http import HttpClient, HttpError
from smartchange_assets.platform.spec import LivePayload

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openaq"
MEASUREMENTS_RAW = (FIXTURES / "openaq_v3_measurements_sensor1179864_pm10_page1.json") \
    .read_bytes()
ITEMS = json.loads(MEASUREMENTS_RAW)["results"]
LOCATIONS = json.loads((FIXTURES / "openaq_v3_locations_guadalajara_2025-11-22.json")
                       .read_bytes())["results"]
KEY = "test-key-0123456789abcdef"
SENSOR_PATH = "/sensors/1179864/measurements"
SENSOR_URL = API_URL + SENSOR_PATH


class FakeClock:
    def __init__(self):
        self.t, self.sleeps = 0.0, []

    def monotonic(self):
        return self.t

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


def http(clock, **kw) -> HttpClient:
    # min_interval_s=0 on purpose: the OpenAQ client must raise it to 1 s itself
    return HttpClient(sleep=clock.sleep, clock=clock.monotonic, rng=MaxJitter(),
                      now=lambda: datetime(2025, 11, 22, tzinfo=UTC), min_interval_s=0.0, **kw)


@pytest.fixture
def api(clock):
    return OpenAQClient(http(clock), KEY, sleep=clock.sleep, clock=clock.monotonic)


def page_body(items, page, limit, found) -> bytes:
    meta = {"name": "openaq-api", "website": "/", "page": page, "limit": limit, "found": found}
    return json.dumps({"meta": meta, "results": items}, ensure_ascii=False).encode()


def shifted(items, hours):
    out = copy.deepcopy(items)
    for item in out:
        for end in ("datetimeFrom", "datetimeTo"):
            stamp = datetime.fromisoformat(item["period"][end]["utc"]) + timedelta(hours=hours)
            item["period"][end]["utc"] = stamp.isoformat().replace("+00:00", "Z")
    return out


class Pager:
    """Serves ``items`` by the request's page/limit; records page, limit, time and headers."""

    def __init__(self, rsps, clock, url, items, found=None, headers=None):
        self.items, self.found, self.clock = items, found, clock
        self.headers = headers or {}
        self.seen: list[dict] = []
        rsps.add_callback(responses.GET, url, callback=self.reply)

    def reply(self, request):
        params = dict(p.split("=") for p in request.url.split("?")[1].split("&"))
        page, limit = int(params["page"]), int(params["limit"])
        self.seen.append({"page": page, "limit": limit, "t": self.clock.t,
                          "key": request.headers.get("X-API-Key")})
        chunk = self.items[(page - 1) * limit: page * limit]
        if self.found == "omit":
            body = json.dumps({"results": chunk}).encode()
        else:
            found = len(self.items) if self.found is None else self.found
            body = page_body(chunk, page, limit, found)
        return 200, dict(self.headers), body


# --------------------------------------------------------------------------- pagination


def test_pages_until_a_short_page_and_count_matches_found(rsps, clock, api):
    pager = Pager(rsps, clock, SENSOR_URL, ITEMS)
    pages = api.pages(SENSOR_PATH, {"datetime_from": "2025-09-20"}, limit=200)
    assert [(s["page"], s["limit"]) for s in pager.seen] == [(1, 200), (2, 200), (3, 200)]
    assert [len(results) for _, results in pages] == [200, 200, 84]
    assert [r["value"] for _, results in pages for r in results] == [i["value"] for i in ITEMS]


def test_string_found_more_than_1000(rsps, clock, api):
    # 1,452 real items (the page repeated, shifted by 484 hours): found is the string '>1000'
    items = ITEMS + shifted(ITEMS, 484) + shifted(ITEMS, 968)
    pager = Pager(rsps, clock, SENSOR_URL, items, found=">1000")
    pages = api.pages(SENSOR_PATH, {})
    assert [s["page"] for s in pager.seen] == [1, 2]
    assert sum(len(r) for _, r in pages) == 1452


def test_string_found_bound_not_reached_is_an_error(rsps, clock, api):
    Pager(rsps, clock, SENSOR_URL, ITEMS, found=">1000")
    with pytest.raises(OpenAQError, match="collected 484 results but meta.found says more "
                                          "than 1000"):
        api.pages(SENSOR_PATH, {})


def test_found_that_does_not_match_is_an_error(rsps, clock, api):
    Pager(rsps, clock, SENSOR_URL, ITEMS, found=500)
    with pytest.raises(OpenAQError,
                       match=r"collected 484 results over 1 page\(s\) but meta.found is 500"):
        api.pages(SENSOR_PATH, {})


def test_server_ignoring_page_is_an_error(rsps, clock, api):
    rsps.add(responses.GET, SENSOR_URL, body=page_body(ITEMS[:200], 1, 200, 484))
    with pytest.raises(OpenAQError, match="asked for page 2, meta.page is 1"):
        api.pages(SENSOR_PATH, {}, limit=200)


def test_exact_multiple_of_the_limit(rsps, clock, api):
    # found reached: no third request
    pager = Pager(rsps, clock, SENSOR_URL, ITEMS[:400])
    assert [len(r) for _, r in api.pages(SENSOR_PATH, {}, limit=200)] == [200, 200]
    assert len(pager.seen) == 2


def test_without_found_an_empty_page_ends_the_listing(rsps, clock, api):
    # the collector of the real locations reply dropped meta: then only a short page ends it
    pager = Pager(rsps, clock, SENSOR_URL, ITEMS[:400], found="omit")
    assert [len(r) for _, r in api.pages(SENSOR_PATH, {}, limit=200)] == [200, 200, 0]
    assert len(pager.seen) == 3


# --------------------------------------------------------------------------- rate limits


def test_requests_are_spaced_at_least_one_second(rsps, clock, api):
    pager = Pager(rsps, clock, SENSOR_URL, ITEMS)
    api.pages(SENSOR_PATH, {}, limit=100)
    times = [s["t"] for s in pager.seen]
    assert len(times) == 5
    assert all(b - a >= 1.0 for a, b in zip(times, times[1:])), times
    assert api.http.min_interval_s == 1.0


def test_nearly_spent_window_waits_for_the_reset_before_the_next_request(rsps, clock, api):
    pager = Pager(rsps, clock, SENSOR_URL, ITEMS,
                  headers={"x-ratelimit-remaining": "1", "x-ratelimit-reset": "37",
                           "x-ratelimit-limit": "60", "x-ratelimit-used": "59"})
    api.pages(SENSOR_PATH, {}, limit=300)
    assert [s["t"] for s in pager.seen] == [0.0, 37.0]
    assert clock.sleeps == [37.0]


def test_plenty_left_means_no_wait(rsps, clock, api):
    pager = Pager(rsps, clock, SENSOR_URL, ITEMS,
                  headers={"x-ratelimit-remaining": "42", "x-ratelimit-reset": "37"})
    api.pages(SENSOR_PATH, {}, limit=300)
    assert [s["t"] for s in pager.seen] == [0.0, 1.0]


def test_429_with_retry_after_then_success(rsps, clock, api):
    rsps.add(responses.GET, SENSOR_URL, status=429, headers={"Retry-After": "15"},
             body=b'{"detail": "Too many requests"}')
    rsps.add(responses.GET, SENSOR_URL, body=MEASUREMENTS_RAW)
    (fetched, results), = api.pages(SENSOR_PATH, {})
    assert fetched.content == MEASUREMENTS_RAW and len(results) == 484
    assert clock.sleeps == [15.0]


def test_429_with_only_the_reset_header_waits_for_the_reset(rsps, clock, api):
    rsps.add(responses.GET, SENSOR_URL, status=429,
             headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "22.4"})
    rsps.add(responses.GET, SENSOR_URL, body=MEASUREMENTS_RAW)
    api.pages(SENSOR_PATH, {})
    assert clock.sleeps[0] == 23.0


def test_500_then_success(rsps, clock, api):
    rsps.add(responses.GET, SENSOR_URL, status=500)
    rsps.add(responses.GET, SENSOR_URL, body=MEASUREMENTS_RAW)
    (fetched, _), = api.pages(SENSOR_PATH, {})
    assert fetched.content == MEASUREMENTS_RAW and len(rsps.calls) == 2


def test_timeout_then_success(rsps, clock, api):
    rsps.add(responses.GET, SENSOR_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    rsps.add(responses.GET, SENSOR_URL, body=MEASUREMENTS_RAW)
    (fetched, _), = api.pages(SENSOR_PATH, {})
    assert fetched.status == 200


def test_truncated_body_fails_loudly_and_nothing_is_returned(rsps, clock, api):
    rsps.add(responses.GET, SENSOR_URL, body=MEASUREMENTS_RAW[:4000],
             headers={"Content-Length": str(len(MEASUREMENTS_RAW))})
    pages = None
    with pytest.raises(HttpError) as err:
        pages = api.pages(SENSOR_PATH, {})
    assert pages is None and SENSOR_URL in str(err.value) and len(rsps.calls) == 5


def test_request_budget_stops_the_run(rsps, clock):
    api = OpenAQClient(http(clock), KEY, sleep=clock.sleep, clock=clock.monotonic,
                       max_requests=2)
    Pager(rsps, clock, SENSOR_URL, ITEMS)
    with pytest.raises(OpenAQError, match="more than 2 requests"):
        api.pages(SENSOR_PATH, {}, limit=100)


# --------------------------------------------------------------------------- the key


def test_without_a_key_nothing_is_fetched(rsps, clock, caplog):
    assert skip_reason({}) == SKIPPED == "skipped: no OPENAQ_API_KEY"
    assert skip_reason({"OPENAQ_API_KEY": "  "}) == SKIPPED
    assert skip_reason({"OPENAQ_API_KEY": KEY}) is None
    with caplog.at_level(logging.WARNING, logger="smartchange.openaq"):
        assert fetch_live(http(clock), environ={}) == []
    assert len(rsps.calls) == 0 and SKIPPED in caplog.text


def test_whole_run_sends_the_key_only_as_a_header(rsps, clock, caplog, monkeypatch):
    monkeypatch.setattr(live, "CITIES", live.CITIES[1:])  # Berlin only: fewer requests
    locations = Pager(rsps, clock, API_URL + "/locations", LOCATIONS)
    days = []

    def days_reply(request):
        days.append((request.url, request.headers.get("X-API-Key"), clock.t))
        return 200, {}, MEASUREMENTS_RAW

    rsps.add_callback(responses.GET, re.compile(rf"{re.escape(API_URL)}/sensors/\d+/days"),
                      callback=days_reply)
    with caplog.at_level(logging.DEBUG):
        payloads = fetch_live(http(clock), now=datetime(2025, 11, 22, 12, tzinfo=UTC),
                              environ={"OPENAQ_API_KEY": KEY}, sleep=clock.sleep,
                              clock=clock.monotonic)

    assert [s["key"] for s in locations.seen] == [KEY] and {k for _, k, _ in days} == {KEY}
    assert "coordinates=52.52%2C13.41" in rsps.calls[0].request.url
    # 13 locations reported since 2025-09-23; their pm10/pm25/no2/o3/so2/co sensors
    assert len(days) == 74 and len(payloads) == 75
    assert all(isinstance(p, LivePayload) and p.file_name for p in payloads)
    assert payloads[0].file_name == "openaq_locations_berlin_page1.json"
    first_days = payloads[1]
    assert first_days.file_name == ("openaq_location7855_sensor23277_days_2025-09-23_"
                                    "2025-11-22_page1.json")
    assert "date_from=2025-09-23" in first_days.fetched.url
    staged = parse_openaq(first_days.fetched.content, first_days.file_name).staged
    assert set(staged["location_id"]) == {7855} and set(staged["sensor_id"]) == {23277}
    times = [s["t"] for s in locations.seen] + [t for _, _, t in days]
    assert all(b - a >= 1.0 for a, b in zip(times, times[1:]))
    # the key is never in a URL, a landed request record or a log line
    landed = json.dumps([p.fetched.request for p in payloads]) + \
        " ".join(p.fetched.url for p in payloads)
    assert KEY not in landed and KEY not in caplog.text
