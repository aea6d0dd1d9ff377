"""``core.dim_station``: the air-quality stations of both cities, located in ``dim_area``.

* Jakarta: the five SPKU stations of :mod:`.stations`, each in its kota (district), plus any
  station code the ISPU staging table holds that the list does not know (unlocated, with the
  reason).
* Berlin: every BLUME station with a daily mean in ``staging.berlin_air_quality_daily`` (read
  from staging, not from the fact, so the fact's integrity check can depend on this table).
  BLUME gives no Bezirk, so ``area_key`` is NULL and ``area_null_reason`` says why.

Extension point: ``build_dim_station(locations=<the berlin/blume_stations SourceSpec>)`` joins
that source's staging table (latest payload per station) for name, coordinates and, where it
has one, the Bezirk, matched by name to a district of ``dim_area``. :data:`DIM_STATION` is
built without it until that source is wired.
"""

import dagster as dg

from smartchange_assets.berlin.blume_air_quality.daily import DAILY as BERLIN_AIR_DAILY
from smartchange_assets.berlin.blume_air_quality.source import SOURCE as BLUME
from smartchange_assets.berlin.blume_stations.source import SOURCE as BLUME_STATIONS
from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA_TABLE
from smartchange_assets.core.integrity import Rule, integrity_check, references
from smartchange_assets.core.stations import BLUME_UNLOCATED, ISPU_STATIONS
from smartchange_assets.jakarta.ispu.source import SOURCE as ISPU
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.spec import SourceSpec
from smartchange_assets.platform.sql_asset import SqlTable
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

_SPKU = ", ".join(f"({keys.literal(s.code)}, {keys.literal(s.location)}, "
                  f"{keys.literal(s.kota_code)}, {keys.literal(s.evidence)})"
                  for s in ISPU_STATIONS)


def _berlin_location_sql(locations: SourceSpec | None) -> tuple[str, str, str]:
    """(extra CTE, columns, join) for the Berlin stations: none, or the locations source."""
    if locations is None:
        return ("", "n.station_name, NULL::text AS bezirk, NULL::double precision AS lat, "
                    "NULL::double precision AS lon", "")
    cte = f""", located AS (
  SELECT DISTINCT ON (l.station_code) l.station_code, l.name, l.bezirk, l.lat, l.lon
  FROM {locations.staging.qualified} l
  LEFT JOIN (SELECT sha256, max(fetched_at) AS fetched_at FROM raw.landing_manifest
             WHERE source = '{locations.source_id}' GROUP BY sha256) m
    ON m.sha256 = l.payload_sha256
  ORDER BY l.station_code, m.fetched_at DESC NULLS LAST, l.payload_sha256
)"""
    return (cte, "coalesce(l.name, n.station_name) AS station_name, l.bezirk, l.lat, l.lon",
            "LEFT JOIN located l ON l.station_code = b.station_code")


def select_sql(locations: SourceSpec | None = None) -> str:
    cte, columns, join = _berlin_location_sql(locations)
    return f"""
WITH spku(station_code, location, kota_code, evidence) AS (VALUES {_SPKU}
), ispu AS (
  SELECT station_code, min(date) AS first_date, max(date) AS last_date
  FROM {ISPU.staging.qualified} GROUP BY station_code
), blume AS (
  SELECT station_code, min(local_date) AS first_date, max(local_date) AS last_date
  FROM {BERLIN_AIR_DAILY.table.qualified} GROUP BY station_code
), names AS (
  SELECT station_code, max(station_name) AS station_name
  FROM {BLUME.staging.qualified} WHERE station_name IS NOT NULL GROUP BY station_code
){cte}, berlin AS (
  SELECT b.station_code, b.first_date, b.last_date, {columns}
  FROM blume b LEFT JOIN names n ON n.station_code = b.station_code {join}
), districts AS (
  SELECT area_key, lower(name) AS name FROM {DIM_AREA_TABLE.qualified}
  WHERE city = '{keys.BERLIN}' AND level = '{keys.DISTRICT}'
)
SELECT '{keys.JAKARTA}', coalesce(s.station_code, i.station_code),
       '{keys.JAKARTA}:' || coalesce(s.station_code, i.station_code), 'SPKU', s.location,
       {keys.jakarta_key("s.kota_code")}, '{keys.JAKARTA_CITY_KEY}',
       {keys.jakarta_key("s.kota_code")}, s.evidence,
       CASE WHEN s.station_code IS NULL THEN 'station code not in the SPKU station list' END,
       NULL::double precision, NULL::double precision, i.first_date, i.last_date
FROM spku s FULL JOIN ispu i ON i.station_code = s.station_code
UNION ALL
SELECT '{keys.BERLIN}', b.station_code, '{keys.BERLIN}:' || b.station_code, 'BLUME',
       b.station_name, d.area_key, '{keys.BERLIN_CITY_KEY}', d.area_key,
       CASE WHEN d.area_key IS NOT NULL THEN 'Bezirk of the station-location source' END,
       CASE WHEN d.area_key IS NULL THEN {keys.literal(BLUME_UNLOCATED)} END,
       b.lat, b.lon, b.first_date, b.last_date
FROM berlin b LEFT JOIN districts d ON d.name = lower(b.bezirk)
"""


def build_dim_station(locations: SourceSpec | None = None) -> SqlTable:
    deps = [ISPU.staging_key, BERLIN_AIR_DAILY.key, BLUME.staging_key, DIM_AREA_KEY]
    if locations is not None:
        deps.append(locations.staging_key)
    return SqlTable(
        key=KEY,
        table=TABLE,
        select_sql=select_sql(locations),
        deps=deps,
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
            "area_key": [dg.TableColumnDep(DIM_AREA_KEY, "area_key")],
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
