"""A source is described once; its raw asset, staging asset, checks and docs come from that.

:class:`SourceSpec` holds what we know about a source (portal, licence, parser, staging table,
key, expectations, live connector). :func:`build_source` turns it into

* ``[city, "raw", name]`` – lands payloads (live) or the seed archive (replay) and lists the
  active payloads it will hand to staging;
* ``[city, "staging", table]`` – parses every active payload with the pure parser, writes the
  staged rows, the quarantine and the per-payload reconciliation in one atomic swap;
* two blocking checks on the staging asset: ``payload_reconciliation`` (every source row
  accounted for, quarantine under the threshold, no unreadable key column) and ``gx_suite``
  (the source's Great Expectations suite).

With ``partitions=monthly()`` / ``yearly()`` both assets are time-partitioned: a run over a
partition range stages the payloads whose period overlaps it and replaces exactly those
partitions (:mod:`.partition_load`), and the checks judge that range. ``publisher_cadence``
becomes the assets' freshness policy. Everything past the raw layer updates itself when its
upstreams did and their blocking checks passed (:mod:`.automation`).
"""

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import dagster as dg
import pandas as pd
import sqlalchemy as sa

from smartchange_assets.platform import partition_load
from smartchange_assets.platform.automation import after_upstream, freshness_policy
from smartchange_assets.platform.http import FetchedPayload, HttpClient
from smartchange_assets.platform.landing import Payload
from smartchange_assets.platform.parsing import (
    DUPLICATE,
    QUARANTINE_COLUMNS,
    UNREADABLE,
    ParseError,
    ParseResult,
)
from smartchange_assets.platform.partitions import (
    BACKFILL_POLICY,
    Partitioning,
    PartitionWindow,
    cadence_tag,
    materialize_result,
    run_window,
)
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.tables import Column, TableSpec, table_metadata
from smartchange_assets.resources import PortalResource, WarehouseResource

RECONCILIATION_CHECK = "payload_reconciliation"
GX_SUITE_CHECK = "gx_suite"

# A payload fails its reconciliation check above this quarantined share of its rows.
DEFAULT_MAX_QUARANTINE_SHARE = 0.01

PAYLOAD_COLUMN = Column("payload_sha256", "text", "SHA-256 of the landed payload this row came "
                        "from (raw.landing_manifest)", nullable=False)

SOURCE_RETRY = dg.RetryPolicy(max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL,
                              jitter=dg.Jitter.PLUS_MINUS)


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
    extra_checks: tuple[Callable[["SourceSpec"], dg.AssetChecksDefinition], ...] = ()
    # time partitions of the raw and staging assets (platform/partitions.py: monthly(),
    # yearly(); the row's partition is read from date_column unless the Partitioning names one)
    partitions: Partitioning | None = None
    # how often the publisher promises new data: "daily", "monthly" or "yearly" (freshness)
    publisher_cadence: str | None = None
    # Dagster concurrency pool of the raw asset, the only one that calls the portal (one pool
    # per portal, ops/pools.py)
    pool: str | None = None

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

    def docs(self) -> str:
        return (f"**{self.title}** — {self.description}\n\nPublisher: {self.publisher}. "
                f"Licence: {self.licence}. Portal: {self.portal_url}\n\n"
                f"{self._operations_docs()}{self.staging.docs_markdown()}")

    def _operations_docs(self) -> str:
        lines = []
        if self.publisher_cadence:
            lines.append(f"Publisher cadence: {self.publisher_cadence}.")
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


# ---------------------------------------------------------------------------------------------
# parsing every payload of a source


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
        except (ParseError, AssertionError) as exc:
            # an unreadable payload is recorded, not raised: the blocking check reports it with
            # the parser's message (source, file, row, column) and the other payloads still stage
            recon.append(_recon_row(spec, p, None, 0, 0, 0, str(exc)))
            continue
        frame = result.staged.copy()
        frame.insert(0, "payload_sha256", p.sha256)
        staged.append(frame)
        q = result.quarantine.copy()
        q.insert(0, "file_name", p.file_name)
        q.insert(0, "payload_sha256", p.sha256)
        q.insert(0, "source", spec.source_id)
        quarantined.append(q)
        recon.append(_recon_row(spec, p, result.source_rows, len(result.staged), result.no_data,
                                len(result.quarantine), None))
    columns = spec.staging.column_names
    staged_df = (pd.concat(staged, ignore_index=True) if staged
                 else pd.DataFrame(columns=columns))
    q_cols = ["source", "payload_sha256", "file_name", *QUARANTINE_COLUMNS]
    q_df = (pd.concat([q for q in quarantined if len(q)], ignore_index=True)
            if any(len(q) for q in quarantined) else pd.DataFrame(columns=q_cols))
    return StagedSource(staged_df, q_df[q_cols], pd.DataFrame(recon))


