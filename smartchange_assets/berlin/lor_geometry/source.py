"""Berlin LOR 2021 boundaries and the 12 Bezirke (shapes): the one description.

One staged row per feature of each layer: the 542 Planungsräume, 143 Bezirksregionen and 58
Prognoseräume of LOR 2021 (the Senate's ID-only shapefiles, EPSG:25833) and the 12 Bezirke
(ALKIS, GeoJSON in lon/lat), each geometry as published with its CRS and its area in m²
(EPSG:6933, equal-area). The names are in ``berlin/lor`` (the Planungsraum export); these
layers carry codes only, except the Bezirke. ``core.dim_area_geometry`` takes the newest
payload of each level (docs/sources/berlin-lor-geometry.md).

No live connector: the layers are published as archives on daten.berlin.de / the GDI Berlin
WFS; a new edition is landed by hand (``smartchange land berlin/lor_geometry FILE.zip``; a
shapefile as a zip of its members).
"""

from smartchange_assets.berlin.lor import counts
from smartchange_assets.berlin.lor_geometry.layouts import LOR2021
from smartchange_assets.berlin.lor_geometry.parser import KEY, parse_lor2021_boundaries
from smartchange_assets.geo.features import polygon_columns
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

COLUMNS = [
    Column("source_row", "bigint", "feature number in the layer (1-based)", nullable=False),
    Column("lor_version", "text", "'LOR2021' (the Bezirke: codes 01–12, unchanged since 2001)",
           nullable=False),
    Column("level", "text", "planungsraum, bezirksregion, prognoseraum or bezirk",
           nullable=False),
    Column("code", "text", "8, 6, 4 or 2 digits, leading zeros kept", nullable=False),
    Column("name", "text", "name where the layer has one (the Bezirke), tidied"),
    Column("name_raw", "text", "name as published"),
    Column("layer", "text", "layer name as published (LOR_2023-01-01_PLR_EPSG_25833_nur_ID)",
           nullable=False),
    *polygon_columns(),
]

STAGING = staging_table("berlin", "lor_geometry", COLUMNS, ("payload_sha256", *KEY),
                        "LOR 2021 and Bezirk boundaries, one row per feature and payload")


def _level_count(level: str, n: int) -> Expect:
    return counts.distinct_count("code", n, f'level == "{level}"', f"{level}_features")


SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    city="berlin",
    name="lor_geometry",
    title="Berlin LOR 2021 and Bezirk boundaries",
    description=("Boundaries of the LOR 2021 Planungsräume, Bezirksregionen and Prognoseräume "
                 "(Senate shapefiles, EPSG:25833, codes only) and of the 12 Bezirke (ALKIS, "
                 "lon/lat GeoJSON): one row per feature with its geometry as published (WKT), "
                 "CRS and equal-area area (EPSG:6933)."),
    publisher="Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen Berlin (LOR); "
              "Amt für Statistik / ALKIS Berlin (Bezirksgrenzen)",
    licence="CC BY 3.0 DE (LOR geometries, GDI Berlin); dl-de/by-2-0 (ALKIS Bezirke)",
    portal_url="https://gdi.berlin.de/services/wfs/lor_2021",
    parser=parse_lor2021_boundaries,
    staging=STAGING,
    date_column=None,
    publisher_cadence="yearly",
    # an unreadable code leaves a hole in the hierarchy: it stops the line
    key_columns=("PLR_ID", "BZR_ID", "PGR_ID", "Gemeinde_schluessel"),
    expectations=(
        q.compound_unique(["payload_sha256", *KEY]),
        *[q.not_null(c.name) for c in COLUMNS if not c.nullable],
        q.in_set("lor_version", [LOR2021]),
        q.in_set("level", list(counts.LEVELS)),
        *[Expect("ExpectColumnValueLengthsToEqual", "code",
                 {"value": length, "row_condition": f'level == "{level}"',
                  "condition_parser": "pandas"}, name=f"{level}_code_length")
          for level, length in zip(counts.LEVELS, (2, 4, 6, 8))],
        *[_level_count(level, n) for level, n in counts.LOR2021_TOTALS.items()],
        q.in_set("crs", ["EPSG:25833", "EPSG:4326"]),
        # Bucher Forst, the largest Planungsraum, has 18.4 km²; Treptow-Köpenick 167.7 km²
        q.between("area_m2", 1_000, 200_000_000),
    ),
    group="admin_areas",
    tags={"domain": "admin_areas"},
)
