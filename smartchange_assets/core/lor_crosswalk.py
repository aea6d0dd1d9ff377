"""``core.lor_crosswalk``: old LOR Planungsräume (2006–2020) on LOR 2021 Planungsräume.

No official mapping exists (docs/sources/berlin-lor.md §2): the LOR 2021 reform re-cut the
Planungsräume. This crosswalk is computed from the shapes, per old edition (each payload of
``berlin/lor_old_geometry``'s Planungsraum layers) against the newest LOR 2021 Planungsraum
layer (``berlin/lor_geometry``):

* every old Planungsraum is intersected with the LOR 2021 Planungsräume it touches (shapely,
  STRtree), both in EPSG:25833 (the 2019 derivative reprojected from EPSG:4326), and each
  intersection's area is measured in the equal-area EPSG:6933 (:mod:`smartchange_assets.geo`);
* ``share`` = intersection / the old Planungsraum's area; pieces under :data:`MIN_SHARE`
  (0.1 %) are slivers of the two editions' line work (the same street boundary digitised a few
  metres apart: 2,411 of the 3,084 intersections of the 2015 layer, together at most 0.21 % of
  an old area) and are dropped; the kept shares are scaled to sum to exactly 1 per old Planungsraum
  (``sliver_share`` says how much was dropped, ``covered`` how much of the old area lies in
  LOR 2021 at all);
* ``valid_from`` / ``valid_to``: the EWR reference dates the old edition's keys serve, the
  period of its payload in the manifest (the 2015 layer: 2014–2018; the 2019 derivative: 2019
  and 2020; docs/sources/berlin-lor-old-geometry.md §4).

Used by ``core.population_lor2021_estimated``: residents of an old Planungsraum are spread over
the new ones by area share, which assumes residents spread evenly over the old area (an
estimate, flagged as such). Shares of each old unit sum to 1, so a year's total is kept.
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pandas as pd

from smartchange_assets.berlin.lor_geometry.source import SOURCE as LOR_GEOMETRY
from smartchange_assets.berlin.lor_old_geometry.source import SOURCE as LOR_OLD_GEOMETRY
from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.integrity import integrity_check, references
from smartchange_assets.geo import measure
from smartchange_assets.geo.overlay import area_shares
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.frame_asset import FrameTable
from smartchange_assets.platform.markdown import md_table
from smartchange_assets.platform.spec import GX_SUITE_CHECK
from smartchange_assets.platform.sql_files import sql_file
from smartchange_assets.platform.suites import suite_result
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["core", "lor_crosswalk"])
MIN_SHARE = 0.001
SHARE_TOLERANCE = 1e-9
PLANUNGSRAUM = "planungsraum"
OVERLAY_CRS = "EPSG:25833"
METHOD = ("area overlap: intersection of the old Planungsraum with each LOR 2021 Planungsraum "
          "(EPSG:25833 geometry, EPSG:6933 areas), pieces under 0.1 % of the old area dropped "
          "as slivers, shares scaled to sum to 1")

TABLE = TableSpec("core", "lor_crosswalk", (
    Column("old_payload_sha256", "text", "payload of the old LOR layer (the edition)",
           nullable=False),
    Column("old_layer", "text", "old layer name as published", nullable=False),
    Column("valid_from", "date", "first EWR reference date the edition's keys serve (its "
           "payload's period)"),
    Column("valid_to", "date", "last EWR reference date the edition's keys serve"),
    Column("old_code", "text", "old-LOR Planungsraum (8 digits, LOR_OLD)", nullable=False),
    Column("old_name", "text", "its name in the old layer"),
    Column("new_area_key", "text", "LOR 2021 Planungsraum (dim_area key)", nullable=False),
    Column("new_code", "text", "LOR 2021 Planungsraum (8 digits)", nullable=False),
    Column("intersection_m2", "double precision", "area of the overlap, m² (EPSG:6933)",
           nullable=False),
    Column("old_area_m2", "double precision", "area of the old Planungsraum, m² (EPSG:6933)",
           nullable=False),
    Column("raw_share", "double precision", "intersection_m2 / old_area_m2", nullable=False),
    Column("share", "double precision", "the part of the old Planungsraum in the new one, "
           "slivers dropped, summing to 1 per old Planungsraum", nullable=False),
    Column("covered", "double precision", "part of the old area inside any LOR 2021 "
           "Planungsraum (per old Planungsraum)", nullable=False),
    Column("sliver_share", "double precision", "part of the old area dropped as slivers (per "
           "old Planungsraum)", nullable=False),
    Column("new_payload_sha256", "text", "payload of the LOR 2021 layer", nullable=False),
    Column("method", "text", "how the share was computed", nullable=False),
), ("old_payload_sha256", "old_code", "new_code"),
    "Old LOR Planungsräume on LOR 2021 Planungsräume by area share")


def _layers(wh) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The newest LOR 2021 Planungsraum payload, and every old Planungsraum payload with its
    manifest period."""
    new = wh.read_frame(sql_file(__file__, "dim_area_geometry_payloads.sql",
                                 staging=LOR_GEOMETRY.staging.qualified),
                        source=LOR_GEOMETRY.source_id)
    old = wh.read_frame(sql_file(__file__, "lor_crosswalk_editions.sql",
                                 staging=LOR_OLD_GEOMETRY.staging.qualified),
                        source=LOR_OLD_GEOMETRY.source_id, level=PLANUNGSRAUM)
    return new[new["level"] == PLANUNGSRAUM], old


