"""The three mobility count parsers on every real seed file, plus faults built from those files.

Fault payloads are made inside the tests from the real seed bytes (re-delimited, BOM, columns
reordered, a key value garbled, truncated, gzipped) and say so.
"""

from __future__ import annotations

import gzip
from functools import cache

import pandas as pd
import pytest

from smartchange_assets.berlin.bike_counters.parser import SITE_ID_MAP, parse_bike_counts
from smartchange_assets.berlin.mobility import common
from smartchange_assets.berlin.telraam.parser import parse_telraam
from smartchange_assets.berlin.traffic_detectors.parser import parse_detectors
from smartchange_assets.platform.parsing import ParseError, ParseResult, conform

from ..seed_files import SEED

SEED = SEED / "berlin"
FILES = {
    "data-2012.csv": ("bike_counters", parse_bike_counts),
    "data-2015.csv": ("bike_counters", parse_bike_counts),
    "bzm_merged_all_test_read.csv": ("telraam", parse_telraam),
    "mq_hr_2023_03.csv": ("traffic_detectors", parse_detectors),
    "mq_hr_2023_10.csv": ("traffic_detectors", parse_detectors),
    "det_val_hr_2024_01.csv": ("traffic_detectors", parse_detectors),
}
# file -> (source rows, staged, no_data, quarantined); source rows = data lines of the file
EXPECTED = {
    "data-2012.csv": (16102, 16102, 0, 0),
    "data-2015.csv": (54249, 54249, 0, 0),
    "bzm_merged_all_test_read.csv": (9118, 9118, 0, 0),
    "mq_hr_2023_03.csv": (22815, 22815, 0, 0),
    "mq_hr_2023_10.csv": (45022, 44846, 0, 176),
    "det_val_hr_2024_01.csv": (37257, 37257, 0, 0),
}
KIND = {"data-2012.csv": "bike_counter", "data-2015.csv": "bike_counter",
        "bzm_merged_all_test_read.csv": "telraam", "mq_hr_2023_03.csv": "traffic_detector_mq",
        "mq_hr_2023_10.csv": "traffic_detector_mq",
        "det_val_hr_2024_01.csv": "traffic_detector_det"}


def raw(name: str) -> bytes:
    return (SEED / FILES[name][0] / name).read_bytes()


@cache
def parsed(name: str) -> ParseResult:
    return FILES[name][1](raw(name), name)


def parse(name: str, data: bytes) -> ParseResult:
    result = FILES[name][1](data, name)
    result.reconcile()
    return result


def at(result: ParseResult, site: str, local: str) -> pd.DataFrame:
    s = result.staged
    return s[(s["site_id"] == site) & (s["period_start_local"] == pd.Timestamp(local))]


# --------------------------------------------------------------------------- every real file


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_seed_file_reconciles_with_known_counts(name):
    result = parsed(name)
    result.reconcile()
    data_lines = raw(name).count(b"\n") - 1  # LF-terminated, one header line, no blank lines
    assert result.source_rows == data_lines
    assert (result.source_rows, len(result.staged), result.no_data,
            len(result.quarantine)) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_seed_file_staged_shape_and_types(name):
    # the parser hands over rows by column name; the engine types them by common.COLUMNS, the
    # one declaration of the three count tables
    s = conform(parsed(name).staged, common.COLUMNS, f"berlin/{FILES[name][0]}")
    assert list(s.columns) == [c.name for c in common.COLUMNS]
    assert set(s["counter_kind"]) == {KIND[name]}
    assert str(s["period_start_local"].dtype) == "datetime64[ns]"
    assert str(s["period_start_utc"].dtype) == "datetime64[ns, UTC]"
    for col in (*common.COUNT_COLUMNS, *common.SIDE_COLUMNS, "dst_fold"):
        assert str(s[col].dtype) == "Int64", col
    assert s["source_row"].is_unique and s["source_row"].between(1, len(s) + 200).all()
    assert not s.duplicated(list(common.KEY)).any()
    assert (s["local_date"] == s["period_start_local"].dt.normalize()).all()
    # UTC is missing exactly on the non-existent DST hour, and is right everywhere else
    nonexistent = s["time_flag"].eq(common.NONEXISTENT_HOUR).fillna(False)
    assert (s["period_start_utc"].isna() == nonexistent).all()
    back = s.loc[~nonexistent, "period_start_utc"].dt.tz_convert(common.TZ).dt.tz_localize(None)
    assert (back == s.loc[~nonexistent, "period_start_local"]).all()
    assert not set(s["source_row"]) & set(parsed(name).quarantine["source_row"])


