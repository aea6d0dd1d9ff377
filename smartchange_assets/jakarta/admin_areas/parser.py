"""Jakarta admin area code lists -> ParseResult: one row per area per code system.

One parser for both published forms, chosen by content (REPORT §6, SOURCES.md "wilayah"):

* **Kemendagri 2025** (cahyadsn/wilayah ``db/wilayah.sql``): SQL value tuples
  ``('31.71.01.1001','Gambir'),``, one per line, CRLF; the last one ends with ``);``. The level
  is the number of dotted segments (``31`` province, ``31.71`` kota, ``31.71.01`` kecamatan,
  ``31.71.01.1001`` kelurahan) and the parent is the code without its last segment.
* **BPS MFD 2018** (edwardsamuel/Wilayah-Administratif-Indonesia ``csv/*.csv``): CSV with no
  header, CRLF: ``id,name`` (provinces) or ``id,parent_id,name`` (regencies, districts,
  villages). The level is the code length (2, 4, 7, 10 digits). There is no header to map by
  name, so the documented column order is used; a file that does carry a header (``id``,
  ``name``, ``*_id``) is mapped by name instead, in any column order.

Rows that cannot be staged are quarantined with the column and the reason: an unreadable code
or an empty name (``unreadable``), a code outside DKI Jakarta (31), a parent that contradicts
the code, a kelurahan whose kecamatan is not in the payload (``inconsistent``), the same code
again (``duplicate`` when identical, else ``inconsistent``). A payload that is not one of the
two forms, or that ends mid-line (truncated), raises :class:`ParseError` naming the file.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

from smartchange_assets.jakarta.admin_areas.resolver import normalise_name
from smartchange_assets.platform.parsing import (
    DUPLICATE,
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
    decode_text,
    sniff_delimiter,
)

SOURCE = "jakarta_admin_areas"
KEMENDAGRI, BPS = "kemendagri_2025", "bps_mfd_2018"
CODE_SYSTEMS = (KEMENDAGRI, BPS)
LEVELS = ("province", "kota", "kecamatan", "kelurahan")
DKI_JAKARTA = "31"

STAGED_COLUMNS = ["source_row", "code_system", "code", "level", "name", "name_normalised",
                  "parent_code"]

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
_BPS_HEADER = {"id": BPS_CODE, "kode": BPS_CODE, "code": BPS_CODE, "name": BPS_NAME,
               "nama": BPS_NAME, "province_id": BPS_PARENT, "regency_id": BPS_PARENT,
               "district_id": BPS_PARENT, "parent_id": BPS_PARENT}


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
    rows = _drop_repeats(rows, quarantine, KEMENDAGRI_CODE)
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
    fields = [f.strip().lower() for f in next(csv.reader([first_line], delimiter=delimiter))]
    return (bool(fields) and fields[0].isdigit()) or (
        BPS_CODE in {_BPS_HEADER.get(f) for f in fields}
        and BPS_NAME in {_BPS_HEADER.get(f) for f in fields})


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
    rows = _drop_repeats(rows, quarantine, BPS_CODE)
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
    positions: dict[str, int] = {}
    for i, name in enumerate(first):
        canonical = _BPS_HEADER.get(name.strip().lower())
        if canonical in positions:
            raise ParseError(file_name, f"two columns map to {canonical!r}", row=1,
                             column=name)
        if canonical:
            positions[canonical] = i
    missing = [c for c in (BPS_CODE, BPS_NAME) if c not in positions]
    if missing:
        raise ParseError(file_name, f"header {first} lacks {missing}", row=1)
    return [h.strip() for h in first], positions


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
    trimmed = name.strip()  # Kemendagri writes 'Kota Administrasi Jakarta Utara ' (REPORT §6)
    if not normalise_name(trimmed):
        raise _RowError(name_column, f"empty area name {name!r} for code {code}")
    return {"source_row": source_row, "code_system": system, "code": code, "level": level,
            "name": trimmed, "name_normalised": normalise_name(trimmed), "parent_code": parent,
            "_raw": raw, "_trimmed": trimmed != name}


def _drop_repeats(rows: list[dict], quarantine: Quarantine, code_column: str) -> list[dict]:
    first: dict[str, dict] = {}
    kept = []
    for r in rows:
        seen = first.get(r["code"])
        if seen is None:
            first[r["code"]] = r
            kept.append(r)
        elif (seen["name"], seen["parent_code"]) == (r["name"], r["parent_code"]):
            quarantine.add(r["source_row"], code_column, f"code {r['code']} repeated (same as "
                           f"row {seen['source_row']})", r["_raw"], DUPLICATE)
        else:
            quarantine.add(r["source_row"], code_column, f"code {r['code']} repeated with "
                           f"another name ({seen['name']!r} in row {seen['source_row']}, "
                           f"{r['name']!r} here)", r["_raw"], INCONSISTENT)
    return kept


def _result(rows: list[dict], source_rows: int, quarantine: Quarantine,
            notes: dict) -> ParseResult:
    staged = pd.DataFrame([{c: r[c] for c in STAGED_COLUMNS} for r in rows],
                          columns=STAGED_COLUMNS)
    staged = staged.astype({"source_row": "int64"})
    levels = staged["level"].value_counts()
    notes.update(levels={lvl: int(levels.get(lvl, 0)) for lvl in LEVELS},
                 names_trimmed=sum(r["_trimmed"] for r in rows))
    quarantined = quarantine.frame().sort_values("source_row", kind="stable", ignore_index=True)
    return ParseResult(staged=staged, source_rows=source_rows, quarantine=quarantined,
                       notes=notes)
