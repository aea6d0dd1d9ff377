"""Fixtures of the operations tests: a local webhook receiver, a Dagster instance on the
session's PostgreSQL, a real payload corrupted as in ``test_platform_end_to_end.py``, and one
Dagster webserver + daemon shared by the UI tests of this package."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from ..seed_files import SEED
from .databases import create_database, database_url, drop_database
from .webhook import WebhookReceiver

ISPU_2021 = (SEED / "jakarta" / "ispu" /
             "indeks-standar-pencemaran-udara-(ispu)-tahun-2021-komponen-data.csv")


BLUME_MC010_2024_03 = (SEED / "berlin" / "blume_air_quality" /
                      "blume_api_mc010_2024-03_1h.json")
CORRUPTED_BLUME_NAME = "blume_api_mc010_2024-03_1h_downloaded-by-hand.json"


def corrupted_blume_mc010_2024_03() -> bytes:
    """A fault case derived from a real file: the BLUME API's March 2024 hours of mc010 with
    item 10's timestamp garbled (an unreadable key column fails the blocking check)."""
    items = json.loads(BLUME_MC010_2024_03.read_bytes())
    items[9]["datetime"] = "2024-13-45T25:00:00+01:00"
    return json.dumps(items, separators=(",", ":")).encode()


def corrupted_ispu_2021() -> bytes:
    """A fault case derived from a real file: the 2021 ISPU export with row 10's date garbled
    (the same corruption the platform end-to-end test lands by hand)."""
    lines = ISPU_2021.read_text().splitlines(keepends=True)
    fields = lines[10].split(",")
    fields[1] = "20x1-13-45"
    lines[10] = ",".join(fields)
    return "".join(lines).encode()


@pytest.fixture(scope="package")
def webhook():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture()
def alerting(pg_instance, webhook, monkeypatch):
    """The alert sensors ticked like the daemon ticks them, posting to the local webhook."""
    from .alerting import Daemon

    monkeypatch.setenv("SMARTCHANGE_ALERT_WEBHOOK", webhook.url)
    monkeypatch.setenv("SMARTCHANGE_UI_URL", "http://dagster.test:3000")
    webhook.clear()
    daemon = Daemon(pg_instance)
    daemon.tick()  # first ticks only place the cursors
    return daemon


@pytest.fixture()
def pg_instance(database_urls, tmp_path):
    """A Dagster instance whose run, event-log and schedule storage is a fresh PostgreSQL
    database (as in production: no SQLite), dropped afterwards."""
    name = create_database(database_urls, "dg")
    url = database_url(database_urls, name, "postgresql+psycopg2")
    with dg.instance_for_test(temp_dir=str(tmp_path),
                              overrides={"storage": {"postgres": {"postgres_url": url}}}) as inst:
        yield inst
    drop_database(database_urls, name)