def _shapes(wh, staging, payload: str) -> pd.DataFrame:
    return wh.read_frame(f"SELECT code, name, layer, crs, geometry_wkt FROM "
                         f"{staging.qualified} WHERE payload_sha256 = :p AND level = :level "
                         "ORDER BY code", p=payload, level=PLANUNGSRAUM)


def crosswalk_frames(wh) -> Iterator[pd.DataFrame]:
    new_payloads, editions = _layers(wh)
    if not len(new_payloads):
        return
    new_payload = new_payloads["payload_sha256"].iloc[0]
    new = _shapes(wh, LOR_GEOMETRY.staging, new_payload)
    new_geometries = measure.reproject(measure.from_wkt(new["geometry_wkt"]),
                                       new["crs"].iloc[0], OVERLAY_CRS)
    for edition in editions.itertuples(index=False):
        old = _shapes(wh, LOR_OLD_GEOMETRY.staging, edition.payload_sha256)
        old_geometries = measure.reproject(measure.from_wkt(old["geometry_wkt"]),
                                           old["crs"].iloc[0], OVERLAY_CRS)
        shares = area_shares(old["code"], old_geometries, new["code"], new_geometries,
                             OVERLAY_CRS, MIN_SHARE)
        names = old.set_index("code")["name"]
        yield pd.DataFrame({
            "old_payload_sha256": edition.payload_sha256, "old_layer": old["layer"].iloc[0],
            "valid_from": edition.period_start, "valid_to": edition.period_end,
            "old_code": shares["old_key"], "old_name": shares["old_key"].map(names),
            "new_area_key": keys.BERLIN_PREFIX + shares["new_key"],
            "new_code": shares["new_key"], "intersection_m2": shares["intersection_m2"],
            "old_area_m2": shares["old_area_m2"], "raw_share": shares["raw_share"],
            "share": shares["share"], "covered": shares["covered"],
            "sliver_share": shares["sliver_share"], "new_payload_sha256": new_payload,
            "method": METHOD})


def _summary(wh, relation: str) -> dict:
    editions = wh.read_frame(
        f"SELECT old_layer, valid_from, valid_to, count(DISTINCT old_code) AS old_units, "
        f"count(DISTINCT new_code) AS new_units, count(*) AS pairs, "
        f"count(DISTINCT old_code) FILTER (WHERE share < 1) AS split_units, "
        f"round(min(covered)::numeric, 6) AS min_covered, "
        f"round(max(sliver_share)::numeric, 6) AS max_sliver_share FROM {relation} "
        "GROUP BY 1, 2, 3 ORDER BY 2")
    return {"editions": dg.MetadataValue.md(md_table(editions))}


LOR_CROSSWALK = FrameTable(
    key=KEY, table=TABLE, frame=None, frames=crosswalk_frames,
    deps=[LOR_GEOMETRY.staging_key, LOR_OLD_GEOMETRY.staging_key],
    description="Old LOR Planungsräume (2006–2020, per edition) on LOR 2021 Planungsräume: "
                "the share of each old Planungsraum's area in each new one, from the shapes.",
    group="core", summary=_summary)

EXPECTATIONS = (
    q.compound_unique(["old_payload_sha256", "old_code", "new_code"]),
    *[q.not_null(c.name) for c in TABLE.columns if not c.nullable],
    q.between("share", MIN_SHARE, 1 + SHARE_TOLERANCE),
    q.between("covered", 0.99, 1.001),
    q.between("sliver_share", 0, 0.01),
)
LOR_CROSSWALK_SUITE = TableCheck(
    KEY, GX_SUITE_CHECK, f"Great Expectations suite for {TABLE.label}: "
    + "; ".join(e.label for e in EXPECTATIONS),
    lambda audit: suite_result(audit, list(EXPECTATIONS)))

LOR_CROSSWALK_CHECK = integrity_check(KEY, TABLE, refs=(
    references("new_area_key", DIM_AREA, "area_key", DIM_AREA_KEY,
               f"p.level = '{keys.UNIT}' AND p.city = '{keys.BERLIN}'",
               "a LOR 2021 Planungsraum"),
))


def _shares_sum_to_one(audit: Audit) -> dg.AssetCheckResult:
    found = audit.wh.read_frame(sql_file(__file__, "lor_crosswalk_sums.sql",
                                         crosswalk=audit.relation,
                                         old_staging=LOR_OLD_GEOMETRY.staging.qualified),
                                level=PLANUNGSRAUM, tolerance=SHARE_TOLERANCE)
    bad = found[~found["ok"].astype(bool)]
    return dg.AssetCheckResult(
        passed=len(bad) == 0, severity=dg.AssetCheckSeverity.ERROR,
        description=(f"{len(bad)} old Planungsraum(s) whose shares do not sum to 1, or that "
                     "are missing: " + ", ".join(f"{r.old_code} ({r.problem})"
                                                for r in bad.head(5).itertuples())
                     if len(bad) else "the shares of every old Planungsraum of every "
                     "edition sum to 1"),
        metadata={"problems": dg.MetadataValue.md(md_table(bad.head(20)) if len(bad)
                                                  else "none")})


SHARES_SUM_TO_ONE = TableCheck(
    KEY, "shares_sum_to_one", "Every old Planungsraum of every staged edition is in the "
    f"crosswalk, and its shares sum to 1 (within {SHARE_TOLERANCE}).", _shares_sum_to_one,
    reads=(LOR_OLD_GEOMETRY.staging_key,))

