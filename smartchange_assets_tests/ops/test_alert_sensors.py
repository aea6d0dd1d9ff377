"""The alert sensors on a real Dagster instance (PostgreSQL storage): one alert per incident.

Each test ticks both sensors the way the daemon does (``evaluate_tick`` with the cursor of the
previous tick) and counts what reached a local webhook. The main case is the real one: the
2021 ISPU export with row 10's date garbled, landed next to the seed, fails the blocking
``payload_reconciliation`` check and holds back the fact table. The other incidents (a failed
non-blocking check, a crashing step, an evaluation outside any run, a run still going) use
small made-up assets, because no real source produces them on demand.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from smartchange_assets.definitions import LOCATION
from smartchange_assets.jakarta.ispu.source import SOURCE as ISPU
from smartchange_assets.ops.incidents import PAGE
from smartchange_assets.platform.landing import LandingArchive
from smartchange_assets.platform.resources import PortalResource, WarehouseResource

from .alerting import Daemon
from .conftest import corrupted_ispu_2021

pytestmark = pytest.mark.slow

FACT = "core/fact_air_quality_daily"


def _resources(url: str) -> dict:
    return {"warehouse": WarehouseResource(url=url), "portal": PortalResource(mode="replay")}


def test_failed_blocking_check_on_a_real_payload_gives_exactly_one_alert(alerting, webhook,
                                                                         fresh_database):
    LandingArchive(fresh_database).land(
        ISPU.source_id, corrupted_ispu_2021(), origin="file:///downloads/ispu-2021.csv",
        file_name="ispu-2021-downloaded-by-hand.csv", landed_by="manual",
        fetched_at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC))
    assets, checks = (LOCATION.assets, LOCATION.checks)
    wanted = {ISPU.raw_key, ISPU.staging_key, dg.AssetKey.from_user_string(FACT)}
    selection = [a for a in assets if set(a.keys) & wanted]
    selection += [c for c in checks if {k.asset_key for k in c.check_keys} & {ISPU.staging_key}]
    result = dg.materialize(selection, instance=alerting.instance,
                            resources=_resources(fresh_database.url), raise_on_error=False)
    assert not result.success
    alerting.tick()
    # the same broken file again (automation retrying, the next nightly run): still one alert
    again = dg.materialize(selection, instance=alerting.instance,
                           resources=_resources(fresh_database.url), raise_on_error=False)
    assert not again.success
    alerting.tick()
    alerting.tick()  # a further round must not repeat it either

    assert len(webhook.received) == 1, [b["summary"] for b in webhook.received]
    alert = webhook.received[0]["smartchange"]
    assert alert["kind"] == "run_failure" and alert["run_id"] == result.run_id
    assert [(c["asset"], c["check"], c["blocking"]) for c in alert["checks"]] == [
        ("jakarta/staging/ispu_daily", "payload_reconciliation", True)]
    assert "ispu-2021-downloaded-by-hand.csv: row 10, column 'tanggal'" in \
        alert["checks"][0]["description"]
    assert alert["failed_steps"] == []  # the check's step failure is the check itself
    assert FACT in alert["held_back"]
    assert alert["run_url"] == f"http://dagster.test:3000/runs/{result.run_id}"
    text = webhook.received[0]["text"]
    assert "http://dagster.test:3000/assets/jakarta/staging/ispu_daily?view=checks&" \
           "checkDetail=payload_reconciliation" in text
    # the check sensor saw the failed evaluation too, and left it to the run sensor
    assert alerting.skip_reasons["check_failure_alert"] == "no new failed checks to alert"


# -- made-up assets for the other kinds of incident --------------------------------------------

@dg.asset(key=["demo", "raw", "counts"])
def counts() -> int:
    return 1


@dg.asset(key=["demo", "staging", "counts"], deps=[counts])
def staged_counts() -> int:
    return 2


@dg.asset(key=["demo", "marts", "counts"], deps=[staged_counts])
def mart_counts() -> int:
    return 3


@dg.asset_check(asset=staged_counts, name="rows_in_range", blocking=False)
def rows_in_range() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, description="3 rows above 1000")


@dg.asset_check(asset=staged_counts, name="stations_known", blocking=False)
def stations_known() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, description="unknown station mc999")


@dg.asset_check(asset=staged_counts, name="not_empty", blocking=True)
def not_empty() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


@dg.asset_check(asset=staged_counts, name="fresh_enough", blocking=False)
def fresh_enough() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN,
                               description="newest partition 2021-12 is 40 days late")


@dg.asset(key=["demo", "staging", "counts"], deps=[counts])
def crashing_counts() -> int:
    raise RuntimeError("portal returned HTML instead of CSV")


def test_failed_checks_in_a_successful_run_give_one_alert_listing_them(alerting, webhook):
    result = dg.materialize([counts, staged_counts, mart_counts, rows_in_range,
                             stations_known, not_empty], instance=alerting.instance)
    assert result.success  # non-blocking failures do not fail the run
    alerting.tick()
    alerting.tick()
    assert len(webhook.received) == 1
    alert = webhook.received[0]["smartchange"]
    assert alert["kind"] == "check_failure" and alert["run_id"] == result.run_id
    assert sorted(c["check"] for c in alert["checks"]) == ["rows_in_range", "stations_known"]
    assert alert["held_back"] == []


def test_warnings_alone_are_not_alerted_but_ride_along_with_errors(alerting, webhook):
    # freshness checks fail with severity WARN: visible in the UI, not worth a page alone
    assert dg.materialize([counts, staged_counts, fresh_enough],
                          instance=alerting.instance).success
    alerting.tick()
    assert webhook.received == []
    assert dg.materialize([counts, staged_counts, fresh_enough, rows_in_range],
                          instance=alerting.instance).success
    alerting.tick()
    [alert] = webhook.received
    assert [(c["check"], c["severity"]) for c in alert["smartchange"]["checks"]] == [
        ("rows_in_range", "ERROR"), ("fresh_enough", "WARN")]
    assert "fresh_enough (warning)" in alert["text"]


FAILURE = {"why": None}  # what the check below reports; None: it passes


@dg.asset_check(asset=staged_counts, name="totals_match", blocking=True)
def totals_match() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=FAILURE["why"] is None, description=FAILURE["why"])


def test_an_incident_alerts_when_it_opens_not_while_it_stays_open(alerting, webhook):
    def run(why):
        FAILURE["why"] = why
        dg.materialize([counts, staged_counts, mart_counts, totals_match],
                       instance=alerting.instance, raise_on_error=False)
        alerting.tick()
        return [b["smartchange"]["checks"][0]["description"] for b in webhook.received]

    assert run("total 1200 != 1210") == ["total 1200 != 1210"]  # opens
    assert run("total 1200 != 1210") == ["total 1200 != 1210"]  # still open: silent
    assert run(None) == ["total 1200 != 1210"]  # passes: closed
    assert run("total 1200 != 1210") == ["total 1200 != 1210"] * 2  # opens again
    # another cause while open: news
    assert run("total 900 != 1210") == ["total 1200 != 1210"] * 2 + ["total 900 != 1210"]


def test_crashing_step_gives_one_alert_naming_asset_error_and_held_back(alerting, webhook):
    result = dg.materialize([counts, crashing_counts, mart_counts], instance=alerting.instance,
                            raise_on_error=False)
    assert not result.success
    alerting.tick()
    alerting.tick()
    assert len(webhook.received) == 1
    alert = webhook.received[0]["smartchange"]
    assert alert["kind"] == "run_failure" and alert["checks"] == []
    [step] = alert["failed_steps"]
    assert step["assets"] == ["demo/staging/counts"]
    assert "portal returned HTML instead of CSV" in step["error"]
    assert alert["held_back"] == ["demo/marts/counts"]


def test_green_run_gives_no_alert(alerting, webhook):
    assert dg.materialize([counts, staged_counts, not_empty],
                          instance=alerting.instance).success
    alerting.tick()
    assert webhook.received == []


def test_history_before_the_first_tick_is_not_replayed(pg_instance, webhook, monkeypatch):
    monkeypatch.setenv("SMARTCHANGE_ALERT_WEBHOOK", webhook.url)
    webhook.clear()
    dg.materialize([counts, staged_counts, rows_in_range], instance=pg_instance)
    dg.materialize([counts, crashing_counts], instance=pg_instance, raise_on_error=False)
    daemon = Daemon(pg_instance)
    daemon.tick()
    daemon.tick()
    assert webhook.received == []


def _evaluation(passed: bool) -> dg.AssetCheckEvaluation:
    return dg.AssetCheckEvaluation(asset_key=dg.AssetKey(["demo", "staging", "counts"]),
                                   check_name="rows_in_range", passed=passed,
                                   description="reported from outside: 12 rows above 1000")


def test_failed_evaluation_outside_any_run_is_alerted_once(alerting, webhook):
    alerting.instance.report_runless_asset_event(_evaluation(passed=True))
    alerting.instance.report_runless_asset_event(_evaluation(passed=False))
    alerting.tick()
    alerting.tick()
    assert len(webhook.received) == 1
    alert = webhook.received[0]["smartchange"]
    assert alert["run_id"] is None and alert["checks"][0]["check"] == "rows_in_range"


def test_check_alert_waits_for_its_run_to_end(alerting, webhook):
    instance = alerting.instance
    run = instance.add_run(dg.DagsterRun(job_name="demo_job", status=dg.DagsterRunStatus.STARTED))
    event = dg.DagsterEvent(event_type_value=dg.DagsterEventType.ASSET_CHECK_EVALUATION.value,
                            job_name="demo_job", event_specific_data=_evaluation(passed=False))
    instance.report_dagster_event(event, run_id=run.run_id)
    alerting.tick()
    assert webhook.received == []  # the run may still fail: its alert would then be the run's
    instance.report_run_canceled(run)
    alerting.tick()
    alerting.tick()
    assert len(webhook.received) == 1
    assert webhook.received[0]["smartchange"]["run_id"] == run.run_id


def test_undelivered_check_alert_is_retried_on_the_next_tick(alerting, webhook):
    dg.materialize([counts, staged_counts, rows_in_range], instance=alerting.instance)
    webhook.fail_next(500, times=3, headers={"Retry-After": "0"})
    alerting.tick()
    assert webhook.received == [] and len(webhook.raw) == 3
    assert "not delivered" in alerting.skip_reasons["check_failure_alert"]
    alerting.tick()
    alerting.tick()
    assert len(webhook.received) == 1


# more daily partitions than the incident lookup reads in one page (ops/incidents.PAGE): a run
# over all of them writes one planned record per partition
MANY_DAYS = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-10-01")


@dg.asset(key=["demo", "staging", "daily"], partitions_def=MANY_DAYS,
          check_specs=[dg.AssetCheckSpec("rows_parse", asset=["demo", "staging", "daily"],
                                         blocking=True)])
def daily_counts() -> dg.MaterializeResult:
    return dg.MaterializeResult(check_results=[dg.AssetCheckResult(
        passed=False, description="file x.csv: row 10, column 'day'")])


@dg.asset(key=["demo", "staging", "daily_crash"], partitions_def=MANY_DAYS)
def daily_crash() -> None:
    raise RuntimeError("portal returned HTML instead of CSV")


def _over_every_day(asset, instance) -> dg.ExecuteInProcessResult:
    keys = MANY_DAYS.get_partition_keys()
    assert len(keys) > PAGE
    return dg.materialize([asset], instance=instance, raise_on_error=False,
                          tags={"dagster/asset_partition_range_start": keys[0],
                                "dagster/asset_partition_range_end": keys[-1]})


@pytest.mark.parametrize("asset", [daily_counts, daily_crash], ids=["check", "step"])
def test_a_run_over_every_partition_does_not_reopen_an_open_incident(alerting, webhook, asset):
    one = dg.materialize([asset], instance=alerting.instance, partition_key="2024-03-01",
                         raise_on_error=False)
    assert not one.success
    alerting.tick()
    assert len(webhook.received) == 1  # the incident opens
    for _ in range(2):  # the full range fails the same way twice: the same incident
        assert not _over_every_day(asset, alerting.instance).success
        alerting.tick()
    assert len(webhook.received) == 1, [b["summary"] for b in webhook.received]