@pytest.fixture(scope="package")
def dagster_ui(database_urls, webhook, tmp_path_factory):
    """``dagster-webserver`` and ``dagster-daemon run`` on 127.0.0.1, loaded from the repo's
    workspace.yaml and dagster.yaml, on their own Dagster and warehouse databases."""
    from .ui_server import DagsterUIServer

    server = DagsterUIServer(database_urls, webhook, tmp_path_factory.mktemp("dagster_ui"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


AIR_QUALITY_CHAIN = [
    "core/ref_air_quality_standards", "jakarta/raw/ispu", "jakarta/staging/ispu_daily",
    "berlin/raw/blume_air_quality", "berlin/staging/air_quality_hourly",
    "berlin/staging/air_quality_daily", "core/fact_air_quality_daily",
    "marts/air_quality_monthly",
]
# what the UI tests materialise: BLUME from the landing archive to the daily means (SQL), the
# staging table's blocking checks in between
BERLIN_AIR = ["berlin/raw/blume_air_quality", "berlin/staging/air_quality_hourly",
              "berlin/staging/air_quality_daily"]
FAILING_ASSET, FAILING_CHECK = "berlin/staging/air_quality_hourly", "payload_reconciliation"
# downstream of the failing check: in the failing run, and further on by automation
HELD_BACK = ["berlin/staging/air_quality_daily", "core/fact_air_quality_daily",
             "marts/air_quality_monthly"]
# what these tests watch; the platform's automation keeps other assets going meanwhile
OUR_ASSETS = {*BERLIN_AIR, *HELD_BACK}
# sensors whose every tick must have passed before "nothing happened" can be asserted
WATCHERS = ["run_failure_alert", "check_failure_alert", "automation", "landed_payloads"]


def about_our_assets(alert: dict) -> bool:
    body = alert["smartchange"]
    named = {*body["assets"], *body["held_back"], *(c["asset"] for c in body["checks"])}
    return bool(named & OUR_ASSETS)


def pytest_collection_modifyitems(items):
    """Tests marked ``rewrites_check_history`` (the UI backfill re-evaluates the checks of a
    year of partitions, and the UI then shows them passed) run after every other test that
    reads the failed check, whatever order the files were named in."""
    here = Path(__file__).parent
    # reordered among this package's positions only: the package-scoped server stays up once
    slots = [i for i, item in enumerate(items) if here in Path(item.path).parents]
    ours = sorted((items[i] for i in slots),
                  key=lambda item: item.get_closest_marker("rewrites_check_history") is not None)
    for slot, item in zip(slots, ours):
        items[slot] = item


def fingerprint(wh, table: str) -> str:
    return wh.scalar(f"SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {table} t")


@pytest.fixture(scope="package")
def air_quality_incident(dagster_ui, webhook):
    """What the UI user does and sees, once for the package's tests.

    1. Materialise Berlin's air quality from the seed archive through to the daily means (a run
       launched through GraphQL): everything green.
    2. Land a corrupted BLUME file by hand and materialise the raw asset only: the platform's
       sensors and automation take it from there, and the blocking reconciliation check of the
       staging table fails.
    3. Materialise raw, staging and daily means again by hand: the same check fails again
       (the same incident) and holds the daily means back.
    """
    import datetime as dt
    import time

    from smartchange_assets.platform.landing import LandingArchive

    ui = dagster_ui
    webhook.clear()
    first = ui.launch(BERLIN_AIR)
    first_run = ui.wait_run(first)
    assert first_run["status"] == "SUCCESS", ui.failures(first)
    # the first run landed the seed: sensors and automation react; let them finish, so that
    # whatever happens after the landing below is the landing's doing
    ui.wait_quiet(OUR_ASSETS, WATCHERS)
    alerts_before = [a for a in webhook.received if about_our_assets(a)]
    tables = {t: fingerprint(ui.warehouse, t) for t in ("staging.berlin_air_quality_daily",)}

    landed_at = time.time()
    landed = LandingArchive(ui.warehouse).land(
        "berlin/blume_air_quality", corrupted_blume_mc010_2024_03(),
        origin="file:///downloads/" + CORRUPTED_BLUME_NAME, file_name=CORRUPTED_BLUME_NAME,
        landed_by="manual", fetched_at=dt.datetime.now(dt.UTC),
        period_start=dt.date(2024, 3, 1), period_end=dt.date(2024, 3, 31))
    raw_only = ui.launch(BERLIN_AIR[:1])
    raw_run = ui.wait_run(raw_only)
    first_alert = webhook.wait_for(about_our_assets, timeout=300)
    failed = ui.launch(BERLIN_AIR)
    failed_run = ui.wait_run(failed)
    # every alert, automation and landing sensor has dealt with the failure
    ui.wait_quiet(OUR_ASSETS, WATCHERS)
    return {"first": first, "first_run": first_run, "raw_run": raw_run, "failed": failed,
            "failed_run": failed_run, "landed_at": landed_at, "landed_sha": landed.sha256,
            "first_alert": first_alert, "alerts_before": alerts_before,
            "tables_before": tables}
