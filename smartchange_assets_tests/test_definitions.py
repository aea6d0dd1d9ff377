"""The code location loads, and its graph is what a data engineer expects to see in the UI."""

import dagster as dg

from smartchange_assets.definitions import SOURCES, defs
from smartchange_assets.platform.spec import GX_SUITE_CHECK, RECONCILIATION_CHECK


def _graph():
    return defs.resolve_asset_graph()


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in _graph().get_all_asset_keys()}
    assert {
        "jakarta/raw/ispu", "jakarta/staging/ispu_daily",
        "berlin/raw/blume_air_quality", "berlin/staging/air_quality_hourly",
        "berlin/staging/air_quality_daily", "core/ref_air_quality_standards",
        "core/fact_air_quality_daily", "marts/air_quality_monthly",
    } <= keys


def test_lineage_runs_from_raw_payloads_to_the_mart():
    graph = _graph()
    mart = dg.AssetKey(["marts", "air_quality_monthly"])
    upstream, todo = set(), [mart]
    while todo:
        key = todo.pop()
        for parent in graph.get(key).parent_keys:
            if parent not in upstream:
                upstream.add(parent)
                todo.append(parent)
    for spec in (s for s in SOURCES if s.group == "air_quality"):
        assert spec.raw_key in upstream
        assert spec.staging_key in upstream


def test_every_staging_table_has_blocking_checks():
    graph = _graph()
    for spec in SOURCES:
        checks = {k.name: graph.get_check_spec(k) for k in graph.asset_check_keys
                  if k.asset_key == spec.staging_key}
        assert {RECONCILIATION_CHECK, GX_SUITE_CHECK} <= set(checks)
        assert checks[RECONCILIATION_CHECK].blocking and checks[GX_SUITE_CHECK].blocking
    for key in ("core/fact_air_quality_daily", "marts/air_quality_monthly",
                "berlin/staging/air_quality_daily"):
        asset_key = dg.AssetKey.from_user_string(key)
        specs = [graph.get_check_spec(k) for k in graph.asset_check_keys
                 if k.asset_key == asset_key]
        assert specs and all(s.blocking for s in specs), key


def test_nightly_schedule_and_retry_policy():
    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Jakarta"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    for spec in SOURCES:
        raw = defs.resolve_assets_def(spec.raw_key)
        assert raw.op.retry_policy is not None and raw.op.retry_policy.max_retries >= 1


def test_tables_carry_schema_and_fact_has_column_lineage():
    graph = _graph()
    fact = graph.get(dg.AssetKey(["core", "fact_air_quality_daily"]))
    assert "dagster/column_schema" in fact.metadata
    from smartchange_assets.air_quality.fact import FACT

    lineage = FACT.column_lineage.deps_by_column
    assert {d.asset_key for d in lineage["concentration_ugm3"]} >= {
        dg.AssetKey(["jakarta", "staging", "ispu_daily"]),
        dg.AssetKey(["berlin", "staging", "air_quality_daily"])}
