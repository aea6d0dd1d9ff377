"""Live connector: the CRM public dashboard API (crm.jakarta.go.id,
docs/sources/jakarta-citizen-reports.md §5).

``GET /api/public/dashboard/distribution-map?dateStart=YYYY-MM-DD&dateEnd=YYYY-MM-DD&zoneId=
&isPrivacy=0`` answers a JSON list of public reports created in the window (undocumented API,
used by third-party scrapers; the reply shape is from those, not verified here). There is no
page parameter: the window is the page, so reports are fetched one calendar month per request.
Statuses move on for weeks (disposisi -> dikerjakan -> Menunggu Validasi -> Selesai), so the
live run re-pulls the current and the previous :data:`LIVE_MONTHS_BACK` - 1 months; each reply
is its own payload.

The bytes go to the archive unchanged. The body is parsed here only to refuse what is not a
list of report objects with a ``code``: an HTML error page, a cut-off body or an envelope we do
not know fails the fetch (and the whole live run lands nothing).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json

from smartchange_assets.platform.http import FetchedPayload, HttpClient, PayloadValidationError

CRM_DISTRIBUTION_URL = "https://crm.jakarta.go.id/api/public/dashboard/distribution-map"
LIVE_MONTHS_BACK = 3


class CrmPayloadError(PayloadValidationError):
    """A dashboard reply that is not a JSON list of report objects (names the URL)."""


def crm_window_params(start: dt.date, end: dt.date) -> dict[str, str]:
    """Query parameters for reports created from ``start`` to ``end`` (both inclusive)."""
    if end < start:
        raise ValueError(f"window end {end} is before its start {start}")
    return {"dateStart": start.isoformat(), "dateEnd": end.isoformat(), "zoneId": "",
            "isPrivacy": "0"}


def validate_crm_reply(payload: FetchedPayload) -> int:
    """Check the body is a JSON list of objects each with a ``code``; return its length."""
    try:
        doc = json.loads(payload.content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CrmPayloadError(
            f"CRM {payload.url}: body is not JSON ({exc}); content type "
            f"{payload.content_type!r}, starts with {payload.content[:80]!r}") from exc
    if not isinstance(doc, list):
        raise CrmPayloadError(f"CRM {payload.url}: expected a JSON list of reports, got "
                              f"{type(doc).__name__}")
    for i, item in enumerate(doc):
        if not isinstance(item, dict) or not item.get("code"):
            raise CrmPayloadError(f"CRM {payload.url}: item {i} is not a report object with a "
                                  f"'code': {str(item)[:80]!r}")
    return len(doc)


def fetch_crm_window(client: HttpClient, start: dt.date, end: dt.date) -> FetchedPayload:
    """Reports created in ``[start, end]``, the reply unchanged (validated)."""
    payload = client.get(CRM_DISTRIBUTION_URL, params=crm_window_params(start, end))
    validate_crm_reply(payload)
    return payload


def live_months(today: dt.date, months_back: int = LIVE_MONTHS_BACK) -> list[tuple[dt.date,
                                                                                  dt.date]]:
    """The last ``months_back`` calendar months up to ``today``'s, oldest first; the current
    month's window ends today (reports of later days cannot exist yet)."""
    windows = []
    year, month = today.year, today.month
    for _ in range(months_back):
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        windows.append((dt.date(year, month, 1), min(last, today)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return windows[::-1]
