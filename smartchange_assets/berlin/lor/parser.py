"""Parser for the LOR 2021 Planungsraum export (Lebensweltlich orientierte Räume, Berlin).

One published file's bytes -> ParseResult, one staged row per Planungsraum (PLR) row. The
known export (docs/sources/berlin-lor.md §2) is UTF-8 with a BOM, ``;``-separated, CRLF, no
line break after the last row, header::

    techn. Schlüssel (UUID);Planungsraum (Nummer);Planungsraum (Name);Bezirksregion (Nummer);
    Bezirksregion (Name);Prognoseraum (Nummer);Prognoseraum (Name);Bezirk;Fläche in qm;
    Stand der Daten

Columns are mapped by name with :class:`~smartchange_assets.platform.headers.HeaderSpec` (case,
spacing, BOM, quotes; umlauts spelled out or dropped), never by position. The delimiter is
sniffed from the header line.

The hierarchy lives in the codes: PLR (8 digits) = Bezirk (2) + Prognoseraum (2) +
Bezirksregion (2) + Planungsraum (2), so the Bezirksregion number must be the first 6 digits of
the PLR number, the Prognoseraum number the first 4, and the Bezirk is the first 2 (the file
names the Bezirk but carries no Bezirk number). The upper levels are derived from these rows
in SQL (:mod:`smartchange_assets.berlin.lor.hierarchy`); here every row is checked so that the
derivation is sound:

* ``unreadable``   – a code that is not digits, an area or date that cannot be read, an empty
  name, a record with the wrong number of fields;
* ``inconsistent`` – a code that contradicts its parents, a Bezirk outside 01–12, a
  ``Stand der Daten`` before LOR 2021 existed, a non-positive area, a parent code whose name
  differs from the name most rows give it, a PLR number seen twice with different values
  (none of those rows is staged: the platform's one duplicate-key rule,
  :func:`~smartchange_assets.platform.duplicates.settle_duplicates`);
* ``duplicate``    – an exact repeat of an earlier row (the first is staged).

Names are keys for nobody (docs/sources/berlin-lor.md §3: "Schloßstraße" names two PLR,
"Heerstraße" two Bezirksregionen): ``name`` is trimmed with runs of spaces collapsed
(``platform.names.tidy``: "Südliche  Friedrichstadt" -> "Südliche Friedrichstadt"), and the
published spelling is kept in ``*_name_raw``.
Codes lose no leading zeros: they are text throughout; a code that arrives without them (an
export through a spreadsheet) is zero-padded and counted in the notes.

Every row of this layout is LOR 2021 (``lor_version = 'LOR2021'``): the 2021 reform introduced
the Prognoseraum/Bezirksregion/Planungsraum numbering read here, and a ``Stand der Daten``
before 2021-01-01 contradicts that.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import pandas as pd

from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.names import ascii_fold, tidy
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
    decode_text,
    read_csv_records,
    sniff_delimiter,
)

LOR_VERSION = "LOR2021"
LOR2021_START = dt.date(2021, 1, 1)
PLR_LEVEL = "planungsraum"
BEZIRK_CODES = frozenset(f"{n:02d}" for n in range(1, 13))

# canonical -> header as published in the 2021 export (used to name columns in quarantine)
PUBLISHED = {
    "technical_key": "techn. Schlüssel (UUID)",
    "plr_code": "Planungsraum (Nummer)",
    "plr_name": "Planungsraum (Name)",
    "bzr_code": "Bezirksregion (Nummer)",
    "bzr_name": "Bezirksregion (Name)",
    "pgr_code": "Prognoseraum (Nummer)",
    "pgr_name": "Prognoseraum (Name)",
    "bezirk_name": "Bezirk",
    "area": "Fläche in qm",
    "valid_from": "Stand der Daten",
}
REQUIRED = tuple(c for c in PUBLISHED if c != "technical_key")
CODE_LENGTHS = {"plr_code": 8, "bzr_code": 6, "pgr_code": 4}


def _spellings(published: str) -> tuple[str, ...]:
    """The header as published, and as a re-save without umlauts writes it: spelled out
    ('Flaeche in qm') or dropped ('Flache in qm')."""
    spelled = published
    for umlaut, letters in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"),
                            ("Ü", "Ue"), ("ß", "ss")):
        spelled = spelled.replace(umlaut, letters)
    return tuple(dict.fromkeys((published, spelled, ascii_fold(published))))


HEADER = HeaderSpec({c: _spellings(p) for c, p in PUBLISHED.items()}, required=REQUIRED)
# derived values -> the published field they come from (to name it in the quarantine)
_DERIVED_FROM = {"bezirk_code": "plr_code", "area_m2": "area"}

_DIGITS = re.compile(r"\d+")
_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
# German: 366933,12 | 366.933,12 | 366933 (a point before groups of 3 digits is a thousands
# separator). A point followed by other than 3 digits can only be a decimal point: 366933.12
_AREA_COMMA = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?")
_AREA_POINT = re.compile(r"(\d+)\.(\d{1,2}|\d{4,})")


class _RowError(Exception):
    def __init__(self, column: str | None, reason: str, kind: str = UNREADABLE):
        super().__init__(reason)
        self.column, self.reason, self.kind = column, reason, kind


@dataclass
class _Row:
    source_row: int
    raw: dict
    values: dict


# --------------------------------------------------------------------------------------------
# public entry point


def parse_lor_export(data: bytes, file_name: str) -> ParseResult:
    """Parse one LOR 2021 Planungsraum export (CSV) into one staged row per PLR."""
    header, records, notes = _read(data, file_name)
    try:
        columns = HEADER.positions(header, file_name, row=1)
    except ParseError as err:
        raise ParseError(file_name, f"not the LOR 2021 Planungsraum export: {err.message}",
                         row=1) from None
    published = {c: header[i] for c, i in columns.items()}
    notes["column_map"] = published
    quarantine = Quarantine()
    counters: Counter = Counter()
    rows: list[_Row] = []
    for source_row, record in enumerate(records, start=1):
        raw = dict(zip(header, record, strict=False))
        try:
            if len(record) != len(header):
                raise _RowError(None, f"row has {len(record)} fields, header has {len(header)}")
            fields = {c: record[i] for c, i in columns.items()}
            rows.append(_Row(source_row, raw, _clean(fields, counters)))
        except _RowError as err:
            quarantine.add(source_row, _published(err.column, published), err.reason, raw,
                           kind=err.kind)

    rows = _settle_duplicates(rows, quarantine, published)
    rows = _drop_name_conflicts(rows, quarantine, published)
    staged = _staged_frame(rows)
    notes.update(leading_zeros_restored=counters["zero_padded"],
                 names_respaced=counters["respaced"],
                 valid_from=dict(Counter(str(r.values["valid_from"]) for r in rows)))
    result = ParseResult(staged=staged, source_rows=len(records),
                         quarantine=quarantine.frame(), notes=notes)
    result.reconcile()
    return result


def _published(column: str | None, published: dict[str, str]) -> str | None:
    """A value's column as this payload's header spells it (derived values: their source)."""
    if column is None:
        return None
    field = _DERIVED_FROM.get(column, column.removesuffix("_raw"))
    return published.get(field, column)


# --------------------------------------------------------------------------------------------
# payload -> header + records


def _read(data: bytes, file_name: str) -> tuple[list[str], list[list[str]], dict]:
    if not data.strip():
        raise ParseError(file_name, "empty payload")
    text = decode_text(data, file_name).lstrip("\ufeff")
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if first_line.lstrip().startswith("<"):
        raise ParseError(file_name, f"an HTML/XML page, not the LOR CSV export; "
                         f"starts with {first_line[:80]!r}", row=1)
    delimiter = sniff_delimiter(first_line, candidates=";,\t")
    header, records = read_csv_records(text, delimiter)
    if not records:
        raise ParseError(file_name, "no data rows after the header")
    if len(records[-1]) < len(header):
        # the export's last row has no line break, so a cut shows only as missing fields
        raise ParseError(file_name, f"last row has {len(records[-1])} of "
                         f"{len(header)} fields: the payload is truncated", row=len(records))
    return header, records, {"delimiter": delimiter, "crlf": "\r\n" in text[:2000]}


# --------------------------------------------------------------------------------------------
# one row


def _clean(fields: dict[str, str], counters: Counter) -> dict:
    codes = {c: _code(fields[c], c, n, counters) for c, n in CODE_LENGTHS.items()}
    plr, bzr, pgr = codes["plr_code"], codes["bzr_code"], codes["pgr_code"]
    if bzr[:4] != pgr:
        raise _RowError("bzr_code", f"Bezirksregion {bzr} is not inside Prognoseraum {pgr} "
                        "(its first 4 digits must be the Prognoseraum number)", INCONSISTENT)
    if plr[:6] != bzr:
        raise _RowError("plr_code", f"Planungsraum {plr} is not inside Bezirksregion {bzr} "
                        "(its first 6 digits must be the Bezirksregion number)", INCONSISTENT)
    if plr[:2] not in BEZIRK_CODES:
        raise _RowError("plr_code", f"Planungsraum {plr} names Bezirk {plr[:2]}, not one of "
                        "01-12", INCONSISTENT)
    values = {**codes, "bezirk_code": plr[:2]}
    for column in ("plr_name", "bzr_name", "pgr_name", "bezirk_name"):
        values[column + "_raw"] = fields[column]
        values[column] = _name(fields[column], column, counters)
    values["area_m2"] = _area(fields["area"])
    values["valid_from"] = _valid_from(fields["valid_from"])
    values["technical_key"] = (fields.get("technical_key") or "").strip() or None
    return values


def _code(text: str, column: str, length: int, counters: Counter) -> str:
    code = text.strip()
    if not _DIGITS.fullmatch(code) or len(code) > length:
        raise _RowError(column, f"{PUBLISHED[column]} {text!r} is not a {length}-digit code")
    if len(code) < length:  # leading zeros lost in a spreadsheet round trip
        counters["zero_padded"] += 1
        code = code.zfill(length)
    return code


def _name(text: str, column: str, counters: Counter) -> str:
    name = tidy(text)
    if not name:
        raise _RowError(column, f"{PUBLISHED[column]} is empty")
    if name != text:
        counters["respaced"] += 1
    return name


def _area(text: str) -> float:
    value = text.strip()
    if match := _AREA_COMMA.fullmatch(value):
        whole, fraction = match.group(1).replace(".", ""), match.group(2) or "0"
        area = float(f"{whole}.{fraction}")
    elif match := _AREA_POINT.fullmatch(value):
        area = float(value)
    else:
        raise _RowError("area", f"area {text!r} is not a number (decimal comma expected)")
    if area <= 0:
        raise _RowError("area", f"area {text!r} is not positive", INCONSISTENT)
    return area


def _valid_from(text: str) -> dt.date:
    match = _DATE.fullmatch(text.strip())
    try:
        day = dt.date(int(match[3]), int(match[2]), int(match[1])) if match else None
    except ValueError:
        day = None
    if day is None:
        raise _RowError("valid_from", f"Stand der Daten {text!r} is not a DD.MM.YYYY date")
    if day < LOR2021_START:
        raise _RowError("valid_from", f"Stand der Daten {day} predates LOR 2021 "
                        f"({LOR2021_START})", INCONSISTENT)
    return day


# --------------------------------------------------------------------------------------------
# across rows


def _settle_duplicates(rows: list[_Row], quarantine: Quarantine,
                       published: dict[str, str]) -> list[_Row]:
    """The platform's one rule for a Planungsraum number seen twice: an exact repeat is staged
    once; rows that disagree are none of them staged (docs/sources/berlin-lor.md §4). The
    quarantine names the columns as this payload's header spells them."""
    if not rows:
        return rows
    by_row = {r.source_row: r for r in rows}
    settled = Quarantine()
    kept = settle_duplicates(pd.DataFrame([{"source_row": r.source_row, **r.values}
                                           for r in rows]), ["plr_code"], settled)
    for entry in settled.rows:
        quarantine.add(entry["source_row"], _published(entry["column_name"], published),
                       entry["reason"], by_row[entry["source_row"]].raw, kind=entry["kind"])
    return [by_row[n] for n in kept["source_row"]]


