"""The UI as the client: webserver and daemon on loopback, driven through Dagster's GraphQL API
the way the UI drives it (launch, poll, read back materialisations and check executions).

The runs come from :func:`air_quality_incident` (conftest): Berlin's air quality materialised
from the seed archive through to the daily means, then again after a BLUME file corrupted by
hand was landed (item 10's timestamp garbled, like the ISPU file of
test_platform_end_to_end.py), which fails the blocking reconciliation check in between.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ..seed_files import seed_entries
from .conftest import (
    BERLIN_AIR,
    CORRUPTED_BLUME_NAME,
    FAILING_ASSET,
    FAILING_CHECK,
    HELD_BACK,
    about_our_assets,
    fingerprint,
)

pytestmark = pytest.mark.slow

SOURCE = "berlin/blume_air_quality"


def test_code_location_loads_with_alert_sensors_running(dagster_ui):
    entry = dagster_ui.location_entry()
    assert entry["loadStatus"] == "LOADED"
    assert entry["locationOrLoadError"]["repositories"] == [{"name": "__repository__"}]
    for name in ("run_failure_alert", "check_failure_alert"):
        sensor = dagster_ui.sensor(name)
        assert sensor["sensorState"]["status"] == "RUNNING", sensor  # on by default


def test_launched_run_materialises_the_chain_and_every_check_passes(dagster_ui,
                                                                    air_quality_incident):
    first = air_quality_incident["first"]
    assert air_quality_incident["first_run"]["status"] == "SUCCESS"
    assets = dagster_ui.assets(BERLIN_AIR)
    assert set(assets) == set(BERLIN_AIR)
    materialised = dagster_ui.run(first)["assetMaterializations"]
    checked = 0
    for key, node in assets.items():
        # a run over a partition range records one materialisation per partition
        ours = [m for m in materialised if "/".join(m["assetKey"]["path"]) == key]
        assert ours, f"{key} not materialised by run {first}"
        if node["isPartitioned"]:
            assert sorted(m["partition"] for m in ours) == node["partitionKeys"], key
        if "/staging/" in key:
            rows = [e.get("intValue") for m in ours for e in m["metadataEntries"]
                    if e["label"] == "dagster/row_count"]
            assert max(rows) > 0, key
        for check in node["assetChecksOrError"]["checks"]:
            # one execution per partition of the run; a check that evaluates the whole range
            # at once leaves the other partitions' executions SKIPPED
            executions = dagster_ui.check_executions(key, check["name"], run_id=first)
            statuses = {e["status"] for e in executions}
            assert "SUCCEEDED" in statuses and statuses <= {"SUCCEEDED", "SKIPPED"}, \
                (key, check["name"], statuses)
            assert all(e["evaluation"]["success"] for e in executions if e["evaluation"])
            checked += 1
    # payload_reconciliation and gx_suite on the hourly table, gx_suite on the daily means
    assert checked >= 3
    # and the warehouse agrees: every seed payload reconciles
    recon = dagster_ui.warehouse.read_frame(
        "SELECT * FROM raw.payload_reconciliation WHERE source = :s", s=SOURCE)
    assert {e.sha256 for e in seed_entries(SOURCE)} <= set(recon["payload_sha256"])
    assert recon["error"].isna().all()
    assert (recon["staged"] + recon["no_data"] + recon["quarantined"]
            == recon["source_rows"]).all()


def test_failed_blocking_check_holds_back_downstream_and_alerts_exactly_once(
        dagster_ui, webhook, air_quality_incident):
    incident = air_quality_incident
    failed = incident["failed"]
    assert incident["raw_run"]["status"] == "SUCCESS"  # landing it is not the problem
    assert incident["failed_run"]["status"] == "FAILURE"
    # the check's result, with the message naming file, row and column, as the UI shows it
    executions = dagster_ui.check_executions(FAILING_ASSET, FAILING_CHECK, run_id=failed)
    # the evaluation failed; its step failing with it, the run's partitions read "execution
    # failed"
    assert {e["status"] for e in executions} == {"FAILED", "EXECUTION_FAILED"}
    [evaluated] = [e for e in executions if e["status"] == "FAILED"]
    assert evaluated["evaluation"]["success"] is False
    assert f"{CORRUPTED_BLUME_NAME}: row 10, column 'datetime'" in \
        evaluated["evaluation"]["description"]

    # nothing downstream materialised: not in that run, not by automation or sensors
    landed_at = incident["landed_at"]
    for key, node in dagster_ui.assets(HELD_BACK).items():
        later = [m for m in node["assetMaterializations"]
                 if int(m["timestamp"]) / 1000 > landed_at]
        assert later == [], key
    for table, before in incident["tables_before"].items():
        assert fingerprint(dagster_ui.warehouse, table) == before, table
    runs_since = dagster_ui.runs_created_after(landed_at)
    downstream_runs = [r for r in runs_since if r["runId"] != failed and any(
        "/".join(k["path"]) in HELD_BACK for k in r["assetSelection"] or [])]
    assert downstream_runs == []

    # exactly one alert, none before: the first run that failed the check opened the
    # incident; every later failure of the same check for the same reason is that incident
    assert incident["alerts_before"] == []
    failing_runs = [r["runId"] for r in runs_since if r["status"] == "FAILURE"]
    assert failed in failing_runs
    ours = [b for b in webhook.received if about_our_assets(b)]
    others = [b["summary"] for b in webhook.received if not about_our_assets(b)]
    assert len(ours) == 1, ([b["summary"] for b in ours], "other incidents:", others)
    alert = ours[0]
    body = alert["smartchange"]
    assert body["kind"] == "run_failure" and body["run_id"] in failing_runs
    assert [(c["asset"], c["check"], c["new"]) for c in body["checks"]] == [
        (FAILING_ASSET, FAILING_CHECK, True)]
    assert body["run_url"] == f"{dagster_ui.url}/runs/{body['run_id']}"
    assert f"{dagster_ui.url}/assets/{FAILING_ASSET}?view=checks&checkDetail={FAILING_CHECK}" \
        in alert["text"]
    assert "row 10, column 'datetime'" in alert["text"]


# Runs last (marker, see conftest): it replaces the 2023 partitions of the hourly table, and with
# them the check results the other UI tests read.
YEAR_2023 = [f"2023-{month:02d}-01" for month in range(1, 13)]
HOURLY = "staging.berlin_air_quality_hourly"


def _months(wh) -> dict[str, str]:
    """Fingerprint of each month's rows of the hourly table."""
    frame = wh.read_frame(
        f"SELECT to_char(local_date, 'YYYY-MM-01') AS month, md5(string_agg(t::text, '|' "
        f"ORDER BY t::text)) AS rows FROM {HOURLY} t GROUP BY 1")
    return dict(zip(frame["month"], frame["rows"]))


