"""Labour force by highest education per kabupaten/kota (BPS, re-keyed by a third party): the
one description (docs/sources/jakarta-labour-force.md)."""

from smartchange_assets.platform import quality as q
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

from .parser import COUNTS, KEY, parse_labour_force

PROVENANCE = ("Caveat: BPS 'Keadaan Angkatan Kerja' kab/kota figures RE-KEYED by a third "
              "party (github.com/soegampars/idbt, CC BY-NC 4.0), not a BPS download. Only 2020 "
              "covers DKI Jakarta (6 kab/kota; 2011–2019 are East Java only); 16 rows' "
              "education groups do not add up to the total (Kab. Kepulauan Seribu 2020 among "
              "them). Codes are BPS kab/kota codes, not Kemendagri codes.")

COLUMNS = [
    Column("source_row", "bigint", "data-row number below the header (1-based)",
           nullable=False),
    Column("kabkot_name", "text", "kab/kota name as published (Kota Jakarta Selatan)",
           nullable=False),
    Column("bps_code", "text", "4-digit BPS kab/kota code (3171 = Jakarta Selatan; NOT "
           "Kemendagri 31.71)", nullable=False),
    Column("prov_code", "text", "2-digit BPS province code", nullable=False),
    Column("year", "integer", "survey year (Sakernas August)", nullable=False),
    *[Column(staged, "bigint", f"labour force (persons), {meaning} ({published}); NULL: not "
             "published") for staged, (published, meaning) in COUNTS.items()],
    Column("groups_sum", "bigint", "sum of the five education groups (NULL when one is not "
           "published)"),
    Column("groups_sum_to_total", "boolean", "the five groups add up to lf_total exactly; "
           "NULL when a group is not published"),
]

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    city="jakarta",
    name="labour_force",
    title="Labour force by education per kabupaten/kota (BPS, re-keyed)",
    description=("Persons in the labour force by highest education completed, per BPS "
                 "kabupaten/kota and year. " + PROVENANCE),
    publisher="BPS – Statistics Indonesia (figures); re-keyed by github.com/soegampars/idbt",
    licence="CC BY-NC 4.0 (the re-keyed file, per the repository); BPS terms of use for the "
            "figures",
    portal_url="https://www.bps.go.id/en/statistics-table?subject=520",
    parser=parse_labour_force,
    staging=staging_table("jakarta", "labour_force_education", COLUMNS,
                          ("payload_sha256", *KEY),
                          "Labour force by education per kab/kota and year. " + PROVENANCE),
    date_column=None,
    publisher_cadence="yearly",
    key_columns=("kabkot_kode", "year"),
    expectations=(
        q.compound_unique(["payload_sha256", *KEY]),
        *[q.not_null(c.name) for c in COLUMNS if not c.nullable],
        Expect("ExpectColumnValuesToMatchRegex", "bps_code", {"regex": r"^\d{4}$"}),
        q.between("year", 1986, 2100),
        *[q.between(c, 0, 20_000_000) for c in COUNTS],
    ),
    group="economy",
    tags={"domain": "economy"},
)
