"""The Ordnungsamt-Online parser on the two real snapshots (seed copies), plus faults built from
the first.

Every fault case below is derived from the real file (a record edited, the bytes cut, the
envelope changed) and says so; nothing is invented from scratch.
"""

from __future__ import annotations

import copy
import gzip
import json
from functools import cache

import pandas as pd
import pytest

from smartchange_assets.berlin.citizen_reports.categories import categorise, normalise_bezirk
from smartchange_assets.berlin.citizen_reports.parser import parse_citizen_reports
from smartchange_assets.berlin.citizen_reports.source import SOURCE
from smartchange_assets.berlin.citizen_reports.text import personal_data_in, repair_text
from smartchange_assets.platform import pii
from smartchange_assets.platform.parsing import (
    DUPLICATE,
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    conform,
)
from smartchange_assets.platform.reconciliation import reconciliation_findings

from ..seed_files import SEED

SEED_FILE = (SEED / "berlin" / "citizen_reports"
             / "ordnungsamt_meldungen_2023-11.json")
NAME = SEED_FILE.name
REAL = SEED_FILE.read_bytes()


@cache
def parsed() -> ParseResult:
    return parse_citizen_reports(REAL, NAME)


def real_doc() -> dict:
    return json.loads(REAL)


def compact(doc: dict) -> bytes:
    """Serialised like the real reply: compact separators, non-ASCII as UTF-8."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def typed(result: ParseResult) -> pd.DataFrame:
    """The staged rows as the engine types them, by the table spec ([0] is payload_sha256)."""
    return conform(result.staged, SOURCE.staging.columns[1:], SOURCE.source_id)


def record(doc: dict, report_id: int) -> dict:
    (found,) = [r for r in doc["index"] if r["id"] == report_id]
    return found


def staged_report(result: ParseResult, report_id: int) -> pd.Series:
    match = result.staged[result.staged["report_id"] == report_id]
    assert len(match) == 1, match
    return match.iloc[0]


# --------------------------------------------------------------------------------------------
# the real snapshot


def test_real_snapshot_counts():
    result = parsed()
    result.reconcile()
    assert (result.source_rows, len(result.staged), result.no_data, len(result.quarantine)) == (
        5842, 5842, 0, 0)
    assert result.notes == {"announced_count": 5842, "fall_back_hour_stamps": 0}
    assert list(typed(result).columns) == SOURCE.staging.column_names[1:]
    assert result.staged["source_row"].tolist() == list(range(1, 5843))


def test_real_snapshot_statuses_and_text_fields():
    s = parsed().staged
    assert s["status"].value_counts().to_dict() == {"Erledigt": 3558, "In Bearbeitung": 2284}
    assert s["report_id"].is_unique
    assert (s["report_id"].min(), s["report_id"].max()) == (527563, 5051839)
    # docs/sources/berlin-citizen-reports.md §2: 19 reports without sachverhalt, 734 multi-line
    # texts (kept multi-line)
    assert s["description_redacted"].isna().sum() == 19
    assert s["description_redacted"].str.contains("\n", regex=False).sum() == 734
    assert staged_report(parsed(), 681533)["description_redacted"] is pd.NA or pd.isna(
        staged_report(parsed(), 681533)["description_redacted"])
    # snapshot_at is filled later from the manifest: the real envelope has no time stamp
    assert set(real_doc()) == {"messages", "results", "index"}
    assert s["snapshot_at"].isna().all()


def test_real_snapshot_bezirke_are_the_published_counts():
    counts = parsed().staged["bezirk"].value_counts().to_dict()
    assert counts == {"Tempelhof-Schöneberg": 2788, "Neukölln": 1601,
                      "Friedrichshain-Kreuzberg": 1313, "Pankow": 46, "Reinickendorf": 29,
                      "Spandau": 22, "Treptow-Köpenick": 19, "Lichtenberg": 9,
                      "Marzahn-Hellersdorf": 8, "Mitte": 6, "Charlottenburg-Wilmersdorf": 1}
    assert "Steglitz-Zehlendorf" not in counts  # berlin-citizen-reports.md §3: no reports at all


JANUARY = SEED / "berlin" / "citizen_reports" / "ordnungsamt_meldungen_2024-01-18.json"


@cache
def january() -> ParseResult:
    return parse_citizen_reports(JANUARY.read_bytes(), JANUARY.name)


def test_january_2024_snapshot_counts_from_the_file():
    """The second snapshot (about 18 Jan 2024), every count recomputed with json/pandas."""
    result = january()
    result.reconcile()
    raw = pd.DataFrame(json.loads(JANUARY.read_bytes())["index"])
    assert (result.source_rows, len(result.staged), result.no_data, len(result.quarantine)) == (
        len(raw), len(raw), 0, 0) == (6021, 6021, 0, 0)
    assert result.notes == {"announced_count": 6021, "fall_back_hour_stamps": 0}
    s = result.staged
    assert s["status"].value_counts().to_dict() == raw["status"].value_counts().to_dict() == {
        "Erledigt": 3595, "In Bearbeitung": 2426}
    assert s["bezirk"].value_counts().to_dict() == raw["bezirk"].value_counts().to_dict()
    assert s["description_redacted"].isna().sum() == raw["sachverhalt"].isna().sum() == 15
    assert set(s["report_id"]) == set(raw["id"])
    created = pd.to_datetime(raw["erstellungsDatum"], format="%d.%m.%Y - %H:%M:%S")
    assert s["created_at_local"].max() == created.max() == pd.Timestamp("2024-01-18 17:01:29")


def test_january_2024_topics_new_and_noisy_are_read():
    s = january().staged
    topics = s["category_main"].value_counts()
    assert topics["Winterdienst"] == 41 and topics["Ladenöffnung"] == 5
    assert topics["Naturschutzgebiet"] == 1
    # '"Parkraumbewirtschaftung - Sonstiges"  Abgesenkter Bordstein, …': the quote is noise
    quoted = s[s["betreff_raw"].fillna("").str.startswith('"Parkraum')]
    assert quoted["category_main"].tolist() == ["Parkraumbewirtschaftung"]
    assert categorise('"Parkraumbewirtschaftung - Sonstiges"')[0] == "Parkraumbewirtschaftung"


def test_creation_stamps_are_berlin_wall_time_dst_correct():
    result = parsed()
    winter = staged_report(result, 527563)  # "18.01.2017 - 15:01:09", CET (+01)
    assert winter["created_at_local"] == pd.Timestamp("2017-01-18 15:01:09")
    assert winter["created_at_utc"] == pd.Timestamp("2017-01-18 14:01:09", tz="UTC")
    summer = staged_report(result, 4738228)  # "15.07.2023 - 09:13:32", CEST (+02)
    assert summer["created_at_utc"] == pd.Timestamp("2023-07-15 07:13:32", tz="UTC")
    # on the fall-back day itself, after the switch: CET again
    fall_back_day = staged_report(result, 5051031)  # "29.10.2023 - 15:21:43"
    assert fall_back_day["created_at_utc"] == pd.Timestamp("2023-10-29 14:21:43", tz="UTC")
    assert staged_report(result, 4029396)["created_at_utc"] == pd.Timestamp(
        "2022-10-30 14:48:35", tz="UTC")  # "30.10.2022 - 15:48:35"
    s = result.staged
    assert (s["created_at_local"].max(), s["created_at_local"].min()) == (
        pd.Timestamp("2023-10-30 08:56:13"), pd.Timestamp("2017-01-18 15:01:09"))


def test_categories_of_the_real_snapshot():
    s = parsed().staged
    mains = s["category_main"].value_counts().to_dict()
    # 2,709 "Abfall - …" + 1,550 fixed Abfall titles (Sperrmüll abgelagert 739, …)
    assert mains["Abfall"] == 4259
    assert mains["Straßenaufsicht"] == 462 and mains["Parkraumbewirtschaftung"] == 148
    assert s["category_main"].isna().sum() == 186  # citizens' own titles, left uncategorised
    sperrmuell = s[s["betreff_raw"] == "Sperrmüll abgelagert"]
    assert len(sperrmuell) == 739
    assert set(zip(sperrmuell["category_main"], sperrmuell["category_sub"])) == {
        ("Abfall", "Sperrmüll")}
    # docs/sources/berlin-citizen-reports.md §3, real values: leading space, trailing space,
    # lower-case ad-hoc topic
    leading = staged_report(parsed(), 4930767)  # " Abfall - Müllablagerung (Bekleidung)"
    assert (leading["category_main"], leading["category_sub"]) == (
        "Abfall", "Müllablagerung (Bekleidung)")
    assert leading["betreff_raw"] == " Abfall - Müllablagerung (Bekleidung)"  # kept as is
    taxi = staged_report(parsed(), 4963781)  # "taxihaltestelle "
    assert taxi["betreff_raw"] == "taxihaltestelle " and pd.isna(taxi["category_main"])
    shisha = staged_report(parsed(), 4631182)
    assert (shisha["category_main"], shisha["category_sub"]) == (
        "Shisha bar", "Rauchbelastung öffentlicher Bürgersteig")
    spiegel = staged_report(parsed(), 527563)  # "Sperrmüll abgelagert (Spiegel)"
    assert (spiegel["category_main"], spiegel["category_sub"]) == ("Abfall", "Sperrmüll")
    assert staged_report(parsed(), 622944)["category_main"] == "Verkehr"


def test_report_numbers_are_joined():
    merged = staged_report(parsed(), 3012364)  # 27 merged duplicate reports
    numbers = merged["report_numbers"].split(";")
    assert len(numbers) == 27 and numbers[:3] == ["4bm48x", "6k14ox", "8rzqjk"]
    assert staged_report(parsed(), 527563)["report_numbers"] == "ljf29"


def test_real_personal_data_never_reaches_the_staged_frame():
    s = parsed().staged
    # real values in the real file: a phone number, e-mails and licence plates
    for secret in ("0303647060", "leehi@berfeld.com", "ritsche@berliner-immobilienring.com",
                   "B MN 380", "LDS-IE 798", "B-AK 6425"):
        assert secret in REAL.decode("utf-8")
        for column in ("description_redacted", "betreff_raw", "category_sub"):
            assert not s[column].str.contains(secret, regex=False).any(), (column, secret)
    assert "[PHONE]" in staged_report(parsed(), 5014137)["description_redacted"]
    assert "[PLATE]" in staged_report(parsed(), 4771381)["description_redacted"]
    assert "[EMAIL]" in staged_report(parsed(), 5030729)["description_redacted"]
    for column in ("description_redacted", "betreff_raw", "category_main", "category_sub",
                   "status", "report_numbers", "bezirk"):
        assert not any(personal_data_in(column, v) for v in s[column].dropna()), column


def test_whole_report_codes_are_not_read_as_plates(monkeypatch):
    # An earlier version of the shared detector read ~200 real codes ("bh5tkx", report
    # 2337788) as Indonesian plates. Whatever the detector does, a whole publisher code in the
    # code column is not personal data; anything else found there still is.
    codes = staged_report(parsed(), 2337788)["report_numbers"]
    assert codes == "sjxywx;bh5tkx"
    assert personal_data_in("report_numbers", "ljf29;+49 30 1234567") == [
        ("PHONE", "+49 30 1234567")]
    monkeypatch.setattr(pii, "find_pii", lambda value: [("PLATE", "bh5tkx")])
    assert personal_data_in("report_numbers", codes) == []
    assert personal_data_in("description_redacted", codes) == [("PLATE", "bh5tkx")]
    assert personal_data_in("report_numbers", "sjxywx") == [("PLATE", "bh5tkx")]


def test_report_number_that_is_not_a_code_is_quarantined():
    # derived: a real record whose meldungsNummern carries free text
    doc = real_doc()
    record(doc, 527563)["meldungsNummern"] = ["ljf29", "Tel 0171 1234567"]
    record(doc, 527575)["meldungsNummern"] = "51cx6p"
    result = parse_citizen_reports(compact(doc), "codes.json")
    assert result.quarantine[["source_row", "column_name", "kind"]].values.tolist() == [
        [1, "meldungsNummern", UNREADABLE], [2, "meldungsNummern", UNREADABLE]]
    assert result.quarantine["reason"].iloc[0] == (
        "report number 2 is not a code of 3–8 letters and digits")
    assert "0171" not in result.quarantine["raw_record"].iloc[0]


def test_real_texts_are_clean_utf8_so_repair_changes_nothing():
    # docs/sources/berlin-citizen-reports.md §3: the sample is clean; the repair must leave every
    # real text alone
    texts = [r[f] for r in real_doc()["index"] for f in ("sachverhalt", "betreff")
             if r[f] is not None]
    assert len(texts) == 5842 * 2 - 19
    assert [t for t in texts if repair_text(t) != t] == []


# --------------------------------------------------------------------------------------------
# faults derived from the real file


def test_bom_in_front_gives_the_same_rows():
    # derived: the real bytes with a UTF-8 BOM prepended
    result = parse_citizen_reports(b"\xef\xbb\xbf" + REAL, NAME)
    pd.testing.assert_frame_equal(result.staged, parsed().staged)


def test_reserialised_and_reordered_gives_the_same_rows():
    # derived: every record's keys in reverse order, the envelope keys reordered, pretty-printed
    # with \u-escaped non-ASCII (how a collector re-saving the file would write it). A JSON
    # reply has no delimiter to change; this is its equivalent of a re-delimited CSV.
    doc = real_doc()
    reordered = {"index": [dict(reversed(list(r.items()))) for r in doc["index"]],
                 "results": doc["results"], "messages": doc["messages"]}
    data = json.dumps(reordered, indent=4, ensure_ascii=True).encode("ascii")
    result = parse_citizen_reports(data, "reordered.json")
    pd.testing.assert_frame_equal(result.staged, parsed().staged)


def test_garbled_id_is_quarantined_naming_its_column_and_fails_the_gate():
    # derived: the first real record's id garbled
    doc = real_doc()
    doc["index"][0]["id"] = "52x563"
    result = parse_citizen_reports(compact(doc), "garbled_id.json")
    assert (len(result.staged), len(result.quarantine)) == (5841, 1)
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["column_name"], q["kind"]) == (1, "id", UNREADABLE)
    assert "52x563" in q["reason"]
    # the id is the key column: one unreadable id stops the line
    recon = pd.DataFrame([{"source": SOURCE.source_id, "payload_sha256": "x",
                           "file_name": "garbled_id.json", "source_rows": 5842, "staged": 5841,
                           "no_data": 0, "quarantined": 1, "error": None,
                           "quarantine_allowance": None}])
    quarantine = result.quarantine.assign(payload_sha256="x", file_name="garbled_id.json")
    problems = reconciliation_findings(SOURCE, recon, quarantine)
    assert problems == ["berlin/citizen_reports: garbled_id.json: row 1, column 'id': report "
                        "id '52x563' is not a positive integer (key column unreadable)"]


@pytest.mark.parametrize(("stamp", "kind", "reason"), [
    ("31.02.2023 - 10:00:00", UNREADABLE, "day is out of range"),
    ("2023-02-01 10:00:00", UNREADABLE, "not DD.MM.YYYY - HH:MM:SS"),
    ("26.03.2023 - 02:30:00", INCONSISTENT, "spring-forward gap"),
])
def test_bad_creation_stamp_is_quarantined(stamp, kind, reason):
    # derived: a real record (id 622944) with its erstellungsDatum replaced
    doc = real_doc()
    record(doc, 622944)["erstellungsDatum"] = stamp
    result = parse_citizen_reports(compact(doc), "stamp.json")
    (q,) = result.quarantine.to_dict("records")
    assert (q["source_row"], q["column_name"], q["kind"]) == (3, "erstellungsDatum", kind)
    assert reason in q["reason"]
    assert 622944 not in set(result.staged["report_id"])


def test_fall_back_hour_is_read_as_summer_time_and_counted():
    # derived: a real record moved into the repeated hour of 29 Oct 2023
    doc = real_doc()
    record(doc, 622944)["erstellungsDatum"] = "29.10.2023 - 02:30:00"
    result = parse_citizen_reports(compact(doc), "fall_back.json")
    row = staged_report(result, 622944)
    assert row["created_at_utc"] == pd.Timestamp("2023-10-29 00:30:00", tz="UTC")  # CEST
    assert result.notes["fall_back_hour_stamps"] == 1


def test_bezirk_spellings_are_normalised_and_unknown_ones_quarantined():
    # derived: real records with their Bezirk re-spelled, and one outside Berlin
    doc = real_doc()
    record(doc, 527563)["bezirk"] = " friedrichshain – kreuzberg "
    record(doc, 527575)["bezirk"] = "Neukoelln"
    record(doc, 622944)["bezirk"] = "Potsdam"
    result = parse_citizen_reports(compact(doc), "bezirk.json")
    assert staged_report(result, 527563)["bezirk"] == "Friedrichshain-Kreuzberg"
    assert staged_report(result, 527575)["bezirk"] == "Neukölln"
    (q,) = result.quarantine.to_dict("records")
    assert (q["column_name"], q["kind"]) == ("bezirk", INCONSISTENT)
    assert normalise_bezirk("Steglitz Zehlendorf") == "Steglitz-Zehlendorf"


def test_status_is_trimmed_open_and_required():
    # derived: real records with padded, new and missing status
    doc = real_doc()
    record(doc, 527563)["status"] = "  Erledigt "
    record(doc, 527575)["status"] = "Weitergeleitet"  # a value not in the sample: kept
    record(doc, 622944)["status"] = None
    result = parse_citizen_reports(compact(doc), "status.json")
    assert staged_report(result, 527563)["status"] == "Erledigt"
    assert staged_report(result, 527575)["status"] == "Weitergeleitet"
    (q,) = result.quarantine.to_dict("records")
    assert (q["source_row"], q["column_name"], q["kind"]) == (3, "status", UNREADABLE)


def test_repeated_reports_are_duplicate_or_inconsistent():
    # derived: the first real record appended again unchanged, the second with another status
    doc = real_doc()
    doc["index"].append(copy.deepcopy(doc["index"][0]))
    changed = copy.deepcopy(doc["index"][1])
    assert changed["status"] != "Erledigt"
    changed["status"] = "Erledigt"
    doc["index"].append(changed)
    doc["results"]["count"] = len(doc["index"])
    result = parse_citizen_reports(compact(doc), "repeated.json")
    # the exact repeat is staged once; which status of the second report holds is a guess,
    # so neither of its rows is staged
    assert (result.source_rows, len(result.staged)) == (5844, 5841)
    assert doc["index"][1]["id"] not in set(result.staged["report_id"])
    q = result.quarantine.set_index("source_row")
    assert q["kind"].to_dict() == {2: INCONSISTENT, 5843: DUPLICATE, 5844: INCONSISTENT}
    assert q["column_name"].to_dict() == {2: "status", 5843: "id", 5844: "status"}
    assert "source rows 2, 5844 differ in status; none is staged" in q.loc[2, "reason"]


def test_mojibake_and_nul_bytes_are_repaired_before_redaction():
    # derived: a real text re-encoded as the collector describes (UTF-8 read as Latin-1), with
    # NUL characters inside, and the real phone number split by a NUL so only repair exposes it
    doc = real_doc()
    rec = record(doc, 5014137)
    original = rec["sachverhalt"]
    mangled = original.encode("utf-8").decode("latin-1").replace("0303647060", "0303\x00647060")
    rec["sachverhalt"] = mangled.replace("Klo", "K\x00lo")
    rec["betreff"] = rec["betreff"].encode("utf-8").decode("cp1252")
    assert "Ã¤" in mangled or "Ã¼" in mangled
    result = parse_citizen_reports(compact(doc), "mojibake.json")
    row = staged_report(result, 5014137)
    assert row["description_redacted"] == pii.redact(original)
    assert "0303647060" not in row["description_redacted"]
    assert row["betreff_raw"] == record(real_doc(), 5014137)["betreff"]


def test_raw_nul_bytes_in_the_body_are_stripped():
    # derived: a raw NUL byte inserted into a real text (invalid JSON unless stripped)
    data = REAL.replace(b'"sachverhalt":"Spiegel"', b'"sachverhalt":"Spie\x00gel"', 1)
    assert data != REAL
    result = parse_citizen_reports(data, "nul.json")
    assert staged_report(result, 527563)["description_redacted"] == "Spiegel"


def test_quarantined_record_keeps_no_personal_data():
    # derived: the real record with a phone number gets an unknown Bezirk
    doc = real_doc()
    record(doc, 5014137)["bezirk"] = "Potsdam"
    result = parse_citizen_reports(compact(doc), "pii_quarantine.json")
    (q,) = result.quarantine.to_dict("records")
    assert "0303647060" not in q["raw_record"] and "[PHONE]" in q["raw_record"]


# --------------------------------------------------------------------------------------------
# payloads that cannot be read at all


def test_truncated_payload_raises_naming_the_file():
    # derived: the real reply cut in half (a dropped connection)
    with pytest.raises(ParseError) as info:
        parse_citizen_reports(REAL[: len(REAL) // 2], "meldungen_cut.json")
    message = str(info.value)
    assert message.startswith("meldungen_cut.json")  # the engine adds the source id
    assert "not valid JSON" in message and "line 1" in message


def test_garbage_payload_raises_naming_the_file():
    # derived: the real reply gzip-compressed (stored without decompressing)
    with pytest.raises(ParseError, match="meldungen.json.gz: not UTF-8"):
        parse_citizen_reports(gzip.compress(REAL), "meldungen.json.gz")
    with pytest.raises(ParseError, match="meldungen.html: not valid JSON"):
        parse_citizen_reports(b"<html><body>503 Service Unavailable</body></html>",
                              "meldungen.html")


def test_count_mismatch_raises():
    # derived: the last real record dropped, count left at 5842 (a window cut short)
    doc = real_doc()
    doc["index"].pop()
    with pytest.raises(ParseError, match="count says 5842 reports but 'index' holds 5841"):
        parse_citizen_reports(compact(doc), "short.json")


def test_api_failure_and_wrong_shape_raise():
    # derived: the real envelope reporting failure; the bare index without the envelope
    doc = real_doc()
    doc["messages"] = {"messages": ["Interner Fehler"], "success": False}
    with pytest.raises(ParseError, match="success=false.*Interner Fehler"):
        parse_citizen_reports(compact(doc), "failed.json")
    with pytest.raises(ParseError, match="bare.json: expected the envelope"):
        parse_citizen_reports(json.dumps(real_doc()["index"]).encode(), "bare.json")


def test_empty_window_is_valid():
    # derived: the real envelope with no reports in it
    doc = real_doc()
    doc["index"], doc["results"] = [], {"count": 0, "itemsPerPage": 0}
    result = parse_citizen_reports(compact(doc), "empty.json")
    assert (result.source_rows, len(result.staged)) == (0, 0)
    assert list(typed(result).columns) == SOURCE.staging.column_names[1:]


# --------------------------------------------------------------------------------------------
# categorisation rules on their own


@pytest.mark.parametrize(("betreff", "expected"), [
    ("Abfall - Sperrmüll", ("Abfall", "Sperrmüll")),
    ("abfall -  Sperrmüll ", ("Abfall", "Sperrmüll")),
    ("Privatfläche - Campieren - Müll", ("Privatfläche", "Campieren - Müll")),
    ("Elektroschrott abgelagert", ("Abfall", "Elektroschrott")),
    ("KfZ ohne TÜV", ("Verkehr", "Hauptuntersuchung, TÜV")),
    ("Falschparker vor Schule", (None, None)),
    ("", (None, None)),
    (None, (None, None)),
])
def test_categorise(betreff, expected):
    assert categorise(betreff) == expected
