"""Declarative automation and freshness, described once and attached by the asset builders.

* :data:`AFTER_UPSTREAM` – every table past the raw layer (staging, derived staging, core,
  marts) updates when an upstream changed **and** every blocking check on its upstreams
  passed. The check state is read from the event log, so it holds across runs: a staging table
  whose blocking check failed in last night's run keeps its core tables and marts where they
  are until a later run passes the check. Unlike ``AutomationCondition.eager()`` it is not
  limited to the latest time partition, so a backfilled month of a source flows on into the
  same month of the fact table and mart.
* :func:`freshness_policy` – the publisher's cadence (daily, monthly, yearly) as a Dagster
  ``FreshnessPolicy`` (shown on the asset page and in the asset health), and
  :func:`partition_freshness_checks` – for time-partitioned sources, the current period's
  partition must have been loaded by a deadline in the city's time zone.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import dagster as dg

DAILY, MONTHLY, YEARLY = "daily", "monthly", "yearly"
CADENCES = (DAILY, MONTHLY, YEARLY)



def after_upstream(ignoring: dg.AssetKey | None = None) -> dg.AutomationCondition:
    """What a table past the raw layer waits for (the label shows in the UI's automation tab).

    "Updated" is a new data version: a raw asset's is the set of payloads in use, so a nightly
    fetch that brought nothing new sets nothing off; any other asset gets a new one with each
    materialisation. ``ignoring`` leaves one upstream out of the trigger (a partitioned staging
    table's raw asset: the landed-payloads sensor restages just the months that changed)."""
    changed = dg.AutomationCondition.any_deps_match(
        dg.AutomationCondition.data_version_changed())
    if ignoring is not None:
        changed = changed.ignore(dg.AssetSelection.assets(ignoring))
    return (
        (dg.AutomationCondition.newly_missing() | changed).since_last_handled()
        & ~dg.AutomationCondition.any_deps_missing()
        & ~dg.AutomationCondition.any_deps_in_progress()
        & ~dg.AutomationCondition.in_progress()
        & dg.AutomationCondition.all_deps_blocking_checks_passed()
    ).with_label("after upstream changed and its blocking checks passed")


AFTER_UPSTREAM = after_upstream()

# materialisation age: warn after one publisher period (plus a night's slack for daily
# sources), fail after a second night or a third of a period more
_WINDOWS = {
    DAILY: (dt.timedelta(hours=26), dt.timedelta(hours=50)),
    MONTHLY: (dt.timedelta(days=32), dt.timedelta(days=40)),
    YEARLY: (dt.timedelta(days=366), dt.timedelta(days=400)),
}
# the deadline by which the current period's partition must be loaded: 06:00 local, four hours
# after the nightly refresh (daily), on the 2nd of a month (monthly), on 2 January (yearly)
DEADLINES = {DAILY: "0 6 * * *", MONTHLY: "0 6 2 * *", YEARLY: "0 6 2 1 *"}
CITY_TIMEZONES = {"jakarta": "Asia/Jakarta", "berlin": "Europe/Berlin", "global": "UTC"}


def stale_after(cadence: str, override: dt.timedelta | None = None) -> dt.timedelta:
    """How long a source may bring nothing new before its data is stale: the spec's own
    ``late_after``, else the fail window of its cadence (daily 50 h, monthly 40 d, yearly
    400 d)."""
    if override is not None:
        if override <= dt.timedelta(0):
            raise ValueError(f"late_after must be positive, not {override}")
        return override
    if cadence not in CADENCES:
        raise ValueError(f"publisher cadence must be one of {CADENCES}, not {cadence!r}")
    return _WINDOWS[cadence][1]


def freshness_policy(cadence: str | None) -> dg.FreshnessPolicy | None:
    if cadence is None:
        return None
    if cadence not in CADENCES:
        raise ValueError(f"publisher cadence must be one of {CADENCES}, not {cadence!r}")
    warn, fail = _WINDOWS[cadence]
    return dg.FreshnessPolicy.time_window(fail_window=fail, warn_window=warn)


def partition_freshness_checks(specs: Iterable) -> list[dg.AssetChecksDefinition]:
    """One freshness check per partitioned source's staging table (severity WARN: a late
    publisher is worth a look, not a reason to stop the line). Run by the freshness sensor,
    never inside a refresh."""
    groups: dict[tuple[str, str], list[dg.AssetKey]] = defaultdict(list)
    for spec in specs:
        if spec.partitions is None or spec.publisher_cadence is None:
            continue
        timezone = CITY_TIMEZONES.get(spec.city, "UTC")
        groups[(DEADLINES[spec.publisher_cadence], timezone)].append(spec.staging_key)
    checks = []
    with quiet_supersession():
        for (deadline, timezone), keys in sorted(groups.items()):
            checks += dg.build_time_partition_freshness_checks(
                assets=keys, deadline_cron=deadline, timezone=timezone,
                severity=dg.AssetCheckSeverity.WARN)
    return checks


@contextmanager
def quiet_supersession() -> Iterator[None]:
    """Dagster 1.13 marks the time-partition freshness checks (and their sensor) superseded by
    ``FreshnessPolicy``, but that policy judges an asset's latest materialisation, not its
    partitions: we use both, knowingly, without a warning on every import."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*is superseded")
        yield


def with_default_automation(assets: Iterable[dg.AssetsDefinition],
                            ) -> list[dg.AssetsDefinition]:
    """Give every asset past the raw layer without an automation condition
    :data:`AFTER_UPSTREAM` (plain assets such as reference tables written in Python)."""
    out = []
    for asset in assets:
        if any(spec.automation_condition is None and not _is_raw(spec.key)
               for spec in asset.specs):
            asset = asset.map_asset_specs(
                lambda spec: spec if spec.automation_condition or _is_raw(spec.key)
                else spec.replace_attributes(automation_condition=AFTER_UPSTREAM))
        out.append(asset)
    return out


def _is_raw(key: dg.AssetKey) -> bool:
    return len(key.path) >= 2 and key.path[1] == "raw"
