"""Jakarta population by area, age band and sex (satudata, Dukcapil, BPS): the one description."""

from smartchange_assets.jakarta.admin_areas.linking import (
    AREA_COLUMNS,
    AREA_DEPS,
    area_resolution_check,
    area_transform,
)
from smartchange_assets.jakarta.population import values
from smartchange_assets.jakarta.population.layouts import TABLE_KINDS
from smartchange_assets.jakarta.population.live import fetch_population_pages
from smartchange_assets.jakarta.population.parser import NATURAL_KEY, parse_population
from smartchange_assets.jakarta.population.totals import totals_agree
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.partitions import yearly
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

COLUMNS = [
    Column("source_row", "bigint", "record number below the header in the payload (1-based)",
           nullable=False),
    Column("table_kind", "text", "satudata_age_sex_kelurahan, dukcapil_semester_kota or "
           "bps_kota_total", nullable=False),
    Column("year", "integer", "year of the count, as published", nullable=False),
    Column("semester", "integer", "Dukcapil semester 1 or 2; NULL for yearly tables"),
    Column("reference_date", "date", "date the count refers to: Dukcapil semester 1 = 30 Jun, "
           "semester 2 = 31 Dec; satudata and BPS = 31 Dec of the year", nullable=False),
    Column("level", "text", "area level counted: kelurahan, kota (kab/kota incl. Kab. Kep. "
           "Seribu) or province", nullable=False),
    Column("kota_name", "text", "kab/kota name as published, upper-cased and trimmed "
           "(KAB.ADM.KEP.SERIBU, KEP SERIBU, JAKARTA TIMUR)", nullable=False),
    Column("kecamatan_name", "text", "kecamatan as published (kelurahan level only)"),
    Column("kelurahan_name", "text", "kelurahan as published (kelurahan level only)"),
    Column("kab_code_kemendagri", "text", "Kemendagri kab/kota code from Dukcapil NO KAB "
           "(71 -> 31.71); NOT the BPS code; NULL where not published"),
    Column("age_band", "text", "canonical band: 00-04 … 70-74, 75+ (satudata), 00-09 … 60-69, "
           "70+ (Dukcapil), all (BPS)", nullable=False),
    Column("age_band_raw", "text", "band as published (satudata's Excel-mangled 9-May = 05-09, "
           "14-Oct = 10-14)"),
    Column("age_from", "integer", "first age of the band", nullable=False),
    Column("age_to", "integer", "last age of the band; NULL for an open band (75+, 70+, all)"),
    Column("sex", "text", "whom residents counts: male, female or total (both)",
           nullable=False),
    Column("residents", "bigint", "residents counted (of sex, band, area, date)",
           nullable=False),
    Column("male_residents", "bigint", "Dukcapil L, published next to the total (else NULL)"),
    Column("female_residents", "bigint", "Dukcapil P, published next to the total (else NULL)"),
]

#: quarantine column names (as published) whose unreadable value stops the line
KEY_COLUMNS = ("tahun", "periode_data", "nama_kabupaten_kota", "nama_kecamatan",
               "nama_kelurahan", "usia", "jenis_kelamin", "TAHUN", "SEMESTER", "NO KAB",
               "NO_KAB", "NAMA KAB", "NAMA_KAB", "USIA", "Kelompok Usia", "Kab/Kota")

_BANDS = [*values.FIVE_YEAR_BANDS, *values.TEN_YEAR_BANDS, values.ALL_AGES]

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    pool="satudata",
    city="jakarta",
    name="population",
    title="Jakarta population by area, age band and sex",
    description=("Residents of DKI Jakarta from three publishers, each kept as its own "
                 "table_kind: satudata's age × sex × kelurahan table (Disdukcapil, 2013–2016, "
                 "the whole file), Dukcapil semester figures per kab/kota with L/P/JML "
                 "(CSV and the Disdukcapil XLSX export), and BPS kab/kota totals. Area names "
                 "as published; codes are resolved downstream."),
    publisher=("Dinas Kependudukan dan Pencatatan Sipil Provinsi DKI Jakarta (satudata."
               "jakarta.go.id), Ditjen Dukcapil Kemendagri, BPS Provinsi DKI Jakarta"),
    licence="Open data of the DKI Jakarta provincial government (per-dataset licence field); "
            "BPS tables under BPS terms of use",
    portal_url="https://satudata.jakarta.go.id/open-data/detail?kategori=dataset&page_url="
               "data-jumlah-penduduk-provinsi-dki-jakarta-berdasarkan-kelompok-usia-dan-"
               "jenis-kelamin-tahun-2013-2021",
    parser=parse_population,
    fetch_live=fetch_population_pages,
    staging=staging_table("jakarta", "population", [*COLUMNS, *AREA_COLUMNS],
                          ("payload_sha256", "source_row"),
                          "Jakarta residents, one row per published count"),
    date_column="reference_date",
    partitions=yearly(),
    publisher_cadence="yearly",
    key_columns=KEY_COLUMNS,
    group="population",
    expectations=(
        *[q.not_null(c) for c in ("table_kind", "year", "reference_date", "level", "kota_name",
                                  "age_band", "age_from", "sex", "residents")],
        q.compound_unique(["payload_sha256", "source_row"]),
        q.compound_unique(["payload_sha256", *NATURAL_KEY]),
        q.in_set("table_kind", TABLE_KINDS),
        q.in_set("level", ["kelurahan", "kota", "province"]),
        q.in_set("sex", ["male", "female", "total"]),
        q.in_set("age_band", _BANDS),
        q.in_set("semester", [1, 2]),
        q.in_set("kab_code_kemendagri", list(values.KEMENDAGRI_KAB)),
        q.between("year", 1960, 2100),
        q.between("age_from", 0, 75),
        q.between("residents", 0, 15_000_000),
        Expect("ExpectColumnPairValuesAToBeGreaterThanB", None,
               {"column_A": "age_to", "column_B": "age_from", "or_equal": True,
                "ignore_row_if": "either_value_is_missing"}),
    ),
    transform=area_transform("kota_name", "kecamatan_name", "kelurahan_name"),
    extra_deps=AREA_DEPS,
    extra_checks=(totals_agree, area_resolution_check),
)
