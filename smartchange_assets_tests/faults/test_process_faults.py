"""Process faults of the fault matrix, each against a real embedded PostgreSQL of its own and
real Dagster runs in processes of their own: ``kill -9`` during a COPY, an ``INSERT … SELECT``
and a swap; the server stopped and restarted in the middle of a run; two runs writing the same
table at once; a payload landed while a run that read the archive before it is still going.

Afterwards every table holds its previous version or the correct new one, the landing archive
lost nothing (every manifest row still reads back whole), and the next normal run succeeds with
exactly the rows a clean run gives. The tables are Berlin's BLUME hourly staging (COPY, one
payload at a time) and its daily means (``INSERT … SELECT``), both monthly-partitioned.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from smartchange_assets.berlin.blume_air_quality.source import SOURCE as BLUME
from smartchange_assets.platform.landing import LandingArchive
from smartchange_assets.platform.warehouse import Warehouse

from . import harness, ledger
from .conftest import FULL

RAW, HOURLY, DAILY = ("berlin/raw/blume_air_quality", "berlin/staging/air_quality_hourly",
                      "berlin/staging/air_quality_daily")
TABLES = {"hourly": "staging.berlin_air_quality_hourly",
          "daily": "staging.berlin_air_quality_daily"}
EVERYTHING = ("2008-03-01", "2024-12-01")
PREVIOUS = ("2023-10-01", "2023-10-01")  # the version a faulted run replaces
LATE_PAYLOAD = "blume_api_mc010_2024-03_1h.json"


@pytest.fixture(scope="module")
def pg(tmp_path_factory):
    with harness.server(tmp_path_factory.mktemp("faults_pg")) as server:
        yield server


@pytest.fixture(scope="module")
def reference(pg, tmp_path_factory):
    """What a clean run over everything gives (the correct new version)."""
    wh = Warehouse(pg.database(f"ref_{uuid.uuid4().hex[:8]}"))
    wh.ensure_platform_tables()
    assert harness.run(wh.url, [RAW, HOURLY, DAILY], EVERYTHING) == 0
    yield {name: harness.fingerprint(wh, t) for name, t in TABLES.items()}
    wh.dispose()


def _database(pg) -> Warehouse:
    wh = Warehouse(pg.database(f"f_{uuid.uuid4().hex[:8]}"))
    wh.ensure_platform_tables()
    return wh


def _with_previous_version(pg) -> tuple[Warehouse, dict, dict]:
    wh = _database(pg)
    assert harness.run(wh.url, [RAW, HOURLY, DAILY], PREVIOUS) == 0
    return wh, {n: harness.fingerprint(wh, t) for n, t in TABLES.items()}, \
        harness.archive_state(wh)


def _verify_and_recover(case, wh, previous, archive_before, reference, allowed_new=()):
    """Each table is its previous version (or, where ``allowed_new``, the new one); the
    archive lost nothing; the next normal run gives the reference."""
    problems = []
    for name, table in TABLES.items():
        now = harness.fingerprint(wh, table)
        ok = {previous[name]} | ({reference[name]} if name in allowed_new else set())
        if now not in ok:
            problems.append(f"{table} after the fault is neither its previous nor the new "
                            f"version: {now}")
    after = harness.archive_state(wh)
    if after["unreadable"] or not set(archive_before["manifest"]) <= set(after["manifest"]):
        problems.append(f"archive lost payloads: {after['unreadable']}")
    assert harness.run(wh.url, [RAW, HOURLY, DAILY], EVERYTHING) == 0, "recovery run failed"
    recovered = {n: harness.fingerprint(wh, t) for n, t in TABLES.items()}
    lost = sum(abs(reference[n][0] - recovered[n][0]) for n in TABLES)
    if recovered != reference:
        problems.append(f"the recovery run differs from a clean run: {recovered}")
    ledger.record(case, not problems, lost_rows=lost,
                  unexplained="; ".join(problems) if problems else None)
    assert not problems, problems


KILLS = [("copy", f"copy:{TABLES['hourly']}", ()),
         ("insert_select", f"insert_select:{TABLES['daily']}", ("hourly",)),
         ("swap", f"swap:{TABLES['daily']}", ("hourly",))]
QUICK_KILLS = {"swap"}


@pytest.mark.faults
@pytest.mark.parametrize("name,point,new_allowed",
                         [k for k in KILLS if FULL or k[0] in QUICK_KILLS],
                         ids=lambda v: v if isinstance(v, str) and ":" not in v else "")
def test_kill_9_leaves_previous_versions_and_the_next_run_succeeds(pg, reference, tmp_path,
                                                                   name, point, new_allowed):
    wh, previous, archive = _with_previous_version(pg)
    marker = tmp_path / "reached"
    proc = harness.start_run(wh.url, [RAW, HOURLY, DAILY], partition_range=EVERYTHING,
                             env={"SMARTCHANGE_FAILPOINT": point,
                                  "SMARTCHANGE_FAILPOINT_MARKER": str(marker)},
                             log=tmp_path / "run.log")
    harness.wait_for(marker, proc)
    harness.kill(proc)
    _verify_and_recover(f"kill -9 during {name}", wh, previous, archive, reference,
                        new_allowed)


@pytest.mark.faults
@pytest.mark.long  # make faults / make slow; the default run keeps the kill -9 cases
def test_postgres_stopped_and_restarted_mid_run(pg, reference, tmp_path):
    wh, previous, archive = _with_previous_version(pg)
    marker = tmp_path / "reached"
    proc = harness.start_run(wh.url, [RAW, HOURLY, DAILY], partition_range=EVERYTHING,
                             env={"SMARTCHANGE_FAILPOINT": f"insert_select:{TABLES['daily']}",
                                  "SMARTCHANGE_FAILPOINT_MARKER": str(marker),
                                  "SMARTCHANGE_FAILPOINT_WAIT_S": "15"},
                             log=tmp_path / "run.log")
    harness.wait_for(marker, proc)
    pg.stop()
    time.sleep(1)
    pg.start()
    assert proc.wait(timeout=600) != 0  # its transaction died with the server
    wh.dispose()  # connections of the pool died with the server too
    _verify_and_recover("postgres restarted mid-run", wh, previous, archive, reference,
                        ("hourly",))


@pytest.mark.faults
@pytest.mark.long  # make faults / make slow
def test_two_overlapping_backfills_give_the_result_of_one_after_the_other(pg, tmp_path):
    first, second = ("2023-01-01", "2023-12-01"), ("2023-06-01", "2024-06-01")
    sequential = _database(pg)
    assert harness.run(sequential.url, [RAW, HOURLY, DAILY], first) == 0
    assert harness.run(sequential.url, [RAW, HOURLY, DAILY], second) == 0
    wh = _database(pg)
    marker = tmp_path / "reached"
    a = harness.start_run(wh.url, [RAW, HOURLY, DAILY], partition_range=first,
                          env={"SMARTCHANGE_FAILPOINT": f"copy:{TABLES['hourly']}",
                               "SMARTCHANGE_FAILPOINT_MARKER": str(marker),
                               "SMARTCHANGE_FAILPOINT_WAIT_S": "10"},
                          log=tmp_path / "a.log")
    harness.wait_for(marker, a)
    b = harness.start_run(wh.url, [RAW, HOURLY, DAILY], partition_range=second,
                          log=tmp_path / "b.log")
    assert a.wait(timeout=900) == 0 and b.wait(timeout=900) == 0
    same = all(harness.fingerprint(wh, t) == harness.fingerprint(sequential, t)
               for t in TABLES.values())
    ledger.record("two overlapping backfills", same,
                  unexplained=None if same else "differs from one after the other")
    assert same


@pytest.mark.faults
def test_a_payload_landed_during_a_run_is_not_overwritten_by_it(pg, reference, tmp_path):
    """A full refresh reads the archive and stages; meanwhile a payload lands and the landed-
    payloads sensor's partition run starts. The refresh publishes what it read, the partition
    run then waits for it and publishes the new payload's month: nothing is lost."""
    wh = _database(pg)
    archive = LandingArchive(wh)
    late = [e for e in BLUME.seed_entries() if e.file == LATE_PAYLOAD]
    archive.sync_seed([e for e in BLUME.seed_entries() if e.file != LATE_PAYLOAD])
    marker = tmp_path / "reached"
    refresh = harness.start_run(wh.url, [HOURLY], partition_range=EVERYTHING,
                                env={"SMARTCHANGE_FAILPOINT": f"staged:{TABLES['hourly']}",
                                     "SMARTCHANGE_FAILPOINT_MARKER": str(marker),
                                     "SMARTCHANGE_FAILPOINT_WAIT_S": "15"},
                                log=tmp_path / "refresh.log")
    harness.wait_for(marker, refresh)
    archive.sync_seed(late)  # lands while the refresh holds what it read
    month = (late[0].period_start.replace(day=1).isoformat(),) * 2
    sensor_run = harness.start_run(wh.url, [HOURLY], partition_range=month,
                                   log=tmp_path / "sensor.log")
    assert refresh.wait(timeout=900) == 0 and sensor_run.wait(timeout=900) == 0
    rows = wh.scalar(f"SELECT count(*) FROM {TABLES['hourly']} WHERE payload_sha256 = :s",
                     s=late[0].sha256)
    whole = harness.fingerprint(wh, TABLES["hourly"]) == reference["hourly"]
    ledger.record("payload landed during a run", bool(rows) and whole,
                  unexplained=None if rows and whole else f"late payload rows {rows}")
    assert rows > 0 and whole


