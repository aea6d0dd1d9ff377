"""What went wrong in one run, read back from Dagster's event log (for the alert)."""

from __future__ import annotations

import dagster as dg

from smartchange_assets.ops.alerts import Alert, FailedCheck, FailedStep

_EVENTS = {
    dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
    dg.DagsterEventType.ASSET_MATERIALIZATION,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
    dg.DagsterEventType.STEP_FAILURE,
}


def failed_check(evaluation: dg.AssetCheckEvaluation) -> FailedCheck:
    return FailedCheck(evaluation.asset_key.to_user_string(), evaluation.check_name,
                       evaluation.description, bool(evaluation.blocking),
                       evaluation.severity.value)


def incident_for_run(instance: dg.DagsterInstance, run: dg.DagsterRun, kind: str,
                     reason: str | None = None) -> Alert:
    """The alert for ``run``: its failed checks, the steps that failed for another reason, and
    the assets it planned but did not materialise (held back by a failure upstream)."""
    read = _read_run(instance, run.run_id)
    return Alert(kind=kind, run_id=run.run_id, job=run.job_name,
                 failed_checks=tuple(read["checks"]), failed_steps=tuple(read["steps"]),
                 held_back=tuple(read["held_back"]), reason=reason)


def _read_run(instance: dg.DagsterInstance, run_id: str) -> dict:
    planned: dict[str, list[str]] = {}  # step key -> assets it was to materialise
    materialised: set[str] = set()
    checks: list[FailedCheck] = []
    check_steps: set[str] = set()
    failures = []
    for entry in instance.all_logs(run_id, of_type=_EVENTS):
        event = entry.dagster_event
        kind = event.event_type
        if kind == dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED:
            planned.setdefault(event.step_key or "", []).append(
                event.asset_key.to_user_string())
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialised.add(event.asset_key.to_user_string())
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed:
                checks.append(failed_check(evaluation))
                check_steps.add(event.step_key or "")
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            failures.append(event)
    steps = []
    for event in failures:
        if event.step_key in check_steps:
            continue  # a failed blocking check fails its step: the check line says it all
        message = _root_message(event.event_specific_data.error)
        steps.append(FailedStep(event.step_key or "", tuple(planned.get(event.step_key, [])),
                                message))
    held_back = [a for assets in planned.values() for a in assets if a not in materialised
                 and not any(a in s.assets for s in steps)]
    checks.sort(key=lambda c: c.severity != "ERROR")  # the summary names an error first
    return {"checks": checks, "steps": steps, "held_back": held_back}


def _root_message(error) -> str:
    """The user's exception, not Dagster's "Error occurred while executing op" wrapper."""
    while error is not None and error.cause is not None:
        error = error.cause
    if error is None or not error.message:
        return "failed"
    return error.message.strip().splitlines()[0]
