"""Jakarta CRM (Cepat Respon Masyarakat) citizen reports: the one description.

Free text is staged only through the shared redaction (text.py), and a blocking check
(checks.py) re-scans every staged text value with the shared detector. Kelurahan names are
staged as published; resolving them to kode wilayah is left to the admin-area reference.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from smartchange_assets.jakarta.admin_areas.linking import (
    AREA_COLUMNS,
    AREA_DEPS,
    area_resolution_check,
    area_transform,
)
from smartchange_assets.jakarta.citizen_reports.checks import personal_data_check
from smartchange_assets.jakarta.citizen_reports.live import fetch_crm_window, live_months
from smartchange_assets.jakarta.citizen_reports.parser import parse_citizen_reports
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.partitions import monthly
from smartchange_assets.platform.spec import LivePayload, SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import PERSONAL, SENSITIVE, Column

COLUMNS = [
    Column("source_row", "bigint", "record number in the payload (1-based)", nullable=False),
    Column("report_id", "text", "CRM report code: JK + yymmdd + 4-digit daily sequence",
           nullable=False, classification=PERSONAL),
    Column("created_date", "date", "day the report was created (Asia/Jakarta); from the "
           "report id where no timestamp is published", nullable=False),
    Column("created_at_local", "timestamp", "creation time, Asia/Jakarta wall time; NULL when "
           "only a date is published", classification=SENSITIVE),
    Column("created_at_utc", "timestamptz", "creation time as an instant; NULL when only a "
           "date is published", classification=SENSITIVE),
    Column("category", "text", "complaint category, HTML-unescaped, whitespace trimmed"),
    Column("category_raw", "text", "complaint category as published"),
    Column("kelurahan_name", "text", "kelurahan from 'KELURAHAN <NAME>' (upper case); NULL "
           "when the location is not in that form", classification=SENSITIVE),
    Column("agency", "text", "handling agency (dinas / UKPD) as published, trimmed"),
    Column("status", "text", "processing status as published (e.g. Selesai, Menunggu "
           "Validasi); NULL where the payload has none"),
    Column("channel", "text", "reporting channel (JAKI, Qlue, …); NULL where the payload has "
           "none"),
    Column("description_redacted", "text", "the report text with phone numbers, e-mails, NIK, "
           "licence plates, street addresses and introduced names replaced by tags ([PHONE], "
           "[EMAIL], [NIK], [PLATE], [ADDRESS], [NAME]); the raw text is never stored",
           classification=PERSONAL),
]

# area_note may repeat the place name as the reporter wrote it: closed tier only
REPORT_AREA_COLUMNS = [replace(c, classification=SENSITIVE) if c.name == "area_note" else c
                       for c in AREA_COLUMNS]

KEY = ("report_id",)


def fetch_live(client, today: dt.date | None = None) -> list[LivePayload]:
    """One payload per calendar month, the last few months (statuses still move)."""
    today = today or dt.date.today()
    return [LivePayload(fetch_crm_window(client, start, end), start, end)
            for start, end in live_months(today)]


SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    pool="crm-jakarta",
    city="jakarta",
    name="citizen_reports",
    title="Jakarta CRM citizen reports",
    description=("Public reports by residents to the DKI Jakarta government through CRM "
                 "(Cepat Respon Masyarakat: JAKI/JakLapor, Qlue, social media, …), with "
                 "category, kelurahan, handling agency and status. The seed is a 15-report "
                 "sample of a 2023 research scrape of crm.jakarta.go.id; live mode reads the "
                 "public dashboard API. Report text is stored only with personal data "
                 "redacted; addresses and coordinates are not stored."),
    publisher="Pemerintah Provinsi DKI Jakarta, Jakarta Smart City (crm.jakarta.go.id)",
    licence="No open-data licence stated: public dashboard content (docs/sources/"
            "jakarta-citizen-reports.md §1); the seed "
            "sample comes from a public research repository (GEMASTIK 2024)",
    portal_url="https://crm.jakarta.go.id/",
    parser=parse_citizen_reports,
    fetch_live=fetch_live,
    staging=staging_table("jakarta", "citizen_reports", [*COLUMNS, *REPORT_AREA_COLUMNS],
                          ("payload_sha256", *KEY),
                          "Jakarta CRM reports, one row per report and payload"),
    date_column="created_date",
    partitions=monthly(),
    publisher_cadence="daily",
    key_columns=("report_id", "code", "createdAt", "date", "created_date"),
    expectations=(
        q.not_null("report_id"), q.not_null("created_date"),
        q.compound_unique(["payload_sha256", *KEY]),
        q.Expect("ExpectColumnValuesToMatchRegex", "report_id",
                 {"regex": r"^[A-Z]{2}\d{10}$"}),
        q.dates_between("created_date", "2014-01-01", "2100-01-01"),
    ),
    # the CRM names only the kelurahan ("KELURAHAN <NAME>"); the resolver places it
    transform=area_transform(None, None, "kelurahan_name"),
    extra_deps=AREA_DEPS,
    extra_checks=(personal_data_check, area_resolution_check),
    group="citizen_reports",
)
