"""Loading and checking one partition (or a range) of a partitioned source's staging table.

The rule that keeps every row accounted for:

* **Payload level, on the full parse.** A run reads every active payload whose period
  overlaps its partitions (a payload without a period overlaps every partition) and parses it
  whole. ``raw.payload_reconciliation`` and ``raw.quarantine`` keep one row per payload (and
  per quarantined row) with ``source_rows = staged + no_data + quarantined`` – the same
  numbers whichever partition's run parsed it, since parsing is deterministic.
* **Partition level.** ``raw.partition_reconciliation`` holds, per (partition, payload), the
  staged rows that went into that partition, written in the transaction that replaces the
  partition. Staged rows no partition can hold are recorded under ``<no date>``,
  ``<before first partition>`` (both fail the check: they could never be loaded) and
  ``<after last partition>`` (dated past the current period, e.g. a forecast: loaded when
  their partition exists).
* So per payload: staged = Σ over partitions of its partition rows, once every partition its
  rows fall into has been loaded – which a full refresh checks.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from smartchange_assets.platform.partitions import (
    AFTER_LAST,
    BEFORE_FIRST,
    NO_DATE,
    OUTSIDE_KEYS,
    PartitionWindow,
    partition_keys_of_rows,
    row_day_sql,
)
from smartchange_assets.platform.partitions import key_sql as partition_key_sql

PARTITION_RECON_COLUMNS = ["source", "partition_key", "payload_sha256", "file_name", "staged"]


def partition_column(spec) -> tuple[str, str]:
    """(column, SQL type) that dates a staged row of ``spec``."""
    name = spec.partitions.column or spec.date_column
    if not name:
        raise ValueError(f"{spec.source_id}: partitioned, but names no date column")
    types = {c.name: c.sql_type for c in spec.staging.columns}
    if name not in types:
        raise ValueError(f"{spec.source_id}: partition column {name!r} is not staged")
    return name, types[name]


def row_filter(spec, window: PartitionWindow, alias: str | None = None) -> str:
    column, sql_type = partition_column(spec)
    return window.sql_filter(row_day_sql(column, sql_type, alias))


def key_sql(spec, alias: str | None = None) -> str:
    """SQL: a staged row's partition key (as Dagster spells it)."""
    column, sql_type = partition_column(spec)
    return partition_key_sql(row_day_sql(column, sql_type, alias), spec.partitions.cadence)



def split_by_partition(spec, staged: pd.DataFrame, window: PartitionWindow,
                       file_names: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows to load into the window, partition-reconciliation rows of this run)."""
    column, _ = partition_column(spec)
    keys = (partition_keys_of_rows(spec.partitions, staged[column]) if len(staged)
            else pd.Series([], dtype=object))
    in_window = keys.isin(window.keys)
    recorded = keys.isin(window.keys) | keys.isin(OUTSIDE_KEYS)
    counts = (pd.DataFrame({"partition_key": keys[recorded],
                            "payload_sha256": staged.loc[recorded, "payload_sha256"]})
              .groupby(["partition_key", "payload_sha256"]).size().rename("staged")
              .reset_index())
    counts.insert(0, "source", spec.source_id)
    counts["file_name"] = counts["payload_sha256"].map(file_names)
    return staged[in_window.to_numpy()], counts[PARTITION_RECON_COLUMNS]


def replace_bookkeeping(conn: sa.Connection, spec, window: PartitionWindow, parsed: list[str],
                        recon: pd.DataFrame, quarantine: pd.DataFrame,
                        partition_rows: pd.DataFrame) -> None:
    """Inside the partition's transaction: payload-level rows of the payloads parsed (and of
    payloads since rejected), partition-level rows of the window's partitions."""
    from smartchange_assets.platform.copy_loader import copy_frame_sqlalchemy

    params = {"s": spec.source_id, "parsed": parsed, "keys": list(window.keys),
              "outside": list(OUTSIDE_KEYS)}
    if window.covers_all:
        payload_where = partition_where = "source = :s"
    else:
        payload_where = ("source = :s AND (payload_sha256 = ANY(:parsed) OR payload_sha256 IN "
                         "(SELECT sha256 FROM raw.landing_rejection WHERE source = :s))")
        partition_where = ("source = :s AND (partition_key = ANY(:keys) OR (partition_key = "
                           "ANY(:outside) AND payload_sha256 = ANY(:parsed)))")
    for table in ("raw.quarantine", "raw.payload_reconciliation"):
        conn.execute(sa.text(f"DELETE FROM {table} WHERE {payload_where}"), params)
    conn.execute(sa.text(f"DELETE FROM raw.partition_reconciliation WHERE {partition_where}"),
                 params)
    for table, frame in (("raw.quarantine", quarantine),
                         ("raw.payload_reconciliation", recon),
                         ("raw.partition_reconciliation", partition_rows)):
        if len(frame):
            copy_frame_sqlalchemy(conn, table, frame)


