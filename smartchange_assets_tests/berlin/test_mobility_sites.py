"""The site metadata parser on the four real seed files, plus faults built from them."""

from __future__ import annotations

import datetime as dt
import io
import json
from functools import cache

import openpyxl
import pandas as pd
import pytest

from smartchange_assets.berlin.mobility_sites.parser import excel_date, parse_sites
from smartchange_assets.berlin.mobility_sites.source import SOURCE
from smartchange_assets.platform.parsing import ParseError, ParseResult, conform

from ..seed_files import SEED

SEED = SEED / "berlin" / "mobility_sites"
XLSX = "Stammdaten_Verkehrsdetektion_2022_07_20.xlsx"
EXPECTED = {  # file -> (source rows, staged, no_data, quarantined)
    "location-info.csv": (35, 35, 0, 0),
    "bzm_ecocounter_segments.geojson": (20, 20, 0, 0),
    "bzm_telraam_segments.geojson": (255, 255, 0, 0),
    XLSX: (582, 565, 0, 17),
}


@cache
def parsed(name: str) -> ParseResult:
    return parse_sites((SEED / name).read_bytes(), name)


def typed(result: ParseResult) -> pd.DataFrame:
    """The staged records as the engine types them, by the table spec ([0] is payload_sha256)."""
    return conform(result.staged, SOURCE.staging.columns[1:], SOURCE.source_id)


def one(name: str, site_id: str) -> pd.Series:
    s = typed(parsed(name))
    rows = s[s["site_id"] == site_id]
    assert len(rows) >= 1
    return rows.iloc[0]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_seed_file_reconciles_with_known_counts(name):
    result = parsed(name)
    result.reconcile()
    assert (result.source_rows, len(result.staged), result.no_data,
            len(result.quarantine)) == EXPECTED[name]
    assert list(typed(result).columns) == SOURCE.staging.column_names[1:]
    assert result.staged["site_id"].notna().all()
    assert result.staged["lat"].between(52.0, 53.0).all()
    assert result.staged["lon"].between(12.5, 14.5).all()


def test_location_info_stations_with_typo_kept_as_published():
    west = one("location-info.csv", "18-TS-YOR-W")
    assert west["name"] == "Yorkstraße West"  # publisher's typo (Yorck), kept
    assert west["installed"] == pd.Timestamp("2015-04-01")
    assert one("location-info.csv", "17-SK-BRE-O")["name"] == "Breitenbachplatz Ost"


def test_ecocounter_sites_list_their_official_counters():
    jan = one("bzm_ecocounter_segments.geojson", "100024661")
    assert jan["related_ids"] == "02-MI-JAN-N,02-MI-JAN-S"
    assert jan["name"] == "Jannowitzbrücke" and jan["record_type"] == "ecocounter_site"
    assert one("bzm_ecocounter_segments.geojson", "300023833")["related_ids"] == \
        "05-FK-OBB-O,05-FK-OBB-W"  # Oberbaumbrücke's new Eco-Counter id


def test_telraam_segments_position_and_no_personal_data():
    seg = one("bzm_telraam_segments.geojson", "9000001786")
    assert seg["name"] == "Dörpfeldstraße"
    assert seg["lat"] == pytest.approx((52.439608503 + 52.440129403) / 2)
    assert seg["installed"] == pd.Timestamp("2021-05-22") and seg["deinstalled"] == False  # noqa: E712
    staged = typed(parsed("bzm_telraam_segments.geojson"))
    assert set(staged["timezone"]) == {"Europe/Berlin", "Europe/Brussels"}
    assert (staged["timezone"] == "Europe/Brussels").sum() == 7
    # a camera sits in a volunteer's window: house numbers, user ids and MACs never get staged
    doc = json.loads((SEED / "bzm_telraam_segments.geojson").read_bytes())
    by_segment = staged.set_index("site_id")
    checked = 0
    for f in doc["features"]:
        props = f["properties"]
        row = by_segment.loc[str(props["segment_id"])]
        tokens = {t for v in map(str, row.to_numpy()) for t in [v, *v.split(",")]}
        text = " | ".join(map(str, row.to_numpy()))
        address = (props.get("osm") or {}).get("address") or {}
        if address.get("house_number"):
            assert f"{address.get('road')} {address['house_number']}" not in text
            assert address["house_number"] not in tokens
            checked += 1
        for cam in props.get("cameras") or []:
            assert str(cam.get("user_id")) not in tokens
            if cam.get("mac") != props["segment_id"]:  # some 'mac' fields hold the segment id
                assert str(cam.get("mac")) not in text
    assert checked > 100


