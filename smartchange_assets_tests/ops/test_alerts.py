"""Alert text, the webhook body chat services accept, and delivery through the real client.

The failing check's message is the one the platform really produces for the corrupted 2021
ISPU export (row 10's date garbled), as the end-to-end test lands it.
"""

from __future__ import annotations

import json
import logging

import pytest

from smartchange_assets.ops import alerts
from smartchange_assets.ops.alerts import Alert, AlertDeliveryError, FailedCheck, FailedStep
from smartchange_assets.platform.http import HttpClient

RUN_ID = "fe7f5786-ba2e-4b4a-8fdc-047b5646bb6f"
MESSAGE = ("jakarta/ispu: ispu-2021-downloaded-by-hand.csv: row 10, column 'tanggal': "
           "unparseable date '20x1-13-45' (key column unreadable)")


def failed_run_alert(base_url: str = "http://127.0.0.1:3000") -> Alert:
    return Alert(kind="run_failure", run_id=RUN_ID, job="__ASSET_JOB",
                 failed_checks=(FailedCheck("jakarta/staging/ispu_daily",
                                            "payload_reconciliation", MESSAGE, True),),
                 held_back=("core/fact_air_quality_daily", "marts/air_quality_monthly"),
                 base_url=base_url)


def test_alert_names_asset_check_run_and_links_into_the_ui():
    text = failed_run_alert().text()
    assert "jakarta/staging/ispu_daily" in text and "payload_reconciliation" in text
    assert "row 10, column 'tanggal'" in text
    assert f"run: http://127.0.0.1:3000/runs/{RUN_ID}" in text
    assert ("check: http://127.0.0.1:3000/assets/jakarta/staging/ispu_daily?view=checks&"
            "checkDetail=payload_reconciliation") in text
    assert "not materialised (held back): core/fact_air_quality_daily, " \
           "marts/air_quality_monthly" in text
    # the UI's "Materialize" runs the implicit asset job: named as a user knows it
    assert "__ASSET_JOB" not in failed_run_alert().title()


def test_webhook_body_has_the_fields_slack_teams_and_matrix_read():
    body = failed_run_alert().webhook_body()
    json.dumps(body)  # serialisable as is
    assert body["text"] == failed_run_alert().text()  # Slack, Teams, Matrix (hookshot, t2bot)
    assert body["summary"].startswith("check jakarta/staging/ispu_daily:payload_reconciliation "
                                      "failed in run fe7f5786")  # Teams MessageCard
    assert body["title"] and body["themeColor"] == "C4314B"  # Teams
    assert "&#x27;tanggal&#x27;" in body["html"]  # hookshot's html, escaped
    structured = body["smartchange"]
    assert structured["run_id"] == RUN_ID and structured["kind"] == "run_failure"
    assert structured["checks"][0]["check"] == "payload_reconciliation"
    assert structured["checks"][0]["url"].endswith("checkDetail=payload_reconciliation")


def test_ui_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("SMARTCHANGE_UI_URL", "https://dagster.smartchange.example/")
    alert = Alert(kind="run_failure", run_id=RUN_ID, job="refresh_all",
                  failed_steps=(FailedStep("jakarta__raw__ispu", ("jakarta/raw/ispu",),
                                           "HttpError: gave up after 5 attempts"),))
    assert alert.run_url == f"https://dagster.smartchange.example/runs/{RUN_ID}"
    assert "step failed: jakarta/raw/ispu: HttpError" in alert.text()
    monkeypatch.delenv("SMARTCHANGE_UI_URL")
    assert alerts.ui_url() == "http://127.0.0.1:3000"


def test_long_check_messages_are_clipped():
    long = "; ".join([MESSAGE] * 40)
    line = FailedCheck("jakarta/staging/ispu_daily", "payload_reconciliation", long, True).line()
    assert len(line) < alerts.MAX_DETAIL_CHARS + 100 and line.endswith("…")


def test_without_webhook_the_alert_is_logged(monkeypatch, caplog):
    monkeypatch.delenv("SMARTCHANGE_ALERT_WEBHOOK", raising=False)
    with caplog.at_level(logging.WARNING, logger="smartchange.alerts"):
        assert alerts.deliver(failed_run_alert()) == "logged"
    assert "row 10, column 'tanggal'" in caplog.text
    assert "SMARTCHANGE_ALERT_WEBHOOK" in caplog.text


def _client(sleeps: list) -> HttpClient:
    return HttpClient(max_attempts=3, sleep=sleeps.append, min_interval_s=0.0)


def test_delivery_posts_json_and_retries_a_500(monkeypatch, webhook):
    webhook.clear()
    monkeypatch.setenv("SMARTCHANGE_ALERT_WEBHOOK", webhook.url)
    webhook.fail_next(500)
    sleeps: list[float] = []
    assert alerts.deliver(failed_run_alert(), client=_client(sleeps)) == "sent"
    assert len(webhook.raw) == 2 and len(webhook.received) == 1 and len(sleeps) == 1
    headers, body = webhook.raw[-1]
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["smartchange"]["run_id"] == RUN_ID


def test_delivery_honours_retry_after_on_429(monkeypatch, webhook):
    webhook.clear()
    monkeypatch.setenv("SMARTCHANGE_ALERT_WEBHOOK", webhook.url)
    webhook.fail_next(429, headers={"Retry-After": "7"})
    sleeps: list[float] = []
    alerts.deliver(failed_run_alert(), client=_client(sleeps))
    assert sleeps == [7.0] and len(webhook.received) == 1


def test_webhook_that_keeps_failing_raises_with_the_alert_and_hides_the_url(monkeypatch,
                                                                           webhook, caplog):
    webhook.clear()
    monkeypatch.setenv("SMARTCHANGE_ALERT_WEBHOOK", webhook.url)
    webhook.fail_next(503, times=3)
    with caplog.at_level(logging.INFO), pytest.raises(AlertDeliveryError) as raised:
        alerts.deliver(failed_run_alert(), client=_client([]))
    assert "row 10, column 'tanggal'" in str(raised.value)  # the alert is not lost
    assert webhook.received == [] and len(webhook.raw) == 3
    # the path of a webhook URL is its secret: neither our error nor the client's log shows it
    assert "/hooks/smartchange" not in str(raised.value)
    assert "/hooks/smartchange" not in caplog.text
    assert "http://127.0.0.1/…" in str(raised.value)


def test_default_alert_client_stays_inside_a_sensor_tick():
    client = alerts.alert_client()
    worst = sum(min(client.backoff_cap_s, client.backoff_base_s * 2 ** n)
                for n in range(client.max_attempts - 1))
    reads = client.max_attempts * sum(client.timeout)
    assert worst + reads < 60  # Dagster's default sensor evaluation timeout
