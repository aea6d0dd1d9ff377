"""``smartchange``: set up, refresh, serve and curate the platform from one command.

    smartchange up                  start (or reuse) Postgres, create the databases, print URLs
    smartchange refresh             materialise every asset (all partitions) and run every check
    smartchange ui [--port 3000]    Dagster webserver + daemon, supervised (--dev: dagster dev)
    smartchange land SOURCE FILE    put a hand-downloaded file into the landing archive
    smartchange reject SHA --reason TEXT   take a payload out of use (it stays archived)
    smartchange db-url              print the warehouse's SQLAlchemy URL
    smartchange env                 print `export` lines for running plain `dagster` commands
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from smartchange_assets.platform import settings


def project_dir() -> Path:
    """The folder holding dagster.yaml and workspace.yaml (the cwd or one of its parents)."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "dagster.yaml").exists() and (folder / "workspace.yaml").exists():
            return folder
    raise SystemExit("smartchange: run this inside the project folder (the one holding "
                     "dagster.yaml and workspace.yaml)")


def prepare_environment() -> settings.DatabaseUrls:
    """Start/reuse Postgres, create databases and platform tables, export the variables."""
    from smartchange_assets.platform import embedded
    from smartchange_assets.platform.warehouse import Warehouse

    os.environ.setdefault("SMARTCHANGE_HOME", str(project_dir() / ".smartchange"))
    # A run over a partition range records one materialisation per partition. Dagster writes
    # them one by one unless told to batch them, and plans the run per partition unless told
    # to plan the range at once: with a new connection and a commit each, a refresh over all
    # months would spend minutes in the event log (measured: 225 partitions 19.8 s -> 2.3 s).
    # Trade-off (Dagster's): partitions of a failed single run are not marked failed.
    os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", "1000")
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")
    urls = embedded.ensure_databases()
    embedded.export_environment(urls)
    home = settings.home()
    os.environ["DAGSTER_HOME"] = str(project_dir())
    os.environ["SMARTCHANGE_DAGSTER_STORAGE"] = str(home / "dagster" / "storage")
    os.environ["SMARTCHANGE_COMPUTE_LOGS"] = str(home / "dagster" / "logs")
    wh = Warehouse(urls.warehouse)
    wh.ensure_platform_tables()
    from smartchange_assets.tiers.roles import ensure_roles

    ensure_roles(wh)  # open reader / analyst roles and default privileges, idempotent
    wh.dispose()
    return urls


def cmd_up(args) -> int:
    urls = prepare_environment()
    where = settings.external_server_url() and "external server" or \
        f"embedded server, data in {settings.home() / 'pgdata'}"
    print(f"PostgreSQL ready ({where})")
    print(f"  dagster storage: {_hide(urls.dagster)}")
    print(f"  warehouse:       {_hide(urls.warehouse)}")
    return 0


def cmd_env(args) -> int:
    prepare_environment()
    for name in ("DAGSTER_HOME", "SMARTCHANGE_HOME", "SMARTCHANGE_DAGSTER_PG_URL",
                 "SMARTCHANGE_WAREHOUSE_URL", "SMARTCHANGE_DAGSTER_STORAGE",
                 "SMARTCHANGE_COMPUTE_LOGS"):
        print(f"export {name}='{os.environ[name]}'")
    return 0


def cmd_db_url(args) -> int:
    print(prepare_environment().warehouse)
    return 0


def warehouse_url() -> str:
    """The warehouse to use for commands that need nothing else: ``SMARTCHANGE_WAREHOUSE_URL``
    when set (e.g. a deployment's), else the one ``smartchange up`` prepares."""
    return os.environ.get("SMARTCHANGE_WAREHOUSE_URL") or prepare_environment().warehouse


