"""Alert sensors, on by default: one alert per incident.

The rule (so that one failure never gives two alerts):

* **An incident opens** when a check fails and its previous evaluation (same asset, check and
  partition) passed, failed with another description, or does not exist; it stays open, and
  silent, while the check keeps failing the same way (automation retrying the table, a sensor
  re-running it for a landed file, the next nightly run); the next passing evaluation closes
  it (:mod:`smartchange_assets.ops.incidents`). A failed step (not a check) is an incident of
  its run.
* A run that **failed** is alerted once by :data:`run_failure_alert` (a ``run_failure_sensor``)
  when it holds something new: a check opening an incident (a failed *blocking* check is what
  failed the run: the check and the run failure are one incident, one alert), a failed step,
  or no explanation at all. The alert names every failed check (those of open incidents marked
  "still failing"), every failed step, the assets held back, and links to the run and each
  check.
* Checks failing in a run that did **not** fail (non-blocking checks, a canceled run) are
  alerted by :data:`check_failure_alert` after that run ended, one alert for the run's failed
  checks, when one of error severity opens an incident (warnings, e.g. freshness, show in the
  UI and ride along). It leaves failed runs to the run sensor, and alerts a failed evaluation
  reported outside any run on its own.
* **Stale data**: a raw asset's ``payload_freshness`` check failing (no new payload past the
  source's cadence, platform/staleness.py) is alerted by :data:`check_failure_alert` on its
  own, one alert per source and incident, naming the source, its newest payload's period and
  when it landed, whatever the run did; its check description stays the same while nothing new
  arrives, so the nightly re-evaluations stay silent, and the next new payload passes the check
  and closes the incident.
* A step that failed before any check ran (a connector that cannot reach its portal) is an
  incident of its own too: the run sensor alerts it when it opens, not every night it stays
  (:func:`~smartchange_assets.ops.incidents.step_opens_incident`).

The check sensor keeps its own cursor (event storage id of the last evaluation handled, plus
the runs already handled whose events lie past it). On its first tick it starts from the
newest evaluation, like Dagster's run-status sensors, so enabling it does not replay history.

Delivery: :func:`smartchange_assets.ops.alerts.deliver` (webhook with retries, else the log).
When the webhook keeps failing, the run sensor's tick fails (red in the UI, the alert's text in
the error) and Dagster moves on; the check sensor keeps the alert and retries it on its next
tick (its skip reason says so).
"""

from __future__ import annotations

import json
import os

import dagster as dg

from smartchange_assets.ops.alerts import Alert, AlertDeliveryError, deliver
from smartchange_assets.ops.incidents import (
    failed_check,
    incident_for_run,
    is_staleness,
    opens_incident,
    stale_alert,
)

# seconds between two evaluations; tests shorten it through the environment
INTERVAL_S = int(os.environ.get("SMARTCHANGE_ALERT_INTERVAL_S", "30"))
# run ids alerted past the cursor that are remembered (a run's events are never further apart)
REMEMBERED_RUNS = 500
# a failed check alerts on its own at this severity; WARN failures (the freshness checks: a
# late publisher is worth a look, not a page) show in the UI and in an alert about their run
ALERTED_SEVERITY = dg.AssetCheckSeverity.ERROR
FETCH_LIMIT = 1000

_FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE,
             dg.DagsterRunStatus.CANCELED}


@dg.run_failure_sensor(
    name="run_failure_alert",
    minimum_interval_seconds=INTERVAL_S,
    # also runs without a code-location origin: `smartchange refresh` executes in process
    monitor_all_code_locations=True,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="One alert per failed run to SMARTCHANGE_ALERT_WEBHOOK (or the log), naming "
                "the failed checks and steps, the held-back assets and links into the UI.",
)
def run_failure_alert(context: dg.RunFailureSensorContext) -> None:
    alert = incident_for_run(context.instance, context.dagster_run, "run_failure",
                             reason=context.failure_event.message)
    if not alert.is_news:
        context.log.info("run %s failed on checks already alerted (open incident): %s",
                         context.dagster_run.run_id, alert.summary())
        return
    deliver(alert, log=context.log)


