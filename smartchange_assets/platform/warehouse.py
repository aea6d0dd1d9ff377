"""The Postgres warehouse: schemas, bulk loads through COPY, write-audit-publish.

Every table a reader sees is written in three steps (:mod:`.audit` drives them):

* **write** – the new version (the whole table, or the rows of the run's partitions) is built
  under a shadow name beside the live table (``<table>__wap_<run>``), by ``COPY`` or
  ``INSERT … SELECT``, and committed, so checks on other connections can read it;
* **audit** – the table's blocking checks run on the shadow;
* **publish** – only if they passed: the shadow is swapped in (or the partitions' rows
  replaced from it) inside one transaction with the table's bookkeeping (Postgres DDL is
  transactional). If they failed, the live table is untouched and the shadow is kept in schema
  ``audit`` for inspection (``audit.kept_versions`` lists them; the newest few per table stay).

A crash at any step leaves the previous version live; a shadow left behind by a killed run is
dropped by the next writer of the table. One run writes a table at a time: a writer holds the
table's advisory lock from reading its inputs to publishing, so two runs give the result of one
after the other. Every connection carries statement, lock and idle-in-transaction timeouts
(:func:`settings.database_limits`), and SQLAlchemy never puts bind values into error text.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from smartchange_assets.platform import failpoints, quality, settings
from smartchange_assets.platform.copy_loader import copy_frame_sqlalchemy
from smartchange_assets.platform.tables import TableSpec

SCHEMAS = ("raw", "staging", "core", "marts", "audit")
AUDIT_SCHEMA = "audit"
SHADOW_MARK = "__wap_"

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
-- versions that failed their audit, kept for inspection (newest SMARTCHANGE_AUDIT_KEEP per table)
CREATE TABLE IF NOT EXISTS audit.kept_versions (
  kept_as text PRIMARY KEY,
  table_label text NOT NULL,
  run_id text NOT NULL,
  partitions text,
  failed_checks text NOT NULL,
  kept_at timestamptz NOT NULL DEFAULT now()
);
"""


class WriterBusyError(RuntimeError):
    """Another run kept writing the same table for longer than the configured wait."""


@dataclass(frozen=True)
class Shadow:
    """The new version of a table under audit, beside the live one."""

    table: TableSpec
    name: str

    @property
    def qualified(self) -> str:
        return f'"{self.table.schema}"."{self.name}"'

    @property
    def label(self) -> str:
        return f"{self.table.schema}.{self.name}"


