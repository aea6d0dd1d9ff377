"""BPS DKI Jakarta "Pola Konsumsi Penduduk": expenditure per capita by kab/kota, transcribed by
a third party: the one description (docs/sources/jakarta-consumption.md)."""

from smartchange_assets.jakarta.admin_areas.linking import (
    AREA_COLUMNS,
    AREA_DEPS,
    area_resolution_check,
    area_transform,
)
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

from .parser import KEY, MEASURE, parse_consumption

PROVENANCE = ("Caveat: HAND-TRANSCRIBED from the BPS PDF 'Pola Konsumsi Penduduk Provinsi DKI "
              "Jakarta 2024' (Susenas) by a third party (github.com/dzakwanalifi/YELP-BI-2025, "
              "no licence stated), not a BPS download. Rupiah in units (not thousands); the "
              "province row is an average, not a sum.")

COLUMNS = [
    Column("source_row", "bigint", "data-row number in the file (1-based); each row gives one "
           "record per year column", nullable=False),
    Column("year", "integer", "Susenas year, from the column name (pengeluaran_2023_rp)",
           nullable=False),
    Column("level", "text", "kota (a kab/kota row) or province (the published average)",
           nullable=False),
    Column("kota_name", "text", "kab/kota as published ('Kepulauan Seribu'); NULL for the "
           "province row"),
    Column("row_label", "text", "the row's label as published ('Rata-rata DKI Jakarta')",
           nullable=False),
    Column("measure", "text", f"'{MEASURE}': average expenditure per capita and month",
           nullable=False),
    Column("expenditure_rp", "bigint", "Rupiah per capita per month (units)", nullable=False),
    *AREA_COLUMNS,
]

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    city="jakarta",
    name="consumption",
    title="Average monthly expenditure per capita by kota (BPS Susenas, transcribed)",
    description=("Average expenditure per capita and month in Rupiah per kab/kota and for DKI "
                 "Jakarta. " + PROVENANCE),
    publisher="BPS Provinsi DKI Jakarta (publication); transcribed by "
              "github.com/dzakwanalifi/YELP-BI-2025",
    licence="No licence stated for the transcription; BPS terms of use for the publication",
    portal_url="https://jakarta.bps.go.id/en/publication",
    parser=parse_consumption,
    staging=staging_table("jakarta", "consumption", COLUMNS, ("payload_sha256", *KEY),
                          "Expenditure per capita per kab/kota and year. " + PROVENANCE),
    date_column=None,
    publisher_cadence="yearly",
    key_columns=("kabupaten_kota",),
    expectations=(
        q.compound_unique(["payload_sha256", *KEY]),
        *[q.not_null(c.name) for c in COLUMNS if not c.nullable],
        q.in_set("level", ["kota", "province"]),
        q.in_set("measure", [MEASURE]),
        # a month's expenditure per head between Rp 100 000 and Rp 100 million
        q.between("expenditure_rp", 100_000, 100_000_000),
        q.between("year", 2000, 2100),
    ),
    transform=area_transform("kota_name", None, None),
    extra_deps=AREA_DEPS,
    extra_checks=(area_resolution_check,),
    group="economy",
    tags={"domain": "economy"},
)
