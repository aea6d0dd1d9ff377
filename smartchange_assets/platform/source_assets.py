"""Dagster wiring of a :class:`~.spec.SourceSpec`: its raw asset, staging asset and checks.

* ``[city, "raw", name]`` – lands payloads (live) or the seed (replay) and lists the active
  payloads it will hand to staging; in live mode its ``payload_freshness`` check fails when
  the source brought nothing new for longer than its cadence allows (:mod:`.staleness`);
* ``[city, "staging", table]`` – parses every active payload with the pure parser and writes
  the staged rows, the quarantine and the per-payload reconciliation in one atomic swap
  (:mod:`.staging`);
* two blocking checks on the staging asset: ``payload_reconciliation``
  (:mod:`.reconciliation`) and ``gx_suite`` (:mod:`.suites`), plus the spec's own.

With ``partitions=monthly()`` / ``yearly()`` the staging asset is time-partitioned: a run over a
partition range stages the payloads whose period overlaps it and replaces exactly those
partitions (:mod:`.partition_load`), and the checks judge that range. ``publisher_cadence``
becomes the assets' freshness policy. Everything past the raw layer updates itself when its
upstreams did and their blocking checks passed (:mod:`.automation`).
"""

import hashlib
import time
from collections.abc import Sequence

import dagster as dg
import pandas as pd

from smartchange_assets.platform import clock, failpoints, partition_load
from smartchange_assets.platform.audit import (
    Audit,
    AuditFailed,
    TableCheck,
    audit_and_publish,
    check_specs,
    checks_read,
    run_checks,
)
from smartchange_assets.platform.automation import after_upstream, freshness_policy, stale_after
from smartchange_assets.platform.http import HttpError, PayloadValidationError
from smartchange_assets.platform.landing import LandingArchive
from smartchange_assets.platform.markdown import md_table
from smartchange_assets.platform.partitions import (
    BACKFILL_POLICY,
    cadence_tag,
    materialize_result,
    run_window,
)
from smartchange_assets.platform.reconciliation import reconciliation_check, shown
from smartchange_assets.platform.resources import PortalResource, WarehouseResource
from smartchange_assets.platform.spec import SourceSpec
from smartchange_assets.platform.staging import (
    RowsLostError,
    bookkeeping,
    rows_per_partition,
    stage_into,
)
from smartchange_assets.platform.staleness import (
    freshness_check_spec,
    judge,
    newest_payload,
    not_judged,
)
from smartchange_assets.platform.suites import staging_suite_check
from smartchange_assets.platform.tables import table_metadata

SOURCE_RETRY = dg.RetryPolicy(max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL,
                              jitter=dg.Jitter.PLUS_MINUS)


def source_checks(spec: SourceSpec, checks: Sequence[TableCheck] = ()) -> list[TableCheck]:
    """Every check judging a load of the source before it is published: reconciliation, the
    suite, the spec's own (``extra_checks``) and any declared for its staging table."""
    return [reconciliation_check(spec), staging_suite_check(spec),
            *(make(spec) for make in spec.extra_checks), *checks]


def build_source(spec: SourceSpec, checks: Sequence[TableCheck] = ()
                 ) -> list[dg.AssetsDefinition]:
    """The raw and the staging asset of ``spec``; the staging asset runs the checks."""
    return [raw_asset(spec), staging_asset(spec, source_checks(spec, checks))]


