"""Stale data is loud: a source that brought nothing new for longer than its publisher's cadence
allows fails its raw asset's ``payload_freshness`` check.

The raw asset evaluates the check after every fetch in live mode. The source's **newest
payload** – the first arrival of the newest bytes in use (not rejected) – must have landed
within the source's window: ``SourceSpec.late_after``, else the fail window of its
``publisher_cadence`` (:func:`~.automation.stale_after`: daily 50 h, monthly 40 d, yearly
400 d). A fetch that lands bytes already in the archive brings nothing new; "now" and "landed"
are both read from :mod:`.clock`.

The check is not blocking (stale data is still the best data there is) and has severity
ERROR: the alert sensors send one alert per source and incident (``ops/sensors.py``). Its
description names the newest payload, its period and when it landed – not the age – so it
stays the same while the incident lasts (one alert); the next new payload passes the check and
closes the incident.

Not judged (the check passes and says why): replay mode (the archive is all there is), a source
without a live connector (its files are landed by hand), and a live fetch skipped for a stated
reason (an optional source without its API key).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import dagster as dg
import sqlalchemy as sa

STALE_CHECK = "payload_freshness"


@dataclass(frozen=True)
class NewestPayload:
    file_name: str
    sha256: str
    period_start: dt.date | None
    period_end: dt.date | None
    landed_at: dt.datetime
    landed_by: str

    @property
    def period(self) -> str:
        if self.period_start is None and self.period_end is None:
            return "period not stated"
        return f"{self.period_start or '…'} – {self.period_end or '…'}"


def newest_payload(wh, source: str) -> NewestPayload | None:
    """The payload of ``source`` whose bytes arrived last (each sha counted at its first
    arrival, rejected ones left out); ``wh`` is a Warehouse."""
    with wh.engine.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT file_name, sha256, period_start, period_end, landed_at, landed_by FROM ("
            "  SELECT DISTINCT ON (m.sha256) m.file_name, m.sha256, m.period_start,"
            "    m.period_end, m.landed_at, m.landed_by, m.id"
            "  FROM raw.landing_manifest m WHERE m.source = :source AND NOT EXISTS ("
            "    SELECT 1 FROM raw.landing_rejection r"
            "    WHERE r.source = m.source AND r.sha256 = m.sha256)"
            "  ORDER BY m.sha256, m.landed_at, m.id) AS first_arrival"
            " ORDER BY landed_at DESC, id DESC LIMIT 1"), {"source": source}).first()
    if row is None:
        return None
    return NewestPayload(row.file_name, row.sha256, row.period_start, row.period_end,
                         row.landed_at, row.landed_by)


def human_duration(window: dt.timedelta) -> str:
    minutes = window.total_seconds() / 60
    if minutes < 90:
        return f"{minutes:.0f} min"
    if minutes < 72 * 60:
        return f"{minutes / 60:.0f} h"
    return f"{minutes / 1440:.0f} days"


def freshness_check_spec(raw_key: dg.AssetKey, cadence: str,
                         window: dt.timedelta) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        STALE_CHECK, asset=raw_key, blocking=False,
        description=f"Live mode: fails when the source brought no new payload for more than "
                    f"{human_duration(window)} (publisher cadence {cadence}); alerted once per "
                    "incident, closed by the next new payload.")


def judge(source: str, cadence: str, window: dt.timedelta, newest: NewestPayload | None,
          now: dt.datetime) -> dg.AssetCheckResult:
    """The check's result for ``source`` at ``now``."""
    base = {"source": source, "cadence": cadence,
            "late_after_hours": dg.MetadataValue.float(window.total_seconds() / 3600)}
    if newest is None:
        return dg.AssetCheckResult(
            check_name=STALE_CHECK, passed=False, severity=dg.AssetCheckSeverity.ERROR,
            description=f"{source}: no payload has ever landed (publisher cadence {cadence})",
            metadata=base)
    age = now - newest.landed_at
    landed = newest.landed_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    metadata = {
        **base, "newest_file": newest.file_name, "newest_sha256": newest.sha256,
        "period": newest.period, "landed_by": newest.landed_by,
        "landed_at": dg.MetadataValue.timestamp(newest.landed_at),
        "age_hours": dg.MetadataValue.float(round(age.total_seconds() / 3600, 1)),
    }
    stale = age > window
    if stale:
        # no age in the text: it is the same every night of one incident (one alert)
        description = (f"{source}: no new payload for more than {human_duration(window)} "
                       f"(publisher cadence {cadence}); newest payload {newest.file_name} "
                       f"({newest.period}), landed {landed}")
    else:
        description = (f"{source}: newest payload {newest.file_name} ({newest.period}) landed "
                       f"{landed}, {human_duration(age)} ago; stale after "
                       f"{human_duration(window)}")
    return dg.AssetCheckResult(check_name=STALE_CHECK, passed=not stale,
                               severity=dg.AssetCheckSeverity.ERROR, description=description,
                               metadata=metadata)


def not_judged(source: str, reason: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(check_name=STALE_CHECK, passed=True,
                               description=f"{source}: not judged: {reason}",
                               metadata={"source": source, "judged": False})
