"""Employed persons by province and KBLI sector group (BPS Sakernas, August), re-keyed by a
third party: the one description (docs/sources/jakarta-employment.md)."""

from smartchange_assets.platform import quality as q
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

from .parser import COUNTS, KEY, SECTORS, parse_employment

PROVENANCE = ("Caveat: BPS figures ('Keadaan Angkatan Kerja di Indonesia', Sakernas August) "
              "RE-KEYED by a third party (github.com/soegampars/idbt, CC BY-NC 4.0), not a BPS "
              "download; 13 of 306 province-years do not add up across sectors (none of DKI "
              "Jakarta). DKI Jakarta is one province: no kota split.")

COLUMNS = [
    Column("source_row", "bigint", "data-row number below the header (1-based)",
           nullable=False),
    Column("prov_code", "text", "BPS 2-digit province code (DKI Jakarta = 31)", nullable=False),
    Column("prov_name", "text", "province name as published", nullable=False),
    Column("year", "integer", "Sakernas August round", nullable=False),
    *[Column(staged, "bigint", f"employed persons, KBLI {label} ({published})",
             nullable=False) for staged, (published, label) in SECTORS.items()],
    Column("total", "bigint", "employed persons, all sectors (bekerja_total)", nullable=False),
    Column("sectors_sum", "bigint", "sum of the 17 sector columns", nullable=False),
    Column("sectors_sum_to_total", "boolean", "the sectors add up to total exactly (rows that "
           "do not are kept as published and not used for shares)", nullable=False),
]

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    city="jakarta",
    name="employment",
    title="Employed persons by province and sector (BPS Sakernas, re-keyed)",
    description=("Employed persons aged 15+ per province (34) and year (2015–2023) by 17 KBLI "
                 "2015 sector groups, from the August labour force survey. " + PROVENANCE),
    publisher="BPS – Statistics Indonesia (figures); re-keyed by github.com/soegampars/idbt",
    licence="CC BY-NC 4.0 (the re-keyed file, per the repository); BPS terms of use for the "
            "figures",
    portal_url="https://www.bps.go.id/en/statistics-table?subject=520",
    parser=parse_employment,
    staging=staging_table("jakarta", "employment_by_sector", COLUMNS, ("payload_sha256", *KEY),
                          "Employed persons by province, year and KBLI sector group. "
                          + PROVENANCE),
    date_column=None,
    publisher_cadence="yearly",
    key_columns=("prov_kode", "year"),
    expectations=(
        q.compound_unique(["payload_sha256", *KEY]),
        *[q.not_null(c.name) for c in COLUMNS if not c.nullable],
        Expect("ExpectColumnValuesToMatchRegex", "prov_code", {"regex": r"^\d{2}$"}),
        q.between("year", 1986, 2100),
        # Indonesia employs about 140 million people; Jawa Barat about 24 million
        *[q.between(c, 0, 60_000_000) for c in COUNTS],
    ),
    group="economy",
    tags={"domain": "economy"},
)