def raw_asset(spec: SourceSpec) -> dg.AssetsDefinition:
    window = (stale_after(spec.publisher_cadence, spec.late_after)
              if spec.publisher_cadence else None)

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
        # is anything new arriving? (live mode; platform/staleness.py)
        check_specs=([freshness_check_spec(spec.raw_key, spec.publisher_cadence, window)]
                     if window else None),
        tags={"city": spec.city, "layer": "raw", "partitions": "none", **spec.tags},
        metadata={"source": spec.source_id, "portal": dg.MetadataValue.url(spec.portal_url),
                  "licence": spec.licence, "publisher": spec.publisher},
    )
    def raw(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
            portal: PortalResource) -> dg.MaterializeResult:
        archive = warehouse.archive()
        skipped = not_fetched = None
        # the seed is real recorded history: it is in the archive in both modes
        new = archive.sync_seed(spec.seed_entries())
        context.log.info("%s: %d seed payload(s) newly landed", spec.source_id, new)
        if portal.mode == "live" and spec.fetch_live is None:
            # no portal API to call (e.g. a file published only through a map service): the
            # archive's payloads (seed and hand-landed files) are all there is
            context.log.warning("%s has no live connector; replaying its archive",
                                spec.source_id)
            not_fetched = "no live connector: its files are landed by hand"
        elif portal.mode == "live" and spec.live_skip_reason and spec.live_skip_reason():
            skipped = spec.live_skip_reason()
            context.log.warning("%s: live fetch skipped: %s", spec.source_id, skipped)
            not_fetched = f"live fetch skipped: {skipped}"
        elif portal.mode == "live":
            landed = land_live(spec, portal, archive)
            context.log.info("%s: landed %d new payload(s) from the portal", spec.source_id,
                             landed)
        manifest = archive.manifest(spec.source_id)
        active = manifest[manifest["rejected_reason"].isna()]
        checks = []
        if window is not None:
            if portal.mode != "live":
                checks.append(not_judged(spec.source_id, "replay mode (nothing is fetched)"))
            elif not_fetched:
                checks.append(not_judged(spec.source_id, not_fetched))
            else:
                checks.append(judge(spec.source_id, spec.publisher_cadence, window,
                                    newest_payload(archive.wh, spec.source_id), clock.now()))
        return dg.MaterializeResult(
            check_results=checks,
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
                "payloads": dg.MetadataValue.md(md_table(
                    manifest[["file_name", "sha256", "size_bytes", "landed_by", "period_start",
                              "period_end", "rejected_reason"]])),
            })

    return raw


def land_live(spec: SourceSpec, portal: PortalResource, archive: LandingArchive) -> int:
    """Fetch with the spec's connector and land each payload; the new manifest rows.

    A payload is landed only once the client has returned it whole (a cut, oversized or
    refused reply is an exception, never a payload). A connector that returns a list fetches
    everything before anything lands, so its failure lands nothing of the run; one that yields
    lands each payload as it comes, so the payloads before a failure stay landed (each one
    whole, and landed again harmlessly on the retry). Either way the failure fails the asset,
    naming the source and what was landed before it.
    """
    landed = new = 0
    with portal.client() as client:
        try:
            for live in spec.fetch_live(client):
                fetched = live.fetched
                result = archive.land(
                    spec.source_id, fetched.content, origin=fetched.url, landed_by="live",
                    fetched_at=fetched.fetched_at, content_type=fetched.content_type,
                    http_status=fetched.status, period_start=live.period_start,
                    period_end=live.period_end, request=fetched.request,
                    file_name=live.file_name)
                landed += 1
                new += result.new_manifest_row
        except (HttpError, PayloadValidationError) as exc:
            before = (f"{landed} payload(s) of this run were landed before it, each complete"
                      if landed else "nothing of this run was landed")
            raise dg.Failure(
                description=f"{spec.source_id}: live fetch failed ({before}): "
                            f"{type(exc).__name__}: {exc}",
                metadata={"source": spec.source_id, "landed_before_failure": landed,
                          **({"url": exc.url} if isinstance(exc, HttpError) else {})},
            ) from exc
    return new


def payload_set_version(manifest: pd.DataFrame) -> str:
    """A hash of the payloads in use (sha, period, rejection) – the raw asset's data version."""
    lines = sorted(f"{r.sha256}|{r.period_start}|{r.period_end}|{r.rejected_reason is None}"
                   for r in manifest.astype(object).where(manifest.notna(), None).itertuples())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:24]


