"""The staging engine: a source's payloads through its pure parser into a shadow of the staging
table, one payload at a time, with the quarantine and the per-payload reconciliation.

Streaming: each payload is read from the blob store, parsed, typed by the table spec
(:func:`~.parsing.conform`, the one place column types are declared), copied into the shadow
and released before the next one is read, so memory is bounded by the largest payload, not by
the source. The bookkeeping of the load (:class:`StagedLoad`: reconciliation rows, quarantined
rows, staged rows per partition) is small and stays in memory until it is published with the
table (:mod:`.source_assets`). No Dagster here.
"""

from __future__ import annotations

import csv
import gzip
import json
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree

import pandas as pd
import sqlalchemy as sa

from smartchange_assets.platform import partition_load
from smartchange_assets.platform.copy_loader import copy_frame_sqlalchemy
from smartchange_assets.platform.landing import Payload
from smartchange_assets.platform.parsing import QUARANTINE_COLUMNS, ParseError, conform
from smartchange_assets.platform.partitions import PartitionWindow
from smartchange_assets.platform.spec import SourceSpec
from smartchange_assets.platform.warehouse import Shadow

UNREADABLE_FORMS = (RecursionError, csv.Error, json.JSONDecodeError, UnicodeError,
                    zipfile.BadZipFile, gzip.BadGzipFile, EOFError, zlib.error,
                    ElementTree.ParseError)
QUARANTINE_FRAME_COLUMNS = ["source", "payload_sha256", "file_name", *QUARANTINE_COLUMNS]
RECON_COLUMNS = ["source", "payload_sha256", "file_name", "source_rows", "staged", "no_data",
                 "quarantined", "error"]


class RowsLostError(RuntimeError):
    """A step after parsing dropped or added rows."""


@dataclass
class ParsedPayload:
    """One payload after its parser: typed staged rows (None when unreadable), quarantine
    and its reconciliation row."""

    payload: Payload
    staged: pd.DataFrame | None
    quarantine: pd.DataFrame
    reconciliation: dict


@dataclass
class StagedLoad:
    """What one load of a source staged, beside the rows themselves."""

    reconciliation: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=RECON_COLUMNS))
    quarantine: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=QUARANTINE_FRAME_COLUMNS))
    # staged rows per (partition, payload), also those no partition of the run holds
    partition_rows: pd.DataFrame | None = None
    rows: int = 0

    @property
    def parsed_shas(self) -> list[str]:
        return list(self.reconciliation["payload_sha256"])


