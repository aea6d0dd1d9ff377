"""The build history in schema ``ops``: what each build of the warehouse held, and what changed.

A **build** is one materialisation of ``marts/build_diff`` (after every table: last in a
refresh). It records, per published table, its row count and a fingerprint, the rows added and
removed since the previous build, the rows per landed payload (tables with a
``payload_sha256`` column), and per indicator row (``marts.city_indicators``,
``marts.district_scorecard``) its value and NULL reason. The newest
``SMARTCHANGE_BUILD_HISTORY`` builds are kept (default 10).

How rows are compared, in Postgres (no table is read into Python):

* a row's hash is the first 64 bits of ``md5`` of the row's text without its provenance
  columns (``payload_sha256``, ``payload_sha256s``): the same values from a re-landed or
  re-published payload are the same row; a changed value is one row removed and one added;
* the fingerprint is ``md5(count, sum, xor)`` of the row hashes (order does not matter);
* rows added and removed are the multiset difference of the row hashes against the previous
  build's, kept in ``ops.build_rows`` for the newest build only, and computed only for tables
  whose fingerprint changed.

Each table is read in a short transaction of its own (its published version at that moment:
a writer swapping it in waits at most that long), and everything is recorded in one
transaction at the end; one build at a time (an advisory lock).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import sqlalchemy as sa

HISTORY_ENV = "SMARTCHANGE_BUILD_HISTORY"
DEFAULT_HISTORY = 10
PROVENANCE = ("payload_sha256", "payload_sha256s")
_LOCK = 4242011

_DDL = """
CREATE SCHEMA IF NOT EXISTS ops;
CREATE TABLE IF NOT EXISTS ops.build (
  build_id bigserial PRIMARY KEY,
  run_id text NOT NULL,
  built_at timestamptz NOT NULL DEFAULT now(),
  previous_build bigint
);
CREATE TABLE IF NOT EXISTS ops.build_table (
  build_id bigint NOT NULL REFERENCES ops.build ON DELETE CASCADE,
  table_label text NOT NULL,
  present boolean NOT NULL,
  row_count bigint,
  fingerprint text,
  rows_before bigint,
  rows_added bigint,
  rows_removed bigint,
  PRIMARY KEY (build_id, table_label)
);
CREATE TABLE IF NOT EXISTS ops.build_payload_rows (
  build_id bigint NOT NULL REFERENCES ops.build ON DELETE CASCADE,
  table_label text NOT NULL,
  payload_sha256 text NOT NULL,
  row_count bigint NOT NULL,
  PRIMARY KEY (build_id, table_label, payload_sha256)
);
CREATE TABLE IF NOT EXISTS ops.build_indicator (
  build_id bigint NOT NULL REFERENCES ops.build ON DELETE CASCADE,
  table_label text NOT NULL,
  row_key text NOT NULL,
  value double precision,
  null_reason text,
  PRIMARY KEY (build_id, table_label, row_key)
);
-- the row hashes of the newest build, what the next one is compared with
CREATE TABLE IF NOT EXISTS ops.build_rows (
  table_label text NOT NULL,
  row_hash bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS build_rows_table_idx ON ops.build_rows (table_label);
"""

_TEMP = """
CREATE TEMP TABLE IF NOT EXISTS build_next_payload (table_label text, payload_sha256 text,
  row_count bigint);
CREATE TEMP TABLE IF NOT EXISTS build_next_indicator (table_label text, row_key text,
  value double precision, null_reason text);
TRUNCATE build_next_payload, build_next_indicator;
"""


def _next_rows(position: int) -> str:
    """The session's temp table of the row hashes of the ``position``-th table snapshotted:
    one table each, without an index (nothing filters it), so writing millions of hashes is
    one bulk insert and comparing them one scan."""
    return f"build_next_rows_{position}"


@dataclass(frozen=True)
class IndicatorTable:
    """A table with one indicator value per row: ``value``, ``null_reason``, a key."""

    label: str
    key: tuple[str, ...]


@dataclass
class TableState:
    label: str
    present: bool
    rows: int | None = None
    fingerprint: str | None = None
    before: int | None = None  # rows in the previous build (None: first build, or absent)
    added: int | None = None  # None: nothing to compare with (first build)
    removed: int | None = None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


@dataclass(frozen=True)
class Build:
    build_id: int
    previous: int | None
    tables: list[TableState]


def history_kept() -> int:
    value = int(os.environ.get(HISTORY_ENV, str(DEFAULT_HISTORY)))
    if value < 2:
        raise ValueError(f"{HISTORY_ENV} must keep at least 2 builds (one to compare with)")
    return value


def ensure_history_tables(wh) -> None:
    with wh.engine.begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(4242001)"))
        conn.exec_driver_sql(_DDL)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def record_build(wh, run_id: str, tables: list[str], indicators: list[IndicatorTable],
                 keep: int | None = None) -> Build:
    """Snapshot ``tables`` (``schema.table`` names of published tables) and record the build."""
    keep = history_kept() if keep is None else keep
    ensure_history_tables(wh)
    by_label = {t.label: t for t in indicators}
    with wh.engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK})
        conn.commit()
        try:
            conn.exec_driver_sql(_TEMP)
            conn.commit()
            previous = conn.execute(sa.text("SELECT max(build_id) FROM ops.build")).scalar()
            before = {r.table_label: r for r in conn.execute(sa.text(
                "SELECT table_label, present, row_count, fingerprint FROM ops.build_table"
                " WHERE build_id = :b"), {"b": previous})}
            states = [_snapshot(conn, label, by_label.get(label), _next_rows(i))
                      for i, label in enumerate(tables)]
            for i, state in enumerate(states):
                _compare(conn, state, before.get(state.label), previous, _next_rows(i))
            build_id = _store(conn, run_id, previous, states, keep)
            conn.commit()
        finally:
            conn.rollback()
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK})
            conn.exec_driver_sql("DISCARD TEMP")  # the hashes: not kept in a pooled session
            conn.commit()
    return Build(build_id, previous, states)


def _snapshot(conn: sa.Connection, label: str, indicator: IndicatorTable | None,
              next_rows: str) -> TableState:
    """Hash the published table's rows into the session's temp tables; one statement, one
    snapshot, committed at once (the table's read lock is held only that long)."""
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {next_rows}; "
                         f"CREATE TEMP TABLE {next_rows} (row_hash bigint)")
    conn.commit()
    schema, name = label.split(".", 1)
    qualified = f"{_quote(schema)}.{_quote(name)}"
    exists = conn.execute(sa.text("SELECT to_regclass(:q) IS NOT NULL"), {"q": qualified}).scalar()
    if not exists:
        conn.commit()
        return TableState(label, present=False)
    columns = conn.execute(sa.text(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = :s"
        " AND table_name = :t ORDER BY ordinal_position"), {"s": schema, "t": name}).scalars().all()
    content = [c for c in columns if c not in PROVENANCE]
    row_text = "ROW(" + ", ".join(f"t.{_quote(c)}" for c in content) + ")::text"
    select = [f"('x' || left(md5({row_text}), 16))::bit(64)::bigint AS row_hash"]
    writes = [f"next_rows AS (INSERT INTO {next_rows} SELECT row_hash FROM src)"]
    if "payload_sha256" in columns:
        select.append('t."payload_sha256" AS payload_sha256')
        writes.append("next_payload AS (INSERT INTO build_next_payload SELECT :label,"
                      " payload_sha256, count(*) FROM src WHERE payload_sha256 IS NOT NULL"
                      " GROUP BY payload_sha256)")
    if indicator is not None:
        key = ", ".join(f"t.{_quote(k)}::text" for k in indicator.key)
        select.append(f"concat_ws('|', {key}) AS row_key, t.\"value\"::double precision AS value,"
                      ' t."null_reason" AS null_reason')
        writes.append("next_indicator AS (INSERT INTO build_next_indicator SELECT :label,"
                      " row_key, value, null_reason FROM src)")
    row = conn.execute(sa.text(
        f"WITH src AS MATERIALIZED (SELECT {', '.join(select)} FROM {qualified} t), "
        + ", ".join(writes) +
        " SELECT count(*) AS n, md5(count(*)::text || ':' || coalesce(sum(row_hash::numeric), 0)"
        "::text || ':' || coalesce(bit_xor(row_hash), 0)::text) AS fingerprint FROM src"),
        {"label": label}).one()
    conn.commit()
    return TableState(label, present=True, rows=int(row.n), fingerprint=row.fingerprint)


def _compare(conn: sa.Connection, state: TableState, old, previous: int | None,
             next_rows: str) -> None:
    if previous is None:
        return  # the first build: nothing to compare with
    was_present = old is not None and old.present
    state.before = int(old.row_count) if was_present else None
    if not state.present:
        state.added, state.removed = 0, state.before or 0
    elif not was_present:
        state.added, state.removed = state.rows, 0
    elif state.fingerprint == old.fingerprint:
        state.added = state.removed = 0
    else:
        diff = conn.execute(sa.text(
            f"WITH n AS (SELECT row_hash, count(*) AS c FROM {next_rows} GROUP BY row_hash),"
            " o AS (SELECT row_hash, count(*) AS c FROM ops.build_rows"
            "   WHERE table_label = :l GROUP BY row_hash)"
            " SELECT coalesce(sum(greatest(coalesce(n.c, 0) - coalesce(o.c, 0), 0)), 0) AS added,"
            " coalesce(sum(greatest(coalesce(o.c, 0) - coalesce(n.c, 0), 0)), 0) AS removed"
            " FROM n FULL JOIN o USING (row_hash)"), {"l": state.label}).one()
        state.added, state.removed = int(diff.added), int(diff.removed)
    conn.commit()


def _store(conn: sa.Connection, run_id: str, previous: int | None, states: list[TableState],
           keep: int) -> int:
    """Everything in one transaction (the caller commits)."""
    build_id = conn.execute(sa.text(
        "INSERT INTO ops.build (run_id, previous_build) VALUES (:r, :p) RETURNING build_id"),
        {"r": run_id, "p": previous}).scalar()
    conn.execute(sa.text(
        "INSERT INTO ops.build_table (build_id, table_label, present, row_count, fingerprint,"
        " rows_before, rows_added, rows_removed) VALUES (:b, :label, :present, :rows, :fp,"
        " :before, :added, :removed)"),
        [{"b": build_id, "label": s.label, "present": s.present, "rows": s.rows,
          "fp": s.fingerprint, "before": s.before, "added": s.added, "removed": s.removed}
         for s in states])
    conn.execute(sa.text(
        "INSERT INTO ops.build_payload_rows SELECT :b, table_label, payload_sha256, row_count"
        " FROM build_next_payload"), {"b": build_id})
    conn.execute(sa.text(
        "INSERT INTO ops.build_indicator SELECT :b, table_label, row_key, value, null_reason"
        " FROM build_next_indicator"), {"b": build_id})
    # the row hashes to compare the next build with: replaced where the table changed
    labels = [s.label for s in states]
    conn.execute(sa.text("DELETE FROM ops.build_rows WHERE NOT (table_label = ANY(:l))"),
                 {"l": labels})
    for i, state in enumerate(states):
        if previous is not None and state.present and not state.changed \
                and state.before is not None:
            continue
        conn.execute(sa.text("DELETE FROM ops.build_rows WHERE table_label = :l"),
                     {"l": state.label})
        if state.present:
            conn.execute(sa.text(f"INSERT INTO ops.build_rows SELECT :l, row_hash"
                                 f" FROM {_next_rows(i)}"), {"l": state.label})
    conn.execute(sa.text(
        "DELETE FROM ops.build WHERE build_id NOT IN (SELECT build_id FROM ops.build"
        " ORDER BY build_id DESC LIMIT :keep)"), {"keep": keep})
    return build_id