class Warehouse:
    def __init__(self, url: str):
        if url.startswith("postgresql://"):
            # SQLAlchemy 2.1 would pick psycopg 3 implicitly; we name the driver explicitly.
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        self.url = url
        self.limits = settings.database_limits()
        # hide_parameters: bind values (pseudonym key pads, report text) never reach an error
        self.engine = sa.create_engine(url, pool_pre_ping=True, hide_parameters=True,
                                       connect_args={"options": self.limits.options()})

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
        new_key = _fit(f"{tmp}_pkey")
        if spec.primary_key and not conn.execute(sa.text(
                "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = :k"
                " AND conrelid = to_regclass(:t))"),
                {"k": new_key, "t": f'"{spec.schema}"."{tmp}"'}).scalar():
            key = ", ".join(f'"{c}"' for c in spec.primary_key)
            conn.execute(sa.text(
                f'ALTER TABLE "{spec.schema}"."{tmp}" ADD CONSTRAINT "{new_key}" '
                f"PRIMARY KEY ({key})"))
        _drop_quality_views(conn, spec.qualified)
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {spec.qualified}"))
        failpoints.reached("swap", spec.label)
        conn.execute(sa.text(f'ALTER TABLE "{spec.schema}"."{tmp}" RENAME TO "{spec.name}"'))
        if spec.primary_key:
            conn.execute(sa.text(
                f'ALTER INDEX "{spec.schema}"."{new_key}" RENAME TO "{spec.name}_pkey"'))
        self._comment(conn, spec)
        conn.execute(sa.text(f"ANALYZE {spec.qualified}"))

    # -- write-audit-publish ------------------------------------------------------------------
    @contextmanager
    def writer(self, spec: TableSpec, wait_s: float | None = None,
               on_wait: Callable[[float], None] | None = None) -> Iterator[None]:
        """Hold the table's writer lock from reading the inputs to publishing: a second run
        writing the same table waits (up to ``wait_s``), then reads what the first published.
        A session-level advisory lock on a connection of its own; Postgres releases it if the
        process dies."""
        wait_s = settings.table_writer_wait_s() if wait_s is None else wait_s
        key = _lock_key(f"writer:{spec.label}")
        started = time.monotonic()
        with self.engine.connect() as conn:
            while not conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                conn.rollback()
                waited = time.monotonic() - started
                if waited > wait_s:
                    raise WriterBusyError(f"{spec.label}: another run has been writing it for "
                                          f"{waited:.0f} s (SMARTCHANGE_TABLE_WRITER_WAIT_S)")
                if on_wait is not None:
                    on_wait(waited)
                time.sleep(min(2.0, 0.1 + waited / 10))
            conn.commit()
            try:
                self._drop_stale_shadows(spec)
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()

    def _drop_stale_shadows(self, spec: TableSpec) -> None:
        """Shadows of ``spec`` left by a run that died: nobody else writes it (the writer lock)."""
        with self.engine.begin() as conn:
            names = conn.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = :s AND tablename LIKE :p"),
                {"s": spec.schema, "p": f"{spec.name}{SHADOW_MARK}%"}).scalars().all()
            for name in names:
                _drop_quality_views(conn, f'"{spec.schema}"."{name}"')
                conn.execute(sa.text(f'DROP TABLE IF EXISTS "{spec.schema}"."{name}"'))

    def create_shadow(self, spec: TableSpec, run_id: str) -> Shadow:
        """An empty, committed table with the columns of ``spec`` (its key is added once it is
        written, :meth:`add_key`, so a duplicate fails the audit rather than the load)."""
        name = _fit(f"{spec.name}{SHADOW_MARK}{run_id[:8]}_{secrets.token_hex(2)}")
        with self.engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{spec.schema}"'))
            conn.execute(sa.text(f'CREATE TABLE "{spec.schema}"."{name}" (\n'
                                 f"  {spec.column_ddl()}\n)"))
        return Shadow(spec, name)

    def copy_into(self, shadow: Shadow, df: pd.DataFrame) -> int:
        """COPY rows into the shadow, committed (one payload at a time: memory stays flat)."""
        spec = shadow.table
        missing = [c for c in spec.column_names if c not in df.columns]
        if missing:
            raise ValueError(f"{spec.label}: frame lacks columns {missing}")
        if len(df):
            with self.engine.begin() as conn:
                copy_frame_sqlalchemy(conn, shadow.label, df[spec.column_names])
                failpoints.reached("copy", spec.label)
        return len(df)

    def add_key(self, shadow: Shadow) -> bool:
        """Give the written shadow its table's primary key, before the audit: the index is
        built once (publishing keeps it) and a uniqueness check of the audit needs no scan of
        its own. False when the rows break the key (a repeat or a NULL): the shadow stays
        without it, for the audit to find and show them."""
        spec = shadow.table
        if not spec.primary_key:
            return False
        key = ", ".join(f'"{c}"' for c in spec.primary_key)
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.text(
                    f'ALTER TABLE {shadow.qualified} ADD CONSTRAINT "{_fit(f"{shadow.name}_pkey")}"'
                    f" PRIMARY KEY ({key})"))
        except sa.exc.IntegrityError:
            return False
        return True

    def insert_into(self, shadow: Shadow, select_sql: str, **params) -> int:
        """``INSERT … SELECT`` into the shadow, in Postgres, committed."""
        cols = ", ".join(f'"{c}"' for c in shadow.table.column_names)
        with self.engine.begin() as conn:
            result = conn.execute(sa.text(f"INSERT INTO {shadow.qualified} ({cols}) "
                                          f"{select_sql}"), params)
            failpoints.reached("insert_select", shadow.table.label)
            conn.execute(sa.text(f"ANALYZE {shadow.qualified}"))
            return result.rowcount

    def publish(self, shadow: Shadow, also: Callable[[sa.Connection], None] | None = None
                ) -> None:
        """Swap the audited shadow in for the whole table, with ``also`` (bookkeeping) in the
        same transaction."""
        spec = shadow.table
        with self.engine.begin() as conn:
            self._lock(conn, spec)
            if also is not None:
                also(conn)
            self._swap(conn, spec, shadow.name)

    def publish_partitions(self, shadow: Shadow, where_sql: str, params: dict,
                           also: Callable[[sa.Connection], None] | None = None) -> None:
        """Replace the rows ``where_sql`` selects (the run's partitions) with the audited
        shadow's rows, and drop the shadow, in one transaction; the rest of the table stays."""
        spec = shadow.table
        cols = ", ".join(f'"{c}"' for c in spec.column_names)
        with self.engine.begin() as conn:
            self._ensure_table(conn, spec)
            conn.execute(sa.text(f"DELETE FROM {spec.qualified} WHERE {where_sql}"), params)
            failpoints.reached("swap", spec.label)
            conn.execute(sa.text(f"INSERT INTO {spec.qualified} ({cols}) "
                                 f"SELECT {cols} FROM {shadow.qualified}"))
            _drop_quality_views(conn, shadow.qualified)
            conn.execute(sa.text(f"DROP TABLE {shadow.qualified}"))
            if also is not None:
                also(conn)

    def keep_for_audit(self, shadow: Shadow, run_id: str, failed: list[str],
                       partitions: str | None = None) -> str:
        """Move a shadow that failed its audit into schema ``audit`` (``<schema>__<table>__
        <run>``), record it, and drop the oldest kept versions of the table beyond
        ``SMARTCHANGE_AUDIT_KEEP``. Returns the kept table's qualified name."""
        spec = shadow.table
        kept = _fit(f"{spec.schema}__{spec.name}__{run_id[:8]}_{secrets.token_hex(2)}")
        with self.engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{AUDIT_SCHEMA}"'))
            conn.execute(sa.text(f"ALTER TABLE {shadow.qualified} SET SCHEMA {AUDIT_SCHEMA}"))
            conn.execute(sa.text(f'ALTER TABLE {AUDIT_SCHEMA}."{shadow.name}" '
                                 f'RENAME TO "{kept}"'))
            conn.execute(sa.text(
                "INSERT INTO audit.kept_versions (kept_as, table_label, run_id, partitions,"
                " failed_checks) VALUES (:k, :t, :r, :p, :f)"),
                {"k": f"{AUDIT_SCHEMA}.{kept}", "t": spec.label, "r": run_id, "p": partitions,
                 "f": ", ".join(failed)})
            old = conn.execute(sa.text(
                "SELECT kept_as FROM audit.kept_versions WHERE table_label = :t"
                " ORDER BY kept_at DESC, kept_as OFFSET :n"),
                {"t": spec.label, "n": settings.audit_keep()}).scalars().all()
            for name in old:
                schema, table = name.split(".", 1)
                conn.execute(sa.text(f'DROP TABLE IF EXISTS "{schema}"."{table}"'))
                conn.execute(sa.text("DELETE FROM audit.kept_versions WHERE kept_as = :k"),
                             {"k": name})
        return f"{AUDIT_SCHEMA}.{kept}"

    def drop_shadow(self, shadow: Shadow) -> None:
        with self.engine.begin() as conn:
            _drop_quality_views(conn, shadow.qualified)
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {shadow.qualified}"))


