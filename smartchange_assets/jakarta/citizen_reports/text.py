"""Text of CRM reports made safe and clean for staging (docs/sources/jakarta-citizen-reports.md §3).

Two kinds of text:

* labels the CRM system writes (category, kelurahan, agency, status, channel):
  :func:`clean_label` unescapes HTML entities (``&amp;``) and trims/collapses whitespace
  (``Sampah `` → ``Sampah``, ``Gangguan dan Kebisingan  `` → ``Gangguan dan Kebisingan``);
* text a citizen wrote (the report's description): :func:`redact_description` is the single
  switch to :func:`smartchange_assets.platform.pii.redact`. The raw text never leaves this module.

Every staged text value also goes through :func:`safe` (the same redaction), so the invariant
"no staged value matches ``find_pii``" holds even for a label that unexpectedly carries a phone
number; a label never does in the real data, so this changes nothing there.
"""

from __future__ import annotations

import html
import re

from smartchange_assets.platform import pii

_KELURAHAN = re.compile(r"\s*(?:KELURAHAN|KEL\.?)\s+(.+?)\s*", re.IGNORECASE)


def unescape(text: str) -> str:
    """HTML entities decoded; twice at most, for text escaped twice (``&amp;amp;``)."""
    for _ in range(2):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def clean_label(text: str | None) -> str | None:
    """A system label: entities decoded, whitespace trimmed and collapsed; '' becomes None."""
    if text is None:
        return None
    cleaned = " ".join(unescape(text).split())
    return cleaned or None


def kelurahan_name(location: str | None) -> str | None:
    """``KELURAHAN KARET SEMANGGI`` → ``KARET SEMANGGI``; None when not in that form (the
    name-to-code resolution happens downstream, against the admin-area reference)."""
    label = clean_label(location)
    match = _KELURAHAN.fullmatch(label) if label else None
    return match.group(1).upper() if match else None


def redact_description(text: str | None) -> str | None:
    """A citizen's report text as it may be staged: entities decoded (so ``&#64;`` cannot hide
    an e-mail), line ends unified, outer whitespace trimmed, personal data replaced by tags."""
    if text is None:
        return None
    cleaned = unescape(text).replace("\r\n", "\n").replace("\r", "\n").strip()
    return pii.redact(cleaned) if cleaned else None


def safe(value: str | None) -> str | None:
    """Any staged text value, redacted (see module docstring)."""
    return pii.redact(value) if value else value
