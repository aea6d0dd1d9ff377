"""Live connector: the BLUME station list from luftdaten.berlin.de
(docs/sources/berlin-blume-stations.md §1).

One request, ``GET /api/stations?active=true&include_hidden=true``, through the platform's
:class:`HttpClient`. The bytes go to the archive unchanged; the body is parsed only to check it
is a non-empty JSON array of station objects with a ``code`` (an empty list would replace the
station table with nothing, so it is refused).
"""

from __future__ import annotations

import json

from smartchange_assets.platform.http import FetchedPayload, HttpClient, PayloadValidationError
from smartchange_assets.platform.spec import LivePayload

STATIONS_URL = "https://luftdaten.berlin.de/api/stations"
STATIONS_PARAMS = {"active": "true", "include_hidden": "true"}


class BlumeStationsError(PayloadValidationError):
    """A /api/stations reply that is not a list of station objects (names the URL)."""


def fetch_live(client: HttpClient) -> list[LivePayload]:
    return [LivePayload(fetch_stations(client))]


def fetch_stations(client: HttpClient) -> FetchedPayload:
    payload = client.get(STATIONS_URL, params=STATIONS_PARAMS)
    try:
        doc = json.loads(payload.content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BlumeStationsError(f"BLUME {payload.url}: body is not JSON ({exc}); starts with "
                                 f"{payload.content[:80]!r}") from exc
    if not isinstance(doc, list) or not doc:
        raise BlumeStationsError(f"BLUME {payload.url}: expected a non-empty JSON array of "
                                 f"stations, got {str(doc)[:80]!r}")
    bad = [i for i, item in enumerate(doc) if not (isinstance(item, dict) and "code" in item)]
    if bad:
        raise BlumeStationsError(f"BLUME {payload.url}: item {bad[0]} is not a station object "
                                 f"with a 'code'")
    return payload
