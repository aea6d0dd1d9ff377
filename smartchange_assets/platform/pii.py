"""Personal data in free text: find it, redact it, pseudonymise identifiers.

Citizen reports (Jakarta CRM, Berlin Ordnungsamt-online, ...) are free text written by residents
and often carry their phone number, e-mail, NIK, a neighbour's licence plate or a house address.
None of that may reach a staging table. Parsers pass every free-text value through
:func:`redact` before staging it; tests assert that no staged value still matches
:func:`find_pii`.

Pure functions, no I/O. What is detected (kind → tag):

* ``EMAIL``   ``nama.saya@gmail.com``
* ``NIK``     16-digit Indonesian national ID (also the Kartu Keluarga number, same shape):
  ``3171012345678901``, ``3171 0123 4567 8901``, ``31.71.01.234567.0001``
* ``PHONE``   Indonesian mobile ``0812-3456-7890``, ``+62 812 3456 7890``, ``62812…``;
  landlines with an area code ``(021) 555 1234``, ``021-5551234``; German ``+49 30 1234567``,
  ``+49 (0)30 …``, ``030 12345678``, ``030 / 1234567``, ``0171 1234567``; any
  ``+<country> …`` (also with the '+' HTML-escaped, ``&#43;49 30 …``)
* ``PLATE``   Indonesian ``B 1234 ABC``, ``B1234ABC``, ``DK 123 AB``, ``b 1234 abc``; German
  ``B-AB 1234``, ``M AB 123``, ``HH-XY 12E``; French ``GD 218 AC``
* ``ADDRESS`` a street *with a house number* only: ``Jl. Melati No. 12``, ``Jalan Kenanga
  Raya no 5A``, ``Gg. Haji Ridi No.3``, ``Friedrichstraße 12``, ``Karl-Marx-Allee 90a``,
  ``Berliner Str. 5``, ``Blücherstraße 24, 10961 Berlin``. A street name alone (``Jl
  Perniagaan Raya``) is a public place, not personal data, and is left as is.
* ``NAME``    a name introduced by ``nama saya``, ``atas nama``, ``a.n.`` (people's names in
  general cannot be found by pattern; only these explicit markers are reliable).

What must *not* be flagged, and is protected explicitly: dates (``18-06-2023``,
``2023-06-18``), times (``10.30``), money (``Rp 50.000``, ``Rp1.500.000``), RT/RW numbers
(``RT 14 RW 03``, ``RT 001/RW 003``), route codes (``JAK.10B``, ``1A``) and CRM report ids
(``JK2306180342``: the letters glue to the digits, so no number pattern starts inside them).

Detection favours recall where a miss would leak data (any 16 digits in the NIK groupings, any
mobile-shaped number) and precision where a false hit would destroy ordinary text (plates need
a letter suffix, addresses a house number).

Known gaps (by design, to keep ordinary text and ids intact): plates glued together in lower
case (``b1234abc`` reads like the Berlin Ordnungsamt case codes ``bh5tkx``) or with mixed case
(``B 1234 abc``, which German text produces everywhere: ``A100 ist``); streets without a
suffix or ``No.`` (``Unter den Linden 5``); names without a marker; GPS coordinates; e-mail
addresses written out (``budi at gmail dot com``). Checked against the real Jakarta CRM sample
(nothing found, as expected) and the real Berlin Ordnungsamt seed (every hit a real address,
plate, phone or e-mail).
"""

from __future__ import annotations

import hashlib
import hmac
import re

EMAIL, NIK, PHONE, PLATE, ADDRESS, NAME = "EMAIL", "NIK", "PHONE", "PLATE", "ADDRESS", "NAME"
PII_KINDS = (EMAIL, NIK, PHONE, PLATE, ADDRESS, NAME)

