"""Named points where the fault matrix stops a process on purpose (smartchange_assets_tests/
faults): ``SMARTCHANGE_FAILPOINT=<point>[:<table label>]`` makes the process touch the file
``SMARTCHANGE_FAILPOINT_MARKER`` when it reaches that point and then wait there
(``SMARTCHANGE_FAILPOINT_WAIT_S``, default 300 s), so a test can kill it with SIGKILL, stop the
database, or start a second run at exactly that moment. Unset (always, outside the fault tests),
a point costs one environment lookup.

Points: ``copy`` (rows sent into a shadow, not committed), ``insert_select`` (a shadow filled by
SQL, not committed), ``swap`` (the live table dropped, the shadow not yet renamed, inside the
publishing transaction), ``staged`` (a source's payloads read and staged, nothing published),
``landing`` (a payload's manifest row written, not committed).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

FAILPOINT_ENV = "SMARTCHANGE_FAILPOINT"
MARKER_ENV = "SMARTCHANGE_FAILPOINT_MARKER"
WAIT_ENV = "SMARTCHANGE_FAILPOINT_WAIT_S"


def reached(point: str, table: str = "") -> None:
    wanted = os.environ.get(FAILPOINT_ENV)
    if not wanted:
        return
    name, _, only = wanted.partition(":")
    if name != point or (only and only != table):
        return
    marker = os.environ.get(MARKER_ENV)
    if marker:
        Path(marker).write_text(f"{point} {table} {os.getpid()}\n")
    time.sleep(float(os.environ.get(WAIT_ENV, "300")))
