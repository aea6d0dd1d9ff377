"""The staging engine: every active payload of a source through its pure parser, into the
staging table, the quarantine and the per-payload reconciliation, in one transaction.

No Dagster here: :mod:`.source_assets` calls :func:`stage_payloads` and :func:`write_staged`
from the staging asset, and tests call them directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from smartchange_assets.platform import partition_load
from smartchange_assets.platform.copy_loader import copy_frame_sqlalchemy
from smartchange_assets.platform.landing import Payload
from smartchange_assets.platform.parsing import QUARANTINE_COLUMNS, ParseError, conform
from smartchange_assets.platform.partitions import PartitionWindow
from smartchange_assets.platform.spec import SourceSpec

QUARANTINE_FRAME_COLUMNS = ["source", "payload_sha256", "file_name", *QUARANTINE_COLUMNS]


@dataclass
class StagedSource:
    staged: pd.DataFrame
    quarantine: pd.DataFrame
    reconciliation: pd.DataFrame
    # partitioned loads: staged rows per (partition, payload) of the run
    partition_rows: pd.DataFrame | None = None


def stage_payloads(spec: SourceSpec, payloads: list[Payload]) -> StagedSource:
    staged, quarantined, recon = [], [], []
    for p in payloads:
        try:
            result = spec.parser(p.content, p.file_name)
            result.reconcile()
        except ParseError as exc:
            # an unreadable payload is recorded, not raised: the blocking check reports it with
            # the parser's message (source, file, row, column) and the other payloads still stage
            recon.append(reconciliation_row(spec, p, None, 0, 0, 0,
                                            str(exc.for_source(spec.source_id))))
            continue
        except AssertionError as exc:  # rows that do not add up (ParseResult.reconcile)
            recon.append(reconciliation_row(spec, p, None, 0, 0, 0,
                                            f"{spec.source_id}: {p.file_name}: {exc}"))
            continue
        if len(result.staged):  # a payload without rows may not name its columns: skip it
            frame = result.staged.copy()
            frame.insert(0, "payload_sha256", p.sha256)
            staged.append(frame)
        q = result.quarantine.copy()
        q.insert(0, "file_name", p.file_name)
        q.insert(0, "payload_sha256", p.sha256)
        q.insert(0, "source", spec.source_id)
        quarantined.append(q)
        recon.append(reconciliation_row(spec, p, result.source_rows, len(result.staged),
                                        result.no_data, len(result.quarantine), None))
    columns = spec.staging.column_names
    staged_df = (pd.concat(staged, ignore_index=True) if staged
                 else pd.DataFrame(columns=columns))
    q_df = (pd.concat([q for q in quarantined if len(q)], ignore_index=True)
            if any(len(q) for q in quarantined) else pd.DataFrame(columns=QUARANTINE_FRAME_COLUMNS))
    return StagedSource(staged_df, q_df[QUARANTINE_FRAME_COLUMNS], pd.DataFrame(recon))


def stage(spec: SourceSpec, payloads: list[Payload], wh) -> StagedSource:
    """Parse the payloads, apply the spec's transform (it must keep every row) and type the
    staged rows by the staging table's spec, the one place column types are declared."""
    result = stage_payloads(spec, payloads)
    if spec.transform is not None and len(result.staged):
        before = len(result.staged)
        result.staged = spec.transform(result.staged, wh)
        if len(result.staged) != before:
            raise RowsLostError(f"{spec.source_id}: transform changed the row count "
                                f"({before} -> {len(result.staged)}); rows must not vanish")
    result.staged = conform(result.staged, spec.staging.columns, spec.source_id)
    return result


class RowsLostError(RuntimeError):
    """A step after parsing dropped or added rows."""


def reconciliation_row(spec: SourceSpec, p: Payload, source_rows, staged, no_data, quarantined,
                       error) -> dict:
    return {"source": spec.source_id, "payload_sha256": p.sha256, "file_name": p.file_name,
            "source_rows": source_rows, "staged": staged, "no_data": no_data,
            "quarantined": quarantined, "error": error}


def write_staged(wh, spec: SourceSpec, result: StagedSource,
                 window: PartitionWindow | None = None) -> int:
    """Swap in the staging table and replace the source's quarantine and reconciliation rows
    in the same transaction; for a partitioned source, only the window's partitions."""
    if window is not None:
        return _write_partitions(wh, spec, result, window)

    def bookkeeping(conn: sa.Connection) -> None:
        for table in ("raw.quarantine", "raw.payload_reconciliation"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE source = :s"),
                         {"s": spec.source_id})
        if len(result.quarantine):
            copy_frame_sqlalchemy(conn, "raw.quarantine", result.quarantine)
        if len(result.reconciliation):
            copy_frame_sqlalchemy(conn, "raw.payload_reconciliation", result.reconciliation)

    return wh.replace_table(spec.staging, result.staged, also=bookkeeping)


def _write_partitions(wh, spec: SourceSpec, result: StagedSource,
                      window: PartitionWindow) -> int:
    recon = result.reconciliation
    file_names = dict(zip(recon["payload_sha256"], recon["file_name"])) if len(recon) else {}
    rows, partition_rows = partition_load.split_by_partition(spec, result.staged, window,
                                                             file_names)
    result.partition_rows = partition_rows

    def bookkeeping(conn: sa.Connection) -> None:
        partition_load.replace_bookkeeping(conn, spec, window, list(file_names), recon,
                                           result.quarantine, partition_rows)

    if window.covers_all:  # a full refresh: build the table anew and swap it in
        return wh.replace_table(spec.staging, rows, also=bookkeeping)
    return wh.replace_partition(spec.staging, rows, partition_load.row_filter(spec, window),
                                window.params, also=bookkeeping)


def rows_per_partition(partition_rows: pd.DataFrame | None) -> dict[str, int]:
    """Staged rows per partition key of one run (for the materialisation's metadata)."""
    if partition_rows is None or not len(partition_rows):
        return {}
    return {str(k): int(v) for k, v in
            partition_rows.groupby("partition_key")["staged"].sum().items()}