def _recon_row(spec, p: Payload, source_rows, staged, no_data, quarantined, error) -> dict:
    return {"source": spec.source_id, "payload_sha256": p.sha256, "file_name": p.file_name,
            "source_rows": source_rows, "staged": staged, "no_data": no_data,
            "quarantined": quarantined, "error": error}


def write_staged(wh, spec: SourceSpec, result: StagedSource,
                 window: PartitionWindow | None = None) -> int:
    """Swap in the staging table and replace the source's quarantine and reconciliation rows
    in the same transaction; for a partitioned source, only the window's partitions."""
    from smartchange_assets.platform.copy_loader import copy_frame_sqlalchemy

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


# ---------------------------------------------------------------------------------------------
# Dagster wiring


def build_source(spec: SourceSpec) -> tuple[list[dg.AssetsDefinition], list]:
    raw = _raw_asset(spec)
    staging = _staging_asset(spec)
    checks = [_reconciliation_check(spec), _gx_check(spec),
              *(make(spec) for make in spec.extra_checks)]
    return [raw, staging], checks


def _raw_asset(spec: SourceSpec) -> dg.AssetsDefinition:
    @dg.asset(
        key=spec.raw_key,
        group_name=spec.group,
        description=f"Landed payloads of {spec.title} (raw landing archive).\n\n{spec.docs()}",
        kinds={"postgres"},
        retry_policy=SOURCE_RETRY,
        owners=[],
        # unpartitioned: landing is not by period (a connector fetches what the portal has);
        # the landed-payloads sensor restages the partitions a new payload's period covers
        freshness_policy=freshness_policy(spec.publisher_cadence),
        pool=spec.pool,
        tags={"city": spec.city, "layer": "raw", "partitions": "none", **spec.tags},
        metadata={"source": spec.source_id, "portal": dg.MetadataValue.url(spec.portal_url),
                  "licence": spec.licence, "publisher": spec.publisher},
    )
    def raw_asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                  portal: PortalResource) -> dg.MaterializeResult:
        archive = warehouse.archive()
        skipped = None
        # the seed is real recorded history: it is in the archive in both modes
        new = archive.sync_seed(spec.source_id)
        context.log.info("%s: %d seed payload(s) newly landed", spec.source_id, new)
        if portal.mode == "live" and spec.fetch_live is None:
            # no portal API to call (e.g. a file published only through a map service): the
            # archive's payloads (seed and hand-landed files) are all there is
            context.log.warning("%s has no live connector; replaying its archive",
                                spec.source_id)
        elif portal.mode == "live" and spec.live_skip_reason and spec.live_skip_reason():
            skipped = spec.live_skip_reason()
            context.log.warning("%s: live fetch skipped: %s", spec.source_id, skipped)
        elif portal.mode == "live":
            landed = 0
            for live in spec.fetch_live(portal.client()):
                fetched = live.fetched
                result = archive.land(
                    spec.source_id, fetched.content, origin=fetched.url, landed_by="live",
                    fetched_at=fetched.fetched_at, content_type=fetched.content_type,
                    http_status=fetched.status, period_start=live.period_start,
                    period_end=live.period_end, request=fetched.request,
                    file_name=live.file_name)
                landed += result.new_manifest_row
            context.log.info("%s: landed %d new payload(s) from the portal", spec.source_id,
                             landed)
        manifest = archive.manifest(spec.source_id)
        active = manifest[manifest["rejected_reason"].isna()]
        return dg.MaterializeResult(
            # the set of payloads in use: unchanged when nothing new landed and nothing was
            # rejected, so nothing downstream is automated into running again
            data_version=dg.DataVersion(payload_set_version(manifest)),
            metadata={
                "mode": portal.mode,
                **({"live_skipped": skipped} if skipped else {}),
                "active_payloads": dg.MetadataValue.int(len(active)),
                "rejected_payloads": dg.MetadataValue.int(int(manifest["rejected_reason"]
                                                              .notna().sum())),
                "payload_bytes": dg.MetadataValue.int(int(active["size_bytes"].sum())),
                "payloads": dg.MetadataValue.md(_md_table(
                    manifest[["file_name", "sha256", "size_bytes", "landed_by", "period_start",
                              "period_end", "rejected_reason"]])),
            })

    return raw_asset


