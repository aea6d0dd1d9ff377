"""Checks tying the population keys to the LOR table of their version (blocking).

* ``plr_in_lor``: every ``LOR2021`` Planungsraum key of ``staging.berlin_population`` is a
  Planungsraum of LOR 2021 in ``staging.berlin_admin_areas``. ``LOR_OLD`` keys (the pre-2021
  scheme) are reported as not resolvable and do not fail the check: there is no LOR table of
  that version, and no official crosswalk to LOR 2021 exists, only area-weighted ones
  (docs/sources/berlin-lor.md §2) – joining an old key to a 2021 key that looks the same
  would be wrong.
* ``plr_coverage``: a ``LOR2021`` payload that lists a Bezirk lists every Planungsraum of it.
  A download cut at a line break (no ``Content-Length`` to betray it) or an excerpt cut
  mid-Bezirk leaves a Bezirk incomplete, and its totals would silently be too low.

Both are built from the population SourceSpec (``extra_checks``) and read the LOR staging
table, which is why the population staging asset lists it in ``extra_deps``.
"""

from __future__ import annotations

import dagster as dg
import pandas as pd

from smartchange_assets.berlin.lor.parser import PLR_LEVEL
from smartchange_assets.berlin.lor.source import SOURCE as LOR
from smartchange_assets.berlin.population.layout import LOR2021, LOR_OLD
from smartchange_assets.platform.audit import Audit, TableCheck

PLR_IN_LOR, PLR_COVERAGE = "plr_in_lor", "plr_coverage"
_SHOWN = 50


def _lor_missing(wh) -> dg.AssetCheckResult | None:
    if wh.table_exists(LOR.staging):
        return None
    return dg.AssetCheckResult(
        passed=False, severity=dg.AssetCheckSeverity.ERROR,
        description=f"{LOR.staging.label} does not exist: materialise {LOR.source_id} first")


def resolve_plr_keys(wh, population_table: str) -> pd.DataFrame:
    """One row per (lor_version, plr_code) of the population table, with ``resolved``."""
    return wh.read_frame(
        f"SELECT p.lor_version, p.plr_code, count(*) AS rows,"
        f"  bool_or(a.code IS NOT NULL) AS resolved"
        f" FROM {population_table} p LEFT JOIN (SELECT DISTINCT lor_version, code"
        f"   FROM {LOR.staging.qualified} WHERE level = :level) a"
        f"   ON a.lor_version = p.lor_version AND a.code = p.plr_code"
        f" GROUP BY p.lor_version, p.plr_code ORDER BY p.lor_version, p.plr_code",
        level=PLR_LEVEL)


def plr_in_lor_check(spec) -> TableCheck:
    def evaluate(audit: Audit) -> dg.AssetCheckResult:
        wh = audit.wh
        if (missing := _lor_missing(wh)) is not None:
            return missing
        keys = resolve_plr_keys(wh, audit.relation)
        new = keys[keys["lor_version"] == LOR2021]
        unresolved = new[~new["resolved"].astype(bool)]["plr_code"].tolist()
        old = keys[keys["lor_version"] != LOR2021]["plr_code"].tolist()
        return dg.AssetCheckResult(
            passed=not unresolved, severity=dg.AssetCheckSeverity.ERROR,
            description=(f"{len(new) - len(unresolved)} of {len(new)} {LOR2021} keys resolve; "
                         f"{len(old)} {LOR_OLD} keys not resolvable (no crosswalk)"
                         + (f"; unresolved {LOR2021}: {', '.join(unresolved[:10])}"
                            if unresolved else "")),
            metadata={
                "lor2021_keys": dg.MetadataValue.int(len(new)),
                "lor2021_unresolved": dg.MetadataValue.int(len(unresolved)),
                "lor2021_unresolved_keys": dg.MetadataValue.md(_bullets(unresolved)),
                "lor_old_keys_not_resolvable": dg.MetadataValue.int(len(old)),
                "lor_old_keys": dg.MetadataValue.md(_bullets(old)),
            })

    return TableCheck(
        spec.staging_key, PLR_IN_LOR,
        (f"Every {LOR2021} Planungsraum key resolves in {LOR.staging.label} "
         f"({LOR2021}). {LOR_OLD} keys are listed as not resolvable (no official "
         "crosswalk, only area-weighted ones) and do not fail the check."),
        evaluate, blocking=True, reads=tuple([LOR.staging_key]))


def missing_plr_per_bezirk(wh, population_table: str) -> pd.DataFrame:
    """LOR 2021 Planungsräume absent from a payload that lists other PLR of their Bezirk."""
    return wh.read_frame(
        f"WITH present AS (SELECT DISTINCT payload_sha256, bez, plr_code FROM"
        f"   {population_table} WHERE lor_version = :v),"
        f" lor AS (SELECT DISTINCT bezirk_code, code FROM {LOR.staging.qualified}"
        f"   WHERE lor_version = :v AND level = :level)"
        f" SELECT b.payload_sha256, b.bez, l.code AS plr_code"
        f" FROM (SELECT DISTINCT payload_sha256, bez FROM present) b"
        f" JOIN lor l ON l.bezirk_code = b.bez"
        f" WHERE NOT EXISTS (SELECT 1 FROM present p WHERE p.payload_sha256 = b.payload_sha256"
        f"   AND p.plr_code = l.code)"
        f" ORDER BY b.payload_sha256, l.code", v=LOR2021, level=PLR_LEVEL)


def plr_coverage_check(spec) -> TableCheck:
    def evaluate(audit: Audit) -> dg.AssetCheckResult:
        wh = audit.wh
        if (missing := _lor_missing(wh)) is not None:
            return missing
        gaps = missing_plr_per_bezirk(wh, audit.relation)
        files = wh.read_frame("SELECT DISTINCT sha256 AS payload_sha256, file_name FROM "
                              "raw.landing_manifest WHERE source = :s", s=spec.source_id)
        gaps = gaps.merge(files.drop_duplicates("payload_sha256"), how="left")
        summary = (gaps.groupby(["file_name", "bez"])["plr_code"].agg(list)
                   if len(gaps) else pd.Series(dtype=object))
        lines = [f"{file} Bezirk {bez}: {len(codes)} missing ({', '.join(codes[:10])})"
                 for (file, bez), codes in summary.items()]
        return dg.AssetCheckResult(
            passed=not lines, severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(lines[:5]) if lines else
            f"every Bezirk listed in a {LOR2021} payload is complete",
            metadata={"missing_planungsraeume": dg.MetadataValue.int(len(gaps)),
                      "gaps": dg.MetadataValue.md(_bullets(lines))})

    return TableCheck(
        spec.staging_key, PLR_COVERAGE,
        (f"A {LOR2021} payload that lists a Bezirk lists all of its Planungsräume "
         f"(per {LOR.staging.label}): a cut download or excerpt is not taken "
         "for the whole Bezirk."),
        evaluate, blocking=True, reads=tuple([LOR.staging_key]))


def _bullets(items: list[str]) -> str:
    if not items:
        return "none"
    shown = "\n".join(f"- {i}" for i in items[:_SHOWN])
    return shown + (f"\n- … {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")
