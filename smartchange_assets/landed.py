"""The landed-payloads sensor: a payload that lands, or is rejected, restages the months its
period covers – and only those.

The raw assets are unpartitioned (landing is not by period: a connector fetches what the portal
has, a file is landed by hand), so Dagster alone would see any landing as a change to every
month of the source. This sensor reads ``raw.landing_manifest`` and ``raw.landing_rejection``
past its cursor and asks for one run per source and contiguous range of the changed partitions
(a single run, as a backfill with ``BackfillPolicy.single_run()`` would). A payload without a
period overlaps every partition. Everything downstream then follows by declarative automation,
blocked where a blocking check failed.

On its first tick the sensor only notes where the archive stands: whatever landed before was
staged by ``smartchange refresh`` (or will be, by the first raw run's newly missing
partitions).
"""

from __future__ import annotations

import json
from collections import defaultdict

import dagster as dg

from smartchange_assets.platform.partitions import all_keys, keys_for_period, range_tags
from smartchange_assets.platform.resources import WarehouseResource

SENSOR_NAME = "landed_payloads"
TRIGGER_TAG = "smartchange/trigger"


def contiguous_ranges(keys: set[str], ordered: list[str]) -> list[tuple[str, str]]:
    """Runs of consecutive partition keys, in the definition's order."""
    ranges, start, previous = [], None, None
    index = {k: i for i, k in enumerate(ordered)}
    for key in sorted(keys, key=index.__getitem__):
        if start is not None and index[key] == index[previous] + 1:
            previous = key
            continue
        if start is not None:
            ranges.append((start, previous))
        start = previous = key
    if start is not None:
        ranges.append((start, previous))
    return ranges


def changes_since(wh, sources: list[str], cursor: dict) -> tuple[list, dict]:
    """(source, period_start, period_end) of payloads landed or rejected past ``cursor``, and
    the cursor after them."""
    landed = wh.read_frame(
        "SELECT id, source, period_start, period_end FROM raw.landing_manifest "
        "WHERE id > :id AND source = ANY(:sources) ORDER BY id",
        id=cursor.get("manifest_id", 0), sources=sources)
    rejected = wh.read_frame(
        "SELECT r.source, r.rejected_at, m.period_start, m.period_end FROM raw.landing_rejection r "
        "JOIN raw.landing_manifest m ON m.source = r.source AND m.sha256 = r.sha256 "
        "WHERE r.rejected_at > CAST(:at AS timestamptz) AND r.source = ANY(:sources)",
        at=cursor.get("rejected_at", "1970-01-01T00:00:00+00:00"), sources=sources)
    changes = [(r.source, r.period_start, r.period_end)
               for frame in (landed, rejected) for r in frame.itertuples()]
    after = dict(cursor)
    if len(landed):
        after["manifest_id"] = int(landed["id"].max())
    if len(rejected):
        after["rejected_at"] = max(rejected["rejected_at"]).isoformat()
    return changes, after


def archive_position(wh) -> dict:
    return {"manifest_id": int(wh.scalar("SELECT coalesce(max(id), 0) FROM "
                                         "raw.landing_manifest")),
            "rejected_at": (wh.scalar("SELECT max(rejected_at) FROM raw.landing_rejection")
                            or _epoch()).isoformat()}


def _epoch():
    import datetime as dt

    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def run_requests(specs: dict, changes: list, check_keys: dict) -> list[dg.RunRequest]:
    """One run per source and contiguous range of the partitions the changes cover."""
    keys_by_source: dict[str, set[str]] = defaultdict(set)
    for source, first, last in changes:
        spec = specs[source]
        if first is None or last is None:  # no period: it may hold rows of any partition
            keys_by_source[source] |= set(all_keys(spec.partitions))
        else:
            keys_by_source[source] |= set(keys_for_period(spec.partitions, first, last))
    requests = []
    for source, keys in sorted(keys_by_source.items()):
        spec = specs[source]
        for first, last in contiguous_ranges(keys, all_keys(spec.partitions)):
            requests.append(dg.RunRequest(
                asset_selection=[spec.staging_key], asset_check_keys=check_keys[source],
                tags={**range_tags(first, last), TRIGGER_TAG: SENSOR_NAME}))
    return requests


def landed_payloads_sensor(sources: list, assets: list[dg.AssetsDefinition]
                           ) -> dg.SensorDefinition | None:
    specs = {s.source_id: s for s in sources if s.partitions is not None}
    if not specs:
        return None
    # the checks the staging asset runs on its new version (not the freshness checks)
    by_key = {key: a for a in assets for key in a.keys}
    check_keys = {sid: sorted(by_key[s.staging_key].check_keys, key=lambda k: k.name)
                  for sid, s in specs.items()}

    @dg.sensor(name=SENSOR_NAME, minimum_interval_seconds=60,
               asset_selection=dg.AssetSelection.assets(*(s.staging_key for s in specs.values())),
               default_status=dg.DefaultSensorStatus.RUNNING,
               description="Restages the months a newly landed (or rejected) payload covers, "
                           "one single run per source and range of months.")
    def landed_payloads(context: dg.SensorEvaluationContext,
                        warehouse: WarehouseResource) -> dg.SensorResult:
        wh = warehouse.get()
        if not context.cursor:
            return dg.SensorResult(cursor=json.dumps(archive_position(wh)),
                                   skip_reason="noted where the landing archive stands")
        changes, after = changes_since(wh, list(specs), json.loads(context.cursor))
        return dg.SensorResult(run_requests=run_requests(specs, changes, check_keys),
                               cursor=json.dumps(after))

    return landed_payloads
