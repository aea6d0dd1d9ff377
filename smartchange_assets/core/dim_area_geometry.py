"""``core.dim_area_geometry``: the shape of every area of ``core.dim_area``, keyed like it.

A companion of ``dim_area`` (whose keys and columns stay as they are): one row per area key,
the geometry as GeoJSON in EPSG:4326 (lon/lat, 7 decimals), its area in m² computed in the
equal-area EPSG:6933 (:mod:`smartchange_assets.geo.measure`), where the shape comes from and how.

* **Berlin** – Planungsräume, Bezirksregionen and Prognoseräume as published in the LOR 2021
  layers, the 12 Bezirke as published by ALKIS (``staging.berlin_lor_geometry``, the newest
  payload of each level), reprojected from EPSG:25833; Berlin itself is the union of the 12
  Bezirke.
* **Jakarta** – the 267 kelurahan as published (``staging.jakarta_kelurahan_boundaries``,
  newest payload); kecamatan, kota and the province are their union by code prefix
  (31.73.03 / 31.73 / 31).

A union fills holes smaller than :data:`GAP_M2`: the published polygons do not meet exactly,
and their unions show gaps of 21–585 m² (Jakarta kecamatan and kota; one of 574 m² inside
Berlin), which are no areas; real holes stay (the Danau Sunter lakes, 0.15 and 0.50 km², which
the Jakarta layer has as separate non-area polygons).

Built in Python a payload at a time (``FrameTable.frames``): shapely and pyproj do what
Postgres without PostGIS cannot. Checks: ``integrity`` (every key an area of ``dim_area`` of
the same city and level), ``every_area_has_a_shape``, and ``areas_agree`` (the Planungsräume of
each Bezirk add up to its ALKIS shape, and each Planungsraum's area to the LOR export's
published area, within 0.01 %).
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pandas as pd

from smartchange_assets.berlin.lor_geometry.source import SOURCE as LOR_GEOMETRY
from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.integrity import integrity_check, references
from smartchange_assets.geo import measure
from smartchange_assets.jakarta.kelurahan_boundaries.source import SOURCE as KELURAHAN
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.frame_asset import FrameTable
from smartchange_assets.platform.markdown import md_table
from smartchange_assets.platform.spec import GX_SUITE_CHECK
from smartchange_assets.platform.sql_files import sql_file
from smartchange_assets.platform.suites import suite_result
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["core", "dim_area_geometry"])
GAP_M2 = 1_000.0
AREA_TOLERANCE = 1e-4  # relative: 0.01 %
PUBLISHED, DISSOLVED = "published", "dissolved"

TABLE = TableSpec("core", "dim_area_geometry", (
    Column("area_key", "text", "dim_area key of the area", nullable=False),
    Column("city", "text", "jakarta or berlin", nullable=False),
    Column("level", "text", "dim_area level (city, district, prognoseraum, subdistrict, unit)",
           nullable=False),
    Column("geometry_geojson", "text", "the shape as a GeoJSON geometry (Polygon or "
           "MultiPolygon), EPSG:4326 lon/lat, coordinates rounded to 7 decimals (about 1 cm)",
           nullable=False),
    Column("area_m2", "double precision", "area in m², computed in EPSG:6933 (equal-area) from "
           "the published geometry, or from the union for a dissolved shape", nullable=False),
    Column("derivation", "text", "published (a feature of the layer), or dissolved (the union "
           "of the published shapes inside it, gaps under 1,000 m² filled)", nullable=False),
    Column("parts", "integer", "published features behind the shape (1 when published)",
           nullable=False),
    Column("published_crs", "text", "CRS the geometry was published in (EPSG:25833, "
           "EPSG:4326)", nullable=False),
    Column("source", "text", "source id of the layer", nullable=False),
    Column("layer", "text", "layer name as published", nullable=False),
    Column("payload_sha256", "text", "payload of the layer", nullable=False),
), ("area_key",), "Shapes of the areas of dim_area (GeoJSON, EPSG:4326) with their area")

_BERLIN_LEVELS = {"planungsraum": keys.UNIT, "bezirksregion": keys.SUBDISTRICT,
                  "prognoseraum": keys.PROGNOSERAUM, "bezirk": keys.DISTRICT}
# Jakarta: level of dim_area -> length of the Kemendagri code prefix it is dissolved by
_JAKARTA_DISSOLVE = {keys.SUBDISTRICT: 8, keys.DISTRICT: 5, keys.CITY: 2}


def _newest_payloads(wh, staging, source_id: str) -> pd.DataFrame:
    """(level, payload) of the most recently fetched payload of each level."""
    return wh.read_frame(sql_file(__file__, "dim_area_geometry_payloads.sql",
                                  staging=staging.qualified), source=source_id)


def _rows(frame: pd.DataFrame, city: str, level: str, area_keys, geometries, crs: str,
          derivation: str, parts, source: str) -> pd.DataFrame:
    return pd.DataFrame({
        "area_key": list(area_keys), "city": city, "level": level,
        "geometry_geojson": measure.to_geojson(measure.reproject(geometries, crs,
                                                                 measure.WGS84)),
        "area_m2": (frame["area_m2"].to_numpy() if derivation == PUBLISHED
                    else measure.equal_area_m2(geometries, crs)),
        "derivation": derivation, "parts": list(parts), "published_crs": crs,
        "source": source, "layer": frame["layer"].iloc[0],
        "payload_sha256": frame["payload_sha256"].iloc[0]})


def _layer(wh, staging, payload: str, where: str = "", **params) -> pd.DataFrame:
    frame = wh.read_frame(
        f"SELECT * FROM {staging.qualified} WHERE payload_sha256 = :payload {where} "
        "ORDER BY code", payload=payload, **params)
    if frame["crs"].nunique() != 1:
        raise ValueError(f"{staging.label}: payload {payload[:12]} mixes CRSs")
    return frame


def berlin_frames(wh) -> Iterator[pd.DataFrame]:
    """Each LOR level of its newest payload, then Berlin as the union of the Bezirke."""
    for level, payload in _newest_payloads(wh, LOR_GEOMETRY.staging,
                                           LOR_GEOMETRY.source_id).itertuples(index=False):
        frame = _layer(wh, LOR_GEOMETRY.staging, payload, "AND level = :level", level=level)
        crs = frame["crs"].iloc[0]
        geometries = measure.from_wkt(frame["geometry_wkt"])
        yield _rows(frame, keys.BERLIN, _BERLIN_LEVELS[level],
                    keys.BERLIN_PREFIX + frame["code"], geometries, crs, PUBLISHED,
                    [1] * len(frame), LOR_GEOMETRY.source_id)
        if level == "bezirk":
            yield _rows(frame, keys.BERLIN, keys.CITY, [keys.BERLIN_CITY_KEY],
                        [measure.dissolve(geometries, crs, GAP_M2)], crs, DISSOLVED,
                        [len(frame)], LOR_GEOMETRY.source_id)


def jakarta_frames(wh) -> Iterator[pd.DataFrame]:
    """The kelurahan of the newest payload, then kecamatan, kota and DKI Jakarta dissolved."""
    for _level, payload in _newest_payloads(wh, KELURAHAN.staging,
                                            KELURAHAN.source_id).itertuples(index=False):
        frame = _layer(wh, KELURAHAN.staging, payload)
        crs = frame["crs"].iloc[0]
        geometries = measure.from_wkt(frame["geometry_wkt"])
        yield _rows(frame, keys.JAKARTA, keys.UNIT, keys.JAKARTA_PREFIX + frame["code"],
                    geometries, crs, PUBLISHED, [1] * len(frame), KELURAHAN.source_id)
        for level, length in _JAKARTA_DISSOLVE.items():
            groups = frame.groupby(frame["code"].str[:length]).indices
            codes = sorted(groups)
            yield _rows(frame, keys.JAKARTA, level, [keys.JAKARTA_PREFIX + c for c in codes],
                        [measure.dissolve(geometries[groups[c]], crs, GAP_M2) for c in codes],
                        crs, DISSOLVED, [len(groups[c]) for c in codes], KELURAHAN.source_id)


def area_geometry_frames(wh) -> Iterator[pd.DataFrame]:
    yield from berlin_frames(wh)
    yield from jakarta_frames(wh)


def _summary(wh, relation: str) -> dict:
    counts = wh.read_frame(f"SELECT city, level, derivation, count(*) AS shapes, "
                           f"round((sum(area_m2) / 1e6)::numeric, 3) AS km2 FROM {relation} "
                           "GROUP BY 1, 2, 3 ORDER BY 1, 2")
    return {"shapes": dg.MetadataValue.md(md_table(counts))}


DIM_AREA_GEOMETRY = FrameTable(
    key=KEY, table=TABLE, frame=None, frames=area_geometry_frames,
    deps=[LOR_GEOMETRY.staging_key, KELURAHAN.staging_key, DIM_AREA_KEY],
    description="The shape of every area of dim_area (GeoJSON, EPSG:4326) with its "
                "equal-area area: Berlin's LOR 2021 levels and Bezirke as published, Jakarta's "
                "kelurahan as published and kecamatan, kota and province dissolved from them.",
    group="core", summary=_summary)

EXPECTATIONS = (
    q.unique("area_key"),
    *[q.not_null(c.name) for c in TABLE.columns if not c.nullable],
    q.in_set("city", list(keys.CITIES)),
    q.in_set("level", list(keys.LEVELS)),
    q.in_set("derivation", [PUBLISHED, DISSOLVED]),
    q.between("area_m2", 1_000, 1_000_000_000),
)
DIM_AREA_GEOMETRY_SUITE = TableCheck(
    KEY, GX_SUITE_CHECK, f"Great Expectations suite for {TABLE.label}: "
    + "; ".join(e.label for e in EXPECTATIONS),
    lambda audit: suite_result(audit, list(EXPECTATIONS)))

DIM_AREA_GEOMETRY_CHECK = integrity_check(KEY, TABLE, refs=(
    references("area_key", DIM_AREA, "area_key", DIM_AREA_KEY,
               "p.city = c.city AND p.level = c.level", "an area of the same city and level"),
))


def _without_shape(audit: Audit) -> dg.AssetCheckResult:
    missing = audit.wh.read_frame(
        f"SELECT a.city, a.level, count(*) AS areas, (array_agg(a.area_key ORDER BY "
        f"a.area_key))[1:5] AS examples FROM {DIM_AREA.qualified} AS a WHERE NOT EXISTS "
        f"(SELECT 1 FROM {audit.relation} AS g WHERE g.area_key = a.area_key) "
        "GROUP BY 1, 2 ORDER BY 1, 2")
    total = int(missing["areas"].sum()) if len(missing) else 0
    return dg.AssetCheckResult(
        passed=total == 0, severity=dg.AssetCheckSeverity.ERROR,
        description=(f"{total} area(s) of dim_area have no shape" if total else
                     "every area of dim_area has a shape"),
        metadata={"without_shape": dg.MetadataValue.md(md_table(missing) if total else "none")})


EVERY_AREA_HAS_A_SHAPE = TableCheck(
    KEY, "every_area_has_a_shape", "Every area of core.dim_area (both cities, every level) "
    "has a shape.", _without_shape, reads=(DIM_AREA_KEY,))


def _areas_agree(audit: Audit) -> dg.AssetCheckResult:
    found = audit.wh.read_frame(sql_file(__file__, "dim_area_geometry_areas.sql",
                                         geometry=audit.relation, dim_area=DIM_AREA.qualified),
                                berlin=keys.BERLIN, unit=keys.UNIT, district=keys.DISTRICT,
                                tolerance=AREA_TOLERANCE)
    bad = found[~found["agrees"].astype(bool)]
    return dg.AssetCheckResult(
        passed=len(bad) == 0, severity=dg.AssetCheckSeverity.ERROR,
        description=(f"{len(bad)} area comparison(s) differ by more than "
                     f"{AREA_TOLERANCE:.2%}: " + "; ".join(
                         f"{r.comparison} {r.area_key}" for r in bad.head(5).itertuples())
                     if len(bad) else f"{len(found)} area comparisons agree within "
                     f"{AREA_TOLERANCE:.2%}"),
        metadata={"largest_differences": dg.MetadataValue.md(md_table(
            found.sort_values("relative_difference", ascending=False).head(10)))})


AREAS_AGREE = TableCheck(
    KEY, "areas_agree", "Berlin: the Planungsräume of each Bezirk add up to the Bezirk's ALKIS "
    "shape, and each Planungsraum's area matches the LOR export's published area "
    f"(core.dim_area.area_m2), within {AREA_TOLERANCE:.2%}.", _areas_agree,
    reads=(DIM_AREA_KEY,))
