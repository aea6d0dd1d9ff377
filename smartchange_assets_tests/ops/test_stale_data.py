"""Stale data is loud: a source whose live fetches bring nothing new past its cadence fails its
raw asset's ``payload_freshness`` check, and the alert sensors send one alert per source and
incident; a new payload resolves it. A connector that cannot reach its portal is alerted once
per incident too.

The real ISPU raw asset runs in live mode against a satudata stand-in (``responses``) serving
real rows of the 2021 ISPU download (the replies of test_live_connectors.py); the clock is
moved (``platform/clock.py``), never slept. Alerts reach the local webhook receiver through the
real HTTP client.
"""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg
import pytest
import requests
import responses

from smartchange_assets.jakarta.ispu.source import SOURCE as ISPU
from smartchange_assets.jakarta.satudata import SATUDATA_DETAIL_URL
from smartchange_assets.platform import clock, source_assets
from smartchange_assets.platform.resources import PortalResource, WarehouseResource
from smartchange_assets.platform.staleness import STALE_CHECK, newest_payload

from ..test_live_connectors import ROWS, satudata_reply

pytestmark = pytest.mark.slow

RAW = ISPU.raw_key.to_user_string()
MONTHLY_LATE = dt.timedelta(days=40)


class Portal:
    """Satudata's detail endpoint: the first ISPU slug serves ``rows``, every other slug an
    empty dataset; ``down`` refuses every connection."""

    def __init__(self, rsps):
        self.rows = ROWS[:5]
        self.down = False
        rsps.add_callback(responses.POST, SATUDATA_DETAIL_URL, callback=self.reply)
        rsps.add_passthru("http://127.0.0.1")  # the webhook receiver

    def reply(self, request):
        if self.down:
            raise requests.ConnectionError("connection refused (portal down)")
        body = json.loads(request.body)
        rows = self.rows if body["page_url"] == ISPU_FIRST_SLUG else []
        return 200, {"Content-Type": "application/json"}, satudata_reply(rows, len(rows))


ISPU_FIRST_SLUG = "data-indeks-standar-pencemar-udara-ispu-di-provinsi-dki-jakarta"


class Clock:
    def __init__(self, monkeypatch):
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        monkeypatch.setattr(clock, "now", lambda: self.now)

    def move(self, delta: dt.timedelta) -> None:
        self.now += delta


@pytest.fixture()
def portal():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield Portal(rsps)


@pytest.fixture(autouse=True)
def no_retry_waits(monkeypatch):
    """The raw asset as built, but without its retry policy's waits (30 s and more)."""
    monkeypatch.setattr(source_assets, "SOURCE_RETRY", None)


def fetch(instance, wh, mode: str = "live") -> dg.ExecuteInProcessResult:
    """The ISPU raw asset alone, as the nightly job runs it."""
    raw = source_assets.raw_asset(ISPU)
    return dg.materialize(
        [raw], instance=instance, raise_on_error=False,
        resources={"warehouse": WarehouseResource(url=wh.url),
                   "portal": PortalResource(mode=mode, max_attempts=1)})


def freshness(result: dg.ExecuteInProcessResult) -> dg.AssetCheckEvaluation:
    [evaluation] = [e for e in result.get_asset_check_evaluations()
                    if e.check_name == STALE_CHECK]
    return evaluation


def stale_alerts(webhook) -> list[dict]:
    return [b for b in webhook.received if b["smartchange"]["kind"] == "stale_data"]