def test_stammdaten_detectors_dates_and_flags():
    det = one(XLSX, "100101010000167")
    assert det["parent_site_id"] == "TE001" and det["lane"] == "HF_R"
    assert det["installed"] == pd.Timestamp("2003-02-18")
    assert det["related_ids"].startswith("MQ_ID15=100201010000077,")
    staged = typed(parsed(XLSX))
    assert staged["site_id"].nunique() == 548 and staged["parent_site_id"].nunique() == 292
    assert staged["removed"].notna().sum() == 4
    q = parsed(XLSX).quarantine
    assert set(q["kind"]) == {"duplicate"}  # verbatim repeats of a detector row
    # the deinstalled flag survives the duplicates: 63 rows flagged X in the sheet
    assert staged["deinstalled"].sum() + sum('"DEINSTALLIERT": "X"' in r
                                             for r in q["raw_record"]) == 63


def test_excel_serial_dates():
    assert excel_date(37670) == (dt.date(2003, 2, 18), None)
    assert excel_date(dt.datetime(2003, 2, 18)) == (dt.date(2003, 2, 18), None)
    assert excel_date(None) == (None, None)
    assert excel_date("18.02.2003")[1] is not None


def _stammdaten_rows() -> list[list]:
    book = openpyxl.load_workbook(SEED / XLSX, read_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return rows


def _xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for r in rows:
        book.active.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_stammdaten_with_bare_serials_reordered_columns_and_a_garbled_id():
    # the real sheet's first 20 rows, columns reversed, dates written as Excel serials, and
    # row 3's DET_ID15 garbled
    rows = _stammdaten_rows()[:21]
    header = rows[0]
    at = {h: i for i, h in enumerate(header)}
    for r in rows[1:]:
        d = r[at["INBETRIEBNAHME"]]
        r[at["INBETRIEBNAHME"]] = (d.date() - dt.date(1899, 12, 30)).days
    rows[3][at["DET_ID15"]] = "10010101000O369"
    data = _xlsx([r[::-1] for r in rows])
    result = parse_sites(data, XLSX)
    result.reconcile()
    assert (result.source_rows, len(result.staged)) == (20, 19)
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["column_name"], q["kind"]) == (3, "DET_ID15", "unreadable")
    assert typed(result)["installed"].iloc[0] == pd.Timestamp("2003-02-18")


def test_location_info_redelimited_with_bom():
    # the real file with ';' and a BOM
    text = (SEED / "location-info.csv").read_text("utf-8").replace(",", ";")
    result = parse_sites(b"\xef\xbb\xbf" + text.encode(), "location-info.csv")
    pd.testing.assert_frame_equal(result.staged, parsed("location-info.csv").staged)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_truncated_payload_raises_naming_the_file(name):
    data = (SEED / name).read_bytes()
    with pytest.raises(ParseError, match=name):
        parse_sites(data[: len(data) // 2 - 3], name)


def test_garbage_raises_naming_the_file():
    for body in (b"<html>oops</html>", b"{\"type\": \"Feature\"}", b"PK\x03\x04garbage"):
        with pytest.raises(ParseError, match="somefile"):
            parse_sites(body, "somefile")
