"""Schedules, declarative automation, the landed-payloads sensor, freshness and the refresh plan,
as the code location defines them; automation and the sensor also against a real warehouse."""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg
import pytest

from smartchange_assets.definitions import LOCATION, SOURCES, defs
from smartchange_assets.jakarta.ispu.source import SOURCE as ISPU
from smartchange_assets.landed import contiguous_ranges, landed_payloads_sensor
from smartchange_assets.ops.build_diff import KEY as BUILD_DIFF_KEY
from smartchange_assets.platform.automation import DEADLINES
from smartchange_assets.platform.landing import LandingArchive
from smartchange_assets.platform.partitions import (
    MONTHLY_PARTITIONS,
    YEARLY_PARTITIONS,
    all_keys,
    monthly,
)
from smartchange_assets.platform.resources import PortalResource, WarehouseResource
from smartchange_assets.platform.source_assets import build_source
from smartchange_assets.platform.sql_asset import SqlTable, build_sql_table
from smartchange_assets.platform.tables import Column, TableSpec
from smartchange_assets.refresh import (
    executor_config,
    plan_refresh,
    reconstructable_step,
)
from smartchange_assets_tests.ops.conftest import corrupted_ispu_2021
from smartchange_assets_tests.source_harness import check_results

from .partition_runs import run_range

GRAPH = defs.resolve_asset_graph()
ORDNUNGSAMT_RAW = dg.AssetKey(["berlin", "raw", "citizen_reports"])
YEAR_2021 = [f"2021-{m:02d}-01" for m in range(1, 13)]


def _job_keys(name: str) -> set[str]:
    return {k.to_user_string() for k in defs.resolve_job_def(name).asset_layer.selected_asset_keys}


# -- schedules -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "job", "cron", "timezone"), [
    ("nightly_refresh", "jakarta_nightly", "0 2 * * *", "Asia/Jakarta"),
    ("nightly_refresh_berlin", "berlin_nightly", "0 2 * * *", "Europe/Berlin"),
    ("ordnungsamt_daily_snapshot", "ordnungsamt_snapshot", "0 22 * * *", "Europe/Berlin"),
])
def test_schedules_run_in_their_city_time_zone_and_are_on(name, job, cron, timezone):
    schedule = defs.resolve_schedule_def(name)
    assert (schedule.cron_schedule, schedule.execution_timezone) == (cron, timezone)
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.job_name == job


def test_nightly_jobs_fetch_each_city_raw_assets_once():
    jakarta, berlin = _job_keys("jakarta_nightly"), _job_keys("berlin_nightly")
    ordnungsamt = _job_keys("ordnungsamt_snapshot")
    assert ordnungsamt == {ORDNUNGSAMT_RAW.to_user_string()}
    raws = {s.raw_key.to_user_string() for s in SOURCES}
    # every source's raw asset in exactly one nightly job, and nothing but raw assets
    assert jakarta | berlin | ordnungsamt == raws
    assert not (jakarta & berlin) and not (berlin & ordnungsamt)
    assert all(k.split("/")[0] in ("jakarta", "global") for k in jakarta)
    assert all(k.startswith("berlin/") for k in berlin)


# -- partitions, backfill policy, refresh plan --------------------------------------------------


def test_partitioned_assets_share_two_definitions_and_backfill_in_one_run():
    partitioned = [GRAPH.get(k) for k in GRAPH.get_all_asset_keys()
                   if GRAPH.get(k).partitions_def is not None]
    assert len(partitioned) >= 15
    for node in partitioned:
        assert node.partitions_def in (MONTHLY_PARTITIONS, YEARLY_PARTITIONS), node.key
        assert node.backfill_policy == dg.BackfillPolicy.single_run(), node.key
    keys = {n.key.to_user_string() for n in partitioned}
    assert {"jakarta/staging/ispu_daily", "berlin/staging/air_quality_hourly",
            "berlin/staging/air_quality_daily", "core/fact_air_quality_daily",
            "marts/air_quality_monthly", "jakarta/staging/population",
            "berlin/staging/citizen_report_snapshots"} <= keys
    # landing is not by period: raw assets are never partitioned
    assert not any("/raw/" in k for k in keys)


