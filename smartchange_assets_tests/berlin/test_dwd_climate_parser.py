"""The DWD daily climate parser on both real station files (Berlin-Tempelhof, Berlin-Dahlem),
recomputed with pandas straight from the seed bytes, plus layouts and faults built from those
real files (each test says what it changed; no value is made up beyond that change)."""

from __future__ import annotations

import io
from functools import cache

import pandas as pd
import pytest

from smartchange_assets.berlin.dwd_climate.parser import parse_dwd_climate
from smartchange_assets.berlin.dwd_climate.source import SOURCE
from smartchange_assets.platform.parsing import (
    DUPLICATE,
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    conform,
)

from ..seed_files import seed_bytes

TEMPELHOF = "produkt_klima_tag_19480101_20241231_00433.txt"
DAHLEM = "produkt_klima_tag_19500101_20241231_00403.txt"
# file -> (source rows, staged, no data, quarantined)
EXPECTED = {TEMPELHOF: (28_125, 28_125, 0, 0), DAHLEM: (27_394, 27_394, 0, 0)}
TEMPELHOF_RSK_MISSING = ["2019-05-20", "2019-06-12", "2023-06-16", "2023-06-17", "2023-06-20",
                         "2023-10-08", "2023-10-09", "2023-10-10", "2023-10-11", "2023-10-12",
                         "2023-10-13", "2023-10-14"]


def raw_bytes(name: str) -> bytes:
    return seed_bytes(SOURCE.source_id, name)


@cache
def parsed(name: str):
    return parse_dwd_climate(raw_bytes(name), name)


@cache
def typed(name: str) -> pd.DataFrame:
    return conform(parsed(name).staged, SOURCE.staging.columns[1:], SOURCE.source_id)


@cache
def published(name: str) -> pd.DataFrame:
    """The file as pandas reads it, names stripped of their padding (-999 still in it)."""
    frame = pd.read_csv(io.BytesIO(raw_bytes(name)), sep=";", skipinitialspace=True)
    return frame.rename(columns=str.strip)


def lines(name: str) -> list[str]:
    return raw_bytes(name).decode("ascii").splitlines()


def parse_lines(rows: list[str], name: str = TEMPELHOF):
    return parse_dwd_climate(("\n".join(rows) + "\n").encode("ascii"), name)


# --------------------------------------------------------------------------- the real files


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_real_file_reconciles_with_the_known_counts(name):
    result = parsed(name)
    result.reconcile()
    assert (result.source_rows, len(result.staged), result.no_data,
            len(result.quarantine)) == EXPECTED[name]
    assert list(typed(name).columns) == SOURCE.staging.column_names[1:]
    assert len(published(name)) == EXPECTED[name][0]


@pytest.mark.parametrize(("name", "station"), [(TEMPELHOF, "00433"), (DAHLEM, "00403")])
def test_station_comes_from_the_file_and_every_value_equals_the_published_one(name, station):
    staged, raw = typed(name), published(name)
    assert set(staged["station_id"]) == {station}
    assert set(raw["STATIONS_ID"]) == {int(station)}
    assert staged["local_date"].dt.strftime("%Y%m%d").astype(int).tolist() == \
        raw["MESS_DATUM"].tolist()
    for column, dwd in (("temperature_max_c", "TXK"), ("temperature_min_c", "TNK"),
                        ("temperature_mean_c", "TMK"), ("precipitation_mm", "RSK"),
                        ("sunshine_h", "SDK"), ("pressure_hpa", "PM"),
                        ("wind_gust_max_ms", "FX")):
        expected = raw[dwd].where(raw[dwd] != -999)
        pd.testing.assert_series_equal(staged[column], expected, check_names=False)


