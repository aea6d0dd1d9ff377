"""Citizen reports through Dagster on a real Postgres: the two seed snapshots, a derived one
between them, history, PII.

The seed holds two real snapshots (the November 2023 copy, recorded 22 Nov 2023, newest report
30 Oct; and 18 Jan 2024); their expectations are recomputed from the files with pandas. The
derived snapshots are built from the real November file (one report resolved, one gone from the
window, one new, or personal data planted in real texts) and landed a day after it, as the
daily live fetch would land them.
"""

from __future__ import annotations

import copy
import datetime as dt
import json

import pandas as pd
import pytest

from smartchange_assets.berlin.citizen_reports import parser as parser_module
from smartchange_assets.berlin.citizen_reports.history import SQL_TABLES
from smartchange_assets.berlin.citizen_reports.source import PERSONAL_DATA_CHECK, SOURCE
from smartchange_assets.berlin.citizen_reports.text import personal_data_in
from smartchange_assets.definitions import LOCATION
from smartchange_assets.platform.landing import LandingArchive, sha256_of

from ..seed_files import SEED, seed_entries
from ..source_harness import check_results, materialize_source

SEED_FILE = (SEED / "berlin" / "citizen_reports"
             / "ordnungsamt_meldungen_2023-11.json")
JANUARY_FILE = SEED / "berlin" / "citizen_reports" / "ordnungsamt_meldungen_2024-01-18.json"
REAL = SEED_FILE.read_bytes()
SEED_AT = pd.Timestamp("2023-11-22T00:00:00", tz="UTC")  # the manifest's recorded_at
JANUARY_AT = pd.Timestamp("2024-01-18T23:00:00", tz="UTC")  # the same, second snapshot
NEXT_DAY = dt.datetime(2023, 11, 23, 6, 0, tzinfo=dt.UTC)

RESOLVED = 3704108    # "In Bearbeitung" in the real file, resolved in the second snapshot
GONE = 4334087        # "In Bearbeitung" in the real file, absent from the second snapshot
NEW = 5051840         # a real record (4517913) re-issued under a new id in the second snapshot
TEMPLATE = 4517913

TEXT_TABLES = ("staging.berlin_citizen_report_snapshots", "staging.berlin_citizen_reports",
               "staging.berlin_citizen_report_status_history")

# planted into real texts (derived fault case); each must come out redacted
PLANTED = {
    5014137: " Rückruf bitte unter +49 30 9025 1234 oder 0171 2345678.",
    5030729: " Kontakt: max.mustermann@example.org",
    4771381: " Der Halter parkt täglich mit B-XY 1234 hier.",
    527563: " Melder wohnt Friedrichstraße 12, 10117 Berlin.",
}