def test_refresh_plan_runs_every_asset_once_upstreams_first():
    steps = plan_refresh(defs)
    assert [(s.job_name, s.cadence) for s in steps] == [("refresh_all", "monthly"),
                                                       ("refresh_all_yearly", "yearly")]
    assert steps[0].tags() == {"dagster/asset_partition_range_start": "2008-03-01",
                               "dagster/asset_partition_range_end": all_keys(monthly())[-1]}
    planned = [k for s in steps for k in s.keys]
    assert sorted(planned) == sorted(GRAPH.materializable_asset_keys)
    position = {k: i for i, s in enumerate(steps) for k in s.keys}
    for key in planned:
        for parent in GRAPH.get(key).parent_keys:
            assert position[parent] <= position[key], (parent, key)
    # a step's job holds its assets' own checks and no freshness check
    for step in steps:
        checks = step.job(defs).asset_layer.asset_graph.asset_check_keys
        assert checks and not any(c.name == "freshness_check" for c in checks)


def test_a_refresh_step_rebuilds_in_another_process_as_the_same_job():
    """``smartchange refresh --executor multiprocess``: each step process rebuilds the step's
    job from its name and keys (refresh.step_job), with the same assets and checks."""
    for step in plan_refresh(defs):
        here = step.job(defs)
        rebuilt = reconstructable_step(step, "in_process").get_definition()  # a step process
        assert rebuilt.name == here.name
        for job in (here, rebuilt):
            assert job.asset_layer.executable_asset_keys == set(step.keys)
        assert (rebuilt.asset_layer.asset_graph.asset_check_keys
                == here.asset_layer.asset_graph.asset_check_keys)
    # in-process is the code location's default (UI and schedule runs too); multiprocess is
    # the CLI's option, with its own executor config
    assert defs.resolve_job_def("refresh_all").executor_def.name == "in_process"
    assert executor_config("in_process", 0) == {}
    multi = reconstructable_step(plan_refresh(defs)[0], "multiprocess").get_definition()
    assert multi.executor_def.name == "multiprocess"
    assert executor_config("multiprocess", 2) == {"execution": {"config": {"max_concurrent": 2}}}


# -- declarative automation -----------------------------------------------------------------


def test_every_table_past_raw_updates_by_automation_and_raw_assets_do_not():
    for key in GRAPH.materializable_asset_keys:
        condition = GRAPH.get(key).automation_condition
        if key.path[1:2] == ["raw"]:
            assert condition is None, key
        elif key == BUILD_DIFF_KEY:
            # the build diff compares whole builds: once a day, after everything upstream
            assert "daily at 07:00 UTC" in condition.get_label()
        else:
            assert condition is not None, key
            assert "blocking checks passed" in condition.get_label(), key
    for key in ("core/fact_air_quality_daily", "marts/air_quality_monthly",
                "core/ref_air_quality_standards"):
        assert GRAPH.get(dg.AssetKey.from_user_string(key)).automation_condition is not None


def test_automation_landed_payload_and_freshness_sensors_are_on():
    sensors = {s.name: s for s in defs.sensors}
    automation = sensors["automation"]
    assert isinstance(automation, dg.AutomationConditionSensorDefinition)
    for name in ("automation", "landed_payloads", "freshness_checks"):
        assert sensors[name].default_status == dg.DefaultSensorStatus.RUNNING, name


def test_automation_waits_for_blocking_checks_across_runs(fresh_database):
    """A payload with a garbled date (the real 2021 ISPU export, row 10, as in the end-to-end
    test) fails ISPU's blocking check in one run; a table built on ISPU is not requested by
    automation afterwards. Rejected and restaged in another run, the check passes and the
    table's same months are requested."""
    wh = fresh_database
    monthly_counts = SqlTable(
        key=dg.AssetKey(["core", "test_ispu_rows_per_day"]),
        table=TableSpec("core", "test_ispu_rows_per_day", (Column("date", "date"),
                                                           Column("n", "bigint"))),
        select_sql=f"SELECT date, count(*) FROM {ISPU.staging.qualified} GROUP BY date",
        deps=[ISPU.staging_key], description="rows per day (test)", group="test",
        expectations=(), partitions=monthly("date"))
    assets, checks = build_source(ISPU), []
    table = build_sql_table(monthly_counts)
    chain = [*assets, *checks]
    automated = dg.Definitions(assets=[*assets, table], asset_checks=checks,
                               resources={"warehouse": WarehouseResource(url=wh.url),
                                          "portal": PortalResource(mode="replay")})
    instance = dg.DagsterInstance.ephemeral()

    landed = LandingArchive(wh).land(
        ISPU.source_id, corrupted_ispu_2021(), origin="file:///by-hand/ispu-2021.csv",
        landed_by="manual", period_start=dt.date(2021, 1, 1), period_end=dt.date(2021, 12, 31))
    failed = run_range(chain, wh.url, YEAR_2021[0], YEAR_2021[-1], instance)
    assert check_results(failed)["jakarta/staging/ispu_daily:payload_reconciliation"] is False

    first = dg.evaluate_automation_conditions(defs=automated, instance=instance)
    assert first.get_requested_partitions(monthly_counts.key) == set()

    LandingArchive(wh).reject(landed.sha256, "garbled date, test")
    healed = run_range(chain, wh.url, YEAR_2021[0], YEAR_2021[-1], instance)
    assert all(check_results(healed).values())

    second = dg.evaluate_automation_conditions(defs=automated, instance=instance,
                                               cursor=first.cursor)
    assert second.get_requested_partitions(monthly_counts.key) == set(YEAR_2021)


