"""A source is described once, as a :class:`SourceSpec`; its assets, checks and docs follow.

The spec says what we know about a source (portal, licence, parser, staging table, key,
expectations, live connector, seed folder, pool, schedule); :mod:`.source_assets` turns it into
the raw asset, the staging asset and their blocking checks. Nothing here touches Dagster's
execution or the database, so a spec can be built and inspected in a test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pandas as pd

from smartchange_assets.platform.automation import CADENCES, stale_after
from smartchange_assets.platform.http import FetchedPayload, HttpClient
from smartchange_assets.platform.parsing import ParseResult
from smartchange_assets.platform.partitions import Partitioning
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.seed import SeedEntry, SeedFolder
from smartchange_assets.platform.staleness import human_duration
from smartchange_assets.platform.tables import Column, TableSpec

RECONCILIATION_CHECK = "payload_reconciliation"
GX_SUITE_CHECK = "gx_suite"

# A payload fails its reconciliation check above this quarantined share of its rows.
DEFAULT_MAX_QUARANTINE_SHARE = 0.01

PAYLOAD_COLUMN = Column("payload_sha256", "text", "SHA-256 of the landed payload this row came "
                        "from (raw.landing_manifest)", nullable=False)


@dataclass(frozen=True)
class LivePayload:
    """One payload a live connector fetched, with the period it covers when known."""

    fetched: FetchedPayload
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    # the name to archive it under, when the URL's last segment says too little (the parser
    # only sees bytes and this name)
    file_name: str | None = None


@dataclass(frozen=True)
class OwnSchedule:
    """A source whose raw asset runs on a schedule of its own instead of its city's nightly
    refresh (e.g. a rolling-window API that must be snapshotted at a fixed hour)."""

    name: str
    job: str
    cron: str
    timezone: str
    description: str


@dataclass(frozen=True)
class SourceSpec:
    city: str
    name: str
    title: str
    description: str
    publisher: str
    licence: str
    portal_url: str
    parser: Callable[[bytes, str], ParseResult]
    staging: TableSpec
    date_column: str | None
    key_columns: tuple[str, ...]
    expectations: tuple[Expect, ...]
    # the source folder's seed/ (manifest.json and the recorded payloads), see seed_folder()
    seed: Path | None = None
    fetch_live: Callable[[HttpClient], list[LivePayload]] | None = None
    max_quarantine_share: float = DEFAULT_MAX_QUARANTINE_SHARE
    group: str = "air_quality"
    tags: dict = field(default_factory=dict)
    # Optional step on the concatenated staged frame, before it is written: e.g. resolving area
    # names to codes against a reference table in the warehouse. It must keep every row.
    transform: Callable[[pd.DataFrame, object], pd.DataFrame] | None = None
    # assets the transform reads (they become upstream of the staging asset)
    extra_deps: tuple[dg.AssetKey, ...] = ()
    # an optional source (e.g. a cross-check that needs an API key) may have no payloads at all
    optional: bool = False
    # live mode: a reason not to fetch now (e.g. no API key set), shown in the raw asset's
    # metadata; None means fetch
    live_skip_reason: Callable[[], str | None] | None = None
    # more checks on the staging asset, each built from the spec: f(spec) -> checks definition
    extra_checks: tuple[Callable[[SourceSpec], dg.AssetChecksDefinition], ...] = ()
    # time partitions of the raw and staging assets (platform/partitions.py: monthly(),
    # yearly(); the row's partition is read from date_column unless the Partitioning names one)
    partitions: Partitioning | None = None
    # how often the publisher promises new data: "daily", "monthly" or "yearly" (freshness)
    publisher_cadence: str | None = None
    # how long the live fetches may bring nothing new before the data is stale and the raw
    # asset's payload_freshness check fails; None: the cadence's (daily 50 h, monthly 40 d,
    # yearly 400 d; platform/automation.py)
    late_after: dt.timedelta | None = None
    # Dagster concurrency pool of the raw asset, the only one that calls the portal: one pool
    # per portal (its host names in the pool name), limited to one fetch at a time by
    # dagster.yaml's default pool limit
    pool: str | None = None
    # None: the raw asset runs in its city's nightly refresh
    own_schedule: OwnSchedule | None = None

    def __post_init__(self):
        if self.publisher_cadence is not None and self.publisher_cadence not in CADENCES:
            raise ValueError(f"{self.source_id}: publisher_cadence must be one of {CADENCES}")
        if self.late_after is not None and self.publisher_cadence is None:
            raise ValueError(f"{self.source_id}: late_after needs a publisher_cadence")
        if self.fetch_live is not None and self.pool is None:
            raise ValueError(f"{self.source_id}: a source with a live connector names the pool "
                             "of the portal it calls")

    @property
    def source_id(self) -> str:
        return f"{self.city}/{self.name}"

    @property
    def raw_key(self) -> dg.AssetKey:
        return dg.AssetKey([self.city, "raw", self.name])

    @property
    def staging_key(self) -> dg.AssetKey:
        return dg.AssetKey([self.city, "staging", self.staging.name.removeprefix(f"{self.city}_")])

    @property
    def partitions_def(self) -> dg.PartitionsDefinition | None:
        return self.partitions.definition if self.partitions else None

    def seed_entries(self) -> list[SeedEntry]:
        """The recorded payloads shipped in the source's folder (none without a seed)."""
        return SeedFolder(self.seed, self.source_id).entries() if self.seed else []

    def docs(self) -> str:
        return (f"**{self.title}** — {self.description}\n\nPublisher: {self.publisher}. "
                f"Licence: {self.licence}. Portal: {self.portal_url}\n\n"
                f"{self._operations_docs()}{self.staging.docs_markdown()}")

    def _operations_docs(self) -> str:
        lines = []
        if self.publisher_cadence:
            window = stale_after(self.publisher_cadence, self.late_after)
            lines.append(f"Publisher cadence: {self.publisher_cadence}; stale after "
                         f"{human_duration(window)} without a new payload.")
        if self.partitions:
            column = self.partitions.column or self.date_column
            lines.append(f"Partitions: {self.partitions.cadence}, by `{column}`.")
        return " ".join(lines) + "\n\n" if lines else ""


def staging_table(city: str, asset_name: str, columns: list[Column], key: tuple[str, ...],
                  description: str) -> TableSpec:
    """A staging table ``staging.<city>_<asset_name>`` (asset ``[city, "staging", asset_name]``):
    the source's columns plus the payload hash every row carries."""
    return TableSpec("staging", f"{city}_{asset_name}", (PAYLOAD_COLUMN, *columns), key,
                     description)


def seed_folder(module_file: str) -> Path:
    """The ``seed/`` folder beside a source's ``source.py``: ``seed=seed_folder(__file__)``."""
    return Path(module_file).resolve().parent / "seed"
