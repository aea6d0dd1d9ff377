"""What went wrong in one run, read back from Dagster's event log, and whether it is news.

A failed check is **news** when it opens an incident: the check's previous completed
evaluation (same asset and check, whatever partitions it judged) passed, or failed for another
reason (another description), or there is none. A broken payload failing a partition run of the
landed-payloads sensor and then a full refresh is one incident. When the previous one failed
with the same description, the incident is still open: automation retrying the staging table,
a sensor re-running it for a landed file, or the next nightly run all hit the same broken
payload, and that was alerted already. The incident closes with the check's next passing evaluation.

A failed **step** (an asset that raised before any check ran: a connector that cannot reach its
portal) follows the same rule: it is news unless the previous finished run that tried the same
step failed it with the same error (numbers aside: attempt counts, ports and durations vary
from night to night). The incident closes when a run materialises the step's asset.

The ``payload_freshness`` check of a raw asset (platform/staleness.py) is left out of a run's
alert: a stale source is alerted on its own (:func:`stale_alert`), one alert per source.
"""

from __future__ import annotations

import datetime as dt
import re

import dagster as dg

from smartchange_assets.ops.alerts import Alert, FailedCheck, FailedStep, StaleSource
from smartchange_assets.platform.staleness import STALE_CHECK

_EVENTS = {
    dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
    dg.DagsterEventType.ASSET_MATERIALIZATION,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
    dg.DagsterEventType.STEP_FAILURE,
}
# a check's history and a step's planned materialisations are read in pages of this size, as far
# back as it takes: a run over every partition writes one planned record per partition, so a
# fixed window could end inside the run being judged (and every failure would look new)
PAGE = 200
# how many earlier runs of a failed step's asset are looked at for the step's previous outcome
RUNS_BACK = 100
# completed evaluations (the history also holds planned and skipped ones)
_SUCCEEDED, _FAILED = "SUCCEEDED", "FAILED"


def _completed_evaluations(instance: dg.DagsterInstance, check_key: dg.AssetCheckKey):
    """The check's completed evaluations, newest first, read page by page."""
    storage = instance.event_log_storage
    cursor = None
    while True:
        page = storage.get_asset_check_execution_history(check_key, limit=PAGE, cursor=cursor)
        for record in page:
            if record.status.value in (_SUCCEEDED, _FAILED) and record.event is not None:
                yield record
        if len(page) < PAGE:
            return
        cursor = page[-1].id


def failed_check(instance: dg.DagsterInstance, entry: dg.EventLogEntry) -> FailedCheck:
    """The failed evaluation in ``entry``, with whether it opens an incident."""
    evaluation = entry.dagster_event.event_specific_data
    return FailedCheck(evaluation.asset_key.to_user_string(), evaluation.check_name,
                       evaluation.description, bool(evaluation.blocking),
                       evaluation.severity.value, new=opens_incident(instance, entry))


def opens_incident(instance: dg.DagsterInstance, entry: dg.EventLogEntry) -> bool:
    evaluation = entry.dagster_event.event_specific_data
    found = False
    for record in _completed_evaluations(instance, evaluation.asset_check_key):
        if not found:
            found = record.run_id == entry.run_id and record.event.timestamp == entry.timestamp
            continue
        # the evaluation before this one decides
        return (record.status.value == _SUCCEEDED
                or record.event.dagster_event.event_specific_data.description
                != evaluation.description)
    return True


def is_staleness(evaluation) -> bool:
    """The raw asset's payload_freshness check (alerted per source, not per run)."""
    return evaluation.check_name == STALE_CHECK


def stale_alert(instance: dg.DagsterInstance, entry: dg.EventLogEntry) -> Alert:
    """The alert of a source gone stale, from its failed payload_freshness evaluation."""
    evaluation = entry.dagster_event.event_specific_data
    meta = {k: getattr(v, "value", v) for k, v in (evaluation.metadata or {}).items()}
    asset = evaluation.asset_key.to_user_string()
    landed = meta.get("landed_at")
    landed_text = (dt.datetime.fromtimestamp(landed, dt.UTC).isoformat(timespec="minutes")
                   if isinstance(landed, int | float) else None)
    run = instance.get_run_by_id(entry.run_id) if entry.run_id else None
    stale = StaleSource(source=str(meta.get("source") or asset), asset=asset,
                        check=evaluation.check_name,
                        description=evaluation.description or "no new payload",
                        newest_file=meta.get("newest_file"), period=meta.get("period"),
                        landed_at=landed_text, late_after_hours=meta.get("late_after_hours"))
    return Alert(kind="stale_data", run_id=entry.run_id or None,
                 job=run.job_name if run else None, stale=stale)


