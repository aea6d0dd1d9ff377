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
from smartchange_assets.platform.tables import Column, TableSpec
from smartchange_assets.tiers.pseudonym import sql_pseudonym
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

_JAKARTA_SQL = f"""
WITH fetched AS (
  SELECT sha256, min(fetched_at) AS fetched_at FROM raw.landing_manifest
  WHERE source = '{JAKARTA_REPORTS.source_id}' GROUP BY sha256
), latest AS (  -- a report in several payloads (live windows overlap): its newest version
  SELECT DISTINCT ON (r.report_id) r.*
  FROM {JAKARTA_REPORTS.staging.qualified} r LEFT JOIN fetched f ON f.sha256 = r.payload_sha256
  ORDER BY r.report_id, f.fetched_at DESC NULLS LAST, r.payload_sha256 DESC
), areas AS (
  SELECT code, level, name, parent_code FROM {JAKARTA_AREAS.staging.qualified}
  WHERE code_system = '{KEMENDAGRI}'
)
SELECT {sql_pseudonym('l.report_id', JAKARTA_NAMESPACE)}, l.created_date, l.category,
       l.agency, l.status, l.channel,
       kel.code, kel.name, kec.code, kec.name, kota.code, kota.name
FROM latest l
LEFT JOIN areas a ON a.code = l.area_code
LEFT JOIN areas kel ON kel.code = a.code AND a.level = 'kelurahan'
LEFT JOIN areas kec ON kec.code = CASE a.level WHEN 'kelurahan' THEN a.parent_code
                                               WHEN 'kecamatan' THEN a.code END
LEFT JOIN areas kota ON kota.code = CASE a.level WHEN 'kota' THEN a.code
                                                 ELSE kec.parent_code END
"""

JAKARTA_OPEN = TierTable(
    table=JAKARTA_TABLE, select_sql=_JAKARTA_SQL,
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

_BERLIN_DAY = "((%s) AT TIME ZONE 'Europe/Berlin')::date"
_BERLIN_SQL = f"""
WITH common_sub AS (
  SELECT category_main, category_sub FROM {BERLIN_REPORTS.table.qualified}
  WHERE category_sub IS NOT NULL GROUP BY 1, 2 HAVING count(*) >= {MIN_CELL_REPORTS}
), bezirke AS (
  SELECT code, name FROM {BERLIN_LOR_HIERARCHY.table.qualified} WHERE level = 'bezirk'
)
SELECT {sql_pseudonym('r.report_id', BERLIN_NAMESPACE)},
       {_BERLIN_DAY % 'r.created_at_utc'}, b.code, r.bezirk, r.category_main, c.category_sub,
       r.status, r.status_changes, {_BERLIN_DAY % 'r.first_seen_at'},
       {_BERLIN_DAY % 'r.last_seen_at'}, {_BERLIN_DAY % 'r.resolved_at'}, r.in_latest_snapshot
FROM {BERLIN_REPORTS.table.qualified} r
LEFT JOIN common_sub c ON c.category_main IS NOT DISTINCT FROM r.category_main
                      AND c.category_sub = r.category_sub
LEFT JOIN bezirke b ON b.name = r.bezirk
"""

BERLIN_OPEN = TierTable(
    table=BERLIN_TABLE, select_sql=_BERLIN_SQL,
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

_AGGREGATE_SQL = f"""
WITH reports AS (
  SELECT 'jakarta' AS city,
         CASE WHEN kelurahan_code IS NOT NULL THEN 'kelurahan'
              WHEN kecamatan_code IS NOT NULL THEN 'kecamatan'
              WHEN kota_code IS NOT NULL THEN 'kota' ELSE 'unresolved' END AS area_level,
         coalesce(kelurahan_code, kecamatan_code, kota_code) AS area_code,
         coalesce(kelurahan_name, kecamatan_name, kota_name) AS area_name,
         coalesce(category, '(none)') AS category
  FROM {JAKARTA_TABLE.qualified}
  UNION ALL
  SELECT 'berlin', 'bezirk', bezirk_code, bezirk, coalesce(category_main, '(none)')
  FROM {BERLIN_TABLE.qualified}
)
SELECT city, area_level, area_code, area_name, category,
       CASE WHEN count(*) >= {MIN_CELL_REPORTS} THEN count(*)::int END,
       count(*) < {MIN_CELL_REPORTS}
FROM reports GROUP BY city, area_level, area_code, area_name, category
"""

AGGREGATE_OPEN = TierTable(
    table=AGGREGATE_TABLE, select_sql=_AGGREGATE_SQL,
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