# One separator between digit groups: a space, or a dot/hyphen with optional spaces around it
# (never a newline, so two numbers on separate lines are not glued into one).
_SEP = r"(?:[ \u00a0]?[.\-][ \u00a0]?|[ \u00a0])"
# Not preceded by a letter, digit or '+': a number that starts inside a word
# (``JK2306180342``) or inside a longer number is not a phone number or a NIK.
_START = r"(?<![\w+])"
_END = r"(?!\w)"

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# NIK: 16 digits in one piece or in the groupings people actually write (4-4-4-4, the official
# 2-2-2-6-4, 6-6-4), each grouping with one consistent separator (the backreference), so that
# two dates or a money amount with thousands dots (``1.500.000.000.000.000``) are not a NIK.
_NIK_RE = re.compile(
    _START
    + r"(?:\d{16}"
    + r"|\d{4}([ .\-])\d{4}\1\d{4}\1\d{4}"
    + r"|\d{2}([ .\-])\d{2}\2\d{2}\2\d{6}\2\d{4}"
    + r"|\d{6}([ .\-])\d{6}\3\d{4})"
    + _END
)

_PHONE_RES = (
    # Indonesian mobile: +62 / 62 / 0, then 8, then 8–11 more digits (10–13 digits with the 0).
    # Only digits may not precede it: "WA08123456789" and "HP:0812…" are written that way.
    re.compile(r"(?<![\d+])(?:\(?\+62\)?" + _SEP + r"?|62|0)8\d(?:" + _SEP + r"?\d){7,10}(?!\d)"),
    # Any international number: +<country code>, optional "(0)", at least 7 more digits. The
    # '+' may arrive HTML-escaped ("&#43;49 30 …" in e-mails pasted into a web form).
    re.compile(r"(?<![\w+])(?:\+|&#0*43;|&#x0*2[bB];)[1-9]\d{0,2}(?:[ \u00a0.\-/]?\(0\))?"
               r"(?:[ \u00a0.\-/]?\d){7,12}" + _END),
    re.compile(r"(?<![\w+])00[1-9]\d{0,2}(?:[ \u00a0.\-/]?\d){7,12}" + _END),
    # National number with an area code, Indonesian (021 …) or German (030 …, 0171 …):
    # 0 + 2–5 digit area code (in parentheses or not), separator, 5–8 digit subscriber number.
    re.compile(_START + r"(?:\(0[1-9]\d{1,4}\)|0[1-9]\d{1,4})"
               r"(?:[ \u00a0]?[/\-.][ \u00a0]?|[ \u00a0])?\d(?:" + _SEP + r"?\d){4,8}" + _END),
)

# Indonesian region codes (kode wilayah kendaraan bermotor), one or two letters.
_ID_REGIONS = (
    "AA|AB|AD|AE|AG|BA|BB|BD|BE|BG|BH|BK|BL|BM|BN|BP|DA|DB|DC|DD|DE|DG|DH|DK|DL|DM|DN|DP|DR|DS|"
    "DT|EA|EB|ED|KB|KH|KT|KU|PA|PB|A|B|D|E|F|G|H|K|L|M|N|P|R|S|T|W|Z"
)
# Units and words that follow a number in ordinary text ("a 10 km", "b 2 jam"): never a
# plate suffix when written in lower case.
_NOT_A_SUFFIX = {"km", "m", "cm", "mm", "kg", "g", "l", "rb", "jt", "hr", "jam", "x", "th", "thn",
                 "bln", "mg", "ml", "an", "ke", "rt", "rw", "di", "yg", "dan", "ada"}