def test_stale_source_fails_its_check_alerts_once_and_a_new_payload_resolves_it(
        alerting, webhook, fresh_database, portal, monkeypatch):
    now = Clock(monkeypatch)
    landed_first = now.now

    # night 1: the seed and the portal's reply land; fresh
    first = fetch(alerting.instance, fresh_database)
    assert first.success
    assert freshness(first).passed
    alerting.tick()
    assert stale_alerts(webhook) == []
    newest = newest_payload(fresh_database, ISPU.source_id)
    assert newest.landed_at == landed_first and newest.landed_by == "live"

    # 40 days later nothing is late yet; past that, a fetch bringing the same bytes is stale
    now.move(MONTHLY_LATE)
    assert freshness(fetch(alerting.instance, fresh_database)).passed
    now.move(dt.timedelta(hours=1))
    stale = fetch(alerting.instance, fresh_database)
    assert stale.success  # not blocking: the run goes on, the check fails
    evaluation = freshness(stale)
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.description.startswith("jakarta/ispu: no new payload for more than "
                                             "40 days (publisher cadence monthly)")
    alerting.tick()
    alerting.tick()
    [alert] = stale_alerts(webhook)
    assert len(webhook.received) == 1  # nothing else alerted either
    body = alert["smartchange"]
    assert body["stale"]["source"] == "jakarta/ispu"
    assert body["stale"]["newest_file"] == newest.file_name
    assert body["stale"]["period"] == newest.period
    assert body["stale"]["landed_at"] == landed_first.isoformat(timespec="minutes")
    assert body["assets"] == [RAW] and body["run_id"] == stale.run_id
    assert "stale data from jakarta/ispu" in alert["text"]
    assert f"landed {landed_first:%Y-%m-%d %H:%M} UTC" in alert["text"]
    assert (f"http://dagster.test:3000/assets/jakarta/raw/ispu?view=checks&checkDetail="
            f"{STALE_CHECK}") in alert["text"]

    # the next nights: still stale, the same incident, no second alert
    for _ in range(2):
        now.move(dt.timedelta(days=1))
        assert not freshness(fetch(alerting.instance, fresh_database)).passed
        alerting.tick()
    assert len(stale_alerts(webhook)) == 1

    # the publisher adds rows: a new payload lands and the incident is resolved
    portal.rows = ROWS[:8]
    now.move(dt.timedelta(days=1))
    recovered = fetch(alerting.instance, fresh_database)
    assert freshness(recovered).passed
    assert newest_payload(fresh_database, ISPU.source_id).landed_at == now.now
    alerting.tick()
    assert len(stale_alerts(webhook)) == 1

    # stale again later: a new incident, a new alert naming the new newest payload
    now.move(MONTHLY_LATE + dt.timedelta(hours=1))
    assert not freshness(fetch(alerting.instance, fresh_database)).passed
    alerting.tick()
    alerts = stale_alerts(webhook)
    assert len(alerts) == 2
    assert alerts[1]["smartchange"]["stale"]["landed_at"] == \
        (now.now - MONTHLY_LATE - dt.timedelta(hours=1)).isoformat(timespec="minutes")


def test_replay_mode_does_not_judge_staleness(alerting, webhook, fresh_database, monkeypatch):
    now = Clock(monkeypatch)
    assert freshness(fetch(alerting.instance, fresh_database, mode="replay")).passed
    now.move(dt.timedelta(days=400))
    evaluation = freshness(fetch(alerting.instance, fresh_database, mode="replay"))
    assert evaluation.passed and "not judged: replay mode" in evaluation.description
    alerting.tick()
    assert webhook.received == []


def test_unreachable_portal_is_alerted_once_per_incident(alerting, webhook, fresh_database,
                                                         portal, monkeypatch):
    Clock(monkeypatch)
    portal.down = True
    failed = fetch(alerting.instance, fresh_database)
    assert not failed.success
    assert not failed.get_asset_check_evaluations()  # it failed before any check ran
    alerting.tick()
    [alert] = webhook.received
    body = alert["smartchange"]
    assert body["kind"] == "run_failure" and body["run_id"] == failed.run_id
    [step] = body["failed_steps"]
    assert step["assets"] == [RAW] and step["new"] is True
    assert "portal down" in step["error"]

    # the next nights, still down: the same incident, silent
    for _ in range(2):
        assert not fetch(alerting.instance, fresh_database).success
        alerting.tick()
    assert len(webhook.received) == 1

    # back up: the raw asset materialises (incident closed); down again: a new alert
    portal.down = False
    assert fetch(alerting.instance, fresh_database).success
    alerting.tick()
    assert len(webhook.received) == 1
    portal.down = True
    again = fetch(alerting.instance, fresh_database)
    alerting.tick()
    assert len(webhook.received) == 2
    assert webhook.received[1]["smartchange"]["run_id"] == again.run_id
