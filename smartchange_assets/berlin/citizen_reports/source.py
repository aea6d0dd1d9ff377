"""Berlin Ordnungsamt-Online citizen reports: the one description.

The API only shows a rolling window (docs/sources/berlin-citizen-reports.md §1), so every daily
fetch is its own payload and the staging table accumulates one row per report per snapshot; the
report table and the status history are derived from it in SQL (:mod:`.history`).
"""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pandas as pd

from smartchange_assets.berlin.citizen_reports.categories import BEZIRKE
from smartchange_assets.berlin.citizen_reports.live import fetch_window
from smartchange_assets.berlin.citizen_reports.parser import parse_citizen_reports
from smartchange_assets.berlin.citizen_reports.text import personal_data_in
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.partitions import monthly
from smartchange_assets.platform.spec import (
    LivePayload,
    OwnSchedule,
    SourceSpec,
    seed_folder,
    staging_table,
)
from smartchange_assets.platform.tables import PERSONAL, SENSITIVE, Column

SOURCE_ID = "berlin/citizen_reports"

COLUMNS = [
    Column("source_row", "bigint", "position of the report in the payload's index (1-based)",
           nullable=False),
    Column("report_id", "bigint", "Ordnungsamt-Online report id (not monotonic in time)",
           nullable=False, classification=PERSONAL),
    Column("snapshot_at", "timestamptz", "when this snapshot of the window was fetched "
           "(raw.landing_manifest.fetched_at of the payload): the latest it can show",
           nullable=False),
    Column("snapshot_from", "timestamptz", "the earliest the snapshot can have been taken: "
           "snapshot_at for a live fetch; for a recorded copy (seed, landed by hand) the "
           "creation of its newest report, as its recorded time may be later", nullable=False),
    Column("created_at_local", "timestamp", "erstellungsDatum, Europe/Berlin wall time",
           nullable=False, classification=SENSITIVE),
    Column("created_at_utc", "timestamptz", "erstellungsDatum as an instant (DST-correct)",
           nullable=False, classification=SENSITIVE),
    Column("bezirk", "text", "one of the 12 Bezirk names, official spelling", nullable=False),
    Column("category_main", "text", "Hauptthema (from 'Hauptthema - Unterthema' or a fixed "
           "short title); NULL for a citizen's own title"),
    # after "Hauptthema - " citizens may type their own words: free text, closed tier only
    Column("category_sub", "text", "Unterthema, trimmed; NULL where none",
           classification=SENSITIVE),
    Column("betreff_raw", "text", "betreff as published, personal data redacted",
           classification=PERSONAL),
    Column("status", "text", "status as published, trimmed (open set: 'In Bearbeitung', "
           "'Erledigt', …)", nullable=False),
    Column("report_numbers", "text", "meldungsNummern joined with ';' (merged duplicate "
           "reports)", classification=PERSONAL),
    Column("description_redacted", "text", "sachverhalt, NUL bytes and mojibake repaired, "
           "personal data replaced by tags ([PHONE], [EMAIL], [PLATE], [ADDRESS], …)",
           classification=PERSONAL),
]

KEY = ("payload_sha256", "report_id")

PERSONAL_DATA_CHECK = "no_personal_data"


def fetch_live(client) -> list[LivePayload]:
    """Today's window as one payload; its period is the fetch day (UTC)."""
    fetched = fetch_window(client)
    day = fetched.fetched_at.astimezone(dt.UTC).date()
    return [LivePayload(fetched, day, day)]


def fill_snapshot_at(staged: pd.DataFrame, wh) -> pd.DataFrame:
    """Snapshot time of each row: the envelope has none, so the payload's first fetch time
    (``snapshot_at``), and the earliest the snapshot can have been taken (``snapshot_from``).

    The earliest manifest row of a payload is the one staging reads it under
    (``LandingArchive.active_payloads``). A payload this platform fetched itself (``landed_by =
    'live'``) was taken at that time. A recorded copy (the seed, a file landed by hand) carries
    the time it was recorded, which may be later than the fetch: the November 2023 seed copy
    was committed on 22 November, its newest report is from 30 October
    (docs/sources/berlin-citizen-reports.md §1). It cannot have been taken before its newest
    report, so that creation time is its earliest possible snapshot time. The payload is one
    frame here (the engine calls the transform per payload).
    """
    fetched = wh.read_frame(
        "SELECT DISTINCT ON (sha256) sha256, fetched_at, landed_by FROM raw.landing_manifest"
        " WHERE source = :s ORDER BY sha256, fetched_at, id", s=SOURCE_ID).set_index("sha256")
    first_fetch = pd.to_datetime(fetched["fetched_at"], utc=True)
    out = staged.copy()
    missing = out["snapshot_at"].isna()
    out.loc[missing, "snapshot_at"] = (out.loc[missing, "payload_sha256"].map(first_fetch)
                                       .astype("datetime64[us, UTC]"))
    newest = (pd.to_datetime(out["created_at_utc"], utc=True)
              .groupby(out["payload_sha256"]).transform("max").astype("datetime64[us, UTC]"))
    snapshot_at = out["snapshot_at"].astype("datetime64[us, UTC]")
    live = out["payload_sha256"].map(fetched["landed_by"]).eq("live")
    recorded = pd.concat([newest, snapshot_at], axis=1).min(axis=1)
    out["snapshot_from"] = snapshot_at.where(live, recorded)
    return out