@pytest.mark.rewrites_check_history
def test_backfill_of_twelve_months_replaces_exactly_those_partitions(dagster_ui,
                                                                     air_quality_incident):
    wh = dagster_ui.warehouse
    full = _months(wh)  # as the full refresh of all partitions left it
    assert set(YEAR_2023) <= set(full)  # the 2023 export covers every month
    # damage two months inside the range and one outside it
    with wh.transaction() as conn:
        conn.execute(sa.text(f"DELETE FROM {HOURLY} WHERE local_date BETWEEN '2023-06-01' "
                             "AND '2023-06-30'"))
        for day in ("2023-02-14", "2022-05-14"):
            conn.execute(sa.text(f"UPDATE {HOURLY} SET value = value + 1000 WHERE ctid = "
                                 f"(SELECT ctid FROM {HOURLY} WHERE local_date = :d LIMIT 1)"),
                         {"d": day})
    damaged = _months(wh)
    assert damaged["2022-05-01"] != full["2022-05-01"] and "2023-06-01" not in damaged

    backfill_id = dagster_ui.backfill(BERLIN_AIR[:2], YEAR_2023, "a year of BLUME")
    backfill = dagster_ui.wait_backfill(backfill_id)
    assert backfill["status"] in ("COMPLETED", "COMPLETED_SUCCESS"), backfill
    assert backfill["numPartitions"] == 12
    # the single-run backfill policy: one run does the staging table's range (the raw asset,
    # unpartitioned, lands in a run of its own first), never one run per month
    runs = backfill["runs"]
    assert 1 <= len(runs) <= 2, [r["runId"] for r in runs]
    materialised = []
    for run in runs:
        assert run["status"] == "SUCCESS", dagster_ui.failures(run["runId"])
        materialised += dagster_ui.run(run["runId"])["assetMaterializations"]
    staged = [m for m in materialised if "/".join(m["assetKey"]["path"]) == FAILING_ASSET]
    assert sorted(m["partition"] for m in staged) == YEAR_2023
    [ranged] = [r for r in runs if any(t["key"] == "dagster/asset_partition_range_start"
                                       for t in r["tags"])]
    tags = {t["key"]: t["value"] for t in ranged["tags"]}
    assert (tags["dagster/asset_partition_range_start"],
            tags["dagster/asset_partition_range_end"]) == ("2023-01-01", "2023-12-01")

    after = _months(wh)
    # the twelve months are what the full refresh produced, damage repaired ...
    assert {m: after[m] for m in YEAR_2023} == {m: full[m] for m in YEAR_2023}
    # ... and no other month was touched: the damage outside the range is still there
    outside = set(full) - set(YEAR_2023)
    assert {m: after[m] for m in outside} == {m: damaged[m] for m in outside}