def compact(doc: dict) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def real_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two real snapshots as published, read with pandas (ids, statuses, creation)."""
    frames = []
    for path in (SEED_FILE, JANUARY_FILE):
        frame = pd.DataFrame(json.loads(path.read_bytes())["index"])
        created = pd.to_datetime(frame["erstellungsDatum"], format="%d.%m.%Y - %H:%M:%S")
        frames.append(frame.assign(created_utc=created.dt.tz_localize("Europe/Berlin")
                                   .dt.tz_convert("UTC")))
    return frames[0], frames[1]


def second_snapshot() -> bytes:
    doc = json.loads(REAL)
    index = doc["index"]
    (resolved,) = [r for r in index if r["id"] == RESOLVED]
    assert resolved["status"] == "In Bearbeitung"
    resolved["status"] = "Erledigt"
    doc["index"] = [r for r in index if r["id"] != GONE]
    (template,) = [r for r in index if r["id"] == TEMPLATE]
    new = copy.deepcopy(template)
    new.update(id=NEW, meldungsNummern=["zz9new"], erstellungsDatum="22.11.2023 - 14:05:00")
    doc["index"].append(new)
    doc["results"] = {"count": len(doc["index"]), "itemsPerPage": len(doc["index"])}
    return compact(doc)


def planted_snapshot() -> bytes:
    doc = json.loads(REAL)
    for report in doc["index"]:
        if report["id"] in PLANTED:
            report["sachverhalt"] = (report["sachverhalt"] or "") + PLANTED[report["id"]]
    return compact(doc)


def land_next_day(wh, content: bytes, name: str) -> str:
    LandingArchive(wh).land(
        SOURCE.source_id, content, landed_by="test", file_name=name,
        origin=f"https://ordnungsamt.berlin.de/frontend.webservice.opendata/api/meldungen#{name}",
        fetched_at=NEXT_DAY, content_type="application/json",
        period_start=NEXT_DAY.date(), period_end=NEXT_DAY.date())
    return sha256_of(content)


def materialize_all(wh):
    derived = LOCATION.assets_for(*(table.key for table in SQL_TABLES))
    return materialize_source(SOURCE, wh.url, *derived)


def assert_green(result, wh, expected_shas: set[str]) -> None:
    assert result.success
    checks = check_results(result)
    expected = {"berlin/raw/citizen_reports:payload_freshness",
                "berlin/staging/citizen_report_snapshots:payload_reconciliation",
                "berlin/staging/citizen_report_snapshots:gx_suite",
                f"berlin/staging/citizen_report_snapshots:{PERSONAL_DATA_CHECK}",
                "berlin/staging/citizen_report_status_history:gx_suite",
                "berlin/staging/citizen_reports:gx_suite"}
    assert set(checks) == expected and all(checks.values()), checks
    recon = wh.read_frame("SELECT * FROM raw.payload_reconciliation WHERE source = :s",
                          s=SOURCE.source_id)
    assert set(recon["payload_sha256"]) == expected_shas
    assert recon["error"].isna().all()
    assert (recon["staged"] + recon["no_data"] + recon["quarantined"]
            == recon["source_rows"]).all()


def scan_text_columns(wh) -> dict[str, int]:
    """Findings of the shared detector per table.column, over every text/jsonb column."""
    findings = {}
    for table in TEXT_TABLES:
        schema, name = table.split(".")
        columns = wh.read_frame(
            "SELECT column_name, data_type FROM information_schema.columns WHERE "
            "table_schema = :s AND table_name = :t AND data_type IN ('text', 'jsonb')",
            s=schema, t=name)
        assert len(columns) >= 2, table  # status and payload_sha256 at least
        for column in columns["column_name"]:
            values = wh.read_frame(f'SELECT DISTINCT "{column}"::text AS v FROM {table}')["v"]
            findings[f"{table}.{column}"] = sum(
                1 for v in values.dropna() if personal_data_in(column, v))
    return findings


def all_text(wh) -> str:
    """Every row of the three tables as text, for literal searches."""
    return "\n".join(
        wh.read_frame(f"SELECT string_agg(t::text, E'\\n') AS v FROM {table} t")["v"].iloc[0]
        for table in TEXT_TABLES)


# --------------------------------------------------------------------------------------------


def test_the_two_seed_snapshots_give_every_report_its_history(fresh_database):
    wh = fresh_database
    result = materialize_all(wh)
    assert_green(result, wh, {e.sha256 for e in seed_entries(SOURCE.source_id)})
    recon = wh.read_frame("SELECT * FROM raw.payload_reconciliation WHERE source = :s "
                          "ORDER BY file_name", s=SOURCE.source_id)
    assert recon[["source_rows", "staged", "no_data", "quarantined"]].values.tolist() == [
        [5842, 5842, 0, 0], [6021, 6021, 0, 0]]
    november, january = real_frames()
    snapshots = wh.read_frame("SELECT * FROM staging.berlin_citizen_report_snapshots")
    assert len(snapshots) == len(november) + len(january)
    # the envelope has no time stamp: snapshot_at comes from the manifest's fetched_at; a
    # recorded copy can be no older than its newest report (snapshot_from)
    times = snapshots[["snapshot_at", "snapshot_from"]].drop_duplicates()
    assert sorted((pd.Timestamp(a), pd.Timestamp(f)) for a, f in times.values) == [
        (SEED_AT, november["created_utc"].max()), (JANUARY_AT, january["created_utc"].max())]
    assert str(november["created_utc"].max()) == "2023-10-30 07:56:13+00:00"

    reports = wh.read_frame("SELECT * FROM staging.berlin_citizen_reports").set_index(
        "report_id")
    ids = set(november["id"]) | set(january["id"])
    assert set(reports.index) == ids and len(ids) == 10_894
    assert reports["in_latest_snapshot"].sum() == len(january)
    both = november.merge(january, on="id", suffixes=("_nov", "_jan"))
    changed = both[both["status_nov"] != both["status_jan"]]
    assert len(both) == 969 and len(changed) == 265
    assert set(changed["status_nov"]) == {"In Bearbeitung"} and set(
        changed["status_jan"]) == {"Erledigt"}
    assert set(reports.index[reports["status_changes"] > 0]) == set(changed["id"])
    # seen open on 30 Oct (the earliest the first snapshot can have been taken), resolved by
    # the January snapshot: the resolution is bounded on both sides
    seen = reports.loc[list(changed["id"])]
    assert set(pd.to_datetime(seen["resolved_at"], utc=True)) == {JANUARY_AT}
    assert set(pd.to_datetime(seen["open_seen_until"], utc=True)) == {
        november["created_utc"].max()}
    # first seen already resolved: resolved_at is the first snapshot (an upper bound), no
    # lower bound but the creation
    first_resolved = reports[(reports["status"] == "Erledigt") & reports["open_seen_until"]
                             .isna()]
    assert len(first_resolved) == (november["status"] == "Erledigt").sum() + (
        (january["status"] == "Erledigt") & ~january["id"].isin(november["id"])).sum()
    assert reports.loc[reports["status"] == "In Bearbeitung", "resolved_at"].isna().all()
    # left the window while open: kept with the last state seen
    gone = reports.loc[list(set(november["id"]) - set(january["id"]))]
    assert not gone["in_latest_snapshot"].any()
    assert set(pd.to_datetime(gone["last_seen_at"], utc=True)) == {SEED_AT}
    assert wh.scalar("SELECT count(*) FROM staging.berlin_citizen_report_status_history") == (
        len(ids) + len(changed))
    assert not any(scan_text_columns(wh).values())
    for secret in ("0303647060", "leehi@berfeld.com", "B MN 380", "LDS-IE 798"):
        assert secret in REAL.decode("utf-8") and secret not in all_text(wh)


def test_a_snapshot_a_day_later_keeps_history(fresh_database):
    wh = fresh_database
    second = land_next_day(wh, second_snapshot(), "meldungen_2023-11-23.json")
    result = materialize_all(wh)
    assert_green(result, wh, {e.sha256 for e in seed_entries(SOURCE.source_id)} | {second})
    november, january = real_frames()
    assert wh.scalar("SELECT count(*) FROM staging.berlin_citizen_report_snapshots") == (
        len(november) * 2 + len(january))

    reports = wh.read_frame("SELECT * FROM staging.berlin_citizen_reports")
    ids = set(november["id"]) | set(january["id"])
    assert len(reports) == len(ids) + 1 and reports["report_id"].is_unique
    by_id = reports.set_index("report_id")
    assert not {RESOLVED, GONE, NEW} & set(january["id"])  # the January window lacks them

    changed = by_id.loc[RESOLVED]
    assert changed["status"] == "Erledigt"
    assert pd.Timestamp(changed["resolved_at"]) == pd.Timestamp(NEXT_DAY)
    # the derived snapshot was landed with a fetch time: it is not older than its newest
    # report (the new one, 22 Nov 14:05 Berlin)
    assert pd.Timestamp(changed["open_seen_until"]) == november["created_utc"].max()
    assert pd.Timestamp(changed["first_seen_at"]) == SEED_AT
    assert pd.Timestamp(changed["last_seen_at"]) == pd.Timestamp(NEXT_DAY)
    assert changed["status_changes"] == 1 and changed["snapshots_seen"] == 2
    history = changed["status_history"]
    history = json.loads(history) if isinstance(history, str) else history
    assert [h["status"] for h in history] == ["In Bearbeitung", "Erledigt"]
    assert [pd.Timestamp(h["seen_from"]) for h in history] == [SEED_AT, pd.Timestamp(NEXT_DAY)]
    assert changed["payload_sha256"] == second

    gone = by_id.loc[GONE]  # left the window: kept, with its last known state
    assert not gone["in_latest_snapshot"]
    assert gone["status"] == "In Bearbeitung" and pd.isna(gone["resolved_at"])
    assert pd.Timestamp(gone["last_seen_at"]) == SEED_AT

    new = by_id.loc[NEW]
    assert pd.Timestamp(new["first_seen_at"]) == pd.Timestamp(NEXT_DAY)
    assert not new["in_latest_snapshot"] and new["snapshots_seen"] == 1

    # the real changes (November -> January) and the derived one
    both = november.merge(january, on="id", suffixes=("_nov", "_jan"))
    real_changes = set(both.loc[both["status_nov"] != both["status_jan"], "id"])
    assert set(by_id.index[by_id["status_changes"] > 0]) == real_changes | {RESOLVED}
    only_november = set(november["id"]) - set(january["id"]) - {RESOLVED, GONE}
    assert (by_id.loc[list(only_november), "snapshots_seen"] == 2).all()

    spells = wh.read_frame("SELECT * FROM staging.berlin_citizen_report_status_history "
                           "WHERE report_id = :r ORDER BY spell", r=RESOLVED)
    assert spells[["spell", "status", "snapshots"]].values.tolist() == [
        [1, "In Bearbeitung", 1], [2, "Erledigt", 1]]
    assert pd.Timestamp(spells["seen_from"].iloc[1]) == pd.Timestamp(NEXT_DAY)
    assert wh.scalar("SELECT count(*) FROM staging.berlin_citizen_report_status_history") == (
        len(ids) + 1 + len(real_changes) + 1)


def test_planted_personal_data_never_reaches_staging(fresh_database):
    wh = fresh_database
    planted = land_next_day(wh, planted_snapshot(), "meldungen_planted.json")
    result = materialize_all(wh)
    assert_green(result, wh, {e.sha256 for e in seed_entries(SOURCE.source_id)} | {planted})
    findings = scan_text_columns(wh)
    assert findings and not any(findings.values()), findings
    text = all_text(wh)
    for secret in ("+49 30 9025 1234", "0171 2345678", "max.mustermann@example.org",
                   "B-XY 1234", "Friedrichstraße 12"):
        assert secret not in text, secret
    planted_rows = wh.read_frame(
        "SELECT report_id, description_redacted FROM staging.berlin_citizen_report_snapshots "
        "WHERE payload_sha256 = :h AND report_id = ANY(:ids)", h=planted, ids=list(PLANTED))
    tags = dict(zip(planted_rows["report_id"], planted_rows["description_redacted"]))
    assert "Rückruf bitte unter [PHONE] oder [PHONE]." in tags[5014137]
    assert tags[5030729].endswith("Kontakt: [EMAIL]")
    assert "mit [PLATE] hier." in tags[4771381]
    assert "Melder wohnt [ADDRESS]" in tags[527563]


def test_personal_data_check_fails_when_redaction_is_bypassed(fresh_database, monkeypatch):
    # proves the blocking check can fail: the parser's redaction switched off for this run
    monkeypatch.setattr(parser_module, "redact_free_text", lambda value: value)
    result = materialize_source(SOURCE, fresh_database.url)
    checks = check_results(result)
    assert checks[f"berlin/staging/citizen_report_snapshots:{PERSONAL_DATA_CHECK}"] is False
    (evaluation,) = [e for e in result.get_asset_check_evaluations()
                     if e.check_name == PERSONAL_DATA_CHECK]
    assert "description_redacted" in evaluation.description
    # the check reports columns and counts, never the values it found
    assert "0303647060" not in json.dumps(
        {k: str(v.value) for k, v in evaluation.metadata.items()}) + evaluation.description


@pytest.mark.parametrize("name", ["meldungen_cut.json"])
def test_truncated_snapshot_landed_by_hand_stops_the_line(fresh_database, name):
    # derived: the real reply cut in half, landed as if by `smartchange land`
    wh = fresh_database
    land_next_day(wh, REAL[: len(REAL) // 2], name)
    result = materialize_source(SOURCE, wh.url)
    checks = check_results(result)
    assert checks["berlin/staging/citizen_report_snapshots:payload_reconciliation"] is False
    failed = next(e for e in result.get_asset_check_evaluations()
                  if e.check_name == "payload_reconciliation")
    assert f"berlin/citizen_reports: {name}: not valid JSON" in failed.description
    # write-audit-publish: the load failed its audit, so nothing was published (there was no
    # previous version in this new database); the version is kept for inspection, holding the
    # seed snapshots and nothing of the cut file
    assert not wh.table_exists(SOURCE.staging)
    kept = failed.metadata["kept_for_inspection"].value.split(" ")[0]
    assert wh.scalar(f"SELECT count(*) FROM {kept}") == 5842 + 6021
    assert wh.scalar("SELECT failed_checks FROM audit.kept_versions WHERE kept_as = :k",
                     k=kept) == "payload_reconciliation"
    assert not result.get_asset_materialization_events() or all(
        e.asset_key != SOURCE.staging_key for e in result.get_asset_materialization_events())
