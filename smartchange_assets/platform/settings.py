"""Where things live and which database to use: read once from the environment.

Environment variables (all optional):

* ``SMARTCHANGE_HOME`` – state folder (embedded Postgres data, logs), default ``./.smartchange``.
* ``SMARTCHANGE_DATABASE_URL`` – a PostgreSQL *server* URL. When set, both Dagster's instance
  storage (database ``smartchange_dagster``) and the warehouse (database ``smartchange``) live
  there and no embedded server is started.
* ``SMARTCHANGE_MODE`` – ``replay`` (default: read payloads from the landing archive, no
  network) or ``live`` (fetch from the portals, land, then read).
* ``SMARTCHANGE_ARCHIVE_URL`` – where payload bytes are kept (platform/blobs.py): default a
  folder ``$SMARTCHANGE_HOME/archive``; ``s3://bucket/prefix`` for an S3-compatible store.
* Database limits of every warehouse connection, so a stuck client cannot hold the
  warehouse's locks for ever (Postgres duration syntax, ``0`` switches one off):
  ``SMARTCHANGE_DB_STATEMENT_TIMEOUT`` (default ``2h``: a 10-million-row build stays inside),
  ``SMARTCHANGE_DB_LOCK_TIMEOUT`` (``10min``), ``SMARTCHANGE_DB_IDLE_IN_TRANSACTION_TIMEOUT``
  (``15min``); ``SMARTCHANGE_TABLE_WRITER_WAIT_S`` (``3600``): how long a run waits for another
  run writing the same table before it gives up.
* Memory of every warehouse session for sorts, hashes and index builds (Postgres size syntax):
  ``SMARTCHANGE_DB_WORK_MEM`` (default ``64MB``; Postgres' own 4MB spills the group-bys and
  sorts of a month of detector hours to disk) and ``SMARTCHANGE_DB_MAINTENANCE_WORK_MEM``
  (``512MB``: a staging table's primary key over millions of rows is built in memory).
* ``SMARTCHANGE_AUDIT_KEEP`` – failed versions kept per table in schema ``audit`` (default 5).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

DAGSTER_DB = "smartchange_dagster"
WAREHOUSE_DB = "smartchange"
MODES = ("replay", "live")


@dataclass(frozen=True)
class DatabaseLimits:
    statement_timeout: str
    lock_timeout: str
    idle_in_transaction_session_timeout: str
    work_mem: str = "64MB"
    maintenance_work_mem: str = "512MB"

    def options(self) -> str:
        """libpq ``options`` setting the limits (and the memory) of every session of an
        engine."""
        return " ".join(f"-c {name}={value}" for name, value in (
            ("statement_timeout", self.statement_timeout),
            ("lock_timeout", self.lock_timeout),
            ("idle_in_transaction_session_timeout",
             self.idle_in_transaction_session_timeout),
            ("work_mem", self.work_mem),
            ("maintenance_work_mem", self.maintenance_work_mem)))


def database_limits() -> DatabaseLimits:
    return DatabaseLimits(
        statement_timeout=_setting("SMARTCHANGE_DB_STATEMENT_TIMEOUT", "2h"),
        lock_timeout=_setting("SMARTCHANGE_DB_LOCK_TIMEOUT", "10min"),
        idle_in_transaction_session_timeout=_setting(
            "SMARTCHANGE_DB_IDLE_IN_TRANSACTION_TIMEOUT", "15min"),
        work_mem=_setting("SMARTCHANGE_DB_WORK_MEM", "64MB", SIZE),
        maintenance_work_mem=_setting("SMARTCHANGE_DB_MAINTENANCE_WORK_MEM", "512MB", SIZE))


SIZE = "a Postgres size such as 64MB or 1GB"


def _setting(name: str, default: str,
             what: str = "a Postgres duration such as 30s, 10min or 2h") -> str:
    value = os.environ.get(name, default).strip().replace(" ", "")
    if not value or not value[0].isdigit() or not value.replace(".", "").isalnum():
        raise ValueError(f"{name} must be {what}, not {value!r}")
    return value


def table_writer_wait_s() -> float:
    return float(os.environ.get("SMARTCHANGE_TABLE_WRITER_WAIT_S", "3600"))


def audit_keep() -> int:
    return int(os.environ.get("SMARTCHANGE_AUDIT_KEEP", "5"))


def home() -> Path:
    return Path(os.environ.get("SMARTCHANGE_HOME", ".smartchange")).resolve()


def mode() -> str:
    value = os.environ.get("SMARTCHANGE_MODE", "replay").strip().lower()
    if value not in MODES:
        raise ValueError(f"SMARTCHANGE_MODE must be one of {MODES}, not {value!r}")
    return value


@dataclass(frozen=True)
class DatabaseUrls:
    server: str      # maintenance connection (database "postgres"), psycopg 3
    dagster: str     # Dagster instance storage: psycopg2 (dagster-postgres needs it)
    warehouse: str   # the warehouse: psycopg 3, explicitly named

    @classmethod
    def from_server_url(cls, server_url: str) -> DatabaseUrls:
        base = make_url(server_url)
        return cls(
            server=_render(base.set(drivername="postgresql+psycopg", database="postgres")),
            dagster=_render(base.set(drivername="postgresql+psycopg2", database=DAGSTER_DB)),
            warehouse=_render(base.set(drivername="postgresql+psycopg", database=WAREHOUSE_DB)),
        )


def _render(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def external_server_url() -> str | None:
    return os.environ.get("SMARTCHANGE_DATABASE_URL") or None
