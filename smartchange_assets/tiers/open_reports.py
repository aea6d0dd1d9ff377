"""The open tier of the citizen reports: one row per report, and counts by area and category.

What changes on the way from the closed tier (see docs/tiers.md):

* report ids become keyed pseudonyms (``report_pid``); reporter references (Berlin's merged
  ``meldungsNummern``) are left out;
* free text (description, Berlin's own titles ``betreff``) is left out; Berlin's Unterthema is
  shown only when at least :data:`MIN_CELL_REPORTS` reports share it (a picker value, not one
  citizen's words);
* times become dates (the local calendar day); exact times stay closed;
* locations are coarsened: Jakarta to the kelurahan (Kemendagri code and official name, never
  the words the reporter wrote), Berlin to the Bezirk (the publisher names nothing finer, so
  there is no Planungsraum to show);
* the aggregate suppresses every area x category cell with fewer than
  :data:`MIN_CELL_REPORTS` reports (count NULL, ``suppressed`` true).
"""

from __future__ import annotations

from smartchange_assets.berlin.citizen_reports.history import REPORTS as BERLIN_REPORTS
from smartchange_assets.berlin.lor.hierarchy import HIERARCHY as BERLIN_LOR_HIERARCHY
from smartchange_assets.jakarta.admin_areas.resolver import KEMENDAGRI
from smartchange_assets.jakarta.admin_areas.source import SOURCE as JAKARTA_AREAS
from smartchange_assets.jakarta.citizen_reports.source import SOURCE as JAKARTA_REPORTS
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec
from smartchange_assets.tiers.restricted import BERLIN_NAMESPACE, JAKARTA_NAMESPACE
from smartchange_assets.tiers.roles import OPEN_SCHEMA
from smartchange_assets.tiers.table import TierTable

# Cells with fewer reports than this are suppressed in every open aggregate.
MIN_CELL_REPORTS = 5

PID = Column("report_pid", "text", "pseudonymised report id: HMAC-SHA256 (key held by the "
             "platform) of '<source>:<report id>', hex; stable across refreshes, not "
             "reversible without the key", nullable=False)

# ---------------------------------------------------------------------------------------------
# Jakarta

JAKARTA_TABLE = TableSpec(OPEN_SCHEMA, "jakarta_citizen_reports", (
    PID,
    Column("created_date", "date", "day the report was created (Asia/Jakarta)", nullable=False),
    Column("category", "text", "complaint category as chosen in CRM"),
    Column("agency", "text", "handling agency (dinas / UKPD)"),
    Column("status", "text", "processing status; NULL where the source has none"),
    Column("channel", "text", "reporting channel (JAKI, Qlue, …); NULL where the source has "
           "none"),
    Column("kelurahan_code", "text", "Kemendagri 2025 kelurahan code; NULL when the report's "
           "place resolved to a coarser area only"),
    Column("kelurahan_name", "text", "official kelurahan name (Kemendagri 2025)"),
    Column("kecamatan_code", "text", "Kemendagri 2025 kecamatan code"),
    Column("kecamatan_name", "text", "official kecamatan name"),
    Column("kota_code", "text", "Kemendagri 2025 kota / kabupaten code"),
    Column("kota_name", "text", "official kota / kabupaten name"),
), ("report_pid",), "Jakarta CRM citizen reports, open tier: pseudonymised, kelurahan level, "
   "no free text")

_JAKARTA_SQL = sql_file(__file__, "jakarta_citizen_reports.sql",
                        reports_staging=JAKARTA_REPORTS.staging.qualified,
                        areas_staging=JAKARTA_AREAS.staging.qualified)

JAKARTA_OPEN = TierTable(
    table=JAKARTA_TABLE, select_sql=_JAKARTA_SQL,
    params=bind(jakarta_source=JAKARTA_REPORTS.source_id, kemendagri=KEMENDAGRI,
                namespace=JAKARTA_NAMESPACE),
    deps=(JAKARTA_REPORTS.staging_key, JAKARTA_AREAS.staging_key),
    description="Jakarta CRM citizen reports for everyone: keyed pseudonyms instead of report "
                "ids, kelurahan instead of the reporter's words, dates instead of times, no "
                "report text.",
    expectations=(q.unique("report_pid"), q.not_null("created_date"),
                  q.Expect("ExpectColumnValuesToMatchRegex", "report_pid",
                           {"regex": r"^[0-9a-f]{64}$"}),
                  q.Expect("ExpectColumnValuesToMatchRegex", "kelurahan_code",
                           {"regex": r"^31\.\d{2}\.\d{2}\.\d{4}$"})),
    pseudonymised=True)

# ---------------------------------------------------------------------------------------------
# Berlin

