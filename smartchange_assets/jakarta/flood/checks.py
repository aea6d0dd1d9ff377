"""The ``evacuee_columns`` check: are casualty/evacuee columns where their headers say?

docs/sources/jakarta-flood.md §4 names two payloads whose numbers contradict their headers: in
F1 (2020 Q1)
``jumlah_luka_ringan`` (light injuries) equals ``jumlah_terdampak_jiwa`` (people affected) in 98
non-zero rows; in F2 (2023) ``jumlah_pengungsi`` (evacuees) is 0-3 while
``jumlah_tempat_pengungsian`` (shelters) is 7-179. The values are staged as published, never
repaired; the parser marks payloads of those layouts ``evacuee_columns_suspect``.

This check measures every payload afresh and compares the measurement with the mark:

* *injured looks like people affected*: of the rows with ``injured > 0``, at least half have
  ``injured == affected_people``;
* *evacuees and shelters look swapped*: of the rows with either > 0, at least half have more
  shelters than evacuees (a shelter holds people, so fewer shelters than evacuees is normal).

A rule needs :data:`MIN_EVIDENCE_ROWS` rows to give a verdict. The check fails (severity WARN)
when a payload looks suspect but is not marked (a new release went wrong unnoticed) or is marked
but no longer looks suspect (the publisher fixed the columns; the mark is stale). The numbers of
every payload are in its metadata.

Not blocking, on purpose: the rows are exactly what the publisher released and every other gate
has passed; what is in doubt is the meaning of four columns, which needs a person to read the
publisher's release, not a halt of the area resolution and marts downstream.
"""

import dagster as dg
import pandas as pd

from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.markdown import md_table

CHECK_NAME = "evacuee_columns"
MIN_EVIDENCE_ROWS = 5
SHARE = 0.5

EVIDENCE_COLUMNS = ["file_name", "rows", "flagged", "injured_rows", "injured_eq_affected",
                    "injured_looks_like_affected", "evacuee_rows", "sites_gt_evacuees",
                    "evacuees_range", "sites_range", "evacuees_look_swapped", "looks_suspect",
                    "agrees"]


