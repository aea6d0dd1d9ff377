"""The population parser on the four real published files (seed copies), plus faults built from
them (each fault test says which real file it starts from)."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import io
import json
from functools import cache

import openpyxl
import pandas as pd
import pytest

from smartchange_assets.jakarta.admin_areas.linking import AREA_COLUMNS
from smartchange_assets.jakarta.population import values
from smartchange_assets.jakarta.population.parser import parse_population
from smartchange_assets.jakarta.population.source import COLUMNS, SOURCE
from smartchange_assets.platform.parsing import (
    DUPLICATE,
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    conform,
)

from ..seed_files import SEED

SEED = SEED / "jakarta" / "population"
SATUDATA = ("data-jumlah-penduduk-provinsi-dki-jakarta-berdasarkan-kelompok-usia-dan-jenis-"
            "kelamin-tahun-2013-2021-komponen-data.csv")
DUKCAPIL_CSV = "penduduk_2024-2025.csv"
DUKCAPIL_XLSX = "PDDK_kelompok_usia_KAB_JAKARTA UTARA_10_2025_1.xlsx"
BPS = "Jumlah Penduduk Menurut Kabupaten_Kota di Provinsi DKI Jakarta , 2017.csv"
CSV_FILES = (SATUDATA, DUKCAPIL_CSV, BPS)

# file -> (source rows, staged, no_data, quarantined), measured on the real files:
# satudata: the whole file, 34,176 lines (2013-2016 × 8,544) of which 13,423 repeat an earlier
# line exactly (docs/sources/jakarta-population.md §3, §4);
# XLSX: 8 band rows + TOTAL + "Sumber data" footer; BPS: 6 kab/kota + the DKI Jakarta total.
EXPECTED = {
    SATUDATA: (34_176, 20_753, 0, 13_423),
    DUKCAPIL_CSV: (50, 50, 0, 0),
    DUKCAPIL_XLSX: (10, 8, 2, 0),
    BPS: (7, 6, 1, 0),
}


def seed_bytes(name: str) -> bytes:
    return (SEED / name).read_bytes()


def parse(data: bytes, file_name: str) -> ParseResult:
    """parse_population, its staged rows typed by the table spec as the staging engine does
    (the area columns come later, from the source's transform)."""
    result = parse_population(data, file_name)
    return dataclasses.replace(result, staged=conform(result.staged, COLUMNS, SOURCE.source_id))


@cache
def parsed(name: str) -> ParseResult:
    return parse(seed_bytes(name), name)


def row(result: ParseResult, source_row: int) -> pd.Series:
    match = result.staged[result.staged["source_row"] == source_row]
    assert len(match) == 1
    return match.iloc[0]


# --------------------------------------------------------------------------------------------
# every real file


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_seed_file_reconciles_with_known_counts(name):
    result = parsed(name)
    result.reconcile()
    assert (result.source_rows, len(result.staged), result.no_data,
            len(result.quarantine)) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_staged_frame_has_exactly_the_spec_columns(name):
    raw = parse_population(seed_bytes(name), name).staged
    # the platform adds the payload hash, the area resolver the area columns
    added = {"payload_sha256", *(c.name for c in AREA_COLUMNS)}
    assert set(raw.columns) == set(SOURCE.staging.column_names) - added
    staged = parsed(name).staged
    assert staged["source_row"].is_unique
    assert str(staged["reference_date"].dtype).startswith("datetime64")
    assert staged["residents"].notna().all() and (staged["residents"] >= 0).all()
    for column in ("age_band", "sex", "level", "kota_name", "table_kind"):
        assert staged[column].notna().all(), column


def test_satudata_first_row_and_excel_mangled_bands():
    result = parsed(SATUDATA)
    first = row(result, 1)  # 2013,2013,PROVINSI DKI JAKARTA,JAKARTA TIMUR,JATINEGARA,...
    assert (first["table_kind"], first["year"], first["level"]) == (
        "satudata_age_sex_kelurahan", 2013, "kelurahan")
    assert (first["kota_name"], first["kecamatan_name"], first["kelurahan_name"]) == (
        "JAKARTA TIMUR", "JATINEGARA", "KAMPUNG MELAYU")
    assert (first["age_band"], first["age_band_raw"], first["age_from"], first["age_to"]) == (
        "00-04", "0-4", 0, 4)
    assert (first["sex"], first["residents"]) == ("male", 1419)
    assert pd.isna(first["semester"]) and pd.isna(first["male_residents"])
    assert first["reference_date"] == pd.Timestamp("2013-12-31")
    staged = result.staged
    raw_to_band = staged.groupby("age_band_raw")["age_band"].unique().map(list).to_dict()
    assert raw_to_band["9-May"] == ["05-09"] and raw_to_band["14-Oct"] == ["10-14"]
    assert raw_to_band[">75"] == ["75+"]
    open_band = staged[staged["age_band"] == "75+"]
    assert open_band["age_to"].isna().all() and (open_band["age_from"] == 75).all()
    assert sorted(staged["age_band"].unique()) == sorted(values.FIVE_YEAR_BANDS)


def test_satudata_years_duplicates_and_totals():
    result = parsed(SATUDATA)
    staged = result.staged
    # every year has 8,544 lines; the repeats leave 2014 and 2015 a fraction of their cells
    assert staged.groupby("year").size().to_dict() == {2013: 8369, 2014: 3103, 2015: 1001,
                                                       2016: 8280}
    # 2013 sums to 12.93 M once its 175 repeated lines are set aside (13.19 M with them)
    assert staged.groupby("year")["residents"].sum().to_dict() == {
        2013: 12_933_757, 2014: 3_939_572, 2015: 1_273_219, 2016: 9_871_409}
    q = result.quarantine
    assert set(q["kind"]) == {DUPLICATE} and set(q["column_name"]) == {"jumlah_penduduk"}
    first = q.iloc[0]
    assert first["source_row"] == 5672
    assert first["reason"].startswith("exact duplicate of source row 5543 (table_kind=")
    assert json.loads(first["raw_record"])["usia"] == "14-Oct"
    assert staged.groupby("sex").size().to_dict() == {"female": 11133, "male": 9620}
    # no key with two different counts anywhere in the file: every repeat is exact
    assert len(q) == (q["kind"] == DUPLICATE).sum() == 13_423
    assert set(staged["kota_name"]) == {"JAKARTA PUSAT", "JAKARTA UTARA", "JAKARTA BARAT",
                                        "JAKARTA SELATAN", "JAKARTA TIMUR",
                                        "KAB.ADM.KEP.SERIBU"}
    assert staged["kelurahan_name"].nunique() == 267
    assert {"P. HARAPAN", "KERENDANG", "HALIM PERDANA KUSUMAH"} <= set(staged["kelurahan_name"])


def test_dukcapil_csv_codes_semesters_and_split():
    result = parsed(DUKCAPIL_CSV)
    first = row(result, 1)  # 2024,2,71,JAKARTA PUSAT,10-19,84168,79045,163213
    assert (first["year"], first["semester"], first["kab_code_kemendagri"]) == (2024, 2, "31.71")
    assert (first["age_band"], first["age_from"], first["age_to"]) == ("10-19", 10, 19)
    assert (first["sex"], first["residents"], first["male_residents"],
            first["female_residents"]) == ("total", 163213, 84168, 79045)
    assert first["reference_date"] == pd.Timestamp("2024-12-31")
    staged = result.staged
    assert staged.groupby("reference_date").size().to_dict() == {
        pd.Timestamp("2024-12-31"): 25, pd.Timestamp("2025-06-30"): 25}
    codes = staged.groupby("kota_name")["kab_code_kemendagri"].unique().map(list).to_dict()
    assert codes == {"JAKARTA PUSAT": ["31.71"], "JAKARTA UTARA": ["31.72"],
                     "JAKARTA BARAT": ["31.73"], "JAKARTA SELATAN": ["31.74"],
                     "JAKARTA TIMUR": ["31.75"]}
    assert (staged["male_residents"] + staged["female_residents"] == staged["residents"]).all()
    assert set(staged["age_band"]) <= set(values.TEN_YEAR_BANDS)
    assert staged.loc[staged["age_band"] == "70+", "age_to"].isna().all()


def test_dukcapil_xlsx_title_total_and_footer():
    result = parsed(DUKCAPIL_XLSX)
    notes = result.notes
    assert (notes["format"], notes["header_line"]) == ("xlsx", 4)
    assert (notes["year"], notes["semester"], notes["kota"]) == (2025, 1, "JAKARTA UTARA")
    assert notes["published_totals"] == ["row 9: agrees with the sum of 8 row(s)"]
    assert notes["counts"] == {"footer rows": 1, "total rows": 1}
    staged = result.staged
    assert list(staged["age_band"]) == [*values.TEN_YEAR_BANDS]
    assert (int(staged["male_residents"].sum()), int(staged["female_residents"].sum()),
            int(staged["residents"].sum())) == (919938, 908868, 1828806)
    assert set(staged["kab_code_kemendagri"]) == {"31.72"}
    assert set(staged["reference_date"]) == {pd.Timestamp("2025-06-30")}


def test_dukcapil_xlsx_agrees_with_the_csv_where_they_overlap():
    # both real files give Jakarta Utara, semester 1 2025: the 5 bands the CSV kept are equal
    columns = ["age_band", "residents", "male_residents", "female_residents"]
    csv_rows = parsed(DUKCAPIL_CSV).staged
    csv_rows = csv_rows[(csv_rows["kota_name"] == "JAKARTA UTARA") & (csv_rows["year"] == 2025)]
    xlsx_rows = parsed(DUKCAPIL_XLSX).staged
    merged = csv_rows[columns].merge(xlsx_rows[columns], on="age_band")
    assert len(merged) == 5
    for c in columns[1:]:
        assert (merged[f"{c}_x"] == merged[f"{c}_y"]).all()


def test_bps_stacked_header_year_and_total_row():
    result = parsed(BPS)
    assert result.notes["year"] == 2017 and result.notes["header_line"] == 1
    assert result.notes["title"] == ("Jumlah Penduduk Menurut Kabupaten/Kota di Provinsi DKI "
                                     "Jakarta (Jiwa)")
    assert result.notes["published_totals"] == ["row 7: agrees with the sum of 6 row(s)"]
    staged = result.staged
    assert list(staged["kota_name"]) == ["KEP SERIBU", "JAKARTA SELATAN", "JAKARTA TIMUR",
                                         "JAKARTA PUSAT", "JAKARTA BARAT", "JAKARTA UTARA"]
    assert int(staged["residents"].sum()) == 10_374_235  # the published DKI Jakarta row
    assert set(staged["age_band"]) == {"all"} and set(staged["sex"]) == {"total"}
    assert set(staged["level"]) == {"kota"}
    assert staged["kab_code_kemendagri"].isna().all() and staged["age_band_raw"].isna().all()
    assert set(staged["reference_date"]) == {pd.Timestamp("2017-12-31")}


# --------------------------------------------------------------------------------------------
# faults derived from the real files


def rewrite_csv(data: bytes, delimiter: str = ",", order: list[int] | None = None) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    if order is not None:
        rows = [[r[i] for i in order] for r in rows]
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def assert_same_result(original: ParseResult, other: ParseResult) -> None:
    pd.testing.assert_frame_equal(original.staged, other.staged)
    assert (other.source_rows, other.no_data) == (original.source_rows, original.no_data)
    pd.testing.assert_frame_equal(original.quarantine.drop(columns="raw_record"),
                                  other.quarantine.drop(columns="raw_record"))


@pytest.mark.parametrize("name", CSV_FILES)
def test_semicolon_copy_gives_same_result(name):
    # derived from the real file: same rows, ';' delimiter
    result = parse(rewrite_csv(seed_bytes(name), ";"), name)
    assert result.notes["delimiter"] == ";"
    assert_same_result(parsed(name), result)


@pytest.mark.parametrize("name", CSV_FILES)
def test_bom_added_or_removed_gives_same_result(name):
    # derived from the real file: the BPS export has a BOM (drop it), the others get one
    data = seed_bytes(name)
    bom = b"\xef\xbb\xbf"
    other = data.removeprefix(bom) if data.startswith(bom) else bom + data
    assert_same_result(parsed(name), parse(other, name))


@pytest.mark.parametrize("name", [SATUDATA, DUKCAPIL_CSV])
def test_reordered_columns_give_same_result(name):
    # derived from the real file: columns in reverse order
    data = seed_bytes(name)
    width = len(data.split(b"\n", 1)[0].split(b","))
    result = parse(rewrite_csv(data, order=list(reversed(range(width)))), name)
    assert_same_result(parsed(name), result)


def edit_line(name: str, line: int, old: str, new: str) -> bytes:
    lines = seed_bytes(name).decode("utf-8").split("\n")
    assert old in lines[line], lines[line]
    lines[line] = lines[line].replace(old, new, 1)
    return "\n".join(lines).encode("utf-8")


def new_quarantine(result: ParseResult, name: str) -> pd.DataFrame:
    known = parsed(name).quarantine["source_row"]
    return result.quarantine[~result.quarantine["source_row"].isin(known)]


def test_garbled_age_band_is_quarantined_naming_usia():
    # derived from the real satudata file: data row 619 (P. PANGGANG, '14-Oct') -> '14-Okx'
    data = edit_line(SATUDATA, 619, ",P. PANGGANG,14-Oct,", ",P. PANGGANG,14-Okx,")
    result = parse(data, SATUDATA)
    result.reconcile()
    q = new_quarantine(result, SATUDATA)
    assert list(q["source_row"]) == [619]
    assert (q.iloc[0]["column_name"], q.iloc[0]["kind"]) == ("usia", UNREADABLE)
    assert "14-Okx" in q.iloc[0]["reason"]
    assert len(result.staged) == EXPECTED[SATUDATA][1] - 1
    assert "usia" in SOURCE.key_columns  # so the reconciliation check stops the line


def test_laki_laki_without_hyphen_is_male():
    # derived from the real satudata file: 2016 spells 'Laki laki'
    # (docs/sources/jakarta-population.md §3)
    data = seed_bytes(SATUDATA).replace(b",Laki-laki,", b",Laki laki,")
    result = parse(data, SATUDATA)
    pd.testing.assert_frame_equal(result.staged.drop(columns="age_band_raw"),
                                  parsed(SATUDATA).staged.drop(columns="age_band_raw"))


def test_same_key_with_another_count_stages_none_of_its_rows():
    # derived from the real satudata file: row 5672 repeats row 5543 exactly; give it 1174
    lines = seed_bytes(SATUDATA).decode().split("\n")
    assert lines[5672] == lines[5543] and lines[5672].endswith(",1173")
    lines[5672] = lines[5672][:-len("1173")] + "1174"
    result = parse("\n".join(lines).encode(), SATUDATA)
    result.reconcile()
    q = result.quarantine.set_index("source_row")
    for source_row in (5543, 5672):  # the first row of each version
        assert (q.loc[source_row, "kind"], q.loc[source_row, "column_name"]) == (
            INCONSISTENT, "jumlah_penduduk")
    assert "source rows 5543, 5672" in q.loc[5543, "reason"]
    assert "differ in residents; none is staged" in q.loc[5543, "reason"]
    # the key is gone from the staged rows; exact repeats of 5543 stay duplicates
    assert len(result.staged) == EXPECTED[SATUDATA][1] - 1
    assert not {5543, 5672} & set(result.staged["source_row"])
    assert (q["kind"] == DUPLICATE).sum() == EXPECTED[SATUDATA][3] - 1


def test_bps_code_in_no_kab_is_inconsistent():
    # derived from the real Dukcapil CSV: row 1 (JAKARTA PUSAT) given 73, i.e. BPS 3173's tail
    data = edit_line(DUKCAPIL_CSV, 1, "2024,2,71,JAKARTA PUSAT", "2024,2,73,JAKARTA PUSAT")
    result = parse(data, DUKCAPIL_CSV)
    q = result.quarantine
    assert list(q["source_row"]) == [1]
    assert (q.iloc[0]["column_name"], q.iloc[0]["kind"]) == ("NO KAB", INCONSISTENT)
    assert "31.73 is BARAT" in q.iloc[0]["reason"]


def test_unreadable_bps_count_leaves_the_total_uncompared():
    # derived from the real BPS file: Jakarta Selatan's count garbled
    data = edit_line(BPS, 4, "2226830", "22268x0")
    result = parse(data, BPS)
    assert (len(result.staged), result.no_data, len(result.quarantine)) == (5, 1, 1)
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["column_name"], q["kind"]) == (2, "2017", UNREADABLE)
    assert result.notes["published_totals"] == ["row 7: not compared (1 row(s) above quarantined)"]


