"""The two tiers in Postgres: schemas, roles, grants and default privileges.

* schema ``open``: the open tier (pseudonymised, coarsened, aggregated, free text left out);
* schema ``restricted``: the closed tier (personal and sensitive columns, for authorised staff).

Roles (cluster-wide, created idempotently by :func:`ensure_roles`):

* ``smartchange_open_reader`` – USAGE and SELECT on ``open`` only;
* ``smartchange_analyst`` – USAGE and SELECT on ``open`` and ``restricted``;
* the ETL owner is the role the platform connects as: it creates and swaps every table.

A role logs in only when its password is set in the environment
(``SMARTCHANGE_OPEN_READER_PASSWORD``, ``SMARTCHANGE_ANALYST_PASSWORD``); without one it is
created ``NOLOGIN`` (it still exists for the grants and for ``SET ROLE``). The password is sent
to the server as a SCRAM verifier computed by libpq, so the plain text never reaches a server
log. Default privileges make every table the owner creates in a tier readable by the right
roles at creation: the atomic swaps (a new table every refresh) keep their grants without
anyone remembering. ``raw``, ``staging``, ``core`` and ``marts`` get no grants at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import sqlalchemy as sa

OPEN_SCHEMA = "open"
RESTRICTED_SCHEMA = "restricted"
TIER_SCHEMAS = (OPEN_SCHEMA, RESTRICTED_SCHEMA)

OPEN_READER = "smartchange_open_reader"
ANALYST = "smartchange_analyst"


@dataclass(frozen=True)
class TierRole:
    name: str
    password_env: str
    schemas: tuple[str, ...]


ROLES = (
    TierRole(OPEN_READER, "SMARTCHANGE_OPEN_READER_PASSWORD", (OPEN_SCHEMA,)),
    TierRole(ANALYST, "SMARTCHANGE_ANALYST_PASSWORD", (OPEN_SCHEMA, RESTRICTED_SCHEMA)),
)

# serialises concurrent set-ups (two processes running `up`/refresh at once)
_LOCK = 4242007


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ensure_roles(warehouse) -> dict[str, str]:
    """Create (or update) the roles, the tier schemas, their grants and default privileges.

    ``warehouse`` is a :class:`~smartchange_assets.platform.warehouse.Warehouse`. Idempotent;
    safe to call on every refresh. Returns ``{role: "login" | "nologin" | "unchanged"}``.
    """
    with warehouse.engine.begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})
        states = {role.name: _ensure_role(conn, role) for role in ROLES}
        _ensure_schemas_and_grants(conn)
    return states


def _ensure_role(conn: sa.Connection, role: TierRole) -> str:
    password = os.environ.get(role.password_env) or None
    exists = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                          {"r": role.name}).scalar()
    if not exists:
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(f"CREATE ROLE {_ident(role.name)} NOLOGIN")
        except sa.exc.ProgrammingError as exc:
            # another database of the same server created it a moment ago (roles are global)
            if "already exists" not in str(exc):
                raise
    if password is None:
        return "nologin" if not exists else "unchanged"
    verifier = _scram_verifier(conn, role.name, password)
    conn.exec_driver_sql(f"ALTER ROLE {_ident(role.name)} WITH LOGIN PASSWORD "
                         f"'{verifier}'")
    return "login"


def _scram_verifier(conn: sa.Connection, role: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier libpq computes client-side (PQencryptPasswordConn)."""
    pgconn = conn.connection.driver_connection.pgconn
    verifier = pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256")
    text = verifier.decode()
    if "'" in text:  # a verifier is base64 and '$'/':' only; never quote-breaking
        raise ValueError("unexpected character in SCRAM verifier")
    return text


def _ensure_schemas_and_grants(conn: sa.Connection) -> None:
    superuser = conn.execute(sa.text(
        "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()
    for schema in TIER_SCHEMAS:
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {_ident(schema)}")
        # nobody but the named roles: PUBLIC never gets into a tier by accident
        conn.exec_driver_sql(f"REVOKE ALL ON SCHEMA {_ident(schema)} FROM PUBLIC")
    for role in ROLES:
        r = _ident(role.name)
        if not superuser:
            # the owner reads the open tier *as* the open reader when publishing (SET ROLE)
            conn.exec_driver_sql(f"GRANT {r} TO CURRENT_USER")
        for schema in TIER_SCHEMAS:
            s = _ident(schema)
            if schema in role.schemas:
                conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {s} TO {r}")
                conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {r}")
                conn.exec_driver_sql(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} "
                                     f"GRANT SELECT ON TABLES TO {r}")
            else:
                # take back anything granted by hand: the boundary is what this code says
                conn.exec_driver_sql(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} "
                                     f"REVOKE ALL ON TABLES FROM {r}")
                conn.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}")
                conn.exec_driver_sql(f"REVOKE ALL ON SCHEMA {s} FROM {r}")


def readers_of(schema: str) -> list[str]:
    """The roles that read the tables of ``schema``."""
    return [role.name for role in ROLES if schema in role.schemas]


def hide_from_readers(conn: sa.Connection, schema: str, table: str) -> None:
    """A version under audit is nobody's to read (default privileges gave it to the tier's
    readers when it was created)."""
    for role in readers_of(schema):
        conn.exec_driver_sql(f"REVOKE ALL ON {_ident(schema)}.{_ident(table)} "
                             f"FROM {_ident(role)}")


def show_to_readers(conn: sa.Connection, schema: str, table: str) -> None:
    """The published version is readable by the tier's readers, as default privileges say."""
    for role in readers_of(schema):
        conn.exec_driver_sql(f"GRANT SELECT ON {_ident(schema)}.{_ident(table)} "
                             f"TO {_ident(role)}")
