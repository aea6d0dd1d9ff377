"""Keeping credentials out of log lines and error messages.

Portals and webhooks take credentials in four places: a header (``Authorization``, OpenAQ's
``X-API-Key``, a cookie), a query parameter (``?api_key=…``, ``token=``, ``key=``, ``sig=``), the
user-info of a URL (``https://user:pass@host``) and, for chat webhooks, the URL path itself
(Slack, Teams and matrix-hookshot put the secret there). ``requests`` quotes the URL (path and
query) in its exception messages and urllib3 logs every request line at DEBUG, so a secret
reaches a log as soon as anything prints an error or a URL.

* :func:`redact_url` — a URL fit for a log: user-info and secret-looking query values replaced by
  :data:`REDACTED`, scheme, host, port and path kept (a portal's path says what was fetched).
* :func:`hide_url` — ``scheme://host/…`` for a URL whose path is the secret (webhooks).
* :func:`redact_text` — any text (an exception message, a log line): every URL in it through
  :func:`redact_url`, every ``name=value`` query pair with a secret-looking name, and every
  registered secret value replaced.
* :func:`register_secret` — remember a value (an API key, a webhook path) so that
  :class:`RedactingFilter` scrubs it from every record of the loggers it is attached to, even
  when the value appears without its name (urllib3's ``"POST /hooks/T000/B000/XXXX HTTP/1.1"``).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from urllib.parse import unquote_plus, urlsplit, urlunsplit

REDACTED = "***"

# a name is secret when, lower-cased with "-" read as "_", it is one of these, ends in "_key",
# or contains one of the words below ("x-api-key", "access_token", "client_secret", "cookie")
_SECRET_NAMES = frozenset({"key", "sig", "pwd", "pass", "apikey", "signature"})
_SECRET_WORDS = ("token", "secret", "password", "passwd", "api_key", "auth", "credential",
                 "cookie", "session")

# values shorter than this are not registered: replacing "abc" everywhere would garble text
_MIN_SECRET_CHARS = 6

_URL_RE = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>()\[\]{}]+")
# a value ends at the next pair, a fragment, whitespace, a quote or a closing parenthesis
# (a URL quoted inside parentheses, as in "(see https://…?key=…)")
_QUERY_PAIR_RE = re.compile(
    r"(?P<lead>[?&;])(?P<name>[^=&;?#\s'\"<>]+)=(?P<value>[^&;#\s'\"<>)]*)")

_registered: set[str] = set()
_lock = threading.Lock()


def is_secret_name(name: str) -> bool:
    """Whether a header or query parameter of this name carries a credential."""
    folded = name.strip().lower().replace("-", "_")
    return (folded in _SECRET_NAMES or folded.endswith("_key")
            or any(word in folded for word in _SECRET_WORDS))


def redact_url(url: str) -> str:
    """``url`` with user-info and the values of secret-looking query parameters replaced."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    # the query is edited in place (not re-encoded), so the rest of the URL reads as sent
    query = _QUERY_PAIR_RE.sub(_redact_pair, f"?{parts.query}")[1:] if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def hide_url(url: str) -> str:
    """``scheme://host/…``: for URLs whose path itself is the credential (chat webhooks)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "…"
    return f"{parts.scheme}://{parts.hostname or ''}/…"


def register_secret(value: str | None) -> None:
    """Remember ``value`` as a secret: :class:`RedactingFilter` and :func:`redact_text` replace
    it wherever it appears. Short values are ignored (see ``_MIN_SECRET_CHARS``)."""
    if value and len(value.strip()) >= _MIN_SECRET_CHARS:
        with _lock:
            _registered.add(value.strip())


def registered_secrets() -> frozenset[str]:
    with _lock:
        return frozenset(_registered)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with ``secrets`` and every registered secret replaced, URLs through
    :func:`redact_url`, and the values of secret-looking ``name=value`` query pairs replaced."""
    values = {s for s in secrets if s and len(s) >= _MIN_SECRET_CHARS} | registered_secrets()
    # longest first: a webhook's full URL before its path
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    text = _URL_RE.sub(lambda m: redact_url(m.group(0)), text)
    return _QUERY_PAIR_RE.sub(_redact_pair, text)


def _redact_pair(match: re.Match) -> str:
    if not is_secret_name(unquote_plus(match.group("name"))):
        return match.group(0)
    return f"{match.group('lead')}{match.group('name')}={REDACTED}"


class RedactingFilter(logging.Filter):
    """Rewrites each record's message through :func:`redact_text` (attach to a logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install_log_redaction(*logger_names: str) -> None:
    """Attach one :class:`RedactingFilter` to each named logger (idempotent)."""
    for name in logger_names:
        target = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in target.filters):
            target.addFilter(RedactingFilter())