# -- the landed-payloads sensor --------------------------------------------------------------


def test_contiguous_ranges_follow_the_definition_order():
    ordered = all_keys(monthly())
    keys = {"2021-01-01", "2021-02-01", "2021-03-01", "2021-12-01", "2022-01-01", "2024-06-01"}
    assert contiguous_ranges(keys, ordered) == [("2021-01-01", "2021-03-01"),
                                                ("2021-12-01", "2022-01-01"),
                                                ("2024-06-01", "2024-06-01")]


def test_landed_payload_restages_exactly_the_months_of_its_period(fresh_database):
    wh = fresh_database
    sensor = landed_payloads_sensor(SOURCES, LOCATION.assets)
    resources = {"warehouse": WarehouseResource(url=wh.url)}
    archive = LandingArchive(wh)
    archive.sync_seed(ISPU.seed_entries())  # what landed before the sensor: not its business

    def tick(cursor):
        with dg.build_sensor_context(cursor=cursor, resources=resources) as context:
            return sensor(context)

    noted = tick(None)
    assert not noted.run_requests and json.loads(noted.cursor)["manifest_id"] > 0
    assert not tick(noted.cursor).run_requests

    landed = archive.land(ISPU.source_id, corrupted_ispu_2021(), origin="file:///ispu.csv",
                          landed_by="manual", period_start=dt.date(2021, 1, 1),
                          period_end=dt.date(2021, 12, 31))
    after_landing = tick(noted.cursor)
    [request] = after_landing.run_requests
    assert request.asset_selection == [ISPU.staging_key]
    assert (request.tags["dagster/asset_partition_range_start"],
            request.tags["dagster/asset_partition_range_end"]) == (YEAR_2021[0], YEAR_2021[-1])
    assert {k.name for k in request.asset_check_keys} == {"payload_reconciliation",
                                                         "gx_suite"}
    assert not tick(after_landing.cursor).run_requests

    archive.reject(landed.sha256, "garbled date, test")
    after_rejection = tick(after_landing.cursor)
    [again] = after_rejection.run_requests
    assert again.tags["dagster/asset_partition_range_start"] == YEAR_2021[0]

    # a payload without a period may hold any month: every partition, one run
    archive.land(ISPU.source_id, b"tanggal,stasiun\n", origin="file:///no-period.csv",
                 landed_by="manual")
    [everything] = tick(after_rejection.cursor).run_requests
    assert (everything.tags["dagster/asset_partition_range_start"],
            everything.tags["dagster/asset_partition_range_end"]) == (
        all_keys(monthly())[0], all_keys(monthly())[-1])


# -- freshness --------------------------------------------------------------------------------


def test_every_source_states_its_publisher_cadence_as_freshness():
    expected = {"berlin/blume_air_quality": "daily", "berlin/citizen_reports": "daily",
                "global/weather": "daily", "jakarta/ispu": "monthly",
                "berlin/traffic_detectors": "monthly", "berlin/telraam": "monthly",
                "jakarta/population": "yearly", "berlin/population": "yearly",
                "berlin/bike_counters": "yearly", "berlin/lor": "yearly"}
    cadence = {s.source_id: s.publisher_cadence for s in SOURCES}
    assert {k: cadence[k] for k in expected} == expected
    for spec in SOURCES:
        assert spec.publisher_cadence, spec.source_id
        for key in (spec.raw_key, spec.staging_key):
            policy = GRAPH.get(key).freshness_policy
            assert isinstance(policy, dg.FreshnessPolicy), key
        policy = GRAPH.get(spec.staging_key).freshness_policy
        days = {"daily": 2, "monthly": 40, "yearly": 400}[spec.publisher_cadence]
        assert policy.fail_window.to_timedelta() <= dt.timedelta(days=days + 0.1)


def test_partitioned_sources_have_a_partition_freshness_check():
    checks = {(k.asset_key, k.name) for k in GRAPH.asset_check_keys}
    for spec in SOURCES:
        has = (spec.staging_key, "freshness_check") in checks
        assert has == (spec.partitions is not None), spec.source_id
    assert set(DEADLINES) == {"daily", "monthly", "yearly"}
