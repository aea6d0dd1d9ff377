"""Live connectors: satudata ISPU pagination and BLUME monthly fetches, replayed with responses.

Satudata envelopes are built around real rows of the 2021 ISPU download; BLUME bodies are the
bytes of real recorded API replies (see fixtures/http/README.md).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import responses
from responses import matchers

from smartchange_assets.berlin.blume_air_quality.live import (
    BLUME_STATIONS,
    BlumePayloadError,
    blume_month_params,
    fetch_blume_month,
    months_between,
)
from smartchange_assets.jakarta.ispu.live import ISPU_SLUGS, fetch_ispu_pages, ispu_year_slug
from smartchange_assets.jakarta.satudata import SATUDATA_DETAIL_URL, SatudataError
from smartchange_assets.platform.http import HttpClient, HttpError, PayloadValidationError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "http"
BOM = b"\xef\xbb\xbf"
SLUG = "data-indeks-standar-pencemar-udara-ispu-di-provinsi-dki-jakarta"
SYSTEM_COLUMNS = ("user_id", "tanggal_upload", "tanggal_update", "uid_upload", "batch_upload",
                  "jadwal_rilis", "created_at", "updated_at")


def real_ispu_rows() -> list[dict]:
    """The 12 real 2021 rows as satudata would list them: rn, dataset columns, system columns."""
    text = (FIXTURES / "ispu_2021_first12rows.csv").read_text(encoding="utf-8")
    rows = []
    for rn, record in enumerate(csv.DictReader(io.StringIO(text)), start=1):
        rows.append({"rn": rn, **record, "id": rn, **dict.fromkeys(SYSTEM_COLUMNS)})
    return rows


ROWS = real_ispu_rows()


def satudata_reply(rows: list[dict], total: int, *, bom: bool = True) -> bytes:
    envelope = {
        "data": {"title": "Indeks Standar Pencemar Udara (ISPU)", "komponen_data": "[]"},
        "filedata": rows,
        "totalFiledata": total,
        "periodeData": [{"periode_data": "2021"}],
        "lastUpdatefiledata": [{"tanggal_upload": None}],
    }
    raw = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
    return (BOM if bom else b"") + raw


def paged(rows: list[dict], per_page: int) -> dict[int, list[dict]]:
    return {n + 1: rows[i:i + per_page] for n, i in enumerate(range(0, len(rows), per_page))}


class Server:
    """Satudata stand-in: answers by the data_no in the POSTed body and records the bodies."""

    def __init__(self, rsps, pages: dict[int, bytes]):
        self.pages = pages
        self.bodies: list[dict] = []
        rsps.add_callback(responses.POST, SATUDATA_DETAIL_URL, callback=self.reply)

    def reply(self, request):
        body = json.loads(request.body)
        self.bodies.append(body)
        content = self.pages.get(body["data_no"], satudata_reply([], 12))
        return 200, {"Content-Type": "application/json"}, content


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client() -> HttpClient:
    return HttpClient(min_interval_s=0, sleep=lambda s: None,
                      now=lambda: datetime(2024, 4, 2, tzinfo=UTC))


# --- ISPU / satudata -----------------------------------------------------------------------------

@pytest.mark.parametrize("bom", [True, False])
def test_ispu_three_pages_with_short_last_page(rsps, client, bom):
    served = {n: satudata_reply(chunk, 12, bom=bom) for n, chunk in paged(ROWS, 5).items()}
    assert [len(c) for c in paged(ROWS, 5).values()] == [5, 5, 2]
    server = Server(rsps, served)

    payloads = fetch_ispu_pages(client, SLUG, per_page=5)

    assert len(payloads) == 3
    assert [p.content for p in payloads] == [served[1], served[2], served[3]]  # unchanged bytes
    assert payloads[0].content.startswith(BOM) is bom
    assert server.bodies == [
        {"page_url": SLUG, "kategori": "dataset", "data_no": n, "per_page": 5} for n in (1, 2, 3)
    ]
    assert [p.request["body"]["data_no"] for p in payloads] == [1, 2, 3]
    assert all(p.request["method"] == "POST" for p in payloads)
    # the real rows travel through untouched
    first = json.loads(payloads[0].content.removeprefix(BOM))["filedata"][0]
    assert first["tanggal"] == "2021-01-22"
    assert first["stasiun"] == "DKI5 (Kebon Jeruk) Jakarta Barat"
    last = json.loads(payloads[2].content.removeprefix(BOM))["filedata"][-1]
    assert last["rn"] == 12 and last["pm25"] == "46"


def test_ispu_exact_multiple_stops_without_extra_request(rsps, client):
    server = Server(rsps, {n: satudata_reply(c, 10) for n, c in paged(ROWS[:10], 5).items()})
    payloads = fetch_ispu_pages(client, SLUG, per_page=5)
    assert len(payloads) == 2 and len(server.bodies) == 2


def test_ispu_server_page_cap_smaller_than_per_page(rsps, client):
    # One script says the server caps pages at 25 rows: short pages must not end the pull early.
    served = {n: satudata_reply(c, 12) for n, c in paged(ROWS, 4).items()}
    Server(rsps, served)
    payloads = fetch_ispu_pages(client, SLUG, per_page=100)
    assert len(payloads) == 3


def test_ispu_empty_page_before_total_is_a_count_mismatch(rsps, client):
    served = {1: satudata_reply(ROWS[:5], 12), 2: satudata_reply(ROWS[5:10], 12),
              3: satudata_reply([], 12)}
    Server(rsps, served)
    with pytest.raises(SatudataError) as info:
        fetch_ispu_pages(client, SLUG, per_page=5)
    msg = str(info.value)
    assert SLUG in msg and "10" in msg and "totalFiledata is 12" in msg


def test_ispu_more_rows_than_total_is_a_count_mismatch(rsps, client):
    Server(rsps, {1: satudata_reply(ROWS[:5], 7), 2: satudata_reply(ROWS[5:10], 7)})
    with pytest.raises(SatudataError, match="collected 10 rows .* totalFiledata is 7"):
        fetch_ispu_pages(client, SLUG, per_page=5)


def test_ispu_total_changing_between_pages_is_an_error(rsps, client):
    Server(rsps, {1: satudata_reply(ROWS[:5], 12), 2: satudata_reply(ROWS[5:10], 15)})
    with pytest.raises(SatudataError, match="totalFiledata changed from 12 to 15"):
        fetch_ispu_pages(client, SLUG, per_page=5)


def test_ispu_server_ignoring_data_no_is_detected(rsps, client):
    page1 = satudata_reply(ROWS[:5], 12)
    Server(rsps, {1: page1, 2: page1, 3: page1})
    with pytest.raises(SatudataError, match="rn=1 was already returned"):
        fetch_ispu_pages(client, SLUG, per_page=5)


def test_ispu_empty_dataset(rsps, client):
    Server(rsps, {1: satudata_reply([], 0)})
    assert len(fetch_ispu_pages(client, SLUG)) == 1


def test_ispu_html_reply_names_the_slug(rsps, client):
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, status=200, content_type="text/html",
             body=b"<!DOCTYPE html><html><body>Maintenance</body></html>")
    with pytest.raises(SatudataError, match=SLUG):
        fetch_ispu_pages(client, SLUG)


def test_ispu_missing_total_names_the_slug(rsps, client):
    rsps.add(responses.POST, SATUDATA_DETAIL_URL, body=BOM + b'{"filedata": []}')
    with pytest.raises(SatudataError, match=f"{SLUG}.*totalFiledata"):
        fetch_ispu_pages(client, SLUG)


def test_ispu_retry_inside_pagination_keeps_going(rsps, client):
    served = {n: satudata_reply(c, 12) for n, c in paged(ROWS, 5).items()}
    calls = {"n": 0}

    def reply(request):
        calls["n"] += 1
        page = json.loads(request.body)["data_no"]
        if page == 2 and calls["n"] == 2:
            return 503, {}, b"busy"
        return 200, {}, served[page]

    rsps.add_callback(responses.POST, SATUDATA_DETAIL_URL, callback=reply)
    payloads = fetch_ispu_pages(client, SLUG, per_page=5)
    assert [p.content for p in payloads] == [served[1], served[2], served[3]]
    assert calls["n"] == 4


def test_ispu_slugs_and_year_template():
    assert ISPU_SLUGS == (
        "data-indeks-standar-pencemar-udara-ispu-di-provinsi-dki-jakarta",
        "data-indeks-standar-pencemar-udara-ispu-di-provinsi-dki-jakarta-2023",
    )
    assert ispu_year_slug(2020) == "indeks-standar-pencemaran-udara-ispu-tahun-2020"
    assert issubclass(SatudataError, PayloadValidationError)


# --- BLUME ---------------------------------------------------------------------------------------

BLUME_URL = "https://luftdaten.berlin.de/api/stations/mc010/data"


def test_blume_month_returns_the_real_bytes_unchanged(rsps, client):
    raw = (FIXTURES / "blume_api_mc010_2024-03_1h.json").read_bytes()
    rsps.add(responses.GET, BLUME_URL, body=raw, content_type="application/json",
             match=[matchers.query_param_matcher(blume_month_params(2024, 3))])
    payload = fetch_blume_month(client, "mc010", 2024, 3)
    assert payload.content == raw
    assert len(json.loads(payload.content)) == 4320
    assert "start%5Bdate%5D=01.03.2024" in payload.url
    assert "end%5Bdate%5D=01.04.2024" in payload.url
    assert payload.request["params"]["timespan"] == "custom"


def test_blume_empty_month_is_a_valid_payload(rsps, client):
    raw = (FIXTURES / "blume_api_mc124_2008-03_empty.json").read_bytes()
    assert raw == b"[]"
    rsps.add(responses.GET, "https://luftdaten.berlin.de/api/stations/mc124/data", body=raw)
    payload = fetch_blume_month(client, "mc124", 2008, 3)
    assert payload.content == b"[]" and payload.status == 200


def test_blume_html_body_is_an_error_naming_the_url(rsps, client):
    rsps.add(responses.GET, BLUME_URL, content_type="text/html",
             body=b"<!DOCTYPE html><html><head><title>Luftdaten Berlin</title></head></html>")
    with pytest.raises(BlumePayloadError) as info:
        fetch_blume_month(client, "mc010", 2024, 3)
    assert BLUME_URL + "?period=1h" in str(info.value)
    assert "not JSON" in str(info.value)


@pytest.mark.parametrize("body", [b'{"error": "timespan too long"}', b"[1, 2]"])
def test_blume_json_that_is_not_an_array_of_objects_is_an_error(rsps, client, body):
    rsps.add(responses.GET, BLUME_URL, body=body)
    with pytest.raises(BlumePayloadError, match="luftdaten.berlin.de/api/stations/mc010/data"):
        fetch_blume_month(client, "mc010", 2024, 3)


def test_blume_http_error_propagates(rsps, client):
    rsps.add(responses.GET, BLUME_URL, status=404, body=b"not found")
    with pytest.raises(HttpError, match="404"):
        fetch_blume_month(client, "mc010", 2024, 3)


def test_blume_station_code_is_normalised_and_validated(rsps, client):
    rsps.add(responses.GET, BLUME_URL, body=b"[]")
    assert fetch_blume_month(client, "MC010", 2024, 3).content == b"[]"
    with pytest.raises(ValueError):
        fetch_blume_month(client, "DEBE010", 2024, 3)


def test_blume_month_params():
    assert blume_month_params(2024, 3) == {
        "period": "1h", "timespan": "custom",
        "start[date]": "01.03.2024", "start[hour]": "1",
        "end[date]": "01.04.2024", "end[hour]": "0",
    }
    dec = blume_month_params(2023, 12)
    assert dec["start[date]"] == "01.12.2023" and dec["end[date]"] == "01.01.2024"
    with pytest.raises(ValueError):
        blume_month_params(2024, 13)


def test_blume_stations():
    assert len(BLUME_STATIONS) == len(set(BLUME_STATIONS)) == 18
    assert {"mc010", "mc124", "mc221", "mc042"} <= set(BLUME_STATIONS)
    assert all(code == code.lower() and len(code) == 5 for code in BLUME_STATIONS)


def test_months_between():
    assert months_between(date(2023, 11, 15), date(2024, 2, 1)) == [
        (2023, 11), (2023, 12), (2024, 1), (2024, 2)]
    assert months_between(date(2024, 3, 31), date(2024, 3, 1)) == [(2024, 3)]
    assert len(months_between(date(2013, 1, 1), date(2024, 12, 31))) == 144
    with pytest.raises(ValueError):
        months_between(date(2024, 3, 1), date(2024, 2, 29))