@pytest.mark.faults
def test_landings_commit_in_id_order_so_the_sensor_cannot_skip_one(pg, tmp_path):
    """A landing holds the archive's landing lock until it commits: a second landing that
    started later gets a later id and commits after it, so a reader that saw id n has seen
    every landing before it."""
    wh = _database(pg)
    marker = tmp_path / "reached"
    first = harness.start_run_python(
        wh.url, "from smartchange_assets.platform.landing import LandingArchive\n"
        "from smartchange_assets.platform.warehouse import Warehouse\n"
        "import sys\n"
        "LandingArchive(Warehouse(sys.argv[1])).land('s', b'first', origin='test://1', "
        "landed_by='test')\n",
        env={"SMARTCHANGE_FAILPOINT": "landing:s", "SMARTCHANGE_FAILPOINT_MARKER": str(marker),
             "SMARTCHANGE_FAILPOINT_WAIT_S": "5"})
    harness.wait_for(marker, first)
    done = {}

    def second():
        done["landed"] = LandingArchive(wh).land("s", b"second", origin="test://2",
                                                 landed_by="test")
        done["at"] = time.monotonic()

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(1)
    seen_meanwhile = int(wh.scalar("SELECT count(*) FROM raw.landing_manifest"))
    assert first.wait(timeout=120) == 0
    thread.join(timeout=120)
    ids = wh.read_frame("SELECT origin, id FROM raw.landing_manifest ORDER BY id")
    ordered = seen_meanwhile == 0 and ids["origin"].tolist() == ["test://1", "test://2"]
    ledger.record("landing order", ordered,
                  unexplained=None if ordered else f"ids {ids.to_dict('records')}")
    assert ordered