# --------------------------------------------------------------------------- bike counters


def test_bike_2012_file_holds_2013_and_only_schwedter_steg():
    s = parsed("data-2012.csv").staged
    assert set(s["site_id"]) == {"12-PA-SCH"}
    assert s["period_start_local"].min() == pd.Timestamp("2012-03-01 00:00")
    assert s["period_start_local"].max() == pd.Timestamp("2013-12-31 23:00")
    assert (s["local_date"].dt.year == 2013).sum() == 8760
    assert s["count_bike"].iloc[0] == 11  # "2012-03-01T00:00,12-PA-SCH,11.0"


def test_bike_spring_forward_hour_is_kept_flagged_without_utc():
    # the non-existent 02:00 exists in the files: 3.0 on 2013-03-31, 0.0 on 2015-03-29
    for name, local, count in (("data-2012.csv", "2013-03-31 02:00", 3),
                               ("data-2015.csv", "2015-03-29 02:00", 0)):
        row = at(parsed(name), "12-PA-SCH", local).iloc[0]
        assert row["time_flag"] == common.NONEXISTENT_HOUR
        assert pd.isna(row["period_start_utc"]) and row["count_bike"] == count
    # 2012 has neither 02:00 nor 05:00 on 2012-03-25 (docs/sources/berlin-bike-counters.md §3)
    s = parsed("data-2012.csv").staged
    day = s[s["local_date"] == pd.Timestamp("2012-03-25")]
    assert len(day) == 22 and day["time_flag"].isna().all()


def test_bike_fall_back_hour_is_read_as_summer_time_and_flagged():
    s = parsed("data-2015.csv").staged
    day = s[(s["site_id"] == "02-MI-JAN-N") & (s["local_date"] == pd.Timestamp("2015-10-25"))]
    assert len(day) == 24  # one 02:00 row for two clock hours
    two = day[day["period_start_local"].dt.hour == 2].iloc[0]
    assert two["time_flag"] == common.REPEATED_HOUR and two["dst_fold"] == 0
    assert two["period_start_utc"] == pd.Timestamp("2015-10-25 00:00", tz="UTC")
    assert two["count_bike"] == 118
    three = day[day["period_start_local"].dt.hour == 3].iloc[0]
    assert three["period_start_utc"] == pd.Timestamp("2015-10-25 02:00", tz="UTC")


def test_bike_2015_stations_and_the_missing_hours_of_13_cw_pri():
    s = parsed("data-2015.csv").staged
    per_site = s.groupby("site_id").size()
    assert per_site.to_dict() == {
        "02-MI-JAN-N": 6600, "02-MI-JAN-S": 6600, "03-MI-SAN-O": 5136, "05-FK-OBB-O": 5136,
        "12-PA-SCH": 8760, "13-CW-PRI": 6585, "24-MH-ALB": 4416, "26-LI-PUP": 5136,
        "27-RE-MAR": 5880}
    day = s[(s["site_id"] == "13-CW-PRI") & (s["local_date"] == pd.Timestamp("2015-09-22"))]
    assert day["period_start_local"].dt.hour.min() == 15  # 00:00-14:00 are absent rows
    assert s["count_bike"].max() == 854


