"""Mobility live connectors through the real HttpClient, replayed with ``responses``.

Bodies are built from the real seed files: the detector month files gzipped as the portal serves
them (``.csv.gz``), the Telraam extract reshaped into the official monthly columns and gzipped,
and the real segments GeoJSON and master-data xlsx.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
from datetime import UTC, datetime

import pandas as pd
import pytest
import requests
import responses

from smartchange_assets.berlin.mobility import live
from smartchange_assets.berlin.mobility_sites.source import fetch_sites
from smartchange_assets.berlin.telraam.parser import parse_telraam
from smartchange_assets.berlin.telraam.source import fetch_telraam
from smartchange_assets.berlin.traffic_detectors.parser import parse_detectors
from smartchange_assets.berlin.traffic_detectors.source import fetch_detectors
from smartchange_assets.platform.http import HttpClient, HttpError
from smartchange_assets.platform.parsing import ParseError

from ..seed_files import SEED

SEED = SEED / "berlin"


def head_gzipped(name: str, size: int = 200_000) -> bytes:
    """The first whole lines (about ``size`` bytes) of a real detector file, gzipped."""
    data = (SEED / "traffic_detectors" / name).read_bytes()
    return gzip.compress(data[: data.index(b"\n", size) + 1])


MQ_BODY = head_gzipped("mq_hr_2023_10.csv")
DET_BODY = head_gzipped("det_val_hr_2024_01.csv")


def telraam_month_body() -> bytes:
    """The real extract's January rows in the official monthly layout, gzipped."""
    frame = pd.read_csv(SEED / "telraam" / "bzm_merged_all_test_read.csv", dtype=str,
                        keep_default_na=False)
    columns = ["segment_id", "date_local", "uptime",
               *[f"{m}_{p}" for m in ("ped", "bike", "car", "heavy")
                 for p in ("lft", "rgt", "total")], "v85"]
    frame = frame[frame["date_local"].str.startswith("2024-01")][columns]
    frame["date_local"] = frame["date_local"].str[:16]
    return gzip.compress(frame.to_csv(index=False).encode())


TELRAAM_BODY = telraam_month_body()


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
                      now=lambda: datetime(2024, 2, 15, tzinfo=UTC))


def test_detector_urls_put_the_years_folder_first():
    urls = live.detector_urls(live.MQ, 2023, 10)
    assert urls[0] == (f"{live.DETECTOR_BASE}/2023/Messquerschnitte%20%28fahrtrichtungsbezogen"
                       f"%29/mq_hr_2023_10.csv.gz")
    assert live.detector_urls(live.MQ, 2021, 5)[0].endswith("/2021/Messquerschnitt/"
                                                             "mq_hr_2021_05.csv.gz")
    assert len(urls) == 4 and len(set(urls)) == 4
    assert live.detector_urls(live.DET, 2024, 1)[0].endswith(
        "/2024/Detektoren%20%28einzelne%20Fahrspur%29/det_val_hr_2024_01.csv.gz")


def test_detectors_walk_months_and_folder_spellings_and_land_gzip_as_received(rsps, client):
    # 2024-02-15: the two complete months are 2024-01 and 2023-12; 2024 has no known folder, so
    # the first spelling 404s and the second answers; December 2023 exists only for MQs
    for year, month in ((2024, 1), (2023, 12)):
        for level, body in ((live.MQ, MQ_BODY), (live.DET, DET_BODY)):
            urls = live.detector_urls(level, year, month)
            found = year == 2024 or level == live.MQ
            for url in urls:
                rsps.add(responses.GET, url, status=404, body=b"<Error>BlobNotFound</Error>")
            if found:
                rsps.replace(responses.GET, urls[1] if year == 2024 else urls[0], body=body,
                             content_type="application/x-gzip")
    payloads = fetch_detectors(client, today=dt.date(2024, 2, 15))
    assert [p.fetched.url.rsplit("/", 1)[1] for p in payloads] == [
        "mq_hr_2024_01.csv.gz", "det_val_hr_2024_01.csv.gz", "mq_hr_2023_12.csv.gz"]
    assert [(p.period_start, p.period_end) for p in payloads] == [
        (dt.date(2024, 1, 1), dt.date(2024, 1, 31))] * 2 + [
        (dt.date(2023, 12, 1), dt.date(2023, 12, 31))]
    assert payloads[0].fetched.content == MQ_BODY  # the bytes as received, still gzip
    result = parse_detectors(payloads[0].fetched.content, "mq_hr_2024_01.csv.gz")
    result.reconcile()
    assert result.notes["level"] == "traffic_detector_mq" and len(result.staged) > 3000


def test_detectors_no_month_anywhere_fails(rsps, client):
    rsps.add(responses.GET, re.compile(r"https://mdhopendata\.blob\.core\.windows\.net/.*"),
             status=404)
    with pytest.raises(live.MobilityPayloadError, match="no month file found"):
        fetch_detectors(client, today=dt.date(2024, 2, 15))


def test_detector_429_with_retry_after_is_honoured(rsps, client, sleeps):
    url = live.detector_urls(live.MQ, 2023, 10)[0]
    rsps.add(responses.GET, url, status=429, headers={"Retry-After": "7"})
    rsps.add(responses.GET, url, body=MQ_BODY)
    payload = live.fetch_detector_month(client, live.MQ, 2023, 10)
    assert payload.content == MQ_BODY and sleeps == [7.0]


