"""The publish log: which version of which file was published when, with rows and checksums.

``open.publish_log`` gets one row per file per publication. A dataset's ``version`` goes up by
one when its CSV's SHA-256 changes and stays when the same content is published again, so
"which file did the portal serve on day D" is the newest row per file with
``published_at < D + 1``. The log is appended to, never swapped, and lives in the open tier:
anyone can check a downloaded file's checksum against it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from smartchange_assets.platform.tables import Column, TableSpec
from smartchange_assets.tiers.roles import OPEN_SCHEMA

LOG_TABLE = TableSpec(OPEN_SCHEMA, "publish_log", (
    Column("published_at", "timestamptz", "when the file was written", nullable=False),
    Column("dataset", "text", "open dataset (or 'catalog')", nullable=False),
    Column("version", "integer", "content version of the dataset: +1 whenever its CSV "
           "changes", nullable=False),
    Column("file_name", "text", "file inside the dataset's folder", nullable=False),
    Column("media_type", "text", nullable=False),
    Column("row_count", "bigint", "data rows (NULL for metadata files)"),
    Column("byte_size", "bigint", nullable=False),
    Column("sha256", "text", "SHA-256 of the file's bytes, hex", nullable=False),
    Column("download_url", "text", "where the file is served", nullable=False),
    Column("content_changed", "boolean", "this publication changed the dataset's content "
           "(a new version)", nullable=False),
), (), "Every publication of every open file: dataset, version, rows and checksums")

_DDL = (f"CREATE TABLE IF NOT EXISTS {LOG_TABLE.qualified} (\n  {LOG_TABLE.column_ddl()}\n);\n"
        f'CREATE INDEX IF NOT EXISTS publish_log_dataset_idx ON {LOG_TABLE.qualified} '
        f"(dataset, published_at)")


@dataclass(frozen=True)
class Version:
    number: int
    changed: bool
    since: dt.datetime   # first publication of this content (dct:modified)


def ensure_log(conn: sa.Connection) -> None:
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:t))"), {"t": LOG_TABLE.label})
    conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{OPEN_SCHEMA}"')
    conn.exec_driver_sql(_DDL)


def next_version(conn: sa.Connection, dataset: str, content_sha256: str,
                 content_file: str, now: dt.datetime) -> Version:
    """The version a publication of ``content_sha256`` (the dataset's CSV) gets."""
    last = conn.execute(sa.text(
        f"SELECT version, sha256 FROM {LOG_TABLE.qualified} WHERE dataset = :d "
        "AND file_name = :f ORDER BY published_at DESC, version DESC LIMIT 1"),
        {"d": dataset, "f": content_file}).first()
    if last is not None and last.sha256 == content_sha256:
        since = conn.execute(sa.text(
            f"SELECT min(published_at) FROM {LOG_TABLE.qualified} WHERE dataset = :d "
            "AND file_name = :f AND version = :v"),
            {"d": dataset, "f": content_file, "v": last.version}).scalar()
        return Version(last.version, False, since)
    return Version((last.version if last else 0) + 1, True, now)


def record(conn: sa.Connection, rows: list[dict]) -> None:
    conn.execute(sa.text(
        f"INSERT INTO {LOG_TABLE.qualified} ({', '.join(LOG_TABLE.column_names)}) VALUES "
        f"({', '.join(':' + c for c in LOG_TABLE.column_names)})"), rows)
