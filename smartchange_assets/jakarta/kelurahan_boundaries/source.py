"""Jakarta kelurahan boundaries with Dukcapil residents (Batas Desa): the one description.

One staged row per kelurahan polygon of the Dukcapil "Batas Desa Desember 2019" layer: its
Kemendagri code, names, geometry as published (WKT, EPSG:4326), equal-area area (EPSG:6933) and
the residents, men, women and households the layer carries (generated 30 June 2019). Kecamatan,
kota and the province are dissolved from these polygons in ``core.dim_area_geometry``; the
residents are staged as a population row set in ``jakarta/staging/kelurahan_residents``
(:mod:`.residents`). docs/sources/jakarta-kelurahan-boundaries.md.

No live connector: the layer is a one-off release of the Ministry of Home Affairs, landed by
hand as a zip of its shapefile members (``smartchange land jakarta/kelurahan_boundaries``).
"""

from smartchange_assets.geo.features import polygon_columns
from smartchange_assets.jakarta.admin_areas.codes import KEMENDAGRI
from smartchange_assets.jakarta.admin_areas.source import EXPECTED_COUNTS
from smartchange_assets.jakarta.kelurahan_boundaries.parser import (
    KEY,
    LEVEL,
    parse_kelurahan_boundaries,
)
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

KELURAHAN = EXPECTED_COUNTS[KEMENDAGRI]["kelurahan"]

COLUMNS = [
    Column("source_row", "bigint", "feature number in the layer (1-based)", nullable=False),
    Column("code", "text", "Kemendagri kelurahan code with dots (31.73.03.1006)",
           nullable=False),
    Column("kode_desa", "text", "the code as published (KODE_DESA, 10 digits)", nullable=False),
    Column("level", "text", "'kelurahan' (kecamatan and kota are dissolved in the core)",
           nullable=False),
    Column("name", "text", "kelurahan name, tidied (DESA)", nullable=False),
    Column("name_raw", "text", "kelurahan name as published"),
    Column("kecamatan_name", "text", "kecamatan as published, tidied", nullable=False),
    Column("kota_name", "text", "kota / kabupaten as published, tidied", nullable=False),
    Column("province_name", "text", "province as published"),
    Column("layer", "text", "layer name as published", nullable=False),
    Column("area_published_km2", "double precision", "area as the layer states it "
           "(LUAS_WILAY, km², two decimals)"),
    Column("residents", "bigint", "residents registered by Dukcapil (JUMLAH_PEN)",
           nullable=False),
    Column("male", "bigint", "men (PRIA)"),
    Column("female", "bigint", "women (WANITA)"),
    Column("households", "bigint", "family cards, Kartu Keluarga (JUMLAH_KK)"),
    Column("residents_reference_date", "date", "the day the population attributes were "
           "generated (GENERATED: 30 Juni 2019)"),
    *polygon_columns(),
]

STAGING = staging_table("jakarta", "kelurahan_boundaries", COLUMNS, ("payload_sha256", *KEY),
                        "Jakarta kelurahan polygons with Dukcapil residents, one row per "
                        "kelurahan and payload")

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    city="jakarta",
    name="kelurahan_boundaries",
    title="Jakarta kelurahan boundaries with Dukcapil residents",
    description=("Dukcapil Kemendagri 'Batas Desa Desember 2019' for DKI Jakarta: 267 "
                 "kelurahan polygons (EPSG:4326) with Kemendagri codes and the registered "
                 "residents, men, women and households generated on 30 June 2019; the two "
                 "lake polygons (code 31888888) are not areas and are quarantined."),
    publisher="Direktorat Jenderal Kependudukan dan Pencatatan Sipil (Dukcapil), Kementerian "
              "Dalam Negeri; redistributed by indonesia-geospasial.com",
    licence="not stated by the publisher or the redistributor (docs/sources/"
            "jakarta-kelurahan-boundaries.md §1)",
    portal_url="https://www.indonesia-geospasial.com/",
    parser=parse_kelurahan_boundaries,
    staging=STAGING,
    date_column=None,
    publisher_cadence="yearly",
    key_columns=("KODE_DESA",),
    expectations=(
        q.compound_unique(["payload_sha256", *KEY]),
        *[q.not_null(c.name) for c in COLUMNS if not c.nullable],
        Expect("ExpectColumnValuesToMatchRegex", "code", {"regex": r"^31\.\d{2}\.\d{2}\.\d{4}$"}),
        q.in_set("crs", ["EPSG:4326"]),
        q.in_set("level", [LEVEL]),
        q.between("residents", 0, 500_000),
        q.between("area_m2", 1_000, 100_000_000),
        Expect("ExpectColumnUniqueValueCountToBeBetween", "code",
               {"min_value": KELURAHAN, "max_value": KELURAHAN}, name="kelurahan_count"),
    ),
    group="admin_areas",
    tags={"domain": "admin_areas"},
)