def incident_for_run(instance: dg.DagsterInstance, run: dg.DagsterRun, kind: str,
                     reason: str | None = None) -> Alert:
    """The alert for ``run``: its failed checks, the steps that failed for another reason, and
    the assets it planned but did not materialise (held back by a failure upstream)."""
    read = _read_run(instance, run.run_id)
    return Alert(kind=kind, run_id=run.run_id, job=run.job_name,
                 failed_checks=tuple(read["checks"]), failed_steps=tuple(read["steps"]),
                 held_back=tuple(read["held_back"]), reason=reason)


def _read_run(instance: dg.DagsterInstance, run_id: str) -> dict:
    # step key -> assets it was to materialise (a partitioned run plans each asset once per
    # partition: kept once, in order)
    planned: dict[str, dict[str, None]] = {}
    materialised: set[str] = set()
    checks: list[FailedCheck] = []
    check_steps: set[str] = set()
    failures = []
    for entry in instance.all_logs(run_id, of_type=_EVENTS):
        event = entry.dagster_event
        kind = event.event_type
        if kind == dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED:
            planned.setdefault(event.step_key or "", {})[event.asset_key.to_user_string()] = None
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialised.add(event.asset_key.to_user_string())
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            if is_staleness(event.event_specific_data):
                continue  # alerted per source (stale_alert)
            if not event.event_specific_data.passed:
                checks.append(failed_check(instance, entry))
                check_steps.add(event.step_key or "")
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            failures.append(event)
    steps = []
    for event in failures:
        if event.step_key in check_steps:
            continue  # a failed blocking check fails its step: the check line says it all
        message = _root_message(event.event_specific_data.error)
        assets = tuple(planned.get(event.step_key, {}))
        steps.append(FailedStep(event.step_key or "", assets, message,
                                new=step_opens_incident(instance, run_id, event.step_key,
                                                        assets, message)))
    held_back = [a for assets in planned.values() for a in assets if a not in materialised
                 and not any(a in s.assets for s in steps)]
    # the summary names what is news first, errors before warnings
    checks.sort(key=lambda c: (not c.new, c.severity != "ERROR"))
    return {"checks": checks, "steps": steps, "held_back": held_back}


def step_opens_incident(instance: dg.DagsterInstance, run_id: str, step_key: str | None,
                        assets: tuple[str, ...], message: str) -> bool:
    """Whether this step's failure is news: the previous finished run that planned the step's
    (first) asset materialised it, failed the step for another reason, or there is none."""
    if not step_key or not assets:
        return True
    key = dg.AssetKey.from_user_string(assets[0])
    seen = {run_id}
    for earlier in _runs_that_planned(instance, key):
        if earlier in seen:
            continue
        if len(seen) > RUNS_BACK:
            break  # nothing ran the step in that many runs: treat it as news
        seen.add(earlier)
        run = instance.get_run_by_id(earlier)
        if run is None or not run.is_finished:
            continue
        outcome = _step_outcome(instance, earlier, step_key, key)
        if outcome is None:
            continue  # the step never ran there (skipped, canceled): look further back
        return outcome is True or _same_error(outcome) != _same_error(message)
    return True


def _runs_that_planned(instance: dg.DagsterInstance, key: dg.AssetKey):
    """Run ids of the planned materialisations of ``key``, newest first, page by page."""
    before = None
    while True:
        records = instance.event_log_storage.get_event_records(
            dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
                                  asset_key=key, before_cursor=before),
            limit=PAGE, ascending=False)
        for record in records:
            yield record.event_log_entry.run_id
        if len(records) < PAGE:
            return
        before = records[-1].storage_id


def _step_outcome(instance: dg.DagsterInstance, run_id: str, step_key: str,
                  key: dg.AssetKey) -> bool | str | None:
    """True: ``key`` was materialised in the run; the step's root error message if it failed;
    None if it did neither."""
    failure = None
    for entry in instance.all_logs(run_id, of_type={dg.DagsterEventType.ASSET_MATERIALIZATION,
                                                     dg.DagsterEventType.STEP_FAILURE}):
        event = entry.dagster_event
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            if event.asset_key == key:
                return True
        elif event.step_key == step_key:
            failure = _root_message(event.event_specific_data.error)
    return failure


def _same_error(message: str) -> str:
    return re.sub(r"\d+", "#", message)


def _root_message(error) -> str:
    """The user's exception, not Dagster's "Error occurred while executing op" wrapper."""
    while error is not None and error.cause is not None:
        error = error.cause
    if error is None or not error.message:
        return "failed"
    return error.message.strip().splitlines()[0]
