"""Jakarta ISPU air-quality index (DLH DKI, SPKU stations DKI1–DKI5): the one description."""

from smartchange_assets.jakarta.ispu.live import ISPU_SLUGS, fetch_ispu_pages
from smartchange_assets.jakarta.ispu.parser import parse_ispu
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.partitions import monthly
from smartchange_assets.platform.spec import LivePayload, SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column
from smartchange_assets.standards.ispu import CATEGORIES

SUB_INDICES = ("pm10", "pm25", "so2", "co", "o3", "no2")

COLUMNS = [
    Column("source_row", "bigint", "data-row number in the payload (1-based)", nullable=False),
    Column("periode_data", "integer", "publisher's period YYYYMM, as published"),
    Column("date", "date", "measurement date (local, Asia/Jakarta)", nullable=False),
    Column("station_code", "text", "SPKU station DKI1–DKI5", nullable=False),
    Column("station_raw", "text", "station label as published"),
    Column("granularity", "text", "'station' (one row per station and day) or 'city_max' "
           "(one row per day: the worst station)", nullable=False),
    *[Column(p, "double precision", f"ISPU sub-index of {p.upper()} (dimensionless)")
      for p in SUB_INDICES],
    Column("max_index", "double precision", "daily ISPU as published (largest sub-index)"),
    Column("critical", "text", "critical pollutant, normalised (PM25, PM10, O3, …)"),
    Column("critical_raw", "text", "critical pollutant as published"),
    Column("category", "text", "category label as published"),
    Column("category_from_max", "text", "category of max_index under the regime of the date"),
    Column("category_mismatch", "boolean", "published category differs from category_from_max"),
    Column("regime", "text", "ISPU regulation in force on the date (KEP-107/1997, P.14/2020)"),
]

KEY = ("date", "station_code", "granularity")


def fetch_live(client) -> list[LivePayload]:
    """Every page of every current ISPU slug. A slug's content rolls over time, so the period
    is read from the payload by the parser rather than assumed from the slug."""
    return [LivePayload(page) for slug in ISPU_SLUGS for page in fetch_ispu_pages(client, slug)]

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    pool="satudata",
    city="jakarta",
    name="ispu",
    title="Jakarta ISPU air-quality index",
    description=("Daily ISPU sub-indices per SPKU station (or the city's worst station) from "
                 "Satu Data Jakarta's yearly 'komponen data' exports, 2010–2024, six schema "
                 "versions."),
    publisher="Dinas Lingkungan Hidup Provinsi DKI Jakarta (satudata.jakarta.go.id)",
    licence="Open data of the DKI Jakarta provincial government (per-dataset licence field)",
    portal_url="https://satudata.jakarta.go.id/open-data/detail?kategori=dataset&page_url="
               "data-indeks-standar-pencemar-udara-ispu-di-provinsi-dki-jakarta",
    parser=parse_ispu,
    fetch_live=fetch_live,
    staging=staging_table("jakarta", "ispu_daily", COLUMNS, ("payload_sha256", *KEY),
                          "Jakarta ISPU, one row per station (or city worst) and day"),
    date_column="date",
    partitions=monthly(),
    publisher_cadence="monthly",
    key_columns=("tanggal", "periode_data", "stasiun", "lokasi_spku", "date", "station"),
    expectations=(
        q.not_null("date"), q.not_null("station_code"),
        q.compound_unique(["payload_sha256", *KEY]),
        q.in_set("station_code", ["DKI1", "DKI2", "DKI3", "DKI4", "DKI5"]),
        q.in_set("granularity", ["station", "city_max"]),
        *[q.between(p, 0, 1000) for p in SUB_INDICES],
        q.between("max_index", 0, 1000),
        q.in_set("category", list(CATEGORIES)),
        q.in_set("regime", ["KEP-107/1997", "P.14/2020"]),
    ),
)
