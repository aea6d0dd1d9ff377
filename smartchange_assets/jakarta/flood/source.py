"""Jakarta flood events (BPBD DKI "kejadian bencana banjir"): the one description."""

from smartchange_assets.jakarta.admin_areas.linking import (
    AREA_COLUMNS,
    AREA_DEPS,
    area_resolution_check,
    area_transform,
)
from smartchange_assets.jakarta.flood.checks import evacuee_columns_check
from smartchange_assets.jakarta.flood.live import fetch_live
from smartchange_assets.jakarta.flood.parser import parse_flood
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.partitions import monthly
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

COUNT_COLUMNS = {
    "events": "flood events (jumlah_kejadian); NULL in F4, which publishes none (see "
              "event_days)",
    "affected_rw": "RW affected, as published",
    "affected_households": "households (KK) affected",
    "affected_people": "people (jiwa) affected",
    "displaced_people": "evacuees (F1 jumlah_pengungsi_tertinggi, F2/F3 jumlah_pengungsi); "
                        "see evacuee_columns_suspect",
    "evacuation_sites": "shelters (jumlah_tempat_pengungsian); see evacuee_columns_suspect",
    "deaths": "deaths (F1/F4 jumlah_meninggal, F2 jumlah_korban_meninggal; F3 none)",
    "injured": "injured (F1/F4 luka_berat + luka_ringan, F2 jumlah_korban_luka; F3 none); see "
               "evacuee_columns_suspect",
}

COLUMNS = [
    Column("source_row", "bigint", "data-row number in the payload (1-based)", nullable=False),
    Column("variant", "text", "published layout: F1 legacy 2020 Q1, F2 satudata 2023, F3 "
           "satudata 2024 (third-party processed), F4 satudata per-RW 2019-2020",
           nullable=False),
    Column("year", "integer", "event year (F1/F3: from the payload; F2/F4: periode_data)",
           nullable=False),
    Column("month", "integer", "event month (F1: of the first event date; F4: periode_data)",
           nullable=False),
    Column("event_month", "date", "first day of the event month", nullable=False),
    Column("period_label", "text", "release quarter, YYYY-Qn", nullable=False),
    Column("event_dates", "text", "F1/F4: ISO dates joined by ';' (a range: start;end)"),
    Column("event_dates_is_range", "boolean", "event_dates is a 's/d' range, not a list"),
    Column("event_date_first", "date", "first event date (F1)"),
    Column("event_date_last", "date", "last event date (F1)"),
    Column("event_days", "integer", "days the event dates name (a range: every day of it)"),
    Column("event_dates_raw", "text", "event dates as published (tanggal_kejadian)"),
    Column("event_year_settled", "boolean", "F4: a date written in full had a year other "
           "than periode_data's and took periode_data's (docs/sources/jakarta-flood.md §3)"),
    Column("kota_name", "text", "kota as published, trimmed and upper-cased", nullable=False),
    Column("kecamatan_name", "text", "kecamatan as published, trimmed and upper-cased "
           "(NULL on no_flood rows)"),
    Column("kelurahan_name", "text", "kelurahan as published, trimmed and upper-cased "
           "(NULL on no_flood rows)"),
    Column("rw_list", "text", "RW numbers affected, ';'-joined (F1, F4; NULL for an F4 RT "
           "line with rw '0')"),
    Column("rw_raw", "text", "RW list as published (F1, F4)"),
    Column("rw_count", "integer", "number of RWs in rw_list"),
    Column("water_min_cm", "double precision", "lowest water height, cm"),
    Column("water_max_cm", "double precision", "highest water height, cm"),
    Column("water_raw", "text", "water height as published where it is free text (F2, F4)"),
    *[Column(name, "bigint", text) for name, text in COUNT_COLUMNS.items()],
    Column("no_flood", "boolean", "the publisher's 'nihil' row: no flood in this kota this "
           "month (a zero-event fact, not a kelurahan)", nullable=False),
    Column("evacuee_columns_suspect", "boolean", "this payload's layout is known to carry "
           "misaligned casualty/evacuee columns (docs/sources/jakarta-flood.md §4); checked by "
           "evacuee_columns",
           nullable=False),
]

KEY = ("source_row",)
# one row per area and month, except in F4 (one line per RW or RT: parser.LINE_KEY)
NATURAL_KEY = ("payload_sha256", "year", "month", "kota_name", "kecamatan_name",
               "kelurahan_name")
VARIANTS = ("F1", "F2", "F3", "F4")

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    pool="satudata",
    city="jakarta",
    name="flood",
    title="Jakarta flood events",
    description=("Flood events per kelurahan and month from BPBD DKI's 'kejadian bencana "
                 "banjir' tables: 2020 Q1 (legacy portal), October 2019 - September 2020 "
                 "(satudata, per RW), 2023 (satudata) and 2024 (satudata, third-party "
                 "processed copy); four layouts, free-text dates, RW lists and water heights."),
    publisher="Badan Penanggulangan Bencana Daerah (BPBD) Provinsi DKI Jakarta "
              "(satudata.jakarta.go.id, data.jakarta.go.id)",
    licence="Open data of the DKI Jakarta provincial government (per-dataset licence field)",
    portal_url="https://satudata.jakarta.go.id/open-data/detail?kategori=dataset&page_url="
               "data-kejadian-bencana-banjir",
    parser=parse_flood,
    fetch_live=fetch_live,
    staging=staging_table("jakarta", "flood_events", [*COLUMNS, *AREA_COLUMNS],
                          ("payload_sha256", *KEY),
                          "Jakarta flood events, one row per kelurahan (or 'nihil' kota) and "
                          "month as published; F4 one row per RW or RT line"),
    date_column="event_month",
    partitions=monthly(),
    publisher_cadence="yearly",
    # published names (the quarantine names columns as published) of the period and area
    key_columns=("periode_data", "triwulan", "bulan", "tanggal_kejadian", "kota_administrasi",
                 "wilayah", "wilayah_adm", "kecamatan", "kelurahan"),
    expectations=(
        *[q.not_null(c) for c in ("source_row", "variant", "year", "month", "event_month",
                                  "period_label", "kota_name", "no_flood",
                                  "evacuee_columns_suspect")],
        q.compound_unique(["payload_sha256", *KEY]),
        q.compound_unique(list(NATURAL_KEY), row_condition='variant != "F4"',
                          condition_parser="pandas"),
        q.in_set("variant", list(VARIANTS)),
        q.between("year", 2000, 2100),
        q.between("month", 1, 12),
        q.Expect("ExpectColumnValuesToMatchRegex", "period_label", {"regex": r"^\d{4}-Q[1-4]$"}),
        q.Expect("ExpectColumnPairValuesAToBeGreaterThanB", None,
                 {"column_A": "event_date_last", "column_B": "event_date_first",
                  "or_equal": True, "ignore_row_if": "either_value_is_missing"}),
        q.Expect("ExpectColumnPairValuesAToBeGreaterThanB", None,
                 {"column_A": "water_max_cm", "column_B": "water_min_cm", "or_equal": True,
                  "ignore_row_if": "either_value_is_missing"}),
        q.between("water_min_cm", 0, 600),
        q.between("water_max_cm", 0, 600),
        q.between("rw_count", 1, 60),
        q.between("event_days", 1, 31),
        *[q.between(c, 0, None) for c in COUNT_COLUMNS],
    ),
    group="flood",
    transform=area_transform("kota_name", "kecamatan_name", "kelurahan_name"),
    extra_deps=AREA_DEPS,
    extra_checks=(evacuee_columns_check, area_resolution_check),
)
