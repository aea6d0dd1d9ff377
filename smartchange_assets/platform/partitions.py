"""Time partitions: monthly and yearly, shared by every partitioned table.

A source or SQL table opts in with one field (``partitions=monthly()`` / ``yearly()``); the
raw asset, the staging or SQL asset, their checks, the jobs and the docs follow from it.

* **One definition per cadence.** Dagster runs one partitions definition per job, and the fact
  table joins Jakarta and Berlin month by month, so every monthly table shares
  :data:`MONTHLY_PARTITIONS` and every yearly one :data:`YEARLY_PARTITIONS`. Their starts are
  the seed archive's oldest period of a source with that cadence (a test keeps them so).
* **Keys are calendar periods of the row's local date.** The row's partition is read from one
  staged column (the spec's ``date_column`` unless named): a ``date`` as is, a ``timestamptz``
  as its UTC date. The definitions use UTC only so that a Jakarta month and a Berlin month are
  the same window; no time-of-day boundary is involved.
* **The current period is a partition** (``end_offset=1``): the nightly refresh loads this
  month's data as it arrives.
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from dataclasses import dataclass

import dagster as dg
import numpy as np
import pandas as pd

MONTHLY, YEARLY = "monthly", "yearly"
# BLUME mc124 2008-03 (the publisher's empty month) is the oldest monthly payload of the seed
MONTHLY_START = "2008-03-01"
# Jakarta population 2013–2015 is the oldest yearly payload of the seed
YEARLY_START = "2013"
PARTITIONS_TIMEZONE = "UTC"

MONTHLY_PARTITIONS = dg.MonthlyPartitionsDefinition(
    start_date=MONTHLY_START, end_offset=1, timezone=PARTITIONS_TIMEZONE)
YEARLY_PARTITIONS = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start=YEARLY_START, fmt="%Y", end_offset=1,
    timezone=PARTITIONS_TIMEZONE)
DEFINITIONS = {MONTHLY: MONTHLY_PARTITIONS, YEARLY: YEARLY_PARTITIONS}

# a load runs over a range of partitions in one run (one parse of each payload, one COPY)
BACKFILL_POLICY = dg.BackfillPolicy.single_run()
# the parameter is beta in Dagster 1.13; used knowingly, so not warned about on every import
warnings.filterwarnings("ignore", message=r"Parameter `backfill_policy`", category=dg.BetaWarning)

# partition-reconciliation keys for staged rows no partition can hold (never real keys)
NO_DATE, BEFORE_FIRST, AFTER_LAST = "<no date>", "<before first partition>", \
    "<after last partition>"
OUTSIDE_KEYS = (NO_DATE, BEFORE_FIRST, AFTER_LAST)


@dataclass(frozen=True)
class Partitioning:
    """How a table is split: ``cadence`` (monthly or yearly) and the column that dates a row
    (None: the source's ``date_column``)."""

    cadence: str
    column: str | None = None

    def __post_init__(self):
        if self.cadence not in DEFINITIONS:
            raise ValueError(f"partitions cadence must be one of {sorted(DEFINITIONS)}")

    @property
    def definition(self) -> dg.TimeWindowPartitionsDefinition:
        return DEFINITIONS[self.cadence]

    def key_of(self, day: dt.date) -> str:
        return day.strftime("%Y-%m-01" if self.cadence == MONTHLY else "%Y")


def monthly(column: str | None = None) -> Partitioning:
    return Partitioning(MONTHLY, column)


def yearly(column: str | None = None) -> Partitioning:
    return Partitioning(YEARLY, column)


def cadence_tag(partitioning: Partitioning | None) -> str:
    """Value of the ``partitions`` asset tag (jobs select on it)."""
    return partitioning.cadence if partitioning else "none"


@dataclass(frozen=True)
class PartitionWindow:
    """The partitions one run loads: ``[start, end)`` in days and their keys."""

    partitioning: Partitioning
    start: dt.date
    end: dt.date
    keys: tuple[str, ...]
    # the run covers every partition of the definition (a full refresh)
    covers_all: bool

    @property
    def label(self) -> str:
        if len(self.keys) == 1:
            return self.keys[0]
        return f"{self.keys[0]}…{self.keys[-1]} ({len(self.keys)} partitions)"

    def overlaps(self, first: dt.date | None, last: dt.date | None) -> bool:
        """Does a payload covering ``[first, last]`` (inclusive, None: open) reach into it?"""
        return (first is None or first < self.end) and (last is None or last >= self.start)

    def sql_filter(self, expression: str) -> str:
        return f"({expression} >= :partition_start AND {expression} < :partition_end)"

    @property
    def params(self) -> dict:
        return {"partition_start": self.start, "partition_end": self.end}


def all_keys(partitioning: Partitioning) -> list[str]:
    return list(_keys_on(partitioning.cadence, dt.datetime.now(dt.UTC).date()))


@functools.lru_cache(maxsize=4)
def _keys_on(cadence: str, today: dt.date) -> tuple[str, ...]:
    """Every key of a definition as of ``today`` (UTC; the last key is the current period):
    Dagster walks its schedule for each call, which every staged payload of a partitioned
    load would otherwise pay for (~40 ms)."""
    return tuple(DEFINITIONS[cadence].get_partition_keys())


def window_for_keys(partitioning: Partitioning, first: str, last: str) -> PartitionWindow:
    pdef = partitioning.definition
    every = all_keys(partitioning)
    keys = tuple(pdef.get_partition_keys_in_range(dg.PartitionKeyRange(first, last)))
    start = pdef.time_window_for_partition_key(first).start.date()
    end = pdef.time_window_for_partition_key(last).end.date()
    return PartitionWindow(partitioning, start, end, keys,
                           covers_all=keys[0] == every[0] and keys[-1] == every[-1])


def full_window(partitioning: Partitioning) -> PartitionWindow:
    every = all_keys(partitioning)
    return window_for_keys(partitioning, every[0], every[-1])


def run_window(context, partitioning: Partitioning | None) -> PartitionWindow | None:
    """The window a run (asset or check context) covers: its partition key or range, or every
    partition when the run names none (a plain ``materialize`` or an unpartitioned job).
    None for an unpartitioned table."""
    if partitioning is None:
        return None
    if context.has_partition_key_range or context.has_partition_key:
        keys = context.partition_key_range
        return window_for_keys(partitioning, keys.start, keys.end)
    return full_window(partitioning)


def keys_for_period(partitioning: Partitioning, first: dt.date, last: dt.date) -> list[str]:
    """The partition keys a period (inclusive) falls into, within the definition."""
    every = set(all_keys(partitioning))
    keys, day = [], first
    while day <= last:
        key = partitioning.key_of(day)
        if key in every and key not in keys:
            keys.append(key)
        day = (dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
               if partitioning.cadence == MONTHLY else dt.date(day.year + 1, 1, 1))
    return keys


# -- the date a row is partitioned by ------------------------------------------------------


def row_day_sql(column: str, sql_type: str, alias: str | None = None) -> str:
    """SQL: the calendar day deciding a row's partition."""
    ref = f'{alias}."{column}"' if alias else f'"{column}"'
    if sql_type == "timestamptz":
        return f"({ref} AT TIME ZONE 'UTC')::date"
    if sql_type == "date":
        return ref
    return f"{ref}::date"


def key_sql(day_sql: str, cadence: str) -> str:
    """SQL: the partition key (as Dagster spells it) of a day."""
    if cadence == MONTHLY:
        return f"to_char(date_trunc('month', {day_sql}), 'YYYY-MM-DD')"
    return f"to_char({day_sql}, 'YYYY')"


def row_days(values: pd.Series) -> pd.Series:
    """The same day in pandas (NaT where the value is missing or unreadable)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    elif not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values, errors="coerce", utc=_has_offsets(values))
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values.dt.normalize()


def _has_offsets(values: pd.Series) -> bool:
    sample = values.dropna()
    return bool(len(sample)) and any(getattr(v, "tzinfo", None) is not None
                                     for v in sample.head(5))


def partition_keys_of_rows(partitioning: Partitioning, values: pd.Series) -> pd.Series:
    """Each row's partition key, or one of :data:`OUTSIDE_KEYS` when no partition holds it."""
    days = row_days(values)
    window = full_window(partitioning)
    # each distinct period formatted once: 2024-03-01 (monthly), 2024 (yearly)
    unit, suffix = ("M", "-01") if partitioning.cadence == MONTHLY else ("Y", "")
    periods, which = np.unique(days.to_numpy().astype(f"datetime64[{unit}]"),
                               return_inverse=True)
    labels = np.array([f"{p}{suffix}" for p in periods], dtype=object)
    keys = pd.Series(labels[which.reshape(-1)], index=days.index, dtype=object)
    keys[days.isna()] = NO_DATE
    keys[days < pd.Timestamp(window.start)] = BEFORE_FIRST
    keys[days >= pd.Timestamp(window.end)] = AFTER_LAST
    return keys


def range_tags(first: str, last: str) -> dict[str, str]:
    """Run tags for a single run over a partition range (what a single-run backfill sets)."""
    return {"dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last}


def materialize_result(context, window: PartitionWindow | None, metadata: dict,
                       rows_per_partition: dict[str, int] | None = None,
                       summary: dict | None = None,
                       asset_key: dg.AssetKey | None = None) -> dg.MaterializeResult:
    """The result of a load, with metadata where it belongs.

    A run over a partition range records one materialisation per partition, each carrying the
    result's metadata. So on a partitioned run the result keeps only small metadata; each
    partition gets its own ``dagster/row_count``; the ``summary`` (tables, charts) goes on the
    newest partition only – the asset's latest materialisation – instead of being copied into
    every month of a full refresh (the chart alone would be 27 MB of event log per refresh).
    """
    summary = summary or {}
    partitioned_run = window is not None and (context.has_partition_key
                                              or context.has_partition_key_range)
    if not partitioned_run:
        return dg.MaterializeResult(asset_key=asset_key, metadata={**metadata, **summary})
    for key in window.keys:
        context.add_asset_metadata(
            {"dagster/row_count": dg.MetadataValue.int((rows_per_partition or {}).get(key, 0))},
            partition_key=key, asset_key=asset_key)
    if summary:
        context.add_asset_metadata(summary, partition_key=window.keys[-1], asset_key=asset_key)
    small = {k: v for k, v in metadata.items()
             if k not in ("dagster/row_count", "dagster/column_schema")}
    return dg.MaterializeResult(asset_key=asset_key, metadata=small)
