"""A polite, defensive HTTP client for the live connectors.

Every connector fetches through :class:`HttpClient`, which wraps one ``requests.Session`` and adds:

* a clear ``User-Agent`` naming the project (see :data:`USER_AGENT`);
* separate connect / read timeouts, and a wall-clock limit on reading one body
  (``body_timeout_s``: a server trickling bytes never trips the per-read timeout);
* retries with exponential backoff and *full jitter* on 429, 500, 502, 503, 504, on connection
  errors and timeouts, and on truncated bodies; ``Retry-After`` (delta-seconds or HTTP date) is
  honoured, capped at ``max_retry_after_s``;
* a self-imposed minimum interval between two requests of the same client (``min_interval_s``);
* bodies streamed and bounded (:mod:`.http_body`): at most ``max_bytes`` decoded bytes are read
  (a gzip bomb stops there too), a body shorter than its ``Content-Length`` or a compressed
  stream that does not end is never returned;
* redirects followed by the client itself: to another host (or from https to http) only when
  ``allow_cross_host_redirects``, and then WITHOUT any credential header of the session
  (``Authorization``, ``X-API-Key``, cookies, ...; requests itself strips ``Authorization``
  only);
* optionally, the content types a reply may have (``expect_content_types``, per client or per
  call): an HTML error page answered with 200 is refused before its body is read;
* no secret in a log line or an error message (:mod:`.secrets`): URLs are shown with user-info
  and secret-looking query values redacted, a call with ``secret_url=True`` (a webhook) shows
  only ``scheme://host/…``, and the values of credential headers are scrubbed from every message,
  requests' and urllib3's included;
* injectable ``sleep`` / ``clock`` / ``now`` / ``rng`` so tests run instantly and deterministically.

It returns :class:`FetchedPayload`: the raw bytes exactly as received (never decoded and
re-encoded; only a ``Content-Encoding`` is undone) plus what the archive manifest needs (final URL,
status, content type, fetch time in UTC and the request that produced it, secrets redacted).

Errors are :class:`HttpError` (transport / status / size problems, naming the URL; its subclass
:class:`BodyTooLargeError`) and :class:`PayloadValidationError` (a 200 reply whose body is not what
the connector expects; :class:`UnexpectedContentType` from the client itself).
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import threading
import time
import zlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from importlib import metadata
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from smartchange_assets.platform.http_body import (
    ACCEPT_ENCODING,
    BodyTimeout,
    BodyTooLarge,
    TruncatedBodyError,
    UnsupportedEncoding,
    read_body,
)
from smartchange_assets.platform.secrets import (
    REDACTED,
    hide_url,
    install_log_redaction,
    is_secret_name,
    redact_text,
    redact_url,
    register_secret,
)

logger = logging.getLogger("smartchange.http")
# our own lines are built redacted; this also catches urllib3's DEBUG request lines
# ('"GET /path?api_key=... HTTP/1.1" 200') and anything logged with a registered secret
install_log_redaction("smartchange.http", "urllib3.connectionpool")


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

#: Largest decoded body a client reads unless told otherwise (``max_bytes``).
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 10

_BODY_EXCERPT_BYTES = 300


@dataclass(frozen=True)
class FetchedPayload:
    """One HTTP reply, kept byte-for-byte for the raw archive."""

    content: bytes
    # final URL (after redirects, with the encoded query string), secret query values and
    # user-info redacted (secrets.redact_url): it is the archive's origin and goes into messages
    url: str
    status: int
    content_type: str | None
    fetched_at: datetime  # UTC, tz-aware
    # {"method", "url", "params"} or {"method", "url", "body"}, for the manifest; secret-named
    # params redacted
    request: dict


class HttpError(RuntimeError):
    """A request that did not yield a valid 2xx body. The message names the URL (redacted, like
    ``url``) and, after retries, the last cause; neither holds a credential."""

    def __init__(self, message: str, *, url: str, status: int | None = None,
                 attempts: int = 1, cause: BaseException | str | None = None,
                 body_excerpt: str | None = None):
        self.url = url
        self.status = status
        self.attempts = attempts
        self.cause = cause
        self.body_excerpt = body_excerpt
        super().__init__(message)


class BodyTooLargeError(HttpError):
    """The reply's decoded body passed the client's ``max_bytes``; reading stopped there."""


class PayloadValidationError(ValueError):
    """A 2xx reply whose body is not the shape the connector expects (names URL / source)."""


class UnexpectedContentType(PayloadValidationError):
    """A 2xx reply whose ``Content-Type`` is not one the caller expects (names the URL)."""

    def __init__(self, message: str, *, url: str, content_type: str | None):
        self.url, self.content_type = url, content_type
        super().__init__(message)


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


def media_type(content_type: str | None) -> str | None:
    """``"application/json"`` from ``"application/json; charset=utf-8"``; None when absent."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def content_type_matches(content_type: str | None, expected: Collection[str]) -> bool:
    """Whether a reply's type is one of ``expected`` (shell patterns such as ``"text/*"`` or
    ``"application/*json"``). A reply without a ``Content-Type`` matches: there is nothing to
    judge, and the connector's own body checks still run."""
    media = media_type(content_type)
    return media is None or any(fnmatchcase(media, p.strip().lower()) for p in expected)


