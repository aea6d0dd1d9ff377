"""Jakarta admin area code lists -> ParseResult: one row per area per code system.

One parser for both published forms, chosen by content (docs/sources/jakarta-admin-areas.md
§1-§2):

* **Kemendagri 2025** (cahyadsn/wilayah ``db/wilayah.sql``): SQL value tuples
  ``('31.71.01.1001','Gambir'),``, one per line, CRLF; the last one ends with ``);``. The level
  is the number of dotted segments (``31`` province, ``31.71`` kota, ``31.71.01`` kecamatan,
  ``31.71.01.1001`` kelurahan) and the parent is the code without its last segment.
* **BPS MFD 2018** (edwardsamuel/Wilayah-Administratif-Indonesia ``csv/*.csv``): CSV with no
  header, CRLF: ``id,name`` (provinces) or ``id,parent_id,name`` (regencies, districts,
  villages). The level is the code length (2, 4, 7, 10 digits). There is no header to map by
  name, so the documented column order is used; a file that does carry a header (``id``,
  ``name``, ``*_id``) is mapped by name instead (:data:`BPS_HEADER`), in any column order.

Rows that cannot be staged are quarantined with the column and the reason: an unreadable code
or an empty name (``unreadable``), a code outside DKI Jakarta (31), a parent that contradicts
the code, a kelurahan whose kecamatan is not in the payload (``inconsistent``), and the same
code again by the one duplicate-key rule of every source (:func:`~smartchange_assets.platform.
duplicates.settle_duplicates`: an identical repeat is a ``duplicate`` and the first row stays;
with another name or parent none of the rows is staged, each first version ``inconsistent``).
A payload that is not one of the two forms, or that ends mid-line (truncated), raises
:class:`ParseError` naming the file. Staged rows carry the staging table's column names; the
engine types them by the table spec in source.py.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

from smartchange_assets.jakarta.admin_areas.codes import BPS, DKI_JAKARTA, KEMENDAGRI, LEVELS
from smartchange_assets.jakarta.admin_areas.names import normalise_name
from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
    decode_text,
    sniff_delimiter,
)

# column names as the quarantine reports them (the Kemendagri table is wilayah(kode, nama))
KEMENDAGRI_CODE, KEMENDAGRI_NAME = "kode", "nama"
BPS_CODE, BPS_PARENT, BPS_NAME = "id", "parent_id", "name"

_KEMENDAGRI_CODE = re.compile(r"\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?")
_KEMENDAGRI_LEVEL = {1: "province", 2: "kota", 3: "kecamatan", 4: "kelurahan"}
_BPS_CODE = re.compile(r"\d{2}|\d{4}|\d{7}|\d{10}")
_BPS_LEVEL = {2: "province", 4: "kota", 7: "kecamatan", 10: "kelurahan"}
_BPS_PARENT_LENGTH = {4: 2, 7: 4, 10: 7}

# A value tuple: ('code','name') with SQL '' or backslash escapes inside the quotes.
_QUOTED = r"'((?:[^'\\]|''|\\.)*)'"
_TUPLE = re.compile(rf"\(\s*{_QUOTED}\s*,\s*{_QUOTED}\s*\)\s*[,;]?")
_SQL_STATEMENT = re.compile(r"(?i)(INSERT\s+INTO|CREATE|DROP|ALTER|SET|LOCK|UNLOCK|USE|"
                            r"START|COMMIT|BEGIN|--|/\*|\*/|#)")
# BPS header names (mapped by name when a header is present)
BPS_HEADER = HeaderSpec({BPS_CODE: ("kode", "code"), BPS_NAME: ("nama",),
                         BPS_PARENT: ("province_id", "regency_id", "district_id")},
                        required=(BPS_CODE, BPS_NAME))
# one row per code in a code list
KEY = ("code",)


class _RowError(Exception):
    def __init__(self, column: str | None, reason: str, kind: str = UNREADABLE):
        super().__init__(reason)
        self.column, self.reason, self.kind = column, reason, kind


def parse_admin_areas(data: bytes, file_name: str) -> ParseResult:
    """Parse one code-list payload (Kemendagri SQL tuples or a BPS MFD CSV)."""
    text = decode_text(data, file_name).lstrip("\ufeff")
    lines = text.splitlines()
    content = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if not content:
        raise ParseError(file_name, "empty payload: a code list cannot be empty")
    if not text.endswith(("\n", "\r")):
        # every published list ends with a line break; one that stops mid-line was cut off
        raise ParseError(file_name, f"payload ends mid-line (no final line break), "
                         f"truncated? last line reads {content[-1][1][:80]!r}",
                         row=content[-1][0])
    first_line, first = content[0]
    if first.lstrip().startswith("(") or _SQL_STATEMENT.match(first.lstrip()):
        result = _parse_kemendagri(content, file_name)
    elif _looks_like_bps(first):
        result = _parse_bps(text, file_name)
    else:
        raise ParseError(file_name, f"neither Kemendagri SQL value tuples nor a BPS "
                         f"MFD code list; first line reads {first[:80]!r}", row=first_line)
    result.reconcile()
    return result


# --------------------------------------------------------------------------------------------
# Kemendagri: SQL value tuples


def _parse_kemendagri(content: list[tuple[int, str]], file_name: str) -> ParseResult:
    records = [(n, line.strip()) for n, line in content if line.lstrip().startswith("(")]
    statements = len(content) - len(records)
    for n, line in content:
        if not line.lstrip().startswith("(") and not _SQL_STATEMENT.match(line.lstrip()):
            raise ParseError(file_name, f"line is neither a value tuple nor an SQL "
                             f"statement: {line.strip()[:80]!r}", row=n)
    last_line, last = records[-1] if records else (content[-1][0], "")
    if records and not _TUPLE.fullmatch(last):
        raise ParseError(file_name, f"last value tuple is incomplete (truncated?): "
                         f"{last[:80]!r}", row=last_line)

    quarantine, rows = Quarantine(), []
    for source_row, (_, line) in enumerate(records, start=1):
        raw = {"line": line}
        try:
            match = _TUPLE.fullmatch(line)
            if match is None:
                raise _RowError(None, "not a ('kode','nama') value tuple")
            code, name = (_unescape(v) for v in match.groups())
            rows.append(_kemendagri_row(source_row, code.strip(), name, raw))
        except _RowError as err:
            quarantine.add(source_row, err.column, err.reason, raw, kind=err.kind)
    rows = _settle(rows, quarantine, {"code": KEMENDAGRI_CODE, "name": KEMENDAGRI_NAME,
                                      "name_normalised": KEMENDAGRI_NAME})
    rows = _drop_orphans(rows, quarantine)
    return _result(rows, len(records), quarantine, {
        "format": "kemendagri sql value tuples", "code_system": KEMENDAGRI,
        "sql_statement_lines_ignored": statements})


def _kemendagri_row(source_row: int, code: str, name: str, raw: dict) -> dict:
    if not _KEMENDAGRI_CODE.fullmatch(code):
        raise _RowError(KEMENDAGRI_CODE, f"unreadable Kemendagri code {code!r} (expected "
                        f"31, 31.71, 31.71.01 or 31.71.01.1001)")
    if not code.startswith(DKI_JAKARTA):
        raise _RowError(KEMENDAGRI_CODE, f"code {code!r} is outside DKI Jakarta (31)",
                        INCONSISTENT)
    segments = code.split(".")
    parent = ".".join(segments[:-1]) or None
    return _staged_row(source_row, KEMENDAGRI, code, _KEMENDAGRI_LEVEL[len(segments)], name,
                       parent, KEMENDAGRI_NAME, raw)


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value.replace("''", "'"))


def _drop_orphans(rows: list[dict], quarantine: Quarantine) -> list[dict]:
    """The Kemendagri list is one hierarchy in one file: every parent must be in it."""
    codes, kept = {r["code"] for r in rows}, []
    for r in rows:
        if r["parent_code"] is not None and r["parent_code"] not in codes:
            quarantine.add(r["source_row"], KEMENDAGRI_CODE, f"parent {r['parent_code']} of "
                           f"{r['code']} is not in the payload", r.pop("_raw"), INCONSISTENT)
        else:
            kept.append(r)
    return kept


# --------------------------------------------------------------------------------------------
# BPS MFD: CSV without a header (id,name or id,parent_id,name)


def _looks_like_bps(first_line: str) -> bool:
    delimiter = sniff_delimiter(first_line)
    fields = [f.strip() for f in next(csv.reader([first_line], delimiter=delimiter))]
    return (bool(fields) and fields[0].isdigit()) or not BPS_HEADER.missing(fields)


def _parse_bps(text: str, file_name: str) -> ParseResult:
    first_line = next(line for line in text.splitlines() if line.strip())
    delimiter = sniff_delimiter(first_line)
    table = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
             if any(cell.strip() for cell in r)]
    header, positions = _bps_layout(table[0], file_name)
    body = table[1:] if header else table
    width = len(header) if header else len(table[0])

    names = header or ([BPS_CODE, BPS_NAME] if width == 2 else [BPS_CODE, BPS_PARENT, BPS_NAME])
    quarantine, rows = Quarantine(), []
    for source_row, record in enumerate(body, start=1):
        raw = dict(zip(names, record, strict=False))
        try:
            if len(record) != width:
                raise _RowError(None, f"row has {len(record)} fields, expected {width}")
            rows.append(_bps_row(source_row, {c: record[i].strip() for c, i in positions.items()},
                                 raw))
        except _RowError as err:
            quarantine.add(source_row, err.column, err.reason, raw, kind=err.kind)
    rows = _settle(rows, quarantine, {"code": BPS_CODE, "name": BPS_NAME,
                                      "name_normalised": BPS_NAME, "parent_code": BPS_PARENT})
    return _result(rows, len(body), quarantine, {
        "format": "bps mfd csv" + (" with header" if header else " (no header)"),
        "code_system": BPS, "delimiter": delimiter,
        "columns": "mapped by header name" if header else "documented order"})


def _bps_layout(first: list[str], file_name: str) -> tuple[list[str] | None, dict[str, int]]:
    """Column positions: from a header when the file has one, else the documented order."""
    if first and first[0].strip().isdigit():
        if len(first) == 2:
            return None, {BPS_CODE: 0, BPS_NAME: 1}
        if len(first) == 3:
            return None, {BPS_CODE: 0, BPS_PARENT: 1, BPS_NAME: 2}
        raise ParseError(file_name, f"a BPS code row has 2 or 3 fields "
                         f"(id[,parent_id],name), this one has {len(first)}", row=1)
    return [h.strip() for h in first], BPS_HEADER.positions(first, file_name, row=1)


def _bps_row(source_row: int, values: dict[str, str], raw: dict) -> dict:
    code = values.get(BPS_CODE, "")
    if not _BPS_CODE.fullmatch(code):
        raise _RowError(BPS_CODE, f"unreadable BPS code {code!r} (expected 2, 4, 7 or 10 "
                        "digits)")
    if not code.startswith(DKI_JAKARTA):
        raise _RowError(BPS_CODE, f"code {code!r} is outside DKI Jakarta (31)", INCONSISTENT)
    parent = values.get(BPS_PARENT) or None
    expected = code[:_BPS_PARENT_LENGTH[len(code)]] if len(code) > 2 else None
    if parent != expected:
        raise _RowError(BPS_PARENT, f"parent {parent!r} contradicts code {code} (expected "
                        f"{expected!r})", INCONSISTENT)
    return _staged_row(source_row, BPS, code, _BPS_LEVEL[len(code)], values.get(BPS_NAME, ""),
                       parent, BPS_NAME, raw)


# --------------------------------------------------------------------------------------------
# shared


def _staged_row(source_row: int, system: str, code: str, level: str, name: str,
                parent: str | None, name_column: str, raw: dict) -> dict:
    # Kemendagri writes 'Kota Administrasi Jakarta Utara ' (docs/sources/jakarta-admin-areas.md §3)
    trimmed = name.strip()
    if not normalise_name(trimmed):
        raise _RowError(name_column, f"empty area name {name!r} for code {code}")
    return {"source_row": source_row, "code_system": system, "code": code, "level": level,
            "name": trimmed, "name_normalised": normalise_name(trimmed), "parent_code": parent,
            "_raw": raw, "_trimmed": trimmed != name}


def _settle(rows: list[dict], quarantine: Quarantine, published: dict[str, str]) -> list[dict]:
    """The one duplicate-key rule (platform.duplicates) on the code; ``published`` names the
    columns (staged -> as published) for the quarantine."""
    if not rows:
        return rows
    frame = pd.DataFrame([{**_staged(r), "_raw": r["_raw"]} for r in rows])
    before = len(quarantine.rows)
    kept = set(settle_duplicates(frame, KEY, quarantine, raw="_raw")["source_row"])
    for q in quarantine.rows[before:]:
        q["column_name"] = published.get(q["column_name"], q["column_name"])
    return [r for r in rows if r["source_row"] in kept]


def _staged(row: dict) -> dict:
    """The staged columns of a row (the parser's own bookkeeping starts with '_')."""
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _result(rows: list[dict], source_rows: int, quarantine: Quarantine,
            notes: dict) -> ParseResult:
    staged = pd.DataFrame([_staged(r) for r in rows])
    levels = staged["level"].value_counts() if len(staged) else pd.Series(dtype=int)
    notes.update(levels={lvl: int(levels.get(lvl, 0)) for lvl in LEVELS},
                 names_trimmed=sum(r["_trimmed"] for r in rows))
    quarantined = quarantine.frame().sort_values("source_row", kind="stable", ignore_index=True)
    return ParseResult(staged=staged, source_rows=source_rows, quarantine=quarantined,
                       notes=notes)
