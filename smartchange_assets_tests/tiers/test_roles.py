"""Roles, grants and default privileges, proven by connecting as the roles to the real server.

The roles here get test-only names (``roles.ROLES`` patched), so that creating them NOLOGIN,
setting passwords and dropping them again does not touch the platform's real roles, which
other tests on the same server use.
"""

from __future__ import annotations

import uuid

import pandas as pd
import psycopg
import pytest
import sqlalchemy as sa

from smartchange_assets.platform.tables import Column, TableSpec
from smartchange_assets.tiers import roles
from smartchange_assets.tiers.roles import TierRole, ensure_roles


@pytest.fixture()
def test_roles(fresh_database, monkeypatch):
    suffix = uuid.uuid4().hex[:8]
    reader = TierRole(f"t_reader_{suffix}", f"T_READER_PW_{suffix}", (roles.OPEN_SCHEMA,))
    analyst = TierRole(f"t_analyst_{suffix}", f"T_ANALYST_PW_{suffix}",
                       (roles.OPEN_SCHEMA, roles.RESTRICTED_SCHEMA))
    monkeypatch.setattr(roles, "ROLES", (reader, analyst))
    yield reader, analyst
    with fresh_database.engine.begin() as conn:
        for role in (reader, analyst):
            conn.exec_driver_sql(f'DROP OWNED BY "{role.name}"')
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role.name}"')


def connect_as(wh, role: str, password: str) -> sa.Engine:
    url = sa.engine.make_url(wh.url).set(username=role, password=password)
    return sa.create_engine(url)


def _select(engine: sa.Engine, table: str):
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()


def _denied(engine: sa.Engine, table: str) -> bool:
    try:
        _select(engine, table)
    except sa.exc.ProgrammingError as exc:
        assert isinstance(exc.orig, psycopg.errors.InsufficientPrivilege), exc
        return True
    return False


def test_without_a_password_a_role_cannot_log_in_and_with_one_it_can(fresh_database,
                                                                      test_roles, monkeypatch):
    reader, analyst = test_roles
    assert ensure_roles(fresh_database) == {reader.name: "nologin", analyst.name: "nologin"}
    can_login = "SELECT rolcanlogin FROM pg_roles WHERE rolname = :r"
    assert fresh_database.scalar(can_login, r=reader.name) is False
    with pytest.raises(sa.exc.OperationalError, match="not permitted to log in"):
        _select(connect_as(fresh_database, reader.name, "x"), "pg_class")

    monkeypatch.setenv(reader.password_env, "reader-secret")
    assert ensure_roles(fresh_database)[reader.name] == "login"
    assert fresh_database.scalar(can_login, r=reader.name) is True
    # the server holds a SCRAM verifier computed client-side, never the password
    stored = fresh_database.scalar("SELECT rolpassword FROM pg_authid WHERE rolname = :r",
                                   r=reader.name)
    assert stored.startswith("SCRAM-SHA-256$") and "reader-secret" not in stored
    engine = connect_as(fresh_database, reader.name, "reader-secret")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT current_user")).scalar() == reader.name
    engine.dispose()


def test_default_privileges_give_every_new_table_its_grants(fresh_database, test_roles,
                                                             monkeypatch):
    reader, analyst = test_roles
    monkeypatch.setenv(reader.password_env, "r")
    monkeypatch.setenv(analyst.password_env, "a")
    ensure_roles(fresh_database)
    # tables created *after* ensure_roles, with no GRANT by anyone
    open_t = TableSpec("open", "t_open", (Column("v", "text"),))
    closed_t = TableSpec("restricted", "t_closed", (Column("v", "text"),))
    for spec in (open_t, closed_t):
        fresh_database.replace_table(spec, pd.DataFrame({"v": ["a", "b"]}))
    as_reader = connect_as(fresh_database, reader.name, "r")
    as_analyst = connect_as(fresh_database, analyst.name, "a")
    assert _select(as_reader, open_t.qualified) == 2
    assert _denied(as_reader, closed_t.qualified)
    assert _select(as_analyst, closed_t.qualified) == 2
    assert _select(as_analyst, open_t.qualified) == 2
    # the platform's own schemas: nobody but the owner
    for table in ("raw.landing_manifest", "raw.quarantine"):
        assert _denied(as_reader, table) and _denied(as_analyst, table)
    # an atomic swap creates a new table: it is readable at once, by default privileges
    fresh_database.replace_table(open_t, pd.DataFrame({"v": ["c"]}))
    assert _select(as_reader, open_t.qualified) == 1
    for engine in (as_reader, as_analyst):
        engine.dispose()


def test_a_grant_made_by_hand_across_the_boundary_is_taken_back(fresh_database, test_roles,
                                                                 monkeypatch):
    reader, _ = test_roles
    monkeypatch.setenv(reader.password_env, "r")
    ensure_roles(fresh_database)
    closed_t = TableSpec("restricted", "t_closed", (Column("v", "text"),))
    fresh_database.replace_table(closed_t, pd.DataFrame({"v": ["a"]}))
    with fresh_database.engine.begin() as conn:
        conn.exec_driver_sql(f'GRANT USAGE ON SCHEMA restricted TO "{reader.name}"')
        conn.exec_driver_sql(f'GRANT SELECT ON restricted.t_closed TO "{reader.name}"')
    as_reader = connect_as(fresh_database, reader.name, "r")
    assert _select(as_reader, closed_t.qualified) == 1       # the hand-made hole …
    ensure_roles(fresh_database)                              # … closed by the next set-up
    assert _denied(as_reader, closed_t.qualified)
    as_reader.dispose()


def test_ensure_roles_is_idempotent(fresh_database, test_roles):
    for _ in range(3):
        ensure_roles(fresh_database)
    schemas = set(fresh_database.read_frame(
        "SELECT nspname FROM pg_namespace WHERE nspname IN ('open', 'restricted')")["nspname"])
    assert schemas == {"open", "restricted"}