def test_bike_renamed_station_is_mapped_and_raw_id_kept():
    # built from the real file: data-2015.csv's first line with the old Breitenbachplatz id
    text = raw("data-2015.csv").decode().splitlines()
    body = "\n".join([text[0], text[1].replace("26-LI-PUP", "17-SZ-BRE-O")]) + "\n"
    result = parse("data-2015.csv", body.encode())
    row = result.staged.iloc[0]
    assert (row["site_id"], row["site_id_raw"]) == ("17-SK-BRE-O", "17-SZ-BRE-O")
    assert SITE_ID_MAP["17-SZ-BRE-O"] == "17-SK-BRE-O"
    assert result.notes["renamed_station_ids"] == ["17-SZ-BRE-O"]


# --------------------------------------------------------------------------- Telraam


def test_telraam_keeps_published_totals_off_by_one():
    result = parsed("bzm_merged_all_test_read.csv")
    assert result.notes["total_differs_from_lft_plus_rgt"] == {
        "pedestrian": 2052, "bike": 2171, "car": 2251, "heavy": 1861}
    s = result.staged
    diff = (s["count_car"] - s["count_car_lft"] - s["count_car_rgt"]).abs()
    assert diff.max() == 1 and len(result.quarantine) == 0
    row = at(result, "9000001661", "2024-01-01 09:00").iloc[0]
    assert (row["count_car_lft"], row["count_car_rgt"], row["count_car"]) == (4, 5, 9)
    assert row["period_start_utc"] == pd.Timestamp("2024-01-01 08:00", tz="UTC")


def test_telraam_daylight_hours_only_and_empty_v85_uptime():
    s = parsed("bzm_merged_all_test_read.csv").staged
    assert set(s["period_start_local"].dt.hour) == set(range(5, 21))
    assert s["car_v85_kmh"].isna().all() and s["uptime"].isna().all()
    assert s["count_motor_vehicle"].isna().all() and s["quality"].isna().all()
    # nothing happens on the DST day 2024-03-31: no night hours
    assert s["time_flag"].isna().all()
    all_zero = (s[["count_pedestrian", "count_bike", "count_car", "count_heavy"]] == 0).all(axis=1)
    assert all_zero.sum() == 70  # real zeros are staged as zeros


def test_telraam_official_layout_gzip():
    # built from the real extract: the official monthly columns only, HH:MM stamps, gzipped
    frame = pd.read_csv(SEED / "telraam" / "bzm_merged_all_test_read.csv", dtype=str,
                        keep_default_na=False)
    official = ["segment_id", "date_local", "uptime", *[f"{m}_{p}" for m in
                ("ped", "bike", "car", "heavy") for p in ("lft", "rgt", "total")], "v85"]
    frame = frame[frame["date_local"].str.startswith("2024-01")][official]
    frame["date_local"] = frame["date_local"].str[:16]
    body = gzip.compress(frame.to_csv(index=False).encode())
    result = parse("bzm_merged_all_test_read.csv", body)
    assert result.notes["layout"] == "official"
    assert result.source_rows == len(frame) == len(result.staged)


def test_telraam_derived_hour_that_contradicts_date_local_is_quarantined():
    # real line 2 with its 'hour' column changed from 8 to 9
    lines = raw("bzm_merged_all_test_read.csv").decode().splitlines()
    lines[1] = lines[1].replace("2024-01-01,2024-01,2024,1,1,8,", "2024-01-01,2024-01,2024,1,1,9,")
    result = parse("bzm_merged_all_test_read.csv", ("\n".join(lines) + "\n").encode())
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["column_name"], q["kind"]) == (1, "hour", "inconsistent")
    assert "'9' disagrees with date_local '2024-01-01 08:00:00'" in q["reason"]


# --------------------------------------------------------------------------- detectors


def test_detector_quality_outside_zero_one_is_quarantined_with_the_value():
    q = parsed("mq_hr_2023_10.csv").quarantine
    assert set(q["kind"]) == {"inconsistent"} and set(q["column_name"]) == {"qualitaet"}
    assert q["reason"].str.startswith("qualitaet '2.0' outside (0, 1]").all()
    stamps = q["raw_record"].str.split(";").map(lambda f: (f[1], f[2])).value_counts()
    assert stamps.to_dict() == {("01.10.2023", "0"): 56, ("01.10.2023", "1"): 56,
                                ("29.10.2023", "2"): 64}
    first = q.iloc[0]
    assert first["raw_record"] == "TE001;01.10.2023;0;2.0;994;55;982;54;12;72"


