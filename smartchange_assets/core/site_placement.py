"""``core.site_placement``: stations and counting sites placed in the areas they stand in.

Point in polygon (:mod:`smartchange_assets.geo.placement`, shapely STRtree) against the finest
areas of ``core.dim_area_geometry``, in the city's metric CRS (Berlin EPSG:25833), so every
placed point carries its Planungsraum (``area_key``), Bezirksregion and Bezirk (from
``core.dim_area``):

* **BLUME stations**, at the coordinates of the station-location source
  ``berlin/blume_stations`` (its latest payload per station, as ``core.dim_station`` reads it);
  a station without coordinates there stays unplaced, with the reason;
* **Berlin mobility sites** of ``berlin/staging/mobility_sites``: bicycle counters (their
  position in the Standortdaten), Telraam segments (the point half-way along the segment, see
  docs/sources/berlin-mobility-sites.md), traffic-detector cross-sections and lanes (the
  detectors' position).

Jakarta has no point to place: no sourced location of the ISPU stations DKI1–DKI5 exists
(docs/sources/jakarta-kelurahan-boundaries.md §4); ``core.dim_station`` keeps their kota from
the station table (core/stations.py).

A point outside every area (a Telraam segment in Potsdam) is not placed; it carries the nearest
area and its distance. The blocking check ``stations_and_counters_in_a_bezirk`` states that every
active BLUME station and every bicycle counter lies in a Bezirk.
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pandas as pd

from smartchange_assets.berlin.blume_stations.source import SOURCE as BLUME_STATIONS
from smartchange_assets.berlin.mobility import common
from smartchange_assets.berlin.mobility.counts import SITES_KEY, SITES_TABLE
from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.dim_area_geometry import KEY as GEOMETRY_KEY
from smartchange_assets.core.dim_area_geometry import TABLE as GEOMETRY
from smartchange_assets.core.integrity import Rule, integrity_check, references
from smartchange_assets.geo import measure
from smartchange_assets.geo.placement import place
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.frame_asset import FrameTable
from smartchange_assets.platform.markdown import md_table
from smartchange_assets.platform.spec import GX_SUITE_CHECK
from smartchange_assets.platform.sql_files import sql_file
from smartchange_assets.platform.suites import suite_result
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["core", "site_placement"])
BLUME_STATION = "blume_station"
SITE_KINDS = (BLUME_STATION, *common.COUNTER_KINDS)
NO_POINT = "no coordinates in the location source"

TABLE = TableSpec("core", "site_placement", (
    Column("city", "text", nullable=False),
    Column("site_kind", "text", "blume_station, bike_counter, telraam, traffic_detector_mq, "
           "traffic_detector_det", nullable=False),
    Column("site_id", "text", "station code (mc010) or counting site id, as in "
           "dim_station / berlin_mobility_sites", nullable=False),
    Column("site_name", "text", "name as the location source gives it"),
    Column("lat", "double precision", "WGS84 latitude of the point placed"),
    Column("lon", "double precision", "WGS84 longitude"),
    Column("point_basis", "text", "what the point is (station coordinates, counter position, "
           "half-way point of a Telraam segment, detectors' position)", nullable=False),
    Column("active", "boolean", "BLUME: the location source's active flag; counting sites: "
           "not deinstalled (NULL: unknown)"),
    Column("placed", "boolean", "the point lies in an area of the city", nullable=False),
    Column("area_key", "text", "the finest area the point lies in (Berlin: Planungsraum)"),
    Column("subdistrict_key", "text", "its Bezirksregion / kecamatan"),
    Column("district_key", "text", "its Bezirk / kota"),
    Column("on_boundary", "boolean", "the point lies on the edge of two areas (the smaller key "
           "is taken)", nullable=False),
    Column("nearest_area_key", "text", "not placed: the nearest area"),
    Column("distance_m", "double precision", "0 when placed; else metres to the nearest area "
           "(in the city's UTM zone)"),
    Column("unplaced_reason", "text", "why the site is not placed"),
    Column("location_source", "text", "table the point comes from", nullable=False),
    Column("payload_sha256", "text", "payload of the location", nullable=False),
), ("city", "site_kind", "site_id"), "Stations and counting sites placed in dim_area")


def _points(wh) -> pd.DataFrame:
    return wh.read_frame(sql_file(__file__, "site_placement_points.sql",
                                  blume_locations=BLUME_STATIONS.staging.qualified,
                                  mobility_sites=SITES_TABLE.qualified),
                         blume_source=BLUME_STATIONS.source_id, blume_kind=BLUME_STATION,
                         bike=common.BIKE_COUNTER, telraam=common.TELRAAM,
                         berlin=keys.BERLIN)


def placement_frames(wh) -> Iterator[pd.DataFrame]:
    points = _points(wh)
    for city, sites in points.groupby("city", sort=True):
        areas = wh.read_frame(
            f"SELECT g.area_key, g.geometry_geojson, a.subdistrict_key, a.district_key "
            f"FROM {GEOMETRY.qualified} AS g JOIN {DIM_AREA.qualified} AS a USING (area_key) "
            "WHERE g.city = :city AND g.level = :unit", city=city, unit=keys.UNIT)
        found = place(sites["lon"], sites["lat"], areas["area_key"], areas["geometry_geojson"],
                      measure.METRIC_CRS[city])
        parents = areas.set_index("area_key")[["subdistrict_key", "district_key"]]
        placed = pd.Series(found.area_key, index=sites.index, dtype=object)
        frame = sites.assign(
            placed=placed.notna(), area_key=placed,
            subdistrict_key=placed.map(parents["subdistrict_key"]),
            district_key=placed.map(parents["district_key"]),
            on_boundary=found.on_boundary, nearest_area_key=found.nearest_key,
            distance_m=found.distance_m)
        frame["unplaced_reason"] = [
            None if p else NO_POINT if pd.isna(d) else
            f"outside every area of {city}: nearest {n} at {d:,.0f} m"
            for p, n, d in zip(frame["placed"], frame["nearest_area_key"], frame["distance_m"])]
        yield frame[TABLE.column_names]


def _summary(wh, relation: str) -> dict:
    counts = wh.read_frame(f"SELECT site_kind, count(*) AS sites, count(*) FILTER (WHERE placed) "
                           f"AS placed, count(*) FILTER (WHERE lat IS NULL) AS without_point "
                           f"FROM {relation} GROUP BY 1 ORDER BY 1")
    return {"placed": dg.MetadataValue.md(md_table(counts))}


SITE_PLACEMENT = FrameTable(
    key=KEY, table=TABLE, frame=None, frames=placement_frames,
    deps=[BLUME_STATIONS.staging_key, SITES_KEY, GEOMETRY_KEY, DIM_AREA_KEY],
    description="BLUME stations and Berlin counting sites (bicycle counters, Telraam segments, "
                "traffic detectors) placed by point in polygon in the Planungsraum, "
                "Bezirksregion and Bezirk they stand in.",
    group="core", summary=_summary)

EXPECTATIONS = (
    q.compound_unique(["city", "site_kind", "site_id"]),
    *[q.not_null(c.name) for c in TABLE.columns if not c.nullable],
    q.in_set("city", list(keys.CITIES)),
    q.in_set("site_kind", list(SITE_KINDS)),
    q.between("distance_m", 0, None),
)
SITE_PLACEMENT_SUITE = TableCheck(
    KEY, GX_SUITE_CHECK, f"Great Expectations suite for {TABLE.label}: "
    + "; ".join(e.label for e in EXPECTATIONS),
    lambda audit: suite_result(audit, list(EXPECTATIONS)))

SITE_PLACEMENT_CHECK = integrity_check(KEY, TABLE, refs=(
    references("area_key", DIM_AREA, "area_key", DIM_AREA_KEY,
               f"p.city = c.city AND p.level = '{keys.UNIT}'", "a unit of its city"),
    references("district_key", DIM_AREA, "area_key", DIM_AREA_KEY,
               f"p.city = c.city AND p.level = '{keys.DISTRICT}'", "a district of its city"),
    references("subdistrict_key", DIM_AREA, "area_key", DIM_AREA_KEY,
               f"p.city = c.city AND p.level = '{keys.SUBDISTRICT}'",
               "a subdistrict of its city"),
), rules=(
    Rule("placed_has_area", "c.placed = (c.area_key IS NOT NULL AND c.district_key IS NOT "
         "NULL)", ("site_kind", "site_id", "placed", "area_key", "district_key")),
    Rule("unplaced_says_why", "c.placed OR c.unplaced_reason IS NOT NULL",
         ("site_kind", "site_id", "unplaced_reason")),
))


def _in_a_bezirk(audit: Audit) -> dg.AssetCheckResult:
    found = audit.wh.read_frame(
        f"SELECT site_kind, site_id, site_name, lat, lon, unplaced_reason FROM {audit.relation} "
        "WHERE ((site_kind = :blume AND active) OR site_kind = :bike) AND district_key IS NULL "
        "ORDER BY 1, 2 LIMIT 20", blume=BLUME_STATION, bike=common.BIKE_COUNTER)
    counts = audit.wh.read_frame(
        f"SELECT site_kind, count(*) AS sites, count(district_key) AS in_a_bezirk "
        f"FROM {audit.relation} WHERE (site_kind = :blume AND active) OR site_kind = :bike "
        "GROUP BY 1 ORDER BY 1", blume=BLUME_STATION, bike=common.BIKE_COUNTER)
    stated = ", ".join(f"{r.in_a_bezirk} of {r.sites} {r.site_kind}" for r in
                       counts.itertuples())
    return dg.AssetCheckResult(
        passed=len(found) == 0, severity=dg.AssetCheckSeverity.ERROR,
        description=("not in a Bezirk: " + ", ".join(f"{r.site_kind} {r.site_id}"
                                                      for r in found.itertuples())
                     if len(found) else f"in a Bezirk: {stated or 'no such site'}"),
        metadata={"in_a_bezirk": dg.MetadataValue.md(md_table(counts) if len(counts)
                                                       else "no active station, no counter"),
                  "not_placed": dg.MetadataValue.md(md_table(found) if len(found) else "none")})


IN_A_BEZIRK = TableCheck(
    KEY, "stations_and_counters_in_a_bezirk", "Every active BLUME station (active flag of the "
    "station-location source) and every bicycle counter lies in a Berlin Bezirk.",
    _in_a_bezirk)
