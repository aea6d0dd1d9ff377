"""A polite, defensive HTTP client for the live connectors.

Every connector fetches through :class:`HttpClient`, which wraps one ``requests.Session`` and adds:

* a clear ``User-Agent`` naming the project (see :data:`USER_AGENT`);
* separate connect / read timeouts;
* retries with exponential backoff and *full jitter* on 429, 500, 502, 503, 504, on connection
  errors and timeouts, and on truncated bodies; ``Retry-After`` (delta-seconds or HTTP date) is
  honoured, capped at ``max_retry_after_s``;
* a self-imposed minimum interval between two requests of the same client (``min_interval_s``);
* truncation detection: a body whose byte count differs from ``Content-Length`` is never returned;
* injectable ``sleep`` / ``clock`` / ``now`` / ``rng`` so tests run instantly and deterministically.

It returns :class:`FetchedPayload`: the raw bytes exactly as received (``response.content``, never
decoded and re-encoded) plus what the archive manifest needs (final URL, status, content type,
fetch time in UTC and the request that produced it).

Errors are :class:`HttpError` (transport / status problems, naming the URL) and
:class:`PayloadValidationError` (a 200 reply whose body is not what the connector expects).
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

import requests

logger = logging.getLogger("smartchange.http")


def _package_version() -> str:
    try:
        return metadata.version("smartchange")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0.0.0"


#: Sent with every request. Plain ASCII on purpose: ``http.client`` encodes header values as
#: Latin-1, so an en dash ("Jakarta–Berlin") would raise ``UnicodeEncodeError`` before a single
#: byte went out. The hyphen keeps the header valid (RFC 9110 field values are visible ASCII).
USER_AGENT = (
    f"smartchange/{_package_version()} "
    "(+https://github.com/smartchange; Jakarta-Berlin Smart Change data platform)"
)

#: Statuses that are worth retrying; everything else that is not 2xx fails at once.
RETRY_STATUSES: frozenset[int] = frozenset({429, 500, 502, 503, 504})

_BODY_EXCERPT_BYTES = 300


@dataclass(frozen=True)
class FetchedPayload:
    """One HTTP reply, kept byte-for-byte for the raw archive."""

    content: bytes
    url: str  # final URL (after redirects, with the encoded query string)
    status: int
    content_type: str | None
    fetched_at: datetime  # UTC, tz-aware
    request: dict  # {"method", "url", "params"} or {"method", "url", "body"}, for the manifest


class HttpError(RuntimeError):
    """A request that did not yield a valid 2xx body. The message names the URL."""

    def __init__(self, message: str, *, url: str, status: int | None = None,
                 attempts: int = 1, cause: BaseException | str | None = None,
                 body_excerpt: str | None = None):
        self.url = url
        self.status = status
        self.attempts = attempts
        self.cause = cause
        self.body_excerpt = body_excerpt
        super().__init__(message)


class PayloadValidationError(ValueError):
    """A 2xx reply whose body is not the shape the connector expects (names URL / source)."""


class TruncatedBodyError(IOError):
    """The body ended before (or ran past) the announced ``Content-Length``."""


def _excerpt(content: bytes, limit: int = _BODY_EXCERPT_BYTES) -> str:
    text = content[:limit].decode("utf-8", errors="replace")
    return text + ("…" if len(content) > limit else "")


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), else None."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class _RetryableStatus(Exception):
    def __init__(self, response: requests.Response):
        self.response = response
        super().__init__(f"HTTP {response.status_code} {response.reason or ''}".strip())


class HttpClient:
    """One polite ``requests.Session`` with timeouts, retries, throttling and truncation checks.

    Parameters
    ----------
    connect_timeout, read_timeout:
        Seconds, passed to requests as ``(connect, read)``. The read timeout is per socket read.
    max_attempts:
        Total tries per call (first try included). Default 5.
    backoff_base_s, backoff_cap_s:
        Full-jitter backoff: before retry *n* (1-based) wait
        ``uniform(0, min(cap, base * 2**(n-1)))``.
    max_retry_after_s:
        Upper bound on a server-requested ``Retry-After`` wait. A longer request is capped (and the
        retry will most likely fail again, ending in :class:`HttpError`).
    min_interval_s:
        Minimum time between the starts of two requests (including retries) of this client.
        0.5 s by default, the pause third-party BLUME scripts use.
    sleep, clock, now, rng:
        Injection points for tests: ``sleep(seconds)``, a monotonic ``clock()``, ``now()`` returning
        an aware UTC datetime, and an object with ``uniform(a, b)``.
    """

    def __init__(
        self,
        *,
        session: requests.Session | None = None,
        user_agent: str = USER_AGENT,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_attempts: int = 5,
        backoff_base_s: float = 1.0,
        backoff_cap_s: float = 60.0,
        max_retry_after_s: float = 300.0,
        min_interval_s: float = 0.5,
        retry_statuses: frozenset[int] = RETRY_STATUSES,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] | None = None,
        rng: Any | None = None,
    ):
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        for name, value in (("connect_timeout", connect_timeout),
                            ("read_timeout", read_timeout)):
            if value <= 0:
                raise ValueError(f"{name} must be > 0")
        if min(backoff_base_s, backoff_cap_s, max_retry_after_s, min_interval_s) < 0:
            raise ValueError("delays and intervals must be >= 0")
        self._owns_session = session is None
        self.session = session if session is not None else requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.timeout = (connect_timeout, read_timeout)
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.max_retry_after_s = max_retry_after_s
        self.min_interval_s = min_interval_s
        self.retry_statuses = frozenset(retry_statuses)
        self._sleep = sleep
        self._clock = clock
        self._now = now or (lambda: datetime.now(UTC))
        self._rng = rng if rng is not None else random.Random()
        self._last_request_at: float | None = None
        self._throttle_lock = threading.Lock()

    # -- public API -------------------------------------------------------------------------

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> FetchedPayload:
        """GET ``url`` (with optional query ``params``) and return the raw reply."""
        record = {"method": "GET", "url": url, "params": dict(params) if params else None}
        full_url = requests.Request("GET", url, params=params).prepare().url or url
        return self._request("GET", full_url, record, params=params, request_url=url)

    def post_json(self, url: str, body: Any) -> FetchedPayload:
        """POST ``body`` as JSON to ``url`` and return the raw reply."""
        record = {"method": "POST", "url": url, "body": body}
        return self._request("POST", url, record, json=body, request_url=url)

    def close(self) -> None:
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------------

    def _throttle(self) -> None:
        with self._throttle_lock:
            if self._last_request_at is not None and self.min_interval_s > 0:
                wait = self._last_request_at + self.min_interval_s - self._clock()
                if wait > 0:
                    logger.debug("throttle: sleeping %.3f s", wait)
                    self._sleep(wait)
            self._last_request_at = self._clock()

    def _backoff(self, retry_number: int) -> float:
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * (2 ** (retry_number - 1)))
        return float(self._rng.uniform(0.0, ceiling))

    @staticmethod
    def _check_length(response: requests.Response) -> None:
        """Raise TruncatedBodyError if the body size disagrees with Content-Length.

        urllib3 usually catches this itself (``IncompleteRead`` -> ``ChunkedEncodingError``); this
        is the backstop. Skipped when a content coding was applied, because ``Content-Length`` then
        counts the encoded bytes while ``response.content`` holds the decoded ones.
        """
        declared = response.headers.get("Content-Length")
        if declared is None:
            return
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            return
        try:
            expected = int(declared)
        except ValueError as exc:
            raise TruncatedBodyError(f"unreadable Content-Length {declared!r}") from exc
        received = len(response.content)
        if received != expected:
            raise TruncatedBodyError(
                f"body has {received} bytes but Content-Length says {expected}")

    def _request(self, method: str, url: str, record: dict, *, request_url: str,
                 **kwargs: Any) -> FetchedPayload:
        """``url`` (full, with query) is for logs/errors; ``request_url`` goes to requests."""
        last_cause: BaseException | None = None
        last_status: int | None = None
        for attempt in range(1, self.max_attempts + 1):
            self._throttle()
            logger.info("%s %s attempt %d/%d", method, url, attempt, self.max_attempts)
            retry_after: float | None = None
            try:
                response = self.session.request(method, request_url, timeout=self.timeout,
                                                **kwargs)
                status = response.status_code
                if status in self.retry_statuses:
                    raise _RetryableStatus(response)
                if not 200 <= status < 300:
                    excerpt = _excerpt(response.content)
                    logger.warning("%s %s -> HTTP %d (not retried)", method, response.url,
                                   status)
                    raise HttpError(
                        f"{method} {response.url}: HTTP {status} {response.reason or ''}".rstrip()
                        + f"; body: {excerpt!r}",
                        url=response.url or url, status=status, attempts=attempt,
                        body_excerpt=excerpt)
                self._check_length(response)
            except _RetryableStatus as exc:
                last_cause, last_status = exc, exc.response.status_code
                retry_after = parse_retry_after(exc.response.headers.get("Retry-After"),
                                                self._now())
            except (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError, TruncatedBodyError) as exc:
                # ConnectionError covers dropped TLS handshakes (SSLError) and refused
                # connections; ChunkedEncodingError is how urllib3 reports a body cut short.
                last_cause, last_status = exc, None
            except HttpError:
                raise
            except requests.RequestException as exc:  # invalid URL, too many redirects, ...
                raise HttpError(f"{method} {url}: request failed: {exc!r}", url=url,
                                attempts=attempt, cause=exc) from exc
            else:
                logger.info("%s %s -> HTTP %d, %d bytes", method, response.url, status,
                            len(response.content))
                return FetchedPayload(
                    content=response.content,
                    url=response.url or url,
                    status=status,
                    content_type=response.headers.get("Content-Type"),
                    fetched_at=self._now(),
                    request=record,
                )

            if attempt == self.max_attempts:
                break
            if retry_after is not None:
                delay = min(retry_after, self.max_retry_after_s)
                why = f"Retry-After {retry_after:g} s"
            else:
                delay = self._backoff(attempt)
                why = "backoff"
            logger.warning("%s %s attempt %d/%d failed (%s); retrying in %.2f s (%s)",
                           method, url, attempt, self.max_attempts, last_cause, delay, why)
            if delay > 0:
                self._sleep(delay)

        if isinstance(last_cause, _RetryableStatus):
            cause_text = str(last_cause)
            chained: BaseException | None = None
        else:
            cause_text = f"{type(last_cause).__name__}: {last_cause}"
            chained = last_cause
        logger.error("%s %s: giving up after %d attempts; last cause: %s",
                     method, url, self.max_attempts, cause_text)
        raise HttpError(
            f"{method} {url}: gave up after {self.max_attempts} attempts; "
            f"last cause: {cause_text}",
            url=url, status=last_status, attempts=self.max_attempts,
            cause=chained if chained is not None else cause_text,
        ) from chained
