"""Scan what the open tier shows and what is published for personal data.

One rule for tables and files: every text value goes through ``platform.pii.find_pii``
(phone numbers in Indonesian and German formats, e-mail, 16-digit NIK, Indonesian and German
licence plates, street addresses, names after a marker, an honorific or in a sign-off; the forms
and the known gaps are listed in ``platform/pii.py``). Before scanning, SHA-256 digests (64
lower-case hex characters standing alone: pseudonymised ids, payload hashes, file checksums)
are masked: they are random by construction, and ~0.15 % of them contain a digit run that reads
like a phone number (``…086870617139…``). Only a whole digest is masked; a phone number next to
one, or inside a hex string of any other length, is still found. So are whole area keys
(:data:`AREA_KEY_RE`). GeoJSON files are read as JSON (their coordinates are numbers).

Findings name the place (table and column, or file and field) and the kind, never the value.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from smartchange_assets.core import keys
from smartchange_assets.platform.pii import find_pii

DIGEST_RE = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{64}(?![0-9A-Za-z])")
# Whole area keys of core.dim_area are masked too: ``berlin:LOR2021:01100101`` names a
# Planungsraum, and its 8-digit code with a leading zero reads like a German phone number. Only
# the key with its code-system prefix is masked (core/keys.py), never a bare number.
AREA_KEY_RE = re.compile(
    r"(?<![\w:])(?:" + "|".join(re.escape(p) for p in (
        keys.JAKARTA_PREFIX, keys.BERLIN_PREFIX, "berlin:LOR_OLD:",
        keys.BERLIN_CITY_KEY.rsplit(":", 1)[0] + ":")) + r")[0-9.]+(?![\w.])")
# The codes of the statistical offices' report series, after "Bericht": "Statistischer Bericht
# E II 1 – m" (construction, marts/themes/economy.py) reads like a German licence plate.
REPORT_CODE_RE = re.compile(r"(?<=Bericht )[A-Z] [IVX]{1,4} \d{1,2}(?![\w.])")


def pii_kinds(value) -> list[str]:
    """The kinds of personal data in ``value`` (empty when none), digests, area keys and
    statistical report codes masked. A value that is a JSON object or array (a shape as
    GeoJSON text in a CSV or Parquet column) is read as JSON, as a GeoJSON file is: its
    strings and integers are scanned, its floating-point numbers (coordinates) are not."""
    if value is None:
        return []
    text = str(value)
    if text[:1] in ("{", "[") and text[-1:] in ("}", "]"):
        try:
            parsed = json.loads(text)
        except ValueError:
            pass  # not JSON after all: scanned as text
        else:
            return [kind for string in json_strings(parsed) for kind in pii_kinds(string)]
    text = REPORT_CODE_RE.sub(" ", AREA_KEY_RE.sub(" ", DIGEST_RE.sub(" ", text)))
    return [kind for kind, _ in find_pii(text)]


def json_strings(node) -> list[str]:
    """Every key and every scalar but floating-point numbers (and null) of a JSON value, as
    text."""
    strings: list[str] = []
    todo = [node]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            strings.extend(str(k) for k in node)
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
        elif node is not None and not isinstance(node, float):
            strings.append(str(node))
    return strings


@dataclass(frozen=True)
class Finding:
    place: str    # "open.jakarta_citizen_reports.category" or "x.csv:category"
    kind: str
    count: int


def scan_values(place: str, values: Iterable) -> list[Finding]:
    counts: Counter = Counter()
    for value in values:
        for kind in pii_kinds(value):
            counts[kind] += 1
    return [Finding(place, kind, n) for kind, n in sorted(counts.items())]


# -- tables ---------------------------------------------------------------------------------

TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "ARRAY")


def text_columns(conn: sa.Connection, schema: str) -> list[tuple[str, str]]:
    """(table, column) of every text-like column of the tables in ``schema``."""
    rows = conn.execute(sa.text(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_schema, table_name) "
        "WHERE c.table_schema = :s AND t.table_type IN ('BASE TABLE', 'VIEW') "
        "AND c.data_type = ANY(:types) ORDER BY 1, c.ordinal_position"),
        {"s": schema, "types": list(TEXT_TYPES)})
    return [(r[0], r[1]) for r in rows]


def scan_schema(conn: sa.Connection, schema: str) -> tuple[list[Finding], int]:
    """Scan every text column of every table in ``schema``: (findings, columns scanned).

    Runs with the privileges of ``conn``'s role: scanning as the open reader scans exactly
    what the open tier shows."""
    findings: list[Finding] = []
    columns = text_columns(conn, schema)
    for table, column in columns:
        findings += scan_column(conn, schema, table, column)
    return findings, len(columns)


def scan_column(conn: sa.Connection, schema: str, table: str, column: str) -> list[Finding]:
    q = f'"{schema}"."{table}"'
    # distinct values: a category repeats on thousands of rows
    values = conn.execute(sa.text(
        f'SELECT DISTINCT "{column}"::text FROM {q} WHERE "{column}" IS NOT NULL')).scalars()
    return scan_values(f"{schema}.{table}.{column}", values)


# -- files ----------------------------------------------------------------------------------


def scan_file(path: Path, number_columns: Iterable[str] = ()) -> list[Finding]:
    """Scan a published file: every CSV cell, every Parquet value, every JSON string (keys
    included); anything else as UTF-8 lines.

    Floating-point columns (``number_columns`` of a CSV, floating types in Parquet) are the one
    exception, as in the tables, where only text columns are scanned: a measured value such as
    ``12.0512345678`` reads like a Berlin landline after its decimal point. Integer columns are
    scanned (a 16-digit integer would be a NIK)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _scan_csv(path, set(number_columns))
    if suffix == ".parquet":
        return _scan_parquet(path)
    if suffix in (".json", ".jsonld", ".geojson"):
        return _scan_json(path)
    return scan_values(path.name, path.read_text(encoding="utf-8").splitlines())


