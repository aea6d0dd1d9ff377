"""The ``payload_reconciliation`` gate: every source row of every payload is accounted for.

Per payload ``source_rows = staged + no_data + quarantined``; a payload fails above the
source's quarantined share (exact duplicates lose nothing and do not count) or with an
unreadable key column; an unreadable payload fails with the parser's message, which names the
source, the file and where possible the row and column.
"""

import dagster as dg
import pandas as pd

from smartchange_assets.platform import partition_load, pii
from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.markdown import md_table
from smartchange_assets.platform.parsing import DUPLICATE, UNREADABLE
from smartchange_assets.platform.spec import RECONCILIATION_CHECK, SourceSpec
from smartchange_assets.platform.staging import published_load

# per payload of a source: the stated quarantine allowance and the period of its first landing
_MANIFEST_SQL = """
SELECT DISTINCT ON (m.sha256)
    m.sha256 AS payload_sha256,
    a.quarantine_allowance,
    a.allowance_reason,
    m.period_start,
    m.period_end
FROM raw.landing_manifest AS m
INNER JOIN (
    SELECT
        sha256,
        max(quarantine_allowance) AS quarantine_allowance,
        max(allowance_reason) AS allowance_reason
    FROM raw.landing_manifest
    WHERE source = :s
    GROUP BY sha256
) AS a ON a.sha256 = m.sha256
WHERE m.source = :s
ORDER BY m.sha256, m.fetched_at, m.id
"""


def reconciliation_findings(spec: SourceSpec, recon: pd.DataFrame,
                            quarantine: pd.DataFrame) -> list[str]:
    """Why a source's payloads fail the reconciliation gate (empty list: they pass).

    The quarantine share counts unreadable and inconsistent rows; exact duplicates lose nothing
    and are reported without counting.
    """
    problems = []
    if recon.empty and not spec.optional:
        problems.append(f"{spec.source_id}: no active payloads to stage")
    counted = (quarantine[quarantine["kind"] != DUPLICATE]
               .groupby("payload_sha256").size() if len(quarantine) else pd.Series(dtype=int))
    for r in recon.itertuples():
        if r.error:
            problems.append(f"{r.error}")
            continue
        total = r.staged + r.no_data + r.quarantined
        if total != r.source_rows:
            problems.append(f"{spec.source_id}: {r.file_name}: staged {r.staged} + no-data "
                            f"{r.no_data} + quarantined {r.quarantined} != {r.source_rows}")
        bad = int(counted.get(r.payload_sha256, 0))
        allowed = max(spec.max_quarantine_share, _number(r.quarantine_allowance))
        if r.source_rows and bad / r.source_rows > allowed:
            problems.append(
                f"{spec.source_id}: {r.file_name}: {bad} of {r.source_rows} rows quarantined "
                f"as unreadable or inconsistent ({bad / r.source_rows:.1%} > {allowed:.0%})")
    if len(quarantine):
        fatal = quarantine[quarantine["column_name"].isin(spec.key_columns)
                           & (quarantine["kind"] == UNREADABLE)]
        for q in fatal.head(20).itertuples():
            problems.append(f"{spec.source_id}: {q.file_name}: row {q.source_row}, column "
                            f"{q.column_name!r}: {q.reason} (key column unreadable)")
    # a reason may quote the value it could not read: what reaches the UI and the alerts goes
    # through the personal-data redaction first
    return [pii.redact(p) for p in problems]


def shown(recon: pd.DataFrame) -> pd.DataFrame:
    """Reconciliation rows as the UI shows them: an error message quoting a value it could not
    read goes through the personal-data redaction."""
    return recon.drop(columns=["source"]).assign(
        error=lambda f: f["error"].map(lambda e: pii.redact(e) if isinstance(e, str) else e))


def _number(value) -> float:
    return 0.0 if value is None or value != value else float(value)


def reconciliation_check(spec: SourceSpec) -> TableCheck:
    """The blocking ``payload_reconciliation`` check of a source's staging table, on the
    load under audit (its bookkeeping is in the audit's context) or on what is published."""
    return TableCheck(
        spec.staging_key, RECONCILIATION_CHECK,
        f"Every row of every {spec.source_id} payload is staged, counted as the publisher's "
        f"no-data, or quarantined with a reason; a payload fails above "
        f"{spec.max_quarantine_share:.0%} quarantined or with an unreadable key column "
        f"({', '.join(spec.key_columns)}).",
        lambda audit: _evaluate(spec, audit))


def _evaluate(spec: SourceSpec, audit: Audit) -> dg.AssetCheckResult:
    wh, window = audit.wh, audit.window
    load = audit.context.get("load") or published_load(wh, spec, window)
    manifest = wh.read_frame(_MANIFEST_SQL, s=spec.source_id)
    recon = load.reconciliation.merge(manifest, on="payload_sha256", how="left")
    if audit.published and window is not None and not window.covers_all:
        # a published table: the payloads this window's run read
        recon = recon[[window.overlaps(a, b) for a, b in
                       zip(recon["period_start"], recon["period_end"])]]
    recon = recon.drop(columns=["period_start", "period_end"])
    quarantine = load.quarantine[load.quarantine["payload_sha256"].isin(
        set(recon["payload_sha256"]))]
    problems = reconciliation_findings(spec, recon, quarantine)
    partition_meta = {}
    if window is not None:
        more, counts = partition_load.partition_findings(
            wh, spec, window, recon, load.partition_rows, audit.relation, audit.row_filter)
        problems += more
        partition_meta = {"partitions": dg.MetadataValue.text(window.label),
                          **{k: dg.MetadataValue.int(v) for k, v in counts.items()}}
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(problems[:5]) if problems else "all payloads reconcile",
        metadata={
            "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems) or "none"),
            "payloads": dg.MetadataValue.md(md_table(shown(recon)) if len(recon) else "none"),
            "quarantined_rows": dg.MetadataValue.int(len(quarantine)),
            # hashes and row numbers, not the records: a raw record may hold personal data
            "quarantine_sample": dg.MetadataValue.md(
                md_table(quarantine[["file_name", "source_row", "column_name", "kind",
                                     "reason"]].head(15)
                         .assign(reason=lambda f: f["reason"].map(pii.redact)))
                if len(quarantine) else "none"),
            **partition_meta,
        })