BERLIN_TABLE = TableSpec(OPEN_SCHEMA, "berlin_citizen_reports", (
    PID,
    Column("created_date", "date", "day the report was created (Europe/Berlin)",
           nullable=False),
    Column("bezirk_code", "text", "LOR 2021 Bezirk code (01–12)"),
    Column("bezirk", "text", "Bezirk (official name)", nullable=False),
    Column("category_main", "text", "Hauptthema; NULL when the citizen wrote an own title "
           "(left out: free text)"),
    Column("category_sub", "text", f"Unterthema when at least {MIN_CELL_REPORTS} reports share "
           "it; otherwise NULL (rarer values are the citizen's own words)"),
    Column("status", "text", "status in the latest snapshot listing the report",
           nullable=False),
    Column("status_changes", "integer", "status changes seen across the daily snapshots",
           nullable=False),
    Column("first_seen_date", "date", "day of the first snapshot listing the report",
           nullable=False),
    Column("last_seen_date", "date", "day of the last snapshot listing the report",
           nullable=False),
    Column("resolved_date", "date", "day of the first snapshot showing 'Erledigt' (an upper "
           "bound when first seen already resolved)"),
    Column("in_latest_snapshot", "boolean", "listed in the newest snapshot", nullable=False),
), ("report_pid",), "Berlin Ordnungsamt-Online reports, open tier: pseudonymised, Bezirk level, "
   "no free text")

_BERLIN_SQL = sql_file(__file__, "berlin_citizen_reports.sql",
                       reports=BERLIN_REPORTS.table.qualified,
                       lor_hierarchy=BERLIN_LOR_HIERARCHY.table.qualified)

BERLIN_OPEN = TierTable(
    table=BERLIN_TABLE, select_sql=_BERLIN_SQL,
    params=bind(min_cell_reports=MIN_CELL_REPORTS, namespace=BERLIN_NAMESPACE),
    deps=(BERLIN_REPORTS.key, BERLIN_LOR_HIERARCHY.key),
    description="Berlin Ordnungsamt-Online reports for everyone: keyed pseudonyms instead of "
                "report ids, Bezirk, dates instead of times, no free text.",
    expectations=(q.unique("report_pid"), q.not_null("created_date"), q.not_null("bezirk"),
                  q.not_null("bezirk_code"),
                  q.Expect("ExpectColumnValuesToMatchRegex", "report_pid",
                           {"regex": r"^[0-9a-f]{64}$"}),
                  q.between("status_changes", 0, None)),
    pseudonymised=True)

# ---------------------------------------------------------------------------------------------
# counts by area and category, both cities

AGGREGATE_TABLE = TableSpec(OPEN_SCHEMA, "citizen_reports_by_area_category", (
    Column("city", "text", "jakarta or berlin", nullable=False),
    Column("area_level", "text", "kelurahan, kecamatan or kota (Jakarta), bezirk (Berlin); "
           "'unresolved' for reports whose place is unknown", nullable=False),
    Column("area_code", "text", "Kemendagri 2025 code (Jakarta) or LOR Bezirk code (Berlin)"),
    Column("area_name", "text", "official area name"),
    Column("category", "text", "report category (Jakarta: CRM category; Berlin: Hauptthema); "
           "'(none)' for reports without one", nullable=False),
    Column("reports", "integer", f"number of reports; NULL when fewer than {MIN_CELL_REPORTS} "
           "(suppressed)"),
    Column("suppressed", "boolean", f"true when the cell has 1 to {MIN_CELL_REPORTS - 1} "
           "reports and its count is withheld", nullable=False),
), (), f"Citizen reports per area and category; cells below {MIN_CELL_REPORTS} reports "
       "suppressed")

_AGGREGATE_SQL = sql_file(__file__, "citizen_reports_by_area_category.sql",
                          jakarta_open=JAKARTA_TABLE.qualified, berlin_open=BERLIN_TABLE.qualified)

AGGREGATE_OPEN = TierTable(
    table=AGGREGATE_TABLE, select_sql=_AGGREGATE_SQL,
    params=bind(min_cell_reports=MIN_CELL_REPORTS),
    deps=(JAKARTA_OPEN.key, BERLIN_OPEN.key),
    description=f"Citizen reports of both cities counted by area and category, from the open "
                f"per-report tables. Cells with fewer than {MIN_CELL_REPORTS} reports are "
                f"suppressed: their count is NULL and `suppressed` is true.",
    expectations=(q.compound_unique(["city", "area_level", "area_code", "category"]),
                  q.in_set("city", ["jakarta", "berlin"]),
                  # a published count is never below the threshold
                  q.between("reports", MIN_CELL_REPORTS, None),
                  q.not_null("suppressed")))

OPEN_REPORT_TABLES = (JAKARTA_OPEN, BERLIN_OPEN, AGGREGATE_OPEN)
