"""Alerts: what a failure says, the JSON body chat webhooks accept, and delivering it.

One :class:`Alert` per incident (see :mod:`smartchange_assets.ops.sensors` for the rule). It names
the run, the failed checks (asset, check, the check's own message) and failed steps, the assets
a failure held back, and links into the UI; a source gone stale (no new payload past its
cadence) gets an alert of its own naming the source, its newest payload's period and when it
landed.

The body posted to ``SMARTCHANGE_ALERT_WEBHOOK`` is one JSON object that the common incoming
webhooks read without a translation layer; each ignores the keys it does not know:

* **Slack** incoming webhook: ``text`` (required; plain URLs are linked).
* **Microsoft Teams** Office 365 connector (MessageCard): ``text``, ``summary``, ``title``,
  ``themeColor``.
* **Matrix**: matrix-hookshot generic webhooks read ``text`` (and ``html``, ``username``);
  t2bot.io webhooks read ``text`` and ``displayName``.
* anything else (our tests, a log collector): ``smartchange`` holds the structured fields.

Without a webhook the alert is logged (logger ``smartchange.alerts``, level WARNING). The webhook
URL is a secret: it is posted with ``secret_url=True``, so neither the HTTP client's log lines nor
any error message show more than ``scheme://host/…``.
"""

from __future__ import annotations

import html
import logging
import os
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode, urlsplit

from smartchange_assets.platform.secrets import redact_text

logger = logging.getLogger("smartchange.alerts")

WEBHOOK_ENV = "SMARTCHANGE_ALERT_WEBHOOK"
UI_URL_ENV = "SMARTCHANGE_UI_URL"
DEFAULT_UI_URL = "http://127.0.0.1:3000"

# a check's message can list hundreds of findings; a chat line should not
MAX_DETAIL_CHARS = 600


def ui_url() -> str:
    return (os.environ.get(UI_URL_ENV) or DEFAULT_UI_URL).rstrip("/")


def run_link(run_id: str, base: str | None = None) -> str:
    return f"{base or ui_url()}/runs/{run_id}"


def asset_link(asset: str, base: str | None = None, **query: str) -> str:
    """UI page of an asset given as ``a/b/c``; ``view="checks", checkDetail=name`` opens a
    check's page (the route the UI itself builds for a check)."""
    path = "/".join(quote(part, safe="") for part in asset.split("/"))
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{base or ui_url()}/assets/{path}{suffix}"


def check_link(asset: str, check: str, base: str | None = None) -> str:
    return asset_link(asset, base, view="checks", checkDetail=check)


