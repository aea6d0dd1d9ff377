"""The share of each old area in each new one, by area overlap (a crosswalk between editions).

For every old polygon, the new polygons it intersects (STRtree) and the area of each
intersection, in square metres computed in the equal-area CRS (:mod:`.measure`). Two editions of
one boundary set are digitised differently by a few metres, so an old area also touches its new
neighbours along every shared edge: intersections below ``min_share`` of the old area are such
slivers and are dropped; the kept shares are scaled to sum to exactly 1 per old area, and the
dropped part is reported (``sliver_share``) next to ``covered`` (the part of the old area lying
in any new area at all).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from smartchange_assets.geo import measure


def area_shares(old_keys, old_geometries, new_keys, new_geometries, crs: str,
                min_share: float) -> pd.DataFrame:
    """One row per kept (old, new) pair: ``old_key, new_key, intersection_m2, old_area_m2,
    raw_share`` (intersection / old area), ``share`` (scaled to sum to 1 per old key),
    ``covered`` and ``sliver_share`` (per old key). Both geometry sets are in ``crs``."""
    old_geometries = np.asarray(old_geometries, dtype=object)
    new_geometries = np.asarray(new_geometries, dtype=object)
    tree = shapely.STRtree(new_geometries)
    o, n = tree.query(old_geometries, predicate="intersects")
    pieces = shapely.intersection(old_geometries[o], new_geometries[n])
    old_area = measure.equal_area_m2(old_geometries, crs)
    pairs = pd.DataFrame({"old_key": np.asarray(old_keys, dtype=object)[o],
                          "new_key": np.asarray(new_keys, dtype=object)[n],
                          "intersection_m2": measure.equal_area_m2(pieces, crs),
                          "old_area_m2": old_area[o]})
    pairs["raw_share"] = pairs["intersection_m2"] / pairs["old_area_m2"]
    per_old = pairs.groupby("old_key")["raw_share"]
    pairs["covered"] = per_old.transform("sum")
    kept = pairs[pairs["raw_share"] >= min_share].copy()
    kept_sum = kept.groupby("old_key")["raw_share"].transform("sum")
    kept["sliver_share"] = kept["covered"] - kept_sum
    kept["share"] = kept["raw_share"] / kept_sum
    missing = sorted(set(np.asarray(old_keys, dtype=object)) - set(kept["old_key"]))
    if missing:
        raise ValueError(f"old areas without any new area of at least {min_share:.1%}: "
                         f"{missing[:10]}")
    return kept.sort_values(["old_key", "new_key"]).reset_index(drop=True)
