"""jakarta/flood end to end (Dagster on a real Postgres, from the seed) and its live connector.

Live replies are satudata envelopes BUILT FROM THE REAL ROWS of the seed files, replayed with
``responses`` through the real HttpClient.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, datetime

import dagster as dg
import pandas as pd
import pytest
import requests
import responses

from smartchange_assets.jakarta.flood.checks import CHECK_NAME
from smartchange_assets.jakarta.flood.live import FLOOD_SLUGS, fetch_live
from smartchange_assets.jakarta.flood.parser import parse_flood
from smartchange_assets.jakarta.flood.source import SOURCE
from smartchange_assets.jakarta.satudata import SATUDATA_DETAIL_URL, SatudataError
from smartchange_assets.platform.http import HttpClient, HttpError

from ..seed_files import SEED, seed_entries
from ..source_harness import check_results, materialize_source

SEED = SEED / "jakarta" / "flood"
F1 = "data-kejadian-bencana-banjir-provinsi-dki-jakarta-2020-bulan-januari-maret_tes.csv"
F2 = "data-kejadian-bencana-banjir.csv"
F3 = "banjir-2024.csv"
F4 = "banjir_2019-10_to_2020-09_kelompok-mulki.csv"
COUNTS = {F1: (363, 363, 0, 0), F2: (157, 155, 2, 0), F3: (260, 260, 0, 0),
          F4: (902, 843, 0, 59)}
BOM = b"\xef\xbb\xbf"


# --------------------------------------------------------------------------------------------
# end to end


def test_flood_materialises_from_its_seed_with_green_checks(fresh_database):
    result = materialize_source(SOURCE, fresh_database.url)
    assert result.success
    checks = check_results(result, of=SOURCE.staging_key)
    assert set(checks) == {f"jakarta/staging/flood_events:{name}" for name in
                           ("payload_reconciliation", "gx_suite", CHECK_NAME,
                            "area_resolution")}
    assert all(checks.values()), checks

    recon = fresh_database.read_frame(
        "SELECT * FROM raw.payload_reconciliation WHERE source = 'jakarta/flood'")
    assert set(recon["payload_sha256"]) == {e.sha256 for e in seed_entries("jakarta/flood")}
    got = {r.file_name: (r.source_rows, r.staged, r.no_data, r.quarantined)
           for r in recon.itertuples()}
    assert got == COUNTS
    assert recon["error"].isna().all()

    table = fresh_database.read_frame(
        "SELECT variant, count(*) AS n, sum(no_flood::int) AS no_flood,"
        " bool_and(evacuee_columns_suspect) AS suspect, min(event_month) AS first,"
        " max(event_month) AS last FROM staging.jakarta_flood_events GROUP BY variant"
        " ORDER BY variant")
    assert table.to_dict("records") == [
        {"variant": "F1", "n": 363, "no_flood": 0, "suspect": True,
         "first": pd.Timestamp("2020-01-01").date(), "last": pd.Timestamp("2020-03-01").date()},
        {"variant": "F2", "n": 155, "no_flood": 14, "suspect": True,
         "first": pd.Timestamp("2023-01-01").date(), "last": pd.Timestamp("2023-07-01").date()},
        {"variant": "F3", "n": 260, "no_flood": 0, "suspect": False,
         "first": pd.Timestamp("2024-01-01").date(), "last": pd.Timestamp("2024-12-01").date()},
        {"variant": "F4", "n": 843, "no_flood": 0, "suspect": True,
         "first": pd.Timestamp("2019-10-01").date(), "last": pd.Timestamp("2020-09-01").date()},
    ]
    susukan = fresh_database.read_frame(
        "SELECT event_dates, event_dates_is_range, event_date_first, event_date_last"
        " FROM staging.jakarta_flood_events WHERE variant = 'F1' AND source_row = 119")
    assert susukan.iloc[0]["event_dates"] == "2020-01-01;2020-01-05"
    assert susukan.iloc[0]["event_dates_is_range"]

    (evacuee,) = [e for e in result.get_asset_check_evaluations() if e.check_name == CHECK_NAME]
    assert evacuee.metadata["payloads_suspect"].value == 3  # F1, F2 and F4 (F1's rows again)
    assert evacuee.metadata["payloads_disagreeing"].value == 0
    assert "98 of 155" in evacuee.description and "shelters 7-179" in evacuee.description


def test_evacuee_check_warns_without_blocking_when_a_swap_is_not_marked(fresh_database):
    # fault built from the real files: a parser that forgets the mark on every payload
    def unmarked(data: bytes, file_name: str):
        result = parse_flood(data, file_name)
        result.staged["evacuee_columns_suspect"] = False
        return result

    result = materialize_source(dataclasses.replace(SOURCE, parser=unmarked),
                                fresh_database.url)
    assert result.success  # not blocking: the staging table is written and stays in use
    checks = check_results(result)
    assert checks[f"jakarta/staging/flood_events:{CHECK_NAME}"] is False
    assert checks["jakarta/staging/flood_events:gx_suite"]
    (evacuee,) = [e for e in result.get_asset_check_evaluations() if e.check_name == CHECK_NAME]
    assert evacuee.severity == dg.AssetCheckSeverity.WARN
    assert evacuee.metadata["payloads_disagreeing"].value == 3
    assert evacuee.description.count("NOT marked") == 3


# --------------------------------------------------------------------------------------------
# live connector


SYSTEM = {"user_id": 4, "tanggal_upload": "2024-02-01 10:00:00", "tanggal_update": None,
          "uid_upload": "u", "batch_upload": 1, "jadwal_rilis": "Triwulanan",
          "created_at": "2024-02-01T03:00:00Z", "updated_at": None}


def real_rows(name: str) -> list[dict]:
    records = csv.DictReader(io.StringIO((SEED / name).read_bytes().decode(), newline=""))
    return [{"rn": rn, **rec, "id": rn, **SYSTEM} for rn, rec in enumerate(records, start=1)]


def reply(rows: list[dict], total: int, year: str) -> bytes:
    envelope = {"data": {"title": "Data Kejadian Bencana Banjir"}, "filedata": rows,
                "totalFiledata": total, "periodeData": [{"periode_data": year}]}
    return BOM + json.dumps(envelope, ensure_ascii=False).encode()


class Portal:
    """Satudata stand-in: each slug serves real rows, 100 per page, by page_url and data_no."""

    def __init__(self, rsps, datasets: dict[str, tuple[list[dict], str]]):
        self.datasets, self.asked = datasets, []
        rsps.add_callback(responses.POST, SATUDATA_DETAIL_URL, callback=self.answer)

    def answer(self, request):
        body = json.loads(request.body)
        self.asked.append((body["page_url"], body["data_no"]))
        rows, year = self.datasets.get(body["page_url"], ([], "2019"))
        start = (body["data_no"] - 1) * body["per_page"]
        return 200, {}, reply(rows[start:start + body["per_page"]], len(rows), year)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client() -> HttpClient:
    return HttpClient(min_interval_s=0, sleep=lambda s: None, max_attempts=3,
                      now=lambda: datetime(2024, 4, 2, tzinfo=UTC))


def test_fetch_live_pages_every_slug_and_the_parser_reads_the_pages(rsps, client):
    portal = Portal(rsps, {"data-kejadian-bencana-banjir": (real_rows(F2), "2023"),
                           "data-kejadian-bencana-banjir-tahun-2024": (real_rows(F3), "2024")})
    payloads = fetch_live(client)
    # 157 rows -> 2 pages, 260 -> 3 pages, the three other slugs answer one empty page
    assert len(payloads) == 2 + 3 + 3
    assert [slug for slug, _ in portal.asked] == [
        FLOOD_SLUGS[0]] * 2 + [FLOOD_SLUGS[1]] * 3 + list(FLOOD_SLUGS[2:])
    assert all(p.fetched.content.startswith(BOM) for p in payloads)
    assert all(p.period_start is None for p in payloads)  # slugs roll: period from the rows

    pages = [parse_flood(p.fetched.content, "detail") for p in payloads]
    for page in pages:
        page.reconcile()
    f2 = pd.concat([p.staged for p in pages[:2]], ignore_index=True)
    f3 = pd.concat([p.staged for p in pages[2:5]], ignore_index=True)
    assert (len(f2), sum(p.no_data for p in pages[:2])) == (155, 2)
    assert len(f3) == 260 and set(f3["year"]) == {2024}
    csv_f2 = parse_flood((SEED / F2).read_bytes(), F2).staged
    # page 2 numbers its rows from 1 again: compare everything but the row number
    pd.testing.assert_frame_equal(f2.drop(columns="source_row"),
                                  csv_f2.drop(columns="source_row"))


def test_fetch_live_fails_whole_when_one_slug_fails(rsps, client):
    rows = real_rows(F2)
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, body=reply(rows[:100], 157, "2023"))
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, body=requests.exceptions.ReadTimeout("slow"))
    payloads = None
    with pytest.raises(HttpError, match="gave up after 3 attempts"):
        payloads = fetch_live(client)
    assert payloads is None


def test_fetch_live_count_mismatch_is_an_error(rsps, client):
    rows = real_rows(F3)
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, body=reply(rows[:100], 260, "2024"))
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, body=reply([], 260, "2024"))
    with pytest.raises(SatudataError, match="collected 100 rows .* totalFiledata is 260"):
        fetch_live(client, slugs=("data-kejadian-bencana-banjir-tahun-2024",))