def _clip(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= MAX_DETAIL_CHARS else text[:MAX_DETAIL_CHARS - 1] + "…"


@dataclass(frozen=True)
class FailedCheck:
    asset: str  # "jakarta/staging/ispu_daily"
    check: str
    description: str | None
    blocking: bool
    severity: str = "ERROR"  # or "WARN" (e.g. freshness: shown, never alerted on its own)
    # False: the check failed the same way last time, which was alerted (an open incident)
    new: bool = True

    def line(self) -> str:
        kind = "blocking check" if self.blocking else "check"
        notes = (" (warning)" if self.severity == "WARN" else "") + \
            ("" if self.new else " (still failing, alerted before)")
        return (f"{kind} {self.asset} › {self.check}{notes}: "
                f"{_clip(self.description) or 'failed'}")


@dataclass(frozen=True)
class FailedStep:
    step: str
    assets: tuple[str, ...]
    error: str
    # False: the previous attempt at the same step failed the same way, which was alerted
    new: bool = True

    def line(self) -> str:
        what = ", ".join(self.assets) or self.step
        note = "" if self.new else " (still failing, alerted before)"
        return f"step failed{note}: {what}: {_clip(self.error)}"


@dataclass(frozen=True)
class StaleSource:
    """A source whose live fetches brought nothing new for too long (its raw asset's
    ``payload_freshness`` check, platform/staleness.py)."""

    source: str
    asset: str  # the raw asset, "jakarta/raw/ispu"
    check: str
    description: str
    newest_file: str | None = None
    period: str | None = None
    landed_at: str | None = None  # ISO 8601, UTC
    late_after_hours: float | None = None

    def lines(self) -> list[str]:
        out = [_clip(self.description)]
        if self.newest_file:
            out.append(f"newest payload: {self.newest_file} ({self.period}), landed "
                       f"{self.landed_at}")
        return out


@dataclass(frozen=True)
class Alert:
    """One incident: a failed run, or failed checks in a run that itself succeeded."""

    kind: str  # "run_failure" | "check_failure" | "stale_data"
    run_id: str | None
    job: str | None
    failed_checks: tuple[FailedCheck, ...] = ()
    failed_steps: tuple[FailedStep, ...] = ()
    held_back: tuple[str, ...] = ()  # assets planned in the run but not materialised
    reason: str | None = None  # the run's own failure message when no step explains it
    stale: StaleSource | None = None  # kind "stale_data": one source, one incident
    base_url: str = field(default_factory=ui_url)

    @property
    def assets(self) -> tuple[str, ...]:
        named = [self.stale.asset] if self.stale else []
        named += [c.asset for c in self.failed_checks]
        named += [a for s in self.failed_steps for a in s.assets]
        return tuple(dict.fromkeys(named))

    @property
    def is_news(self) -> bool:
        """Worth an alert: a failed run with a failure not alerted before (a check opening an
        incident, a step failing anew, or no explanation at all); a run that did not fail,
        with an error-severity check opening an incident; a source gone stale (built only when
        its incident opens)."""
        if self.kind == "stale_data":
            return True
        if self.kind == "run_failure":
            return (any(c.new for c in self.failed_checks) or any(s.new for s in self.failed_steps)
                    or not (self.failed_checks or self.failed_steps))
        return any(c.new and c.severity == "ERROR" for c in self.failed_checks)

    @property
    def run_url(self) -> str | None:
        return run_link(self.run_id, self.base_url) if self.run_id else None

    @property
    def job_label(self) -> str:
        # the UI's "Materialize" launches the implicit asset job; name it as a user knows it
        if not self.job or self.job.startswith("__"):  # __ASSET_JOB, __ephemeral_asset_job__
            return "asset materialisation"
        return self.job

    def title(self) -> str:
        if self.stale is not None:
            return f"smartchange: stale data from {self.stale.source}"
        if self.kind == "run_failure":
            return f"smartchange: run failed ({self.job_label})"
        return "smartchange: asset check failed"

    def summary(self) -> str:
        """One line: what failed, where."""
        if self.stale is not None:
            return (f"no new payload from {self.stale.source} past its cadence; newest "
                    f"{self.stale.newest_file or '(none)'}, landed {self.stale.landed_at or '—'}")
        if self.failed_checks:
            first = self.failed_checks[0]
            more = len(self.failed_checks) - 1
            what = f"check {first.asset}:{first.check} failed" + (f" (+{more} more)" if more
                                                                   else "")
        elif self.failed_steps:
            what = f"{', '.join(self.assets) or self.failed_steps[0].step} failed"
        else:
            what = _clip(self.reason) or "run failed"
        run = f" in run {self.run_id[:8]} ({self.job_label})" if self.run_id else ""
        return f"{what}{run}"

    def lines(self) -> list[str]:
        out = [f"✗ {self.title()}", self.summary()]
        if self.stale is not None:
            out += self.stale.lines()
        out += [c.line() for c in self.failed_checks]
        out += [s.line() for s in self.failed_steps]
        if self.reason and not self.failed_steps and not self.failed_checks:
            out.append(f"reason: {_clip(self.reason)}")
        if self.held_back:
            out.append("not materialised (held back): " + ", ".join(self.held_back))
        if self.run_url:
            out.append(f"run: {self.run_url}")
        out += [f"check: {check_link(c.asset, c.check, self.base_url)}"
                for c in self.failed_checks]
        if self.stale is not None:
            out.append(f"check: {check_link(self.stale.asset, self.stale.check, self.base_url)}")
        return out

    def text(self) -> str:
        return "\n".join(self.lines())

    def webhook_body(self) -> dict:
        html_lines = [html.escape(line) for line in self.lines()]
        return {
            "text": self.text(),
            "summary": self.summary(),
            "title": self.title(),
            "themeColor": "C4314B",
            "html": "<br>".join(html_lines),
            "username": "smartchange",
            "displayName": "smartchange",
            "smartchange": {
                "kind": self.kind,
                "run_id": self.run_id,
                "job": self.job,
                "run_url": self.run_url,
                "assets": list(self.assets),
                "checks": [{"asset": c.asset, "check": c.check, "blocking": c.blocking,
                            "severity": c.severity, "new": c.new,
                            "description": c.description,
                            "url": check_link(c.asset, c.check, self.base_url)}
                           for c in self.failed_checks],
                "failed_steps": [{"step": s.step, "assets": list(s.assets), "error": s.error,
                                  "new": s.new} for s in self.failed_steps],
                "held_back": list(self.held_back),
                "stale": None if self.stale is None else {
                    "source": self.stale.source, "asset": self.stale.asset,
                    "check": self.stale.check, "description": self.stale.description,
                    "newest_file": self.stale.newest_file, "period": self.stale.period,
                    "landed_at": self.stale.landed_at,
                    "late_after_hours": self.stale.late_after_hours,
                    "url": check_link(self.stale.asset, self.stale.check, self.base_url)},
            },
        }


class AlertDeliveryError(RuntimeError):
    """The webhook did not accept the alert after the HTTP client's retries."""


def alert_client():
    """Few, short retries: a sensor tick must end well within Dagster's 60 s sensor timeout."""
    from smartchange_assets.platform.http import HttpClient

    return HttpClient(connect_timeout=5.0, read_timeout=10.0, max_attempts=3,
                      backoff_base_s=1.0, backoff_cap_s=4.0, max_retry_after_s=10.0,
                      min_interval_s=0.0)


def deliver(alert: Alert, *, webhook: str | None = None, client=None, log=None) -> str:
    """Post the alert to the webhook (``SMARTCHANGE_ALERT_WEBHOOK`` by default) or, with none
    set, log it. Returns ``"sent"`` or ``"logged"``; raises :class:`AlertDeliveryError` (with
    the alert's text, so it is never lost) when the webhook keeps failing."""
    from smartchange_assets.platform.http import HttpError

    log = log or logger
    webhook = webhook if webhook is not None else os.environ.get(WEBHOOK_ENV, "").strip()
    if not webhook:
        log.warning("ALERT (no %s set)\n%s", WEBHOOK_ENV, alert.text())
        return "logged"
    own_client = client is None
    client = client or alert_client()
    try:
        # a webhook URL is a credential (Slack, Teams and hookshot put the secret in the path):
        # the client shows it as scheme://host/… in its logs and errors, requests' included
        client.post_json(webhook, alert.webhook_body(), secret_url=True)
    except HttpError as exc:
        reason = redact_text(str(exc), secrets=(webhook, urlsplit(webhook).path))
        log.error("alert could not be delivered: %s\n%s", reason, alert.text())
        raise AlertDeliveryError(f"alert not delivered to the webhook: {reason}\n\n"
                                 f"{alert.text()}") from None
    finally:
        if own_client:
            client.close()
    log.info("alert sent: %s", alert.summary())
    return "sent"
