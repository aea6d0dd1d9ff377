"""The closed tier: the personal tables, for authorised staff (role ``smartchange_analyst``).

Each is the staging table as it is (personal and sensitive columns included, their
classification kept) plus ``report_pid``, the pseudonym the open tier shows for the same report,
so that staff can go from an open record to the full one without holding the key.
Staging itself, and ``raw`` (the landed payloads and the quarantine's raw records, which hold
unredacted text), stay readable by the ETL owner only.
"""

from __future__ import annotations

import dagster as dg

from smartchange_assets.berlin.citizen_reports.history import REPORTS as BERLIN_REPORTS
from smartchange_assets.berlin.citizen_reports.history import STATUS_HISTORY as BERLIN_HISTORY
from smartchange_assets.jakarta.citizen_reports.source import SOURCE as JAKARTA_REPORTS
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.tables import Column, TableSpec
from smartchange_assets.tiers.pseudonym import sql_pseudonym
from smartchange_assets.tiers.roles import RESTRICTED_SCHEMA
from smartchange_assets.tiers.table import TierTable

JAKARTA_NAMESPACE = JAKARTA_REPORTS.source_id          # "jakarta/citizen_reports"
BERLIN_NAMESPACE = "berlin/citizen_reports"

PID_COLUMN = Column("report_pid", "text", "pseudonymised report id, as in the open tier "
                    "(HMAC-SHA256 of '<source>:<report_id>' with SMARTCHANGE_PSEUDONYM_KEY)",
                    nullable=False)


def key_unique(key: tuple[str, ...]) -> q.Expect:
    """GX's compound-unique expectation needs two columns or more."""
    return q.unique(key[0]) if len(key) == 1 else q.compound_unique(list(key))


def restricted_copy(name: str, source: TableSpec, key: dg.AssetKey, namespace: str,
                    description: str, id_column: str = "report_id") -> TierTable:
    """``restricted.<name>``: every column of ``source`` plus ``report_pid``."""
    columns = (*source.columns, PID_COLUMN)
    table = TableSpec(RESTRICTED_SCHEMA, name, columns, source.primary_key, description)
    cols = ", ".join(f'"{c.name}"' for c in source.columns)
    select = (f"SELECT {cols}, {sql_pseudonym(f's.{id_column}', namespace)} "
              f"FROM {source.qualified} s")
    return TierTable(table=table, select_sql=select, deps=(key,), description=description,
                     expectations=(q.not_null("report_pid"), key_unique(source.primary_key)),
                     pseudonymised=True)


RESTRICTED_TABLES = (
    restricted_copy("jakarta_citizen_reports", JAKARTA_REPORTS.staging,
                    JAKARTA_REPORTS.staging_key, JAKARTA_NAMESPACE,
                    "Jakarta CRM reports with report ids, redacted text and reporter-written "
                    "locations (closed tier), one row per report and payload"),
    restricted_copy("berlin_citizen_reports", BERLIN_REPORTS.table, BERLIN_REPORTS.key,
                    BERLIN_NAMESPACE,
                    "Berlin Ordnungsamt-Online reports with report ids, redacted text, exact "
                    "times and status history (closed tier)"),
    restricted_copy("berlin_citizen_report_status_history",
                    BERLIN_HISTORY.table, BERLIN_HISTORY.key, BERLIN_NAMESPACE,
                    "Status spells of every Berlin report, by report id (closed tier)"),
)
