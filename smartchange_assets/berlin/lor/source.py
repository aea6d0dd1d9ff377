"""Berlin LOR 2021 (Lebensweltlich orientierte Räume): the one description.

The staging table holds one row per Planungsraum row of the export (the parser contract: rows
of the payload), each carrying its parents' codes and names. The upper levels (Bezirk,
Prognoseraum, Bezirksregion) are derived in SQL in :mod:`.hierarchy`.

No live connector: the research found no documented download URL for this CSV export (only a
WFS for the geometries, ``https://gdi.berlin.de/services/wfs/lor_2021``, which serves another
format). New exports are landed by hand (``smartchange land berlin/lor FILE.csv``).
"""

from smartchange_assets.berlin.lor import counts
from smartchange_assets.berlin.lor.parser import LOR_VERSION, PLR_LEVEL, parse_lor_export
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

COLUMNS = [
    Column("source_row", "bigint", "data-row number in the payload (1-based)", nullable=False),
    Column("lor_version", "text", "LOR scheme the code belongs to: 'LOR2021' (codes of other "
           "schemes look alike but mean other areas)", nullable=False),
    Column("level", "text", "'planungsraum' (the upper levels are in berlin_lor_hierarchy)",
           nullable=False),
    Column("code", "text", "8-digit Planungsraum number, leading zeros kept", nullable=False),
    Column("name", "text", "Planungsraum name, trimmed, runs of spaces collapsed",
           nullable=False),
    Column("name_raw", "text", "Planungsraum name as published"),
    Column("parent_code", "text", "6-digit Bezirksregion number (= first 6 digits of code)",
           nullable=False),
    Column("area_m2", "double precision", "area in m² (published with a decimal comma)",
           nullable=False),
    Column("valid_from", "date", "'Stand der Daten': 2021-01-01, or 2021-12-01 for re-cut "
           "Planungsräume", nullable=False),
    Column("technical_key", "text", "publisher's technical key (UUID)"),
    Column("bezirk_code", "text", "2-digit Bezirk (first 2 digits of code)", nullable=False),
    Column("bezirk_name", "text", "Bezirk name, cleaned", nullable=False),
    Column("bezirk_name_raw", "text", "Bezirk name as published"),
    Column("prognoseraum_code", "text", "4-digit Prognoseraum", nullable=False),
    Column("prognoseraum_name", "text", "Prognoseraum name, cleaned", nullable=False),
    Column("prognoseraum_name_raw", "text", "Prognoseraum name as published"),
    Column("bezirksregion_code", "text", "6-digit Bezirksregion", nullable=False),
    Column("bezirksregion_name", "text", "Bezirksregion name, cleaned", nullable=False),
    Column("bezirksregion_name_raw", "text", "Bezirksregion name as published "
           "(e.g. 'Südliche  Friedrichstadt' with two spaces)"),
]

KEY = ("lor_version", "level", "code")

STAGING = staging_table("berlin", "admin_areas", COLUMNS, ("payload_sha256", *KEY),
                        "LOR 2021 Planungsräume, one row per row of the export, with their "
                        "parents' codes and names")


def matches(column: str, pattern: str) -> Expect:
    return Expect("ExpectColumnValuesToMatchRegex", column, {"regex": pattern})


SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    city="berlin",
    name="lor",
    title="Berlin LOR 2021 areas",
    description=("Lebensweltlich orientierte Räume 2021: the 542 Planungsräume with their "
                 "Bezirksregion, Prognoseraum and Bezirk, area and data date, from the "
                 "Planungsraum CSV export (UTF-8 with BOM, ';', decimal comma)."),
    publisher="Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen Berlin (LOR); "
              "geometries via GDI Berlin",
    licence="dl-de/by-2-0 per the daten.berlin.de LOR pages (not verified; the GDI Berlin "
            "geometries are cited as CC BY 3.0 DE)",
    # the only documented address (docs/sources/berlin-lor.md §1): the WFS of the same areas;
    # the CSV export's own download URL is not known
    portal_url="https://gdi.berlin.de/services/wfs/lor_2021",
    parser=parse_lor_export,
    staging=STAGING,
    date_column="valid_from",
    publisher_cadence="yearly",
    # an unreadable code leaves a hole in the hierarchy: it stops the line
    key_columns=("Planungsraum (Nummer)", "Bezirksregion (Nummer)", "Prognoseraum (Nummer)"),
    expectations=(
        q.compound_unique(["payload_sha256", *KEY]),
        *[q.not_null(c.name) for c in COLUMNS if not c.nullable],
        q.in_set("lor_version", [LOR_VERSION]),
        q.in_set("level", [PLR_LEVEL]),
        matches("code", r"^\d{8}$"), matches("parent_code", r"^\d{6}$"),
        q.in_set("bezirk_code", list(counts.LOR2021_BEZIRKE)),
        q.in_set("bezirk_name", list(counts.BEZIRK_NAMES)),
        # Bucher Forst, the largest PLR, has 18.4 km²; Berlin has 891 km²
        q.between("area_m2", 1, 100_000_000),
        *counts.staged_plr_expectations(),
    ),
    group="admin_areas",
    tags={"domain": "admin_areas"},
)
