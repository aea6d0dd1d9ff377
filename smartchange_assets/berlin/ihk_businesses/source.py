"""IHK Berlin Gewerbedaten (the chamber's member-business register): the one description
(docs/sources/berlin-ihk-businesses.md)."""

from smartchange_assets.berlin.lor.source import SOURCE as LOR
from smartchange_assets.berlin.plr_keys import plr_keys_check
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import SENSITIVE, Column

from .parser import (
    BUSINESS_TYPES,
    ID_INVALID,
    ID_MANGLED,
    ID_MISSING,
    ID_OK,
    LAT_RANGE,
    LON_RANGE,
    LOR2021,
    parse_ihk,
)

_PLACE = ("exact position of the business (a sole trader's may be a home address): "
          "sensitive, closed tier only")

COLUMNS = [
    Column("source_row", "bigint", "data-row number in the payload (1-based)", nullable=False),
    Column("snapshot_month", "date", "month of the register file (from its name)",
           nullable=False),
    Column("opendata_id", "text", "IHK's stable business id, digits only; NULL when the "
           "published id is not one (Excel-mangled '9,43032E+11'): never a join key then"),
    Column("opendata_id_published", "text", "opendata_id as published"),
    Column("opendata_id_status", "text", f"{ID_OK}, {ID_MANGLED} (scientific notation: digits "
           f"lost), {ID_MISSING}, {ID_INVALID}", nullable=False),
    Column("postcode", "text", "5-digit postcode", nullable=False),
    Column("latitude", "double precision", f"WGS84 latitude (published with a decimal comma); "
           f"{_PLACE}", nullable=False, classification=SENSITIVE),
    Column("longitude", "double precision", f"WGS84 longitude; {_PLACE}", nullable=False,
           classification=SENSITIVE),
    Column("ihk_branch_id", "text", "IHK-internal activity code (finer than NACE)",
           nullable=False),
    Column("nace_id", "text", "WZ 2008 / NACE Rev. 2 code without dots, as published (4-digit "
           "class or 3-digit group)", nullable=False),
    Column("nace_code", "text", "nace_id with its dot (56.29, 55.1)", nullable=False),
    Column("branch_top_level_id", "text", "NACE division, 2 digits", nullable=False),
    Column("employees_range", "text", "employee size class as published ('0' = none "
           "reported)"),
    Column("employees_min", "integer", "lower bound of the size class (NULL: none reported)"),
    Column("employees_max", "integer", "upper bound of the size class (NULL: open or none "
           "reported)"),
    Column("ihk_branch_desc", "text", "IHK branch text (cut at 60 characters by the IHK)"),
    Column("nace_desc", "text", "NACE class text (cut at 60 characters)"),
    Column("branch_top_level_desc", "text", "NACE division text (cut at 60 characters)"),
    Column("business_age", "integer", "age of the business in years at the snapshot"),
    Column("business_type", "text", " or ".join(BUSINESS_TYPES), nullable=False),
    Column("bezirk_code", "text", "2-digit Bezirk of the named Bezirk (= first 2 digits of "
           "plr_code, verified)", nullable=False),
    Column("bezirk_name", "text", "Bezirk as published", nullable=False),
    Column("lor_version", "text", "scheme of plr_code: LOR2021", nullable=False),
    Column("plr_code", "text", "8-digit LOR 2021 Planungsraum (published without its leading "
           "zero; padded)", nullable=False),
    Column("plr_name", "text", "Planungsraum name as published", nullable=False),
    Column("bezirksregion_name", "text", "Bezirksregion name as published"),
    Column("prognoseraum_name", "text", "Prognoseraum name as published"),
    Column("ortsteil", "text", "Ortsteil (the file's unnamed 20th column)"),
]

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    city="berlin",
    name="ihk_businesses",
    title="IHK Berlin business register (Gewerbedaten)",
    description=("Every active IHK member business in Berlin (head offices and branches) with "
                 "NACE class, size class, age, type and its LOR 2021 Planungsraum, one file per "
                 "month (about 350 000 rows). The seed is the IHK's 30-row schema SAMPLE of "
                 "March 2023 (the monthly files are Git-LFS objects not in any snapshot): a "
                 "sample, not the register."),
    publisher="IHK Berlin (Industrie- und Handelskammer zu Berlin)",
    licence="CC0 1.0 (repository README and CKAN entry gewerbedaten-ihkberlin)",
    portal_url="https://github.com/IHKBerlin/IHKBerlin_Gewerbedaten",
    parser=parse_ihk,
    staging=staging_table("berlin", "ihk_businesses", COLUMNS,
                          ("payload_sha256", "source_row"),
                          "IHK member businesses, one row per register row and month"),
    date_column="snapshot_month",
    publisher_cadence="monthly",
    key_columns=(),
    expectations=(
        q.compound_unique(["payload_sha256", "source_row"]),
        q.compound_unique(["payload_sha256", "opendata_id"], ignore_row_if="any_value_is_missing"),
        *[q.not_null(c.name) for c in COLUMNS if not c.nullable],
        q.in_set("opendata_id_status", [ID_OK, ID_MANGLED, ID_MISSING, ID_INVALID]),
        Expect("ExpectColumnValuesToMatchRegex", "opendata_id", {"regex": r"^\d+$"}),
        Expect("ExpectColumnValuesToMatchRegex", "plr_code", {"regex": r"^\d{8}$"}),
        q.in_set("lor_version", [LOR2021]),
        q.in_set("bezirk_code", [f"{n:02d}" for n in range(1, 13)]),
        q.in_set("business_type", list(BUSINESS_TYPES)),
        q.between("latitude", *LAT_RANGE), q.between("longitude", *LON_RANGE),
        q.between("business_age", 0, 400),
    ),
    extra_deps=(LOR.staging_key,),
    extra_checks=(lambda spec: plr_keys_check(spec, version_column="lor_version",
                                              name_column="plr_name"),),
    group="economy",
    tags={"domain": "economy"},
)
