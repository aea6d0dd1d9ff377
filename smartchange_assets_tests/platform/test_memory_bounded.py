"""Staging memory is bounded by the largest payload, not by the source.

A process with a hard memory limit (its address space, ``RLIMIT_AS``, fixed at what it has
mapped after its imports plus a budget) stages a set of SYNTHETIC detector month files made
from a real seed file (:mod:`.memory_probe`) whose staged rows need more memory than the
budget: it succeeds, every row reconciled, and so does the table's blocking suite on all of
them. The same set staged with a deliberately whole-table
step (every payload's rows held, then one COPY) runs out of memory under the same limit, so
this test fails if staging stops streaming.

Why ``RLIMIT_AS`` and not an RSS watchdog: the kernel enforces it at the failing allocation,
which Python and Arrow report as an exception (no polling, no race with a fast spike). Address
space counts reservations as well as memory in use, so the probe runs with
``MALLOC_ARENA_MAX=2`` (glibc would reserve 64 MiB per thread) and
``ARROW_DEFAULT_MEMORY_POOL=system`` (Arrow's jemalloc keeps freed address space); measured
here, the streaming run then needs ~180 MiB over its footprint, the whole-table run fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from smartchange_assets_tests.conftest import REPO, new_database
from smartchange_assets_tests.platform.memory_probe import OUT_OF_MEMORY

BUDGET_MIB = 256
PAYLOADS = 16  # ~1.07 M rows, ~380 MB as staged frames: 1.5 times the budget


def _start(url: str, archive, mode: str) -> subprocess.Popen:
    env = {**os.environ, "MALLOC_ARENA_MAX": "2", "ARROW_DEFAULT_MEMORY_POOL": "system"}
    return subprocess.Popen(
        [sys.executable, "-m", "smartchange_assets_tests.platform.memory_probe", url,
         str(archive), mode, str(BUDGET_MIB), str(PAYLOADS)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_staging_streams_a_set_larger_than_its_memory_limit(database_urls, tmp_path):
    with new_database(database_urls) as streaming, new_database(database_urls) as whole:
        # both at once: each process has its own limit
        runs = {"stream": _start(streaming.url, tmp_path / "a", "stream"),
                "whole": _start(whole.url, tmp_path / "b", "whole")}
        out = {mode: run.communicate(timeout=600) for mode, run in runs.items()}

    code, (stdout, stderr) = runs["stream"].returncode, out["stream"]
    assert code == 0, stderr[-3000:]
    got = json.loads(stdout.strip().splitlines()[-1])
    # the set is bigger than the budget, the run stayed inside it
    assert got["frame_bytes"] > 1.2 * BUDGET_MIB * 2**20, got["frame_bytes"]
    assert got["used_mib"] < BUDGET_MIB
    # every row of every payload reconciled, and in the table
    recon = got["reconciliation"]
    assert len(recon) == got["payloads"] == PAYLOADS
    assert all(r["file_name"].startswith("SYNTHETIC_") for r in recon)
    for r in recon:
        assert r["error"] is None
        assert r["source_rows"] == r["staged"] + r["no_data"] + r["quarantined"] > 60_000
    assert got["in_shadow"] == got["rows"] == sum(r["staged"] for r in recon)
    # the blocking suite ran on the whole shadow inside the same limit (GX's reflection of a
    # bare SELECT used to fetch every row: platform/quality.py, VIEW_SCHEMA)
    assert got["suite"] == {"passed": True, "rows_checked": got["rows"]}

    code, (stdout, stderr) = runs["whole"].returncode, out["whole"]
    assert code == OUT_OF_MEMORY, (code, stdout[-2000:], stderr[-3000:])
    assert "Memory" in json.loads(stdout.strip().splitlines()[-1])["error"]
