"""``core.dim_area``: every area of both cities in one hierarchy.

Common scheme: city -> district -> subdistrict -> unit.

| level        | Jakarta (Kemendagri 2025)              | Berlin (LOR 2021)            |
|--------------|----------------------------------------|------------------------------|
| city         | Provinsi DKI Jakarta (31)              | Land Berlin (AGS 11000000)   |
| district     | kota / kabupaten administrasi (6)      | Bezirk (12)                  |
| prognoseraum | —                                      | Prognoseraum (58)            |
| subdistrict  | kecamatan (44)                         | Bezirksregion (143)          |
| unit         | kelurahan (267)                        | Planungsraum (542)           |

Berlin's Prognoseraum is kept as an extra level between Bezirk and Bezirksregion: it is the
true parent of a Bezirksregion (``parent_key``), and ``in_common_scheme`` is false for it.
Queries in the four-level scheme use the shortcut columns ``city_key``, ``district_key`` and
``subdistrict_key``, which skip it, so nothing has to walk the tree.

Jakarta comes from the Kemendagri 2025 code list only (the warehouse key; BPS codes are in
``staging.jakarta_area_crosswalk``). Where a code list was landed more than once, the most
recently fetched payload wins. Residents per year are in ``core.dim_area_population``.
"""

import dagster as dg

from smartchange_assets.berlin.lor import counts as lor_counts
from smartchange_assets.berlin.lor.hierarchy import HIERARCHY as LOR_HIERARCHY
from smartchange_assets.core import keys
from smartchange_assets.core.integrity import Rule, integrity_check, references
from smartchange_assets.jakarta.admin_areas.parser import KEMENDAGRI
from smartchange_assets.jakarta.admin_areas.source import EXPECTED_COUNTS
from smartchange_assets.jakarta.admin_areas.source import SOURCE as JAKARTA_AREAS
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["core", "dim_area"])

TABLE = TableSpec("core", "dim_area", (
    Column("area_key", "text", "city:code system+version:native code, e.g. "
           "jakarta:kemendagri_2025:31.71.01.1001, berlin:LOR2021:01100101", nullable=False),
    Column("city", "text", "jakarta or berlin", nullable=False),
    Column("level", "text", "city, district, prognoseraum (Berlin only), subdistrict, unit",
           nullable=False),
    Column("native_level", "text", "province, kota, kecamatan, kelurahan; land, bezirk, "
           "prognoseraum, bezirksregion, planungsraum", nullable=False),
    Column("code", "text", "native code as published (31.71, 01100101, 11000000)",
           nullable=False),
    Column("code_system", "text", "kemendagri, LOR or AGS", nullable=False),
    Column("code_version", "text", "2025 (Kepmendagri 300.2.2-2138/2025), 2021 (LOR 2021); "
           "NULL for the AGS"),
    Column("name", "text", "name, cleaned", nullable=False),
    Column("name_published", "text", "name as published"),
    Column("parent_key", "text", "area one level up (a Bezirksregion's is its Prognoseraum); "
           "NULL for a city"),
    Column("city_key", "text", "the city the area lies in", nullable=False),
    Column("district_key", "text", "kota / Bezirk the area lies in (itself for a district; "
           "NULL for a city)"),
    Column("subdistrict_key", "text", "kecamatan / Bezirksregion the area lies in (itself for "
           "a subdistrict; NULL above)"),
    Column("in_common_scheme", "boolean", "false for Berlin's Prognoseraum, the extra level",
           nullable=False),
    Column("area_m2", "double precision", "area in m² (Berlin LOR; NULL for Jakarta)"),
    Column("valid_from", "date", "Berlin: LOR 'Stand der Daten'; NULL for Jakarta"),
    Column("payload_sha256", "text", "code list payload the area came from", nullable=False),
), ("area_key",), "Areas of Jakarta and Berlin in one hierarchy")

_JAKARTA_LEVEL = {"province": keys.CITY, "kota": keys.DISTRICT, "kecamatan": keys.SUBDISTRICT,
                  "kelurahan": keys.UNIT}
_BERLIN_LEVEL = {"bezirk": keys.DISTRICT, "prognoseraum": keys.PROGNOSERAUM,
                 "bezirksregion": keys.SUBDISTRICT, "planungsraum": keys.UNIT}

SELECT_SQL = sql_file(__file__, "dim_area.sql", jakarta_staging=JAKARTA_AREAS.staging.qualified,
                      lor_hierarchy=LOR_HIERARCHY.table.qualified)