# parent code column -> its name column and level: every row naming a parent must agree on
# its name
_PARENT_NAMES = (("bezirk_code", "bezirk_name", "Bezirk"),
                 ("pgr_code", "pgr_name", "Prognoseraum"),
                 ("bzr_code", "bzr_name", "Bezirksregion"))


def _drop_name_conflicts(rows: list[_Row], quarantine: Quarantine,
                         published: dict[str, str]) -> list[_Row]:
    """A parent (Bezirk, Prognoseraum, Bezirksregion) gets one name; the rows that disagree
    with the name most rows give it are quarantined, so the derived hierarchy is unambiguous."""
    majority: dict[tuple[str, str], str] = {}
    for code_col, name_col, _ in _PARENT_NAMES:
        names = defaultdict(Counter)
        for row in rows:
            names[row.values[code_col]][row.values[name_col]] += 1
        for code, counter in names.items():
            majority[(code_col, code)] = counter.most_common(1)[0][0]
    kept = []
    for row in rows:
        for code_col, name_col, level in _PARENT_NAMES:
            code, name = row.values[code_col], row.values[name_col]
            expected = majority[(code_col, code)]
            if name != expected:
                column = published[name_col]
                quarantine.add(row.source_row, column,
                               f"{column} {name!r} contradicts {expected!r}, the "
                               f"name the other rows give {level} {code}",
                               row.raw, kind=INCONSISTENT)
                break
        else:
            kept.append(row)
    return kept


def _staged_frame(rows: list[_Row]) -> pd.DataFrame:
    """One row per Planungsraum by staging column name, in code order."""
    records = []
    for row in sorted(rows, key=lambda r: r.values["plr_code"]):
        v = row.values
        records.append({
            "source_row": row.source_row, "lor_version": LOR_VERSION, "level": PLR_LEVEL,
            "code": v["plr_code"], "name": v["plr_name"], "name_raw": v["plr_name_raw"],
            "parent_code": v["bzr_code"], "area_m2": v["area_m2"],
            "valid_from": v["valid_from"], "technical_key": v["technical_key"],
            "bezirk_code": v["bezirk_code"], "bezirk_name": v["bezirk_name"],
            "bezirk_name_raw": v["bezirk_name_raw"], "prognoseraum_code": v["pgr_code"],
            "prognoseraum_name": v["pgr_name"], "prognoseraum_name_raw": v["pgr_name_raw"],
            "bezirksregion_code": v["bzr_code"], "bezirksregion_name": v["bzr_name"],
            "bezirksregion_name_raw": v["bzr_name_raw"],
        })
    return pd.DataFrame(records)