# A plate ends at a word boundary or a sentence's full stop, not inside "JAK.10B"-like codes.
_PLATE_END = r"(?!\w)(?!\.\w)"
# Indonesian plate, region + 1–4 digits + 1–3 letters. Case-insensitive for the letters, but
# region and suffix must share a case (see _candidates): "PA2327 ist", "A100 ist" in German text
# are not plates.
_ID_PLATE_RE = re.compile(
    r"(?<![\w.])(" + _ID_REGIONS + r")([ \u00a0\-]?)\d{1,4}([ \u00a0\-]?)([A-Z]{1,3})"
    + _PLATE_END,
    re.IGNORECASE,
)
# German plate: district (1–3 letters), '-' or space, 1–2 letters, 1–4 digits, E/H suffix.
# Case-sensitive: written plates are upper case, and lower-case words would match everywhere.
_DE_PLATE_RE = re.compile(
    r"(?<![\w.])[A-ZÄÖÜ]{1,3}[ \u00a0\-][A-Z]{1,2}[ \u00a0\-]?\d{1,4}[EH]?" + _PLATE_END
)
# French plates (SIV, "GD-218-AC"), common on cars abandoned in Berlin: letters-digits-letters.
_FR_PLATE_RE = re.compile(r"(?<![\w.])[A-Z]{2}[ \u00a0\-]\d{3}[ \u00a0\-][A-Z]{2}" + _PLATE_END)
# Upper-case Indonesian words that would otherwise read as district + letters + digits:
# "KEL RW 03", "DI JL 5", "GANG NO 12".
_DE_PLATE_NOT_LETTERS = {"RT", "RW", "NO", "JL", "GG", "KM", "LT", "KEL", "KEC", "BLOK"}

_ADDRESS_RES = (
    # Jl. / Jln. / Jalan / Gg. / Gang <1–6 words> [,] No. <number>
    re.compile(
        r"\b(?:Jl|Jln|Jalan|Gg|Gang)\b\.?[ \u00a0]+(?:[\w.'/-]+,?[ \u00a0]+){0,6}?"
        r"(?:No|Nomor|Nmr)\b\.?[ \u00a0]*\d+[A-Za-z]?(?:[ \u00a0]*[/-][ \u00a0]*\d+)?\b",
        re.IGNORECASE,
    ),
    # German street + house number: "Friedrichstraße 12", "Karl-Marx-Allee 90a",
    # "Berliner Str. 5", "Alt-Moabit-Ring 3". Streets without a suffix ("Am Weidendamm 1A",
    # "Unter den Linden 5") are not covered: no reliable pattern.
    re.compile(
        r"(?:\b[A-ZÄÖÜ][a-zäöüß]+er[ \u00a0](?:Straße|Strasse|Str\.|Weg|Allee|Platz|Damm|Ring|"
        r"Gasse|Ufer|Chaussee)"
        r"|\b[A-ZÄÖÜ][\wäöüß-]*?(?:straße|strasse|str\.|weg|allee|platz|damm|ring|gasse|ufer|"
        r"chaussee|-Straße|-Allee|-Platz|-Ring|-Weg|-Damm))"
        r"[ \u00a0]*\d{1,4}[a-zA-Z]?(?:[ \u00a0]*[-/][ \u00a0]*\d{1,4}[a-zA-Z]?)?\b"
        # with the postcode and town when they follow: "Blücherstraße 24, 10961 Berlin"
        r"(?:,?[ \u00a0]+\d{5}(?:[ \u00a0]+[A-ZÄÖÜ][a-zäöüß]+)?\b)?"
    ),
)

_NAME_RE = re.compile(
    r"\b(?:nama saya|atas nama|a\.n\.?)[ \u00a0:]+([A-Za-z'.]+(?:[ \u00a0]+[A-Za-z'.]+){0,2})",
    re.IGNORECASE,
)

# Spans that look numeric but are not personal data. A candidate overlapping one is dropped.
_PROTECTED_RES = (
    re.compile(r"(?<![\d.])\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})(?![\d.])"),  # 18-06-2023
    re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?(?!\d)"),  # ISO dates
    re.compile(r"(?<![\d.])\d{1,2}[.:]\d{2}(?:[.:]\d{2})?(?![\d.])"),  # times 10.30, 07:15
    re.compile(r"\bRp\.?[ \u00a0]?\d{1,3}(?:[.,]\d{3})*(?:,\d{1,2})?", re.IGNORECASE),  # money
    re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?[ \u00a0]?(?:€|EUR|Euro|rupiah)", re.IGNORECASE),
    re.compile(r"\b(?:RT|RW)[ \u00a0.]*\d{1,3}(?:[ \u00a0]*/[ \u00a0]*(?:RW[ \u00a0.]*)?\d{1,3})?",
               re.IGNORECASE),
)


