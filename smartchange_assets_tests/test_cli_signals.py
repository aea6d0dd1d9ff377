"""The CLI started as a background job (SIGINT ignored, as non-interactive shells and CI
runners start it) still lets its children be terminated: Dagster copies SIGINT's handler to
SIGTERM, and the ``tail -F`` processes that mirror compute logs inherit an ignored SIGTERM."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import signal, subprocess
signal.signal(signal.SIGINT, signal.SIG_IGN)          # what `cmd &` in a script hands us
signal.signal(signal.SIGTERM, signal.SIG_IGN)         # and a parent that ran Dagster so
{restore}
from dagster._utils.interrupts import capture_interrupts
with capture_interrupts():                            # a run, as Dagster executes it
    pass
child = subprocess.run(["grep", "SigIgn", "/proc/self/status"], capture_output=True,
                       text=True).stdout.split()[1]
print(int(child, 16) >> (signal.SIGTERM - 1) & 1)     # 1: a child ignores SIGTERM
"""


def _child_ignores_sigterm(restore: str) -> bool:
    out = subprocess.run([sys.executable, "-c", PROBE.format(restore=restore)],
                         capture_output=True, text=True, check=True).stdout
    return out.strip() == "1"


def test_dagster_leaves_children_deaf_to_sigterm_without_the_cli_fix():
    # the mechanism the fix is for: if this stops holding, the fix can go
    assert _child_ignores_sigterm("")


def test_the_cli_restores_sigint_so_children_can_be_terminated():
    assert not _child_ignores_sigterm(
        "from smartchange_assets.cli import restore_interrupts; restore_interrupts()")
