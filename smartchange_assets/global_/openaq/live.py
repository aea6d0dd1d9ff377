"""Live connector: OpenAQ API v3, an optional cross-check (docs/sources/global-openaq.md §1).

Runs only with an API key in ``OPENAQ_API_KEY`` (read from the environment at run time). The
key travels in the ``X-API-Key`` header of the client's session: it is never part of a URL,
of ``FetchedPayload.request`` (what the archive lands) or of a log line. Without a key the
connector lands nothing and says ``skipped: no OPENAQ_API_KEY`` (:func:`skip_reason`).

Rate limits are 60 requests/minute and 2,000/hour per key. :class:`OpenAQClient` keeps under
them by itself:

* at most one request per second (the platform client's ``min_interval_s`` raised to 1.0);
* after every reply it reads ``x-ratelimit-remaining`` / ``x-ratelimit-reset`` (seconds until
  the window resets) and, when the remaining budget is down to :data:`RATE_RESERVE`, waits out
  the window before the next request instead of running into 429;
* a 429 is still retried by the platform client honouring ``Retry-After``; when the server
  sends only ``x-ratelimit-reset``, that is turned into ``Retry-After`` for the retry;
* a run stops with an error after :data:`MAX_REQUESTS` requests, below the hourly limit.

Pagination (docs/sources/global-openaq.md §1): ``page``/``limit`` (≤ 1000) until a page comes back
shorter than ``limit``. ``meta.found`` is an int, or a lower bound such as ``">1000"`` on big
queries; the rows collected must match it (or exceed the bound). A ``meta.page`` other than the page
asked for means the server ignored ``page``: an error, rather than landing the same rows twice.

What a run fetches, per city (the weather source's points): the locations within
:data:`SEARCH_RADIUS_M`, then for each sensor of a wanted parameter that reported inside the
window, its daily means (``/v3/sensors/{id}/days``, ``date_from``/``date_to`` as listed in the
API's OpenAPI description [T]). Each landed page is named
``openaq_location<L>_sensor<S>_days_<from>_<to>_page<N>.json``, because a measurement reply does
not name its sensor (see the parser).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import time
from collections.abc import Callable, Mapping

from smartchange_assets.global_.weather.cities import CITIES
from smartchange_assets.platform.http import FetchedPayload, HttpClient, PayloadValidationError
from smartchange_assets.platform.spec import LivePayload

logger = logging.getLogger("smartchange.openaq")

API_URL = "https://api.openaq.org/v3"
API_KEY_ENV = "OPENAQ_API_KEY"
SKIPPED = f"skipped: no {API_KEY_ENV}"

MIN_INTERVAL_S = 1.0  # 60 requests per minute
RATE_RESERVE = 1  # requests left in the window at which we wait for its reset
MAX_REQUESTS = 1_500  # per run, below the 2,000/hour limit
PAGE_LIMIT = 1000  # the API's maximum page size
MAX_PAGES = 100
SEARCH_RADIUS_M = 25_000  # the API's maximum radius
HISTORY_DAYS = 60
PARAMETERS = ("pm10", "pm25", "no2", "o3", "so2", "co")


class OpenAQError(PayloadValidationError):
    """A reply that cannot drive pagination, a count that does not add up, or a budget hit."""


def skip_reason(environ: Mapping[str, str] = os.environ) -> str | None:
    """Why a live run fetches nothing (no API key), or None when it can run."""
    return None if environ.get(API_KEY_ENV, "").strip() else SKIPPED


# --------------------------------------------------------------------------- client


class OpenAQClient:
    """The platform :class:`HttpClient` plus the API key, 1 request/s and the rate headers."""

    def __init__(self, http: HttpClient, api_key: str, *,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 reserve: int = RATE_RESERVE, max_requests: int = MAX_REQUESTS):
        if not api_key:
            raise ValueError(f"an OpenAQ API key is required ({API_KEY_ENV})")
        http.min_interval_s = max(http.min_interval_s, MIN_INTERVAL_S)
        http.session.headers["X-API-Key"] = api_key
        http.session.hooks["response"].append(self._read_rate_headers)
        self.http, self.reserve, self.max_requests = http, reserve, max_requests
        self._sleep, self._clock = sleep, clock
        self._resume_at: float | None = None
        self.requests = 0

    def get(self, path: str, params: Mapping[str, object]) -> FetchedPayload:
        if self._resume_at is not None:
            wait = self._resume_at - self._clock()
            self._resume_at = None
            if wait > 0:
                logger.info("OpenAQ rate window nearly used up: waiting %.0f s for its reset",
                            wait)
                self._sleep(wait)
        self.requests += 1
        if self.requests > self.max_requests:
            raise OpenAQError(f"OpenAQ: more than {self.max_requests} requests in one run; "
                              "stopping below the 2,000/hour limit")
        return self.http.get(f"{API_URL}{path}", params=dict(params))

    def pages(self, path: str, params: Mapping[str, object],
              limit: int = PAGE_LIMIT) -> list[tuple[FetchedPayload, list]]:
        """Every page of a listing, each with its results, checked against ``meta.found``."""
        pages: list[tuple[FetchedPayload, list]] = []
        found: int | None = None
        at_least: int | None = None
        collected = 0
        for page in range(1, MAX_PAGES + 1):
            fetched = self.get(path, {**params, "limit": limit, "page": page})
            results, meta = _decode(fetched)
            if meta.get("page") not in (None, page):
                raise OpenAQError(f"OpenAQ {fetched.url}: asked for page {page}, meta.page is "
                                  f"{meta.get('page')!r} (server ignored 'page'?)")
            exact, bound = _found(meta.get("found"), fetched.url)
            if exact is not None and found is not None and exact != found:
                raise OpenAQError(f"OpenAQ {fetched.url}: meta.found changed from {found} to "
                                  f"{exact} between pages; the data changed during the pull")
            found = exact if exact is not None else found
            at_least = bound if bound is not None else at_least
            pages.append((fetched, results))
            collected += len(results)
            if len(results) < limit or (found is not None and collected >= found):
                break
        else:
            raise OpenAQError(f"OpenAQ {API_URL}{path}: more than {MAX_PAGES} pages")
        if found is not None and collected != found:
            raise OpenAQError(f"OpenAQ {API_URL}{path}: collected {collected} results over "
                              f"{len(pages)} page(s) but meta.found is {found}")
        if found is None and at_least is not None and collected <= at_least:
            raise OpenAQError(f"OpenAQ {API_URL}{path}: collected {collected} results but "
                              f"meta.found says more than {at_least}")
        return pages

    def _read_rate_headers(self, response, *args, **kwargs):
        """requests response hook: note when to pause; give a bare 429 a Retry-After."""
        remaining = _number(response.headers.get("x-ratelimit-remaining"))
        reset = _number(response.headers.get("x-ratelimit-reset"))
        if response.status_code == 429 and reset is not None \
                and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = str(math.ceil(reset))
        if remaining is not None and reset is not None and remaining <= self.reserve:
            self._resume_at = self._clock() + reset
        return response


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _decode(fetched: FetchedPayload) -> tuple[list, dict]:
    try:
        doc = json.loads(fetched.content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OpenAQError(f"OpenAQ {fetched.url}: body is not JSON ({exc}); starts with "
                          f"{fetched.content[:80]!r}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise OpenAQError(f"OpenAQ {fetched.url}: no 'results' list in the reply")
    meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
    return doc["results"], meta


def _found(value: object, url: str) -> tuple[int | None, int | None]:
    """(exact count, None) | (None, lower bound) for '>1000' | (None, None) when absent."""
    if value is None:
        return None, None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value, None
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text), None
        if text.startswith(">") and text[1:].strip().isdigit():
            return None, int(text[1:].strip())
    raise OpenAQError(f"OpenAQ {url}: meta.found {value!r} is neither a count nor '>N'")


# --------------------------------------------------------------------------- the run


def fetch_live(client: HttpClient, now: dt.datetime | None = None,
               environ: Mapping[str, str] = os.environ,
               sleep: Callable[[float], None] = time.sleep,
               clock: Callable[[], float] = time.monotonic) -> list[LivePayload]:
    """Locations near each city and the daily means of their wanted sensors."""
    reason = skip_reason(environ)
    if reason:
        logger.warning("OpenAQ: %s; nothing fetched", reason)
        return []
    api = OpenAQClient(client, environ[API_KEY_ENV].strip(), sleep=sleep, clock=clock)
    today = (now or dt.datetime.now(dt.UTC)).date()
    start = today - dt.timedelta(days=HISTORY_DAYS)
    payloads: list[LivePayload] = []
    for city in CITIES:
        locations = api.pages("/locations", {"coordinates": f"{city.latitude},{city.longitude}",
                                             "radius": SEARCH_RADIUS_M})
        for n, (fetched, _) in enumerate(locations, start=1):
            payloads.append(LivePayload(
                fetched, file_name=f"openaq_locations_{city.name}_page{n}.json"))
        for location_id, sensor_id in _wanted_sensors(locations, start):
            days = api.pages(f"/sensors/{sensor_id}/days",
                             {"date_from": start.isoformat(), "date_to": today.isoformat()})
            for n, (fetched, _) in enumerate(days, start=1):
                payloads.append(LivePayload(
                    fetched, start, today,
                    file_name=(f"openaq_location{location_id}_sensor{sensor_id}_days_"
                               f"{start}_{today}_page{n}.json")))
    logger.info("OpenAQ: %d payload(s) in %d request(s)", len(payloads), api.requests)
    return payloads


def _wanted_sensors(pages: list[tuple[FetchedPayload, list]],
                    since: dt.date) -> list[tuple[int, int]]:
    """(location id, sensor id) of every sensor of a wanted parameter at a location that has
    reported since ``since`` (an idle location's sensors would only cost requests)."""
    wanted = []
    for fetched, results in pages:
        for location in results:
            if not isinstance(location, dict) or not isinstance(location.get("id"), int):
                raise OpenAQError(f"OpenAQ {fetched.url}: a location without an integer id")
            last = ((location.get("datetimeLast") or {}).get("utc") or "")[:10]
            if last and last < since.isoformat():
                continue
            for sensor in location.get("sensors") or []:
                name = ((sensor.get("parameter") or {}).get("name") or "").lower()
                if name in PARAMETERS and isinstance(sensor.get("id"), int):
                    wanted.append((location["id"], sensor["id"]))
    return wanted
