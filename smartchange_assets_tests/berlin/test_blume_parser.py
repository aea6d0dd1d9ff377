"""BLUME parser tests on the real published files (seed copies, provenance in
docs/sources/berlin-blume-air-quality.md §1).

Expected counts are derived from the files themselves (plain ``json``/``str.split`` counting
below, independent of the parser) and also written out as literals, so a changed seed file
or a parser regression both show up. Fault cases are built by editing the real files.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from smartchange_assets.berlin.blume_air_quality.parser import (
    CSV_STAMP_MARKS_PERIOD_END,
    daily_means,
    parse_blume,
)
from smartchange_assets.berlin.blume_air_quality.source import SOURCE
from smartchange_assets.platform.parsing import ParseError, conform

from ..seed_files import SEED

SEED = SEED / "berlin" / "blume_air_quality"
MONTH = "blume_api_mc010_2024-03_1h.json"
DAILY = "blume_api_mc010_2022_24h.json"
DST = "blume_api_mc124_2023-10_1h_dst.json"
EMPTY = "blume_api_mc124_2008-03_empty.json"
CSV = "blume_csv_export_pm10_1h_2023.csv"

# file: (source rows, staged, no_data, quarantined)
EXPECTED = {
    MONTH: (4320, 4312, 8, 0),
    DAILY: (2190, 2177, 13, 0),
    DST: (3720, 3710, 10, 0),
    EMPTY: (0, 0, 0, 0),
    CSV: (8734 * 13, 8734 * 13 - 3372, 3372, 0),
}


def raw(name: str) -> bytes:
    return (SEED / name).read_bytes()


def parse(name: str):
    return parse_blume(raw(name), name)


def csv_lines(data: bytes) -> tuple[list[str], list[str]]:
    """Header rows and data lines of the export, by plain splitting (no parser)."""
    lines = data.decode("utf-8").split("\n")
    return lines[:4], [line for line in lines[5:] if line]


def count_independently(name: str) -> tuple[int, int]:
    """(source rows, publisher no-data) counted straight from the file."""
    if name.endswith(".json"):
        items = json.loads(raw(name))
        return len(items), sum(item["value"] is None for item in items)
    _, lines = csv_lines(raw(name))
    cells = [cell for line in lines for cell in line.split(";")[1:]]
    return len(cells), cells.count("")


def on_day(frame: pd.DataFrame, day: str) -> pd.DataFrame:
    return frame[frame["local_date"] == pd.Timestamp(day)]


@pytest.fixture(scope="module")
def csv_result():
    return parse(CSV)


@pytest.fixture(scope="module")
def dst_result():
    return parse(DST)


# --------------------------------------------------------------------------- every file


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_seed_file_reconciles_with_counts_from_the_file(name):
    result = parse(name)
    result.reconcile()
    counts = (result.source_rows, len(result.staged), result.no_data, len(result.quarantine))
    assert counts == EXPECTED[name]
    assert (result.source_rows, result.no_data) == count_independently(name)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_staged_columns_and_types(name):
    # the parser hands over rows by column name; the engine types them by the table spec
    columns = SOURCE.staging.columns[1:]  # [0] is payload_sha256, added by the engine
    staged = conform(parse(name).staged, columns, SOURCE.source_id)
    assert list(staged.columns) == [c.name for c in columns]
    assert str(staged["period_start_utc"].dtype) == "datetime64[ns, UTC]"
    assert str(staged["period_start_local"].dtype) == "datetime64[ns]"
    assert str(staged["local_date"].dtype) == "datetime64[ns]"
    assert staged["value"].dtype == "float64"
    assert staged["source_row"].dtype == "Int64"
    assert staged["source_row"].is_unique


def test_empty_month_is_a_valid_payload_with_nothing_in_it():
    result = parse(EMPTY)
    assert raw(EMPTY) == b"[]"
    assert (result.source_rows, len(result.staged), result.no_data) == (0, 0, 0)
    assert result.notes["stations"] == []
    assert daily_means(result.staged).empty


# --------------------------------------------------------------------------- JSON


def test_dst_month_utc_hours_and_the_25_hour_day(dst_result):
    items = json.loads(raw(DST))
    assert len(items) == 3720 and sum(i["value"] is None for i in items) == 10
    # The research report's "31*24 - 1 = 743" undercounts: October 2023 has 745 real hours (one
    # extra on 29 Oct). The file has 744 per pollutant; the one missing is 02:00+01:00 = 01:00 UTC.
    stamps = pd.to_datetime(pd.Series([i["datetime"] for i in items]), utc=True)
    per_pollutant = stamps.groupby([i["core"] for i in items]).nunique()
    assert set(per_pollutant) == {744}
    month = pd.date_range("2023-09-30 22:00", "2023-10-31 22:00", freq="h", tz="UTC")
    assert len(month) == 745
    assert set(month) - set(stamps) == {pd.Timestamp("2023-10-29 01:00", tz="UTC")}
    # Staged: 744 hours minus 2 null hours (11 Oct 11:00 and the 02:00+02:00 on 29 Oct).
    staged = dst_result.staged
    assert set(staged.groupby("pollutant")["period_start_utc"].nunique()) == {742}
    day = on_day(daily_means(staged), "2023-10-29")
    assert set(day["hours_in_day"]) == {25}
    assert set(day["hours_present"]) == {23}
    assert set(day["min_hours"]) == {19} and day["valid"].all()


def test_json_converts_with_its_own_offset(dst_result):
    staged = dst_result.staged.query("pollutant == 'pm10'")
    first = staged.iloc[0]
    # "2023-10-01T00:00:00+02:00" is the first hour: start of period, local midnight.
    assert first["period_start_utc"] == pd.Timestamp("2023-09-30 22:00", tz="UTC")
    assert first["period_start_local"] == pd.Timestamp("2023-10-01 00:00")
    after = staged[staged["period_start_utc"] == pd.Timestamp("2023-10-29 02:00", tz="UTC")]
    assert after["period_start_local"].iloc[0] == pd.Timestamp("2023-10-29 03:00")  # 03:00+01


def test_pm2_becomes_pm25():
    items = json.loads(raw(MONTH))
    pm2 = [i for i in items if i["core"] == "pm2" and i["value"] is not None]
    staged = parse(MONTH).staged
    assert "pm2" not in set(staged["pollutant"])
    assert (staged["pollutant"] == "pm25").sum() == len(pm2) == 719


def test_newest_first_input_gives_ascending_output():
    items = json.loads(raw(MONTH))
    assert items[0]["datetime"] > items[-1]["datetime"]  # the API answers newest first
    staged = parse(MONTH).staged
    for _, group in staged.groupby(["station_code", "pollutant"]):
        assert group["period_start_utc"].is_monotonic_increasing
    # the last array item (oldest hour) comes out first
    assert staged.iloc[0]["source_row"] > 4300
    assert staged.iloc[0]["period_start_local"] == pd.Timestamp("2024-03-01 00:00")


def test_month_file_lacks_31_march():
    # Data fact, not a parser rule: the "March" file stops at 30 March 23:00 (720 hours per
    # pollutant), so 31 March 2024 (the spring-forward day) is absent.
    staged = parse(MONTH).staged
    assert staged["period_start_local"].max() == pd.Timestamp("2024-03-30 23:00")


def test_daily_file_gives_the_local_date():
    staged = parse(DAILY).staged
    assert set(staged["period"]) == {"24h"}
    assert staged["local_date"].nunique() == 365
    assert (staged["period_start_local"] == staged["local_date"]).all()  # local midnight
    # 2022-03-27T00:00:00+01:00 (DST starts later that night) and the first +02:00 day
    for day, utc in (("2022-03-27", "2022-03-26 23:00"), ("2022-03-28", "2022-03-27 22:00")):
        rows = staged[staged["local_date"] == pd.Timestamp(day)]
        assert set(rows["period_start_utc"]) == {pd.Timestamp(utc, tz="UTC")}


# --------------------------------------------------------------------------- CSV


def test_csv_station_columns(csv_result):
    staged = csv_result.staged
    header, _ = csv_lines(raw(CSV))
    assert header[0].split(";")[1] == "010 Wedding"
    wedding = staged[staged["station_code"] == "mc010"]
    assert set(wedding["station_name"]) == {"Wedding"}
    assert len(csv_result.notes["stations"]) == 13
    # Two columns are both titled "Silbersteinstraße"; the number keeps them apart.
    silber = staged[staged["station_name"] == "Silbersteinstraße"]
    counts = silber.groupby("station_code").size().to_dict()
    assert counts == {"mc143": 7618, "mc144": 8079}
    assert set(staged["pollutant"]) == {"pm10"} and set(staged["period"]) == {"1h"}


def test_csv_stamp_labels_the_hour_like_the_json(csv_result):
    # measured on the real files: the CSV column 124 and the mc124 JSON hold identical values
    # under identical printed stamps, so both label an hour the same way (its start)
    first = csv_result.staged.query("source_row == 1").iloc[0]  # "01.01.2023 01:00;77;..."
    assert (first["station_code"], first["value"]) == ("mc010", 77.0)
    assert first["period_start_local"] == pd.Timestamp("2023-01-01 01:00")
    assert first["period_start_utc"] == pd.Timestamp("2023-01-01 00:00", tz="UTC")


def test_csv_source_row_is_line_index_times_stations_plus_column(csv_result):
    _, lines = csv_lines(raw(CSV))
    i = lines.index(next(line for line in lines if line.startswith("29.10.2023 03:00")))
    cells = lines[i].split(";")
    column = 7  # "124 Mariendorfer Damm"
    row = csv_result.staged.query(f"source_row == {i * 13 + column}").iloc[0]
    assert row["station_code"] == "mc124" and row["value"] == float(cells[column])


def test_csv_fall_back_day(csv_result):
    _, lines = csv_lines(raw(CSV))
    two = [line for line in lines if line.startswith("29.10.2023 02:00")]
    assert two == ["29.10.2023 02:00" + ";" * 13]  # one 02:00 line, and it is all empty
    day = on_day(daily_means(csv_result.staged), "2023-10-29")
    assert set(day["hours_in_day"]) == {25}
    assert day.set_index("station_code").loc["mc010", "hours_present"] == 23


def test_csv_ambiguous_02_00_is_read_as_cest():
    # Derived from the real file: give the empty 29.10.2023 02:00 line values.
    data = raw(CSV).replace(b"29.10.2023 02:00" + b";" * 13,
                            b"29.10.2023 02:00" + b";5" * 13)
    staged = parse_blume(data, CSV).staged.query("station_code == 'mc010'")
    utc = set(staged["period_start_utc"])
    # the single 02:00 is read as CEST (00:00 UTC); 03:00 CET is 02:00 UTC, so the second
    # 02:00 (CET, 01:00 UTC) has no line in the export
    assert pd.Timestamp("2023-10-29 00:00", tz="UTC") in utc
    assert pd.Timestamp("2023-10-29 02:00", tz="UTC") in utc
    assert pd.Timestamp("2023-10-29 01:00", tz="UTC") not in utc


def test_csv_spring_forward_day(csv_result):
    _, lines = csv_lines(raw(CSV))
    assert not any(line.startswith("26.03.2023 02:00") for line in lines)
    staged = on_day(csv_result.staged.query("station_code == 'mc010'"), "2023-03-26")
    assert len(staged) == 23
    gaps = staged["period_start_utc"].diff().dropna()
    assert (gaps == pd.Timedelta(hours=1)).all()  # no hole and no overlap in UTC
    day = on_day(daily_means(csv_result.staged), "2023-03-26")
    assert set(day["hours_in_day"]) == {23}


def test_csv_empty_cells_are_no_data(csv_result):
    assert csv_result.no_data == 3372 == count_independently(CSV)[1]
    assert len(csv_result.quarantine) == 0


def test_csv_and_json_label_the_same_hour_alike():
    # Data fact: for mc124 in October 2023 the CSV column "124 Mariendorfer Damm" and the API
    # JSON print identical values under identical stamps. With the end-of-hour rule for the
    # CSV, the staged CSV rows therefore sit exactly one hour before the JSON rows.
    csv_rows = parse(CSV).staged.query("station_code == 'mc124'")
    json_rows = parse(DST).staged.query("pollutant == 'pm10'")
    shift = pd.Timedelta(hours=1) if CSV_STAMP_MARKS_PERIOD_END else pd.Timedelta(0)
    csv_by_time = csv_rows.set_index(csv_rows["period_start_utc"] + shift)["value"]
    joined = json_rows.set_index("period_start_utc")["value"].to_frame("json").join(
        csv_by_time.rename("csv"), how="inner")
    assert len(joined) == 742
    assert (joined["json"] == joined["csv"]).all()


# --------------------------------------------------------------------------- daily means


def test_daily_means_75_percent_rule():
    hours = pd.date_range("2023-10-28 22:00", periods=25, freq="h", tz="UTC")  # 29 Oct local
    local = hours.tz_convert("Europe/Berlin").tz_localize(None)
    frame = pd.DataFrame({"station_code": "mc124", "pollutant": "pm10", "period": "1h",
                          "local_date": local.normalize(), "value": range(25)})
    for present, valid in ((19, True), (18, False)):
        out = daily_means(frame.iloc[:present])
        assert out[["hours_present", "hours_in_day", "min_hours"]].iloc[0].tolist() == [
            present, 25, 19]
        assert bool(out["valid"].iloc[0]) is valid
    assert daily_means(frame)["mean_ugm3"].iloc[0] == 12.0


# --------------------------------------------------------------------------- faults


def test_truncated_json_names_the_file():
    # Derived from the real DST file: the download cut off half way.
    data = raw(DST)
    with pytest.raises(ParseError, match=DST):
        parse_blume(data[: len(data) // 2], DST)


def test_non_numeric_value_is_quarantined_naming_the_column():
    # Derived from the real month file: one item's value replaced by "abc".
    items = json.loads(raw(MONTH))
    items[5]["value"] = "abc"
    result = parse_blume(json.dumps(items).encode(), MONTH)
    q = result.quarantine
    assert (len(q), len(result.staged)) == (1, 4311)
    assert (q["source_row"].iloc[0], q["column_name"].iloc[0]) == (6, "value")
    assert "abc" in q["reason"].iloc[0] and json.loads(q["raw_record"].iloc[0]) == items[5]


@pytest.mark.parametrize("field, bad, column", [
    ("core", "pm1", "core"),
    ("datetime", "2024-03-30T23:00:00", "datetime"),  # no offset
    ("datetime", "30.03.2024 23:00", "datetime"),
    ("period", "8h", "period"),
    ("station", 10, "station"),
])
def test_malformed_items_are_quarantined(field, bad, column):
    # Derived from the real month file: one field of the first item damaged.
    items = json.loads(raw(MONTH))
    items[0][field] = bad
    result = parse_blume(json.dumps(items).encode(), MONTH)
    assert result.quarantine["column_name"].tolist() == [column]
    assert result.quarantine["source_row"].tolist() == [1]


def test_upper_case_station_code_is_normalised():
    # MC221 is spelled upper case in the LQI answer; here a real item is spelled that way.
    items = json.loads(raw(MONTH))
    items[0]["station"] = "MC010"
    staged = parse_blume(json.dumps(items).encode(), MONTH).staged
    assert set(staged["station_code"]) == {"mc010"} and len(staged) == 4312


def test_duplicates_are_quarantined():
    # Derived from the real month file: the first item repeated, then repeated with another value.
    items = json.loads(raw(MONTH))
    same = parse_blume(json.dumps(items + [items[0]]).encode(), MONTH)
    assert same.quarantine["source_row"].tolist() == [4321]
    assert "duplicate of source row 1" in same.quarantine["reason"].iloc[0]
    assert same.quarantine["kind"].tolist() == ["duplicate"]
    other = dict(items[0], value=items[0]["value"] + 1)
    clash = parse_blume(json.dumps(items + [other]).encode(), MONTH)
    assert sorted(clash.quarantine["source_row"]) == [1, 4321]  # no way to tell which is right
    assert len(clash.staged) == 4311
    assert set(clash.quarantine["kind"]) == {"inconsistent"}


def test_nonexistent_spring_forward_stamp_quarantines_the_line():
    # Derived from the real CSV: a 26.03.2023 02:00 line (a time that never happened in
    # Berlin) inserted after the 01:00 line, as file line 2023.
    text = raw(CSV).decode("utf-8")
    one = next(line for line in text.split("\n") if line.startswith("26.03.2023 01:00"))
    text = text.replace(one, one + "\n" + one.replace("01:00", "02:00"))
    result = parse_blume(text.encode("utf-8"), CSV)
    q = result.quarantine
    assert len(q) == 13 and result.source_rows == EXPECTED[CSV][0] + 13
    assert len(result.staged) == EXPECTED[CSV][1]
    assert q["column_name"].str.startswith("Messzeit").all()
    assert q["reason"].str.contains("line 2023").all()
    assert q["reason"].str.contains("does not exist").all()


def test_non_numeric_csv_cell_names_line_and_column():
    # Derived from the real CSV: the first Wedding value replaced by "n/a".
    data = raw(CSV).replace(b"01.01.2023 01:00;77;", b"01.01.2023 01:00;n/a;", 1)
    q = parse_blume(data, CSV).quarantine
    assert q[["source_row", "column_name"]].values.tolist() == [[1, "010 Wedding"]]
    assert "line 6" in q["reason"].iloc[0]


@pytest.mark.parametrize("data", [
    b"<html><body>Wartungsarbeiten</body></html>",
    b'{"error": "not found"}',
    b'[{"station": "mc010", "data": [{"component": "lqi", "value": 3}]}]',  # /api/lqi shape
    b"Station;010 Wedding\n01.01.2023 01:00;77",  # header rows missing
])
def test_other_payloads_raise_parse_error_naming_the_file(data):
    with pytest.raises(ParseError, match="some_file.bin"):
        parse_blume(data, "some_file.bin")