def test_minus_999_is_null_never_a_number():
    for name in EXPECTED:
        numbers = typed(name).select_dtypes("number")
        assert (numbers.min() > -999).all(), numbers.min()
    staged = typed(TEMPELHOF)
    missing = staged.loc[staged["precipitation_mm"].isna(), "local_date"]
    assert missing.dt.strftime("%Y-%m-%d").tolist() == TEMPELHOF_RSK_MISSING  # 12 days
    raw = published(TEMPELHOF)
    assert (raw["RSK"] == -999).sum() == 12
    # Dahlem measures no wind: FX, FM and their quality level QN_3 are -999 on every day
    dahlem = typed(DAHLEM)
    assert dahlem[["wind_gust_max_ms", "wind_speed_mean_ms", "quality_wind"]].isna().all().all()
    assert (published(DAHLEM)[["FX", "FM", "QN_3"]] == -999).all().all()


def test_quality_levels_are_kept_as_published():
    for name in EXPECTED:
        staged, raw = typed(name), published(name)
        assert staged["quality"].value_counts().to_dict() == raw["QN_4"].value_counts().to_dict()
        qn3 = raw["QN_3"].where(raw["QN_3"] != -999)
        assert staged["quality_wind"].value_counts().to_dict() == \
            qn3.value_counts().astype(int).to_dict()
        assert str(staged["quality"].dtype) == "Int64"
    assert set(typed(TEMPELHOF)["quality"]) == {5, 9, 10}


def test_the_notes_say_what_the_file_lacks():
    notes = parsed(DAHLEM).notes
    assert notes["stations"] == ["00403"]
    assert notes["file_name_period"] == ["1950-01-01", "2024-12-31"]
    assert notes["share_missing_-999"]["wind_gust_max_ms"] == 1.0
    assert notes["parameters_not_in_file"] == [] and notes["older_layout_names"] == []


# --------------------------------------------------------------------------- other layouts


def test_columns_in_another_order_without_padding_with_crlf_give_the_same_rows():
    original = parsed(TEMPELHOF).staged
    rows = [[cell.strip() for cell in line.split(";")] for line in lines(TEMPELHOF)]
    order = [1, 0, *range(2, len(rows[0]))][::-1]  # reversed, date before station
    moved = "\r\n".join(";".join(row[i] for i in order) for row in rows) + "\r\n"
    result = parse_dwd_climate(moved.encode("ascii"), TEMPELHOF)
    pd.testing.assert_frame_equal(result.staged, original)


def test_the_older_layout_with_long_german_names_and_one_quality_level():
    # the header of DWD's pre-2015 KL files (one QUALITAETS_NIVEAU, no FX/FM quality of its
    # own), over the first 400 real Tempelhof rows with QN_3 dropped
    old = {"QN_4": "QUALITAETS_NIVEAU", "TMK": "LUFTTEMPERATUR", "VPM": "DAMPFDRUCK",
           "NM": "BEDECKUNGSGRAD", "PM": "LUFTDRUCK_STATIONSHOEHE", "UPM": "REL_FEUCHTE",
           "FM": "WINDGESCHWINDIGKEIT", "TXK": "LUFTTEMPERATUR_MAXIMUM",
           "TNK": "LUFTTEMPERATUR_MINIMUM", "TGK": "LUFTTEMP_AM_ERDB_MINIMUM",
           "FX": "WINDSPITZE_MAXIMUM", "RSK": "NIEDERSCHLAGSHOEHE",
           "RSKF": "NIEDERSCHLAGSHOEHE_IND", "SDK": "SONNENSCHEINDAUER", "SHK_TAG": "SCHNEEHOEHE",
           "STATIONS_ID": "Stations_ID", "MESS_DATUM": "Mess_Datum"}
    rows = [line.split(";") for line in lines(TEMPELHOF)[:401]]
    header = [c.strip() for c in rows[0]]
    keep = [i for i, c in enumerate(header) if c != "QN_3"]
    text = [";".join(old.get(header[i], header[i]) for i in keep)]
    text += [";".join(row[i] for i in keep) for row in rows[1:]]
    result = parse_lines(text, "kl_tageswerte_00433_alt.txt")  # not DWD's produkt name
    staged = conform(result.staged, SOURCE.staging.columns[1:], SOURCE.source_id)
    reference = typed(TEMPELHOF).head(400)
    for column in ("temperature_max_c", "precipitation_mm", "quality", "wind_gust_max_ms"):
        pd.testing.assert_series_equal(staged[column], reference[column])
    # the one quality level rated every parameter, wind included
    assert staged["quality_wind"].tolist() == staged["quality"].tolist()
    assert "QUALITAETS_NIVEAU" in result.notes["older_layout_names"]
    assert result.notes["file_name_period"] is None


