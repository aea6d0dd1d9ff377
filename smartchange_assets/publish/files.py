"""Write an open table to CSV (UTF-8, RFC 4180) and Parquet, reading it as the open reader.

The rows are read with ``SET LOCAL ROLE smartchange_open_reader``: Postgres itself guarantees
that nothing the open reader cannot see ends up in a published file. Rows stream through a
server-side cursor in batches and are written to both files at once, in a stable order (the
table's key, else every column), so unchanged data gives byte-identical files and checksums.
Files are written under a temporary name in the same folder and moved into place.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from smartchange_assets.platform.tables import TableSpec
from smartchange_assets.tiers.roles import OPEN_READER
from smartchange_assets.tiers.table import read_as

# the largest CSV cell our readers accept (Python's csv module stops at 128 KiB by default; a
# city's outline as GeoJSON text is larger)
CSV_FIELD_LIMIT = 1 << 26


def allow_long_csv_fields() -> None:
    """Let the csv module read cells up to :data:`CSV_FIELD_LIMIT` (a process-wide setting,
    only ever raised)."""
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))


CSV_MEDIA_TYPE = "text/csv"
PARQUET_MEDIA_TYPE = "application/vnd.apache.parquet"
GEOJSON_MEDIA_TYPE = "application/geo+json"
BATCH_ROWS = 50_000

_ARROW_TYPES = {
    "text": pa.string(), "bigint": pa.int64(), "integer": pa.int32(),
    "smallint": pa.int16(), "double precision": pa.float64(), "real": pa.float32(),
    "numeric": pa.float64(), "boolean": pa.bool_(), "date": pa.date32(),
    "timestamp": pa.timestamp("us"), "timestamptz": pa.timestamp("us", tz="UTC"),
    "jsonb": pa.string(), "json": pa.string(),
}


def arrow_type(sql_type: str) -> pa.DataType:
    return _ARROW_TYPES.get(sql_type, pa.string())


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    media_type: str
    rows: int
    byte_size: int
    sha256: str


def file_digest(path: Path) -> tuple[int, str]:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return path.stat().st_size, h.hexdigest()


def csv_cell(value) -> str:
    """One value as CSV text: empty for NULL, ISO dates, true/false, shortest float repr."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _arrow_value(value, sql_type: str):
    if value is None:
        return None
    if sql_type in ("jsonb", "json"):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if sql_type == "text" and not isinstance(value, str):
        return str(value)
    return value


def write_table_files(engine, table: TableSpec, folder: Path) -> tuple[WrittenFile, WrittenFile]:
    """``<folder>/<name>.csv`` and ``<folder>/<name>.parquet`` from ``table``."""
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, parquet_path = folder / f"{table.name}.csv", folder / f"{table.name}.parquet"
    csv_tmp, parquet_tmp = (folder / f".{p.name}.tmp" for p in (csv_path, parquet_path))
    names = table.column_names
    order = ", ".join(f'"{c}"' for c in (table.primary_key or names))
    select = f"SELECT {', '.join(chr(34) + c + chr(34) for c in names)} FROM " \
             f"{table.qualified} ORDER BY {order}"
    schema = pa.schema([pa.field(c.name, arrow_type(c.sql_type), nullable=c.nullable)
                        for c in table.columns])
    types = [c.sql_type for c in table.columns]
    rows = 0
    try:
        with engine.connect() as conn, conn.begin():
            read_as(conn, OPEN_READER)
            result = conn.execution_options(stream_results=True,
                                            max_row_buffer=BATCH_ROWS).exec_driver_sql(select)
            with csv_tmp.open("w", encoding="utf-8", newline="") as f, \
                    pq.ParquetWriter(parquet_tmp, schema) as parquet:
                writer = csv.writer(f, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
                writer.writerow(names)
                for batch in result.partitions(BATCH_ROWS):
                    writer.writerows([csv_cell(v) for v in row] for row in batch)
                    columns = list(zip(*batch)) if batch else [[] for _ in names]
                    arrays = [pa.array([_arrow_value(v, t) for v in col], type=field.type)
                              for col, t, field in zip(columns, types, schema)]
                    parquet.write_table(pa.Table.from_arrays(arrays, schema=schema))
                    rows += len(batch)
                if rows == 0:  # an empty table still gets a valid Parquet file with its schema
                    parquet.write_table(schema.empty_table())
        os.replace(csv_tmp, csv_path)
        os.replace(parquet_tmp, parquet_path)
    finally:
        for tmp in (csv_tmp, parquet_tmp):
            tmp.unlink(missing_ok=True)
    return (WrittenFile(csv_path, CSV_MEDIA_TYPE, rows, *file_digest(csv_path)),
            WrittenFile(parquet_path, PARQUET_MEDIA_TYPE, rows, *file_digest(parquet_path)))


def _json_value(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def write_geojson(engine, table: TableSpec, folder: Path, geometry_column: str) -> WrittenFile:
    """``<folder>/<name>.geojson``: an RFC 7946 FeatureCollection of ``table``, read as the open
    reader in the table's key order, one Feature per row (``id`` the key when it is one column,
    ``geometry`` from ``geometry_column``, a GeoJSON geometry text in EPSG:4326; every other
    column a property). Streamed a batch at a time, one feature per line."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{table.name}.geojson"
    tmp = folder / f".{path.name}.tmp"
    names = table.column_names
    properties = [c for c in names if c != geometry_column]
    key = table.primary_key[0] if len(table.primary_key) == 1 else None
    order = ", ".join(f'"{c}"' for c in (table.primary_key or names))
    select = f"SELECT {', '.join(chr(34) + c + chr(34) for c in names)} FROM " \
             f"{table.qualified} ORDER BY {order}"
    rows = 0
    try:
        with engine.connect() as conn, conn.begin():
            read_as(conn, OPEN_READER)
            result = conn.execution_options(stream_results=True,
                                            max_row_buffer=BATCH_ROWS).exec_driver_sql(select)
            with tmp.open("w", encoding="utf-8", newline="\n") as f:
                f.write(json.dumps({"type": "FeatureCollection", "name": table.name})[:-1]
                        + ', "features": [\n')
                for batch in result.partitions(BATCH_ROWS):
                    for row in batch:
                        record = dict(zip(names, row))
                        feature = {"type": "Feature",
                                   **({"id": record[key]} if key else {}),
                                   "properties": {c: _json_value(record[c]) for c in properties},
                                   "geometry": None}
                        text = json.dumps(feature, ensure_ascii=False)
                        geometry = record[geometry_column]
                        if geometry is not None:  # the stored GeoJSON text, byte for byte
                            text = text[:-len("null}")] + geometry + "}"
                        f.write(("" if rows == 0 else ",\n") + text)
                        rows += 1
                f.write("\n]}\n")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return WrittenFile(path, GEOJSON_MEDIA_TYPE, rows, *file_digest(path))


def write_text_atomic(path: Path, text: str) -> None:
    """``text`` (UTF-8) to ``path``, under a temporary name in the same folder first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp"
    try:
        tmp.write_text(text, encoding="utf-8", newline="\n")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json_atomic(path: Path, document: dict) -> None:
    write_text_atomic(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
