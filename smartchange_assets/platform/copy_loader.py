"""Bulk-load pandas DataFrames into existing Postgres tables with ``COPY … FROM STDIN``.

How it works
------------
The frame is cut into row chunks. Each chunk is converted to Arrow
(:func:`pyarrow.Table.from_pandas`, zero-copy for numeric and pandas-3 ``str`` columns) and
serialised by Arrow's C++ CSV writer, which releases the GIL. A background thread produces
the CSV chunks while the calling thread streams the previous chunk into a single
``COPY <table> (<columns>) FROM STDIN (FORMAT csv, ENCODING 'UTF8')``, so client-side
serialisation overlaps with server-side parsing. At most ``queue_depth + 2`` chunks are in
memory at any time, whatever the size of the frame.

CSV rules relied upon (Postgres ``FORMAT csv`` with default NULL = unquoted empty field):

* missing values (``None``, ``pd.NA``, ``NaN``, ``NaT``) are written as an unquoted empty
  field → ``NULL``; Arrow's ``from_pandas`` turns float ``NaN`` into null,
* every string value is double-quoted (Arrow ``quoting_style="needed"``), so ``''`` stays
  an empty string, and commas, quotes (doubled), newlines, carriage returns, backslashes and
  literal ``NULL`` / ``\\N`` text survive unchanged; all text is UTF-8 and the ``COPY`` says
  so, whatever the session's ``client_encoding``,
* timezone-aware datetimes are re-labelled as UTC (a metadata-only change in Arrow) and
  written as ISO 8601 with a ``Z`` offset, so they are exact for ``timestamptz``; naive
  datetimes are written without an offset (right for ``timestamp``; for a ``timestamptz``
  column Postgres reads them in the session ``TimeZone``),
* floats are written in shortest round-trip form (``inf``/``-inf`` included), so a float8
  column reads back bit-identical,
* booleans as ``true``/``false``, dates as ``YYYY-MM-DD``, nullable ``Int64``/``boolean``
  with their nulls.

Transactions: the load is one ``COPY`` statement run on the caller's connection, inside the
caller's transaction; nothing here commits. If the ``COPY`` fails (a constraint, a bad value,
an exception while serialising), the exception propagates and the statement leaves no rows;
the caller rolls back as usual.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing
from typing import Any

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
from psycopg import sql

__all__ = ["DEFAULT_CHUNK_ROWS", "copy_frame", "copy_frame_sqlalchemy"]

#: Rows serialised per chunk. ~100k rows of an 8-column frame is roughly 10-15 MB of CSV.
DEFAULT_CHUNK_ROWS = 100_000

#: CSV chunks that may wait between the serialising thread and the COPY stream.
DEFAULT_QUEUE_DEPTH = 2

#: Rows per record batch inside Arrow's CSV writer (its default of 1024 is a little slower).
_ARROW_BATCH_ROWS = 16_384

_WRITE_OPTIONS = pa_csv.WriteOptions(
    include_header=False, batch_size=_ARROW_BATCH_ROWS, delimiter=",", quoting_style="needed"
)

_SENTINEL_DONE = object()


def copy_frame(
    conn: psycopg.Connection,
    table: str | sql.Composable,
    df: pd.DataFrame,
    columns: list[str] | None = None,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    queue_depth: int = DEFAULT_QUEUE_DEPTH,
) -> int:
    """COPY ``df`` into the existing table ``table`` on ``conn``; return the rows loaded.

    ``table`` is ``"name"``, ``"schema.name"`` or ``"db.schema.name"`` (each part is quoted as
    an identifier, so it is taken literally and case-sensitively, e.g. ``"Raw.AirData"`` is
    ``"Raw"."AirData"``); a :class:`psycopg.sql.Composable` is used as given, for names that
    contain dots. ``columns`` selects and orders the frame's columns, which must also be the
    table's column names; by default all the frame's columns are loaded. Table columns that
    are not listed get their defaults.

    Runs inside the caller's transaction and never commits. Raises what Postgres raises
    (e.g. :class:`psycopg.errors.NotNullViolation`) and leaves no rows from this call.
    """
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be >= 1, got {chunk_rows}")
    cols = _resolve_columns(df, columns)
    if not cols:
        if len(df):
            raise ValueError("copy_frame: a frame with rows but no columns cannot be loaded")
        return 0

    statement = sql.SQL("COPY {table} ({columns}) FROM STDIN (FORMAT csv, ENCODING 'UTF8')").format(
        table=_table_identifier(table),
        columns=sql.SQL(", ").join(sql.Identifier(c) for c in cols),
    )
    frame = df[cols]

    with conn.cursor() as cur:
        with cur.copy(statement) as copy:
            if len(frame):
                with closing(_csv_chunks_in_background(frame, chunk_rows, queue_depth)) as bufs:
                    for buf in bufs:
                        copy.write(buf)
        loaded = cur.rowcount
    return loaded if loaded is not None and loaded >= 0 else len(frame)


def copy_frame_sqlalchemy(
    sa_connection: Any,
    table: str | sql.Composable,
    df: pd.DataFrame,
    columns: list[str] | None = None,
    **kwargs: Any,
) -> int:
    """:func:`copy_frame` on a SQLAlchemy ``Connection`` using the psycopg 3 driver.

    The engine URL must name the driver (``postgresql+psycopg://…``). If the SQLAlchemy
    connection has no transaction yet, one is begun (as any ``execute`` would autobegin), so
    the rows are committed by the caller's ``commit()`` / ``engine.begin()`` block, together
    with anything else done on the connection (e.g. a table swap), and rolled back with it.
    """
    if not sa_connection.in_transaction():
        sa_connection.begin()
    raw = sa_connection.connection.driver_connection
    if not isinstance(raw, psycopg.Connection):
        raise TypeError(
            "copy_frame_sqlalchemy needs a psycopg 3 connection (postgresql+psycopg:// URL); "
            f"got {type(raw).__module__}.{type(raw).__qualname__}"
        )
    return copy_frame(raw, table, df, columns, **kwargs)


# --------------------------------------------------------------------------------------------
# helpers


def _resolve_columns(df: pd.DataFrame, columns: Sequence[str] | None) -> list[str]:
    cols = list(df.columns) if columns is None else list(columns)
    bad = [c for c in cols if not isinstance(c, str)]
    if bad:
        raise TypeError(f"copy_frame: column names must be str, got {bad!r}")
    dupes = sorted({c for c in cols if cols.count(c) > 1})
    if dupes or not df.columns.is_unique:
        raise ValueError(f"copy_frame: duplicate column names {dupes or list(df.columns)!r}")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise KeyError(f"copy_frame: columns not in the frame: {missing!r}")
    return cols


def _table_identifier(table: str | sql.Composable) -> sql.Composable:
    if isinstance(table, sql.Composable):
        return table
    if not isinstance(table, str) or not table:
        raise ValueError(f"copy_frame: bad table name {table!r}")
    parts = table.split(".")
    if len(parts) > 3 or not all(parts):
        raise ValueError(
            f"copy_frame: bad table name {table!r}; pass a psycopg.sql.Identifier for names "
            "containing dots"
        )
    return sql.Identifier(*parts)


def _to_arrow(chunk: pd.DataFrame) -> pa.Table:
    """One chunk as an Arrow table whose CSV rendering Postgres reads back exactly."""
    tbl = pa.Table.from_pandas(chunk, preserve_index=False)
    fields = []
    changed = False
    for field in tbl.schema:
        t = field.type
        if pa.types.is_dictionary(t):  # pandas Categorical
            t = t.value_type
        if pa.types.is_timestamp(t) and t.tz is not None and t.tz != "UTC":
            # Same instants, labelled UTC: written with 'Z' instead of a per-row local offset
            # (cheaper, and exact even for historical sub-minute offsets such as LMT).
            t = pa.timestamp(t.unit, tz="UTC")
        changed |= t != field.type
        fields.append(pa.field(field.name, t))
    if changed:
        tbl = tbl.cast(pa.schema(fields))
    return tbl


def _serialise(chunk: pd.DataFrame) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(_to_arrow(chunk), sink, _WRITE_OPTIONS)
    return sink.getvalue()


def _csv_chunks_in_background(
    frame: pd.DataFrame, chunk_rows: int, queue_depth: int
) -> Iterator[memoryview]:
    """Yield CSV chunks of ``frame``, produced by a worker thread ``queue_depth`` ahead."""
    q: queue.Queue[Any] = queue.Queue(maxsize=max(1, queue_depth))
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for start in range(0, len(frame), chunk_rows):
                if not put(_serialise(frame.iloc[start : start + chunk_rows])):
                    return
            put(_SENTINEL_DONE)
        except BaseException as exc:  # handed to the consumer, re-raised there
            put(exc)

    worker = threading.Thread(target=produce, name="copy_frame-serialiser", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is _SENTINEL_DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield memoryview(item)
    finally:
        stop.set()
        worker.join()