def test_detector_spring_forward_day_has_22_hours():
    s = parsed("mq_hr_2023_03.csv").staged
    day = s[(s["site_id"] == "TE001") & (s["local_date"] == pd.Timestamp("2023-03-26"))]
    assert len(day) == 22 and not ({2, 3} & set(day["period_start_local"].dt.hour))


def test_detector_speed_sentinel_and_quality_shares():
    s = parsed("det_val_hr_2024_01.csv").staged
    assert sorted(s["quality"].unique()) == [0.75, 0.83, 0.92, 1.0]
    row = at(parsed("det_val_hr_2024_01.csv"), "100101010000167", "2024-01-01 01:00").iloc[0]
    # 100101010000167;01.01.2024;1;1.0;370;73;370;73;0;-1
    assert (row["count_motor_vehicle"], row["count_car"], row["count_truck"]) == (370, 370, 0)
    assert row["speed_car_kmh"] == 73 and pd.isna(row["speed_truck_kmh"])
    assert s["speed_truck_kmh"].isna().sum() == 5757  # every -1 of v_lkw
    assert (s[list(common.SPEED_COLUMNS.values())].min() >= 0).all()
    assert set(s["site_id"].str.len()) == {15}


def test_detector_new_cross_sections_keep_their_suffix():
    sites = set(parsed("mq_hr_2023_10.csv").staged["site_id"])
    assert {"TE015n", "TE118n", "TE134n"} <= sites and len(sites) == 66


# --------------------------------------------------------------------------- faults


@pytest.mark.parametrize("name", ["data-2015.csv", "bzm_merged_all_test_read.csv",
                                  "mq_hr_2023_03.csv"])
def test_redelimited_bom_and_reordered_columns_give_the_same_rows(name):
    # the real file re-delimited (, <-> ;), with a UTF-8 BOM, and its columns reversed
    frame = pd.read_csv(SEED / FILES[name][0] / name, dtype=str, keep_default_na=False,
                        sep=None, engine="python", nrows=3000)
    sep = ";" if "mq_hr" not in name else ","
    body = b"\xef\xbb\xbf" + frame[frame.columns[::-1]].to_csv(index=False, sep=sep).encode()
    result = parse(name, body)
    reference = parse(name, frame.to_csv(index=False, sep=";" if sep == "," else ",").encode())
    assert result.source_rows == 3000
    pd.testing.assert_frame_equal(result.staged, reference.staged)
    assert len(result.staged) == len(reference.staged) > 2900


@pytest.mark.parametrize(("name", "column", "old", "new"), [
    ("data-2015.csv", "date", "2015-06-01T00:00", "2015-06-01T0O:00"),
    ("data-2015.csv", "station-id", ",26-LI-PUP,", ",26-LI-P?P,"),
    ("bzm_merged_all_test_read.csv", "segment_id", ",9000001661,", ",90000O1661,"),
    ("mq_hr_2023_03.csv", "tag", ";01.03.2023;", ";01.13.2023;"),
    ("det_val_hr_2024_01.csv", "detid_15", "100101010000167;", "10010101000016;"),
])
def test_garbled_key_value_is_quarantined_naming_its_column(name, column, old, new):
    # the real file's first data line with one key value garbled
    lines = raw(name).split(b"\n")
    assert old.encode() in lines[1]
    lines[1] = lines[1].replace(old.encode(), new.encode(), 1)
    result = parse(name, b"\n".join(lines))
    q = result.quarantine
    assert len(q) == 1
    assert (q["source_row"].iloc[0], q["column_name"].iloc[0], q["kind"].iloc[0]) == (
        1, column, "unreadable")
    assert repr(new.strip(",;")) in q["reason"].iloc[0] or new.strip(",;") in q["reason"].iloc[0]
    assert len(result.staged) == EXPECTED[name][1] - 1


