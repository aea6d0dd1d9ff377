"""The ISPU parser on the ten real published files (seed copies), plus faults built from them."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gzip
import io
import json
import math
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from smartchange_assets.jakarta.ispu.parser import parse_ispu
from smartchange_assets.jakarta.ispu.source import COLUMNS, SOURCE
from smartchange_assets.platform.parsing import ParseError, ParseResult, conform
from smartchange_assets.standards.ispu import CATEGORIES, KEP107_1997, NO_DATA_CATEGORY, P14_2020

from ..seed_files import SEED

SEED = SEED / "jakarta" / "ispu"

# year -> (data rows, staged, no_data, quarantined). Data rows are the published counts
# (docs/sources/jakarta-ispu.md §1); the split is what the parser does today, pinned so a change
# is noticed. 2016: the 33 rows of 14 dates published two or three times with other values are
# all quarantined (none of a conflicting key is staged).
EXPECTED = {
    2010: (1825, 523, 1302, 0),
    2011: (365, 365, 0, 0),
    2014: (1825, 1791, 34, 0),
    2015: (365, 365, 0, 0),
    2016: (1830, 1600, 37, 193),
    2019: (345, 345, 0, 0),
    2021: (1825, 1808, 16, 1),
    2022: (365, 364, 0, 1),
    2023: (1825, 1804, 21, 0),
    2024: (1830, 1824, 6, 0),
}
GRANULARITY = {2010: "station", 2011: "city_max", 2014: "station", 2015: "city_max",
               2016: "station", 2019: "city_max", 2021: "station", 2022: "city_max",
               2023: "station", 2024: "station"}
YEARS = sorted(EXPECTED)


def seed_path(year: int) -> Path:
    (path,) = [p for p in SEED.glob("*.csv") if str(year) in p.name]
    return path


def parse(data: bytes, file_name: str) -> ParseResult:
    """parse_ispu, its staged rows typed by the table spec as the staging engine does."""
    result = parse_ispu(data, file_name)
    return dataclasses.replace(result, staged=conform(result.staged, COLUMNS, SOURCE.source_id))


@cache
def parsed(year: int) -> ParseResult:
    path = seed_path(year)
    return parse(path.read_bytes(), path.name)


def rows_of(result: ParseResult, *source_rows: int) -> pd.DataFrame:
    return result.staged[result.staged["source_row"].isin(source_rows)]


def one_staged(result: ParseResult, date: str, station: str) -> pd.Series:
    s = result.staged
    match = s[(s["date"] == pd.Timestamp(date)) & (s["station_code"] == station)]
    assert len(match) == 1, match
    return match.iloc[0]


# --------------------------------------------------------------------------------------------
# every real file


@pytest.mark.parametrize("year", YEARS)
def test_every_file_reconciles_with_known_counts(year):
    result = parsed(year)
    result.reconcile()
    rows, staged, no_data, quarantined = EXPECTED[year]
    assert result.source_rows == rows
    assert (len(result.staged), result.no_data, len(result.quarantine)) == (
        staged, no_data, quarantined)


@pytest.mark.parametrize("year", YEARS)
def test_every_file_staged_shape_and_types(year):
    result = parsed(year)
    s = result.staged
    assert list(s.columns) == [c.name for c in COLUMNS]
    assert str(s["date"].dtype) == "datetime64[ns]"
    assert str(s["periode_data"].dtype) == "Int64"
    assert str(s["category_mismatch"].dtype) == "boolean"
    for col in ("pm10", "pm25", "so2", "co", "o3", "no2", "max_index"):
        assert s[col].dtype == "float64"
    assert (s["date"] == s["date"].dt.normalize()).all()
    assert set(s["station_code"]) <= {f"DKI{i}" for i in range(1, 6)}
    assert set(s["granularity"]) == {GRANULARITY[year]}
    assert result.notes["granularity"] == GRANULARITY[year]
    assert set(s["category"]) <= {*CATEGORIES, NO_DATA_CATEGORY}
    assert s["critical"].dropna().isin(["PM10", "PM25", "SO2", "CO", "O3", "NO2"]).all()
    # sorted, one row per key, and no source row both staged and quarantined
    assert s.equals(s.sort_values(["date", "station_code"], kind="stable")
                    .reset_index(drop=True))
    assert not s.duplicated(["date", "station_code", "granularity"]).any()
    assert s["source_row"].between(1, result.source_rows).all()
    assert not set(s["source_row"]) & set(result.quarantine["source_row"])
    # every staged date is in the file's period (the 2023 file runs 202212-202311)
    assert s["date"].dt.year.isin([year, year - 1]).all()


def test_schema_generations_detected():
    gens = {y: parsed(y).notes["schema_generation"] for y in YEARS}
    assert gens == {2010: "G1", 2011: "G2", 2014: "G1", 2015: "G2", 2016: "G1", 2019: "G2",
                    2021: "G1b", 2022: "G2b", 2023: "G3", 2024: "G4"}


# --------------------------------------------------------------------------------------------
# quirks, with the real values


def test_2021_shifted_row_is_quarantined_naming_max():
    # line 1764 = data row 1763: one pollutant missing, so 'max' holds 'PM25', category empty
    q = parsed(2021).quarantine
    row = q[q["source_row"] == 1763].iloc[0]
    assert row["column_name"] == "max"
    assert "'PM25'" in row["reason"]
    raw = json.loads(row["raw_record"])
    assert raw["tanggal"] == "2021-12-03" and raw["max"] == "PM25" and raw["categori"] == ""
    assert rows_of(parsed(2021), 1763).empty


def test_2022_excel_serial_date_and_pm2_comma_5():
    row = rows_of(parsed(2022), 1).iloc[0]  # 202212,44926.625,...,73,"PM2,5",SEDANG,DKI4
    assert row["date"] == pd.Timestamp("2022-12-31")
    assert row["critical"] == "PM25" and row["critical_raw"] == "PM2,5"
    assert (row["pm25"], row["max_index"], row["station_code"]) == (73.0, 73.0, "DKI4")
    assert row["regime"] == P14_2020
    assert parsed(2022).notes["date_forms"]["excel serial"] == 1


def test_2022_year_typo_falls_back_to_periode_data():
    # 28 rows carry periode 202202 but tanggal 2020-02-xx: the year in tanggal is the typo
    s = parsed(2022).staged
    feb = s[s["periode_data"] == 202202]
    assert len(feb) == 28
    assert (feb["date"].dt.year == 2022).all() and (feb["date"].dt.month == 2).all()
    assert parsed(2022).notes["year_settled"] == {"year from periode_data": 28}


def test_2022_unknown_station_zero_is_quarantined():
    q = parsed(2022).quarantine
    row = q.iloc[0]
    assert (row["column_name"], row["source_row"]) == ("lokasi_spku", 301)
    assert json.loads(row["raw_record"])["lokasi_spku"] == "0"


def test_2016_day_first_dates():
    result = parsed(2016)
    assert result.notes["date_forms"]["d/m/yyyy or m/d/yyyy"] == 76
    # 201612,30/12/2016,DKI5 (Kebon Jeruk) Jakarta Barat,8,17,40,31,4,40,CO,BAIK
    row = one_staged(result, "2016-12-30", "DKI5")
    assert row["station_raw"] == "DKI5 (Kebon Jeruk) Jakarta Barat"
    assert (row["pm10"], row["co"], row["max_index"], row["critical"]) == (8.0, 40.0, 40.0, "CO")
    # 13/12/2016 can only be day-first; all 76 slash dates are 13-31 Dec
    slash = result.staged[result.staged["date"] >= pd.Timestamp("2016-12-13")]
    assert len(slash[slash["station_code"] != "DKI1"]) == 76


def test_2016_dates_that_disagree_with_periode_are_quarantined():
    q = parsed(2016).quarantine
    month = q[q["reason"].str.startswith("month of tanggal")]
    assert (month["column_name"] == "tanggal").all()
    # 120 = DKI2-5 September rows dated 2016-08-01..30; 40 = December days 1-11 written
    # as 2016-dd-12 (a day/month swap); neither is guessed back.
    assert month["reason"].str.contains("periode_data 201609").sum() == 120
    december = month[month["reason"].str.contains("periode_data 201612")]
    assert len(december) == 40
    assert december["reason"].str.contains(r"'2016-(?:0[1-79]|1[01])-12'").all()
    # 14 dates published two or three times per station with other values (e.g. 2016-12-12 for
    # DKI2 in rows 1714 and 1718): none of them is staged
    conflicts = q[q["reason"].str.startswith("conflicting rows for")]
    assert len(conflicts) == 33 and set(conflicts["kind"]) == {"inconsistent"}
    assert set(conflicts["column_name"]) <= {"pm10", "so2", "co", "o3", "no2", "max", "critical",
                                             "categori"}
    row_1718 = q.loc[q["source_row"] == 1718, "reason"].iloc[0]
    assert "station_code=DKI2" in row_1718 and "source rows 1714, 1718 differ in" in row_1718
    assert rows_of(result := parsed(2016), 1714, 1718).empty
    assert result.staged.query("station_code == 'DKI2' and date == '2016-12-12'").empty


def test_2015_periode_201202_rows_get_2015_dates():
    s = parsed(2015).staged
    odd = s[s["periode_data"] == 201202]
    assert len(odd) == 28
    assert odd["date"].min() == pd.Timestamp("2015-02-01")
    assert odd["date"].max() == pd.Timestamp("2015-02-28")
    assert s["date"].dt.year.eq(2015).all() and s["date"].is_unique


def test_2010_no_data_rows_are_counted_not_staged():
    result = parsed(2010)
    assert result.no_data == 1302
    assert NO_DATA_CATEGORY not in set(result.staged["category"])
    # 201002,2010-02-03,DKI1 (Bunderan HI),49,7,33,57,23,57,O3,SEDANG
    row = one_staged(result, "2010-02-03", "DKI1")
    assert (row["pm10"], row["so2"], row["co"], row["o3"], row["no2"]) == (49, 7, 33, 57, 23)
    assert math.isnan(row["pm25"])
    assert (row["critical"], row["category"], row["regime"]) == ("O3", "SEDANG", KEP107_1997)


def test_2024_tanggal_last_layout_and_floats():
    result = parsed(2024)
    # 202401,DKI3 Jagakarsa,51.0,65.0,45.0,9.0,8.0,79.0,79.0,,SEDANG,2024-01-21
    row = rows_of(result, 1).iloc[0]
    assert row["date"] == pd.Timestamp("2024-01-21") and row["station_code"] == "DKI3"
    assert (row["pm10"], row["pm25"], row["no2"], row["max_index"]) == (51.0, 65.0, 79.0, 79.0)
    assert pd.isna(row["critical"]) and pd.isna(row["critical_raw"])
    # three spellings of DKI1 / DKI5 fold into two codes
    raw = result.staged.groupby("station_code")["station_raw"].nunique()
    assert raw["DKI1"] == 2 and raw["DKI5"] == 2
    # 21 rows where the published label disagrees with max (e.g. BAIK with max 67)
    assert result.staged["category_mismatch"].sum() == 21
    odd = one_staged(result, "2024-12-01", "DKI1")
    assert (odd["max_index"], odd["category"], odd["category_from_max"]) == (
        67.0, "BAIK", "SEDANG")


def test_2014_max_200_is_sangat_tidak_sehat_under_1997_regime():
    s = parsed(2014).staged
    at_200 = s[s["max_index"] == 200]
    assert len(at_200) == 2
    assert (at_200["category"] == "SANGAT TIDAK SEHAT").all()
    assert (at_200["category_from_max"] == "SANGAT TIDAK SEHAT").all()
    assert not at_200["category_mismatch"].any()
    assert (at_200["regime"] == KEP107_1997).all()
    assert not s["category_mismatch"].any()


def test_2023_numeric_critical_codes_become_na_with_raw_kept():
    s = parsed(2023).staged
    digits = s[s["critical_raw"].isin(["1", "2", "3", "5"])]
    assert len(digits) == 152
    assert digits["critical"].isna().all()
    assert parsed(2023).notes["critical_unknown_codes"] == 152
    # '-' as a missing pollutant: 202302,2023-02-25,DKI5 Kebon Jeruk Jakarta Barat,35,-,...
    row = one_staged(parsed(2023), "2023-02-25", "DKI5")
    assert math.isnan(row["pm25"]) and row["pm10"] == 35.0
    # the file runs 202212-202311
    assert s["date"].min() == pd.Timestamp("2022-12-01")
    assert s["date"].max() == pd.Timestamp("2023-11-30")


# --------------------------------------------------------------------------------------------
# faults built from the real files (each case below is derived from a real seed file)


def rewrite_csv(data: bytes, delimiter: str = ",", order=None) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    if order is not None:
        rows = [[row[i] for i in order] for row in rows]
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def assert_same_result(original: ParseResult, other: ParseResult) -> None:
    pd.testing.assert_frame_equal(original.staged, other.staged)
    assert (other.no_data, len(other.quarantine)) == (original.no_data, len(original.quarantine))
    assert list(other.quarantine["source_row"]) == list(original.quarantine["source_row"])


@pytest.mark.parametrize("year", YEARS)
def test_semicolon_copy_gives_same_staged(year):
    # derived from the real file: same rows, ';' delimiter (2022's "PM2,5" then needs no quotes)
    path = seed_path(year)
    result = parse(rewrite_csv(path.read_bytes(), ";"), path.name)
    assert result.notes["delimiter"] == ";"
    assert_same_result(parsed(year), result)


@pytest.mark.parametrize("year", YEARS)
def test_bom_copy_gives_same_staged(year):
    # derived from the real file: UTF-8 BOM prepended
    path = seed_path(year)
    assert_same_result(parsed(year), parse(b"\xef\xbb\xbf" + path.read_bytes(), path.name))


@pytest.mark.parametrize("year", YEARS)
def test_reordered_columns_copy_gives_same_staged(year):
    # derived from the real file: columns in reverse order
    path = seed_path(year)
    data = path.read_bytes()
    width = len(data.split(b"\n", 1)[0].split(b","))
    result = parse(rewrite_csv(data, order=list(reversed(range(width)))), path.name)
    assert result.notes["schema_generation"].endswith("(columns reordered)")
    assert_same_result(parsed(year), result)


def test_garbled_date_quarantines_exactly_that_row():
    # derived from the real 2021 file: data row 10 gets tanggal '2021-1x-3?'
    path = seed_path(2021)
    lines = path.read_bytes().decode().split("\n")
    assert lines[10].startswith("202101,2021-01-31,")
    lines[10] = lines[10].replace("2021-01-31", "2021-1x-3?", 1)
    result = parse("\n".join(lines).encode(), path.name)
    result.reconcile()
    original = parsed(2021)
    new_q = result.quarantine[~result.quarantine["source_row"].isin(
        original.quarantine["source_row"])]
    assert list(new_q["source_row"]) == [10]
    assert new_q.iloc[0]["column_name"] == "tanggal"
    assert "2021-1x-3?" in new_q.iloc[0]["reason"]
    expected = original.staged[original.staged["source_row"] != 10].reset_index(drop=True)
    pd.testing.assert_frame_equal(result.staged, expected)


def test_day_first_vs_month_first_is_settled_by_periode():
    # derived from the real 2011 file: ISO dates rewritten as m/d/yyyy without padding
    path = seed_path(2011)
    text = path.read_bytes().decode()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for row in rows[1:]:
        d = dt.date.fromisoformat(row[1])
        row[1] = f"{d.month}/{d.day}/{d.year}"
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    assert_same_result(parsed(2011), parse(out.getvalue().encode(), path.name))


@pytest.mark.parametrize("payload", [
    pytest.param(lambda d: gzip.compress(d)[:700], id="truncated-gzip"),
    pytest.param(lambda d: bytes(range(0x80, 0x100)) * 8, id="binary-no-nul"),
    pytest.param(lambda d: d.split(b"\n", 1)[1][:4000], id="no-header"),
    pytest.param(lambda d: b'\xef\xbb\xbf{"data": {"title": "ISPU"}, "totalFile', id="cut-json"),
    pytest.param(lambda d: b'{"data": {"title": "ISPU"}, "totalFiledata": 0}', id="json-no-rows"),
])
def test_unreadable_payload_raises_parse_error_naming_file(payload):
    # derived from the real 2014 file (except the JSON stubs)
    path = seed_path(2014)
    with pytest.raises(ParseError) as err:
        parse_ispu(payload(path.read_bytes()), path.name)
    assert path.name in str(err.value)


SYSTEM = {"user_id": 17, "tanggal_upload": "2025-01-08 10:12:44", "tanggal_update": None,
          "uid_upload": "a1b2", "batch_upload": 3, "jadwal_rilis": "Tahunan",
          "created_at": "2025-01-08T03:12:44.000Z", "updated_at": "2025-01-08T03:12:44.000Z"}


def api_value(text: str):
    """What the API sends for a CSV cell: numbers as JSON numbers, the rest as strings."""
    if text == "":
        return None
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def satudata_rows(year: int, n: int) -> tuple[list[dict], pd.DataFrame]:
    path = seed_path(year)
    records = list(csv.DictReader(io.StringIO(path.read_bytes().decode(), newline="")))[:n]
    rows = [{"rn": i, **{k: api_value(v) for k, v in rec.items()}, "id": 9000 + i, **SYSTEM}
            for i, rec in enumerate(records, start=1)]
    expected = parsed(year).staged
    expected = expected[expected["source_row"] <= n]
    return rows, expected.sort_values("source_row").reset_index(drop=True)


@pytest.mark.parametrize("year", [2024, 2022, 2021])
def test_satudata_detail_json_matches_csv_rows(year):
    # derived from the real file: a /satudata/detail reply holding its first 30 rows
    rows, expected = satudata_rows(year, 30)
    reply = {"data": {"title": "ISPU", "komponen_data": "[]"}, "filedata": rows,
             "totalFiledata": 30, "periodeData": [{"periode_data": "2024"}],
             "lastUpdatefiledata": [{"tanggal_upload": "2025-01-08"}]}
    data = b"\xef\xbb\xbf" + json.dumps(reply).encode()
    result = parse(data, "satudata-detail.json")
    assert result.source_rows == 30
    assert result.notes["format"] == "satudata json (detail/filedata)"
    got = result.staged.sort_values("source_row").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)


def test_satudata_get_table_data_json_matches_csv_rows():
    # derived from the real 2023 file: a /get-table-data reply holding its first 30 rows
    rows, expected = satudata_rows(2023, 30)
    data = b"\xef\xbb\xbf" + json.dumps({"data": rows, "total_pages": 61}).encode()
    result = parse(data, "satudata-table.json")
    got = result.staged.sort_values("source_row").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)
    assert result.notes["schema_generation"].startswith("G3")


def test_title_line_above_header_is_skipped():
    # derived from the real 2019 file: an export-tool title line and a blank line on top
    path = seed_path(2019)
    result = parse(b"Indeks Standar Pencemar Udara 2019\n\n" + path.read_bytes(), path.name)
    assert result.notes["header_line"] == 3
    assert_same_result(parsed(2019), result)


@pytest.mark.parametrize("data", [
    pytest.param(b'\xef\xbb\xbf{"data": [], "total_pages": 61}', id="empty-last-page"),
    pytest.param(lambda: seed_path(2024).read_bytes().split(b"\n", 1)[0] + b"\n",
                 id="header-only-2024"),
])
def test_empty_but_readable_payload_gives_empty_result(data):
    result = parse(data() if callable(data) else data, "empty")
    result.reconcile()
    assert result.source_rows == 0 and result.staged.empty
    assert list(result.staged.columns) == [c.name for c in COLUMNS]
