"""Berlin population register statistics (EWR) by LOR Planungsraum: the one description."""

from smartchange_assets.berlin.lor.source import SOURCE as LOR
from smartchange_assets.berlin.population.checks import plr_coverage_check, plr_in_lor_check
from smartchange_assets.berlin.population.layout import GROUPED_BANDS, LOR2021, LOR_OLD
from smartchange_assets.berlin.population.live import fetch_live
from smartchange_assets.berlin.population.parser import parse_ewr
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.partitions import yearly
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

_BAND_TEXT = {"age_under_1": "under 1", "age_80_plus": "80 and over (to 110)"}

COLUMNS = [
    Column("source_row", "bigint", "data-row number in the payload (1-based)", nullable=False),
    Column("reference_date", "date", "reference day: last day of the ZEIT month (31 December)",
           nullable=False),
    Column("lor_version", "text", "scheme of plr_code: 'LOR_OLD' (pre-2021, STADTRAUM files) "
           "or 'LOR2021' (EWR_L21_ files, BEZPGR); the same digits mean different areas",
           nullable=False),
    Column("plr_code", "text", "8-digit Planungsraum key (RAUMID), leading zeros kept",
           nullable=False),
    Column("bez", "text", "2-digit Bezirk", nullable=False),
    Column("stadtraum", "smallint", "STADTRAUM of old-LOR files (1 or 2; NULL for LOR 2021)"),
    Column("total", "integer", "residents with main residence (E_E); NULL if suppressed"),
    Column("male", "integer", "male residents (E_EM)"),
    Column("female", "integer", "female residents (E_EW)"),
    *[Column(band, "integer", f"residents aged {_BAND_TEXT.get(band, f'{lo} to under {hi}')}")
      for band, (lo, hi) in GROUPED_BANDS.items()],
    Column("single_age_total", "integer", "sum of the 32 single-age bands (E_E00_01 … "
           "E_E95_110); equals total when nothing is suppressed"),
    Column("unchecked_sums", "text", "sums that could not be checked because a term was "
           "suppressed (NULL: every sum checked and held)"),
]

KEY = ("lor_version", "plr_code", "reference_date")

_COUNTS = ("total", "male", "female", *GROUPED_BANDS, "single_age_total")

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    pool="statistik-berlin-brandenburg",
    city="berlin",
    name="population",
    title="Berlin residents by LOR Planungsraum (EWR)",
    description=("Residents with main residence on 31 December per Planungsraum, by sex and "
                 "age band, from the Einwohnerregisterstatistik 'Matrix' CSVs (old LOR up to "
                 "2020, LOR 2021 from 2024). Every row's sums are verified."),
    publisher="Amt für Statistik Berlin-Brandenburg",
    licence="CC BY 3.0 DE, 'Amt für Statistik Berlin-Brandenburg' (per third-party notes; "
            "verify)",
    portal_url="https://www.statistik-berlin-brandenburg.de/opendata/",
    parser=parse_ewr,
    fetch_live=fetch_live,
    staging=staging_table("berlin", "population", COLUMNS, ("payload_sha256", *KEY),
                          "Residents per Planungsraum, sex and age band, one row per EWR row"),
    date_column="reference_date",
    partitions=yearly(),
    publisher_cadence="yearly",
    key_columns=("ZEIT", "RAUMID"),
    expectations=(
        q.compound_unique(["payload_sha256", *KEY]),
        *[q.not_null(c.name) for c in COLUMNS if not c.nullable],
        q.in_set("lor_version", [LOR_OLD, LOR2021]),
        Expect("ExpectColumnValuesToMatchRegex", "plr_code", {"regex": r"^\d{8}$"}),
        q.in_set("bez", [f"{n:02d}" for n in range(1, 13)]),
        q.in_set("stadtraum", [1, 2]),
        # the most populous Planungsraum has about 30,000 residents
        *[q.between(c, 0, 100_000) for c in _COUNTS],
    ),
    extra_deps=(LOR.staging_key,),
    extra_checks=(plr_in_lor_check, plr_coverage_check),
    group="population",
    tags={"domain": "population"},
)
