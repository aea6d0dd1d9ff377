"""Checks tying the population keys to the LOR table of their version (blocking).

* ``plr_in_lor``: every ``LOR2021`` Planungsraum key of ``staging.berlin_population`` is a
  Planungsraum of LOR 2021 in ``staging.berlin_admin_areas``. ``LOR_OLD`` keys (the pre-2021
  scheme) are reported as not resolvable and do not fail the check: there is no LOR table of
  that version, and no official crosswalk to LOR 2021 exists, only area-weighted ones
  (docs/sources/berlin-lor.md §2) – joining an old key to a 2021 key that looks the same
  would be wrong.
* ``plr_coverage``: a payload that lists a Bezirk lists every Planungsraum of it. A download
  cut at a line break (no ``Content-Length`` to betray it) or an excerpt cut mid-Bezirk leaves
  a Bezirk incomplete, and its totals would silently be too low. The Planungsräume expected:
  for ``LOR2021`` those of the LOR 2021 table; for ``LOR_OLD`` (no code list in the platform)
  every key an old-LOR payload of the same or an earlier reference date lists – old-LOR keys
  were added (09041403 from 2019) but never retired (docs/sources/berlin-population.md §4), so
  only a cut in the earliest old-LOR payload would go unseen; keys first listed after the
  earliest payload are named in the metadata. A Planungsraum the payload lists as the
  publisher's no-data row (every count missing: nothing staged) is listed, not a gap: the
  payloads with gaps are read again and their parser's ``no_data_plr`` notes excuse those
  (the 2025 file lists 03400831 and 06200418 without data).

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
from smartchange_assets.platform.landing import LandingArchive

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
    """Planungsräume absent from a payload that lists other Planungsräume of their Bezirk:
    LOR 2021 ones by the LOR table, old-LOR ones by the keys of the same or earlier old-LOR
    payloads (columns payload_sha256, lor_version, bez, plr_code)."""
    return wh.read_frame(
        f"WITH present AS (SELECT DISTINCT payload_sha256, lor_version, reference_date, bez,"
        f"   plr_code FROM {population_table}),"
        f" listed AS (SELECT DISTINCT payload_sha256, lor_version, reference_date, bez"
        f"   FROM present),"
        f" expected AS (SELECT :v AS lor_version, bezirk_code AS bez, code AS plr_code,"
        f"   NULL::date AS since FROM {LOR.staging.qualified} WHERE lor_version = :v"
        f"   AND level = :level GROUP BY bezirk_code, code"
        f"   UNION ALL SELECT lor_version, bez, plr_code, min(reference_date) FROM present"
        f"   WHERE lor_version = :old GROUP BY lor_version, bez, plr_code)"
        f" SELECT l.payload_sha256, l.lor_version, l.bez, e.plr_code"
        f" FROM listed l JOIN expected e ON e.lor_version = l.lor_version AND e.bez = l.bez"
        f"   AND (e.since IS NULL OR e.since <= l.reference_date)"
        f" WHERE NOT EXISTS (SELECT 1 FROM present p WHERE p.payload_sha256 = l.payload_sha256"
        f"   AND p.plr_code = e.plr_code)"
        f" ORDER BY l.payload_sha256, e.plr_code", v=LOR2021, old=LOR_OLD, level=PLR_LEVEL)


def old_keys_added_later(wh, population_table: str) -> list[str]:
    """Old-LOR keys first listed after the earliest old-LOR reference date, with that date."""
    frame = wh.read_frame(
        f"SELECT plr_code, min(reference_date) AS since FROM {population_table}"
        f" WHERE lor_version = :old GROUP BY plr_code"
        f" HAVING min(reference_date) > (SELECT min(reference_date) FROM {population_table}"
        f"   WHERE lor_version = :old) ORDER BY plr_code", old=LOR_OLD)
    return [f"{r.plr_code} (from {r.since})" for r in frame.itertuples()]


def listed_without_data(wh, spec, shas: set[str]) -> dict[str, set[str]]:
    """Per payload: the Planungsräume it lists as the publisher's no-data rows, read again
    from the archive (one payload at a time; only the payloads with gaps)."""
    listed = {}
    for payload in LandingArchive(wh).active_payloads(spec.source_id):
        if payload.sha256 in shas:
            notes = spec.parser(payload.read(), payload.file_name).notes
            listed[payload.sha256] = set(notes.get("no_data_plr", ()))
    return listed


def plr_coverage_check(spec) -> TableCheck:
    def evaluate(audit: Audit) -> dg.AssetCheckResult:
        wh = audit.wh
        if (missing := _lor_missing(wh)) is not None:
            return missing
        gaps = missing_plr_per_bezirk(wh, audit.relation)
        no_data = listed_without_data(wh, spec, set(gaps["payload_sha256"]))
        excused = [code in no_data.get(sha, ()) for sha, code in
                   zip(gaps["payload_sha256"], gaps["plr_code"], strict=True)]
        files = wh.read_frame("SELECT DISTINCT sha256 AS payload_sha256, file_name FROM "
                              "raw.landing_manifest WHERE source = :s", s=spec.source_id)
        gaps = gaps.assign(excused=excused).merge(files.drop_duplicates("payload_sha256"),
                                                  how="left")
        real = gaps[~gaps["excused"]]
        summary = (real.groupby(["file_name", "bez"])["plr_code"].agg(list)
                   if len(real) else pd.Series(dtype=object))
        lines = [f"{file} Bezirk {bez}: {len(codes)} missing ({', '.join(codes[:10])})"
                 for (file, bez), codes in summary.items()]
        without_data = [f"{r.file_name}: {r.plr_code}" for r in
                        gaps[gaps["excused"]].itertuples()]
        added = old_keys_added_later(wh, audit.relation)
        return dg.AssetCheckResult(
            passed=not lines, severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(lines[:5]) if lines else
            "every Bezirk listed in a payload is complete"
            + (f" ({len(without_data)} Planungsräume listed without data)"
               if without_data else ""),
            metadata={"missing_planungsraeume": dg.MetadataValue.int(len(real)),
                      "gaps": dg.MetadataValue.md(_bullets(lines)),
                      "listed_without_data": dg.MetadataValue.md(_bullets(without_data)),
                      "lor_old_keys_added_later": dg.MetadataValue.md(_bullets(added))})

    return TableCheck(
        spec.staging_key, PLR_COVERAGE,
        (f"A payload that lists a Bezirk lists all of its Planungsräume ({LOR2021}: per "
         f"{LOR.staging.label}; {LOR_OLD}: every key of the same or an earlier old-LOR "
         "payload, old keys being never retired); a Planungsraum listed as the publisher's "
         "no-data row counts as listed. A cut download or excerpt is not taken for the "
         "whole Bezirk."),
        evaluate, blocking=True, reads=tuple([LOR.staging_key]))


def _bullets(items: list[str]) -> str:
    if not items:
        return "none"
    shown = "\n".join(f"- {i}" for i in items[:_SHOWN])
    return shown + (f"\n- … {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")