def test_exact_repeat_is_duplicate_and_conflicting_repeat_is_inconsistent():
    # two real lines of data-2015.csv repeated: once verbatim, once with another count
    lines = raw("data-2015.csv").decode().splitlines()[:4]
    changed = lines[2].replace(",12.0", ",13.0")
    assert changed != lines[2]
    body = "\n".join([*lines, lines[1], changed]) + "\n"
    result = parse("data-2015.csv", body.encode())
    q = result.quarantine.sort_values("source_row")
    assert q[["source_row", "kind"]].values.tolist() == [
        [2, "inconsistent"], [4, "duplicate"], [5, "inconsistent"]]
    assert result.staged["source_row"].tolist() == [1, 3]


@pytest.mark.parametrize("name", sorted(FILES))
def test_truncated_payload_raises_naming_the_file(name):
    # the real file cut in the middle of a line
    data = raw(name)
    cut = data[: data.index(b"\n", len(data) // 2) + 8]
    with pytest.raises(ParseError, match=f"{name}.*(truncated|ends mid-line)"):
        parse(name, cut)


@pytest.mark.parametrize("name", sorted(FILES))
def test_truncated_gzip_raises_naming_the_file(name):
    packed = gzip.compress(raw(name))
    assert parse(name, packed).source_rows == EXPECTED[name][0]  # gzip as served is read
    with pytest.raises(ParseError, match=f"{name}: gzip stream is truncated"):
        parse(name, packed[: len(packed) // 2])


@pytest.mark.parametrize("name", sorted(FILES))
def test_garbage_or_another_sources_file_raises_naming_the_file(name):
    other = "mq_hr_2023_03.csv" if "mq_hr" not in name and "det_" not in name \
        else "data-2015.csv"
    for body in (b"<html><body>503 Service Unavailable</body></html>\n", raw(other)[:2000],
                 b"", b"\x00\x01\x02"):
        with pytest.raises(ParseError, match=name):
            parse(name, body)


def test_telraam_repeated_fall_back_hour_gets_both_occurrences():
    # docs/sources/berlin-telraam.md §3 (code reading): night-capable cameras can give two rows
    # 02:00 on the fall-back day. Built from two real lines of segment 9000001661 moved to
    # 2024-10-27 02:00.
    lines = raw("bzm_merged_all_test_read.csv").decode().splitlines()
    moved = [ln.replace("2024-01-01,2024-01,2024,1,1,", "2024-10-27,2024-10,2024,10,27,")
             .replace("2024-01-01 08:00:00", "2024-10-27 02:00:00")
             .replace("2024-01-01 09:00:00", "2024-10-27 02:00:00")
             .replace(",10,27,8,0,", ",10,27,2,6,").replace(",10,27,9,0,", ",10,27,2,6,")
             for ln in lines[1:3]]
    result = parse("bzm_merged_all_test_read.csv", ("\n".join([lines[0], *moved]) + "\n")
                   .encode())
    s = result.staged
    assert s["dst_fold"].tolist() == [0, 1] and set(s["time_flag"]) == {common.REPEATED_HOUR}
    assert s["period_start_utc"].tolist() == [pd.Timestamp("2024-10-27 00:00", tz="UTC"),
                                              pd.Timestamp("2024-10-27 01:00", tz="UTC")]
    assert s["count_car"].tolist() == [0, 9]


@pytest.mark.parametrize("name", ["data-2015.csv", "bzm_merged_all_test_read.csv",
                                  "mq_hr_2023_03.csv", "det_val_hr_2024_01.csv"])
def test_header_in_another_case_and_spacing_gives_the_same_rows(name):
    # the real file's first 500 lines with the header upper-cased and padded (columns by name)
    lines = raw(name).split(b"\n")[:501]
    sep = b";" if b";" in lines[0] else b","
    lines_shouted = [sep.join(b" " + h.upper() + b" " for h in lines[0].split(sep)), *lines[1:]]
    shouted = parse(name, b"\n".join(lines_shouted) + b"\n")
    pd.testing.assert_frame_equal(shouted.staged, parse(name, b"\n".join(lines) + b"\n").staged)
    assert len(shouted.staged) == 500