# -- what the reconciliation check adds for a partitioned source -----------------------------


def recorded_partition_rows(wh, spec, window: PartitionWindow) -> pd.DataFrame:
    """What the published loads recorded for the window's partitions (and the rows no
    partition can hold)."""
    return wh.read_frame(
        "SELECT source, partition_key, payload_sha256, file_name, staged FROM "
        "raw.partition_reconciliation WHERE source = :s AND (partition_key = ANY(:keys) OR "
        "partition_key = ANY(:outside))", s=spec.source_id, keys=list(window.keys),
        outside=list(OUTSIDE_KEYS))


def partition_findings(wh, spec, window: PartitionWindow, recon: pd.DataFrame,
                       recorded: pd.DataFrame, relation: str, row_filter: str | None,
                       ) -> tuple[list[str], dict]:
    """Problems of the window's partitions, and counts for the check's metadata.

    ``recorded`` is what the load counted per (partition, payload); ``relation`` (with
    ``row_filter`` for a live table) the rows to compare with:

    * staged rows no partition can hold (no date, dated before the first partition);
    * the rows per (partition, payload) differ from what the load recorded;
    * on a full refresh: a payload's staged rows are not all in some partition.
    """
    in_scope = set(recon["payload_sha256"])
    outside = recorded[recorded["partition_key"].isin(OUTSIDE_KEYS)
                       & recorded["payload_sha256"].isin(in_scope)]
    problems = []
    for r in outside[outside["partition_key"].isin([NO_DATE, BEFORE_FIRST])].itertuples():
        problems.append(f"{spec.source_id}: {r.file_name}: {r.staged} staged row(s) "
                        f"{_outside_text(r.partition_key, spec)}")
    loaded = recorded[~recorded["partition_key"].isin(OUTSIDE_KEYS)]
    loaded = loaded.groupby(["partition_key", "payload_sha256"], as_index=False)["staged"].sum()
    where = f" WHERE {row_filter}" if row_filter else ""
    in_table = wh.read_frame(
        f"SELECT {key_sql(spec)} AS partition_key, payload_sha256, count(*) AS n "
        f"FROM {relation}{where} GROUP BY 1, 2", **(window.params if row_filter else {}))
    merged = loaded.merge(in_table, on=["partition_key", "payload_sha256"], how="outer")
    merged = merged.fillna({"staged": 0, "n": 0})
    for r in merged[merged["staged"] != merged["n"]].head(20).itertuples():
        problems.append(f"{spec.source_id}: partition {r.partition_key}: payload "
                        f"{r.payload_sha256[:12]} has {int(r.n)} row(s) in the table, the load "
                        f"recorded {int(r.staged)}")
    if window.covers_all:
        placed = recorded.groupby("payload_sha256")["staged"].sum()
        for r in recon[recon["error"].isna()].itertuples():
            got = int(placed.get(r.payload_sha256, 0))
            if got != r.staged:
                problems.append(f"{spec.source_id}: {r.file_name}: {r.staged} rows staged, "
                                f"{got} placed in partitions")
    deferred = int(outside.loc[outside["partition_key"] == AFTER_LAST, "staged"].sum())
    return problems, {"partitions_checked": len(window.keys), "rows_in_partitions":
                      int(in_table["n"].sum()), "rows_after_last_partition": deferred}


def staged_in_window(recorded: pd.DataFrame, window: PartitionWindow) -> int:
    """What the partitions of the window should hold, by the load's own records."""
    return int(recorded.loc[recorded["partition_key"].isin(window.keys), "staged"].sum())


def _outside_text(key: str, spec) -> str:
    column, _ = partition_column(spec)
    if key == NO_DATE:
        return f"without a date in {column!r}: no partition can hold them"
    first = spec.partitions.definition.get_first_partition_key()
    return (f"dated before the first partition ({first}): move the {spec.partitions.cadence} "
            f"partitions' start back (platform/partitions.py)")
