"""``core.dim_station``: the air-quality stations of both cities, located in ``dim_area``.

* Jakarta: the five SPKU stations of :mod:`.stations`, each in its kota (district), plus any
  station code the ISPU staging table holds that the list does not know (unlocated, with the
  reason).
* Berlin: every BLUME station with a daily mean in ``staging.berlin_air_quality_daily`` (read
  from staging, not from the fact, so the fact's integrity check can depend on this table),
  located by point in polygon: ``core.site_placement`` places the station's coordinates (from
  the station-location source) in its LOR 2021 Planungsraum (``area_key``) and Bezirk
  (``district_key``). A station the placement cannot place (no coordinates yet) falls back to
  a Bezirk the location source names, else ``area_key`` is NULL and ``area_null_reason`` says
  why.

``build_dim_station(locations=<the berlin/blume_stations SourceSpec>)`` joins that source's
staging table (latest payload per station) for name and coordinates.
"""

import dagster as dg

from smartchange_assets.berlin.blume_air_quality.daily import DAILY as BERLIN_AIR_DAILY
from smartchange_assets.berlin.blume_air_quality.source import SOURCE as BLUME
from smartchange_assets.berlin.blume_stations.source import SOURCE as BLUME_STATIONS
from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA_TABLE
from smartchange_assets.core.integrity import Rule, integrity_check, references
from smartchange_assets.core.site_placement import BLUME_STATION
from smartchange_assets.core.site_placement import KEY as SITE_PLACEMENT_KEY
from smartchange_assets.core.site_placement import TABLE as SITE_PLACEMENT
from smartchange_assets.core.stations import BLUME_UNLOCATED, ISPU_STATIONS
from smartchange_assets.jakarta.ispu.source import SOURCE as ISPU
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.spec import SourceSpec
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["core", "dim_station"])

TABLE = TableSpec("core", "dim_station", (
    Column("city", "text", nullable=False),
    Column("station_code", "text", "DKI1–DKI5, or BLUME mcNNN", nullable=False),
    Column("station_key", "text", "city:station_code", nullable=False),
    Column("network", "text", "SPKU (DLH DKI Jakarta) or BLUME (Berlin)", nullable=False),
    Column("station_name", "text", "location name"),
    Column("area_key", "text", "finest dim_area the station is located in (NULL: unknown)"),
    Column("city_key", "text", "the city's dim_area key", nullable=False),
    Column("district_key", "text", "kota / Bezirk of the station (NULL: unknown)"),
    Column("location_basis", "text", "what the location rests on"),
    Column("area_null_reason", "text", "why area_key is NULL"),
    Column("lat", "double precision", "WGS84 latitude (from a station-location source)"),
    Column("lon", "double precision", "WGS84 longitude"),
    Column("first_date", "date", "first day with data in staging"),
    Column("last_date", "date", "last day with data in staging"),
), ("city", "station_code"), "Air-quality stations of both cities")

_SQL = "dim_station.sql"
POINT_IN_POLYGON = ("point in polygon: the station's coordinates (berlin/blume_stations) in "
                    "its LOR 2021 Planungsraum (core.site_placement)")


def build_dim_station(locations: SourceSpec) -> SqlTable:
    """dim_station with the Berlin stations' names, coordinates and Bezirk from ``locations``
    (a station-location source: station_code, name, bezirk, lat, lon)."""
    return SqlTable(
        key=KEY,
        table=TABLE,
        select_sql=sql_file(__file__, _SQL, ispu_staging=ISPU.staging.qualified,
                            blume_daily=BERLIN_AIR_DAILY.table.qualified,
                            blume_staging=BLUME.staging.qualified,
                            locations_staging=locations.staging.qualified,
                            dim_area=DIM_AREA_TABLE.qualified,
                            site_placement=SITE_PLACEMENT.qualified),
        params=bind(spku_codes=[s.code for s in ISPU_STATIONS],
                    spku_locations=[s.location for s in ISPU_STATIONS],
                    spku_kota_codes=[s.kota_code for s in ISPU_STATIONS],
                    spku_evidence=[s.evidence for s in ISPU_STATIONS],
                    locations_source=locations.source_id, district_level=keys.DISTRICT,
                    blume_unlocated=BLUME_UNLOCATED, blume_kind=BLUME_STATION,
                    point_in_polygon=POINT_IN_POLYGON, jakarta=keys.JAKARTA, berlin=keys.BERLIN,
                    jakarta_prefix=keys.JAKARTA_PREFIX, jakarta_city_key=keys.JAKARTA_CITY_KEY,
                    berlin_city_key=keys.BERLIN_CITY_KEY),
        deps=[ISPU.staging_key, BERLIN_AIR_DAILY.key, BLUME.staging_key, DIM_AREA_KEY,
              locations.staging_key, SITE_PLACEMENT_KEY],
        description="Air-quality stations of both cities (SPKU DKI1–DKI5, BLUME), located in "
                    "dim_area where a source says where they are.",
        group="core",
        expectations=(
            q.compound_unique(["city", "station_code"]),
            q.unique("station_key"),
            q.in_set("city", list(keys.CITIES)),
            q.in_set("network", ["SPKU", "BLUME"]),
            q.not_null("city_key"),
        ),
        column_lineage=dg.TableColumnLineage(deps_by_column={
            "station_code": [dg.TableColumnDep(ISPU.staging_key, "station_code"),
                             dg.TableColumnDep(BERLIN_AIR_DAILY.key, "station_code")],
            "station_name": [dg.TableColumnDep(BLUME.staging_key, "station_name")],
            "area_key": [dg.TableColumnDep(DIM_AREA_KEY, "area_key"),
                         dg.TableColumnDep(SITE_PLACEMENT_KEY, "area_key")],
            "district_key": [dg.TableColumnDep(SITE_PLACEMENT_KEY, "district_key")],
            "first_date": [dg.TableColumnDep(ISPU.staging_key, "date"),
                           dg.TableColumnDep(BERLIN_AIR_DAILY.key, "local_date")],
        }),
    )


# the BLUME station list (names, EU codes; Bezirk where the API gives it) joins in here
DIM_STATION = build_dim_station(locations=BLUME_STATIONS)

DIM_STATION_CHECK = integrity_check(KEY, TABLE, refs=(
    references("area_key", DIM_AREA_TABLE, "area_key", DIM_AREA_KEY),
    references("district_key", DIM_AREA_TABLE, "area_key", DIM_AREA_KEY,
               f"p.level = '{keys.DISTRICT}' AND p.city = c.city", "a district of its city"),
    references("city_key", DIM_AREA_TABLE, "area_key", DIM_AREA_KEY,
               f"p.level = '{keys.CITY}' AND p.city = c.city", "its city"),
), rules=(
    Rule("unlocated_says_why", "c.area_key IS NOT NULL OR c.area_null_reason IS NOT NULL",
         ("station_key", "area_key", "area_null_reason")),
    Rule("jakarta_stations_located", f"c.city <> '{keys.JAKARTA}' OR c.area_key IS NOT NULL",
         ("station_key", "area_key")),
))