def test_detector_500_then_success(rsps, client, sleeps):
    url = live.detector_urls(live.MQ, 2023, 10)[0]
    rsps.add(responses.GET, url, status=500)
    rsps.add(responses.GET, url, body=MQ_BODY)
    assert live.fetch_detector_month(client, live.MQ, 2023, 10).content == MQ_BODY
    assert len(sleeps) == 1 and len(rsps.calls) == 2


def test_detector_timeout_then_success_and_timeout_every_time(rsps, client):
    url = live.detector_urls(live.MQ, 2023, 10)[0]
    rsps.add(responses.GET, url, body=requests.exceptions.ReadTimeout("read timed out"))
    rsps.add(responses.GET, url, body=MQ_BODY)
    assert live.fetch_detector_month(client, live.MQ, 2023, 10).content == MQ_BODY
    rsps.replace(responses.GET, url, body=requests.exceptions.ConnectTimeout("timed out"))
    with pytest.raises(HttpError, match="ConnectTimeout"):
        live.fetch_detector_month(client, live.MQ, 2023, 10)


def test_truncated_gzip_body_fails_loudly_and_nothing_is_returned(rsps, client):
    # a complete HTTP reply whose gzip stream was cut at the source: the client cannot see it,
    # the connector does, so fetch_live raises and the raw asset lands nothing
    cut = MQ_BODY[: len(MQ_BODY) // 2]
    for level in (live.MQ, live.DET):
        for url in live.detector_urls(level, 2024, 1) + live.detector_urls(level, 2023, 12):
            rsps.add(responses.GET, url, body=cut if level == live.MQ else DET_BODY)
    with pytest.raises(live.MobilityPayloadError, match="gzip body is truncated"):
        fetch_detectors(client, today=dt.date(2024, 2, 15))
    # and were such bytes ever landed by hand, the parser refuses them naming the file
    with pytest.raises(ParseError, match="mq_hr_2024_01.csv.gz: gzip stream is truncated"):
        parse_detectors(cut, "mq_hr_2024_01.csv.gz")


def test_body_shorter_than_content_length_is_retried_then_fails(rsps, client):
    url = live.detector_urls(live.MQ, 2023, 10)[0]
    rsps.add(responses.GET, url, body=MQ_BODY[:1000],
             headers={"Content-Length": str(len(MQ_BODY))}, auto_calculate_content_length=False)
    with pytest.raises(HttpError, match="gave up after 3 attempts"):
        live.fetch_detector_month(client, live.MQ, 2023, 10)


def test_html_error_page_with_200_is_rejected(rsps, client):
    url = live.detector_urls(live.MQ, 2023, 10)[0]
    rsps.add(responses.GET, url, body=b"<html>maintenance</html>", content_type="text/html")
    with pytest.raises(live.MobilityPayloadError, match="header lacks"):
        live.fetch_detector_month(client, live.MQ, 2023, 10)


def test_telraam_current_and_previous_month(rsps, client):
    for year, month in ((2024, 2), (2024, 1)):
        rsps.add(responses.GET, live.TELRAAM_MONTH_URL.format(year=year, month=month),
                 body=TELRAAM_BODY, content_type="application/gzip")
    payloads = fetch_telraam(client, today=dt.date(2024, 2, 15))
    assert [p.fetched.url for p in payloads] == [
        "https://berlin-zaehlt.de/csv/bzm_telraam_2024_02.csv.gz",
        "https://berlin-zaehlt.de/csv/bzm_telraam_2024_01.csv.gz"]
    # months are cut in UTC: the period reaches the first day of the next month
    assert (payloads[1].period_start, payloads[1].period_end) == (dt.date(2024, 1, 1),
                                                                  dt.date(2024, 2, 1))
    result = parse_telraam(payloads[1].fetched.content, "bzm_telraam_2024_01.csv.gz")
    result.reconcile()
    assert result.notes["layout"] == "official" and len(result.staged) > 2000


def test_telraam_429_then_success(rsps, client, sleeps):
    url = live.TELRAAM_MONTH_URL.format(year=2024, month=1)
    rsps.add(responses.GET, url, status=429, headers={"Retry-After": "3"})
    rsps.add(responses.GET, url, body=TELRAAM_BODY)
    assert live.fetch_telraam_month(client, 2024, 1).content == TELRAAM_BODY
    assert sleeps == [3.0]


def test_site_metadata_fetch(rsps, client):
    geojson = (SEED / "mobility_sites" / "bzm_telraam_segments.geojson").read_bytes()
    xlsx = (SEED / "mobility_sites" / "Stammdaten_Verkehrsdetektion_2022_07_20.xlsx").read_bytes()
    rsps.add(responses.GET, live.TELRAAM_SEGMENTS_URL, body=geojson)
    rsps.add(responses.GET, live.STAMMDATEN_URL, body=xlsx)
    payloads = fetch_sites(client)
    assert [p.fetched.content for p in payloads] == [geojson, xlsx]
    rsps.replace(responses.GET, live.STAMMDATEN_URL, body=b"<html>not found</html>")
    with pytest.raises(live.MobilityPayloadError, match="not an xlsx workbook"):
        fetch_sites(client)
