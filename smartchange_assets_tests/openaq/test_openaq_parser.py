"""OpenAQ v3 parser on the three real replies (Guadalajara, MX: a format reference kept as test
fixtures, not seed), plus faults and variants built from them (each test says what changed)."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from smartchange_assets.global_.openaq.parser import parse_openaq
from smartchange_assets.global_.openaq.source import SOURCE
from smartchange_assets.global_.openaq.units import UGM3_PER_PPM
from smartchange_assets.platform.parsing import (
    DUPLICATE,
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    conform,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openaq"
LOCATIONS = FIXTURES / "openaq_v3_locations_guadalajara_2025-11-22.json"
SENSORS = FIXTURES / "openaq_v3_sensors_location10536_2025-11-22.json"
MEASUREMENTS = FIXTURES / "openaq_v3_measurements_sensor1179864_pm10_page1.json"
# what the live connector would name the same page (sensor 1179864 is at location 10801)
LIVE_NAME = "openaq_location10801_sensor1179864_measurements_2025-09-20_2025-10-11_page1.json"


@cache
def parsed(path: Path):
    return parse_openaq(path.read_bytes(), path.name)


def typed(result) -> pd.DataFrame:
    """The staged rows as the engine types them, by the table spec ([0] is payload_sha256)."""
    return conform(result.staged, SOURCE.staging.columns[1:], SOURCE.source_id)


def reply(path: Path = MEASUREMENTS) -> dict:
    return json.loads(path.read_bytes())


def encode(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


# --------------------------------------------------------------------------- the real replies


def test_real_measurements_reply():
    result = parsed(MEASUREMENTS)
    result.reconcile()
    assert (result.source_rows, len(result.staged), result.no_data, len(result.quarantine)) == \
        (484, 484, 0, 0)
    staged = typed(result)
    assert list(staged.columns) == SOURCE.staging.column_names[1:]
    assert set(staged["sensor_id"]) == {1179864} and staged["location_id"].isna().all()
    first = staged.iloc[0]
    assert first["value_raw"] == 30.5017083333333 and first["value_ugm3"] == first["value_raw"]
    assert (first["parameter"], first["units_raw"], first["period_label"]) == \
        ("pm10", "µg/m³", "raw")
    assert first["period_start_utc"] == pd.Timestamp("2025-09-20T00:00:00Z")
    assert first["period_end_utc"] == pd.Timestamp("2025-09-20T01:00:00Z")
    assert staged["period_start_utc"].iloc[-1] == pd.Timestamp("2025-10-10T22:00:00Z")
    assert set(staged["coverage_percent"]) == {100.0}
    assert result.notes["meta_found"] == 484


@pytest.mark.parametrize("path, kind, records", [(LOCATIONS, "locations", 23),
                                                 (SENSORS, "sensors", 8)])
def test_real_catalogue_replies_add_no_measurement_rows(path, kind, records):
    result = parsed(path)
    assert (result.source_rows, len(result.staged), len(result.quarantine)) == (0, 0, 0)
    assert (result.notes["kind"], result.notes["records"]) == (kind, records)
    assert result.notes["meta_found"] is None  # the collector dropped meta (global-openaq.md §1)


def test_real_sensor_catalogue_ids():
    assert parsed(SENSORS).notes["ids"] == [12435755, 12435756, 34953, 34952, 34954, 34955,
                                           34956, 40547]
    assert parsed(LOCATIONS).notes["ids"][:3] == [7719, 7855, 7893]


def test_location_id_comes_from_the_live_file_name():
    staged = parse_openaq(MEASUREMENTS.read_bytes(), LIVE_NAME).staged
    assert set(staged["location_id"]) == {10801} and set(staged["sensor_id"]) == {1179864}


def test_measurements_without_a_sensor_in_the_name_cannot_be_attributed():
    # what the platform would name a live page today: the URL's last segment
    with pytest.raises(ParseError, match=r"measurements: .*no 'sensor<ID>'"):
        parse_openaq(MEASUREMENTS.read_bytes(), "measurements")


# --------------------------------------------------------------------------- units


def test_conversion_factors_are_the_reports_at_25_c_and_1_atm():
    # docs/sources/global-openaq.md §3: NO2 1 ppm ≈ 1,880 µg/m³, O3 ≈ 1,960, SO2 ≈ 2,620,
    # CO ≈ 1.145 mg/m³
    for gas, expected in {"no2": 1880, "o3": 1960, "so2": 2620, "co": 1145}.items():
        assert UGM3_PER_PPM[gas] == pytest.approx(expected, rel=0.002), gas


@pytest.mark.parametrize("name, units, value, ugm3", [
    ("no2", "ppm", 0.02, 0.02 * UGM3_PER_PPM["no2"]),
    ("o3", "ppb", 40.0, 0.040 * UGM3_PER_PPM["o3"]),
    ("so2", "ppm", 0.005, 0.005 * UGM3_PER_PPM["so2"]),
    ("co", "ppm", 1.2, 1.2 * UGM3_PER_PPM["co"]),
    ("co", "mg/m³", 1.2, 1200.0),
    ("pm25", "ug/m3", 12.5, 12.5),
    ("no", "ppm", 0.01, None),  # no factor for NO: kept as published only
    ("temperature", "c", 21.0, None),
])
def test_units_are_converted_or_left_null(name, units, value, ugm3):
    # derived from the real measurements reply: the first item re-labelled
    doc = reply()
    doc["results"] = doc["results"][:1]
    doc["results"][0].update(value=value, parameter={"id": 0, "name": name, "units": units,
                                                     "displayName": None})
    row = parse_openaq(encode(doc), MEASUREMENTS.name).staged.iloc[0]
    assert (row["parameter"], row["units_raw"], row["value_raw"]) == (name, units, value)
    if ugm3 is None:
        assert pd.isna(row["value_ugm3"])
    else:
        assert row["value_ugm3"] == pytest.approx(ugm3)


def test_pollutant_in_an_unknown_unit_is_quarantined():
    # derived from the real measurements reply: pm10 in 'particles/cm³'
    doc = reply()
    doc["results"][5]["parameter"]["units"] = "particles/cm³"
    result = parse_openaq(encode(doc), MEASUREMENTS.name)
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["column_name"], q["kind"]) == (6, "parameter.units", INCONSISTENT)
    assert len(result.staged) == 483


# --------------------------------------------------------------------------- faults


def test_null_value_is_no_data_and_negative_is_quarantined():
    # derived from the real measurements reply
    doc = reply()
    doc["results"][0]["value"] = None
    doc["results"][1]["value"] = -3.2
    result = parse_openaq(encode(doc), MEASUREMENTS.name)
    assert (len(result.staged), result.no_data, len(result.quarantine)) == (482, 1, 1)
    assert result.quarantine["column_name"].iloc[0] == "value"
    assert "negative pm10" in result.quarantine["reason"].iloc[0]


def test_garbled_period_start_is_quarantined_naming_the_key_field():
    # derived from the real measurements reply: item 10's start garbled
    doc = reply()
    doc["results"][9]["period"]["datetimeFrom"]["utc"] = "2025-09-20T0x:00:00Z"
    result = parse_openaq(encode(doc), MEASUREMENTS.name)
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["column_name"], q["kind"]) == \
        (10, "period.datetimeFrom.utc", UNREADABLE)
    expected = parsed(MEASUREMENTS).staged
    expected = expected[expected["source_row"] != 10].reset_index(drop=True)
    pd.testing.assert_frame_equal(result.staged, expected)


def test_repeated_items_duplicate_or_conflict():
    # derived from the real measurements reply: item 1 repeated, then repeated with a new value
    doc = reply()
    doc["results"].append(copy.deepcopy(doc["results"][0]))
    exact = parse_openaq(encode(doc), MEASUREMENTS.name)
    assert exact.quarantine[["source_row", "kind"]].values.tolist() == [[485, DUPLICATE]]
    doc["results"][-1]["value"] = 99.0
    conflict = parse_openaq(encode(doc), MEASUREMENTS.name)
    assert conflict.quarantine[["source_row", "column_name", "kind"]].values.tolist() == [
        [1, "value", INCONSISTENT], [485, "value", INCONSISTENT]]
    assert len(conflict.staged) == 483


def test_days_shape_is_read():
    # CONSTRUCTED from the real measurements reply (no /days sample exists, global-openaq.md §1):
    # the items relabelled as daily means, local midnight to midnight (Guadalajara, UTC-6)
    doc = reply()
    doc["results"] = doc["results"][:3]
    for i, item in enumerate(doc["results"]):
        item["period"] = {"label": "1 day", "interval": "24:00:00",
                          "datetimeFrom": {"utc": f"2025-09-{20 + i}T06:00:00Z",
                                           "local": f"2025-09-{20 + i}T00:00:00-06:00"},
                          "datetimeTo": {"utc": f"2025-09-{21 + i}T06:00:00Z",
                                         "local": f"2025-09-{21 + i}T00:00:00-06:00"}}
        item["coverage"]["percentComplete"] = 87.5
    staged = parse_openaq(encode(doc), LIVE_NAME.replace("measurements", "days")).staged
    assert staged["period_label"].tolist() == ["1 day"] * 3
    assert (staged["period_end_utc"] - staged["period_start_utc"]).unique().tolist() == [
        pd.Timedelta(days=1)]
    assert staged["coverage_percent"].tolist() == [87.5] * 3


@pytest.mark.parametrize("rewrite", [
    pytest.param(lambda d: b"\xef\xbb\xbf" + d, id="bom"),
    pytest.param(lambda d: json.dumps(
        {"results": json.loads(d)["results"], "meta": json.loads(d)["meta"]},
        ensure_ascii=False, indent=1).encode(), id="reordered-and-reindented"),
    pytest.param(lambda d: json.dumps(json.loads(d)).encode(), id="ascii-escaped"),
])
def test_rewritten_reply_gives_the_same_rows(rewrite):
    # derived from the real measurements reply
    result = parse_openaq(rewrite(MEASUREMENTS.read_bytes()), MEASUREMENTS.name)
    pd.testing.assert_frame_equal(result.staged, parsed(MEASUREMENTS).staged)


@pytest.mark.parametrize("payload", [
    pytest.param(lambda d: d[:5000], id="truncated"),
    pytest.param(lambda d: bytes(range(0x80, 0x100)) * 4, id="garbage"),
    pytest.param(lambda d: json.dumps(json.loads(d)["results"]).encode(), id="bare-list"),
    pytest.param(lambda d: b'{"detail": "Unauthorized. A valid API key must be provided"}',
                 id="error-object"),
    pytest.param(lambda d: b'{"meta": {}, "results": [{"foo": 1}]}', id="unknown-items"),
])
def test_unreadable_payload_raises_parse_error_naming_file(payload):
    with pytest.raises(ParseError) as err:
        parse_openaq(payload(MEASUREMENTS.read_bytes()), MEASUREMENTS.name)
    assert MEASUREMENTS.name in str(err.value)


def test_empty_results_page_is_valid_and_empty():
    result = parse_openaq(b'{"meta": {"page": 2, "limit": 1000, "found": 484}, "results": []}',
                          LIVE_NAME)
    assert (result.source_rows, len(result.staged), result.notes["kind"]) == (0, 0, "empty")


def test_suite_passes_on_the_real_rows_and_catches_bad_ones(fresh_database):
    from ..frame_suites import run_suite_on_frame

    frame = typed(parse_openaq(MEASUREMENTS.read_bytes(), LIVE_NAME))
    frame.insert(0, "payload_sha256", "a" * 64)
    assert run_suite_on_frame(fresh_database, frame, SOURCE.expectations, "openaq",
                              SOURCE.staging).success
    bad = frame.copy()
    bad.loc[1, "period_start_utc"] = bad.loc[0, "period_start_utc"]
    bad.loc[2, "value_ugm3"] = -1.0
    outcome = run_suite_on_frame(fresh_database, bad, SOURCE.expectations, "openaq",
                              SOURCE.staging)
    assert {r.expectation for r in outcome.failed} == {
        "compound_columns_unique(payload_sha256,sensor_id,period_label,period_start_utc)",
        "values_between(value_ugm3)"}