def test_bps_total_that_disagrees_is_quarantined():
    # derived from the real BPS file: Jakarta Selatan one resident more than the total allows
    data = edit_line(BPS, 4, "2226830", "2226831")
    result = parse(data, BPS)
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["kind"]) == (7, INCONSISTENT)
    assert "published total 10374235 != 10374236" in q["reason"]


def test_bps_footer_line_is_no_data_not_a_truncation():
    # derived from the real BPS file: a BPS-style source note appended after the total row
    data = seed_bytes(BPS) + b"\nSumber: Proyeksi Penduduk Indonesia 2010-2035"
    result = parse(data, BPS)
    assert (result.source_rows, len(result.staged), result.no_data) == (8, 6, 2)
    assert result.notes["counts"] == {"footer rows": 1, "total rows": 1}


def test_short_row_in_the_middle_is_quarantined_not_fatal():
    # derived from the real Dukcapil CSV: row 3 loses its last field
    data = edit_line(DUKCAPIL_CSV, 3, ",145935", "")
    result = parse(data, DUKCAPIL_CSV)
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["kind"], q["reason"]) == (3, UNREADABLE,
                                                         "row has 7 fields, header has 8")
    assert (len(result.staged), len(result.quarantine)) == (49, 1)


def xlsx_with(edit) -> bytes:
    book = openpyxl.load_workbook(SEED / DUKCAPIL_XLSX)
    edit(book.worksheets[0])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_total_that_disagrees_is_quarantined_naming_jml():
    # derived from the real XLSX: the TOTAL row's JML (H13) raised by one
    def edit(sheet):
        assert sheet["E13"].value == "TOTAL" and sheet["H13"].value == 1828806
        sheet["H13"] = 1828807

    result = parse(xlsx_with(edit), DUKCAPIL_XLSX)
    assert (len(result.staged), result.no_data, len(result.quarantine)) == (8, 1, 1)
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["column_name"], q["kind"]) == (9, "JML", INCONSISTENT)
    assert "difference +1" in q["reason"]


