"""Where things live and which database to use: read once from the environment.

Environment variables (all optional):

* ``SMARTCHANGE_HOME`` – state folder (embedded Postgres data, logs), default ``./.smartchange``.
* ``SMARTCHANGE_DATABASE_URL`` – a PostgreSQL *server* URL. When set, both Dagster's instance
  storage (database ``smartchange_dagster``) and the warehouse (database ``smartchange``) live
  there and no embedded server is started.
* ``SMARTCHANGE_MODE`` – ``replay`` (default: read payloads from the landing archive, no
  network) or ``live`` (fetch from the portals, land, then read).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

DAGSTER_DB = "smartchange_dagster"
WAREHOUSE_DB = "smartchange"
MODES = ("replay", "live")


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
