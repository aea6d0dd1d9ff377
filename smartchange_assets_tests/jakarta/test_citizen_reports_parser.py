"""The CRM citizen-reports parser on the real 15-report sample (seed copy), faults and planted
personal data built from it, the dashboard-API JSON built from it, and the source end to end
through Dagster on a real Postgres (no staged text value may match find_pii)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from functools import cache

import pandas as pd
import pytest

from smartchange_assets.jakarta.citizen_reports.parser import (
    created_at,
    parse_citizen_reports,
    report_id_date,
    split_content,
)
from smartchange_assets.jakarta.citizen_reports.source import COLUMNS, SOURCE
from smartchange_assets.platform.landing import LandingArchive
from smartchange_assets.platform.parsing import (
    DUPLICATE,
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    conform,
)
from smartchange_assets.platform.pii import find_pii

from ..seed_files import SEED, seed_entries
from ..source_harness import check_results, materialize_source

SEED = SEED / "jakarta" / "citizen_reports"
FILE = SEED / "crm_test_predictions_dinov2_e5_not_pooled.SAMPLE.csv"
NAME = FILE.name
STAGING = "staging.jakarta_citizen_reports"
TEXT_COLUMNS = [c.name for c in COLUMNS if c.sql_type == "text"]


def parse(data: bytes, file_name: str) -> ParseResult:
    """parse_citizen_reports, its staged rows typed by the table spec as the staging engine does
    (the area columns come later, from the source's transform)."""
    result = parse_citizen_reports(data, file_name)
    return dataclasses.replace(result, staged=conform(result.staged, COLUMNS, SOURCE.source_id))


@cache
def parsed():
    return parse(FILE.read_bytes(), NAME)


def real_records() -> list[dict]:
    return list(csv.DictReader(io.StringIO(FILE.read_bytes().decode("utf-8"), newline="")))


def real_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(FILE.read_bytes().decode("utf-8"), newline="")))


