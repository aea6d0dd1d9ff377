"""BPS DKI Jakarta "Statistik Potensi Kelurahan" kab/kota tables, transcribed by a third party:
the one description (docs/sources/jakarta-potensi-kelurahan.md)."""

from smartchange_assets.jakarta.admin_areas.linking import (
    AREA_COLUMNS,
    AREA_DEPS,
    area_resolution_check,
    area_transform,
)
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

from .parser import FACILITIES, KEY, MAIN_INCOME, MEASURES, parse_potensi_kelurahan

PROVENANCE = ("Caveat: HAND-TRANSCRIBED from the BPS PDF 'Statistik Potensi Kelurahan Provinsi "
              "DKI Jakarta 2024' by a third party (github.com/dzakwanalifi/YELP-BI-2025, no "
              "licence stated), not a BPS download; only four main-income sectors were "
              "transcribed. Values are numbers of kelurahan, not of businesses or facilities.")

COLUMNS = [
    Column("source_row", "bigint", "data-row number in the file (1-based); each row gives one "
           "record per measure column", nullable=False),
    Column("year", "integer", "publication year named in the file name (PODES round)",
           nullable=False),
    Column("table_kind", "text", f"{MAIN_INCOME} (profil_penghasilan_utama) or {FACILITIES} "
           "(sarana_ekonomi_kelurahan)", nullable=False),
    Column("level", "text", "kota (a kab/kota row) or province (the total row, verified to be "
           "the sum of the kab/kota rows)", nullable=False),
    Column("kota_name", "text", "kab/kota as published (no prefix: 'Jakarta Selatan'); NULL "
           "for the total row"),
    Column("row_label", "text", "the row's label as published ('Total Kelurahan', 'DKI "
           "Jakarta' for the total)", nullable=False),
    Column("measure", "text", "; ".join(f"{m}: kelurahan with {meaning} ({p})"
                                        for m, (_, p, meaning) in MEASURES.items()),
           nullable=False),
    Column("kelurahan", "integer", "number of kelurahan", nullable=False),
    *AREA_COLUMNS,
]

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    city="jakarta",
    name="potensi_kelurahan",
    title="Kelurahan by main income sector and economic facilities per kota (BPS PODES, "
          "transcribed)",
    description=("Per kab/kota: kelurahan whose residents mainly live from agriculture, "
                 "manufacturing, trade or accommodation; kelurahan having shops, markets, "
                 "stalls. " + PROVENANCE),
    publisher="BPS Provinsi DKI Jakarta (publication); transcribed by "
              "github.com/dzakwanalifi/YELP-BI-2025",
    licence="No licence stated for the transcription; BPS terms of use for the publication",
    portal_url="https://jakarta.bps.go.id/en/publication",
    parser=parse_potensi_kelurahan,
    staging=staging_table("jakarta", "kelurahan_potential", COLUMNS, ("payload_sha256", *KEY),
                          "Kelurahan counts per kab/kota and measure. " + PROVENANCE),
    date_column=None,
    publisher_cadence="yearly",
    key_columns=("kabupaten_kota",),
    expectations=(
        q.compound_unique(["payload_sha256", *KEY]),
        *[q.not_null(c.name) for c in COLUMNS if not c.nullable],
        q.in_set("table_kind", [MAIN_INCOME, FACILITIES]),
        q.in_set("level", ["kota", "province"]),
        q.in_set("measure", list(MEASURES)),
        # DKI Jakarta has 267 kelurahan
        q.between("kelurahan", 0, 267),
        q.between("year", 2000, 2100),
    ),
    transform=area_transform("kota_name", None, None),
    extra_deps=AREA_DEPS,
    extra_checks=(area_resolution_check,),
    group="economy",
    tags={"domain": "economy"},
)