def evacuee_evidence(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per payload of a staged flood frame: the measurements and the verdicts.

    ``frame`` needs payload_sha256 (and optionally file_name), injured, affected_people,
    displaced_people, evacuation_sites and evacuee_columns_suspect."""
    out = []
    for sha, rows in frame.groupby("payload_sha256", sort=True):
        injured = rows[rows["injured"].fillna(0) > 0]
        same = int((injured["injured"] == injured["affected_people"]).sum())
        evac = rows[(rows["displaced_people"].fillna(0) > 0)
                    | (rows["evacuation_sites"].fillna(0) > 0)]
        more_sites = int((evac["evacuation_sites"].fillna(0)
                          > evac["displaced_people"].fillna(0)).sum())
        injured_verdict = _verdict(same, len(injured))
        evac_verdict = _verdict(more_sites, len(evac))
        verdicts = [v for v in (injured_verdict, evac_verdict) if v is not None]
        suspect = any(verdicts) if verdicts else None
        flagged = bool(rows["evacuee_columns_suspect"].any())
        out.append({
            "payload_sha256": sha,
            "file_name": rows["file_name"].iloc[0] if "file_name" in rows else None,
            "rows": len(rows), "flagged": flagged,
            "injured_rows": len(injured), "injured_eq_affected": same,
            "injured_looks_like_affected": injured_verdict,
            "evacuee_rows": len(evac), "sites_gt_evacuees": more_sites,
            "evacuees_range": _range(evac["displaced_people"]),
            "sites_range": _range(evac["evacuation_sites"]),
            "evacuees_look_swapped": evac_verdict,
            "looks_suspect": suspect,
            # too little evidence either way never contradicts the mark
            "agrees": suspect is None or suspect == flagged,
        })
    return pd.DataFrame(out, columns=["payload_sha256", *EVIDENCE_COLUMNS])


def _verdict(hits: int, rows: int) -> bool | None:
    return None if rows < MIN_EVIDENCE_ROWS else hits / rows >= SHARE


def _range(values: pd.Series) -> str | None:
    values = values.dropna()
    return f"{int(values.min())}-{int(values.max())}" if len(values) else None


def describe(evidence: pd.DataFrame) -> str:
    """One line per payload that looks suspect or disagrees with its mark."""
    lines = []
    for r in evidence.itertuples():
        if not r.looks_suspect and r.agrees:
            continue
        why = []
        if r.injured_looks_like_affected:
            why.append(f"injured == affected_people in {r.injured_eq_affected} of "
                       f"{r.injured_rows} rows with injured > 0")
        if r.evacuees_look_swapped:
            why.append(f"more shelters than evacuees in {r.sites_gt_evacuees} of "
                       f"{r.evacuee_rows} rows (shelters {r.sites_range}, evacuees "
                       f"{r.evacuees_range})")
        state = ("marked evacuee_columns_suspect" if r.agrees else
                 "NOT marked evacuee_columns_suspect" if r.looks_suspect else
                 "marked suspect but the numbers look sound now (stale mark?)")
        lines.append(f"{r.file_name or r.payload_sha256[:12]}: {'; '.join(why) or 'no sign'} "
                     f"-> {state}")
    return "; ".join(lines) or "no payload looks suspect"


def evacuee_columns_check(spec) -> TableCheck:
    """Factory for ``SourceSpec.extra_checks``: the check on the spec's staging table."""

    def evaluate(audit: Audit) -> dg.AssetCheckResult:
        wh = audit.wh
        # one payload at a time: memory is bounded by the largest payload, not the table
        payloads = wh.read_frame(
            f"SELECT p.payload_sha256, m.file_name FROM (SELECT DISTINCT payload_sha256"
            f" FROM {audit.relation}) p LEFT JOIN (SELECT DISTINCT ON (sha256) sha256,"
            f" file_name FROM raw.landing_manifest WHERE source = :s ORDER BY sha256,"
            f" fetched_at) m ON m.sha256 = p.payload_sha256 ORDER BY p.payload_sha256",
            s=spec.source_id)
        per_payload = []
        for sha, file_name in payloads.itertuples(index=False):
            frame = wh.read_frame(
                f"SELECT payload_sha256, injured, affected_people, displaced_people,"
                f" evacuation_sites, evacuee_columns_suspect FROM {audit.relation}"
                f" WHERE payload_sha256 = :sha", sha=sha)
            frame = frame.astype({c: "Float64" for c in (
                "injured", "affected_people", "displaced_people", "evacuation_sites")})
            per_payload.append(evacuee_evidence(frame.assign(file_name=file_name)))
        evidence = (pd.concat(per_payload, ignore_index=True) if per_payload
                    else evacuee_evidence(pd.DataFrame(columns=[
                        "payload_sha256", "file_name", "injured", "affected_people",
                        "displaced_people", "evacuation_sites", "evacuee_columns_suspect"])))
        disagree = evidence[~evidence["agrees"]]
        return dg.AssetCheckResult(
            passed=disagree.empty,
            severity=dg.AssetCheckSeverity.WARN,
            description=describe(evidence),
            metadata={
                "payloads_suspect": dg.MetadataValue.int(int(
                    evidence["looks_suspect"].fillna(False).astype(bool).sum())),
                "payloads_disagreeing": dg.MetadataValue.int(len(disagree)),
                "evidence": dg.MetadataValue.md(md_table(
                    evidence.drop(columns=["payload_sha256"])) if len(evidence) else "none"),
            })

    return TableCheck(
        spec.staging_key, CHECK_NAME,
        ("Casualty/evacuee columns measured per payload (injured equal to people "
         "affected; more shelters than evacuees) against the parser's "
         "evacuee_columns_suspect mark; warns when they disagree. Not blocking: "
         "the rows are as published, the columns' meaning needs a person."),
        evaluate, blocking=False)
