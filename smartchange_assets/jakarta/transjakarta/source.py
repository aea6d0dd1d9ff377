"""Transjakarta monthly ridership per route (Satu Data Jakarta): the one description."""

from smartchange_assets.jakarta.transjakarta.checks import payloads_agree_check
from smartchange_assets.jakarta.transjakarta.live import fetch_transjakarta_pages
from smartchange_assets.jakarta.transjakarta.parser import KEY, parse_transjakarta
from smartchange_assets.jakarta.transjakarta.services import ROUTE_TYPES, ROW_KINDS
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.partitions import monthly
from smartchange_assets.platform.spec import LivePayload, SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

COLUMNS = [
    Column("source_row", "bigint", "data-row number in the payload (1-based)", nullable=False),
    Column("month", "date", "first day of the month the count covers (periode_data)",
           nullable=False),
    Column("row_kind", "text", "route (passengers of a route or service) or "
           "free_ride_breakdown (a legacy appendix line breaking down free rides counted on "
           "other lines; never passengers of its own)", nullable=False),
    Column("route_type", "text", "service type: BRT, Angkutan Umum Integrasi, Mikrotrans, and "
           "the legacy services (jakarta/transjakarta/services.py)"),
    Column("route_type_raw", "text", "service type ('jenis') as published"),
    Column("route_code", "text", "route code, normalised (JAK,19 / JA.77 / JAK. 10B / JAK-1 "
           "-> JAK.19 / JAK.77 / JAK.10B / JAK.01); NAME:<name> for a legacy line without a "
           "code; an appendix line's code as published", nullable=False),
    Column("route_code_raw", "text", "route code ('kode_trayek') as published"),
    Column("route_name", "text", "route name ('trayek') as published (typos kept)"),
    Column("passengers", "bigint", "passengers in the month ('jumlah_penumpang')",
           nullable=False),
]

# Corridor 1 carried 0.77 M passengers in January 2021; ten million a month on one route would
# be a unit or parsing error.
MAX_MONTHLY_PASSENGERS = 10_000_000


def fetch_live(client) -> list[LivePayload]:
    """Every page of the ridership dataset; the months are read from the rows by the parser."""
    return [LivePayload(page) for page in fetch_transjakarta_pages(client)]


SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    pool="satudata",
    city="jakarta",
    name="transjakarta",
    title="Transjakarta ridership",
    description=("Monthly passengers per Transjakarta route (BRT corridors, integrated feeder "
                 "routes, Mikrotrans) from Satu Data Jakarta's 'Data Jumlah Penumpang Trans "
                 "Jakarta' (2021: CSV and XLSX downloads), and the legacy monthly file of "
                 "December 2019 (data.jakarta.go.id; more services, free-ride appendix)."),
    publisher="PT Transportasi Jakarta / Dinas Perhubungan Provinsi DKI Jakarta "
              "(satudata.jakarta.go.id)",
    licence="Open data of the DKI Jakarta provincial government (per-dataset licence field)",
    portal_url="https://satudata.jakarta.go.id/open-data/detail?kategori=dataset&page_url="
               "data-jumlah-penumpang-trans-jakarta",
    parser=parse_transjakarta,
    fetch_live=fetch_live,
    staging=staging_table("jakarta", "transjakarta_monthly", COLUMNS, ("payload_sha256", *KEY),
                          "Transjakarta passengers, one row per route (or appendix line) and "
                          "month"),
    date_column="month",
    partitions=monthly(),
    publisher_cadence="monthly",
    key_columns=("periode_data", "kode_trayek", "month", "route_code"),
    expectations=(
        q.not_null("month"), q.not_null("route_code"), q.not_null("passengers"),
        q.compound_unique(["payload_sha256", *KEY]),
        q.in_set("route_type", ROUTE_TYPES),
        q.in_set("row_kind", ROW_KINDS),
        q.between("passengers", 0, MAX_MONTHLY_PASSENGERS),
    ),
    group="mobility",
    extra_checks=(payloads_agree_check,),
)