def scan_folder(folder: Path) -> tuple[list[Finding], list[str]]:
    """Scan every file under ``folder``: (findings, files scanned). A CSV's number columns come
    from the ``datapackage.json`` next to it (Frictionless type ``number``)."""
    findings: list[Finding] = []
    scanned: list[str] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.name.startswith("."):
            continue  # a half-written temporary file of a concurrent publication
        findings += scan_file(path, _number_fields(path))
        scanned.append(str(path.relative_to(folder)))
    return findings, scanned


def _number_fields(path: Path) -> set[str]:
    package = path.parent / "datapackage.json"
    if path.suffix.lower() != ".csv" or not package.exists():
        return set()
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    return {f["name"] for r in descriptor.get("resources", []) if r.get("path") == path.name
            for f in r.get("schema", {}).get("fields", []) if f.get("type") == "number"}


def _scan_csv(path: Path, number_columns: set[str]) -> list[Finding]:
    # cells may be long (an area's shape as GeoJSON text): raise the csv module's 128 KiB limit
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 26))
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        columns: dict[int, set] = {i: set() for i in range(len(header))}
        for row in reader:
            for i, cell in enumerate(row):
                columns.setdefault(i, set()).add(cell)
    found = scan_values(f"{path.name}:<header>", header)
    for i, values in columns.items():
        name = header[i] if i < len(header) else f"column {i + 1}"
        if name not in number_columns:
            found += scan_values(f"{path.name}:{name}", values)
    return found


def _scan_parquet(path: Path) -> list[Finding]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    schema = parquet.schema_arrow
    found = scan_values(f"{path.name}:<schema>", schema.names)
    scanned = [f.name for f in schema
               if not (pa.types.is_floating(f.type) or pa.types.is_decimal(f.type))]
    values: dict[str, set] = {name: set() for name in scanned}
    # a row group at a time: memory holds one batch and the distinct values, not the file
    for batch in parquet.iter_batches(columns=scanned):
        for name in scanned:
            values[name].update(v for v in batch.column(name).to_pylist() if v is not None)
    for name in scanned:
        found += scan_values(f"{path.name}:{name}", values[name])
    return found


def _scan_json(path: Path) -> list[Finding]:
    return scan_values(path.name, json_strings(json.loads(path.read_text(encoding="utf-8"))))


def describe(findings: list[Finding]) -> str:
    if not findings:
        return "no personal data found"
    return "personal data in " + ", ".join(f"{f.place} ({f.kind}: {f.count})"
                                           for f in findings)