def files_to_land(paths: list[str]) -> list[Path]:
    """The files named, and every file below a folder named (sorted; hidden ones skipped)."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file()
                            and not any(part.startswith(".") for part in
                                        p.relative_to(path).parts))
        elif path.is_file():
            files.append(path)
        else:
            raise SystemExit(f"smartchange land: no such file or folder {path}")
    if not files:
        raise SystemExit("smartchange land: nothing to land in " + ", ".join(paths))
    return files


def cmd_land(args) -> int:
    from tqdm import tqdm

    from smartchange_assets.definitions import SOURCES
    from smartchange_assets.platform.landing import LandingArchive
    from smartchange_assets.platform.warehouse import Warehouse

    known = {s.source_id: s for s in SOURCES}
    if args.source not in known:
        raise SystemExit(f"smartchange land: unknown source {args.source!r}; "
                         f"known: {', '.join(sorted(known))}")
    files = files_to_land(args.files)
    if args.origin and len(files) > 1:
        raise SystemExit("smartchange land: --origin names one file's URL; land one file")
    archive = LandingArchive(Warehouse(warehouse_url()))
    new = 0
    # one process for all files; a bar on the terminal for long work, one line per file else
    bar = tqdm(files, unit="file", disable=len(files) < 2 or not sys.stderr.isatty(),
               desc=f"landing {args.source}")
    for path in bar:
        landed = archive.land_file(
            args.source, path, origin=args.origin or f"file://{path.resolve()}",
            landed_by="manual",
            fetched_at=dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC),
            content_type=args.content_type,
            period_start=_date(args.period_start), period_end=_date(args.period_end))
        new += landed.new_manifest_row
        if bar.disable:
            state = "landed" if landed.new_manifest_row else "already in the archive"
            print(f"{args.source}: {path.name} {state} as sha256 {landed.sha256}")
    if len(files) > 1:
        print(f"{args.source}: {new} of {len(files)} file(s) newly landed")
    return 0


def cmd_archive_migrate(args) -> int:
    from tqdm import tqdm

    from smartchange_assets.platform.landing import LandingArchive
    from smartchange_assets.platform.warehouse import Warehouse

    wh = Warehouse(warehouse_url())
    archive = LandingArchive(wh)
    if not wh.has_bytea_archive():
        print(f"the archive already keeps its bytes in {archive.store!r}: nothing to migrate")
        return 0
    total = int(wh.scalar("SELECT count(*) FROM raw.landing_payload WHERE content IS NOT NULL"))
    with tqdm(total=total, unit="payload", disable=not sys.stderr.isatty()) as bar:
        moved = archive.migrate_bytea(progress=lambda sha: bar.update())
    print(f"moved {len(moved)} payload(s) into {archive.store!r}, every hash verified; "
          "raw.landing_payload keeps the manifest only")
    return 0


def cmd_reject(args) -> int:
    from smartchange_assets.platform.landing import LandingArchive
    from smartchange_assets.platform.warehouse import Warehouse

    try:
        rejected = LandingArchive(Warehouse(warehouse_url())).reject(args.sha256, args.reason)
    except (LookupError, ValueError) as exc:
        raise SystemExit(f"smartchange reject: {exc}") from exc
    for source, sha in rejected:
        print(f"{source}: {sha} rejected ({args.reason}); it stays in the archive")
    return 0


def cmd_refresh(args) -> int:
    prepare_environment()
    import dagster as dg

    from smartchange_assets.definitions import defs
    from smartchange_assets.refresh import (
        STEP_TAG,
        downstream_of,
        executor_config,
        plan_refresh,
        reconstructable_step,
        stopped_assets,
    )

    instance = dg.DagsterInstance.get()
    started = time.monotonic()
    printer = _ProgressPrinter(instance, started)
    # Dagster's console logger would print every event; we print our own progress lines
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    ok, blocked, run_ids = True, set(), []
    # one run per partitions definition, each over all of its partitions (refresh.py)
    for planned in plan_refresh(defs):
        step = planned.without(blocked)
        for key in sorted(set(planned.keys) - set(step.keys)):
            printer.skipped(key.to_user_string())
        if not step.keys:
            continue
        marker = str(uuid.uuid4())
        tags = {**step.tags(), STEP_TAG: marker}
        outcome: dict = {}

        def run(step=step, tags=tags, outcome=outcome) -> None:
            try:
                if args.executor == "in_process":
                    outcome["result"] = step.job(defs).execute_in_process(
                        instance=instance, run_config=quiet, raise_on_error=False, tags=tags)
                else:  # one process per Dagster step, each rebuilding the step's job
                    outcome["result"] = dg.execute_job(
                        reconstructable_step(step), instance, raise_on_error=False, tags=tags,
                        run_config={**quiet, **executor_config(args.executor,
                                                               args.max_concurrent)})
            except BaseException as exc:  # reported below, never swallowed
                outcome["error"] = exc

        worker = threading.Thread(target=run, name="refresh")
        worker.start()
        printer.follow(STEP_TAG, marker)
        while worker.is_alive():
            worker.join(0.5)
            printer.poll()
        printer.poll()
        if "error" in outcome:
            print(f"refresh crashed: {outcome['error']!r}", file=sys.stderr)
            return 2
        result = outcome["result"]
        run_ids.append(result.run_id)
        ok = ok and result.success
        # what failed here stops everything downstream of it in the later runs too
        blocked |= downstream_of(defs, stopped_assets(result, step))
    ok = ok and not printer.failed_checks
    summary = (f"refresh {'succeeded' if ok else 'FAILED'} in {time.monotonic() - started:.1f} s"
               f" — {printer.materialized} assets materialised, {printer.passed_checks} checks "
               f"passed, {len(printer.failed_checks)} failed, {len(printer.warnings)} "
               f"warned, {len(printer.failed_steps)} "
               f"steps failed; run{'s' if len(run_ids) > 1 else ''} {', '.join(run_ids)}")
    print(summary)
    for line in printer.failed_checks + printer.failed_steps:
        print(f"  ✗ {line}", file=sys.stderr)
    for line in printer.warnings:  # severity WARN: worth a look, not a failed refresh
        print(f"  ! {line}", file=sys.stderr)
    return 0 if ok else 1


class _ProgressPrinter:
    """Prints one line per asset, check and failure as the runs' events arrive (an asset
    materialised over a partition range is one line, naming how many partitions)."""

    def __init__(self, instance, started: float):
        self.instance, self.started = instance, started
        self.tag: tuple[str, str] | None = None
        self.run_id: str | None = None
        self.seen = 0
        self.step_started: dict[str, float] = {}
        self.printed: set[tuple[str, str]] = set()
        self.materialized = self.passed_checks = 0
        self.failed_checks: list[str] = []
        self.warnings: list[str] = []
        self.failed_steps: list[str] = []

    def follow(self, tag: str, value: str) -> None:
        """Print the run tagged ``tag=value`` once it is stored (Dagster names its id)."""
        self.tag, self.run_id, self.seen, self.step_started = (tag, value), None, 0, {}

    def skipped(self, key: str) -> None:
        print(f"  - {key} skipped (an upstream failed or a blocking check failed in an "
              "earlier run)", flush=True)

    def poll(self) -> None:
        if self.run_id is None:
            import dagster as dg

            runs = self.instance.get_runs(filters=dg.RunsFilter(tags=dict([self.tag])), limit=1)
            if not runs:  # not stored yet: try again on the next poll
                return
            self.run_id = runs[0].run_id
        logs = self.instance.all_logs(self.run_id)
        for entry in logs[self.seen:]:
            self._print(entry)
        self.seen = len(logs)

    def _print(self, entry) -> None:
        event = entry.dagster_event
        if event is None:
            return
        kind, step = event.event_type_value, event.step_key
        if kind == "STEP_START":
            self.step_started[step] = entry.timestamp
        elif kind == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization
            name = mat.asset_key.to_user_string()
            if (self.run_id, name) in self.printed:  # the same load, another partition
                return
            self.printed.add((self.run_id, name))
            rows = mat.metadata.get("rows_loaded") or mat.metadata.get("dagster/row_count")
            partitions = mat.metadata.get("partitions")
            seconds = entry.timestamp - self.step_started.get(step, entry.timestamp)
            rows_text = f"{rows.value:>9,} rows" if rows is not None else " " * 14
            where = f"  {partitions.value}" if partitions is not None else ""
            print(f"  ✓ {name:45s} {rows_text}  {seconds:6.1f} s{where}", flush=True)
            self.materialized += 1
        elif kind == "ASSET_CHECK_EVALUATION":
            ev = event.event_specific_data
            name = f"{ev.asset_key.to_user_string()}:{ev.check_name}"
            if ev.passed:
                self.passed_checks += 1
                print(f"    check {name} passed", flush=True)
            elif ev.severity.value == "WARN":  # e.g. a published total flagged as suspect
                self.warnings.append(f"check {name}: {ev.description}")
                print(f"    check {name} warns: {ev.description}", flush=True)
            else:
                self.failed_checks.append(f"check {name}: {ev.description}")
                print(f"    check {name} FAILED: {ev.description}", flush=True)
        elif kind == "STEP_FAILURE":
            error = event.event_specific_data.error
            message = error.message.strip().splitlines()[0] if error else "failed"
            self.failed_steps.append(f"step {step}: {message}")
            print(f"  ✗ step {step} failed: {message}", flush=True)
        elif kind == "STEP_SKIPPED":
            print(f"  - step {step} skipped (an upstream failed or a blocking check failed)",
                  flush=True)


def cmd_ui(args) -> int:
    """The webserver and the daemon as two supervised processes with production settings
    (:mod:`smartchange_assets.serve`); ``--dev`` runs ``dagster dev`` instead."""
    prepare_environment()
    workspace = project_dir() / "workspace.yaml"
    url = f"http://{args.host}:{args.port}"
    if args.dev:
        command = [sys.executable, "-m", "dagster", "dev", "-w", str(workspace), "-h",
                   args.host, "-p", str(args.port)]
        print(f"Dagster UI on {url} (dagster dev: development server and daemon)", flush=True)
        return subprocess.call(command, cwd=project_dir())
    from smartchange_assets.serve import Supervisor, production_programs

    print(f"Dagster UI on {url} (webserver and daemon supervised: schedules and sensors "
          "are live; Ctrl-C stops both)", flush=True)
    programs = production_programs(workspace, args.host, args.port)
    return Supervisor(programs, dict(os.environ), project_dir(),
                      say=lambda line: print(f"smartchange ui: {line}", flush=True)).run()


def _date(value: str | None):
    return dt.date.fromisoformat(value) if value else None


def _hide(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="smartchange", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start/reuse Postgres and create the databases").set_defaults(
        func=cmd_up)
    refresh = sub.add_parser("refresh", help="materialise everything and run every check")
    # in_process is the default: measured faster on 2 cores (README, "Executors")
    refresh.add_argument("--executor", choices=("in_process", "multiprocess"),
                         default="in_process", help="Dagster executor of the refresh runs")
    refresh.add_argument("--max-concurrent", type=int, default=0,
                         help="multiprocess: steps at once (default 0: one per CPU)")
    refresh.set_defaults(func=cmd_refresh)
    ui = sub.add_parser("ui", help="serve the Dagster UI and daemon (two supervised processes)")
    ui.add_argument("--port", type=int, default=int(os.environ.get("SMARTCHANGE_UI_PORT", 3000)))
    ui.add_argument("--host", default="127.0.0.1",
                    help="address the webserver listens on (default 127.0.0.1)")
    ui.add_argument("--dev", action="store_true",
                    help="run `dagster dev` (development server) instead")
    ui.set_defaults(func=cmd_ui)
    land = sub.add_parser("land", help="land hand-downloaded files (or every file of a folder) "
                                       "as payloads of SOURCE, in one process")
    land.add_argument("source", help="source id, e.g. jakarta/ispu")
    land.add_argument("files", nargs="+", metavar="FILE_OR_FOLDER")
    land.add_argument("--origin", help="URL it was downloaded from (default: file:// path)")
    land.add_argument("--content-type", default=None)
    land.add_argument("--period-start", help="first day the file covers (YYYY-MM-DD)")
    land.add_argument("--period-end", help="last day the file covers (YYYY-MM-DD)")
    land.set_defaults(func=cmd_land)
    archive = sub.add_parser("archive", help="the landing archive's blob store")
    archive_sub = archive.add_subparsers(dest="archive_command", required=True)
    archive_sub.add_parser("migrate", help="move payload bytes kept in the warehouse (bytea) "
                                           "into the blob store, verifying every hash") \
        .set_defaults(func=cmd_archive_migrate)
    reject = sub.add_parser("reject", help="take a payload out of use (it stays archived)")
    reject.add_argument("sha256", help="the payload's SHA-256 (or a unique prefix, 8+ digits)")
    reject.add_argument("--reason", required=True)
    reject.set_defaults(func=cmd_reject)
    sub.add_parser("db-url", help="print the warehouse's SQLAlchemy URL").set_defaults(
        func=cmd_db_url)
    sub.add_parser("env", help="print export lines for plain dagster commands").set_defaults(
        func=cmd_env)
    args = parser.parse_args(argv)
    restore_interrupts()
    return args.func(args)


def restore_interrupts() -> None:
    """Undo ignored SIGINT / SIGTERM inherited from whoever started us (a background job of a
    non-interactive shell ignores SIGINT; a parent that ran Dagster with SIGINT ignored ignores
    SIGTERM too). Dagster copies SIGINT's handler to SIGTERM around every run, and the
    ``tail -F`` processes a run starts to mirror its compute logs inherit an ignored SIGTERM:
    they then survive Dagster's terminate() and the CLI's exit, holding its stdout open."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


if __name__ == "__main__":
    sys.exit(main())
