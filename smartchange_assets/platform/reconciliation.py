"""The ``payload_reconciliation`` gate: every source row of every payload is accounted for.

Per payload ``source_rows = staged + no_data + quarantined``; a payload fails above the
source's quarantined share (exact duplicates lose nothing and do not count) or with an
unreadable key column; an unreadable payload fails with the parser's message, which names the
source, the file and where possible the row and column.
"""

import dagster as dg
import pandas as pd

from smartchange_assets.platform import partition_load
from smartchange_assets.platform.markdown import md_table
from smartchange_assets.platform.parsing import DUPLICATE, UNREADABLE
from smartchange_assets.platform.partitions import run_window
from smartchange_assets.platform.resources import WarehouseResource
from smartchange_assets.platform.spec import RECONCILIATION_CHECK, SourceSpec

# the payloads of a source with their manifest facts (allowance, period)
_RECONCILIATION_SQL = """
SELECT
    r.*,
    a.quarantine_allowance,
    a.allowance_reason,
    p.period_start,
    p.period_end
FROM raw.payload_reconciliation AS r
LEFT JOIN LATERAL (
    SELECT
        max(m.quarantine_allowance) AS quarantine_allowance,
        max(m.allowance_reason) AS allowance_reason
    FROM raw.landing_manifest AS m
    WHERE m.source = r.source AND m.sha256 = r.payload_sha256
) AS a ON true
LEFT JOIN LATERAL (
    SELECT m.period_start, m.period_end
    FROM raw.landing_manifest AS m
    WHERE m.source = r.source AND m.sha256 = r.payload_sha256
    ORDER BY m.fetched_at, m.id
    LIMIT 1
) AS p ON true
WHERE r.source = :s
ORDER BY r.file_name
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
    return problems


def _number(value) -> float:
    return 0.0 if value is None or value != value else float(value)


def reconciliation_check(spec: SourceSpec) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=spec.staging_key, name=RECONCILIATION_CHECK, blocking=True,
        description=(f"Every row of every {spec.source_id} payload is staged, counted as the "
                     f"publisher's no-data, or quarantined with a reason; a payload fails above "
                     f"{spec.max_quarantine_share:.0%} quarantined or with an unreadable key "
                     f"column ({', '.join(spec.key_columns)})."))
    def check(context: dg.AssetCheckExecutionContext,
              warehouse: WarehouseResource) -> dg.AssetCheckResult:
        wh = warehouse.get()
        window = run_window(context, spec.partitions)
        recon = wh.read_frame(_RECONCILIATION_SQL, s=spec.source_id)
        if window is not None and not window.covers_all:  # what this run's partitions read
            recon = recon[[window.overlaps(a, b) for a, b in
                           zip(recon["period_start"], recon["period_end"])]]
        recon = recon.drop(columns=["period_start", "period_end"])
        quarantine = wh.read_frame(
            "SELECT payload_sha256, file_name, source_row, column_name, kind, reason, raw_record"
            " FROM raw.quarantine WHERE source = :s ORDER BY file_name, source_row",
            s=spec.source_id)
        quarantine = quarantine[quarantine["payload_sha256"].isin(set(recon["payload_sha256"]))]
        problems = reconciliation_findings(spec, recon, quarantine)
        partition_meta = {}
        if window is not None:
            more, counts = partition_load.partition_findings(wh, spec, window, recon)
            problems += more
            partition_meta = {"partitions": dg.MetadataValue.text(window.label),
                              **{k: dg.MetadataValue.int(v) for k, v in counts.items()}}
        return dg.AssetCheckResult(
            passed=not problems,
            severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(problems[:5]) if problems else "all payloads reconcile",
            metadata={
                "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems)
                                                or "none"),
                "payloads": dg.MetadataValue.md(md_table(recon.drop(columns=["source"]))
                                                if len(recon) else "none"),
                "quarantined_rows": dg.MetadataValue.int(len(quarantine)),
                "quarantine_sample": dg.MetadataValue.md(
                    md_table(quarantine.drop(columns=["payload_sha256"]).head(15))
                    if len(quarantine) else "none"),
                **partition_meta,
            })

    return check