def personal_data_check(spec: SourceSpec) -> TableCheck:
    """Blocking: no text column of the staging table holds what the shared detector finds."""
    text_columns = [c.name for c in spec.staging.columns
                    if c.sql_type == "text" and c.name != "payload_sha256"]

    def evaluate(audit: Audit) -> dg.AssetCheckResult:
        wh = audit.wh
        findings = {}
        for column in text_columns:
            # distinct values: a report's text repeats in every snapshot it appears in
            values = wh.read_frame(f'SELECT DISTINCT "{column}" AS v FROM '
                                   f'{audit.relation} WHERE "{column}" IS NOT NULL')["v"]
            hits = sum(1 for v in values if personal_data_in(column, v))
            if hits:
                findings[column] = hits
        # the metadata names columns and counts only, never the values themselves
        return dg.AssetCheckResult(
            passed=not findings, severity=dg.AssetCheckSeverity.ERROR,
            description=("no personal data found" if not findings else
                         "personal data in " + ", ".join(f"{c} ({n} distinct values)"
                                                          for c, n in findings.items())),
            metadata={"columns_scanned": dg.MetadataValue.text(", ".join(text_columns)),
                      "values_with_personal_data": dg.MetadataValue.json(findings)})

    return TableCheck(
        spec.staging_key, PERSONAL_DATA_CHECK,
        ("No phone number, e-mail, licence plate, address or name "
         f"(platform.pii.find_pii) in {', '.join(text_columns)}; "
         "report codes are not read as plates"),
        evaluate, blocking=True)


SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    pool="ordnungsamt-berlin",
    # the API shows a rolling window: a missed day is lost for good, so the snapshot runs at
    # the end of the offices' day, apart from the rest of Berlin's nightly refresh
    own_schedule=OwnSchedule(
        name="ordnungsamt_daily_snapshot", job="ordnungsamt_snapshot", cron="0 22 * * *",
        timezone="Europe/Berlin",
        description="The day's Ordnungsamt-Online snapshot at 22:00 Berlin time (the API shows "
                    "a rolling window: a missed day is lost)."),
    city="berlin",
    name="citizen_reports",
    title="Berlin Ordnungsamt-Online citizen reports",
    description=("Reports by residents to the Berlin public-order offices (waste, parking, "
                 "streets, noise …) with their processing status, from the Ordnungsamt-Online "
                 "open-data API. The API shows a rolling window, so each daily fetch is kept as "
                 "a snapshot; free text is stored only with personal data redacted."),
    publisher="Land Berlin, Ordnungsämter der Bezirke (Ordnungsamt-Online)",
    licence="dl-de/by-2-0 (Datenlizenz Deutschland – Namensnennung 2.0), per daten.berlin.de "
            "'Ordnungsamt-Online' (third-party reading, docs/sources/berlin-citizen-reports.md)",
    portal_url="https://ordnungsamt.berlin.de/frontend/",
    parser=parse_citizen_reports,
    fetch_live=fetch_live,
    staging=staging_table("berlin", "citizen_report_snapshots", COLUMNS, KEY,
                          "Ordnungsamt-Online reports, one row per report per daily snapshot"),
    # the payload period is the snapshot day; report dates span the whole window (back to
    # 2017), so no staged date column lies inside it
    date_column=None,
    # one daily snapshot per payload: its month is the snapshot's (UTC) month
    partitions=monthly("snapshot_at"),
    publisher_cadence="daily",
    key_columns=("id",),
    expectations=(
        q.not_null("report_id"), q.not_null("snapshot_at"), q.not_null("created_at_local"),
        q.not_null("created_at_utc"), q.not_null("status"), q.not_null("bezirk"),
        q.not_null("snapshot_from"),
        q.Expect("ExpectColumnPairValuesAToBeGreaterThanB", None,
                 {"column_A": "snapshot_at", "column_B": "snapshot_from", "or_equal": True}),
        q.compound_unique(list(KEY)),
        q.between("report_id", 1, None),
        q.in_set("bezirk", BEZIRKE),
        q.dates_between("created_at_local", "2010-01-01", "2100-01-01"),
        # a report cannot be created after the snapshot that lists it
        q.Expect("ExpectColumnPairValuesAToBeGreaterThanB", None,
                 {"column_A": "snapshot_at", "column_B": "created_at_utc", "or_equal": True}),
        q.Expect("ExpectColumnValueLengthsToBeBetween", "status", {"min_value": 1}),
        # most reports come with a picker topic or a fixed title (96.8 % in Nov 2023)
        q.not_null("category_main", mostly=0.9),
    ),
    group="citizen_reports",
    transform=fill_snapshot_at,
    extra_checks=(personal_data_check,),
)
