"""Jobs, schedules and sensors, built from the assets so that they follow the sources' specs.

* **Nightly refreshes per city, in the city's time zone**, on by default: ``nightly_refresh``
  (Jakarta and the global sources, 02:00 Asia/Jakarta) and ``nightly_refresh_berlin`` (02:00
  Europe/Berlin) run the city's raw assets: fetch (live) or land the seed (replay).
* **A source's own schedule** where its spec asks for one (``SourceSpec.own_schedule``; today
  the daily Ordnungsamt snapshot at 22:00 Europe/Berlin: the API shows a rolling window, so a
  missed day is lost for good); such a source is left out of its city's nightly refresh, so no
  other source's failure costs it a run.
* What the raw assets brought flows on by itself: the landed-payloads sensor restages the
  months a new payload covers (:mod:`smartchange_assets.landed`), unpartitioned tables follow
  their raw asset's new data version, and every table past raw – core tables and marts
  included – updates by declarative automation once its upstreams changed and their blocking
  checks passed. A night that brought nothing new restages nothing.
* **Refresh jobs**: ``refresh_all`` (every monthly-partitioned and unpartitioned asset) and
  ``refresh_all_yearly`` (the yearly-partitioned ones); ``smartchange refresh`` runs them over
  all partitions (:mod:`smartchange_assets.refresh`).
* **Sensors**, running by default: declarative automation, landed payloads, freshness checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import dagster as dg

from smartchange_assets.landed import landed_payloads_sensor
from smartchange_assets.platform.automation import (
    partition_freshness_checks,
    quiet_supersession,
)
from smartchange_assets.platform.partitions import (
    MONTHLY,
    MONTHLY_PARTITIONS,
    YEARLY,
    YEARLY_PARTITIONS,
)

REFRESH_JOB_NAME = "refresh_all"
REFRESH_YEARLY_JOB_NAME = "refresh_all_yearly"
# the refresh job that runs each kind of asset (None: unpartitioned)
REFRESH_JOBS = {None: REFRESH_JOB_NAME, MONTHLY: REFRESH_JOB_NAME,
                YEARLY: REFRESH_YEARLY_JOB_NAME}
AUTOMATION_SENSOR = "automation"
FRESHNESS_SENSOR = "freshness_checks"
TRIGGER_TAG = "smartchange/trigger"


def cadence_of(asset: dg.AssetsDefinition) -> str | None:
    """MONTHLY, YEARLY or None for an asset; any other partitioning is refused, since the
    jobs (and the fact table's month-by-month joins) rely on the two shared definitions."""
    pdef = asset.partitions_def
    if pdef is None:
        return None
    for cadence, shared in ((MONTHLY, MONTHLY_PARTITIONS), (YEARLY, YEARLY_PARTITIONS)):
        if pdef == shared:
            return cadence
    raise ValueError(f"{asset.key.to_user_string()}: use the shared monthly or yearly "
                     "partitions of platform/partitions.py")


@dataclass(frozen=True)
class Nightly:
    """A nightly schedule: which raw assets, and when."""

    schedule: str
    job: str
    cron: str
    timezone: str
    picks: Callable[[dg.AssetKey], bool]
    description: str


@dataclass
class Operations:
    jobs: list = field(default_factory=list)
    schedules: list = field(default_factory=list)
    sensors: list = field(default_factory=list)
    freshness_checks: list = field(default_factory=list)


def _raw_of(*cities: str, but: frozenset = frozenset()) -> Callable[[dg.AssetKey], bool]:
    return lambda key: key.path[0] in cities and key.path[1] == "raw" and key not in but


def nightlies(sources: Iterable) -> list[Nightly]:
    """The cities' nightly refreshes, then one schedule per source that asks for its own."""
    own = [s for s in sources if s.own_schedule is not None]
    skip = frozenset(s.raw_key for s in own)
    nights = [
        Nightly("nightly_refresh", "jakarta_nightly", "0 2 * * *", "Asia/Jakarta",
                _raw_of("jakarta", "global", but=skip),
                "Jakarta's and the global sources' raw assets at 02:00 Jakarta time; what "
                "they bring flows on by the landed-payloads sensor and automation."),
        Nightly("nightly_refresh_berlin", "berlin_nightly", "0 2 * * *", "Europe/Berlin",
                _raw_of("berlin", but=skip),
                "Berlin's raw assets (but those on a schedule of their own) at 02:00 Berlin "
                "time; what they bring flows on by the landed-payloads sensor and automation."),
    ]
    for spec in own:
        when = spec.own_schedule
        nights.append(Nightly(when.name, when.job, when.cron, when.timezone,
                              lambda key, raw=spec.raw_key: key == raw, when.description))
    return nights


def build_operations(assets: Iterable[dg.AssetsDefinition], sources: Iterable,
                     ) -> Operations:
    """Jobs, schedules, sensors and freshness checks for these assets and source specs."""
    assets, sources = list(assets), list(sources)
    cadence = {key: cadence_of(a) for a in assets for key in a.keys}
    freshness = partition_freshness_checks(sources)
    no_freshness = dg.AssetSelection.checks(*freshness) if freshness else None
    ops = Operations(freshness_checks=freshness)

    def job(name: str, keys: list[dg.AssetKey], description: str):
        # the partitions definition follows from the assets (one per job)
        selection = dg.AssetSelection.assets(*keys)
        if no_freshness is not None:
            selection = selection - no_freshness
        return dg.define_asset_job(name, selection=selection, description=description)

    ops.jobs.append(job(REFRESH_JOB_NAME, [k for k, c in cadence.items() if c != YEARLY],
                        "Every monthly-partitioned and unpartitioned asset with its checks; "
                        "`smartchange refresh` runs it over all partitions."))
    ops.jobs.append(job(REFRESH_YEARLY_JOB_NAME, [k for k, c in cadence.items() if c == YEARLY],
                        "Every yearly-partitioned asset (population) with its checks; "
                        "`smartchange refresh` runs it over all partitions after refresh_all."))
    for night in nightlies(sources):
        nightly_job = job(night.job, [k for k in cadence if night.picks(k)], night.description)
        ops.jobs.append(nightly_job)
        ops.schedules.append(dg.ScheduleDefinition(
            name=night.schedule, job=nightly_job, cron_schedule=night.cron,
            execution_timezone=night.timezone, description=night.description,
            default_status=dg.DefaultScheduleStatus.RUNNING,
            tags={TRIGGER_TAG: night.schedule}))
    ops.sensors.append(dg.AutomationConditionSensorDefinition(
        AUTOMATION_SENSOR, target=dg.AssetSelection.all(),
        default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=30,
        description="Updates every table past the raw layer when its upstreams changed and "
                    "their blocking checks passed (platform/automation.py)."))
    landed = landed_payloads_sensor(sources, assets)
    if landed is not None:
        ops.sensors.append(landed)
    if freshness:
        with quiet_supersession():
            ops.sensors.append(dg.build_sensor_for_freshness_checks(
                freshness_checks=freshness, name=FRESHNESS_SENSOR,
                default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=600))
    return ops