def staging_asset(spec: SourceSpec, checks: Sequence[TableCheck]) -> dg.AssetsDefinition:
    """Stage the payloads into a shadow, audit it with ``checks``, publish it with its
    bookkeeping (write-audit-publish, :mod:`.audit`)."""
    key = spec.staging_key

    @dg.multi_asset(
        name="__".join(key.path),
        specs=[dg.AssetSpec(
            key, deps=[spec.raw_key, *spec.extra_deps,
                       *(k for k in checks_read(checks) if k not in spec.extra_deps)],
            group_name=spec.group,
            description=f"{spec.title}, parsed, typed and cleaned.\n\n{spec.docs()}",
            kinds={"postgres", "pandas"},
            # a partitioned table does not restage every month when the raw asset runs: the
            # landed-payloads sensor asks for the months a new payload covers
            automation_condition=after_upstream(
                ignoring=spec.raw_key if spec.partitions else None),
            freshness_policy=freshness_policy(spec.publisher_cadence),
            tags={"city": spec.city, "layer": "staging",
                  "partitions": cadence_tag(spec.partitions), **spec.tags},
            metadata={"dagster/table_name": spec.staging.label,
                      "dagster/column_schema": spec.staging.dagster_schema()})],
        check_specs=check_specs(checks),
        can_subset=True,
        partitions_def=spec.partitions_def,
        backfill_policy=BACKFILL_POLICY if spec.partitions else None)
    def staging(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        wh = warehouse.get()
        window = run_window(context, spec.partitions)
        partial = window is not None and not window.covers_all
        selected = {k.name for k in context.selected_asset_check_keys}
        if key not in context.selected_asset_keys:  # checks run alone: the live table
            audit = Audit(wh, spec.staging, spec.staging.qualified, window, published=True,
                          row_filter=partition_load.row_filter(spec, window) if partial
                          else None)
            yield from run_checks(checks, audit, selected)
            return
        started = time.monotonic()
        with wh.writer(spec.staging, on_wait=lambda s: context.log.info(
                "%s: waiting %.0f s for another run writing it", spec.staging.label, s)):
            # read the archive under the writer lock: a run never publishes a version read
            # before another run's (the one a newly landed payload started) was published
            payloads = warehouse.archive().active_payloads(
                spec.source_id, *((window.start, window.end) if partial else ()))
            shadow = wh.create_shadow(spec.staging, context.run_id)
            try:
                load = stage_into(wh, shadow, spec, payloads, window)
            except RowsLostError as exc:
                wh.drop_shadow(shadow)
                raise dg.Failure(str(exc)) from exc
            failpoints.reached("staged", spec.staging.label)
            audit = Audit(wh, spec.staging, shadow.qualified, window, context={"load": load})
            also = bookkeeping(spec, load, window)
            if partial:
                publish = lambda: wh.publish_partitions(  # noqa: E731
                    shadow, partition_load.row_filter(spec, window), window.params, also)
            else:
                publish = lambda: wh.publish(shadow, also)  # noqa: E731
            try:
                results = audit_and_publish(wh, shadow, checks, audit, publish, context.run_id)
            except AuditFailed as failed:
                yield from failed.results
                raise dg.Failure(str(failed)) from None
        recon = load.reconciliation
        context.log.info("%s: %d payload(s), %d staged, %d quarantined in %.1f s%s",
                         spec.source_id, len(payloads), load.rows, len(load.quarantine),
                         time.monotonic() - started, f" ({window.label})" if window else "")
        per_partition = rows_per_partition(load.partition_rows)
        result = materialize_result(context, window, {
            **table_metadata(spec.staging, load.rows),
            "rows_loaded": dg.MetadataValue.int(load.rows),
            **({"partitions": dg.MetadataValue.text(window.label)} if window else {}),
            "payloads": dg.MetadataValue.int(len(payloads)),
            "quarantined_rows": dg.MetadataValue.int(len(load.quarantine)),
            "no_data_rows": dg.MetadataValue.int(int(recon["no_data"].sum()) if len(recon)
                                                 else 0),
        }, rows_per_partition=per_partition, summary={
            "reconciliation": dg.MetadataValue.md(md_table(shown(recon))
                                                  if len(recon) else "no payloads"),
            **({"staged_per_partition": dg.MetadataValue.md(md_table(
                pd.DataFrame(per_partition.items(), columns=["partition", "staged"]),
                max_rows=24))} if window else {}),
        }, asset_key=key)
        yield dg.MaterializeResult(asset_key=key, metadata=result.metadata,
                                   check_results=[r for r in results
                                                  if r.check_name in selected])

    return staging