def test_a_missing_required_column_names_the_file_and_the_header():
    rows = [";".join(c for i, c in enumerate(line.split(";")) if i != 15)  # TXK dropped
            for line in lines(TEMPELHOF)[:3]]
    with pytest.raises(ParseError) as err:
        parse_lines(rows)
    assert TEMPELHOF in str(err.value) and "temperature_max_c" in str(err.value)


# --------------------------------------------------------------------------- faults


def test_a_cut_off_last_line_is_quarantined_not_read_short():
    rows = lines(TEMPELHOF)[:6]
    rows[-1] = rows[-1][:60]  # the download stopped mid-line
    result = parse_lines(rows)
    assert (len(result.staged), len(result.quarantine)) == (4, 1)
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["column_name"], q["kind"]) == (5, "eor", UNREADABLE)
    # every field there, but the last is not the end-of-record marker
    rows[-1] = ";".join(lines(TEMPELHOF)[5].split(";")[:-1] + ["xx"])
    assert "end-of-record" in parse_lines(rows).quarantine.iloc[0]["reason"]


def test_a_value_that_is_not_a_number_names_its_column():
    rows = lines(TEMPELHOF)[:4]
    rows[2] = rows[2].replace(" 6.8;", " 6,8;")  # TXK of 1948-01-02 with a comma
    result = parse_lines(rows)
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["column_name"], q["kind"]) == (2, "TXK", UNREADABLE)
    assert "'6,8'" in q["reason"] and len(result.staged) == 2


def test_an_unreadable_date_is_in_a_key_column():
    rows = lines(TEMPELHOF)[:3]
    rows[1] = rows[1].replace("19480101", "1948-1-1")
    q = parse_lines(rows).quarantine.iloc[0]
    assert q["column_name"] in SOURCE.key_columns and q["kind"] == UNREADABLE


def test_another_station_or_a_day_outside_the_file_name_is_inconsistent():
    rows = lines(TEMPELHOF)[:4]
    rows[1] = rows[1].replace("        433;", "        403;", 1)  # Dahlem's id in Tempelhof
    rows[2] = rows[2].replace("        433;", "       3987;", 1)  # Potsdam: not a Berlin one
    rows[3] = rows[3].replace("19480103", "19471231")  # before the name's first day
    result = parse_lines(rows)
    assert result.staged.empty
    reasons = result.quarantine.set_index("source_row")
    assert set(reasons["kind"]) == {INCONSISTENT}
    assert "file named for station 00433" in reasons.loc[1, "reason"]
    assert "not one of the Berlin stations" in reasons.loc[2, "reason"]
    assert "outside the file name's period" in reasons.loc[3, "reason"]


def test_repeated_and_conflicting_days_follow_the_platform_rule():
    rows = lines(TEMPELHOF)[:4]
    rows.append(rows[1])  # 1948-01-01 again, identical
    rows.append(rows[2].replace(" 6.8;", " 7.8;"))  # 1948-01-02 again, other TXK
    result = parse_lines(rows)
    kinds = result.quarantine.set_index("source_row")["kind"].to_dict()
    assert kinds == {4: DUPLICATE, 2: INCONSISTENT, 5: INCONSISTENT}
    assert result.staged["local_date"].astype(str).tolist() == ["1948-01-01", "1948-01-03"]


def test_a_row_with_every_parameter_missing_is_the_publishers_no_data():
    rows = lines(TEMPELHOF)[:3]
    cells = rows[2].split(";")
    rows[2] = ";".join(cells[:2] + ["-999"] * (len(cells) - 3) + ["eor"])
    result = parse_lines(rows)
    assert (len(result.staged), result.no_data, len(result.quarantine)) == (1, 1, 0)
