"""Stage a payload set under a hard memory limit, in a process of its own (test_memory_bounded).

    python -m smartchange_assets_tests.platform.memory_probe URL ARCHIVE MODE BUDGET_MIB N

The payloads are SYNTHETIC, made here from the real seed file ``mq_hr_2023_03.csv`` of
``berlin/traffic_detectors`` (its rows copied over made-up cross-section ids ``SYN0001`` … and
shifted to other months; file names start ``SYNTHETIC_``): ``N`` month files of about 68,000
rows. They are landed in a fresh blob store (``ARCHIVE``) and the warehouse at ``URL``; then
the process fixes its address-space limit (``RLIMIT_AS``) at what it has mapped after the
imports and the landing plus ``BUDGET_MIB``, and stages them:

* ``stream``: the staging engine (:func:`~smartchange_assets.platform.staging.stage_into`),
  one payload at a time into a shadow table;
  then, under the same limit, the staging table's blocking Great Expectations suite
  (``gx_suite``: a SELECT joining the shadow to the manifest, validated in Postgres);
* ``whole``: the same payloads through the same parser, held together and concatenated into
  one frame before one COPY – a deliberately whole-table step, to show the limit bites.

It prints one JSON line (rows per payload, what the shadow holds, the frames' total size) and
exits 0, or exits 3 on a memory error (``MemoryError`` / Arrow's out-of-memory error).
The caller sets ``MALLOC_ARENA_MAX=2`` (glibc keeps one arena per thread otherwise, each
reserving 64 MiB of address space) and ``ARROW_DEFAULT_MEMORY_POOL=system`` (Arrow allocates
with malloc and gives memory back, instead of jemalloc keeping address space reserved), so the
address space follows what is really in use.
"""

from __future__ import annotations

import calendar
import datetime as dt
import gc
import json
import resource
import sys

import pandas as pd
import pyarrow as pa

from smartchange_assets.berlin.traffic_detectors.source import SOURCE
from smartchange_assets.platform import quality
from smartchange_assets.platform.audit import Audit
from smartchange_assets.platform.blobs import BlobStore
from smartchange_assets.platform.landing import LandingArchive
from smartchange_assets.platform.staging import parse_payloads, stage_into
from smartchange_assets.platform.suites import staging_suite_check
from smartchange_assets.platform.warehouse import Warehouse
from smartchange_assets_tests.seed_files import seed_bytes

SEED_FILE = "mq_hr_2023_03.csv"
COPIES = 3  # copies of the seed file's 34 cross-sections per payload (~68,000 rows)
OUT_OF_MEMORY = 3
MIB = 1024 * 1024


def synthetic_month(index: int) -> tuple[str, bytes, dt.date, dt.date]:
    """SYNTHETIC: the seed file's rows, COPIES times over made-up site ids, in month
    ``index`` after 2019-01 (same day of the month and hour)."""
    year, month = 2019 + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    lines = seed_bytes(SOURCE.source_id, SEED_FILE).decode().splitlines()
    sites = sorted({line.split(";", 1)[0] for line in lines[1:]})
    out = [lines[0]]
    for copy in range(COPIES):
        names = {s: f"SYN{copy * len(sites) + i + 1:04d}" for i, s in enumerate(sites)}
        for line in lines[1:]:
            site, day, rest = line.split(";", 2)
            if int(day[:2]) <= last:  # days the month has
                out.append(f"{names[site]};{day[:2]}.{month:02d}.{year};{rest}")
    return f"SYNTHETIC_mq_hr_{year}_{month:02d}.csv", ("\n".join(out) + "\n").encode(), \
        dt.date(year, month, 1), dt.date(year, month, last)


def address_space(field: str = "VmSize") -> int:
    """Bytes mapped by this process now (``VmSize``) or at most so far (``VmPeak``)."""
    with open("/proc/self/status") as status:
        line = next(ln for ln in status if ln.startswith(f"{field}:"))
    return int(line.split()[1]) * 1024


def main(argv: list[str]) -> int:
    url, archive_dir, mode, budget_mib, n = argv[0], argv[1], argv[2], int(argv[3]), \
        int(argv[4])
    wh = Warehouse(url)
    archive = LandingArchive(wh, BlobStore(archive_dir))
    payload_bytes = 0
    for i in range(n):
        name, content, first, last = synthetic_month(i)
        archive.land(SOURCE.source_id, content, origin=f"synthetic://memory_probe/{name}",
                     landed_by="test (SYNTHETIC)", file_name=name, period_start=first,
                     period_end=last)
        payload_bytes += len(content)
        del content
    payloads = archive.active_payloads(SOURCE.source_id)
    shadow = wh.create_shadow(SOURCE.staging, "memoryprobe")
    wh.scalar("SELECT 1")
    # Great Expectations imported and its context made before the limit (seconds of imports
    # and ~100 MiB of code, the same for a table of 10 rows or 10 million)
    quality.run_suite(url, quality.render_query("SELECT 1 AS x"), [quality.not_null("x")],
                      "warm-up")
    gc.collect()
    footprint = address_space()
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (footprint + budget_mib * MIB, hard))

    frame_bytes = []
    copy_into = wh.copy_into

    def counted(target, frame):  # the size of each staged frame, as it passes
        frame_bytes.append(int(frame.memory_usage(deep=True).sum()))
        return copy_into(target, frame)

    wh.copy_into = counted
    try:
        if mode == "stream":
            load = stage_into(wh, shadow, SOURCE, payloads)
            wh.add_key(shadow)
            suite = staging_suite_check(SOURCE).evaluate(
                Audit(wh, SOURCE.staging, shadow.qualified, context={"load": load}))
        else:  # whole-table: every payload's rows held at once, then one COPY
            frames = [p.staged for p in parse_payloads(SOURCE, payloads, wh)]
            rows = counted(shadow, pd.concat(frames, ignore_index=True))
    except (MemoryError, pa.ArrowMemoryError) as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:300]}), flush=True)
        return OUT_OF_MEMORY
    peak = address_space("VmPeak")
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    in_shadow = int(wh.scalar(f"SELECT count(*) FROM {shadow.qualified}"))
    recon = load.reconciliation if mode == "stream" else None
    print(json.dumps({
        "footprint_mib": footprint / MIB, "budget_mib": budget_mib,
        "used_mib": (peak - footprint) / MIB,
        "payloads": len(payloads), "payload_bytes": payload_bytes,
        "frame_bytes": sum(frame_bytes), "in_shadow": in_shadow,
        "rows": load.rows if mode == "stream" else rows,
        "suite": None if mode != "stream" else {
            "passed": suite.passed, "rows_checked": suite.metadata["rows_checked"].value},
        "reconciliation": None if recon is None else recon[
            ["file_name", "source_rows", "staged", "no_data", "quarantined", "error"]
        ].to_dict("records"),
    }), flush=True)
    wh.drop_shadow(shadow)
    wh.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