def _drop_quality_views(conn: sa.Connection, qualified: str) -> None:
    """Drop the views a suite validates through (schema ``quality_views``, platform/quality.py)
    that read ``qualified``: one left by a check that died would otherwise stop the table from
    being dropped or swapped. A check still reading one fails (closed) rather than the swap."""
    views = conn.execute(sa.text(
        "SELECT DISTINCT format('%I.%I', n.nspname, v.relname) FROM pg_depend AS d"
        " JOIN pg_rewrite AS r ON r.oid = d.objid JOIN pg_class AS v ON v.oid = r.ev_class"
        " JOIN pg_namespace AS n ON n.oid = v.relnamespace"
        " WHERE d.refobjid = to_regclass(:t) AND n.nspname = :s AND v.oid <> d.refobjid"),
        {"t": qualified, "s": quality.VIEW_SCHEMA}).scalars().all()
    for view in views:
        conn.execute(sa.text(f"DROP VIEW IF EXISTS {view}"))


def _lock_key(text: str) -> int:
    """A signed 64-bit advisory-lock key for ``text``."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big", signed=True)


def _fit(name: str) -> str:
    """A table name within Postgres' 63 bytes (a long one keeps a hash of the rest)."""
    if len(name.encode()) <= 63:
        return name
    return name[:50] + "_" + hashlib.sha256(name.encode()).hexdigest()[:12]
