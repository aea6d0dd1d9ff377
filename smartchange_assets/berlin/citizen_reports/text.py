"""Cleaning the reports' text fields, and the one place free text is made safe for staging.

Every string the publisher sends goes through :func:`repair_text` (NUL bytes, mojibake); every
citizen-written string (``sachverhalt``, and ``betreff`` when it is a free title) also goes
through :func:`redact_free_text`, which is the single switch to the shared redaction module
``smartchange_assets.platform.pii``. Nothing else in this source touches free text.
"""

from __future__ import annotations

import re
from contextlib import suppress
from functools import lru_cache

from smartchange_assets.platform import pii

# Mojibake (docs/sources/berlin-citizen-reports.md §3, seen by a collector, not in our sample):
# UTF-8 bytes read as Latin-1/cp1252, so "ä" arrives as "Ã¤", "ß" as "ÃŸ" and "„" as "â€ž". Only the
# lead bytes German text produces are repaired: Â/Ã (U+0080…U+00FF: umlauts, ß, °, §, NBSP) followed
# by one continuation character, and â (U+2000…U+20FF: quotes, dashes, €) followed by two, where a
# continuation character is one whose cp1252/Latin-1 byte is 0x80…0xBF. A wider rule would break
# real text: "Fuß“" is the byte pair DF 93, which is also valid UTF-8 (U+07D3).
_CONTINUATION: dict[str, int] = {}
for _byte in range(0x80, 0xC0):
    _CONTINUATION[bytes([_byte]).decode("latin-1")] = _byte
    with suppress(UnicodeDecodeError):  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: undefined in cp1252
        _CONTINUATION[bytes([_byte]).decode("cp1252")] = _byte
_CONT = "[" + re.escape("".join(_CONTINUATION)) + "]"
_MOJIBAKE_RE = re.compile(f"[\u00c2\u00c3]{_CONT}|\u00e2{_CONT}{{2}}")


def _fix_sequence(match: re.Match) -> str:
    seq = match.group()
    raw = bytes([ord(seq[0])]) + bytes(_CONTINUATION[c] for c in seq[1:])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # e.g. "â€" plus a character that ends no UTF-8 sequence
        return seq


def repair_text(value: str) -> str:
    """``value`` without NUL characters and with UTF-8-read-as-Latin-1 sequences repaired."""
    value = value.replace("\x00", "")
    for _ in range(2):  # text double-encoded once more is repaired by a second pass
        fixed = _MOJIBAKE_RE.sub(_fix_sequence, value)
        if fixed == value:
            break
        value = fixed
    return value


@lru_cache(maxsize=200_000)
def redact_free_text(value: str | None) -> str | None:
    """Citizen-written text as it may be staged: repaired, then personal data replaced by tags.

    Cached: a report's text repeats unchanged in every daily snapshot it appears in, and staging
    re-reads every snapshot on each run.
    """
    if value is None:
        return None
    return pii.redact(repair_text(value))


# The publisher's report codes (``meldungsNummern``: 3–6 lower-case letters and digits in the
# sample, "bh5tkx") are public case numbers, shown on the portal. An earlier version of the shared
# detector read about 200 of them as Indonesian plates ("B 1234 ABC" without spaces); a code
# that short cannot hold a phone number, e-mail or NIK. So the parser only stages codes of this
# shape, and the personal-data scans skip a plate finding that is one whole code.
REPORT_CODE_RE = re.compile(r"[A-Za-z0-9]{3,8}")
REPORT_CODE_COLUMNS = frozenset({"report_numbers"})


def personal_data_in(column: str, value: str | None) -> list[tuple[str, str]]:
    """What the shared detector finds in ``value`` of ``column``: ``[(kind, text), …]``."""
    found = pii.find_pii(value)
    if column in REPORT_CODE_COLUMNS and found:
        codes = set(value.split(";"))
        found = [(kind, text) for kind, text in found
                 if not (kind == pii.PLATE and text in codes and REPORT_CODE_RE.fullmatch(text))]
    return found