def payload_set_version(manifest: pd.DataFrame) -> str:
    """A hash of the payloads in use (sha, period, rejection) – the raw asset's data version."""
    import hashlib

    lines = sorted(f"{r.sha256}|{r.period_start}|{r.period_end}|{r.rejected_reason is None}"
                   for r in manifest.astype(object).where(manifest.notna(), None).itertuples())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:24]


def _staging_asset(spec: SourceSpec) -> dg.AssetsDefinition:
    @dg.asset(
        key=spec.staging_key,
        deps=[spec.raw_key, *spec.extra_deps],
        group_name=spec.group,
        description=f"{spec.title}, parsed, typed and cleaned.\n\n{spec.docs()}",
        kinds={"postgres", "pandas"},
        partitions_def=spec.partitions_def,
        backfill_policy=BACKFILL_POLICY if spec.partitions else None,
        # a partitioned table does not restage every month when the raw asset runs: the
        # landed-payloads sensor asks for the months a new payload covers
        automation_condition=after_upstream(ignoring=spec.raw_key if spec.partitions else None),
        freshness_policy=freshness_policy(spec.publisher_cadence),
        tags={"city": spec.city, "layer": "staging", "partitions": cadence_tag(spec.partitions),
              **spec.tags},
        metadata={"dagster/table_name": spec.staging.label,
                  "dagster/column_schema": spec.staging.dagster_schema()},
    )
    def staging_asset(context: dg.AssetExecutionContext,
                      warehouse: WarehouseResource) -> dg.MaterializeResult:
        started = time.monotonic()
        wh = warehouse.get()
        window = run_window(context, spec.partitions)
        payloads = warehouse.archive().active_payloads(spec.source_id)
        if window is not None:
            payloads = partition_load.payloads_for(payloads, window)
        result = stage_payloads(spec, payloads)
        if spec.transform is not None and len(result.staged):
            before = len(result.staged)
            result.staged = spec.transform(result.staged, wh)
            if len(result.staged) != before:
                raise dg.Failure(f"{spec.source_id}: transform changed the row count "
                                 f"({before} -> {len(result.staged)}); rows must not vanish")
        rows = write_staged(wh, spec, result, window)
        recon = result.reconciliation
        context.log.info("%s: %d payload(s), %d staged, %d quarantined in %.1f s%s",
                         spec.source_id, len(payloads), rows, len(result.quarantine),
                         time.monotonic() - started, f" ({window.label})" if window else "")
        per_partition = _rows_per_partition(result.partition_rows)
        return materialize_result(context, window, {
            **table_metadata(spec.staging, rows),
            "rows_loaded": dg.MetadataValue.int(rows),
            **({"partitions": dg.MetadataValue.text(window.label)} if window else {}),
            "payloads": dg.MetadataValue.int(len(payloads)),
            "quarantined_rows": dg.MetadataValue.int(len(result.quarantine)),
            "no_data_rows": dg.MetadataValue.int(int(recon["no_data"].sum()) if len(recon)
                                                 else 0),
        }, rows_per_partition=per_partition, summary={
            "reconciliation": dg.MetadataValue.md(_md_table(recon.drop(columns=["source"]))
                                                  if len(recon) else "no payloads"),
            **({"staged_per_partition": dg.MetadataValue.md(_md_table(
                pd.DataFrame(per_partition.items(), columns=["partition", "staged"]),
                max_rows=24))} if window else {}),
        })

    return staging_asset


def _rows_per_partition(partition_rows: pd.DataFrame | None) -> dict[str, int]:
    if partition_rows is None or not len(partition_rows):
        return {}
    return {str(k): int(v) for k, v in
            partition_rows.groupby("partition_key")["staged"].sum().items()}


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


def _reconciliation_check(spec: SourceSpec) -> dg.AssetChecksDefinition:
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
        recon = wh.read_frame(
            "SELECT r.*, a.quarantine_allowance, a.allowance_reason, p.period_start,"
            " p.period_end FROM raw.payload_reconciliation r LEFT JOIN LATERAL ("
            "   SELECT max(m.quarantine_allowance) AS quarantine_allowance,"
            "          max(m.allowance_reason) AS allowance_reason FROM raw.landing_manifest m"
            "   WHERE m.source = r.source AND m.sha256 = r.payload_sha256) a ON true"
            " LEFT JOIN LATERAL (SELECT m.period_start, m.period_end FROM raw.landing_manifest m"
            "   WHERE m.source = r.source AND m.sha256 = r.payload_sha256"
            "   ORDER BY m.fetched_at, m.id LIMIT 1) p ON true"
            " WHERE r.source = :s ORDER BY r.file_name", s=spec.source_id)
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
                "payloads": dg.MetadataValue.md(_md_table(recon.drop(columns=["source"]))
                                                if len(recon) else "none"),
                "quarantined_rows": dg.MetadataValue.int(len(quarantine)),
                "quarantine_sample": dg.MetadataValue.md(
                    _md_table(quarantine.drop(columns=["payload_sha256"]).head(15))
                    if len(quarantine) else "none"),
                **partition_meta,
            })

    return check


