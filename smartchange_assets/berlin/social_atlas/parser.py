"""Parser for the Gesundheits- und Sozialstrukturatlas (GSSA) area tables, Berlin.

One CSV per area level (``gssa_<edition>_bezirke.csv``, ``…_bezirksregionen``,
``…_prognoseraeume``, ``…_planungsraeume``; docs/sources/berlin-social-atlas.md). The file is
wide by year: each index has one column per atlas year (``GESIx_2013``, ``GESIx_2022``). A
**record** here is one area and one atlas year, so a file row gives one record per year, and
``staged + no_data + quarantined`` counts records (rows × years).

Form (tolerated): comma, semicolon or tab; UTF-8 with or without BOM; numbers with a decimal
point and no leading zero (``-.51435292``, a Stata export) or with a decimal comma; columns by
name in any order; years taken from the headers, whatever they are.

Meaning (strict):

* the id column names the level (``bezID`` 2 digits, ``pgrID`` 4, ``bzrID`` 6, ``plrID`` 8);
  ids are text, a lost leading zero is restored, any other length is ``unreadable`` (the id
  is a key column: it stops the line);
* the indices are GESIx (health and social), ESIx (employment and social), DI (working life /
  employment), DII (social status), DIII (health): standardised scores, unitless, higher is
  better – they can be negative and are not rates;
* an area and year with every index empty (too few inhabitants) is the publisher's no-data; a
  year with only some indices is ``inconsistent``;
* LOR scheme: the atlas up to the 2022 edition is computed on the **old** LOR (448
  Planungsräume, 138 Bezirksregionen), so ``lor_version = 'LOR_OLD'``; Bezirk codes are the
  same in both schemes. A later edition is refused until its scheme is known: a key whose
  scheme is guessed is worse than none.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pandas as pd

from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec, header_key
from smartchange_assets.platform.names import tidy
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

LOR_OLD = "LOR_OLD"
LAST_OLD_LOR_EDITION = 2022
INDICES = {"gesix": "GESIx", "esix": "ESIx", "di": "DI", "dii": "DII", "diii": "DIII"}
# level -> (id column spellings, code length)
LEVELS = {
    "bezirk": (("bezID", "bez_id", "bezirk_id"), 2),
    "prognoseraum": (("pgrID", "pgr_id"), 4),
    "bezirksregion": (("bzrID", "bzr_id"), 6),
    "planungsraum": (("plrID", "plr_id"), 8),
}
ID_HEADER = HeaderSpec({level: spellings for level, (spellings, _) in LEVELS.items()})
NAME_HEADER = HeaderSpec({"name": ("bezNAME", "pgrNAME", "bzrNAME", "plrNAME", "name")},
                         required=("name",))
KEY = ("level", "lor_version", "area_code", "reference_year")

_INDEX_YEAR = re.compile(r"^(GESIx|ESIx|DIII|DII|DI)_(\d{4})$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_NUMBER = re.compile(r"[-+]?(\d+)?([.,]\d+)?([eE][-+]?\d+)?")


def parse_gssa(data: bytes, file_name: str) -> ParseResult:
    """Parse one GSSA level table into one staged row per area and atlas year."""
    header, records = _read(data, file_name)
    level, id_at = _level(header, file_name)
    name_at = NAME_HEADER.positions(header, file_name, row=1)["name"]
    years = _index_columns(header, file_name)
    edition = max(years)
    if edition > LAST_OLD_LOR_EDITION:
        raise ParseError(file_name, f"atlas edition {edition}: its LOR scheme is not known "
                         f"(editions up to {LAST_OLD_LOR_EDITION} use the old LOR); refusing to "
                         "guess the meaning of its keys", row=1)
    length = LEVELS[level][1]
    quarantine, rows, no_data, padded = Quarantine(), [], 0, 0
    for line, record in enumerate(records, start=1):
        raw = dict(zip(header, record, strict=False))
        if len(record) != len(header):
            for _ in years:
                quarantine.add(line, None, f"row has {len(record)} fields, header has "
                               f"{len(header)}", raw)
            continue
        code_text = record[id_at].strip()
        if not _DIGITS.fullmatch(code_text) or len(code_text) > length:
            for _ in years:
                quarantine.add(line, header[id_at], f"{header[id_at]} {code_text!r} is not a "
                               f"{length}-digit code", raw)
            continue
        padded += len(code_text) < length
        code = code_text.zfill(length)
        for year, columns in sorted(years.items()):
            values, problem = _year_values(record, columns, header)
            if problem is not None:
                quarantine.add(line, problem[0], problem[1], raw, problem[2])
            elif values is None:
                no_data += 1
            else:
                rows.append({"source_row": line, "edition": edition, "reference_year": year,
                             "level": level, "lor_version": LOR_OLD, "area_code": code,
                             "bezirk_code": code[:2], "area_name": tidy(record[name_at]),
                             **values, "_raw": raw})
    frame = pd.DataFrame(rows, columns=["source_row", "edition", "reference_year", "level",
                                        "lor_version", "area_code", "bezirk_code",
                                        "area_name", *INDICES, "_raw"])
    frame = settle_duplicates(frame, KEY, quarantine, raw="_raw")
    result = ParseResult(staged=frame.drop(columns="_raw"),
                         source_rows=len(records) * len(years), no_data=no_data,
                         quarantine=quarantine.frame(),
                         notes={"level": level, "years": sorted(years), "file_rows": len(records),
                                "leading_zeros_restored": padded})
    result.reconcile()
    return result


def _read(data: bytes, file_name: str) -> tuple[list[str], list[list[str]]]:
    if not data.strip():
        raise ParseError(file_name, "empty payload")
    text = decode_text(data, file_name).lstrip("\ufeff")
    first_line = text.split("\n", 1)[0].rstrip("\r")
    header, records = read_csv_records(text, sniff_delimiter(first_line, candidates=",;\t"))
    if not records:
        raise ParseError(file_name, "no data rows after the header")
    return header, records


def _level(header: list[str], file_name: str) -> tuple[str, int]:
    found = ID_HEADER.positions(header, file_name, row=1)
    if len(found) != 1:
        ids = [spellings[0] for spellings, _ in LEVELS.values()]
        got = [header[i] for i in found.values()] or "none"
        raise ParseError(file_name, f"expected one id column of {ids}, found {got}; header "
                         f"as published: {header}", row=1)
    return next(iter(found.items()))


def _index_columns(header: list[str], file_name: str) -> dict[int, dict[str, int]]:
    years: dict[int, dict[str, int]] = defaultdict(dict)
    wanted = {header_key(v): k for k, v in INDICES.items()}
    for i, name in enumerate(header):
        if m := _INDEX_YEAR.match(name.strip()):
            years[int(m[2])][wanted[header_key(m[1])]] = i
    incomplete = {y: sorted(set(INDICES) - set(c)) for y, c in years.items()
                  if set(c) != set(INDICES)}
    if not years or incomplete:
        raise ParseError(file_name, f"not a GSSA table: each year needs the columns "
                         f"{[f'{v}_<year>' for v in INDICES.values()]}"
                         + (f"; incomplete years {incomplete}" if incomplete else "")
                         + f"; header as published: {header}", row=1)
    return dict(years)


def _year_values(record: list[str], columns: dict[str, int], header: list[str]
                 ) -> tuple[dict | None, tuple | None]:
    """(values, None), (None, None) for the publisher's empty year, or (None, problem)."""
    texts = {k: record[i].strip() for k, i in columns.items()}
    if not any(texts.values()):
        return None, None
    empty = [header[columns[k]] for k, t in texts.items() if not t]
    if empty:
        return None, (empty[0], f"only some indices of the year published; empty: {empty}",
                      INCONSISTENT)
    values = {}
    for k, text in texts.items():
        if not _NUMBER.fullmatch(text) or not any(ch.isdigit() for ch in text):
            return None, (header[columns[k]], f"{header[columns[k]]} {text!r} is not a number",
                          UNREADABLE)
        values[k] = float(text.replace(",", "."))
    return values, None
