"""The Transjakarta ridership parser on the real 2021 satudata file (seed copy), faults built
from it, and the source end to end through Dagster on a real Postgres."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from functools import cache

import dagster as dg
import openpyxl
import pandas as pd
import pytest

from smartchange_assets.jakarta.transjakarta.parser import (
    month_from_name,
    normalise_route_code,
    parse_month,
    parse_passengers,
    parse_transjakarta,
)
from smartchange_assets.jakarta.transjakarta.source import COLUMNS, SOURCE
from smartchange_assets.platform.landing import LandingArchive
from smartchange_assets.platform.parsing import (
    DUPLICATE,
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    conform,
)

from ..seed_files import SEED, seed_entries
from ..source_harness import check_results, materialize_source

SEED = SEED / "jakarta" / "transjakarta"
FILE = SEED / "penumpang_2021.csv"
NAME = FILE.name
XLSX = "data-penumpang-bus-transjakarta-tahun-2021-(1764692849646).xlsx"
DEC_2019 = "data-penumpang-bus-transjakarta-desember-2019.csv"


def parse(data: bytes, file_name: str) -> ParseResult:
    """parse_transjakarta, its staged rows typed by the table spec as the staging engine does."""
    result = parse_transjakarta(data, file_name)
    return dataclasses.replace(result, staged=conform(result.staged, COLUMNS, SOURCE.source_id))


@cache
def parsed():
    return parse(FILE.read_bytes(), NAME)


def real_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(FILE.read_bytes().decode("utf-8"), newline="")))


def write_csv(rows: list[list[str]], delimiter: str = ",", quoting=csv.QUOTE_ALL) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def staged_row(result, month: str, code: str) -> pd.Series:
    s = result.staged
    match = s[(s["month"] == pd.Timestamp(month)) & (s["route_code"] == code)]
    assert len(match) == 1, match
    return match.iloc[0]


# --------------------------------------------------------------------------------------------
# the real file


def test_real_file_reconciles_with_exact_counts():
    result = parsed()
    result.reconcile()
    # 1 473 data rows (docs/sources/jakarta-transjakarta.md §1); route 3E is published twice
    # for 2021-11 (901 and 27 894)
    assert (result.source_rows, len(result.staged), result.no_data,
            len(result.quarantine)) == (1473, 1471, 0, 2)
    assert list(result.staged.columns) == [c.name for c in COLUMNS]
    assert result.staged["passengers"].sum() == 120_279_752
    assert (result.staged["passengers"] == 0).sum() == 47
    assert result.staged["route_code"].nunique() == 131
    assert result.staged.groupby("route_type").size().to_dict() == {
        "Angkutan Umum Integrasi": 467, "BRT": 156, "Mikrotrans": 848}
    assert result.notes["month_range"] == ["2021-01", "2021-12"]


def test_real_file_types_and_key():
    s = parsed().staged
    assert str(s["month"].dtype) == "datetime64[ns]"
    assert str(s["passengers"].dtype) == "Int64"
    assert (s["month"].dt.day == 1).all()
    assert not s.duplicated(["month", "route_code"]).any()
    assert s["source_row"].between(1, 1473).all() and s["source_row"].is_unique


def test_routes_per_month_between_119_and_129_as_published():
    per_month = parsed().notes["routes_per_month"]
    assert per_month["2021-02"] == 119 and per_month["2021-07"] == 126
    # November publishes 129 rows: 3E twice (both held back), so 127 routes are staged
    assert per_month["2021-11"] == 127
    assert min(per_month.values()) == 119 and len(per_month) == 12


def test_conflicting_3e_november_rows_are_both_quarantined():
    q = parsed().quarantine
    assert list(q["source_row"]) == [1229, 1230]
    assert set(q["kind"]) == {INCONSISTENT} and set(q["column_name"]) == {"jumlah_penumpang"}
    assert "month=2021-11-01, row_kind=route, route_code=3E" in q.iloc[0]["reason"]
    assert "source rows 1229, 1230 differ in passengers; none is staged" in q.iloc[0]["reason"]
    assert [json.loads(r)["jumlah_penumpang"] for r in q["raw_record"]] == ["901", "27894"]
    s = parsed().staged
    assert s[(s["route_code"] == "3E") & (s["month"] == "2021-11-01")].empty
    assert staged_row(parsed(), "2021-12-01", "3E")["passengers"] == 0  # a real 0, staged


def test_route_code_typos_are_normalised_and_raw_kept():
    r = parsed()
    jak19 = staged_row(r, "2021-02-01", "JAK.19")  # "JAK,19": a comma inside quotes
    assert (jak19["route_code_raw"], jak19["route_name"], jak19["passengers"]) == (
        "JAK,19", "Pinang Ranti - Kampung Rambutan", 100915)
    jak77 = staged_row(r, "2021-02-01", "JAK.77")
    assert (jak77["route_code_raw"], jak77["passengers"]) == ("JA.77", 56920)
    assert staged_row(r, "2021-12-01", "JAK.77")["route_code_raw"] == "JAK.77"
    jak10b = staged_row(r, "2021-07-01", "JAK.10B")
    assert (jak10b["route_code_raw"], jak10b["route_name"], jak10b["passengers"]) == (
        "JAK. 10B", "Gondangdia - Cikini via Kramat Jaya", 3136)
    assert r.notes["route_codes_normalised"] == {
        "JAK,19 -> JAK.19": 12, "JA.77 -> JAK.77": 11, "JAK. 10B -> JAK.10B": 1}


def test_real_values_types_and_name_typos_kept():
    r = parsed()
    blok_m = staged_row(r, "2021-01-01", "1")
    assert (blok_m["route_type"], blok_m["route_name"], blok_m["passengers"],
            blok_m["source_row"]) == ("BRT", "Blok M - Kota", 773717, 235)
    assert staged_row(r, "2021-01-01", "1A")["route_type"] == "Angkutan Umum Integrasi"
    assert staged_row(r, "2021-01-01", "JAK.01")["route_name"] == "Ttanjung Priok - Plumpang"
    assert staged_row(r, "2021-02-01", "4")["route_name"] == "Pulo Ggadung 2 - Tosari"
    # two codes, one name: both kept, keyed by code
    assert (staged_row(r, "2021-02-01", "JAK.16")["route_name"]
            == staged_row(r, "2021-02-01", "JAK.37")["route_name"]
            == "Cililitan - Condet via Kayu Manis")


# --------------------------------------------------------------------------------------------
# value helpers


@pytest.mark.parametrize(("raw", "code"), [
    ("JAK,19", "JAK.19"), ("JA.77", "JAK.77"), ("JAK. 10B", "JAK.10B"), ("JAK.10B", "JAK.10B"),
    ("jak.1", "JAK.01"), ("JAK 112", "JAK.112"), (" 1A ", "1A"), ("10k", "10K"), ("GR2", "GR2"),
    ("13", "13"),
])
def test_normalise_route_code(raw, code):
    assert normalise_route_code(raw) == code


@pytest.mark.parametrize("raw", ["", "  ", "J@K19", "JAK.", "1-A", "ABCD12"])
def test_unreadable_route_code(raw):
    with pytest.raises(ValueError):
        normalise_route_code(raw)


@pytest.mark.parametrize(("raw", "value"), [
    ("773717", 773717), ("1.234", 1234), ("1,234", 1234), ("1.131.439", 1131439),
    ("1,131,439", 1131439), ("773717.0", 773717), ("0", 0), ("", None), ("-", None),
])
def test_parse_passengers(raw, value):
    assert parse_passengers(raw) == value


@pytest.mark.parametrize("raw", ["1.5", "12.34", "1.2345", "1,234.567", "-5", "abc", "1.234,5"])
def test_ambiguous_or_bad_passenger_counts_are_refused(raw):
    with pytest.raises(ValueError):
        parse_passengers(raw)


@pytest.mark.parametrize(("raw", "month"), [("202101", dt.date(2021, 1, 1)),
                                            ("2021-12", dt.date(2021, 12, 1)),
                                            ("202112.0", dt.date(2021, 12, 1))])
def test_parse_month(raw, month):
    assert parse_month(raw) == month


@pytest.mark.parametrize("raw", ["202113", "2021x1", "21-01", ""])
def test_bad_month(raw):
    with pytest.raises(ValueError):
        parse_month(raw)


# --------------------------------------------------------------------------------------------
# faults built from the real file (each case below is derived from penumpang_2021.csv)


def assert_same_result(other) -> None:
    original = parsed()
    pd.testing.assert_frame_equal(original.staged, other.staged)
    assert (other.source_rows, other.no_data) == (original.source_rows, original.no_data)
    assert list(other.quarantine["source_row"]) == list(original.quarantine["source_row"])


def test_semicolon_copy_gives_same_staged():
    result = parse(write_csv(real_rows(), ";"), NAME)
    assert result.notes["delimiter"] == ";"
    assert_same_result(result)


def test_bom_copy_gives_same_staged():
    assert_same_result(parse(b"\xef\xbb\xbf" + FILE.read_bytes(), NAME))


def test_reordered_columns_copy_gives_same_staged():
    rows = [list(reversed(r)) for r in real_rows()]
    assert_same_result(parse(write_csv(rows), NAME))


def test_unquoted_copy_reads_the_same_except_the_comma_code_rows():
    # derived from the real file: written without quotes, so "JAK,19" splits into two fields
    result = parse(write_csv(real_rows(), quoting=csv.QUOTE_MINIMAL)
                                .replace(b'"JAK,19"', b"JAK,19"), NAME)
    result.reconcile()
    split = result.quarantine[result.quarantine["column_name"].isna()]
    assert len(split) == 12 and set(split["kind"]) == {UNREADABLE}
    assert all("6 fields, header has 5" in r for r in split["reason"])
    assert (result.staged["route_code"] != "JAK.19").all()
    assert len(result.staged) == 1471 - 12


def test_thousands_separators_as_in_legacy_files_give_same_staged():
    # derived from the real file: counts rewritten 1.234.567 (Indonesian) and 1,234,567
    rows = real_rows()
    for i, row in enumerate(rows[1:]):
        sep = "." if i % 2 else ","
        row[4] = f"{int(row[4]):,}".replace(",", sep)
    assert rows[235][4] == "773.717" or rows[235][4] == "773,717"
    assert_same_result(parse(write_csv(rows), NAME))


def test_garbled_month_is_quarantined_naming_periode_data():
    rows = real_rows()
    assert rows[10][0] == "202101"
    rows[10][0] = "2021x1"
    result = parse(write_csv(rows), NAME)
    new = result.quarantine[result.quarantine["source_row"] == 10]
    assert list(new["column_name"]) == ["periode_data"] and list(new["kind"]) == [UNREADABLE]
    assert "2021x1" in new.iloc[0]["reason"]
    assert len(result.staged) == 1470


def test_garbled_route_code_is_quarantined_naming_kode_trayek():
    rows = real_rows()
    rows[20][2] = "J@K?19"
    result = parse(write_csv(rows), NAME)
    new = result.quarantine[result.quarantine["source_row"] == 20]
    assert list(new["column_name"]) == ["kode_trayek"] and "J@K?19" in new.iloc[0]["reason"]


def test_decimal_passenger_count_is_quarantined_not_guessed():
    rows = real_rows()
    rows[5][4] = "29.5"
    result = parse(write_csv(rows), NAME)
    new = result.quarantine[result.quarantine["source_row"] == 5]
    assert list(new["column_name"]) == ["jumlah_penumpang"]


def test_empty_passenger_count_is_the_publishers_no_data():
    rows = real_rows()
    rows[7][4] = ""
    result = parse(write_csv(rows), NAME)
    assert (result.no_data, len(result.staged)) == (1, 1470)


def test_exact_repeat_is_a_duplicate_and_stages_once():
    rows = real_rows()
    rows.append(list(rows[1]))
    result = parse(write_csv(rows), NAME)
    dup = result.quarantine[result.quarantine["kind"] == DUPLICATE]
    assert list(dup["source_row"]) == [1474]
    assert "exact duplicate of source row 1 " in dup.iloc[0]["reason"]
    pd.testing.assert_frame_equal(result.staged, parsed().staged)


@pytest.mark.parametrize("payload", [
    pytest.param(lambda d: d[:len(d) // 2], id="cut-mid-file"),
    pytest.param(lambda d: d[:d.index(b"\n", 5000) + 12], id="cut-inside-a-field"),
    pytest.param(lambda d: d[:d.index(b"\n", 5000) + 10], id="cut-at-an-opening-quote"),
    pytest.param(lambda d: d[:d.index(b"\n", 5000) + 9], id="cut-after-a-comma"),
    pytest.param(lambda d: d[:d.index(b"\n", 5000) + 8], id="cut-after-a-closing-quote"),
    pytest.param(lambda d: bytes(range(0x80, 0x100)) * 8, id="binary"),
    pytest.param(lambda d: b"\x00" + d, id="nul-bytes"),
    pytest.param(lambda d: d.split(b"\n", 1)[1], id="no-header"),
    pytest.param(lambda d: b'\xef\xbb\xbf{"data": {"title": "Penumpang"}, "totalFile',
                 id="cut-json"),
])
def test_unreadable_payload_raises_parse_error_naming_file(payload):
    data = payload(FILE.read_bytes())
    with pytest.raises(ParseError) as err:
        parse_transjakarta(data, NAME)
    assert NAME in str(err.value)


def test_header_only_payload_is_empty_not_an_error():
    result = parse_transjakarta(FILE.read_bytes().split(b"\n", 1)[0] + b"\n", NAME)
    assert (result.source_rows, len(result.staged)) == (0, 0)


def satudata_reply(records: list[dict], total: int) -> bytes:
    rows = [{"rn": i, **rec, "id": 500 + i, "user_id": 3, "tanggal_upload": "2022-01-10",
             "created_at": None} for i, rec in enumerate(records, start=1)]
    body = {"data": {"title": "Data Jumlah Penumpang Trans Jakarta"}, "filedata": rows,
            "totalFiledata": total, "periodeData": [{"periode_data": "2021"}]}
    return b"\xef\xbb\xbf" + json.dumps(body, ensure_ascii=False).encode("utf-8")


def test_satudata_json_reply_built_from_real_rows_matches_csv():
    # derived from the real file: its first 100 records in a satudata envelope, counts as JSON
    # integers the way the API sends numbers
    records = list(csv.DictReader(io.StringIO(FILE.read_bytes().decode(), newline="")))[:100]
    for rec in records:
        rec["jumlah_penumpang"] = int(rec["jumlah_penumpang"])
        rec["periode_data"] = int(rec["periode_data"])
    result = parse(satudata_reply(records, 1473), "page-1.json")
    expected = parsed().staged
    expected = expected[expected["source_row"] <= 100].reset_index(drop=True)
    pd.testing.assert_frame_equal(result.staged, expected)
    assert result.notes["format"] == "satudata json"


# --------------------------------------------------------------------------------------------
# the legacy December 2019 file and the 2021 XLSX download (docs/sources/jakarta-transjakarta.md)


@cache
def parsed_file(name: str) -> ParseResult:
    return parse((SEED / name).read_bytes(), name)


def legacy_frame() -> pd.DataFrame:
    """The December 2019 file read with pandas alone: counts without their commas."""
    frame = pd.read_csv(SEED / DEC_2019, dtype=str, keep_default_na=False)
    return frame.assign(n=frame["jumlah_penumpang"].str.replace(",", "").astype(int),
                        jenis=frame["jenis"].str.strip())


def test_december_2019_reconciles_and_takes_its_month_from_the_file_name():
    result = parsed_file(DEC_2019)
    result.reconcile()
    assert (result.source_rows, len(result.staged), result.no_data,
            len(result.quarantine)) == (237, 237, 0, 0)
    assert result.notes["month_from_file_name"] == "2019-12"
    assert (result.staged["month"] == pd.Timestamp("2019-12-01")).all()
    # every count as the file has it, thousands commas read away
    assert result.staged["passengers"].sum() == legacy_frame()["n"].sum() == 27_021_932
    corridor_1 = staged_row(result, "2019-12-01", "1")
    assert (corridor_1["route_type"], corridor_1["route_name"], corridor_1["passengers"]) == (
        "BRT", "KORIDOR 1 (BLOK M - KOTA)", 2_686_458)


def test_december_2019_service_types_are_canonical_and_the_appendix_is_a_breakdown():
    staged = parsed_file(DEC_2019).staged
    legacy = legacy_frame()
    # ' ANGKUTAN INTEGRASI BUS KECIL ' (stray spaces) is Mikrotrans: its JAK-nn codes are the
    # 2021 Mikrotrans codes
    mikro = staged[staged["route_type"] == "Mikrotrans"]
    assert set(mikro["route_type_raw"]) == {" ANGKUTAN INTEGRASI BUS KECIL "}
    assert len(mikro) == 69 and mikro["route_code"].str.match(r"^JAK\.\d{2,3}$").all()
    assert staged_row(parsed_file(DEC_2019), "2019-12-01", "JAK.01")["route_code_raw"] == "JAK-1"
    appendix = staged[staged["row_kind"] == "free_ride_breakdown"]
    assert len(appendix) == 19 == legacy["jenis"].str.startswith("LAMPIRAN").sum()
    # the stop breakdown of the free gate adds up to the "GRATIS GATE NON BRT" line
    gates = appendix[appendix["route_type"] == "Lampiran Rincian Gratis Gate Non BRT"]
    gate_line = staged[(staged["row_kind"] == "route") & (staged["route_code"] == "G1")]
    assert gates["passengers"].sum() == gate_line["passengers"].item() == 3_940
    # B11 is a Transjabodetabek route and a free-gate stop: two keys, not a conflict
    b11 = staged[staged["route_code"] == "B11"]
    assert sorted(b11["row_kind"]) == ["free_ride_breakdown", "route"]
    # charter groups and shuttles without a code are keyed by their name
    named = staged[staged["route_code"].str.startswith("NAME:")]
    assert len(named) == 14 == (legacy["kode_trayek"] == "").sum()
    assert "NAME:ROMBONGAN RT/RW JUMANTIK" in set(named["route_code"])
    routes = staged[staged["row_kind"] == "route"]
    three = routes[routes["route_type"].isin(["BRT", "Angkutan Umum Integrasi", "Mikrotrans"])]
    expected = legacy[legacy["jenis"].isin(["BRT", "ANGKUTAN UMUM INTEGRASI",
                                            "ANGKUTAN INTEGRASI BUS KECIL"])]["n"].sum()
    assert three["passengers"].sum() == expected == 23_454_881


@pytest.mark.parametrize(("name", "month"), [
    ("data-penumpang-bus-transjakarta-desember-2019.csv", dt.date(2019, 12, 1)),
    ("Data-Penumpang-Bus-Transjakarta-Januari-2019.csv", dt.date(2019, 1, 1)),
    ("penumpang_transjakarta_nopember_2018.csv", dt.date(2018, 11, 1)),
])
def test_month_from_file_name(name, month):
    assert month_from_name(name) == month


@pytest.mark.parametrize("name", ["data-penumpang-bus-transjakarta.csv",
                                  "penumpang-januari-februari-2019.csv",
                                  "penumpang-desember.csv", "penumpang-2019-12.csv"])
def test_a_file_without_month_column_needs_exactly_one_month_in_its_name(name):
    # the real December 2019 file landed under a name that does not say its month
    with pytest.raises(ParseError, match="does not name exactly one month"):
        parse_transjakarta((SEED / DEC_2019).read_bytes(), name)


def test_xlsx_download_reconciles_and_stages_the_csv_rows():
    xlsx, csv_ = parsed_file(XLSX), parsed()
    assert (xlsx.source_rows, len(xlsx.staged), xlsx.no_data, len(xlsx.quarantine)) == (
        1473, 1471, 0, 2)
    assert xlsx.notes["format"] == "xlsx"
    key = ["month", "row_kind", "route_code"]

    def comparable(frame):
        frame = frame.drop(columns="source_row").sort_values(key).reset_index(drop=True)
        return frame.assign(route_code_raw=frame["route_code_raw"].str.strip())

    pd.testing.assert_frame_equal(comparable(xlsx.staged), comparable(csv_.staged))
    # the XLSX writes six codes with a trailing space ('1A ', '3E ') where the CSV does not
    assert (xlsx.staged.sort_values(key)["route_code_raw"].to_numpy()
            != csv_.staged.sort_values(key)["route_code_raw"].to_numpy()).sum() == 6
    assert set(xlsx.quarantine["column_name"]) == {"jumlah_penumpang"}


# --------------------------------------------------------------------------------------------
# end to end: raw + staging + checks on a real Postgres


def test_source_materialises_from_seed_with_green_checks(fresh_database):
    result = materialize_source(SOURCE, fresh_database.url)
    assert result.success
    checks = check_results(result)
    assert checks == {"jakarta/raw/transjakarta:payload_freshness": True,
                      "jakarta/staging/transjakarta_monthly:payload_reconciliation": True,
                      "jakarta/staging/transjakarta_monthly:gx_suite": True,
                      "jakarta/staging/transjakarta_monthly:payloads_agree": True}
    recon = fresh_database.read_frame(
        "SELECT * FROM raw.payload_reconciliation WHERE source = :s", s=SOURCE.source_id)
    assert set(recon["payload_sha256"]) == {e.sha256 for e in seed_entries(SOURCE.source_id)}
    assert {r.file_name: (r.source_rows, r.staged, r.no_data, r.quarantined)
            for r in recon.itertuples()} == {NAME: (1473, 1471, 0, 2), XLSX: (1473, 1471, 0, 2),
                                             DEC_2019: (237, 237, 0, 0)}
    table = fresh_database.read_frame(
        "SELECT month, route_code, route_code_raw, passengers FROM "
        "staging.jakarta_transjakarta_monthly WHERE route_code = 'JAK.19' AND payload_sha256 = "
        ":sha ORDER BY month", sha=_sha(NAME))
    assert len(table) == 12 and set(table["route_code_raw"]) == {"JAK,19"}
    assert table.iloc[1]["passengers"] == 100915
    quarantined = fresh_database.read_frame(
        "SELECT source_row, column_name, kind FROM raw.quarantine WHERE source = :s AND "
        "payload_sha256 = :sha ORDER BY source_row", s=SOURCE.source_id, sha=_sha(NAME))
    assert quarantined.values.tolist() == [[1229, "jumlah_penumpang", "inconsistent"],
                                           [1230, "jumlah_penumpang", "inconsistent"]]
    (agree,) = [e for e in result.get_asset_check_evaluations()
                if e.check_name == "payloads_agree"]
    # the CSV and the XLSX share the twelve months of 2021, every one of 1,471 lines agrees
    assert agree.metadata["pairs"].value == 1 and agree.metadata["lines_compared"].value == 1471
    assert "every shared line agrees" in agree.description


def _sha(name: str) -> str:
    return next(e.sha256 for e in seed_entries(SOURCE.source_id) if e.file == name)


def test_payloads_agree_warns_when_the_xlsx_and_csv_differ(fresh_database):
    # fault built from the real XLSX: corridor 1's January count raised by one, and one
    # Mikrotrans line dropped; landed as another download of 2021 next to the seed
    book = openpyxl.load_workbook(SEED / XLSX)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows())
    (corridor_1,) = [r for r in rows if [c.value for c in r[:3]] == ["202101", "BRT", "1"]]
    corridor_1[4].value = str(int(corridor_1[4].value) + 1)
    dropped = next(i for i, r in enumerate(rows, start=1) if r[2].value == "JAK,19")
    sheet.delete_rows(dropped)
    out = io.BytesIO()
    book.save(out)
    LandingArchive(fresh_database).land(
        SOURCE.source_id, out.getvalue(), origin="test://penumpang-2021-edited.xlsx",
        landed_by="test", file_name="penumpang-2021-edited.xlsx",
        period_start=dt.date(2021, 1, 1), period_end=dt.date(2021, 12, 31))
    result = materialize_source(SOURCE, fresh_database.url)
    assert result.success  # a warning: staging is published, the fact's payload unchanged
    checks = check_results(result)
    assert checks["jakarta/staging/transjakarta_monthly:payloads_agree"] is False
    (agree,) = [e for e in result.get_asset_check_evaluations()
                if e.check_name == "payloads_agree"]
    assert agree.severity == dg.AssetCheckSeverity.WARN
    assert agree.metadata["pairs_disagreeing"].value == 2  # against the CSV and the XLSX
    # which payload is "a" follows the hashes: the sample names both counts either way
    assert ("2021-01 route 1: differs (773717 / 773718)" in agree.description
            or "2021-01 route 1: differs (773718 / 773717)" in agree.description)
    assert "route JAK.19: only in" in agree.description