def _gx_check(spec: SourceSpec) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=spec.staging_key, name=GX_SUITE_CHECK, blocking=True,
        description=(f"Great Expectations suite for {spec.staging.label}: "
                     + "; ".join(e.label for e in spec.expectations)
                     + "; row count equals the payloads' staged rows; dates inside each "
                       "payload's period"))
    def check(context: dg.AssetCheckExecutionContext,
              warehouse: WarehouseResource) -> dg.AssetCheckResult:
        wh = warehouse.get()
        window = run_window(context, spec.partitions)
        select, more = _suite_query(wh, spec, window)
        return run_table_suite(
            wh, select, [*spec.expectations, *more], spec.staging.label,
            extra_metadata={"partitions": dg.MetadataValue.text(window.label)} if window else None,
            source=spec.source_id, **(window.params if window else {}))

    return check


def _suite_query(wh, spec: SourceSpec,
                 window: PartitionWindow | None = None) -> tuple[str, list[Expect]]:
    """The frame the suite reads, plus the expectations that depend on the payloads: the row
    count reconciles with the payloads (with the loads' records of the window's partitions,
    when partitioned), and dates lie inside each payload's period."""
    from smartchange_assets.platform import quality

    if window is None:
        staged_total = int(wh.scalar(
            "SELECT coalesce(sum(staged), 0) FROM raw.payload_reconciliation WHERE source = :s",
            s=spec.source_id))
    else:
        staged_total = partition_load.staged_in_window(wh, spec, window)
    expectations = [quality.row_count_equals(staged_total)]
    where = f" WHERE {partition_load.row_filter(spec, window, 's')}" if window else ""
    if not spec.date_column:
        return f"SELECT * FROM {spec.staging.qualified} s{where}", expectations
    select = (
        f'SELECT s.*, (m.period_start IS NULL OR s."{spec.date_column}"::date '
        f"BETWEEN m.period_start AND m.period_end) AS date_in_payload_period "
        f"FROM {spec.staging.qualified} s LEFT JOIN (SELECT DISTINCT ON (sha256) sha256, "
        f"period_start, period_end FROM raw.landing_manifest WHERE source = :source "
        f"ORDER BY sha256, fetched_at) m ON m.sha256 = s.payload_sha256{where}")
    expectations.append(quality.in_set("date_in_payload_period", [True]))
    return select, expectations


def run_table_suite(wh, select: str, expectations: list[Expect], label: str,
                    extra_metadata: dict | None = None, **params) -> dg.AssetCheckResult:
    """Run a GX suite on the rows ``select`` returns and report it as a check result."""
    from smartchange_assets.platform.quality import run_suite

    df = wh.read_frame(select, **params)
    outcome = run_suite(df, expectations, suite_name=label)
    failed = [r for r in outcome.results if not r.success]
    return dg.AssetCheckResult(
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR,
        description=("all expectations met" if outcome.success else
                     "failed: " + ", ".join(r.expectation for r in failed)),
        metadata={
            "expectations": dg.MetadataValue.md(outcome.to_markdown()),
            "evaluated": dg.MetadataValue.int(len(outcome.results)),
            "failed": dg.MetadataValue.int(len(failed)),
            "rows_checked": dg.MetadataValue.int(len(df)),
            **(extra_metadata or {}),
        })


def _md_table(df: pd.DataFrame, max_rows: int = 50) -> str:
    if df.empty:
        return "(none)"
    shown = df.head(max_rows)
    header = "| " + " | ".join(map(str, shown.columns)) + " |"
    sep = "|" + "---|" * len(shown.columns)
    lines = [header, sep]
    for row in shown.itertuples(index=False):
        cells = [_cell(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    if len(df) > max_rows:
        lines.append(f"\n… {len(df) - max_rows} more rows")
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 80 else text[:77] + "…"
