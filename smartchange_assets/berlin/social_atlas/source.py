"""Berlin Gesundheits- und Sozialstrukturatlas (GSSA) per area level: the one description
(docs/sources/berlin-social-atlas.md)."""

from smartchange_assets.platform import quality as q
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

from .parser import INDICES, KEY, LEVELS, LOR_OLD, parse_gssa

_SCORE = "standardised score (unitless, higher = better; negative values are normal)"

COLUMNS = [
    Column("source_row", "bigint", "data-row number in the file (1-based); each row gives one "
           "record per atlas year", nullable=False),
    Column("edition", "integer", "atlas edition: the latest year in the header (2022)",
           nullable=False),
    Column("reference_year", "integer", "atlas year the scores belong to (2013, 2022)",
           nullable=False),
    Column("level", "text", "bezirk, prognoseraum, bezirksregion or planungsraum (from the id "
           "column: bezID, pgrID, bzrID, plrID)", nullable=False),
    Column("lor_version", "text", "LOR scheme of area_code: LOR_OLD (the atlas up to 2022 uses "
           "the pre-2021 LOR; Bezirk codes are the same in both)", nullable=False),
    Column("area_code", "text", "area id as text, leading zeros kept (2, 4, 6 or 8 digits)",
           nullable=False),
    Column("bezirk_code", "text", "2-digit Bezirk (first 2 digits)", nullable=False),
    Column("area_name", "text", "area name as published (old-LOR names, abbreviated: "
           "'Stülerstr.')", nullable=False),
    Column("gesix", "double precision", f"GESIx, health and social index: {_SCORE}"),
    Column("esix", "double precision", f"ESIx, employment and social index: {_SCORE}"),
    Column("di", "double precision", f"DI, working life / employment sub-index: {_SCORE}"),
    Column("dii", "double precision", f"DII, social status sub-index: {_SCORE}"),
    Column("diii", "double precision", f"DIII, health sub-index: {_SCORE}"),
]

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    city="berlin",
    name="social_atlas",
    title="Berlin Gesundheits- und Sozialstrukturatlas (GSSA) per area",
    description=("Health and social index (GESIx), employment and social index (ESIx) and the "
                 "sub-indices DI (working life), DII (social status), DIII (health) per "
                 "Bezirk, Bezirksregion and Planungsraum of the old LOR, for the atlas years "
                 "2013 and 2022. Relative scores, not rates: they rank areas within Berlin."),
    publisher="Senatsverwaltung für Wissenschaft, Gesundheit, Pflege und Gleichstellung Berlin",
    licence="CC BY 3.0 DE (per the open-data-product mirror's manifest; verify)",
    portal_url="https://www.berlin.de/sen/gesundheit/service/gesundheitsberichterstattung/"
               "gesundheits-und-sozialstrukturatlas/",
    parser=parse_gssa,
    staging=staging_table("berlin", "social_atlas", COLUMNS, ("payload_sha256", *KEY),
                          "GSSA scores, one row per area and atlas year"),
    date_column=None,
    publisher_cadence="yearly",
    key_columns=tuple(spellings[0] for spellings, _ in LEVELS.values()),
    expectations=(
        q.compound_unique(["payload_sha256", *KEY]),
        *[q.not_null(c.name) for c in COLUMNS if not c.nullable],
        q.in_set("level", list(LEVELS)),
        q.in_set("lor_version", [LOR_OLD]),
        Expect("ExpectColumnValuesToMatchRegex", "area_code", {"regex": r"^\d{2}(\d{2}){0,3}$"}),
        q.in_set("bezirk_code", [f"{n:02d}" for n in range(1, 13)]),
        q.between("reference_year", 2000, 2100),
        *[q.between(c, -15, 15) for c in INDICES],
    ),
    group="economy",
    tags={"domain": "economy"},
)
