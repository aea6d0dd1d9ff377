"""The flood parser on the three real published files (seed copies), plus faults built from them."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gzip
import io
import json
from functools import cache

import pandas as pd
import pytest

from smartchange_assets.jakarta.flood import fields as f
from smartchange_assets.jakarta.flood.checks import describe, evacuee_evidence
from smartchange_assets.jakarta.flood.parser import parse_flood
from smartchange_assets.jakarta.flood.source import COLUMNS, SOURCE
from smartchange_assets.platform.parsing import (
    DUPLICATE,
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    conform,
)
from smartchange_assets.platform.pii import find_pii

from ..seed_files import SEED

SEED = SEED / "jakarta" / "flood"
F1 = "data-kejadian-bencana-banjir-provinsi-dki-jakarta-2020-bulan-januari-maret_tes.csv"
F2 = "data-kejadian-bencana-banjir.csv"
F3 = "banjir-2024.csv"  # the mirror's banjir.csv, named with its year (its rows have none)
F4 = "banjir_2019-10_to_2020-09_kelompok-mulki.csv"  # per RW, October 2019 - September 2020

# file -> (source rows, staged, no_data, quarantined); rows as counted in
# docs/sources/jakarta-flood.md §1
EXPECTED = {F1: (363, 363, 0, 0), F2: (157, 155, 2, 0), F3: (260, 260, 0, 0),
            F4: (902, 843, 0, 59)}
VARIANT = {F1: "F1", F2: "F2", F3: "F3", F4: "F4"}


def parse(data: bytes, file_name: str) -> ParseResult:
    """parse_flood, its staged rows typed by the table spec as the staging engine does (the area
    columns come later, from the source's transform)."""
    result = parse_flood(data, file_name)
    return dataclasses.replace(result, staged=conform(result.staged, COLUMNS, SOURCE.source_id))


@cache
def parsed(name: str) -> ParseResult:
    return parse((SEED / name).read_bytes(), name)


def row(name: str, source_row: int) -> pd.Series:
    staged = parsed(name).staged
    (index,) = staged.index[staged["source_row"] == source_row]
    return staged.loc[index]


# --------------------------------------------------------------------------------------------
# the real files


@pytest.mark.parametrize("name", EXPECTED)
def test_every_file_reconciles_with_known_counts(name):
    result = parsed(name)
    result.reconcile()
    assert (result.source_rows, len(result.staged), result.no_data,
            len(result.quarantine)) == EXPECTED[name]
    assert result.notes["variant"] == VARIANT[name]


@pytest.mark.parametrize("name", EXPECTED)
def test_every_file_staged_shape_and_types(name):
    staged = parsed(name).staged
    assert list(staged.columns) == [c.name for c in COLUMNS]
    assert staged["source_row"].is_unique
    assert (staged["variant"] == VARIANT[name]).all()
    assert staged["event_month"].dt.day.eq(1).all()
    assert (staged["event_month"].dt.month == staged["month"]).all()
    assert staged["period_label"].str.fullmatch(r"\d{4}-Q[1-4]").all()
    assert staged["kota_name"].notna().all()
    names = staged[["kota_name", "kecamatan_name", "kelurahan_name"]].stack().dropna()
    assert (names == names.str.strip().str.upper()).all()
    assert (staged["water_min_cm"] <= staged["water_max_cm"]).all()
    assert str(staged["events"].dtype) == "Int64"


@pytest.mark.parametrize("name", EXPECTED)
def test_no_staged_text_looks_like_personal_data(name):
    # flood tables carry no report text; this guards the RW lists and free-text heights
    staged = parsed(name).staged
    text = staged.select_dtypes(include="str")
    found = [v for c in text for v in text[c].dropna().unique() if find_pii(v)]
    # F4's '20 s/d 50 sm' reads like a Bandung licence plate (D 50 SM) to the detector: it is a
    # water height the field reader parses, nothing personal
    assert [v for v in found if not _is_water_height(v)] == []
    assert found in ([], ["20 s/d 50 sm"])


def _is_water_height(text: str) -> bool:
    try:
        return f.water_range(text) != (None, None)
    except f.FieldError:
        return False


def test_f1_year_from_file_name_and_dates_from_free_text():
    result = parsed(F1)
    assert (result.notes["year"], result.notes["year_source"]) == (2020, "file name")
    assert result.notes["months"] == ["2020-01", "2020-02", "2020-03"]
    first = row(F1, 1)  # Jakarta Pusat,JOHAR BARU,JOHAR BARU,"RW 01, 02, 06, 08",...,' 01 Januari'
    assert (first["kota_name"], first["kecamatan_name"], first["kelurahan_name"]) == (
        "JAKARTA PUSAT", "JOHAR BARU", "JOHAR BARU")
    assert (first["event_dates"], first["period_label"]) == ("2020-01-01", "2020-Q1")
    assert (first["water_min_cm"], first["water_max_cm"]) == (10, 30)
    assert pd.isna(first["water_raw"])  # numeric columns: nothing free-text to keep
    assert (first["affected_people"], first["affected_households"], first["events"]) == (
        140, 35, 1)
    susukan = row(F1, 119)  # ' 01 Januari s/d 05 Januari'
    assert susukan["event_dates"] == "2020-01-01;2020-01-05" and susukan["event_dates_is_range"]
    assert (susukan["event_date_first"], susukan["event_date_last"]) == (
        pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-05"))
    assert row(F1, 135)["event_dates"] == "2020-01-02;2020-01-18"  # ' 02 & 18 Januari'
    assert row(F1, 151)["event_dates"] == "2020-02-23;2020-02-25"  # '23, 25  februari'
    assert row(F1, 189)["event_dates"] == "2020-02-01;2020-02-02;2020-02-03;2020-02-04"
    assert row(F1, 313)["event_dates"] == "2020-02-08;2020-02-23"  # '8,23, 23  februari'
    assert not row(F1, 135)["event_dates_is_range"]


def test_f1_rw_lists_as_published():
    assert (row(F1, 38)["rw_raw"], row(F1, 38)["rw_list"]) == (
        "'RW 02, 03, 04, 05, 09, 13, 14", "2;3;4;5;9;13;14")  # leading apostrophe
    assert row(F1, 25)["rw_list"] == "1;2;3;4;5;6;7;8;9;10;11;12;13;14;15"  # '07,08'
    assert row(F1, 90)["rw_list"] == "1;2;3;4;5;6;7;8;9;10"  # '010'
    assert (row(F1, 63)["rw_raw"], row(F1, 63)["rw_list"]) == ("RW.08", "8")
    assert row(F1, 288)["rw_list"] == "1;2;3;5;6;7;8;9;10;11;12;14;15"  # '02.,' and '07,08'
    staged = parsed(F1).staged
    # every RW list agrees with the published RW count
    assert (staged["rw_count"] == staged["affected_rw"]).all()
    assert parsed(F1).notes["rw_count_differs_from_affected_rw"] == 0


def test_f1_trailing_spaces_and_blank_count():
    assert row(F1, 43)["kelurahan_name"] == "KELAPA DUA"  # published 'KELAPA DUA '
    assert row(F1, 191)["kelurahan_name"] == "PADEMANGAN BARAT"
    assert row(F1, 193)["kecamatan_name"] == "CILIINCING"  # typo kept: the resolver's job
    assert pd.isna(row(F1, 256)["affected_households"])  # jumlah_terdampak_kk is ' '


def test_f1_suspect_casualty_columns_are_staged_as_published():
    staged = parsed(F1).staged
    injured = staged[staged["injured"] > 0]
    assert len(injured) == 155
    # docs/sources/jakarta-flood.md §4
    assert (injured["injured"] == injured["affected_people"]).sum() == 98
    assert (staged["evacuation_sites"] == 0).all()
    assert staged["displaced_people"].max() == 31
    assert staged["evacuee_columns_suspect"].all()
    assert row(F1, 1)["injured"] == 140 and row(F1, 1)["displaced_people"] == 1


def test_f2_release_quarters_months_and_water_text():
    result = parsed(F2)
    assert result.notes["months"] == [f"2023-{m:02d}" for m in range(1, 8)]
    pluit = row(F2, 1)  # 202309,07,Jakarta Utara,Penjaringan,Pluit,10 s.d 15 cm,...
    assert (pluit["year"], pluit["month"], pluit["period_label"]) == (2023, 7, "2023-Q3")
    assert (pluit["water_min_cm"], pluit["water_max_cm"], pluit["water_raw"]) == (
        10, 15, "10 s.d 15 cm")
    assert pd.isna(pluit["event_dates"]) and pd.isna(pluit["rw_list"])
    assert (row(F2, 22)["water_min_cm"], row(F2, 22)["water_max_cm"]) == (60, 80)
    assert (row(F2, 25)["water_min_cm"], row(F2, 25)["water_max_cm"]) == (45, 45)  # '45 sm'
    assert row(F2, 144)["water_raw"] == "25 s.d 60 Cm"
    assert (row(F2, 150)["water_min_cm"], row(F2, 150)["water_max_cm"]) == (30, 40)
    assert (row(F2, 25)["month"], row(F2, 25)["period_label"]) == (4, "2023-Q2")  # bulan '4'
    assert row(F2, 120)["period_label"] == "2023-Q1"


def test_f2_nihil_rows_are_no_flood_facts_and_dash_rows_no_data():
    staged = parsed(F2).staged
    nihil = staged[staged["no_flood"]]
    assert len(nihil) == 14 and parsed(F2).notes["no_flood_rows"] == 14
    assert nihil["kecamatan_name"].isna().all() and nihil["kelurahan_name"].isna().all()
    assert (nihil["events"] == 0).all() and (nihil["water_max_cm"] == 0).all()
    jakpus = row(F2, 20)  # 202306,4,JAKARTA PUSAT,nihil,nihil,0,...
    assert (jakpus["kota_name"], jakpus["month"], jakpus["no_flood"]) == ("JAKARTA PUSAT", 4,
                                                                          True)
    assert not {7, 13} & set(staged["source_row"])  # 202309,09,-,-,... and 202309,08,-,-,...
    assert parsed(F2).no_data == 2
    assert "NIHIL" not in set(staged["kelurahan_name"].dropna())


def test_f2_names_as_published_for_the_resolver():
    assert (row(F2, 1)["kota_name"], row(F2, 1)["kecamatan_name"]) == ("JAKARTA UTARA",
                                                                       "PENJARINGAN")
    assert row(F2, 52)["kelurahan_name"] == "MAKA"  # truncated Makasar, kept
    assert (row(F2, 22)["kota_name"], row(F2, 22)["kecamatan_name"]) == (
        "JAKARTA BARAT", "PASAR MINGGU")  # wrong parent, kept
    assert row(F2, 83)["kelurahan_name"] == "KEDAUNG KALIANGKE"


def test_f2_evacuees_and_shelters_look_swapped():
    staged = parsed(F2).staged
    evac = staged[(staged["displaced_people"] > 0) | (staged["evacuation_sites"] > 0)]
    assert sorted(evac["displaced_people"].unique()) == [1, 3]
    assert (evac["evacuation_sites"].min(), evac["evacuation_sites"].max()) == (7, 179)
    assert (row(F2, 83)["displaced_people"], row(F2, 83)["evacuation_sites"]) == (3, 179)
    assert staged["evacuee_columns_suspect"].all()


def test_f3_year_quarter_and_numeric_heights():
    result = parsed(F3)
    assert (result.notes["year"], result.notes["year_source"]) == (2024, "file name")
    assert "2024-10" not in result.notes["months"]  # no October rows in the file
    pluit = row(F3, 1)  # 2,Juni,Jakarta Utara,Penjaringan,Pluit,12,10.0,60.0,35.0,...
    assert (pluit["year"], pluit["month"], pluit["period_label"]) == (2024, 6, "2024-Q2")
    assert (pluit["events"], pluit["water_min_cm"], pluit["water_max_cm"]) == (12, 10, 60)
    assert pd.isna(pluit["deaths"]) and pd.isna(pluit["injured"])  # F3 has no such columns
    assert row(F3, 4)["kecamatan_name"] == "KALI DERES"  # Title Case 'Kali Deres'
    staged = result.staged
    assert not staged["evacuee_columns_suspect"].any()
    assert staged["no_flood"].sum() == 0


def test_evacuee_evidence_on_the_real_files_matches_the_marks():
    frames = []
    for name in EXPECTED:
        frame = parsed(name).staged.assign(payload_sha256=name, file_name=name)
        frames.append(frame)
    evidence = evacuee_evidence(pd.concat(frames)).set_index("file_name")
    assert evidence.loc[F1, "injured_looks_like_affected"]
    assert (evidence.loc[F1, "injured_eq_affected"], evidence.loc[F1, "injured_rows"]) == (98,
                                                                                        155)
    assert evidence.loc[F2, "evacuees_look_swapped"]
    assert (evidence.loc[F2, "sites_range"], evidence.loc[F2, "evacuees_range"]) == ("7-179",
                                                                                    "1-3")
    assert not evidence.loc[F3, "looks_suspect"]  # 19 rows, shelters 1-6 for evacuees 2-470
    assert evidence["agrees"].all()
    # a payload that looks swapped but is not marked disagrees: the check warns
    unmarked = pd.concat(frames).assign(evacuee_columns_suspect=False)
    disagree = evacuee_evidence(unmarked).set_index("file_name")
    assert list(disagree.index[~disagree["agrees"]]) == sorted([F1, F2, F4])
    assert "NOT marked" in describe(disagree.reset_index())
    # ...and so does a mark on a payload whose numbers look sound (stale mark)
    stale = evacuee_evidence(frames[2].assign(evacuee_columns_suspect=True))
    assert not stale["agrees"].all() and "stale" in describe(stale)


def test_f4_per_rw_lines_periode_months_and_free_text():
    result = parsed(F4)
    assert result.notes["months"] == ["2019-10", "2019-12", *(f"2020-{m:02d}" for m in
                                                               range(1, 10))]
    first = row(F4, 1)  # 202001,...,TEGAL ALUR,"RW 03, 04, 11, 12, 15",...,31 s/d 150 cm,tgl. 01
    assert (first["year"], first["month"], first["period_label"]) == (2020, 1, "2020-Q1")
    assert (first["kelurahan_name"], first["rw_list"], first["rw_count"]) == (
        "TEGAL ALUR", "3;4;11;12;15", 5)
    assert (first["water_min_cm"], first["water_max_cm"], first["water_raw"]) == (
        31, 150, "31 s/d 150 cm")
    assert (first["event_dates"], first["event_dates_raw"], first["event_days"]) == (
        "2020-01-01", "tgl. 01 Januari", 1)
    assert pd.isna(first["events"])  # F4 publishes no jumlah_kejadian
    assert (first["affected_people"], first["injured"]) == (1208, 1208)  # as in F1
    kedoya = row(F4, 495)  # 201912,...,KEDOYA UTARA,RW : 002,...,20 cm,07/12/2020
    assert (kedoya["rw_raw"], kedoya["rw_list"]) == ("RW : 002", "2")
    staged = result.staged
    assert staged["event_days"].notna().all() and staged["events"].isna().all()


def test_f4_december_2019_dates_written_2020_take_the_periode_year():
    # periode_data 201912 with tanggal '06/12/2020': December 2020 lies outside the months the
    # file covers (2019-10 … 2020-09), December 2019 inside (docs/sources/jakarta-flood.md §3)
    staged = parsed(F4).staged
    settled = staged[staged["event_year_settled"].fillna(False).astype(bool)]
    assert len(settled) == parsed(F4).notes["event_years_settled"] == 40
    assert set(settled["event_dates_raw"]) == {"06/12/2020", "07/12/2020", "15/12/2020",
                                               "31/12/2020"}
    assert set(settled["event_dates"]) == {"2019-12-06", "2019-12-07", "2019-12-15",
                                           "2019-12-31"}
    assert (settled["month"] == 12).all() and (settled["year"] == 2019).all()
    assert (row(F4, 495)["event_dates"], row(F4, 495)["event_dates_raw"]) == (
        "2019-12-07", "07/12/2020")


def test_f4_rt_lines_name_no_rw_and_a_line_without_kelurahan_stays_at_its_kecamatan():
    staged = parsed(F4).staged
    rt = staged[staged["rw_raw"] == "0"]
    assert len(rt) == 220 - 59 and rt["rw_list"].isna().all() and rt["rw_count"].isna().all()
    line = row(F4, 723)  # 201910,...,KEBAYORAN LAMA,0,RW 14,...,16 Oktober
    assert (line["kecamatan_name"], line["rw_list"]) == ("KEBAYORAN LAMA", "14")
    assert pd.isna(line["kelurahan_name"])


def test_f4_exact_repeats_are_duplicates_that_carry_no_counts():
    result = parsed(F4)
    q = result.quarantine
    assert set(q["kind"]) == {DUPLICATE} and len(q) == 59
    # every repeated line is an unnamed RT line with zero in every count: keeping it once
    # loses no household, person or event day (docs/sources/jakarta-flood.md §5)
    counts = ["jumlah_luka_ringan", "jumlah_pengungsi_tertinggi", "jumlah_tempat_pengungsian",
              "jumlah_terdampak_rw", "jumlah_terdampak_kk", "jumlah_terdampak_jiwa",
              "jumlah_meninggal", "jumlah_luka_berat"]
    raws = [json.loads(r) for r in q["raw_record"]]
    assert {r["rw"] for r in raws} == {"0"}
    assert {r[c] for r in raws for c in counts} == {"0"}


def test_f4_2020_first_quarter_is_f1_line_for_line():
    # the F4 export's January-March 2020 lines are the F1 file's rows (another download of the
    # same table): the core must take one of them, never both (core/flood.py)
    key = ["month", "kota_name", "kecamatan_name", "kelurahan_name"]
    shared = ["rw_raw", "rw_list", "event_dates", "affected_people", "affected_households",
              "affected_rw", "injured", "displaced_people", "water_max_cm"]
    f1 = parsed(F1).staged.sort_values(key).reset_index(drop=True)
    f4 = parsed(F4).staged
    f4 = f4[(f4["year"] == 2020) & (f4["month"] <= 3)].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(f1[key + shared], f4[key + shared])
    # ...but for two lowest water heights: Pondok Bambu 10 / 20 cm, Kampung Melayu 20 / 25 cm
    differs = f1["water_min_cm"] != f4["water_min_cm"]
    assert f1.loc[differs, "kelurahan_name"].tolist() == ["PONDOK BAMBU", "KAMPUNG MELAYU"]
    assert f4.loc[differs, "water_raw"].tolist() == ["20 s/d 30 cm", "25 s/d 110 cm"]
    # F1's published event count is the number of event days in 362 of its 363 rows
    assert (f1["events"] == f4["event_days"]).sum() == 362


# --------------------------------------------------------------------------------------------
# faults built from the real files (each case below is derived from a real seed file)


def rewrite_csv(data: bytes, delimiter: str = ",", order=None, crlf: bool = False) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    if order is not None:
        rows = [[r[i] for i in order] for r in rows]
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def assert_same_result(original: ParseResult, other: ParseResult) -> None:
    pd.testing.assert_frame_equal(original.staged, other.staged)
    assert (other.no_data, len(other.quarantine)) == (original.no_data, len(original.quarantine))


@pytest.mark.parametrize("name", EXPECTED)
def test_semicolon_copy_gives_same_staged(name):
    # derived from the real file: same rows, ';' delimiter
    result = parse(rewrite_csv((SEED / name).read_bytes(), ";"), name)
    assert result.notes["delimiter"] == ";"
    assert_same_result(parsed(name), result)


@pytest.mark.parametrize("name", EXPECTED)
def test_bom_copy_gives_same_staged(name):
    # derived from the real file: UTF-8 BOM prepended
    assert_same_result(parsed(name), parse(b"\xef\xbb\xbf" + (SEED / name).read_bytes(),
                                                 name))


@pytest.mark.parametrize("name", EXPECTED)
def test_reordered_columns_copy_gives_same_staged(name):
    # derived from the real file: columns in reverse order
    data = (SEED / name).read_bytes()
    width = len(next(csv.reader(io.StringIO(data.decode()))))
    result = parse(rewrite_csv(data, order=list(reversed(range(width)))), name)
    assert_same_result(parsed(name), result)


def replace_cell(name: str, source_row: int, column: str, value: str) -> bytes:
    rows = list(csv.reader(io.StringIO((SEED / name).read_bytes().decode(), newline="")))
    rows[source_row][rows[0].index(column)] = value
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode()


@pytest.mark.parametrize("name, source_row, column, value, kind, why", [
    (F2, 10, "bulan", "Ju1i", UNREADABLE, "unreadable month"),
    (F3, 5, "bulan", "13", UNREADABLE, "unreadable month"),
    (F1, 40, "tanggal_kejadian", "01 Janu@ri", UNREADABLE, "unreadable event date"),
    (F2, 30, "periode_data", "2023O6", UNREADABLE, "not YYYYMM"),
    (F3, 9, "triwulan", "5", UNREADABLE, "not 1-4"),
    (F1, 50, "kelurahan", "", UNREADABLE, "kelurahan missing"),
    (F2, 40, "kelurahan", "\ufffd\ufffd", UNREADABLE, "unreadable area name"),
    (F2, 1, "bulan", "04", INCONSISTENT, "outside release 202309"),
    (F3, 1, "bulan", "Januari", INCONSISTENT, "not in triwulan 2"),
    (F2, 8, "jumlah_kk_terdampak", "1O", UNREADABLE, "not a count"),
    (F2, 3, "jumlah_rata_rata_ketinggian_air", "tinggi", UNREADABLE, "unreadable water"),
    (F1, 60, "ketinggian_air_max(cm)", "1", INCONSISTENT, "below minimum"),
    (F2, 20, "jumlah_kejadian", "2", INCONSISTENT, "'nihil' row (no flood) with non-zero"),
])
def test_garbled_value_quarantines_exactly_that_row_naming_its_column(
        name, source_row, column, value, kind, why):
    # derived from the real file: one cell of one data row replaced
    result = parse(replace_cell(name, source_row, column, value), name)
    result.reconcile()
    assert list(result.quarantine["source_row"]) == [source_row]
    quarantined = result.quarantine.iloc[0]
    assert (quarantined["column_name"], quarantined["kind"]) == (column, kind)
    assert why in quarantined["reason"]
    original = parsed(name).staged
    expected = original[original["source_row"] != source_row].reset_index(drop=True)
    pd.testing.assert_frame_equal(result.staged, expected)


def test_repeated_rows_are_quarantined_as_duplicate_or_conflict():
    # derived from the real F3 file: data row 2 appended again, then with another count
    data = (SEED / F3).read_bytes()
    lines = data.decode().splitlines()
    again = "\n".join([*lines, lines[2]]) + "\n"
    result = parse_flood(again.encode(), F3)
    assert result.quarantine[["source_row", "column_name", "kind"]].values.tolist() == [
        [261, "kelurahan", DUPLICATE]]
    assert "exact duplicate of source row 2 " in result.quarantine.iloc[0]["reason"]
    assert 2 in set(result.staged["source_row"])
    changed = "\n".join([*lines, lines[2].replace("Timur,2,30.0", "Timur,3,30.0")]) + "\n"
    result = parse_flood(changed.encode(), F3)
    # the same kelurahan and month with another count: neither row is staged
    assert result.quarantine[["source_row", "column_name", "kind"]].values.tolist() == [
        [2, "jumlah_kejadian", INCONSISTENT], [261, "jumlah_kejadian", INCONSISTENT]]
    assert "source rows 2, 261 differ in events; none is staged" in \
        result.quarantine.iloc[0]["reason"]
    assert 2 not in set(result.staged["source_row"])


@pytest.mark.parametrize("periode, tanggal, why", [
    ("201910", "tgl. 01 Januari", "not in periode_data 201910"),
    ("202002", "06/03/2020", "not in periode_data 202002"),
])
def test_f4_event_date_outside_its_periode_is_inconsistent(periode, tanggal, why):
    # derived from the real F4 file: data row 1's periode or date changed
    data = replace_cell(F4, 1, "periode_data", periode)
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    rows[1][rows[0].index("tanggal_kejadian")] = tanggal
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    result = parse(out.getvalue().encode(), F4)
    result.reconcile()
    mine = result.quarantine[result.quarantine["source_row"] == 1].iloc[0]
    assert (mine["column_name"], mine["kind"]) == ("tanggal_kejadian", INCONSISTENT)
    assert why in mine["reason"]
    assert len(result.staged) == EXPECTED[F4][1] - 1


def test_f4_empty_kelurahan_is_missing_unlike_its_zero():
    # derived from the real F4 file: row 1's kelurahan blanked (not the export's '0')
    result = parse(replace_cell(F4, 1, "kelurahan", ""), F4)
    mine = result.quarantine[result.quarantine["source_row"] == 1].iloc[0]
    assert (mine["column_name"], mine["kind"], mine["reason"]) == (
        "kelurahan", UNREADABLE, "kelurahan missing")


def test_f4_written_year_inside_the_files_months_is_not_guessed():
    # derived from the real F4 file: row 1 moved to January 2019, so the file covers 2019-01 …
    # 2020-09; row 2 (periode 202001) then says '01/01/2019', a month the file covers too
    rows = list(csv.reader(io.StringIO((SEED / F4).read_bytes().decode(), newline="")))
    rows[1][rows[0].index("periode_data")] = "201901"
    rows[2][rows[0].index("tanggal_kejadian")] = "01/01/2019"
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    result = parse(out.getvalue().encode(), F4)
    assert row_of(result, 1)["event_dates"] == "2019-01-01"
    mine = result.quarantine[result.quarantine["source_row"] == 2].iloc[0]
    assert mine["kind"] == INCONSISTENT and "do not settle it" in mine["reason"]


def test_shifted_row_is_quarantined():
    # derived from the real F1 file: data row 5 gains a field (an unquoted comma in the RW list)
    lines = (SEED / F1).read_bytes().decode().split("\r\n")
    lines[5] = lines[5].replace('"RW 07, 09"', "RW 07, 09")
    result = parse_flood("\r\n".join(lines).encode(), F1)
    assert list(result.quarantine["source_row"]) == [5]
    assert "21 of 20 fields" in result.quarantine.iloc[0]["reason"]
    assert result.quarantine.iloc[0]["column_name"] is None


@pytest.mark.parametrize("payload", [
    pytest.param(lambda d: gzip.compress(d)[:700], id="truncated-gzip"),
    pytest.param(lambda d: bytes(range(0x80, 0x100)) * 8, id="binary"),
    pytest.param(lambda d: d.split(b"\n", 1)[1][:4000], id="no-header"),
    pytest.param(lambda d: d[: d.index(b"\n", 3000) + 40], id="cut-mid-row"),
    pytest.param(lambda d: d[:150], id="cut-in-header"),
    pytest.param(lambda d: b'\xef\xbb\xbf{"data": {"title": "Banjir"}, "filedata": [{"rn"',
                 id="cut-json"),
    pytest.param(lambda d: b'{"data": {"title": "Banjir"}, "totalFiledata": 0}',
                 id="json-no-rows"),
])
@pytest.mark.parametrize("name", [F1, F2])
def test_unreadable_payload_raises_parse_error_naming_file(payload, name):
    # derived from the real files (except the JSON stubs)
    with pytest.raises(ParseError) as err:
        parse_flood(payload((SEED / name).read_bytes()), name)
    assert name in str(err.value)


def test_cut_mid_row_names_the_row():
    data = (SEED / F2).read_bytes()
    cut = data[: data.index(b"\r\n", 2000) + 12]  # ends 10 bytes into a data row
    with pytest.raises(ParseError, match=r"row \d+: last row has \d+ of 15 fields"):
        parse_flood(cut, F2)


def test_layout_without_a_year_anywhere_is_refused():
    # derived from the real F3 file under the mirror's own name, which carries no year
    with pytest.raises(ParseError, match="banjir.csv: the rows carry no year"):
        parse_flood((SEED / F3).read_bytes(), "banjir.csv")


def test_unknown_layout_is_refused_naming_the_header():
    data = (SEED / F2).read_bytes().replace(b"jumlah_rata_rata_ketinggian_air", b"tinggi", 1)
    with pytest.raises(ParseError, match=f"{F2}, row 1: no flood-table header"):
        parse_flood(data, F2)


# --------------------------------------------------------------------------------------------
# the satudata / CKAN JSON forms (built from the real rows)


SYSTEM = {"user_id": 17, "tanggal_upload": "2024-02-01 10:12:44", "tanggal_update": None,
          "uid_upload": "a1b2", "batch_upload": 3, "jadwal_rilis": "Triwulanan",
          "created_at": "2024-02-01T03:12:44.000Z", "updated_at": None}


def api_value(text: str):
    """What the API sends for a CSV cell: numbers as JSON numbers, the rest as strings."""
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def json_rows(name: str, n: int, typed: bool = True) -> list[dict]:
    records = list(csv.DictReader(io.StringIO((SEED / name).read_bytes().decode(), newline="")))
    return [{"rn": i, **{k: api_value(v) if typed else v for k, v in rec.items()},
             "id": 500 + i, **SYSTEM} for i, rec in enumerate(records[:n], start=1)]


def expected_first(name: str, n: int) -> pd.DataFrame:
    staged = parsed(name).staged
    return staged[staged["source_row"] <= n].reset_index(drop=True)


def test_satudata_detail_reply_of_f2_matches_csv_rows():
    # derived from the real F2 file: a /satudata/detail reply holding its first 60 rows, with
    # numbers as JSON numbers (periode_data 202309, bulan "07" stays text: leading zero)
    reply = {"data": {"title": "Data Kejadian Bencana Banjir"}, "filedata": json_rows(F2, 60),
             "totalFiledata": 157, "periodeData": [{"periode_data": "2023"}]}
    result = parse(b"\xef\xbb\xbf" + json.dumps(reply).encode(), "detail")
    assert (result.source_rows, result.no_data, result.notes["format"]) == (60, 2, "json")
    pd.testing.assert_frame_equal(result.staged, expected_first(F2, 60))


def test_satudata_reply_of_f3_takes_the_year_from_periode_data():
    # derived from the real F3 file: its rows in a satudata reply for 2024
    reply = {"data": {"title": "Data Kejadian Bencana Banjir"}, "filedata": json_rows(F3, 40),
             "totalFiledata": 40, "periodeData": [{"periode_data": "2024"}]}
    result = parse(json.dumps(reply).encode(), "detail")
    assert (result.notes["year"], result.notes["year_source"]) == (2024, "periodeData")
    expected = expected_first(F3, 40)
    pd.testing.assert_frame_equal(result.staged, expected)


def test_ckan_reply_of_f1_takes_the_year_from_the_title_or_fails():
    # derived from the real F1 file: a legacy CKAN datastore_search reply, all values text
    records = [{"_id": r.pop("rn"), **{k: v for k, v in r.items() if k not in SYSTEM
                                         and k != "id"}} for r in json_rows(F1, 50, typed=False)]
    fields = [{"id": "_id", "type": "int"}] + [{"id": k, "type": "text"} for k in records[0]
                                               if k != "_id"]
    reply = {"success": True, "result": {"fields": fields, "records": records, "total": 363}}
    with pytest.raises(ParseError, match="datastore_search: the rows carry no year"):
        parse_flood(json.dumps(reply).encode(), "datastore_search")
    result = parse(json.dumps(reply).encode(), "banjir-2020-q1.json")
    pd.testing.assert_frame_equal(result.staged, expected_first(F1, 50))


def test_satudata_title_gives_the_year_when_periode_data_is_absent():
    reply = {"data": {"title": "Data Kejadian Bencana Banjir Tahun 2024"},
             "filedata": json_rows(F3, 5), "totalFiledata": 5}
    result = parse_flood(json.dumps(reply).encode(), "detail")
    assert (result.notes["year"], result.notes["year_source"]) == (2024, "dataset title")


@pytest.mark.parametrize("data", [
    pytest.param(b'\xef\xbb\xbf{"filedata": [], "totalFiledata": 157}', id="empty-last-page"),
    pytest.param(lambda: (SEED / F2).read_bytes().split(b"\r\n", 1)[0] + b"\r\n",
                 id="header-only-f2"),
])
def test_empty_but_readable_payload_gives_empty_result(data):
    result = parse(data() if callable(data) else data, "empty")
    result.reconcile()
    assert result.source_rows == 0 and result.staged.empty
    assert list(result.staged.columns) == [c.name for c in COLUMNS]


def test_dates_outside_the_year_are_impossible():
    # F1 rows take the payload's year: 29 February exists in 2020, not in 2021
    data = replace_cell(F1, 200, "tanggal_kejadian", "29 februari")
    assert row_of(parse(data, F1), 200)["event_date_first"] == pd.Timestamp(
        dt.date(2020, 2, 29))
    result = parse_flood(data, F1.replace("2020", "2021"))
    assert list(result.quarantine["source_row"]) == [200]
    assert "does not exist" in result.quarantine.iloc[0]["reason"]


def row_of(result: ParseResult, source_row: int) -> pd.Series:
    return result.staged.set_index("source_row").loc[source_row]