def _level_count(city: str, level: str, n: int) -> Expect:
    return Expect("ExpectColumnUniqueValueCountToBeBetween", "area_key",
                  {"min_value": n, "max_value": n,
                   "row_condition": f'city == "{city}" and level == "{level}"',
                   "condition_parser": "pandas"}, name=f"{city}_{level}_count")


_EXPECTED_LEVELS = {
    **{(keys.JAKARTA, _JAKARTA_LEVEL[native]): n
       for native, n in EXPECTED_COUNTS[KEMENDAGRI].items()},
    (keys.BERLIN, keys.CITY): 1,
    **{(keys.BERLIN, _BERLIN_LEVEL[native]): n
       for native, n in lor_counts.LOR2021_TOTALS.items()},
}

DIM_AREA = SqlTable(
    key=KEY,
    table=TABLE,
    select_sql=SELECT_SQL,
    params=bind(jakarta_source=JAKARTA_AREAS.source_id, kemendagri=KEMENDAGRI,
                lor_version=lor_counts.LOR_VERSION, jakarta_levels=_JAKARTA_LEVEL,
                berlin_levels=_BERLIN_LEVEL, city_level=keys.CITY, jakarta=keys.JAKARTA,
                berlin=keys.BERLIN, jakarta_prefix=keys.JAKARTA_PREFIX,
                berlin_prefix=keys.BERLIN_PREFIX, jakarta_city_key=keys.JAKARTA_CITY_KEY,
                berlin_city_key=keys.BERLIN_CITY_KEY),
    deps=[JAKARTA_AREAS.staging_key, LOR_HIERARCHY.key],
    description="Every area of Jakarta (Kemendagri 2025) and Berlin (LOR 2021) in one "
                "hierarchy city → district → subdistrict → unit (Berlin's Prognoseraum kept "
                "as an extra level), with native codes, code system and version.",
    group="core",
    expectations=(
        q.unique("area_key"),
        *[q.not_null(c.name) for c in TABLE.columns if not c.nullable],
        q.in_set("city", list(keys.CITIES)),
        q.in_set("level", list(keys.LEVELS)),
        q.in_set("code_system", ["kemendagri", "LOR", "AGS"]),
        q.compound_unique(["city", "code_system", "code"]),
        *[_level_count(city, level, n) for (city, level), n in _EXPECTED_LEVELS.items()],
    ),
    column_lineage=dg.TableColumnLineage(deps_by_column={
        "code": [dg.TableColumnDep(JAKARTA_AREAS.staging_key, "code"),
                 dg.TableColumnDep(LOR_HIERARCHY.key, "code")],
        "name": [dg.TableColumnDep(JAKARTA_AREAS.staging_key, "name"),
                 dg.TableColumnDep(LOR_HIERARCHY.key, "name")],
        "parent_key": [dg.TableColumnDep(JAKARTA_AREAS.staging_key, "parent_code"),
                       dg.TableColumnDep(LOR_HIERARCHY.key, "parent_code")],
        "area_m2": [dg.TableColumnDep(LOR_HIERARCHY.key, "area_m2")],
        "payload_sha256": [dg.TableColumnDep(JAKARTA_AREAS.staging_key, "payload_sha256"),
                           dg.TableColumnDep(LOR_HIERARCHY.key, "payload_sha256")],
    }),
)

# A parent sits exactly one level up: district -> city, Berlin subdistrict -> prognoseraum.
_PARENT_LEVEL = (f"p.level = CASE c.level WHEN '{keys.DISTRICT}' THEN '{keys.CITY}' "
                 f"WHEN '{keys.PROGNOSERAUM}' THEN '{keys.DISTRICT}' "
                 f"WHEN '{keys.SUBDISTRICT}' THEN CASE c.city WHEN '{keys.BERLIN}' "
                 f"THEN '{keys.PROGNOSERAUM}' ELSE '{keys.DISTRICT}' END "
                 f"WHEN '{keys.UNIT}' THEN '{keys.SUBDISTRICT}' END AND p.city = c.city")

DIM_AREA_CHECK = integrity_check(KEY, TABLE, refs=(
    references("parent_key", TABLE, "area_key", KEY, _PARENT_LEVEL, "one level up"),
    references("city_key", TABLE, "area_key", KEY, f"p.level = '{keys.CITY}'", "a city"),
    references("district_key", TABLE, "area_key", KEY, f"p.level = '{keys.DISTRICT}'",
               "a district"),
    references("subdistrict_key", TABLE, "area_key", KEY, f"p.level = '{keys.SUBDISTRICT}'",
               "a subdistrict"),
), rules=(
    Rule("only_cities_lack_a_parent", f"(c.parent_key IS NULL) = (c.level = '{keys.CITY}')",
         ("area_key", "level", "parent_key")),
))