@dg.sensor(
    name="check_failure_alert",
    minimum_interval_seconds=INTERVAL_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="One alert per run whose checks failed although the run did not fail (failed "
                "runs are alerted by run_failure_alert), to SMARTCHANGE_ALERT_WEBHOOK or the log.",
)
def check_failure_alert(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    storage = context.instance.event_log_storage
    if context.cursor is None:
        newest = storage.get_event_records(
            dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION),
            limit=1, ascending=False)
        start = newest[0].storage_id if newest else 0
        return dg.SensorResult(cursor=_dump(start, []),
                               skip_reason=f"starting after check evaluation {start}")
    after, alerted = _load(context.cursor)
    records = storage.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION,
                           after_cursor=after), limit=FETCH_LIMIT, ascending=True)
    pending = False  # an unresolved evaluation stops the cursor; later ones go to `alerted`
    sent, undelivered = [], []
    for record in records:
        outcome = _handle_evaluation(context, record, alerted)
        if outcome == "pending":
            pending = True
        elif outcome.startswith("undelivered:"):
            pending = True
            undelivered.append(outcome.removeprefix("undelivered:"))
        elif outcome.startswith("sent:"):
            sent.append(outcome.removeprefix("sent:"))
        if not pending:
            after = record.storage_id
    if undelivered:  # retried next tick; the tick's skip reason and log say why
        context.log.error("undelivered alerts: %s", undelivered)
    reason = (f"{len(undelivered)} alert(s) not delivered, retrying next tick"
              if undelivered else None if sent else "no new failed checks to alert")
    return dg.SensorResult(cursor=_dump(after, alerted), skip_reason=reason)


def _handle_evaluation(context: dg.SensorEvaluationContext, record, alerted: list[str]) -> str:
    """``done``, ``pending`` (its run is still going), ``sent:…`` or ``undelivered:…``;
    ``alerted`` gets the incident's key once it needs no further alert."""
    entry = record.event_log_entry
    evaluation = entry.dagster_event.event_specific_data
    if is_staleness(evaluation):
        return _handle_stale(context, record, alerted)
    key = entry.run_id or f"event:{record.storage_id}"
    if evaluation.passed or key in alerted or evaluation.severity != ALERTED_SEVERITY:
        return "done"
    if not opens_incident(context.instance, entry):
        return "done"  # failing as before: alerted when the incident opened
    run = context.instance.get_run_by_id(entry.run_id) if entry.run_id else None
    if run is not None and run.status not in _FINISHED:
        return "pending"
    if run is not None and run.status == dg.DagsterRunStatus.FAILURE:
        alerted.append(key)  # run_failure_alert owns failed runs
        return "done"
    if run is not None:
        alert = incident_for_run(context.instance, run, "check_failure")
    else:  # reported outside any run: this evaluation is the incident
        alert = Alert(kind="check_failure", run_id=None, job=None,
                      failed_checks=(failed_check(context.instance, entry),))
    try:
        deliver(alert, log=context.log)
    except AlertDeliveryError as exc:
        return f"undelivered:{exc}"
    alerted.append(key)
    return f"sent:{alert.summary()}"


def _handle_stale(context: dg.SensorEvaluationContext, record, alerted: list[str]) -> str:
    """One alert per source and incident, as soon as the evaluation is stored (a stale source
    is news whatever the rest of its run does)."""
    entry = record.event_log_entry
    key = f"stale:{record.storage_id}"
    if entry.dagster_event.event_specific_data.passed or key in alerted:
        return "done"
    if not opens_incident(context.instance, entry):
        return "done"  # still stale since the alert: same newest payload, same description
    alert = stale_alert(context.instance, entry)
    try:
        deliver(alert, log=context.log)
    except AlertDeliveryError as exc:
        return f"undelivered:{exc}"
    alerted.append(key)
    return f"sent:{alert.summary()}"


def _load(cursor: str) -> tuple[int, list[str]]:
    data = json.loads(cursor)
    return int(data["after"]), list(data.get("alerted", []))


def _dump(after: int, alerted: list[str]) -> str:
    return json.dumps({"after": after, "alerted": alerted[-REMEMBERED_RUNS:]})


ALERT_SENSORS = [run_failure_alert, check_failure_alert]
