"""Database limits: every warehouse connection carries a statement, lock and idle-in-transaction
timeout (configurable through the environment), so a stuck client cannot hold the warehouse's
locks for ever."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from smartchange_assets.platform.warehouse import Warehouse

from . import ledger


@pytest.mark.faults
def test_every_connection_carries_the_configured_limits(fresh_database, monkeypatch):
    monkeypatch.setenv("SMARTCHANGE_DB_STATEMENT_TIMEOUT", "45min")
    monkeypatch.setenv("SMARTCHANGE_DB_LOCK_TIMEOUT", "3s")
    monkeypatch.setenv("SMARTCHANGE_DB_IDLE_IN_TRANSACTION_TIMEOUT", "2s")
    assert _shown(fresh_database.url, "statement_timeout", "lock_timeout",
                  "idle_in_transaction_session_timeout") == {
        "statement_timeout": "45min", "lock_timeout": "3s",
        "idle_in_transaction_session_timeout": "2s"}
    wh = Warehouse(fresh_database.url)
    try:

        # a client that took a lock and went idle in its transaction is cut off …
        stuck = wh.engine.connect()
        stuck.execute(sa.text("CREATE TABLE public.held (x int)"))
        stuck.commit()
        stuck.execute(sa.text("LOCK TABLE public.held IN ACCESS EXCLUSIVE MODE"))
        time.sleep(4)
        # … so the next writer gets the table, well inside its own lock timeout
        with wh.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO public.held VALUES (1)"))
        with pytest.raises(sa.exc.DBAPIError, match="idle-in-transaction timeout"):
            stuck.execute(sa.text("SELECT 1"))
        stuck.close()
        ledger.record("stuck client holding a lock", True)
    finally:
        wh.dispose()


def test_a_bad_limit_is_refused(monkeypatch):
    monkeypatch.setenv("SMARTCHANGE_DB_LOCK_TIMEOUT", "ten minutes; DROP TABLE x")
    with pytest.raises(ValueError, match="SMARTCHANGE_DB_LOCK_TIMEOUT"):
        Warehouse("postgresql+psycopg://u@localhost/db")


def test_every_connection_carries_the_session_memory(fresh_database, monkeypatch):
    """Sorts, hashes and primary-key builds of a warehouse session get the configured memory
    (the defaults when nothing is set), not Postgres' 4MB / 64MB."""
    assert _shown(fresh_database.url, "work_mem", "maintenance_work_mem") == {
        "work_mem": "64MB", "maintenance_work_mem": "512MB"}
    monkeypatch.setenv("SMARTCHANGE_DB_WORK_MEM", "16MB")
    monkeypatch.setenv("SMARTCHANGE_DB_MAINTENANCE_WORK_MEM", "1GB")
    assert _shown(fresh_database.url, "work_mem", "maintenance_work_mem") == {
        "work_mem": "16MB", "maintenance_work_mem": "1GB"}


def test_a_bad_memory_setting_is_refused(monkeypatch):
    monkeypatch.setenv("SMARTCHANGE_DB_WORK_MEM", "lots")
    with pytest.raises(ValueError, match="SMARTCHANGE_DB_WORK_MEM must be a Postgres size"):
        Warehouse("postgresql+psycopg://u@localhost/db")


def _shown(url: str, *names: str) -> dict[str, str]:
    """What a new warehouse connection's session shows for ``names``."""
    wh = Warehouse(url)
    try:
        with wh.engine.connect() as conn:
            return {name: conn.execute(sa.text(f"SHOW {name}")).scalar() for name in names}
    finally:
        wh.dispose()
