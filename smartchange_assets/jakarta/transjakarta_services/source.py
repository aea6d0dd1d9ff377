"""Transjakarta buses and passengers per service and quarter (Satu Data Jakarta): the one
description (docs/sources/jakarta-transjakarta-services.md)."""

import datetime as dt

from smartchange_assets.platform import quality as q
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

from .parser import KEY, parse_transjakarta_services
from .services import SERVICE_NAMES

COLUMNS = [
    Column("source_row", "bigint", "data-row number in the payload (1-based)", nullable=False),
    Column("quarter_start", "date", "first day of the quarter (periode_data is its last "
           "month)", nullable=False),
    Column("year", "integer", nullable=False),
    Column("quarter", "integer", "1-4 (triwulan)", nullable=False),
    Column("service", "text", "service (Layanan BRT and Layanan Bus Rapid Transit are one: "
           "jakarta/transjakarta_services/services.py)", nullable=False),
    Column("service_raw", "text", "service ('jenis_layanan') as published"),
    Column("buses", "bigint", "buses operating ('jumlah_bus')"),
    Column("passengers", "bigint", "passengers in the quarter ('jumlah_penumpang') as "
           "published; the 202312 total is suspect, see core.fact_transit_services_quarterly",
           nullable=False),
]

# BRT carried 31-41 M passengers a quarter in 2024-2025; 500 M in one service and quarter would
# be a unit or parsing error
MAX_QUARTERLY_PASSENGERS = 500_000_000

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    city="jakarta",
    name="transjakarta_services",
    title="Transjakarta buses and passengers per service (quarterly)",
    description=("Buses operating and passengers per Transjakarta service and quarter "
                 "(BRT, feeder services, Royal Trans, tourist, Cares, …) from Satu Data "
                 "Jakarta's 'Data Jumlah Bus yang Beroperasi dan Jumlah Penumpang Layanan "
                 "Transjakarta', 2023 Q4 - 2025 Q3. Every service of the operator, unlike the "
                 "per-route dataset; the 2023 Q4 total is about three times any later "
                 "quarter's and is flagged downstream."),
    publisher="PT Transportasi Jakarta (satudata.jakarta.go.id)",
    licence="Open data of the DKI Jakarta provincial government (per-dataset licence field)",
    portal_url="https://satudata.jakarta.go.id/open-data/detail?kategori=dataset&page_url="
               "data-jumlah-bus-yang-beroperasi-dan-jumlah-penumpang-layanan-transjakarta",
    parser=parse_transjakarta_services,
    staging=staging_table("jakarta", "transjakarta_services_quarterly", COLUMNS,
                          ("payload_sha256", *KEY),
                          "Transjakarta buses and passengers, one row per service and quarter"),
    date_column="quarter_start",
    # a quarterly table: stale when no new quarter arrived within a quarter and 40 days
    publisher_cadence="monthly",
    late_after=dt.timedelta(days=92 + 40),
    key_columns=("periode_data", "jenis_layanan", "quarter_start", "service"),
    expectations=(
        q.not_null("quarter_start"), q.not_null("service"), q.not_null("passengers"),
        q.compound_unique(["payload_sha256", *KEY]),
        q.in_set("service", SERVICE_NAMES),
        q.in_set("quarter", [1, 2, 3, 4]),
        q.between("buses", 0, 10_000),
        q.between("passengers", 0, MAX_QUARTERLY_PASSENGERS),
    ),
    group="mobility",
)
