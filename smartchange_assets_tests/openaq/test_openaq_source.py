"""global/openaq end to end in replay mode: no seed payloads (the only real replies are from
Guadalajara and stay test fixtures), and the optional source still materialises green."""

from smartchange_assets.global_.openaq.source import SOURCE

from ..seed_files import seed_entries
from ..source_harness import check_results, materialize_source


def test_optional_source_with_no_payloads_materialises_green(fresh_database):
    assert SOURCE.optional and seed_entries("global/openaq") == []
    result = materialize_source(SOURCE, fresh_database.url)
    assert result.success
    assert check_results(result) == {
        "global/raw/openaq:payload_freshness": True,  # replay mode: not judged
        "global/staging/openaq_measurements:payload_reconciliation": True,
        "global/staging/openaq_measurements:gx_suite": True}
    assert fresh_database.scalar("SELECT count(*) FROM staging.global_openaq_measurements") == 0
    assert fresh_database.scalar("SELECT count(*) FROM raw.payload_reconciliation"
                                 " WHERE source = 'global/openaq'") == 0
    raw = result.asset_materializations_for_node("global__raw__openaq")[0]
    assert raw.metadata["active_payloads"].value == 0


def test_a_non_optional_source_without_payloads_would_fail():
    # the flag is what makes "no payloads" acceptable: without it the gate reports the gap
    import dataclasses

    import pandas as pd

    from smartchange_assets.platform.parsing import QUARANTINE_COLUMNS
    from smartchange_assets.platform.reconciliation import reconciliation_findings

    strict = dataclasses.replace(SOURCE, optional=False)
    empty_q = pd.DataFrame(columns=["payload_sha256", "file_name", *QUARANTINE_COLUMNS])
    assert reconciliation_findings(strict, pd.DataFrame(), empty_q) == [
        "global/openaq: no active payloads to stage"]
    assert reconciliation_findings(SOURCE, pd.DataFrame(), empty_q) == []


def test_live_pages_landed_under_their_names_stage_green(fresh_database, monkeypatch):
    # A live run replayed with responses (real Guadalajara bodies, see test_openaq_live), landed
    # the way the raw asset lands a LivePayload (its file_name passed on), then
    # staged and checked by Dagster in replay mode.
    import json
    import re
    from datetime import UTC, datetime
    from pathlib import Path

    import responses

    from smartchange_assets.global_.openaq import live
    from smartchange_assets.platform.http import HttpClient
    from smartchange_assets.platform.landing import LandingArchive

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "openaq"
    locations = json.loads((fixtures / "openaq_v3_locations_guadalajara_2025-11-22.json")
                           .read_bytes())["results"]
    measurements = json.loads(
        (fixtures / "openaq_v3_measurements_sensor1179864_pm10_page1.json").read_bytes())
    served = []

    def days(request):
        # a different slice of the real items per sensor, so every page has its own bytes
        body = dict(measurements, results=measurements["results"][:100 + len(served)])
        body["meta"] = dict(measurements["meta"], found=len(body["results"]))
        served.append(len(body["results"]))
        return 200, {}, json.dumps(body, ensure_ascii=False).encode()

    monkeypatch.setattr(live, "CITIES", live.CITIES[1:])
    monkeypatch.setattr(live, "PARAMETERS", ("pm10",))
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, live.API_URL + "/locations", json={
            "meta": {"name": "openaq-api", "website": "/", "page": 1, "limit": 1000,
                     "found": len(locations)}, "results": locations})
        days_url = re.compile(re.escape(live.API_URL) + r"/sensors/\d+/days")
        rsps.add_callback(responses.GET, days_url, callback=days)
        payloads = live.fetch_live(HttpClient(min_interval_s=0, sleep=lambda s: None),
                                   now=datetime(2025, 11, 22, tzinfo=UTC),
                                   environ={"OPENAQ_API_KEY": "k"}, sleep=lambda s: None)
    archive = LandingArchive(fresh_database)
    for p in payloads:
        archive.land("global/openaq", p.fetched.content, origin=p.fetched.url,
                     landed_by="live", file_name=p.file_name, period_start=p.period_start,
                     period_end=p.period_end, request=p.fetched.request)

    result = materialize_source(SOURCE, fresh_database.url)
    assert result.success and all(check_results(result).values()), check_results(result)
    recon = fresh_database.read_frame(
        "SELECT file_name, source_rows, staged, error FROM raw.payload_reconciliation"
        " WHERE source = 'global/openaq' ORDER BY file_name")
    assert len(recon) == 1 + len(served) == 14 and recon["error"].isna().all()
    assert (recon["source_rows"] == recon["staged"]).all()
    rows = fresh_database.read_frame(
        "SELECT location_id, count(DISTINCT sensor_id) AS sensors, count(*) AS n"
        " FROM staging.global_openaq_measurements GROUP BY location_id ORDER BY location_id")
    assert len(rows) == 13 and set(rows["sensors"]) == {1}
    assert rows["n"].sum() == sum(served)
