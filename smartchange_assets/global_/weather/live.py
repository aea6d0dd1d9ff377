"""Live connector: Open-Meteo daily weather for Jakarta and Berlin
(docs/sources/global-weather.md §1).

Per city, two requests through the platform's :class:`HttpClient` (retries, Retry-After,
throttle, truncation checks; four requests per run, far below the free tier's 600/min):

* the **archive API** (ERA5 reanalysis) for history: ``start_date`` = today minus
  :data:`HISTORY_DAYS` (or ``SMARTCHANGE_WEATHER_START``), ``end_date`` = today minus
  :data:`ARCHIVE_DELAY_DAYS`, because reanalysis reaches the archive a few days late;
* the **forecast API** with ``past_days`` for the recent days the archive does not have yet,
  plus today.

"Today" is the city's own calendar day (``timezone=<city zone>``, so ``daily.time`` holds local
dates). The body is checked before it is handed on: a JSON object with ``daily.time``, and the
dates the request asked for. The payload's period is the date range it really covers.

Errors: Open-Meteo answers a bad request with HTTP 400 ``{"error": true, "reason": "…"}``; that
becomes :class:`OpenMeteoError` naming the URL and the reason. Nothing is returned for a city
once any request fails, so the raw asset lands nothing half-checked.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from zoneinfo import ZoneInfo

from smartchange_assets.global_.weather.cities import CITIES, City
from smartchange_assets.platform.http import (
    FetchedPayload,
    HttpClient,
    HttpError,
    PayloadValidationError,
)
from smartchange_assets.platform.spec import LivePayload

ARCHIVE_URL = "https://archive-api.open-meteo.com/v1/archive"
FORECAST_URL = "https://api.open-meteo.com/v1/forecast"
DAILY_VARIABLES = ("temperature_2m_max", "temperature_2m_min", "precipitation_sum",
                   "wind_speed_10m_max", "weather_code")

HISTORY_DAYS = 60
# ERA5 reaches the archive API about five days after the fact; later days would come back null.
ARCHIVE_DELAY_DAYS = 5
# The forecast API's recent past covers the archive's gap, with two days of overlap.
FORECAST_PAST_DAYS = ARCHIVE_DELAY_DAYS + 2
FORECAST_DAYS = 1  # today only: the warehouse compares observed weather, not outlooks
START_ENV = "SMARTCHANGE_WEATHER_START"  # optional ISO date overriding HISTORY_DAYS


class OpenMeteoError(PayloadValidationError):
    """An Open-Meteo error reply, or a 200 body that is not the daily data asked for."""


def fetch_live(client: HttpClient, now: dt.datetime | None = None,
               start: dt.date | None = None) -> list[LivePayload]:
    """Archive history and recent forecast-API days for every city, checked, in that order."""
    now = now or dt.datetime.now(dt.UTC)
    start = start or _configured_start()
    payloads = []
    for city in CITIES:
        today = now.astimezone(ZoneInfo(city.timezone)).date()
        first = start or today - dt.timedelta(days=HISTORY_DAYS)
        last = today - dt.timedelta(days=ARCHIVE_DELAY_DAYS)
        if first <= last:
            payloads.append(fetch_archive(client, city, first, last))
        payloads.append(fetch_recent(client, city, today))
    return payloads


def fetch_archive(client: HttpClient, city: City, start: dt.date,
                  end: dt.date) -> LivePayload:
    """Daily values for ``start``..``end`` (local dates) from the archive API."""
    params = {**_common_params(city), "start_date": start.isoformat(),
              "end_date": end.isoformat()}
    fetched = _get(client, ARCHIVE_URL, params)
    dates = _daily_dates(fetched)
    if (dates[0], dates[-1], len(dates)) != (start, end, (end - start).days + 1):
        raise OpenMeteoError(f"Open-Meteo {fetched.url}: asked for {start}..{end}, the reply "
                             f"covers {dates[0]}..{dates[-1]} ({len(dates)} days)")
    return LivePayload(fetched, start, end)


def fetch_recent(client: HttpClient, city: City, today: dt.date,
                 past_days: int = FORECAST_PAST_DAYS,
                 forecast_days: int = FORECAST_DAYS) -> LivePayload:
    """The last ``past_days`` days and ``forecast_days`` from today, from the forecast API."""
    params = {**_common_params(city), "past_days": past_days, "forecast_days": forecast_days}
    fetched = _get(client, FORECAST_URL, params)
    dates = _daily_dates(fetched)
    expected_first = today - dt.timedelta(days=past_days)
    # The server's "today" may differ from ours by a day around local midnight; any more is
    # not the window we asked for.
    if (len(dates) != past_days + forecast_days
            or abs((dates[0] - expected_first).days) > 1):
        raise OpenMeteoError(f"Open-Meteo {fetched.url}: expected {past_days + forecast_days} "
                             f"days from about {expected_first}, the reply covers "
                             f"{dates[0]}..{dates[-1]} ({len(dates)} days)")
    return LivePayload(fetched, dates[0], dates[-1])


def _common_params(city: City) -> dict:
    return {"latitude": city.latitude, "longitude": city.longitude,
            "daily": ",".join(DAILY_VARIABLES), "timezone": city.timezone}


def _configured_start() -> dt.date | None:
    value = os.environ.get(START_ENV, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{START_ENV}={value!r} is not an ISO date (YYYY-MM-DD)") from None


def _get(client: HttpClient, url: str, params: dict) -> FetchedPayload:
    try:
        return client.get(url, params=params)
    except HttpError as exc:
        if exc.status == 400:
            raise OpenMeteoError(f"Open-Meteo {exc.url}: HTTP 400, reason: "
                                 f"{_reason(exc.body_excerpt)}") from exc
        raise


def _reason(body: str | None) -> str:
    """The ``reason`` of an error body, or the body itself when it is not that JSON."""
    try:
        doc = json.loads(body or "")
    except json.JSONDecodeError:
        return repr(body)
    return repr(doc.get("reason")) if isinstance(doc, dict) and "reason" in doc else repr(body)


def _daily_dates(fetched: FetchedPayload) -> list[dt.date]:
    """The reply's ``daily.time`` as dates; raises OpenMeteoError for anything else."""
    try:
        doc = json.loads(fetched.content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OpenMeteoError(f"Open-Meteo {fetched.url}: body is not JSON ({exc}); starts with "
                             f"{fetched.content[:80]!r}") from exc
    if isinstance(doc, dict) and doc.get("error") is True:
        raise OpenMeteoError(f"Open-Meteo {fetched.url}: error reply, reason: "
                             f"{doc.get('reason')!r}")
    daily = doc.get("daily") if isinstance(doc, dict) else None
    times = daily.get("time") if isinstance(daily, dict) else None
    if not isinstance(times, list) or not times:
        raise OpenMeteoError(f"Open-Meteo {fetched.url}: no daily.time list in the reply")
    try:
        return [dt.date.fromisoformat(t) for t in times]
    except (TypeError, ValueError) as exc:
        raise OpenMeteoError(f"Open-Meteo {fetched.url}: daily.time is not a list of "
                             f"YYYY-MM-DD dates ({exc})") from exc
