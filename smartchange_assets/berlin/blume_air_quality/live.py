"""Live connector: hourly BLUME values from luftdaten.berlin.de
(docs/sources/berlin-blume-air-quality.md §1).

One request per station and calendar month (hourly requests are limited to about one month per
call). The reply is a bare JSON array, newest first; a month without data is ``[]`` (2 bytes) and
is valid. The bytes are returned unchanged for the archive; the body is parsed only to check it is
a JSON array of objects.

Window parameters (my reading of the fetch scripts, not verified against ``/api/doc``)
-------------------------------------------------------------------------------------
The custom-window template of several fetch scripts (docs/sources/berlin-blume-air-quality.md
§1) is
``timespan=custom&start[date]=DD.MM.YYYY&start[hour]=1&end[date]=DD.MM.YYYY&end[hour]=0``.
``start[hour]=1`` with ``end[hour]=0`` only makes sense in *hour-ending* labels, the convention of
the site's CSV export (the 2023 year CSV starts at ``01.01.2023 01:00``): hour 1 of the first day
is the hour 00:00–01:00, and hour 0 of the first day of the next month is 24:00 of the last day.
So month M is requested as::

    start[date]=01.MM.YYYY  start[hour]=1  end[date]=01.(MM+1).YYYY  end[hour]=0

The JSON labels the same hours by their *start* (``T00:00`` … ``T23:00``); the verified month
sample mc124 2023-10 covers exactly ``2023-10-01T00:00+02:00`` … ``2023-10-31T23:00+01:00``.
If the server treated the window in hour-start labels instead, this request would be off by one
hour at each end; parsers should therefore keep only stamps inside the month they asked for and
report coverage, rather than trust the window. (The mc010 2024-03 sample ends on 30 March
23:00 — whatever window that collector used, it is not evidence either way.)
``core`` is omitted, so all components come back.
"""

from __future__ import annotations

import json
import re
from datetime import date

from smartchange_assets.platform.http import FetchedPayload, HttpClient, PayloadValidationError

BLUME_BASE_URL = "https://luftdaten.berlin.de/api/stations/{station}/data"

#: Station codes seen in the verified samples (docs/sources/berlin-blume-air-quality.md §1).
#: Some are historic; 17 are active.
BLUME_STATIONS: tuple[str, ...] = (
    "mc010", "mc018", "mc027", "mc032", "mc042", "mc077", "mc085", "mc115", "mc117",
    "mc124", "mc143", "mc144", "mc145", "mc171", "mc174", "mc190", "mc221", "mc282",
)

#: Names where the samples give one (mc143 and mc144 share a name).
BLUME_STATION_NAMES: dict[str, str] = {
    "mc010": "Wedding", "mc027": "Marienfelde", "mc032": "Grunewald", "mc042": "Neukölln",
    "mc077": "Buch", "mc085": "Friedrichshagen", "mc117": "Schildhornstraße",
    "mc124": "Mariendorfer Damm", "mc143": "Silbersteinstraße", "mc144": "Silbersteinstraße",
    "mc171": "Mitte", "mc174": "Frankfurter Allee", "mc190": "Leipziger Straße",
    "mc221": "Karl-Marx-Straße",
}

_STATION_RE = re.compile(r"^mc\d{3}$")


class BlumePayloadError(PayloadValidationError):
    """A BLUME reply that is not a JSON array of objects (names the URL)."""


def months_between(start: date, end: date) -> list[tuple[int, int]]:
    """Every ``(year, month)`` from the month of ``start`` to the month of ``end``, inclusive.

    Days are ignored: ``months_between(date(2024, 1, 31), date(2024, 3, 1))`` gives
    ``[(2024, 1), (2024, 2), (2024, 3)]``. Raises ValueError if ``end`` is in an earlier month.
    """
    first, last = (start.year, start.month), (end.year, end.month)
    if last < first:
        raise ValueError(f"end month {last} is before start month {first}")
    out: list[tuple[int, int]] = []
    year, month = first
    while (year, month) <= last:
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def blume_month_params(year: int, month: int) -> dict[str, str]:
    """Query parameters for one calendar month of hourly values (see module docstring)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    if not 1900 <= year <= 9999:
        raise ValueError(f"implausible year {year}")
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return {
        "period": "1h",
        "timespan": "custom",
        "start[date]": f"01.{month:02d}.{year:04d}",
        "start[hour]": "1",
        "end[date]": f"01.{next_month:02d}.{next_year:04d}",
        "end[hour]": "0",
    }


def validate_blume_array(payload: FetchedPayload) -> int:
    """Check the body is a JSON array of objects; return its length. Raises BlumePayloadError."""
    try:
        doc = json.loads(payload.content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BlumePayloadError(
            f"BLUME {payload.url}: body is not JSON ({exc}); content type "
            f"{payload.content_type!r}, starts with {payload.content[:80]!r}") from exc
    if not isinstance(doc, list):
        raise BlumePayloadError(
            f"BLUME {payload.url}: expected a JSON array, got {type(doc).__name__}")
    for i, item in enumerate(doc):
        if not isinstance(item, dict):
            raise BlumePayloadError(
                f"BLUME {payload.url}: item {i} is {type(item).__name__}, not an object")
    return len(doc)


def fetch_blume_month(client: HttpClient, station: str, year: int, month: int) -> FetchedPayload:
    """Fetch one station-month of hourly values; return the reply unchanged.

    ``station`` is a BLUME code such as ``mc010`` (case-insensitive; sent lower case). An empty
    month (``[]``) is a valid payload.
    """
    code = station.strip().lower()
    if not _STATION_RE.match(code):
        raise ValueError(f"not a BLUME station code: {station!r} (expected mcNNN)")
    url = BLUME_BASE_URL.format(station=code)
    payload = client.get(url, params=blume_month_params(year, month))
    validate_blume_array(payload)
    return payload
