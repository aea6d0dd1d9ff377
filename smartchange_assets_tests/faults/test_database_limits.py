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
    wh = Warehouse(fresh_database.url)
    try:
        with wh.engine.connect() as conn:
            shown = {name: conn.execute(sa.text(f"SHOW {name}")).scalar() for name in (
                "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")}
        assert shown == {"statement_timeout": "45min", "lock_timeout": "3s",
                         "idle_in_transaction_session_timeout": "2s"}

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
    wh = Warehouse(fresh_database.url)
    try:
        with wh.engine.connect() as conn:
            assert conn.execute(sa.text("SHOW work_mem")).scalar() == "64MB"
            assert conn.execute(sa.text("SHOW maintenance_work_mem")).scalar() == "512MB"
    finally:
        wh.dispose()
    monkeypatch.setenv("SMARTCHANGE_DB_WORK_MEM", "16MB")
    monkeypatch.setenv("SMARTCHANGE_DB_MAINTENANCE_WORK_MEM", "1GB")
    wh = Warehouse(fresh_database.url)
    try:
        with wh.engine.connect() as conn:
            assert conn.execute(sa.text("SHOW work_mem")).scalar() == "16MB"
            assert conn.execute(sa.text("SHOW maintenance_work_mem")).scalar() == "1GB"
    finally:
        wh.dispose()


def test_a_bad_memory_setting_is_refused(monkeypatch):
    monkeypatch.setenv("SMARTCHANGE_DB_WORK_MEM", "lots")
    with pytest.raises(ValueError, match="SMARTCHANGE_DB_WORK_MEM must be a Postgres size"):
        Warehouse("postgresql+psycopg://u@localhost/db")