def write_csv(rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def one(result, report_id: str) -> pd.Series:
    match = result.staged[result.staged["report_id"] == report_id]
    assert len(match) == 1, match
    return match.iloc[0]


def assert_no_pii_in_text_columns(staged: pd.DataFrame) -> None:
    for column in TEXT_COLUMNS:
        for value in staged[column].dropna():
            assert find_pii(value) == [], (column, value)


# --------------------------------------------------------------------------------------------
# the real sample


def test_real_sample_reconciles_with_exact_counts():
    result = parsed()
    result.reconcile()
    assert (result.source_rows, len(result.staged), result.no_data,
            len(result.quarantine)) == (15, 15, 0, 0)
    assert list(result.staged.columns) == [c.name for c in COLUMNS]
    assert result.notes["date_range"] == ["2023-02-19", "2023-12-24"]
    assert result.notes["dropped_columns"] == ["number", "image_path", "dinas_clean", "image",
                                               "dinas_final", "label"]


def test_real_sample_staged_values():
    r = parsed()
    first = one(r, "JK2306180342")
    assert (first["created_date"], first["kelurahan_name"], first["category"],
            first["agency"]) == (pd.Timestamp("2023-06-18"), "KLENDER",
                                 "Keluhan Fasilitas Gedung Pemda (sekolah, kantor)",
                                 "SATUAN POLISI PAMONG PRAJA")
    assert pd.isna(first["created_at_local"]) and pd.isna(first["created_at_utc"])
    assert r.staged["status"].isna().all() and r.staged["channel"].isna().all()
    assert one(r, "JK2311250441")["kelurahan_name"] == "CIPINANG BESAR SELATAN"
    # agency is the CRM's dinas, not the researchers' dinas_final/label (DINAS PERHUBUNGAN)
    assert one(r, "JK2312170197")["agency"] == "DINAS PERTAMANAN DAN HUTAN"
    assert one(r, "JK2311050419")["agency"] == "PD PASAR JAYA"  # dinas_clean differs


def test_category_trailing_space_trimmed_and_raw_kept():
    row = one(parsed(), "JK2312240066")
    assert (row["category"], row["category_raw"]) == ("Sampah", "Sampah ")
    assert parsed().notes["categories_cleaned"] == 1


def test_html_entity_unescaped_in_description():
    text = one(parsed(), "JK2312170197")["description_redacted"]
    assert "berlubang & sehingga" in text and "&amp;" not in text


def test_multi_line_description_kept_whole():
    text = one(parsed(), "JK2307270408")["description_redacted"]
    assert text.startswith("Itu zebra cross") and text.endswith("biar motor tidak bisa kabur")
    assert text.count("\n") == 2
    follow_up = one(parsed(), "JK2309080062")["description_redacted"]
    assert follow_up.startswith("Melanjutkan Laporan Sebelumnya No. JK2305290094\n")
    assert follow_up.count("\n") == 5


def test_real_sample_has_nothing_to_redact():
    # the real descriptions hold streets without house numbers, RT/RW and a report id: not
    # personal data, so redaction leaves every description exactly as published (unescaped)
    by_id = {rec["report_id"]: rec["description"] for rec in real_records()}
    for row in parsed().staged.itertuples():
        assert row.description_redacted == by_id[row.report_id].replace("&amp;", "&").strip()
    assert parsed().notes["redacted_descriptions"] == 0
    assert_no_pii_in_text_columns(parsed().staged)


# --------------------------------------------------------------------------------------------
# value helpers


def test_report_id_date():
    assert report_id_date("JK2306180342") == dt.date(2023, 6, 18)
    for bad in ("JK23061803", "JK2313180342", "2306180342", "JK230618034X", "JK2302300001"):
        with pytest.raises(ValueError):
            report_id_date(bad)


def test_created_at_forms():
    assert created_at("2023-06-18") == (dt.date(2023, 6, 18), None, None)
    # an instant late in the UTC evening is the next local day in Jakarta (UTC+7)
    day, local, utc = created_at("2023-06-18T17:30:00.000Z")
    assert (day, local) == (dt.date(2023, 6, 19), dt.datetime(2023, 6, 19, 0, 30))
    assert utc == dt.datetime(2023, 6, 18, 17, 30, tzinfo=dt.UTC)
    # without an offset: Jakarta wall time
    day, local, utc = created_at("2023-06-18 10:12:44")
    assert (day, local, utc) == (dt.date(2023, 6, 18), dt.datetime(2023, 6, 18, 10, 12, 44),
                                 dt.datetime(2023, 6, 18, 3, 12, 44, tzinfo=dt.UTC))
    with pytest.raises(ValueError):
        created_at("18/06/2023")


def test_split_content_from_the_end():
    content = ("Permasalahan: parkir liar. Lokasi: depan sekolah\nKategori: Parkir Liar\n"
               "Lokasi: KELURAHAN CAWANG\nDetail Alamat Laporan: Jl. Dewi Sartika No. 5")
    parts = split_content(content)
    assert parts == {"Permasalahan": "parkir liar. Lokasi: depan sekolah",
                     "Kategori": "Parkir Liar", "Lokasi": "KELURAHAN CAWANG",
                     "Detail Alamat Laporan": "Jl. Dewi Sartika No. 5"}
    assert split_content("tanpa template") == {"Permasalahan": "tanpa template"}


# --------------------------------------------------------------------------------------------
# faults built from the real sample (each case below is derived from the seed file)


def assert_same_result(other) -> None:
    pd.testing.assert_frame_equal(parsed().staged, other.staged)
    assert (other.source_rows, other.no_data, len(other.quarantine)) == (15, 0, 0)


def test_semicolon_copy_gives_same_staged():
    result = parse(write_csv(real_rows(), ";"), NAME)
    assert result.notes["delimiter"] == ";"
    assert_same_result(result)


def test_bom_and_crlf_copy_gives_same_staged():
    data = b"\xef\xbb\xbf" + FILE.read_bytes()
    assert_same_result(parse(data, NAME))
    rows = real_rows()
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    assert_same_result(parse(out.getvalue().encode(), NAME))


def test_reordered_columns_copy_gives_same_staged():
    assert_same_result(parse(write_csv([r[::-1] for r in real_rows()]), NAME))


def test_garbled_report_id_is_quarantined_naming_its_column():
    rows = real_rows()
    assert rows[3][0] == "JK2311250441"
    rows[3][0] = "JK23x1250441"
    result = parse(write_csv(rows), NAME)
    q = result.quarantine
    assert list(q["source_row"]) == [3] and list(q["column_name"]) == ["report_id"]
    assert list(q["kind"]) == [UNREADABLE] and "JK23X1250441" in q.iloc[0]["reason"]
    assert len(result.staged) == 14


def test_date_columns_disagreeing_with_report_id_are_inconsistent():
    rows = real_rows()
    rows[1][2] = "19"  # JK2306180342 says the 18th
    result = parse(write_csv(rows), NAME)
    q = result.quarantine
    assert list(q["column_name"]) == ["date"] and list(q["kind"]) == [INCONSISTENT]


def test_repeated_report_is_a_duplicate_or_a_conflict():
    rows = real_rows()
    exact = parse(write_csv([*rows, rows[1]]), NAME)
    assert list(exact.quarantine["kind"]) == [DUPLICATE]
    pd.testing.assert_frame_equal(exact.staged, parsed().staged)
    changed = list(rows[1])
    changed[8] = "Jalan"
    conflict = parse(write_csv([*rows, changed]), NAME)
    assert list(conflict.quarantine["source_row"]) == [1, 16]
    assert set(conflict.quarantine["kind"]) == {INCONSISTENT}
    assert conflict.quarantine.iloc[0]["reason"] == (
        "conflicting rows for report_id=JK2306180342: source rows 1, 16 differ in category, "
        "category_raw; none is staged")
    assert len(conflict.staged) == 14


@pytest.mark.parametrize("payload", [
    pytest.param(lambda d: d[:d.index(b"zebra cross") + 30], id="cut-inside-multiline-field"),
    pytest.param(lambda d: d[:d.index(b'"turunkan') + 5], id="cut-inside-first-description"),
    pytest.param(lambda d: bytes(range(0x80, 0x100)) * 8, id="binary"),
    pytest.param(lambda d: b"\x00\x01" + d, id="nul-bytes"),
    pytest.param(lambda d: d.split(b"\n", 1)[1], id="no-header"),
    pytest.param(lambda d: b'[{"id": 1, "code": "JK2306180342", "content": "Permasa',
                 id="cut-json"),
    pytest.param(lambda d: b'{"message": "Unauthenticated."}', id="json-without-list"),
    pytest.param(lambda d: b'["JK2306180342"]', id="json-list-of-strings"),
])
def test_unreadable_payload_raises_parse_error_naming_file(payload):
    with pytest.raises(ParseError) as err:
        parse(payload(FILE.read_bytes()), NAME)
    assert NAME in str(err.value)


# --------------------------------------------------------------------------------------------
# the dashboard API shape, built from the real sample rows


# the lifecycle of docs/sources/jakarta-citizen-reports.md §1
STATUSES = ("Selesai", "Menunggu Validasi", "Sedang dikerjakan")


def api_reply(records: list[dict]) -> bytes:
    """The distribution-map JSON for the real sample rows: code, category, zone and the problem
    text are the real values; the address line, coordinates and status are planted here (the
    sample has none) to prove what is dropped and what is kept. createdAt is the real date."""
    items = []
    for i, rec in enumerate(records):
        content = (f"Permasalahan: {rec['description']}\nKategori: {rec['category']}\n"
                   f"Lokasi: {rec['location']}\nDetail Alamat Laporan: Jl. Melati No. {i + 1}, "
                   "RT 01/RW 02")
        created = report_id_date(rec["report_id"]).isoformat()
        items.append({"id": 900_000 + i, "code": rec["report_id"], "content": content,
                      "lat": -6.2 - i / 1000, "lng": 106.8 + i / 1000,
                      "tstatus": {"name": STATUSES[i % 3]},
                      "complaintCategory": {"name": rec["category"]},
                      "zone": {"name": rec["location"]}, "createdAt": created})
    return json.dumps(items, ensure_ascii=False).encode("utf-8")


def test_api_json_built_from_real_rows_matches_the_csv():
    result = parse(api_reply(real_records()), "distribution-map-2023.json")
    result.reconcile()
    assert (result.source_rows, len(result.staged), len(result.quarantine)) == (15, 15, 0)
    same = ["report_id", "created_date", "category", "category_raw", "kelurahan_name",
            "description_redacted"]
    pd.testing.assert_frame_equal(result.staged[same], parsed().staged[same])
    assert result.staged["agency"].isna().all()  # not in the listing
    assert set(result.staged["status"]) == set(STATUSES)
    staged_text = " ".join(result.staged[list(TEXT_COLUMNS)].fillna("").to_numpy().ravel())
    assert "Melati" not in staged_text and "-6.2" not in staged_text  # address, coordinates


def test_api_json_timestamps():
    records = real_records()[:2]
    reply = json.loads(api_reply(records))
    reply[0]["createdAt"] = "2023-06-18T17:30:00.000Z"  # planted time: 00:30 on the 19th local
    reply[1]["createdAt"] = "2023-08-26 09:15:00"
    result = parse(json.dumps(reply).encode(), "window.json")
    s = result.staged.set_index("report_id")
    assert s.loc["JK2306180342", "created_at_local"] == pd.Timestamp("2023-06-19 00:30")
    assert s.loc["JK2306180342", "created_at_utc"] == pd.Timestamp("2023-06-18 17:30", tz="UTC")
    assert s.loc["JK2306180342", "created_date"] == pd.Timestamp("2023-06-19")
    assert s.loc["JK2308260141", "created_at_utc"] == pd.Timestamp("2023-08-26 02:15", tz="UTC")
    assert str(result.staged["created_at_utc"].dtype) == "datetime64[ns, UTC]"


def test_api_report_without_code_or_date_is_quarantined_without_its_text():
    reply = json.loads(api_reply(real_records()[:3]))
    reply[0]["code"] = None
    reply[1]["createdAt"] = "kemarin"
    reply[1]["content"] = "Permasalahan: hubungi saya 0812-3456-7890"
    result = parse(json.dumps(reply).encode(), "window.json")
    q = result.quarantine
    assert list(q["column_name"]) == ["code", "createdAt"]
    # raw.quarantine is a table too: no phone number, address or coordinates in raw_record
    for raw in q["raw_record"]:
        assert find_pii(raw) == [] and '"lat"' not in raw and "Melati" not in raw


def test_empty_api_window_is_readable():
    result = parse(b"[]", "window.json")
    assert (result.source_rows, len(result.staged)) == (0, 0)


# --------------------------------------------------------------------------------------------
# planted personal data (copies of the real sample)

PLANTS = [
    ("hubungi saya di 0812-3456-7890", "[PHONE]"),
    ("WA +62 857 1234 5678 ya", "[PHONE]"),
    ("NIK saya 3171 0123 4567 8901", "[NIK]"),
    ("KK 3171012345678901", "[NIK]"),
    ("mobil B 1234 XYZ parkir di sini", "[PLATE]"),
    ("motor b 5678 abc kabur", "[PLATE]"),
    ("kirim foto ke warga.kesal@yahoo.co.id", "[EMAIL]"),
    ("rumah saya Jl. Kenanga No. 7, RT 03/RW 05", "[ADDRESS]"),
    ("nama saya Budi Santoso", "[NAME]"),
    ("telp kantor (021) 555 1234", "[PHONE]"),
]


def planted_rows() -> list[list[str]]:
    """The real sample with one planted item per description (placed first, middle, last)."""
    rows = real_rows()
    for i, row in enumerate(rows[1:]):
        plant, _ = PLANTS[i % len(PLANTS)]
        text = row[6]
        where = i % 3
        row[6] = (f"{plant}. {text}" if where == 0 else f"{text}\n{plant}" if where == 1
                  else f"{text[:len(text) // 2]} {plant} {text[len(text) // 2:]}")
    return rows


def test_planted_personal_data_is_redacted_in_every_description():
    result = parse(write_csv(planted_rows()), "planted.csv")
    assert (len(result.staged), len(result.quarantine)) == (15, 0)
    assert_no_pii_in_text_columns(result.staged)
    by_row = result.staged.set_index("source_row")["description_redacted"]
    for i in range(15):
        assert PLANTS[i % len(PLANTS)][1] in by_row[i + 1]
    assert result.notes["redacted_descriptions"] == 15
    # the rest of the real text survives around the tag
    assert "zebra cross" in by_row[7]


def test_planted_items_in_every_text_field_never_reach_staging():
    # derived from the real sample: PII planted into category, location, dinas and description
    rows = real_rows()
    for row in rows[1:]:
        row[6] += " hp 081234567890"
        row[8] += " 0812-1111-2222"
        row[7] += " Jl. Melati No. 3"
        row[9] += " budi@dinas.go.id"
    result = parse(write_csv(rows), "planted-everywhere.csv")
    assert len(result.staged) == 15
    assert_no_pii_in_text_columns(result.staged)


# --------------------------------------------------------------------------------------------
# end to end: raw + staging + checks on a real Postgres


def staged_table(wh) -> pd.DataFrame:
    return wh.read_frame(f"SELECT * FROM {STAGING}")


def assert_no_pii_in_table(wh) -> None:
    table = staged_table(wh)
    for column in TEXT_COLUMNS:
        for value in table[column].dropna():
            assert find_pii(value) == [], (column, value)
    quarantine = wh.read_frame("SELECT raw_record, reason FROM raw.quarantine WHERE source = :s",
                               s=SOURCE.source_id)
    for value in [*quarantine["raw_record"], *quarantine["reason"]]:
        assert find_pii(value) == []


def test_source_materialises_from_seed_with_green_checks(fresh_database):
    result = materialize_source(SOURCE, fresh_database.url)
    assert result.success
    checks = check_results(result)
    assert {f"jakarta/staging/citizen_reports:{name}" for name in
            ("payload_reconciliation", "gx_suite", "no_personal_data", "area_resolution")
            } <= set(checks)
    assert all(checks.values()), checks
    recon = fresh_database.read_frame(
        "SELECT * FROM raw.payload_reconciliation WHERE source = :s", s=SOURCE.source_id)
    assert set(recon["payload_sha256"]) == {e.sha256 for e in seed_entries(SOURCE.source_id)}
    assert recon[["source_rows", "staged", "no_data", "quarantined"]].values.tolist() == [
        [15, 15, 0, 0]]
    table = staged_table(fresh_database)
    assert len(table) == 15
    assert table.loc[table["report_id"] == "JK2307270408",
                     "description_redacted"].item().count("\n") == 2
    assert_no_pii_in_table(fresh_database)


def land(wh, data: bytes, name: str, start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31)):
    LandingArchive(wh).land(SOURCE.source_id, data, origin=f"test://{name}", landed_by="test",
                            file_name=name, content_type="text/csv", period_start=start,
                            period_end=end)


