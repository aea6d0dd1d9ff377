"""The UI as the client: webserver and daemon on loopback, driven through Dagster's GraphQL API
the way the UI drives it (launch, poll, read back materialisations and check executions).

The runs come from :func:`air_quality_incident` (conftest): the air-quality chain materialised
from the seed archive, then ISPU again with the 2021 export corrupted by hand (row 10's date
garbled, as in test_platform_end_to_end.py), which fails its blocking check.
"""

from __future__ import annotations

import pytest

from smartchange_assets.platform.landing import seed_entries

from .conftest import AIR_QUALITY_CHAIN, HELD_BACK, fingerprint

pytestmark = pytest.mark.slow

SOURCES = ("jakarta/ispu", "berlin/blume_air_quality")


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
    assets = dagster_ui.assets(AIR_QUALITY_CHAIN)
    assert set(assets) == set(AIR_QUALITY_CHAIN)
    checked = 0
    for key, node in assets.items():
        ours = [m for m in node["assetMaterializations"] if m["runId"] == first]
        assert ours, f"{key} not materialised by run {first}"
        rows = {e["label"]: e.get("intValue") for e in ours[0]["metadataEntries"]}
        if "/staging/" in key or key.startswith(("core/fact", "marts/")):
            assert rows["dagster/row_count"] > 0, key
        for check in node["assetChecksOrError"]["checks"]:
            executions = [e for e in dagster_ui.check_executions(key, check["name"])
                          if e["runId"] == first]
            assert [e["status"] for e in executions] == ["SUCCEEDED"], (key, check["name"])
            assert executions[0]["evaluation"]["success"] is True
            checked += 1
    # payload_reconciliation and gx_suite on three staging tables, gx_suite on fact and mart
    assert checked >= 8
    # and the warehouse agrees: every seed payload of both sources reconciles
    recon = dagster_ui.warehouse.read_frame(
        "SELECT * FROM raw.payload_reconciliation WHERE source = ANY(:s)", s=list(SOURCES))
    seeds = {e["sha256"] for source in SOURCES for e in seed_entries(source)}
    assert seeds <= set(recon["payload_sha256"])
    assert recon["error"].isna().all()
    assert (recon["staged"] + recon["no_data"] + recon["quarantined"]
            == recon["source_rows"]).all()


def test_failed_blocking_check_holds_back_downstream_and_alerts_exactly_once(
        dagster_ui, webhook, air_quality_incident):
    incident = air_quality_incident
    failed = incident["failed"]
    assert incident["failed_run"]["status"] == "FAILURE"
    # the check's result, with the message naming file, row and column, as the UI shows it
    [execution] = [e for e in dagster_ui.check_executions("jakarta/staging/ispu_daily",
                                                          "payload_reconciliation")
                   if e["runId"] == failed]
    assert execution["status"] == "FAILED"
    description = execution["evaluation"]["description"]
    assert "ispu-2021-downloaded-by-hand.csv: row 10, column 'tanggal'" in description

    # nothing downstream materialised: not in that run, not by the automation afterwards
    landed_at = incident["landed_at"]
    for key, node in dagster_ui.assets(HELD_BACK).items():
        later = [m for m in node["assetMaterializations"]
                 if int(m["timestamp"]) / 1000 > landed_at]
        assert later == [], key
    for table, before in incident["tables_before"].items():
        assert fingerprint(dagster_ui.warehouse, table) == before, table
    downstream_runs = [r for r in dagster_ui.runs_created_after(landed_at)
                       if r["runId"] != failed and any(
                           "/".join(k["path"]) in HELD_BACK for k in r["assetSelection"] or [])]
    assert downstream_runs == []

    # exactly one alert for the incident, and none before it
    assert incident["alerts_before"] == []
    assert [b["smartchange"]["run_id"] for b in webhook.received] == [failed]
    alert = webhook.received[0]
    body = alert["smartchange"]
    assert body["kind"] == "run_failure"
    assert [(c["asset"], c["check"]) for c in body["checks"]] == [
        ("jakarta/staging/ispu_daily", "payload_reconciliation")]
    assert set(HELD_BACK) <= set(body["held_back"])
    assert body["run_url"] == f"{dagster_ui.url}/runs/{failed}"
    assert f"{dagster_ui.url}/assets/jakarta/staging/ispu_daily?view=checks&checkDetail=" \
           "payload_reconciliation" in alert["text"]
    assert "row 10, column 'tanggal'" in alert["text"]
