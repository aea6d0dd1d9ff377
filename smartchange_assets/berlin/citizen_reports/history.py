"""Reports and their status history, derived in Postgres from the accumulated snapshots.

* ``staging.berlin_citizen_report_status_history``: one row per report and *status spell*, a
  run of consecutive snapshots with the same status. A report that goes "In Bearbeitung" ->
  "Erledigt" has two spells; one reopened later has three. ``seen_from`` is the first snapshot of
  the spell, ``seen_until`` the last.
* ``staging.berlin_citizen_reports``: one row per report ever seen, with its state in the latest
  snapshot that lists it, ``first_seen_at``/``last_seen_at``, the spells as JSON,
  ``resolved_at`` (the first snapshot showing "Erledigt": the resolution happened before it)
  and ``open_seen_until`` (the earliest time of the last snapshot showing it open before that:
  the resolution happened after it). A report that has left the window is kept
  (``in_latest_snapshot`` false): the window forgets, this table does not.

Snapshot times are a payload's fetch times. Identical bytes fetched on two days are stored once
(content-addressed), so a payload's *first* fetch orders it and its *last* fetch counts for
``last_seen_at``/``seen_until``. A snapshot's time is known to lie between its ``snapshot_from``
(a recorded copy cannot be older than its newest report) and its ``snapshot_at`` (the fetch time
as recorded), so the resolution of a report lies between ``open_seen_until`` (the
``snapshot_from`` of the last snapshot showing it open; NULL: first seen resolved, only the
creation bounds it) and ``resolved_at`` (the ``snapshot_at`` of the first showing it resolved).
The seed's two snapshots (30 Oct 2023 … 22 Nov 2023, and 18 Jan 2024) see 265 reports go from
"In Bearbeitung" to "Erledigt".
"""

from __future__ import annotations

import dagster as dg

from smartchange_assets.berlin.citizen_reports.source import SOURCE
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import Subquery, bind, sql_file
from smartchange_assets.platform.tables import PERSONAL, SENSITIVE, Column, TableSpec

RESOLVED_STATUS = "Erledigt"
GROUP = "citizen_reports"

# Every staged snapshot row with the fetch times of its payload.
_SNAPSHOT_ROWS = Subquery(sql_file(__file__, "snapshot_rows.sql",
                                   reports_staging=SOURCE.staging.qualified))

HISTORY_TABLE = TableSpec("staging", "berlin_citizen_report_status_history", (
    Column("report_id", "bigint", nullable=False, classification=PERSONAL),
    Column("spell", "integer", "1 for the first status seen, +1 at each change", nullable=False),
    Column("status", "text", nullable=False),
    Column("seen_from", "timestamptz", "first snapshot showing this status", nullable=False),
    Column("seen_until", "timestamptz", "last snapshot of the spell", nullable=False),
    Column("snapshots", "integer", "snapshots in the spell", nullable=False),
    Column("payload_sha256", "text", "payload of the spell's first snapshot", nullable=False),
), ("report_id", "spell"), "Ordnungsamt-Online status spells per report")

HISTORY_SQL = sql_file(__file__, "status_history.sql", snapshot_rows=_SNAPSHOT_ROWS)

REPORTS_TABLE = TableSpec("staging", "berlin_citizen_reports", (
    Column("report_id", "bigint", nullable=False, classification=PERSONAL),
    Column("created_at_local", "timestamp", "Europe/Berlin wall time", nullable=False,
           classification=SENSITIVE),
    Column("created_at_utc", "timestamptz", nullable=False, classification=SENSITIVE),
    Column("bezirk", "text", nullable=False),
    Column("category_main", "text"),
    Column("category_sub", "text", classification=SENSITIVE),
    Column("betreff_raw", "text", "personal data redacted", classification=PERSONAL),
    Column("status", "text", "status in the latest snapshot listing the report",
           nullable=False),
    Column("report_numbers", "text", classification=PERSONAL),
    Column("description_redacted", "text", "personal data redacted", classification=PERSONAL),
    Column("first_seen_at", "timestamptz", "first snapshot listing the report", nullable=False),
    Column("last_seen_at", "timestamptz", "last snapshot listing the report", nullable=False),
    Column("snapshots_seen", "integer", nullable=False),
    Column("in_latest_snapshot", "boolean", "listed in the newest snapshot (false: it has left "
           "the window)", nullable=False),
    Column("status_history", "jsonb", "[{status, seen_from, seen_until}, …] in order",
           nullable=False),
    Column("status_changes", "integer", "number of status changes seen", nullable=False),
    Column("resolved_at", "timestamptz", f"first snapshot with status '{RESOLVED_STATUS}' (its "
           "fetch time): the resolution happened before"),
    Column("open_seen_until", "timestamptz", "earliest time of the last snapshot showing the "
           "report open before resolved_at: the resolution happened after (NULL: first seen "
           "resolved)"),
    Column("payload_sha256", "text", "payload of the latest snapshot listing the report",
           nullable=False),
), ("report_id",), "Ordnungsamt-Online reports, one row per report, latest state and history")

REPORTS_SQL = sql_file(__file__, "citizen_reports.sql", snapshot_rows=_SNAPSHOT_ROWS,
                       status_history=HISTORY_TABLE.qualified)

STATUS_HISTORY = SqlTable(
    key=dg.AssetKey(["berlin", "staging", "citizen_report_status_history"]),
    table=HISTORY_TABLE,
    select_sql=HISTORY_SQL,
    params=bind(reports_source=SOURCE.source_id),
    deps=[SOURCE.staging_key],
    description="Status spells of every Ordnungsamt-Online report across the daily snapshots.",
    group=GROUP,
    expectations=(
        q.compound_unique(["report_id", "spell"]),
        q.not_null("status"), q.not_null("seen_from"),
        q.between("spell", 1, None), q.between("snapshots", 1, None),
        q.Expect("ExpectColumnPairValuesAToBeGreaterThanB", None,
                 {"column_A": "seen_until", "column_B": "seen_from", "or_equal": True}),
    ),
)

REPORTS = SqlTable(
    key=dg.AssetKey(["berlin", "staging", "citizen_reports"]),
    table=REPORTS_TABLE,
    select_sql=REPORTS_SQL,
    params=bind(reports_source=SOURCE.source_id, resolved_status=RESOLVED_STATUS),
    deps=[SOURCE.staging_key, STATUS_HISTORY.key],
    description="Every Ordnungsamt-Online report ever seen: latest state, first/last seen, "
                "status history and when it was first seen resolved.",
    group=GROUP,
    expectations=(
        q.unique("report_id"),
        q.not_null("status"), q.not_null("first_seen_at"), q.not_null("status_history"),
        q.Expect("ExpectColumnPairValuesAToBeGreaterThanB", None,
                 {"column_A": "last_seen_at", "column_B": "first_seen_at", "or_equal": True}),
        q.Expect("ExpectColumnPairValuesAToBeGreaterThanB", None,
                 {"column_A": "resolved_at", "column_B": "first_seen_at", "or_equal": True,
                  "ignore_row_if": "either_value_is_missing"}),
        q.between("status_changes", 0, None),
        q.Expect("ExpectColumnPairValuesAToBeGreaterThanB", None,
                 {"column_A": "resolved_at", "column_B": "open_seen_until",
                  "ignore_row_if": "either_value_is_missing"}),
    ),
)

SQL_TABLES = (STATUS_HISTORY, REPORTS)