def parse_payloads(spec: SourceSpec, payloads: list[Payload], wh=None
                   ) -> Iterator[ParsedPayload]:
    """Each payload parsed, transformed (the spec's row-wise step, e.g. area codes) and typed,
    one at a time. An unreadable payload yields its error for the check, never raises: the
    other payloads still stage, and the message names source, file, row and column."""
    for p in payloads:
        try:
            result = spec.parser(p.read(), p.file_name)
            result.reconcile()
        except ParseError as exc:
            yield _unreadable(spec, p, str(exc.for_source(spec.source_id)))
            continue
        except AssertionError as exc:  # rows that do not add up (ParseResult.reconcile)
            yield _unreadable(spec, p, f"{spec.source_id}: {p.file_name}: {exc}")
            continue
        except UNREADABLE_FORMS as exc:
            # what the readers of a format raise on bytes that are not that format (JSON nested
            # past the interpreter's depth, a CSV field past any sane size, a broken zip or
            # gzip, text in no encoding): the payload names itself, as for a ParseError
            yield _unreadable(spec, p, f"{spec.source_id}: {p.file_name}: the payload cannot "
                                       f"be read: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        frame = result.staged
        if len(frame):
            frame.insert(0, "payload_sha256", p.sha256)
        else:  # a payload without rows may not name its columns
            frame = pd.DataFrame(columns=spec.staging.column_names)
        if spec.transform is not None and len(frame):
            before = len(frame)
            frame = spec.transform(frame, wh)
            if len(frame) != before:
                raise RowsLostError(f"{spec.source_id}: {p.file_name}: transform changed the "
                                    f"row count ({before} -> {len(frame)}); rows must not "
                                    "vanish")
        frame = conform(frame, spec.staging.columns, spec.source_id,
                        f"staged rows of {p.file_name}")
        q = result.quarantine.copy()
        q.insert(0, "file_name", p.file_name)
        q.insert(0, "payload_sha256", p.sha256)
        q.insert(0, "source", spec.source_id)
        yield ParsedPayload(p, frame, q[QUARANTINE_FRAME_COLUMNS], reconciliation_row(
            spec, p, result.source_rows, len(frame), result.no_data, len(result.quarantine),
            None))


def _unreadable(spec: SourceSpec, p: Payload, error: str) -> ParsedPayload:
    return ParsedPayload(p, None, pd.DataFrame(columns=QUARANTINE_FRAME_COLUMNS),
                         reconciliation_row(spec, p, None, 0, 0, 0, error))


def reconciliation_row(spec: SourceSpec, p: Payload, source_rows, staged, no_data, quarantined,
                       error) -> dict:
    return {"source": spec.source_id, "payload_sha256": p.sha256, "file_name": p.file_name,
            "source_rows": source_rows, "staged": staged, "no_data": no_data,
            "quarantined": quarantined, "error": error}


def stage_into(wh, shadow: Shadow, spec: SourceSpec, payloads: list[Payload],
               window: PartitionWindow | None = None) -> StagedLoad:
    """Stream the payloads into ``shadow``: for a partitioned run only the rows of the window's
    partitions, counting every staged row's partition (also those outside the window)."""
    recon, quarantines, counts, rows = [], [], [], 0
    for parsed in parse_payloads(spec, payloads, wh):
        recon.append(parsed.reconciliation)
        if len(parsed.quarantine):
            quarantines.append(parsed.quarantine)
        if parsed.staged is None:
            continue
        frame = parsed.staged
        if window is not None:
            frame, recorded = partition_load.split_by_partition(
                spec, frame, window, {parsed.payload.sha256: parsed.payload.file_name})
            counts.append(recorded)
        rows += wh.copy_into(shadow, frame)
    return StagedLoad(
        reconciliation=pd.DataFrame(recon, columns=RECON_COLUMNS),
        quarantine=(pd.concat(quarantines, ignore_index=True) if quarantines
                    else pd.DataFrame(columns=QUARANTINE_FRAME_COLUMNS)),
        partition_rows=(None if window is None else
                        pd.concat(counts, ignore_index=True) if counts else
                        pd.DataFrame(columns=partition_load.PARTITION_RECON_COLUMNS)),
        rows=rows)


def bookkeeping(spec: SourceSpec, load: StagedLoad, window: PartitionWindow | None):
    """What publishing the load writes beside the table, in the same transaction: the
    source's quarantine and reconciliation rows (of the payloads parsed, for a partition run)
    and the partition reconciliation."""
    def write(conn: sa.Connection) -> None:
        if window is not None:
            partition_load.replace_bookkeeping(conn, spec, window, load.parsed_shas,
                                               load.reconciliation, load.quarantine,
                                               load.partition_rows)
            return
        for table in ("raw.quarantine", "raw.payload_reconciliation"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE source = :s"),
                         {"s": spec.source_id})
        if len(load.quarantine):
            copy_frame_sqlalchemy(conn, "raw.quarantine", load.quarantine)
        if len(load.reconciliation):
            copy_frame_sqlalchemy(conn, "raw.payload_reconciliation", load.reconciliation)

    return write


def rows_per_partition(partition_rows: pd.DataFrame | None) -> dict[str, int]:
    """Staged rows per partition key of one run (for the materialisation's metadata)."""
    if partition_rows is None or not len(partition_rows):
        return {}
    return {str(k): int(v) for k, v in
            partition_rows.groupby("partition_key")["staged"].sum().items()}


def published_load(wh, spec: SourceSpec, window: PartitionWindow | None) -> StagedLoad:
    """The bookkeeping of what is live (a check run on its own judges the published table)."""
    recon = wh.read_frame(
        "SELECT source, payload_sha256, file_name, source_rows, staged, no_data, quarantined,"
        " error FROM raw.payload_reconciliation WHERE source = :s ORDER BY file_name",
        s=spec.source_id)
    quarantine = wh.read_frame(
        "SELECT source, payload_sha256, file_name, source_row, column_name, kind, reason,"
        " raw_record FROM raw.quarantine WHERE source = :s ORDER BY file_name, source_row",
        s=spec.source_id)
    partition_rows = None
    if window is not None:
        partition_rows = partition_load.recorded_partition_rows(wh, spec, window)
    return StagedLoad(recon, quarantine, partition_rows, int(recon["staged"].sum())
                      if len(recon) else 0)