class _RetryableStatus(Exception):
    def __init__(self, status: int, reason: str | None, retry_after: str | None):
        self.status, self.retry_after = status, retry_after
        super().__init__(f"HTTP {status} {reason or ''}".strip())


# errors after which another attempt may well succeed
_RETRYABLE = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
              requests.exceptions.ContentDecodingError, TruncatedBodyError, BodyTimeout)


@dataclass(frozen=True)
class _Call:
    """One logical request: what goes on the wire, and how it is shown in logs and errors."""

    method: str
    url: str  # as given, without params (requests adds them)
    params: Mapping[str, Any] | None
    json: Any
    shown: str  # full URL with the query, redacted (or hidden, for a secret URL)
    secrets: tuple[str, ...]  # values to scrub from any text about this call
    expect: Collection[str] | None
    secret_url: bool

    def redact(self, text: str) -> str:
        return redact_text(text, self.secrets)

    def show(self, url: str) -> str:
        """How a URL of this call (a redirect target, the final URL) appears anywhere."""
        return hide_url(url) if self.secret_url else self.redact(redact_url(url))


class HttpClient:
    """One polite ``requests.Session`` with timeouts, retries, throttling and bounded bodies.

    Parameters
    ----------
    connect_timeout, read_timeout:
        Seconds, passed to requests as ``(connect, read)``. The read timeout is per socket read.
    body_timeout_s:
        Wall-clock limit on reading one reply's body (None: no limit). Retried like a timeout.
    max_bytes:
        Largest decoded body read (default :data:`DEFAULT_MAX_BYTES`). A larger reply fails with
        :class:`BodyTooLargeError` (not retried) once the limit is passed, without reading on.
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
    allow_cross_host_redirects, max_redirects:
        A redirect to another host, port or scheme (bar http -> https on the default ports) is
        followed without the session's credential headers, or refused with :class:`HttpError`
        when ``allow_cross_host_redirects`` is False. More than ``max_redirects`` hops fail.
    expect_content_types:
        Content types every reply of this client may have (shell patterns); None accepts any.
        ``get`` / ``post_json`` take ``expect=`` to override it per call.
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
        body_timeout_s: float | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_attempts: int = 5,
        backoff_base_s: float = 1.0,
        backoff_cap_s: float = 60.0,
        max_retry_after_s: float = 300.0,
        min_interval_s: float = 0.5,
        retry_statuses: frozenset[int] = RETRY_STATUSES,
        allow_cross_host_redirects: bool = True,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        expect_content_types: Collection[str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] | None = None,
        rng: Any | None = None,
    ):
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        for name, value in (("connect_timeout", connect_timeout),
                            ("read_timeout", read_timeout), ("max_bytes", max_bytes)):
            if value <= 0:
                raise ValueError(f"{name} must be > 0")
        if body_timeout_s is not None and body_timeout_s <= 0:
            raise ValueError("body_timeout_s must be > 0 (or None for no limit)")
        if min(backoff_base_s, backoff_cap_s, max_retry_after_s, min_interval_s,
               max_redirects) < 0:
            raise ValueError("delays, intervals and max_redirects must be >= 0")
        self._owns_session = session is None
        self.session = session if session is not None else requests.Session()
        self.session.headers["User-Agent"] = user_agent
        # exactly the codings http_body decodes (requests would offer br/zstd when installed)
        self.session.headers["Accept-Encoding"] = ACCEPT_ENCODING
        self.timeout = (connect_timeout, read_timeout)
        self.body_timeout_s = body_timeout_s
        self.max_bytes = int(max_bytes)
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.max_retry_after_s = max_retry_after_s
        self.min_interval_s = min_interval_s
        self.retry_statuses = frozenset(retry_statuses)
        self.allow_cross_host_redirects = allow_cross_host_redirects
        self.max_redirects = max_redirects
        self.expect_content_types = (tuple(expect_content_types)
                                     if expect_content_types is not None else None)
        self._sleep = sleep
        self._clock = clock
        self._now = now or (lambda: datetime.now(UTC))
        self._rng = rng if rng is not None else random.Random()
        self._last_request_at: float | None = None
        self._throttle_lock = threading.Lock()

    def derive(self, **changes: Any) -> HttpClient:
        """A client with some settings changed, sharing this one's session (headers, cookies,
        connection pool), injection points and every setting not named in ``changes``. The
        derived client does not own the session: closing it leaves this one usable."""
        settings = dict(
            session=self.session, user_agent=self.session.headers["User-Agent"],
            connect_timeout=self.timeout[0], read_timeout=self.timeout[1],
            body_timeout_s=self.body_timeout_s, max_bytes=self.max_bytes,
            max_attempts=self.max_attempts, backoff_base_s=self.backoff_base_s,
            backoff_cap_s=self.backoff_cap_s, max_retry_after_s=self.max_retry_after_s,
            min_interval_s=self.min_interval_s, retry_statuses=self.retry_statuses,
            allow_cross_host_redirects=self.allow_cross_host_redirects,
            max_redirects=self.max_redirects, expect_content_types=self.expect_content_types,
            sleep=self._sleep, clock=self._clock, now=self._now, rng=self._rng)
        unknown = set(changes) - set(settings)
        if unknown:
            raise TypeError(f"HttpClient.derive: unknown settings {sorted(unknown)}")
        return HttpClient(**{**settings, **changes})

    # -- public API -------------------------------------------------------------------------

    def get(self, url: str, params: Mapping[str, Any] | None = None, *,
            expect: Collection[str] | None = None, secret_url: bool = False) -> FetchedPayload:
        """GET ``url`` (with optional query ``params``) and return the raw reply.

        ``expect``: content types this reply may have (overrides ``expect_content_types``).
        ``secret_url``: the URL itself is a credential (a webhook): logs, errors and the
        returned payload show ``scheme://host/…`` only."""
        full_url = requests.Request("GET", url, params=params).prepare().url or url
        call = self._call("GET", url, full_url, params, None, expect, secret_url)
        record = {"method": "GET", "url": call.shown if secret_url else redact_url(url),
                  "params": _redact_params(params) if params else None}
        return self._request(call, record)

    def post_json(self, url: str, body: Any, *, expect: Collection[str] | None = None,
                  secret_url: bool = False) -> FetchedPayload:
        """POST ``body`` as JSON to ``url`` and return the raw reply (see :meth:`get`)."""
        call = self._call("POST", url, url, None, body, expect, secret_url)
        record = {"method": "POST", "url": call.shown, "body": body}
        return self._request(call, record)

    def close(self) -> None:
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------------

    def _call(self, method: str, url: str, full_url: str, params, body, expect,
              secret_url: bool) -> _Call:
        secrets = []
        for name, value in self.session.headers.items():
            if is_secret_name(name) and isinstance(value, str):
                secrets += [value, value.split(" ", 1)[-1]]  # "Bearer abc": the token alone too
        if secret_url:
            parts = urlsplit(full_url)
            secrets += [full_url, url, parts.path + (f"?{parts.query}" if parts.query else ""),
                        parts.path]
        for value in secrets:
            register_secret(value)  # so urllib3's own log lines are scrubbed as well
        shown = hide_url(full_url) if secret_url else redact_url(full_url)
        return _Call(method, url, params, body, shown, tuple(secrets),
                     expect if expect is not None else self.expect_content_types, secret_url)

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

    def _send(self, call: _Call) -> requests.Response:
        """Send ``call``, following redirects here (requests' own following would forward
        custom credential headers to any host). Returns the final, unread response."""
        method, url = call.method, call.url
        kwargs: dict[str, Any] = {"params": call.params, "json": call.json}
        stripped = False
        for hop in range(self.max_redirects + 1):
            prepared = self.session.prepare_request(requests.Request(method, url, **kwargs))
            if stripped:
                # after the headers, auth and cookie jar were merged in: nothing slips through
                for name in [n for n in prepared.headers if is_secret_name(n)]:
                    del prepared.headers[name]
            settings = self.session.merge_environment_settings(prepared.url, {}, True, None,
                                                               None)
            response = self.session.send(prepared, timeout=self.timeout, allow_redirects=False,
                                         **settings)
            if not response.is_redirect:
                return response
            target = urljoin(response.url, self.session.get_redirect_target(response) or "")
            response.close()
            shown_target = call.show(target)
            if hop == self.max_redirects:
                raise HttpError(f"{call.method} {call.shown}: more than {self.max_redirects} "
                                f"redirects (last to {shown_target})", url=call.shown,
                                status=response.status_code)
            if self.session.should_strip_auth(response.url, target):
                if not self.allow_cross_host_redirects:
                    raise HttpError(
                        f"{call.method} {call.shown}: redirected (HTTP {response.status_code}) "
                        f"to another host, {shown_target}; refused (this client does not "
                        "follow cross-host redirects)", url=call.shown,
                        status=response.status_code)
                if not stripped:
                    dropped = sorted(n for n in self.session.headers if is_secret_name(n))
                    logger.info("%s %s: redirected to another host, %s; following without "
                                "credential headers %s", call.method, call.shown, shown_target,
                                dropped or "(none set)")
                stripped = True
            # RFC 9110 15.4: 303 turns anything into GET; 301/302 turn POST into GET (as every
            # client does); 307/308 repeat the request as it was
            if response.status_code == 303 or (response.status_code in (301, 302)
                                               and method == "POST"):
                method, kwargs = "GET", {}
            else:
                kwargs = {"json": call.json}
            url = target
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _read(self, response: requests.Response, limit: int, *, truncate: bool = False
              ) -> bytes:
        """The body, urllib3's errors turned into requests' as ``iter_content`` does."""
        try:
            return read_body(response.raw, limit=limit,
                             content_encoding=response.headers.get("Content-Encoding"),
                             content_length=response.headers.get("Content-Length"),
                             deadline_s=self.body_timeout_s, truncate=truncate)
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise requests.exceptions.ReadTimeout(str(exc)) from exc
        except urllib3.exceptions.ProtocolError as exc:  # the connection broke mid-body
            raise requests.exceptions.ChunkedEncodingError(str(exc)) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise requests.ConnectionError(str(exc)) from exc
        except zlib.error as exc:
            raise requests.exceptions.ContentDecodingError(
                f"corrupt {response.headers.get('Content-Encoding')} body: {exc}") from exc

    def _excerpt_of(self, response: requests.Response, call: _Call) -> str:
        try:
            content = self._read(response, _BODY_EXCERPT_BYTES + 1, truncate=True)
        except Exception as exc:  # an error page we cannot even read: say so, do not fail on it
            return f"<body unreadable: {type(exc).__name__}>"
        return call.redact(_excerpt(content))

    def _attempt(self, call: _Call, attempt: int) -> tuple[requests.Response, bytes]:
        response = self._send(call)
        try:
            status = response.status_code
            shown_url = call.show(response.url or call.url)
            if status in self.retry_statuses:
                raise _RetryableStatus(status, response.reason,
                                       response.headers.get("Retry-After"))
            if not 200 <= status < 300:
                excerpt = self._excerpt_of(response, call)
                logger.warning("%s %s -> HTTP %d (not retried)", call.method, shown_url, status)
                raise HttpError(
                    f"{call.method} {shown_url}: HTTP {status} {response.reason or ''}".rstrip()
                    + f"; body: {excerpt!r}",
                    url=shown_url, status=status, attempts=attempt, body_excerpt=excerpt)
            content_type = response.headers.get("Content-Type")
            if call.expect is not None and not content_type_matches(content_type, call.expect):
                excerpt = self._excerpt_of(response, call)
                raise UnexpectedContentType(
                    f"{call.method} {shown_url}: HTTP {status} with content type "
                    f"{content_type!r}, expected {' or '.join(call.expect)}; body starts "
                    f"{excerpt!r}", url=shown_url, content_type=content_type)
            try:
                content = self._read(response, self.max_bytes)
            except BodyTooLarge as exc:
                raise BodyTooLargeError(f"{call.method} {shown_url}: {exc}", url=shown_url,
                                        status=status, attempts=attempt) from None
            except UnsupportedEncoding as exc:
                raise HttpError(f"{call.method} {shown_url}: {exc}", url=shown_url,
                                status=status, attempts=attempt) from None
            return response, content
        finally:
            response.close()

    def _request(self, call: _Call, record: dict) -> FetchedPayload:
        method, url = call.method, call.shown
        last_cause: BaseException | None = None
        last_status: int | None = None
        for attempt in range(1, self.max_attempts + 1):
            self._throttle()
            logger.info("%s %s attempt %d/%d", method, url, attempt, self.max_attempts)
            retry_after: float | None = None
            try:
                response, content = self._attempt(call, attempt)
            except _RetryableStatus as exc:
                last_cause, last_status = exc, exc.status
                retry_after = parse_retry_after(exc.retry_after, self._now())
            except _RETRYABLE as exc:
                # ConnectionError covers dropped TLS handshakes (SSLError) and refused
                # connections; urllib3's ProtocolError is a connection cut mid-body.
                last_cause, last_status = exc, None
            except (HttpError, PayloadValidationError):
                raise
            except requests.RequestException as exc:  # invalid URL, ...
                text = call.redact(f"{type(exc).__name__}: {exc}")
                raise HttpError(f"{method} {url}: request failed: {text}", url=url,
                                attempts=attempt, cause=text) from _sanitised(exc, text)
            else:
                shown_final = call.show(response.url or call.url)
                logger.info("%s %s -> HTTP %d, %d bytes", method, shown_final,
                            response.status_code, len(content))
                return FetchedPayload(
                    content=content,
                    url=shown_final,
                    status=response.status_code,
                    content_type=response.headers.get("Content-Type"),
                    fetched_at=self._now(),
                    request=record,
                )

            cause_text = call.redact(_describe(last_cause))
            if attempt == self.max_attempts:
                break
            if retry_after is not None:
                delay = min(retry_after, self.max_retry_after_s)
                why = f"Retry-After {retry_after:g} s"
            else:
                delay = self._backoff(attempt)
                why = "backoff"
            logger.warning("%s %s attempt %d/%d failed (%s); retrying in %.2f s (%s)",
                           method, url, attempt, self.max_attempts, cause_text, delay, why)
            if delay > 0:
                self._sleep(delay)

        cause_text = call.redact(_describe(last_cause))
        chained = (None if isinstance(last_cause, _RetryableStatus)
                   else _sanitised(last_cause, cause_text))
        logger.error("%s %s: giving up after %d attempts; last cause: %s",
                     method, url, self.max_attempts, cause_text)
        raise HttpError(
            f"{method} {url}: gave up after {self.max_attempts} attempts; "
            f"last cause: {cause_text}",
            url=url, status=last_status, attempts=self.max_attempts,
            cause=chained if chained is not None else cause_text,
        ) from chained


def _describe(exc: BaseException | None) -> str:
    if isinstance(exc, _RetryableStatus):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _sanitised(exc: BaseException | None, text: str) -> BaseException | None:
    """A copy of ``exc`` carrying only the redacted ``text``, to chain instead of the original:
    requests' messages quote the URL, and Dagster prints a failure's whole exception chain.
    The copy has no traceback and no ``__context__`` of its own."""
    if exc is None:
        return None
    message = text.split(": ", 1)[1] if text.startswith(f"{type(exc).__name__}: ") else text
    try:
        return type(exc)(message)
    except Exception:  # an exception type that wants other arguments
        return RuntimeError(text)


def _redact_params(params: Mapping[str, Any]) -> dict:
    return {k: (REDACTED if is_secret_name(str(k)) else v) for k, v in dict(params).items()}
