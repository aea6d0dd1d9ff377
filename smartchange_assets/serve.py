"""``smartchange ui``: the Dagster webserver and daemon as two supervised processes.

Production settings, not ``dagster dev``: ``dagster-webserver`` and ``dagster-daemon run``, each
a child process in a process group of its own, both on the project's ``dagster.yaml`` and
``workspace.yaml`` (``DAGSTER_HOME`` = the project folder). The supervisor

* restarts a child that exits while it should be running, after a back-off (1 s, doubling, at
  most 30 s), and gives up – stopping the other one and exiting 1 – when a child exits
  :data:`MAX_RESTARTS` times within :data:`RESTART_WINDOW_S`;
* on SIGINT or SIGTERM stops both (SIGTERM to each process group, SIGKILL after
  :data:`STOP_GRACE_S`) and exits 0;
* ties the children's lives to its own (``PR_SET_PDEATHSIG`` on Linux): a supervisor killed
  outright takes them along.

The daemon runs the schedules, sensors (alerts, automation, landed payloads, freshness), the
run queue and backfills; the webserver serves the UI and its health endpoint ``/server_info``.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MAX_RESTARTS = 5
RESTART_WINDOW_S = 300.0
STOP_GRACE_S = 30.0
_PR_SET_PDEATHSIG = 1


def executable(name: str) -> str:
    """A console script of the interpreter running us (the venv's), else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    import shutil

    found = shutil.which(name)
    if not found:
        raise SystemExit(f"smartchange ui: {name} not found beside {sys.executable} nor on PATH")
    return found


def production_programs(workspace: Path, host: str, port: int) -> list[Program]:
    return [
        Program("webserver", [executable("dagster-webserver"), "-h", host, "-p", str(port),
                              "-w", str(workspace), "--log-level", "info"]),
        Program("daemon", [executable("dagster-daemon"), "run", "-w", str(workspace)]),
    ]


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the supervisor dies (Linux only)."""
    os.setsid()
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Program:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    exits: list[float] = field(default_factory=list)
    restart_at: float | None = None

    def start(self, env: dict[str, str], cwd: Path) -> None:
        self.process = subprocess.Popen(self.command, env=env, cwd=cwd,
                                        preexec_fn=_die_with_parent)
        self.restart_at = None

    def signal(self, sig: int) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)


class Supervisor:
    def __init__(self, programs: list[Program], env: dict[str, str], cwd: Path,
                 say: Callable[[str], None] = print, poll_s: float = 0.5):
        self.programs, self.env, self.cwd = programs, env, cwd
        self.say, self.poll_s = say, poll_s
        self.stopping = False

    def _request_stop(self, signum, frame) -> None:
        self.stopping = True

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._request_stop)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for program in self.programs:
                program.start(self.env, self.cwd)
                self.say(f"started {program.name} (pid {program.process.pid})")
            while not self.stopping:
                if not self._tend():
                    self.stop()
                    return 1
                time.sleep(self.poll_s)
            self.stop()
            return 0
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _tend(self) -> bool:
        """Restart what exited; False when a program keeps exiting."""
        now = time.monotonic()
        for program in self.programs:
            if program.restart_at is not None:
                if now >= program.restart_at:
                    program.start(self.env, self.cwd)
                    self.say(f"restarted {program.name} (pid {program.process.pid})")
                continue
            code = program.process.poll()
            if code is None:
                continue
            program.exits = [t for t in program.exits if now - t < RESTART_WINDOW_S] + [now]
            if len(program.exits) > MAX_RESTARTS:
                self.say(f"{program.name} exited {len(program.exits)} times within "
                         f"{RESTART_WINDOW_S:.0f} s (last code {code}): giving up")
                return False
            delay = min(30.0, 2.0 ** (len(program.exits) - 1))
            self.say(f"{program.name} exited with code {code}; restarting in {delay:.0f} s")
            program.restart_at = now + delay
        return True

    def stop(self) -> None:
        for program in self.programs:
            program.signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for program in self.programs:
            if program.process is None:
                continue
            try:
                program.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                program.signal(signal.SIGKILL)
                program.process.wait(timeout=10)
            self.say(f"stopped {program.name}")
