"""CRM dashboard connector: replies built from the real 15-report sample (code, category,
kelurahan, problem text and date are the sample's; the JSON envelope follows
docs/sources/jakarta-citizen-reports.md §2),
replayed with ``responses`` through the real HttpClient, and one live-mode run through Dagster
on a real Postgres."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import dagster as dg
import pytest
import requests
import responses

from smartchange_assets.jakarta.citizen_reports.live import (
    CRM_DISTRIBUTION_URL,
    CrmPayloadError,
    crm_window_params,
    fetch_crm_window,
    live_months,
)
from smartchange_assets.jakarta.citizen_reports.parser import parse_citizen_reports
from smartchange_assets.jakarta.citizen_reports.source import SOURCE, fetch_live
from smartchange_assets.platform.http import HttpClient, HttpError
from smartchange_assets.platform.pii import find_pii
from smartchange_assets.platform.resources import PortalResource, WarehouseResource
from smartchange_assets.platform.source_assets import build_source

from ..seed_files import SEED
from ..source_harness import check_results, upstream_assets

FILE = (SEED / "jakarta" / "citizen_reports"
        / "crm_test_predictions_dinov2_e5_not_pooled.SAMPLE.csv")


def report_date(report_id: str) -> dt.date:
    return dt.date(2000 + int(report_id[2:4]), int(report_id[4:6]), int(report_id[6:8]))


def real_items() -> list[dict]:
    """The sample as dashboard items. Planted (the sample has none): the address line, the
    coordinates and the status. createdAt is the real date at 08:00 Jakarta time (+07:00)."""
    records = csv.DictReader(io.StringIO(FILE.read_bytes().decode("utf-8"), newline=""))
    items = []
    for i, rec in enumerate(records):
        content = (f"Permasalahan: {rec['description']}\nKategori: {rec['category']}\n"
                   f"Lokasi: {rec['location']}\nDetail Alamat Laporan: Jl. Anggrek No. {i + 2}")
        items.append({"id": 800_000 + i, "code": rec["report_id"], "content": content,
                      "lat": -6.19, "lng": 106.82, "tstatus": {"name": "Selesai"},
                      "complaintCategory": {"name": rec["category"]},
                      "zone": {"name": rec["location"]},
                      "createdAt": f"{report_date(rec['report_id'])}T08:00:00+07:00"})
    return items


ITEMS = real_items()


def window_reply(start: dt.date, end: dt.date) -> bytes:
    chosen = [it for it in ITEMS if start <= report_date(it["code"]) <= end]
    return json.dumps(chosen, ensure_ascii=False).encode("utf-8")


class Dashboard:
    """CRM stand-in: answers each window with the sample reports created in it; ``faults`` maps
    a request number (1-based) to a reply (or exception) to send instead."""

    def __init__(self, rsps, faults: dict | None = None):
        self.faults = faults or {}
        self.queries: list[dict] = []
        rsps.add_callback(responses.GET, CRM_DISTRIBUTION_URL, callback=self.answer)

    def answer(self, request):
        query = {k: v[0] for k, v in parse_qs(urlparse(request.url).query,
                                              keep_blank_values=True).items()}
        self.queries.append(query)
        fault = self.faults.get(len(self.queries))
        if isinstance(fault, Exception):
            raise fault
        if fault is not None:
            return fault
        body = window_reply(dt.date.fromisoformat(query["dateStart"]),
                            dt.date.fromisoformat(query["dateEnd"]))
        return 200, {"Content-Type": "application/json"}, body


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(sleeps) -> HttpClient:
    return HttpClient(min_interval_s=0, sleep=sleeps.append, max_attempts=3,
                      now=lambda: datetime(2024, 1, 2, tzinfo=UTC))


END_OF_2023 = dt.date(2023, 12, 31)


def test_window_params_and_months():
    assert crm_window_params(dt.date(2023, 11, 1), dt.date(2023, 11, 30)) == {
        "dateStart": "2023-11-01", "dateEnd": "2023-11-30", "zoneId": "", "isPrivacy": "0"}
    with pytest.raises(ValueError):
        crm_window_params(dt.date(2023, 2, 1), dt.date(2023, 1, 31))
    assert live_months(dt.date(2024, 2, 10)) == [
        (dt.date(2023, 12, 1), dt.date(2023, 12, 31)), (dt.date(2024, 1, 1),
                                                        dt.date(2024, 1, 31)),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 10))]


def test_one_request_per_month_window_with_the_real_reports(rsps, client, sleeps):
    dashboard = Dashboard(rsps)
    payloads = fetch_live(client, today=END_OF_2023)
    assert [q["dateStart"] for q in dashboard.queries] == ["2023-10-01", "2023-11-01",
                                                           "2023-12-01"]
    assert [(p.period_start, p.period_end) for p in payloads] == [
        (dt.date(2023, 10, 1), dt.date(2023, 10, 31)),
        (dt.date(2023, 11, 1), dt.date(2023, 11, 30)),
        (dt.date(2023, 12, 1), dt.date(2023, 12, 31))]
    assert all(q["isPrivacy"] == "0" and q["zoneId"] == "" for q in dashboard.queries)
    counts = [len(json.loads(p.fetched.content)) for p in payloads]
    assert counts == [0, 2, 2]  # the sample has JK2311…×2 and JK2312…×2
    december = parse_citizen_reports(payloads[2].fetched.content, "2023-12.json").staged
    assert list(december["report_id"]) == ["JK2312170197", "JK2312240066"]
    assert list(december["created_at_utc"].dt.hour) == [1, 1]  # 08:00 +07:00
    assert sleeps == []


def test_429_with_retry_after_is_honoured(rsps, client, sleeps):
    Dashboard(rsps, {1: (429, {"Retry-After": "12"}, b"Too Many Requests")})
    window = fetch_crm_window(client, dt.date(2023, 7, 1), dt.date(2023, 7, 31))
    assert len(json.loads(window.content)) == 3 and sleeps == [12]


def test_500_then_success(rsps, client, sleeps):
    dashboard = Dashboard(rsps, {1: (500, {}, b"<html>Server Error</html>")})
    window = fetch_crm_window(client, dt.date(2023, 6, 1), dt.date(2023, 6, 30))
    assert len(json.loads(window.content)) == 2
    assert len(dashboard.queries) == 2 and len(sleeps) == 1


def test_timeout_then_success_and_timeouts_only(rsps, client, sleeps):
    Dashboard(rsps, {1: requests.exceptions.ReadTimeout("read timed out"),
                     3: requests.exceptions.ConnectTimeout("timed out"),
                     4: requests.exceptions.ConnectTimeout("timed out"),
                     5: requests.exceptions.ConnectTimeout("timed out")})
    assert fetch_crm_window(client, dt.date(2023, 3, 1), dt.date(2023, 3, 31)).status == 200
    with pytest.raises(HttpError) as err:
        fetch_crm_window(client, dt.date(2023, 4, 1), dt.date(2023, 4, 30))
    assert CRM_DISTRIBUTION_URL in str(err.value)


def test_truncated_body_fails_loudly(rsps, client):
    full = window_reply(dt.date(2023, 7, 1), dt.date(2023, 7, 31))
    cut = (200, {"Content-Length": str(len(full))}, full[:len(full) // 2])
    Dashboard(rsps, {1: cut, 2: cut, 3: cut})
    with pytest.raises(HttpError):
        fetch_crm_window(client, dt.date(2023, 7, 1), dt.date(2023, 7, 31))


@pytest.mark.parametrize("body", [
    pytest.param(lambda full: full[:len(full) - 40], id="cut-json-no-content-length"),
    pytest.param(lambda full: b"<!DOCTYPE html><title>Login</title>", id="html-page"),
    pytest.param(lambda full: b'{"data": []}', id="envelope-not-a-list"),
    pytest.param(lambda full: b'[{"id": 1, "content": "tanpa kode"}]', id="item-without-code"),
])
def test_body_that_is_not_a_report_list_is_refused(rsps, client, body):
    full = window_reply(dt.date(2023, 7, 1), dt.date(2023, 7, 31))
    Dashboard(rsps, {1: (200, {}, body(full))})
    with pytest.raises(CrmPayloadError) as err:
        fetch_crm_window(client, dt.date(2023, 7, 1), dt.date(2023, 7, 31))
    assert CRM_DISTRIBUTION_URL in str(err.value)


# --------------------------------------------------------------------------------------------
# live mode through Dagster on a real Postgres


def live_spec():
    return dataclasses.replace(SOURCE, fetch_live=lambda c: fetch_live(c, today=END_OF_2023))


def run_live(url: str):
    spec = live_spec()
    assets, checks = build_source(spec), []
    return dg.materialize([*upstream_assets(spec), *assets, *checks], raise_on_error=False,
                          resources={
        "warehouse": WarehouseResource(url=url),
        "portal": PortalResource(mode="live", max_attempts=1)})


def test_live_run_lands_each_window_and_stages_without_personal_data(rsps, fresh_database):
    Dashboard(rsps)
    result = run_live(fresh_database.url)
    assert result.success
    checks = check_results(result)
    assert checks and all(checks.values()), checks
    # the seed sample is archive history in both modes; the three windows come on top
    manifest = fresh_database.read_frame(
        "SELECT sha256, period_start, http_status FROM raw.landing_manifest "
        "WHERE source = :s AND landed_by = 'live' ORDER BY period_start", s=SOURCE.source_id)
    assert [str(d) for d in manifest["period_start"]] == ["2023-10-01", "2023-11-01",
                                                          "2023-12-01"]
    assert set(manifest["http_status"]) == {200}
    table = fresh_database.read_frame("SELECT * FROM staging.jakarta_citizen_reports")
    live = table[table["payload_sha256"].isin(manifest["sha256"])]
    assert sorted(live["report_id"]) == ["JK2311050419", "JK2311250441", "JK2312170197",
                                         "JK2312240066"]
    assert set(live["status"]) == {"Selesai"} and len(table) == 15 + 4
    for column in ("description_redacted", "kelurahan_name", "category", "category_raw"):
        assert all(find_pii(v) == [] for v in table[column].dropna())
    assert "Anggrek" not in " ".join(table["description_redacted"])


def test_live_run_with_a_truncated_window_lands_nothing(rsps, fresh_database, monkeypatch):
    # the raw asset's own retry policy (30 s, then exponential) would re-run the whole fetch;
    # switched off so the one failed attempt is what is observed
    from smartchange_assets.platform import source_assets as platform_source

    monkeypatch.setattr(platform_source, "SOURCE_RETRY", dg.RetryPolicy(max_retries=0))
    full = window_reply(dt.date(2023, 11, 1), dt.date(2023, 11, 30))
    # October arrives whole; November is cut short of its Content-Length
    Dashboard(rsps, {2: (200, {"Content-Length": str(len(full))}, full[:100])})
    result = run_live(fresh_database.url)
    assert not result.success
    landed = fresh_database.scalar(
        "SELECT count(*) FROM raw.landing_manifest WHERE source = :s AND landed_by = 'live'",
        s=SOURCE.source_id)
    assert landed == 0  # not even the complete October window
