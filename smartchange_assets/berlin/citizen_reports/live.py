"""Live connector: one bulk GET of the Ordnungsamt-Online window
(docs/sources/berlin-citizen-reports.md §1).

``GET https://ordnungsamt.berlin.de/frontend.webservice.opendata/api/meldungen`` returns every
report currently in the rolling window in one envelope; there are no paging parameters. The
call is large and slow and the server answers 503 at times: collectors use read timeouts of up
to ten minutes and retry after 30, 60 and 120 s (docs/sources/berlin-citizen-reports.md §3), so
the portal's client is re-derived with those settings (same session, same injected sleep/clock
for tests).

The body is checked before it is returned for landing: JSON, ``messages.success`` true, and
``results.count`` equal to the reports in ``index``. Anything else raises an error naming the
URL, so a cut-short or paginated window is never archived as a snapshot. The bytes themselves
are returned unchanged.
"""

from __future__ import annotations

import json

from smartchange_assets.platform.http import FetchedPayload, HttpClient, PayloadValidationError

MELDUNGEN_URL = "https://ordnungsamt.berlin.de/frontend.webservice.opendata/api/meldungen"

# docs/sources/berlin-citizen-reports.md §3: ≤ 10-minute read timeouts, retries after 30 / 60 /
# 120 s.
READ_TIMEOUT_S = 600.0
BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 120.0
MAX_ATTEMPTS = 4


class OrdnungsamtPayloadError(PayloadValidationError):
    """A 2xx reply that is not a complete Ordnungsamt-Online window (names the URL)."""


def patient_client(client: HttpClient) -> HttpClient:
    """``client`` with the long read timeout and slow backoff this endpoint needs.

    The portal's client is built for quick APIs (60 s reads, 1 s backoff). It is derived here
    (:meth:`HttpClient.derive`): same session, throttle interval, size and body-time limits,
    redirect policy and injection points (sleep, clock, now, rng), other retry timing.
    """
    return client.derive(read_timeout=max(client.timeout[1], READ_TIMEOUT_S),
                         max_attempts=MAX_ATTEMPTS, backoff_base_s=BACKOFF_BASE_S,
                         backoff_cap_s=BACKOFF_CAP_S)


def validate_window(payload: FetchedPayload) -> int:
    """Check the reply is a complete window; return the number of reports."""
    url = payload.url
    try:
        doc = json.loads(payload.content.decode("utf-8-sig"), strict=False)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OrdnungsamtPayloadError(
            f"Ordnungsamt-Online {url}: body is not JSON, probably cut short ({exc}); "
            f"{len(payload.content)} bytes, content type {payload.content_type!r}, "
            f"ends with {payload.content[-60:]!r}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("index"), list):
        raise OrdnungsamtPayloadError(
            f"Ordnungsamt-Online {url}: expected the envelope {{messages, results, index}}, got "
            f"{type(doc).__name__} with keys {sorted(doc)[:8] if isinstance(doc, dict) else '-'}")
    messages = doc.get("messages")
    if not isinstance(messages, dict) or messages.get("success") is not True:
        raise OrdnungsamtPayloadError(
            f"Ordnungsamt-Online {url}: the API did not report success: "
            f"{json.dumps(messages, ensure_ascii=False)[:300]}")
    results = doc.get("results")
    count = results.get("count") if isinstance(results, dict) else None
    reports = len(doc["index"])
    if not isinstance(count, int) or isinstance(count, bool) or count != reports:
        per_page = results.get("itemsPerPage") if isinstance(results, dict) else None
        raise OrdnungsamtPayloadError(
            f"Ordnungsamt-Online {url}: results.count is {count!r} (itemsPerPage "
            f"{per_page!r}) but index holds {reports} reports; the window is incomplete "
            f"(cut short, or the server started paginating)")
    return reports


def fetch_window(client: HttpClient) -> FetchedPayload:
    """Fetch today's window; return the reply unchanged once it is known to be complete."""
    payload = patient_client(client).get(MELDUNGEN_URL)
    validate_window(payload)
    return payload
