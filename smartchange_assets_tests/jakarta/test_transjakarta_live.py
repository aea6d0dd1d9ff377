"""Transjakarta live connector: satudata pages built from the real 2021 file, replayed with
``responses`` through the real HttpClient (no sleeping: ``sleep`` is recorded)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pandas as pd
import pytest
import requests
import responses

from smartchange_assets.jakarta.satudata import SATUDATA_DETAIL_URL, SatudataError
from smartchange_assets.jakarta.transjakarta.live import (
    TRANSJAKARTA_SLUG,
    fetch_transjakarta_pages,
)
from smartchange_assets.jakarta.transjakarta.parser import parse_transjakarta
from smartchange_assets.jakarta.transjakarta.source import fetch_live
from smartchange_assets.platform.http import HttpClient, HttpError

from ..seed_files import SEED

FILE = (SEED / "jakarta" / "transjakarta"
        / "penumpang_2021.csv")
BOM = b"\xef\xbb\xbf"
SYSTEM = {"user_id": 41, "tanggal_upload": "2022-01-14 09:00:00", "tanggal_update": None,
          "uid_upload": "c0ffee", "batch_upload": 1, "jadwal_rilis": "Bulanan",
          "created_at": "2022-01-14T02:00:00.000Z", "updated_at": None}


def real_api_rows() -> list[dict]:
    """The 1 473 real rows as satudata lists them: rn, dataset columns (numbers as JSON
    numbers, as the API sends them), system columns."""
    records = csv.DictReader(io.StringIO(FILE.read_bytes().decode("utf-8"), newline=""))
    return [{"rn": rn, "periode_data": int(r["periode_data"]), "jenis": r["jenis"],
             "kode_trayek": r["kode_trayek"], "trayek": r["trayek"],
             "jumlah_penumpang": int(r["jumlah_penumpang"]), "id": 70_000 + rn, **SYSTEM}
            for rn, r in enumerate(records, start=1)]


ROWS = real_api_rows()


def reply(rows: list[dict], total: int = len(ROWS)) -> bytes:
    body = {"data": {"title": "Data Jumlah Penumpang Trans Jakarta"}, "filedata": rows,
            "totalFiledata": total, "periodeData": [{"periode_data": "2021"}],
            "lastUpdatefiledata": [{"tanggal_upload": "2022-01-14"}]}
    return BOM + json.dumps(body, ensure_ascii=False).encode("utf-8")


class Portal:
    """Satudata stand-in: pages of ``per_page`` real rows by ``data_no``; ``faults`` maps a
    request number (1-based) to a reply to send instead."""

    def __init__(self, rsps, faults: dict | None = None):
        self.faults = faults or {}
        self.bodies: list[dict] = []
        rsps.add_callback(responses.POST, SATUDATA_DETAIL_URL, callback=self.answer)

    def answer(self, request):
        body = json.loads(request.body)
        self.bodies.append(body)
        fault = self.faults.get(len(self.bodies))
        if isinstance(fault, Exception):
            raise fault
        if fault is not None:
            return fault
        page, size = body["data_no"], body["per_page"]
        content = reply(ROWS[(page - 1) * size:page * size])
        return 200, {"Content-Type": "application/json"}, content


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
                      now=lambda: datetime(2022, 2, 1, tzinfo=UTC))


def staged_of(pages) -> pd.DataFrame:
    """Every page parsed and concatenated, without the per-page source_row."""
    frames = [parse_transjakarta(p.content, f"page-{n}.json").staged
              for n, p in enumerate(pages, start=1)]
    return (pd.concat(frames, ignore_index=True).drop(columns="source_row")
            .sort_values(["month", "route_code"], kind="stable").reset_index(drop=True))


def csv_staged() -> pd.DataFrame:
    return (parse_transjakarta(FILE.read_bytes(), FILE.name).staged.drop(columns="source_row")
            .sort_values(["month", "route_code"], kind="stable").reset_index(drop=True))


def test_pagination_fetches_every_real_row_once(rsps, client, sleeps):
    portal = Portal(rsps)
    pages = fetch_transjakarta_pages(client)
    assert len(pages) == 15  # 1 473 rows, 100 per page
    assert [b["data_no"] for b in portal.bodies] == list(range(1, 16))
    assert {b["page_url"] for b in portal.bodies} == {TRANSJAKARTA_SLUG}
    assert all(p.content.startswith(BOM) for p in pages)  # bytes kept as received
    # both 3E November rows sit on page 13, so the pages stage what the CSV stages
    pd.testing.assert_frame_equal(staged_of(pages), csv_staged())
    assert sleeps == []


def test_fetch_live_wraps_each_page_without_a_period(rsps, client):
    Portal(rsps)
    payloads = fetch_live(client)
    assert len(payloads) == 15
    assert all(p.period_start is None and p.period_end is None for p in payloads)


def test_429_with_retry_after_is_honoured(rsps, client, sleeps):
    portal = Portal(rsps, {2: (429, {"Retry-After": "7"}, b"rate limited")})
    pages = fetch_transjakarta_pages(client)
    assert len(pages) == 15 and sleeps == [7]
    assert [b["data_no"] for b in portal.bodies[:3]] == [1, 2, 2]


def test_500_then_success(rsps, client, sleeps):
    portal = Portal(rsps, {5: (500, {}, b"<html>Internal Server Error</html>")})
    pages = fetch_transjakarta_pages(client)
    assert len(pages) == 15 and len(sleeps) == 1
    assert [b["data_no"] for b in portal.bodies[4:6]] == [5, 5]
    pd.testing.assert_frame_equal(staged_of(pages), csv_staged())


def test_timeout_then_success(rsps, client, sleeps):
    Portal(rsps, {1: requests.exceptions.ReadTimeout("read timed out")})
    assert len(fetch_transjakarta_pages(client)) == 15 and len(sleeps) == 1


def test_timeouts_on_every_attempt_fail_naming_the_url(rsps, client):
    Portal(rsps, {n: requests.exceptions.ConnectTimeout("timed out") for n in (3, 4, 5)})
    with pytest.raises(HttpError) as err:
        fetch_transjakarta_pages(client)
    assert SATUDATA_DETAIL_URL in str(err.value)


def test_truncated_body_announced_by_content_length_fails_and_returns_nothing(rsps, client):
    cut = reply(ROWS[200:300])
    bad = (200, {"Content-Length": str(len(cut))}, cut[:len(cut) // 2])
    Portal(rsps, {3: bad, 4: bad, 5: bad})  # page 3, on every attempt
    with pytest.raises(HttpError) as err:
        fetch_transjakarta_pages(client)
    assert "Content-Length" in str(err.value) or "IncompleteRead" in str(err.value)


def test_truncated_json_without_content_length_fails_naming_the_slug(rsps, client):
    cut = reply(ROWS[:100])
    Portal(rsps, {2: (200, {}, cut[:5000])})
    with pytest.raises(SatudataError) as err:
        fetch_transjakarta_pages(client)
    assert TRANSJAKARTA_SLUG in str(err.value) and "page 2" in str(err.value)


def test_rows_missing_from_the_last_page_is_a_count_mismatch(rsps, client):
    Portal(rsps, {15: (200, {}, reply(ROWS[1400:1450]))})
    with pytest.raises(SatudataError, match="collected 1450 rows"):
        fetch_transjakarta_pages(client)


def test_empty_dataset_means_a_wrong_slug(rsps, client):
    Portal(rsps, {1: (200, {}, reply([], total=0))})
    with pytest.raises(SatudataError, match="no rows"):
        fetch_transjakarta_pages(client)
