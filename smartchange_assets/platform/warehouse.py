"""The Postgres warehouse: schemas, bulk loads through COPY, and atomic table swaps.

Every write builds the new version of a table under a temporary name and swaps it in inside
one transaction (Postgres DDL is transactional), so a crash mid-load leaves the previous
version intact and readable. A partitioned table replaces one partition (or a range) instead:
``DELETE`` of its rows and the new rows' ``COPY`` / ``INSERT … SELECT`` in one transaction,
the rest of the table untouched. Transformations past staging are SQL run here, so the heavy work
scales with the database rather than with Python memory.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pandas as pd
import sqlalchemy as sa

from smartchange_assets.platform.copy_loader import copy_frame_sqlalchemy
from smartchange_assets.platform.tables import TableSpec

SCHEMAS = ("raw", "staging", "core", "marts")

_PLATFORM_DDL = """
-- one row per blob of the blob store (platform/blobs.py): the bytes are not in the warehouse
CREATE TABLE IF NOT EXISTS raw.landing_payload (
  sha256 text PRIMARY KEY,
  size_bytes bigint NOT NULL,
  first_landed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS raw.landing_manifest (
  id bigserial PRIMARY KEY,
  source text NOT NULL,
  origin text NOT NULL,
  file_name text NOT NULL,
  sha256 text NOT NULL REFERENCES raw.landing_payload(sha256),
  size_bytes bigint NOT NULL,
  content_type text,
  http_status integer,
  fetched_at timestamptz NOT NULL,
  landed_at timestamptz NOT NULL DEFAULT now(),
  landed_by text NOT NULL,
  period_start date,
  period_end date,
  request jsonb,
  -- a payload known to carry more bad rows than the source's threshold, accepted with a reason
  quarantine_allowance double precision,
  allowance_reason text,
  UNIQUE (source, sha256, origin)
);
-- a partition run reads only the payloads whose period overlaps its partitions
CREATE INDEX IF NOT EXISTS landing_manifest_period_idx
  ON raw.landing_manifest (source, period_start, period_end);
CREATE TABLE IF NOT EXISTS raw.landing_rejection (
  source text NOT NULL,
  sha256 text NOT NULL,
  reason text NOT NULL,
  rejected_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, sha256)
);
CREATE TABLE IF NOT EXISTS raw.quarantine (
  source text NOT NULL,
  payload_sha256 text NOT NULL,
  file_name text NOT NULL,
  source_row bigint,
  column_name text,
  kind text NOT NULL,
  reason text NOT NULL,
  raw_record text,
  quarantined_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS quarantine_source_idx ON raw.quarantine (source);
CREATE TABLE IF NOT EXISTS raw.payload_reconciliation (
  source text NOT NULL,
  payload_sha256 text NOT NULL,
  file_name text NOT NULL,
  source_rows bigint,
  staged bigint NOT NULL,
  no_data bigint NOT NULL,
  quarantined bigint NOT NULL,
  error text,
  parsed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, payload_sha256)
);
-- per partition of a partitioned source: the staged rows each payload put into it, written
-- with the partition in one transaction; rows no partition can hold carry a '<…>' key
CREATE TABLE IF NOT EXISTS raw.partition_reconciliation (
  source text NOT NULL,
  partition_key text NOT NULL,
  payload_sha256 text NOT NULL,
  file_name text NOT NULL,
  staged bigint NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, partition_key, payload_sha256)
);
"""


class Warehouse:
    def __init__(self, url: str):
        if url.startswith("postgresql://"):
            # SQLAlchemy 2.1 would pick psycopg 3 implicitly; we name the driver explicitly.
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        self.url = url
        self.engine = sa.create_engine(url, pool_pre_ping=True)

    def dispose(self) -> None:
        self.engine.dispose()

    # -- set-up ---------------------------------------------------------------------------
    def ensure_platform_tables(self) -> None:
        with self.engine.begin() as conn:
            # two processes may run this at once; serialise on an advisory lock
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(4242001)"))
            for schema in SCHEMAS:
                conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            conn.exec_driver_sql(_PLATFORM_DDL)

    def has_bytea_archive(self) -> bool:
        """Whether payload bytes still sit in ``raw.landing_payload.content`` (an archive from
        before the blob store: ``smartchange archive migrate`` moves them out)."""
        return bool(self.scalar(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'raw'"
            " AND table_name = 'landing_payload' AND column_name = 'content')"))

    # -- reads ----------------------------------------------------------------------------
    def read_frame(self, sql: str, **params) -> pd.DataFrame:
        with self.engine.connect() as conn:
            result = conn.execute(sa.text(sql), params)
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def table_exists(self, spec: TableSpec) -> bool:
        return bool(self.scalar("SELECT to_regclass(:t) IS NOT NULL", t=spec.qualified))

    def row_count(self, spec: TableSpec) -> int:
        return int(self.scalar(f"SELECT count(*) FROM {spec.qualified}"))

    # -- atomic writes --------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        with self.engine.begin() as conn:
            yield conn

    def replace_table(self, spec: TableSpec, df: pd.DataFrame,
                      also: Callable[[sa.Connection], None] | None = None) -> int:
        """Load ``df`` into a new copy of ``spec`` via COPY and swap it in atomically.

        ``also`` runs inside the same transaction (e.g. replacing the source's quarantine
        rows), so the table and its bookkeeping change together or not at all.
        """
        missing = [c for c in spec.column_names if c not in df.columns]
        if missing:
            raise ValueError(f"{spec.label}: frame lacks columns {missing}")
        with self.engine.begin() as conn:
            tmp = self._create_shadow(conn, spec)
            copy_frame_sqlalchemy(conn, f"{spec.schema}.{tmp}", df[spec.column_names])
            if also is not None:
                also(conn)
            self._swap(conn, spec, tmp)
        return len(df)

    def replace_table_from_sql(self, spec: TableSpec, select_sql: str, **params) -> int:
        """Build the new version with ``INSERT … SELECT`` in Postgres, then swap atomically."""
        cols = ", ".join(f'"{c}"' for c in spec.column_names)
        with self.engine.begin() as conn:
            tmp = self._create_shadow(conn, spec)
            result = conn.execute(
                sa.text(f'INSERT INTO "{spec.schema}"."{tmp}" ({cols}) {select_sql}'), params)
            self._swap(conn, spec, tmp)
            return result.rowcount

    def replace_partition(self, spec: TableSpec, df: pd.DataFrame, where_sql: str,
                          params: dict,
                          also: Callable[[sa.Connection], None] | None = None) -> int:
        """Replace the rows ``where_sql`` selects (one partition or a range) with ``df``:
        DELETE and COPY in one transaction, so readers see the old rows until it commits and
        the rest of the table is untouched. ``also`` runs in the same transaction."""
        missing = [c for c in spec.column_names if c not in df.columns]
        if missing:
            raise ValueError(f"{spec.label}: frame lacks columns {missing}")
        with self.engine.begin() as conn:
            self._ensure_table(conn, spec)
            conn.execute(sa.text(f"DELETE FROM {spec.qualified} WHERE {where_sql}"), params)
            if len(df):
                copy_frame_sqlalchemy(conn, f"{spec.schema}.{spec.name}", df[spec.column_names])
            if also is not None:
                also(conn)
        return len(df)

    def replace_partition_from_sql(self, spec: TableSpec, select_sql: str, where_sql: str,
                                   **params) -> int:
        """``DELETE … WHERE`` the range, then ``INSERT … SELECT`` it, in one transaction."""
        cols = ", ".join(f'"{c}"' for c in spec.column_names)
        with self.engine.begin() as conn:
            self._ensure_table(conn, spec)
            conn.execute(sa.text(f"DELETE FROM {spec.qualified} WHERE {where_sql}"), params)
            result = conn.execute(
                sa.text(f"INSERT INTO {spec.qualified} ({cols}) {select_sql}"), params)
            return result.rowcount

    def _lock(self, conn: sa.Connection, spec: TableSpec) -> None:
        # serialise writers of one table: two runs never interleave their swaps or partitions
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:t))"), {"t": spec.label})

    def _ensure_table(self, conn: sa.Connection, spec: TableSpec) -> None:
        """Lock the table's writers and create it empty (with its key) on first use."""
        self._lock(conn, spec)
        if conn.execute(sa.text("SELECT to_regclass(:t) IS NOT NULL"),
                        {"t": spec.qualified}).scalar():
            return
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{spec.schema}"'))
        key = (f',\n  CONSTRAINT "{spec.name}_pkey" PRIMARY KEY ('
               + ", ".join(f'"{c}"' for c in spec.primary_key) + ")"
               if spec.primary_key else "")
        conn.execute(sa.text(f"CREATE TABLE {spec.qualified} (\n  {spec.column_ddl()}{key}\n)"))
        self._comment(conn, spec)

    def _comment(self, conn: sa.Connection, spec: TableSpec) -> None:
        if spec.description:
            # COMMENT takes no bind parameters: quote the literal ourselves
            text = spec.description.replace("'", "''")
            conn.exec_driver_sql(f"COMMENT ON TABLE {spec.qualified} IS '{text}'")

    def _create_shadow(self, conn: sa.Connection, spec: TableSpec) -> str:
        self._lock(conn, spec)
        tmp = f"{spec.name}__new_{secrets.token_hex(4)}"
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{spec.schema}"'))
        conn.execute(sa.text(f'CREATE TABLE "{spec.schema}"."{tmp}" (\n  {spec.column_ddl()}\n)'))
        return tmp

    def _swap(self, conn: sa.Connection, spec: TableSpec, tmp: str) -> None:
        if spec.primary_key:
            key = ", ".join(f'"{c}"' for c in spec.primary_key)
            conn.execute(sa.text(
                f'ALTER TABLE "{spec.schema}"."{tmp}" ADD CONSTRAINT "{tmp}_pkey" '
                f"PRIMARY KEY ({key})"))
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {spec.qualified}"))
        conn.execute(sa.text(f'ALTER TABLE "{spec.schema}"."{tmp}" RENAME TO "{spec.name}"'))
        if spec.primary_key:
            conn.execute(sa.text(
                f'ALTER INDEX "{spec.schema}"."{tmp}_pkey" RENAME TO "{spec.name}_pkey"'))
        self._comment(conn, spec)
        conn.execute(sa.text(f"ANALYZE {spec.qualified}"))