def _protected_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for rx in _PROTECTED_RES for m in rx.finditer(text)]


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


def _candidates(text: str):
    """(kind, start, end) in priority order: earlier kinds win overlapping text."""
    for m in _EMAIL_RE.finditer(text):
        yield EMAIL, m.start(), m.end()
    for m in _NIK_RE.finditer(text):
        yield NIK, m.start(), m.end()
    for rx in _PHONE_RES:
        for m in rx.finditer(text):
            yield PHONE, m.start(), m.end()
    for m in _ID_PLATE_RE.finditer(text):
        region, gap1, gap2, suffix = m.groups()
        # lower case only when written apart ("b 1234 abc"): glued lower-case tokens are ids
        # ("bh5tkx", Berlin report numbers), and units are not suffixes ("a 10 km")
        lower_ok = (region.islower() and suffix.islower() and gap1 and gap2
                    and suffix not in _NOT_A_SUFFIX)
        if (region.isupper() and suffix.isupper()) or lower_ok:
            yield PLATE, m.start(), m.end()
    for m in _DE_PLATE_RE.finditer(text):
        letters = re.split(r"[ \u00a0\-]", m.group())[1]
        if letters.rstrip("0123456789") not in _DE_PLATE_NOT_LETTERS:
            yield PLATE, m.start(), m.end()
    for m in _FR_PLATE_RE.finditer(text):
        yield PLATE, m.start(), m.end()
    for rx in _ADDRESS_RES:
        for m in rx.finditer(text):
            yield ADDRESS, m.start(), m.end()
    for m in _NAME_RE.finditer(text):
        yield NAME, m.start(1), m.end(1)


def _find_spans(text: str) -> list[tuple[str, int, int]]:
    protected = _protected_spans(text)
    taken: list[tuple[int, int]] = []
    found: list[tuple[str, int, int]] = []
    for kind, start, end in _candidates(text):
        span = (start, end)
        if start == end or _overlaps(span, taken):
            continue
        # Numbers inside a date/time/amount/RT-RW span are those, not personal data. A NIK
        # grouping is never a date or an amount, and words (e-mail, address, name) are never
        # protected by a number pattern.
        if kind in (PHONE, PLATE) and _overlaps(span, protected):
            continue
        taken.append(span)
        found.append((kind, start, end))
    return sorted(found, key=lambda f: f[1])


def find_pii(text: str | None) -> list[tuple[str, str]]:
    """Every piece of personal data in ``text`` as ``(kind, matched_text)``, in text order."""
    if not text:
        return []
    return [(kind, text[start:end]) for kind, start, end in _find_spans(text)]


def contains_pii(text: str | None) -> bool:
    """True if :func:`find_pii` finds anything."""
    return bool(find_pii(text))


def redact(text: str | None) -> str | None:
    """``text`` with each piece of personal data replaced by its tag (``[PHONE]``, ``[NIK]`` …).

    Everything else is kept verbatim. ``None`` stays ``None``. The result never matches
    :func:`find_pii` (a tag contains no digits and no '@').
    """
    if text is None:
        return None
    out = text
    for kind, start, end in reversed(_find_spans(text)):
        out = out[:start] + f"[{kind}]" + out[end:]
    return out


def pseudonymise(value: str, key: bytes) -> str:
    """A stable, non-reversible stand-in for an identifier: HMAC-SHA256(key, value), hex.

    The same value and key always give the same 64-character hex string, so records can still
    be joined on it; without the key the value cannot be recovered or confirmed by guessing
    (a plain hash of a 16-digit NIK or a phone number could be brute-forced). The value is used
    exactly as given (UTF-8); normalise it (strip, upper-case, digits only …) before if needed.
    """
    if not isinstance(key, bytes | bytearray) or not key:
        raise ValueError("pseudonymise needs a non-empty secret key (bytes)")
    if not isinstance(value, str):
        raise TypeError(f"pseudonymise expects str, got {type(value).__name__}")
    return hmac.new(bytes(key), value.encode("utf-8"), hashlib.sha256).hexdigest()
