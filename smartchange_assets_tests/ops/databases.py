"""Databases of their own on the test session's PostgreSQL server."""

from __future__ import annotations

import uuid

import sqlalchemy as sa


def create_database(database_urls, prefix: str) -> str:
    """A new empty database on the session's server; returns its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(database_urls.server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name


def drop_database(database_urls, name: str) -> None:
    admin = sa.create_engine(database_urls.server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def database_url(database_urls, name: str, driver: str) -> str:
    return (sa.engine.make_url(database_urls.dagster).set(drivername=driver, database=name)
            .render_as_string(hide_password=False))