def test_xlsx_row_contradicting_the_title_is_inconsistent():
    # derived from the real XLSX: the 00-09 row (sheet row 5) says 2024 under a 2025 title
    def edit(sheet):
        assert sheet["A5"].value == 2025
        sheet["A5"] = 2024

    result = parse(xlsx_with(edit), DUKCAPIL_XLSX)
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["column_name"], q["kind"]) == (1, "TAHUN", INCONSISTENT)
    assert result.notes["published_totals"] == ["row 9: not compared (1 row(s) above "
                                                "quarantined)"]


def test_xlsx_without_title_rows_reads_the_same_rows():
    # derived from the real XLSX: the three title rows deleted
    result = parse(xlsx_with(lambda s: s.delete_rows(1, 3)), DUKCAPIL_XLSX)
    assert result.notes["header_line"] == 1
    pd.testing.assert_frame_equal(result.staged, parsed(DUKCAPIL_XLSX).staged)


@pytest.mark.parametrize(("name", "cut"), [
    pytest.param(DUKCAPIL_XLSX, lambda d: d[: len(d) // 2], id="xlsx-cut-in-half"),
    pytest.param(SATUDATA, lambda d: d[:-40], id="satudata-cut-mid-record"),
    pytest.param(BPS, lambda d: d[:-10], id="bps-cut-mid-record"),
    pytest.param(DUKCAPIL_CSV, lambda d: gzip.compress(d)[:700], id="truncated-gzip"),
    pytest.param(SATUDATA, lambda d: d.split(b"\n", 1)[1][:4000], id="no-header"),
    pytest.param(SATUDATA, lambda d: b'\xef\xbb\xbf{"data": {"title": "x"}, "filedata": [{"ta',
                 id="cut-json"),
    pytest.param(BPS, lambda d: d.split(b"\n", 1)[0] + b"\nKep Seribu,23897\n", id="bps-no-year"),
])
def test_truncated_or_garbage_payload_raises_parse_error_naming_the_file(name, cut):
    with pytest.raises(ParseError) as err:
        parse(cut(seed_bytes(name)), name)
    assert name in str(err.value)


def test_satudata_cut_mid_record_names_the_line():
    data = seed_bytes(SATUDATA)[:-40]
    with pytest.raises(ParseError, match=r"row 34177: last record has \d of 9 fields"):
        parse(data, SATUDATA)


# --------------------------------------------------------------------------------------------
# the satudata JSON form (live connector)

SYSTEM = {"user_id": 17, "tanggal_upload": "2025-01-08 10:12:44", "tanggal_update": None,
          "uid_upload": "a1b2", "batch_upload": 3, "jadwal_rilis": "Tahunan",
          "created_at": "2025-01-08T03:12:44.000Z", "updated_at": "2025-01-08T03:12:44.000Z"}


def satudata_json_rows(first: int) -> list[dict]:
    """The first data rows of the real satudata CSV as the API lists them (numbers as JSON
    numbers, plus rn/id and system columns)."""
    text = seed_bytes(SATUDATA).decode()
    records = list(csv.DictReader(io.StringIO(text, newline="")))[:first]
    as_json = [{k: (int(v) if v.isdigit() else v) for k, v in rec.items()} for rec in records]
    return [{"rn": i, **rec, "id": 5000 + i, **SYSTEM} for i, rec in enumerate(as_json, 1)]


def test_satudata_json_reply_matches_the_csv_rows():
    reply = {"data": {"title": "Data Jumlah Penduduk", "komponen_data": "[]"},
             "filedata": satudata_json_rows(40), "totalFiledata": 40,
             "periodeData": [{"periode_data": "2013"}], "lastUpdatefiledata": []}
    result = parse(b"\xef\xbb\xbf" + json.dumps(reply).encode(), "page-1.json")
    assert result.notes["format"] == "satudata json"
    assert result.source_rows == 40
    expected = parsed(SATUDATA).staged
    expected = expected[expected["source_row"] <= 40].reset_index(drop=True)
    pd.testing.assert_frame_equal(result.staged, expected)


@pytest.mark.parametrize("data", [b'\xef\xbb\xbf{"filedata": [], "totalFiledata": 40}', b"",
                                  b"\n\n"])
def test_empty_but_readable_payload_gives_empty_result(data):
    result = parse(data, "empty")
    result.reconcile()
    assert result.source_rows == 0 and list(result.staged.columns) == [c.name for c in COLUMNS]


# --------------------------------------------------------------------------------------------
# cell readers


@pytest.mark.parametrize(("text", "allowed", "expected"), [
    ("0-4", values.FIVE_YEAR_BANDS, ("00-04", 0, 4)),
    ("9-May", values.FIVE_YEAR_BANDS, ("05-09", 5, 9)),
    ("14-Oct", values.FIVE_YEAR_BANDS, ("10-14", 10, 14)),
    ("9-Mei", values.FIVE_YEAR_BANDS, ("05-09", 5, 9)),
    (">75", values.FIVE_YEAR_BANDS, ("75+", 75, None)),
    ("75 +", values.FIVE_YEAR_BANDS, ("75+", 75, None)),
    ("70 – 74", values.FIVE_YEAR_BANDS, ("70-74", 70, 74)),
    ("00-09", values.TEN_YEAR_BANDS, ("00-09", 0, 9)),
    ("70+", values.TEN_YEAR_BANDS, ("70+", 70, None)),
])
def test_age_bands(text, allowed, expected):
    assert values.age_band(text, allowed) == expected


@pytest.mark.parametrize(("text", "allowed", "kind"), [
    ("9-Maz", values.FIVE_YEAR_BANDS, UNREADABLE),
    ("", values.FIVE_YEAR_BANDS, UNREADABLE),
    ("75", values.FIVE_YEAR_BANDS, UNREADABLE),
    ("00-09", values.FIVE_YEAR_BANDS, INCONSISTENT),  # a 10-year band in the 5-year table
    ("3-7", values.FIVE_YEAR_BANDS, INCONSISTENT),
    ("75+", values.TEN_YEAR_BANDS, INCONSISTENT),
])
def test_bad_age_bands(text, allowed, kind):
    with pytest.raises(values.CellError) as err:
        values.age_band(text, allowed, "usia")
    assert (err.value.column, err.value.kind) == ("usia", kind)


def test_sex_counts_and_codes():
    assert [values.sex(s) for s in ("Laki-laki", "Laki laki", "Perempuan", "L", "P")] == [
        "male", "male", "female", "male", "female"]
    with pytest.raises(values.CellError):
        values.sex("Lk")
    assert values.count("919938.0", "JML") == 919938
    for bad in ("", "1.419", "-3", "12a"):
        with pytest.raises(values.CellError):
            values.count(bad, "JML")
    assert [values.kab_code(c, "JAKARTA PUSAT", "no_kab") for c in ("71", "3171", "31.71")] == [
        "31.71"] * 3
    assert values.kab_code("1", "KAB.ADM.KEP.SERIBU", "no_kab") == "31.01"
    with pytest.raises(values.CellError, match="not a DKI Jakarta"):
        values.kab_code("76", "JAKARTA PUSAT", "no_kab")