def test_planted_copies_leave_no_personal_data_in_postgres(fresh_database):
    # the seed sample plus two planted copies (CSV and dashboard JSON) of it, all staged
    land(fresh_database, write_csv(planted_rows()), "planted.csv")
    reply = json.loads(api_reply(real_records()))
    for i, item in enumerate(reply):
        item["content"] = item["content"].replace(
            "Permasalahan: ", f"Permasalahan: {PLANTS[(i + 3) % len(PLANTS)][0]} ", 1)
    land(fresh_database, json.dumps(reply).encode(), "planted.json")
    result = materialize_source(SOURCE, fresh_database.url)
    assert result.success
    checks = check_results(result)
    assert all(checks.values()), checks
    recon = fresh_database.read_frame(
        "SELECT file_name, source_rows, staged, quarantined FROM raw.payload_reconciliation "
        "WHERE source = :s ORDER BY file_name", s=SOURCE.source_id)
    assert recon.values.tolist() == [[NAME, 15, 15, 0], ["planted.csv", 15, 15, 0],
                                     ["planted.json", 15, 15, 0]]
    table = staged_table(fresh_database)
    assert len(table) == 45
    assert table["description_redacted"].str.contains(r"\[(?:PHONE|NIK|PLATE|EMAIL|ADDRESS|"
                                                      r"NAME)\]").sum() == 30
    assert_no_pii_in_table(fresh_database)


def test_personal_data_check_fails_when_raw_text_gets_through(fresh_database):
    # a deliberately broken parser that stages the unredacted text: the check must catch it
    def leaky(data: bytes, file_name: str):
        result = parse_citizen_reports(data, file_name)
        raw = {r["report_id"]: r["description"] for r in csv.DictReader(
            io.StringIO(data.decode("utf-8"), newline=""))}
        result.staged["description_redacted"] = result.staged["report_id"].map(raw)
        return result

    land(fresh_database, write_csv(planted_rows()), "planted.csv")
    result = materialize_source(dataclasses.replace(SOURCE, parser=leaky), fresh_database.url)
    checks = check_results(result)
    assert checks["jakarta/staging/citizen_reports:no_personal_data"] is False
    assert checks["jakarta/staging/citizen_reports:payload_reconciliation"] is True
