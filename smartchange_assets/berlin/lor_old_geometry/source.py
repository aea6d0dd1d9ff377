"""Old LOR boundaries (2006–2020 scheme, shapes): the one description.

The Senate's 2015 layers (447 Planungsräume, 138 Bezirksregionen, 60 Prognoseräume; the EWR
residents 2014–2018 are counted on these keys) and the open-lifeworlds derivative as of 2019
(448 Planungsräume after one correction: EWR 2019 and 2020). The period of each payload in its
manifest says which EWR reference dates its keys serve; ``core.lor_crosswalk`` computes from
these shapes the share of each old Planungsraum in each LOR 2021 one
(docs/sources/berlin-lor-old-geometry.md).
"""

from smartchange_assets.berlin.lor_geometry.layouts import LOR_OLD
from smartchange_assets.berlin.lor_geometry.parser import KEY
from smartchange_assets.berlin.lor_old_geometry.parser import parse_lor_old_boundaries
from smartchange_assets.geo.features import polygon_columns
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

OLD_LEVELS = ("prognoseraum", "bezirksregion", "planungsraum")

COLUMNS = [
    Column("source_row", "bigint", "feature number in the layer (1-based)", nullable=False),
    Column("lor_version", "text", "'LOR_OLD': the pre-2021 scheme (its 8-digit keys look like "
           "LOR 2021 keys but name other areas)", nullable=False),
    Column("level", "text", "planungsraum, bezirksregion or prognoseraum", nullable=False),
    Column("code", "text", "8, 6 or 4 digits, leading zeros kept (after a correction: the "
           "true code)", nullable=False),
    Column("code_published", "text", "the code as published", nullable=False),
    Column("correction", "text", "why code differs from code_published (NULL: it does not)"),
    Column("name", "text", "name, tidied"),
    Column("name_raw", "text", "name as published"),
    Column("layer", "text", "layer name as published", nullable=False),
    Column("area_published_m2", "double precision", "area as the layer states it (the "
           "derivative's 'area'); NULL where it states none"),
    *polygon_columns(),
]

STAGING = staging_table("berlin", "lor_old_geometry", COLUMNS, ("payload_sha256", *KEY),
                        "Old LOR boundaries (2006–2020), one row per feature and payload")

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    city="berlin",
    name="lor_old_geometry",
    title="Berlin old LOR boundaries (2006–2020)",
    description=("Boundaries of the pre-2021 LOR scheme: the Senate's 2015 Planungsraum, "
                 "Bezirksregion and Prognoseraum shapefiles (EPSG:25833) and a 2019 "
                 "derivative (lon/lat GeoJSON, one wrong key corrected), one row per feature "
                 "with its geometry as published, CRS and equal-area area."),
    publisher="Senatsverwaltung für Stadtentwicklung Berlin (LOR); the 2019 layer via "
              "open-lifeworlds (a derivative of the Berlin open data portal files)",
    licence="CC BY 3.0 DE (Geoportal Berlin LOR)",
    portal_url="https://daten.berlin.de/datensaetze/lebensweltlich-orientierte-r%C3%A4ume-lor",
    parser=parse_lor_old_boundaries,
    staging=STAGING,
    date_column=None,
    publisher_cadence="yearly",
    key_columns=("SCHLUESSEL", "id"),
    expectations=(
        q.compound_unique(["payload_sha256", *KEY]),
        *[q.not_null(c.name) for c in COLUMNS if not c.nullable],
        q.in_set("lor_version", [LOR_OLD]),
        q.in_set("level", list(OLD_LEVELS)),
        *[Expect("ExpectColumnValueLengthsToEqual", "code",
                 {"value": length, "row_condition": f'level == "{level}"',
                  "condition_parser": "pandas"}, name=f"{level}_code_length")
          for level, length in zip(OLD_LEVELS, (4, 6, 8))],
        Expect("ExpectColumnValuesToMatchRegex", "code", {"regex": r"^(0[1-9]|1[0-2])\d*$"},
               name="bezirk_01_to_12"),
        q.in_set("crs", ["EPSG:25833", "EPSG:4326"]),
        q.between("area_m2", 1_000, 200_000_000),
    ),
    group="admin_areas",
    tags={"domain": "admin_areas"},
)
