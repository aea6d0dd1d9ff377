"""Fixtures of the operations tests: a local webhook receiver, a Dagster instance on the
session's PostgreSQL, a real payload corrupted as in ``test_platform_end_to_end.py``, and one
Dagster webserver + daemon shared by the UI tests of this package."""

from __future__ import annotations

import dagster as dg
import pytest

from smartchange_assets_tests.conftest import REPO

from .databases import create_database, database_url, drop_database
from .webhook import WebhookReceiver

ISPU_2021 = (REPO / "smartchange_assets" / "seed" / "jakarta" / "ispu" /
             "indeks-standar-pencemaran-udara-(ispu)-tahun-2021-komponen-data.csv")


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
# a run that lands and stages ISPU and would carry it on into the fact table and the mart
ISPU_TO_MART = ["jakarta/raw/ispu", "jakarta/staging/ispu_daily", "core/fact_air_quality_daily",
                "marts/air_quality_monthly"]
HELD_BACK = ["core/fact_air_quality_daily", "marts/air_quality_monthly"]
# sensors whose every tick must have passed before "nothing happened" can be asserted
WATCHERS = ["run_failure_alert", "check_failure_alert", "automation"]


def fingerprint(wh, table: str) -> str:
    return wh.scalar(f"SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {table} t")


@pytest.fixture(scope="package")
def air_quality_incident(dagster_ui, webhook):
    """What the UI user does and sees, once for the package's tests: materialise the air-quality
    chain (a run launched through GraphQL), then land the corrupted 2021 ISPU export by hand
    and materialise ISPU through to the mart again; its blocking check fails."""
    import datetime as dt
    import time

    from smartchange_assets.platform.landing import LandingArchive

    ui = dagster_ui
    webhook.clear()
    first = ui.launch(AIR_QUALITY_CHAIN)
    first_run = ui.wait_run(first)
    assert first_run["status"] == "SUCCESS", ui.failures(first)
    ui.wait_for_ticks(WATCHERS, after=first_run["endTime"], count=1)
    alerts_before = list(webhook.received)
    tables = {t: fingerprint(ui.warehouse, t) for t in
              ("core.fact_air_quality_daily", "marts.air_quality_monthly")}

    landed_at = time.time()
    landed = LandingArchive(ui.warehouse).land(
        "jakarta/ispu", corrupted_ispu_2021(), origin="file:///downloads/ispu-2021.csv",
        file_name="ispu-2021-downloaded-by-hand.csv", landed_by="manual",
        fetched_at=dt.datetime.now(dt.UTC))
    failed = ui.launch(ISPU_TO_MART)
    failed_run = ui.wait_run(failed)
    alert = webhook.wait_for(lambda body: body["smartchange"]["run_id"] == failed, timeout=120)
    # every alert and automation sensor has looked at the failure at least twice since
    ui.wait_for_ticks(WATCHERS, after=time.time(), count=2)
    return {"first": first, "first_run": first_run, "failed": failed, "failed_run": failed_run,
            "landed_at": landed_at, "landed_sha": landed.sha256, "alert": alert,
            "alerts_before": alerts_before, "tables_before": tables}
