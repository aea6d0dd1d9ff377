"""What went wrong in one run, read back from Dagster's event log, and whether it is news.

A failed check is **news** when it opens an incident: the check's previous completed
evaluation (same asset and check, whatever partitions it judged) passed, or failed for another
reason (another description), or there is none. A broken payload failing a partition run of the
landed-payloads sensor and then a full refresh is one incident. When the previous one failed
with the same description, the incident is still open: automation retrying the staging table,
a sensor re-running it for a landed file, or the next nightly run all hit the same broken
payload, and that was alerted already. The incident closes with the check's next passing evaluation.
"""

from __future__ import annotations

import dagster as dg

from smartchange_assets.ops.alerts import Alert, FailedCheck, FailedStep

_EVENTS = {
    dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
    dg.DagsterEventType.ASSET_MATERIALIZATION,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
    dg.DagsterEventType.STEP_FAILURE,
}
# how far back a check's history is read to find the evaluation before this one
HISTORY = 200
# completed evaluations (the history also holds planned and skipped ones)
_SUCCEEDED, _FAILED = "SUCCEEDED", "FAILED"



def failed_check(instance: dg.DagsterInstance, entry: dg.EventLogEntry) -> FailedCheck:
    """The failed evaluation in ``entry``, with whether it opens an incident."""
    evaluation = entry.dagster_event.event_specific_data
    return FailedCheck(evaluation.asset_key.to_user_string(), evaluation.check_name,
                       evaluation.description, bool(evaluation.blocking),
                       evaluation.severity.value, new=opens_incident(instance, entry))


def opens_incident(instance: dg.DagsterInstance, entry: dg.EventLogEntry) -> bool:
    evaluation = entry.dagster_event.event_specific_data
    history = [r for r in instance.event_log_storage.get_asset_check_execution_history(
        evaluation.asset_check_key, limit=HISTORY)
        if r.status.value in (_SUCCEEDED, _FAILED) and r.event is not None]  # newest first
    here = next((i for i, r in enumerate(history) if r.run_id == entry.run_id
                 and r.event.timestamp == entry.timestamp), None)
    if here is None or here + 1 == len(history):
        return True
    before = history[here + 1]
    return (before.status.value == _SUCCEEDED
            or before.event.dagster_event.event_specific_data.description
            != evaluation.description)


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
        steps.append(FailedStep(event.step_key or "", tuple(planned.get(event.step_key, {})),
                                message))
    held_back = [a for assets in planned.values() for a in assets if a not in materialised
                 and not any(a in s.assets for s in steps)]
    # the summary names what is news first, errors before warnings
    checks.sort(key=lambda c: (not c.new, c.severity != "ERROR"))
    return {"checks": checks, "steps": steps, "held_back": held_back}


def _root_message(error) -> str:
    """The user's exception, not Dagster's "Error occurred while executing op" wrapper."""
    while error is not None and error.cause is not None:
        error = error.cause
    if error is None or not error.message:
        return "failed"
    return error.message.strip().splitlines()[0]
