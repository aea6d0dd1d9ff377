"""Shared Jakarta portal code: satudata and legacy CKAN pagination, and reading landed replies.

Every reply is BUILT FROM REAL ROWS: the satudata envelopes wrap rows of the 2023 satudata flood
download (seed ``jakarta/flood/data-kejadian-bencana-banjir.csv``), the CKAN envelopes rows of
the legacy 2020 Q1 flood download, each with the system columns the portals add. Replies go
through the real ``HttpClient`` (replayed with ``responses``); nothing sleeps.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
import requests
import responses
from responses import matchers

from smartchange_assets.jakarta.satudata import (
    SATUDATA_DETAIL_URL,
    CkanError,
    JsonRecordsError,
    SatudataError,
    ckan_datastore_url,
    fetch_ckan_datastore,
    fetch_satudata_pages,
    records_from_json,
    reply_metadata,
)
from smartchange_assets.platform.http import HttpClient, HttpError, PayloadValidationError

from ..seed_files import seed_path

BOM = b"\xef\xbb\xbf"
SLUG = "data-kejadian-bencana-banjir"
CKAN_BASE = "https://data.jakarta.go.id"
# a real legacy resource id (docs/sources/jakarta-portals.md §2)
RESOURCE = "1a3bcf20-1ed0-42c9-baca-71cdabbe7fdc"
SYSTEM = {"user_id": 7, "tanggal_upload": "2024-02-01 10:00:00", "tanggal_update": None,
          "uid_upload": "x", "batch_upload": 1, "jadwal_rilis": None,
          "created_at": "2024-02-01T10:00:00Z", "updated_at": None}


def seed_csv(name: str) -> tuple[list[str], list[dict]]:
    text = seed_path("jakarta/flood", name).read_text("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames), list(reader)


F2_HEADER, F2_ROWS = seed_csv("data-kejadian-bencana-banjir.csv")
F1_HEADER, F1_ROWS = seed_csv(
    "data-kejadian-bencana-banjir-provinsi-dki-jakarta-2020-bulan-januari-maret_tes.csv")


def satudata_rows(rows: list[dict]) -> list[dict]:
    """Real rows as satudata lists them: rn and id in front, system columns behind."""
    return [{"rn": rn, "id": 1000 + rn, **row, **SYSTEM} for rn, row in enumerate(rows, start=1)]


def satudata_reply(rows: list[dict], total: int, *, bom: bool = True) -> bytes:
    envelope = {"data": {"title": "Data Kejadian Bencana Banjir", "komponen_data": "[]"},
                "filedata": rows, "totalFiledata": total,
                "periodeData": [{"periode_data": "2023"}],
                "lastUpdatefiledata": [{"tanggal_upload": "2024-02-01"}]}
    return (BOM if bom else b"") + json.dumps(envelope, ensure_ascii=False).encode("utf-8")


def ckan_reply(rows: list[dict], total: int, offset: int, limit: int) -> bytes:
    records = [{"_id": offset + i + 1, **row} for i, row in enumerate(rows)]
    fields = [{"id": "_id", "type": "int"}] + [{"id": h, "type": "text"} for h in F1_HEADER]
    return json.dumps({"help": f"{CKAN_BASE}/api/3/action/help_show?name=datastore_search",
                       "success": True,
                       "result": {"resource_id": RESOURCE, "fields": fields, "records": records,
                                  "total": total, "limit": limit, "offset": offset}}).encode()


SATU_ROWS = satudata_rows(F2_ROWS[:12])


class Satudata:
    """Satudata stand-in answering by the POSTed data_no; records what was asked."""

    def __init__(self, rsps, pages: dict[int, bytes]):
        self.pages, self.asked = pages, []
        rsps.add_callback(responses.POST, SATUDATA_DETAIL_URL, callback=self.reply)

    def reply(self, request):
        body = json.loads(request.body)
        self.asked.append(body)
        return 200, {"Content-Type": "application/json"}, self.pages[body["data_no"]]


def pages_of(rows: list[dict], size: int, total: int) -> dict[int, bytes]:
    chunks = [rows[i:i + size] for i in range(0, len(rows), size)]
    return {n: satudata_reply(chunk, total) for n, chunk in enumerate(chunks, start=1)}


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(sleeps) -> HttpClient:
    return HttpClient(min_interval_s=0, sleep=sleeps, max_attempts=3,
                      now=lambda: datetime(2024, 4, 2, tzinfo=UTC))


# --- records_from_json ---------------------------------------------------------------------------

def test_satudata_reply_gives_csv_header_and_text_values_without_system_columns():
    header, records = records_from_json(satudata_reply(SATU_ROWS, 12))
    assert header == F2_HEADER  # same columns, same order as the real CSV download
    assert len(records) == 12
    assert records[0] == F2_ROWS[0]  # the first real row: 202309,07,Jakarta Utara,...,Pluit
    assert records[0]["jumlah_rata_rata_ketinggian_air"] == "10 s.d 15 cm"


def test_satudata_reply_without_bom_and_numbers_become_text():
    rows = [{"rn": 1, "periode_data": 202309, "bulan": "07", "kelurahan": "Pluit",
             "jumlah_kejadian": 1, "nilai_kerugian": 0.0, "note": None}]
    header, records = records_from_json(satudata_reply(rows, 1, bom=False))
    assert header == ["periode_data", "bulan", "kelurahan", "jumlah_kejadian", "nilai_kerugian",
                      "note"]
    assert records == [{"periode_data": "202309", "bulan": "07", "kelurahan": "Pluit",
                        "jumlah_kejadian": "1", "nilai_kerugian": "0.0", "note": ""}]


def test_get_table_data_reply_and_bare_list():
    table = BOM + json.dumps({"data": SATU_ROWS[:3], "total_pages": 1}).encode()
    assert records_from_json(table) == (F2_HEADER, F2_ROWS[:3])
    assert records_from_json(json.dumps(SATU_ROWS[:2]).encode()) == (F2_HEADER, F2_ROWS[:2])


def test_ckan_reply_follows_fields_order_and_drops_id():
    header, records = records_from_json(ckan_reply(F1_ROWS[:4], 363, 0, 4))
    assert header == F1_HEADER
    assert "_id" not in records[0]
    assert records[0]["kelurahan"] == "JOHAR BARU" and records[0]["rw"] == "RW 01, 02, 06, 08"
    assert records == F1_ROWS[:4]


def test_rows_with_differing_keys_get_every_key():
    rows = [{"rn": 1, "a": "1"}, {"rn": 2, "b": "2"}]
    assert records_from_json(json.dumps({"filedata": rows}).encode()) == (
        ["a", "b"], [{"a": "1", "b": ""}, {"a": "", "b": "2"}])


def test_empty_last_page_is_readable():
    assert records_from_json(satudata_reply([], 12)) == ([], [])


@pytest.mark.parametrize("body, message", [
    (b"<html>maintenance</html>", "invalid JSON"),
    (satudata_reply(SATU_ROWS, 12)[:200], "invalid JSON"),  # a reply cut short
    (b'{"success": false, "error": {"message": "Not found"}}', "success: false"),
    (b'{"data": {"title": "x"}, "totalFiledata": 3}', "no row list"),
    (b'"just a string"', "expected a JSON object"),
    (b"\xff\xfe{}", "not UTF-8"),
])
def test_unreadable_replies_raise(body, message):
    with pytest.raises(JsonRecordsError, match=message):
        records_from_json(body)


def test_a_row_that_is_not_an_object_names_the_row():
    with pytest.raises(JsonRecordsError, match="not an object") as info:
        records_from_json(json.dumps({"filedata": [SATU_ROWS[0], ["a", "b"]]}).encode())
    assert info.value.row == 2


def test_reply_metadata():
    assert reply_metadata(satudata_reply(SATU_ROWS, 12)) == {
        "title": "Data Kejadian Bencana Banjir", "periode_data": ["2023"], "total": 12}
    assert reply_metadata(ckan_reply(F1_ROWS[:1], 363, 0, 1)) == {
        "total": 363, "resource_id": RESOURCE}


# --- fetch_satudata_pages ------------------------------------------------------------------------

def test_satudata_pages_until_total_with_bom_kept(rsps, client):
    served = pages_of(SATU_ROWS, 5, 12)
    server = Satudata(rsps, served)
    payloads = fetch_satudata_pages(client, SLUG, per_page=5)
    assert [p.content for p in payloads] == [served[1], served[2], served[3]]
    assert all(p.content.startswith(BOM) for p in payloads)  # archived as received
    assert [b["data_no"] for b in server.asked] == [1, 2, 3]
    assert server.asked[0] == {"page_url": SLUG, "kategori": "dataset", "data_no": 1,
                               "per_page": 5}
    rows = [r for p in payloads for r in records_from_json(p.content)[1]]
    assert rows == F2_ROWS[:12]


def test_satudata_429_with_retry_after_is_honoured(rsps, client, sleeps):
    served = pages_of(SATU_ROWS, 6, 12)
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, status=429, headers={"Retry-After": "7"})
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, body=served[1])
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, body=served[2])
    payloads = fetch_satudata_pages(client, SLUG, per_page=6)
    assert [p.content for p in payloads] == [served[1], served[2]]
    assert sleeps == [7.0]


def test_satudata_500_then_success(rsps, client, sleeps):
    served = pages_of(SATU_ROWS, 12, 12)
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, status=500, body=b"Internal Server Error")
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, body=served[1])
    assert [p.content for p in fetch_satudata_pages(client, SLUG)] == [served[1]]
    assert len(rsps.calls) == 2 and len(sleeps) == 1  # one backoff wait


def test_satudata_timeout_then_success_and_timeouts_to_the_end(rsps, client):
    served = pages_of(SATU_ROWS, 12, 12)
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, body=requests.exceptions.ReadTimeout("slow"))
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, body=served[1])
    assert len(fetch_satudata_pages(client, SLUG)) == 1

    rsps.reset()
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(HttpError, match="gave up after 3 attempts.*ReadTimeout"):
        fetch_satudata_pages(client, SLUG)


def test_satudata_truncated_body_fails_loudly_and_returns_nothing(rsps, client):
    served = pages_of(SATU_ROWS, 6, 12)
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, body=served[1])
    # page 2 announces its full length but only half of it arrives, on every attempt
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, body=served[2][: len(served[2]) // 2],
             headers={"Content-Length": str(len(served[2]))})
    payloads = None
    with pytest.raises(HttpError, match=SATUDATA_DETAIL_URL):
        payloads = fetch_satudata_pages(client, SLUG, per_page=6)
    assert payloads is None
    assert len(rsps.calls) == 1 + 3


def test_satudata_body_cut_without_content_length_is_not_json(rsps, client):
    cut = pages_of(SATU_ROWS, 12, 12)[1][:300]
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, body=cut, auto_calculate_content_length=False)
    with pytest.raises(SatudataError, match=f"{SLUG}.*page 1.*not JSON"):
        fetch_satudata_pages(client, SLUG)


def test_satudata_count_mismatch_is_an_error(rsps, client):
    # the server says 12 rows but page 2 comes back empty after 6
    Satudata(rsps, {1: satudata_reply(SATU_ROWS[:6], 12), 2: satudata_reply([], 12)})
    with pytest.raises(SatudataError, match="collected 6 rows over 2 page.* totalFiledata is 12"):
        fetch_satudata_pages(client, SLUG, per_page=6)


def test_satudata_total_changing_mid_pull_is_an_error(rsps, client):
    Satudata(rsps, {1: satudata_reply(SATU_ROWS[:6], 12), 2: satudata_reply(SATU_ROWS[6:], 13)})
    with pytest.raises(SatudataError, match="totalFiledata changed from 12 to 13"):
        fetch_satudata_pages(client, SLUG, per_page=6)


def test_satudata_errors_are_payload_validation_errors():
    assert issubclass(SatudataError, PayloadValidationError)
    assert issubclass(CkanError, PayloadValidationError)


# --- fetch_ckan_datastore ------------------------------------------------------------------------

URL = ckan_datastore_url(CKAN_BASE)
CKAN_ROWS = F1_ROWS[:25]


def ckan_page(offset: int, limit: int, total: int = len(CKAN_ROWS)) -> bytes:
    return ckan_reply(CKAN_ROWS[offset:offset + limit], total, offset, limit)


def add_ckan(rsps, offset: int, limit: int, body: bytes, **kw) -> None:
    params = {"resource_id": RESOURCE, "limit": str(limit), "offset": str(offset)}
    rsps.add(responses.GET, URL, body=body, match=[matchers.query_param_matcher(params)], **kw)


def test_ckan_pages_by_offset_until_total(rsps, client):
    bodies = [ckan_page(o, 10) for o in (0, 10, 20)]
    for offset, body in zip((0, 10, 20), bodies, strict=True):
        add_ckan(rsps, offset, 10, body)
    payloads = fetch_ckan_datastore(client, CKAN_BASE + "/", RESOURCE, page_size=10)
    assert [p.content for p in payloads] == bodies
    assert [r for p in payloads for r in records_from_json(p.content)[1]] == CKAN_ROWS


def test_ckan_exact_multiple_stops_without_extra_request(rsps, client):
    add_ckan(rsps, 0, 25, ckan_page(0, 25))
    assert len(fetch_ckan_datastore(client, CKAN_BASE, RESOURCE, page_size=25)) == 1
    assert len(rsps.calls) == 1


def test_ckan_success_false_names_the_url(rsps, client):
    rsps.add(responses.GET, URL, json={
        "help": "…", "success": False,
        "error": {"__type": "Not Found Error", "message": "Not found: Resource was not found."}})
    with pytest.raises(CkanError, match=f"{URL}.*success is False.*Resource was not found"):
        fetch_ckan_datastore(client, CKAN_BASE, RESOURCE)


def test_ckan_count_mismatch_is_an_error(rsps, client):
    # total says 30 but the records run out after 25
    add_ckan(rsps, 0, 20, ckan_page(0, 20, total=30))
    add_ckan(rsps, 20, 20, ckan_page(20, 20, total=30))
    add_ckan(rsps, 25, 20, ckan_reply([], 30, 25, 20))
    with pytest.raises(CkanError, match="collected 25 records over 3 page.*total is 30"):
        fetch_ckan_datastore(client, CKAN_BASE, RESOURCE, page_size=20)


def test_ckan_total_changing_is_an_error(rsps, client):
    add_ckan(rsps, 0, 10, ckan_page(0, 10))
    add_ckan(rsps, 10, 10, ckan_page(10, 10, total=26))
    with pytest.raises(CkanError, match="total changed from 25 to 26"):
        fetch_ckan_datastore(client, CKAN_BASE, RESOURCE, page_size=10)


def test_ckan_429_then_500_then_success(rsps, client, sleeps):
    body = ckan_page(0, 100)
    rsps.add(responses.GET, URL, status=429, headers={"Retry-After": "2"})
    rsps.add(responses.GET, URL, status=500)
    rsps.add(responses.GET, URL, body=body)
    assert [p.content for p in fetch_ckan_datastore(client, CKAN_BASE, RESOURCE, 100)] == [body]
    assert sleeps[0] == 2.0 and len(sleeps) == 2


def test_ckan_truncated_body_fails_and_returns_nothing(rsps, client):
    body = ckan_page(0, 100)
    rsps.add(responses.GET, URL, body=body[:400], headers={"Content-Length": str(len(body))})
    payloads = None
    with pytest.raises(HttpError, match=URL):
        payloads = fetch_ckan_datastore(client, CKAN_BASE, RESOURCE)
    assert payloads is None


def test_ckan_html_reply_names_the_url(rsps, client):
    rsps.add(responses.GET, URL, body=b"<html>gone</html>", content_type="text/html")
    with pytest.raises(CkanError, match=f"{URL}.*not JSON"):
        fetch_ckan_datastore(client, CKAN_BASE, RESOURCE)


def test_arguments_are_validated(client):
    with pytest.raises(ValueError):
        fetch_satudata_pages(client, "")
    with pytest.raises(ValueError):
        fetch_ckan_datastore(client, CKAN_BASE, RESOURCE, page_size=0)
