"""Concurrency: run-queue limits and portal pools in dagster.yaml, a pool for every portal,
and two writers of one table serialised by the warehouse's advisory lock."""

from __future__ import annotations

import threading
import time

import dagster as dg
import pandas as pd
import pytest
import sqlalchemy as sa
import yaml

from smartchange_assets.definitions import LOCATION, SOURCES
from smartchange_assets.platform.source_assets import build_source
from smartchange_assets.platform.tables import Column, TableSpec
from smartchange_assets_tests.conftest import REPO

PROBE = TableSpec("staging", "ops_lock_probe", (
    Column("id", "integer", nullable=False), Column("writer", "text", nullable=False),
), ("id",), "two writers of one table")


def _frame(writer: str, rows: int) -> pd.DataFrame:
    return pd.DataFrame({"id": range(rows), "writer": writer})


def _select(writer: str, rows: int) -> str:
    return f"SELECT g, '{writer}' FROM generate_series(0, {rows - 1}) g"


def _waiting_on_advisory_lock(wh) -> int:
    return int(wh.scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"))


@pytest.mark.parametrize("second_writer", ["replace_table", "replace_table_from_sql"])
def test_two_writers_of_one_table_serialise_and_never_mix_rows(fresh_database, second_writer):
    wh = fresh_database
    wh.replace_table(PROBE, _frame("v0", 500))
    inside, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    done: dict[str, int] = {}

    def hold(conn: sa.Connection) -> None:  # runs inside writer a's transaction
        inside.set()
        assert release.wait(30), "never released"

    def writer_a():
        try:
            done["a"] = wh.replace_table(PROBE, _frame("a", 1000), also=hold)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    def writer_b():
        try:
            if second_writer == "replace_table":
                done["b"] = wh.replace_table(PROBE, _frame("b", 1500))
            else:
                done["b"] = wh.replace_table_from_sql(PROBE, _select("b", 1500))
        except BaseException as exc:
            errors.append(exc)

    a = threading.Thread(target=writer_a)
    a.start()
    assert inside.wait(30)
    b = threading.Thread(target=writer_b)
    b.start()
    deadline = time.monotonic() + 30
    while _waiting_on_advisory_lock(wh) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    # b waits for a's lock; readers meanwhile see the previous version, whole
    assert _waiting_on_advisory_lock(wh) == 1
    assert "b" not in done
    seen = wh.read_frame(f"SELECT writer, count(*) AS n FROM {PROBE.qualified} GROUP BY 1")
    assert seen.to_dict("records") == [{"writer": "v0", "n": 500}]
    release.set()
    a.join(60)
    b.join(60)
    assert not errors, errors
    assert done == {"a": 1000, "b": 1500}
    # b committed last, and its version is whole: no row of a or v0 survives next to it
    final = wh.read_frame(f"SELECT writer, count(*) AS n FROM {PROBE.qualified} GROUP BY 1")
    assert final.to_dict("records") == [{"writer": "b", "n": 1500}]


def _instance_config() -> dict:
    return yaml.safe_load((REPO / "dagster.yaml").read_text())


def test_dagster_yaml_sets_run_queue_and_pool_limits():
    from dagster._config import validate_config
    from dagster._core.instance.config import dagster_instance_config_schema

    config = _instance_config()
    assert validate_config(dagster_instance_config_schema(), config).success
    runs = config["concurrency"]["runs"]
    assert runs["max_concurrent_runs"] == 3
    limits = {(rule["key"], str(rule.get("value"))): rule["limit"]
              for rule in runs["tag_concurrency_limits"]}
    assert limits[("dagster/job_name", "refresh_all")] == 1
    assert limits[("dagster/backfill", "{'applyLimitPerUniqueValue': True}")] == 1
    assert config["concurrency"]["pools"] == {"default_limit": 1, "granularity": "op"}
    # Dagster refuses run-queue limits in two places at once
    assert "config" not in config["run_coordinator"]


def test_the_repo_instance_applies_those_limits(database_urls, monkeypatch, tmp_path):
    monkeypatch.setenv("SMARTCHANGE_DAGSTER_PG_URL", database_urls.dagster)
    monkeypatch.setenv("SMARTCHANGE_DAGSTER_STORAGE", str(tmp_path / "storage"))
    monkeypatch.setenv("SMARTCHANGE_COMPUTE_LOGS", str(tmp_path / "logs"))
    instance = dg.DagsterInstance.from_config(str(REPO))
    try:
        queue = instance.get_concurrency_config().run_queue_config
        assert queue.max_concurrent_runs == 3
        pools = instance.get_concurrency_config().pool_config
        assert pools.default_pool_limit == 1 and pools.pool_granularity.value == "op"
        # a portal's pool gets the default limit the first time a step claims it
        instance.event_log_storage.initialize_concurrency_limit_to_default("open-meteo")
        assert instance.event_log_storage.get_concurrency_info("open-meteo").slot_count == 1
    finally:
        instance.dispose()


def test_every_source_that_calls_a_portal_has_a_pool():
    live = [s.source_id for s in SOURCES if s.fetch_live is not None]
    assert live and all(s.pool for s in SOURCES if s.fetch_live is not None)
    # a pool is a portal: sources of one operator share it (one fetch at a time across runs)
    pools = {s.source_id: s.pool for s in SOURCES}
    assert pools["jakarta/ispu"] == pools["jakarta/flood"] == "satudata"
    assert pools["berlin/blume_air_quality"] == pools["berlin/blume_stations"]


def test_a_spec_with_a_live_connector_but_no_pool_is_refused():
    import dataclasses

    spec = next(s for s in SOURCES if s.fetch_live is not None)
    with pytest.raises(ValueError, match="names the pool"):
        dataclasses.replace(spec, pool=None)


def test_each_portals_pool_is_on_its_raw_asset_only():
    for spec in SOURCES:
        raw, staging = build_source(spec)
        assert raw.op.pool == spec.pool, spec.source_id
        assert staging.op.pool is None  # staging works in the warehouse


def test_the_code_location_uses_the_pools():
    assets = {key: a for a in LOCATION.assets for key in a.keys}
    pools = {spec.source_id: assets[spec.raw_key].op.pool for spec in SOURCES}
    assert pools == {s.source_id: s.pool for s in SOURCES}
