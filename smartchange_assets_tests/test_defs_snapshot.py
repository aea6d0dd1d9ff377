"""A snapshot of the whole asset graph guards every refactor.

One line per fact a data engineer sees in the UI: every asset with its group, kinds, deps,
partitions, automation condition, pool, freshness and column schema; every check with its
blocking flag; jobs, schedules and sensors. A change to any of them fails this test with a
readable diff. When the change is intended, rewrite the snapshot and commit it with the
change that made it::

    SMARTCHANGE_UPDATE_SNAPSHOT=1 pytest smartchange_assets_tests/test_defs_snapshot.py

and say in the commit which lines moved and why.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import dagster as dg

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.txt"


def _partitions(pdef) -> str:
    if pdef is None:
        return "-"
    if isinstance(pdef, dg.TimeWindowPartitionsDefinition):
        return f"time:{pdef.cron_schedule}:{pdef.start.date().isoformat()}:{pdef.fmt}"
    return type(pdef).__name__


def _condition(condition) -> str:
    if condition is None:
        return "-"
    return condition.get_label() or type(condition).__name__


def _freshness(node) -> str:
    policy = node.freshness_policy
    if policy is None:
        return "-"
    def hours(window) -> str:
        return "-" if window is None else f"{window.days * 24 + window.seconds // 3600}h"

    return (f"{type(policy).__name__}(fail={hours(getattr(policy, 'fail_window', None))},"
            f"warn={hours(getattr(policy, 'warn_window', None))})")


def snapshot_lines(defs: dg.Definitions) -> list[str]:
    graph = defs.resolve_asset_graph()
    lines: list[str] = []
    jobs_of: dict[dg.AssetKey, list[str]] = {}
    for job in sorted(defs.resolve_all_job_defs(), key=lambda j: j.name):
        if job.name == "__ASSET_JOB":
            continue
        for key in job.asset_layer.executable_asset_keys if job.is_asset_job else ():
            jobs_of.setdefault(key, []).append(job.name)
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        name = key.to_user_string()
        lines.append(
            f"asset {name} group={node.group_name} kinds={','.join(sorted(node.kinds))} "
            f"partitions={_partitions(node.partitions_def)} "
            f"automation={_condition(node.automation_condition)} "
            f"pools={','.join(sorted(node.pools or ())) or '-'} freshness={_freshness(node)} "
            f"backfill={'single_run' if node.backfill_policy else '-'}")
        deps = sorted(k.to_user_string() for k in node.parent_keys)
        lines.append(f"asset {name} deps={','.join(deps) or '-'}")
        lines.append(f"asset {name} jobs={','.join(sorted(jobs_of.get(key, []))) or '-'}")
        schema = node.metadata.get("dagster/column_schema")
        if schema is not None:
            table_schema = getattr(schema, "schema", schema)  # TableSchemaMetadataValue or not
            for column in table_schema.columns:
                nullable = column.constraints.nullable if column.constraints else True
                tags = column.tags or {}
                lines.append(f"asset {name} column {column.name} {column.type} "
                             f"nullable={nullable} "
                             f"classification={tags.get('classification', '-')}")
    for check_key in sorted(graph.asset_check_keys,
                            key=lambda k: (k.asset_key.to_user_string(), k.name)):
        spec = graph.get_check_spec(check_key)
        lines.append(f"check {check_key.asset_key.to_user_string()}:{check_key.name} "
                     f"blocking={spec.blocking}")
    for schedule in sorted((defs.resolve_schedule_def(s.name) for s in defs.schedules or ()),
                           key=lambda s: s.name):
        lines.append(f"schedule {schedule.name} cron={schedule.cron_schedule} "
                     f"tz={schedule.execution_timezone} job={schedule.job_name} "
                     f"status={schedule.default_status.value}")
    for sensor in sorted((defs.resolve_sensor_def(s.name) for s in defs.sensors or ()),
                         key=lambda s: s.name):
        lines.append(f"sensor {sensor.name} type={type(sensor).__name__} "
                     f"status={sensor.default_status.value}")
    return lines


def test_asset_graph_matches_snapshot():
    from smartchange_assets.definitions import defs

    lines = snapshot_lines(defs)
    if os.environ.get("SMARTCHANGE_UPDATE_SNAPSHOT"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    diff = list(difflib.unified_diff(expected, lines, "snapshot", "now", lineterm="", n=0))
    assert not diff, ("the asset graph changed; if intended, rewrite the snapshot "
                      "(SMARTCHANGE_UPDATE_SNAPSHOT=1) and say why:\n" + "\n".join(diff[:200]))


def test_snapshot_notices_a_change():
    """The guard is not blind: dropping one column of one table changes the lines."""
    from smartchange_assets.definitions import defs

    lines = snapshot_lines(defs)
    assert any(" column " in line for line in lines)
    assert any(line.startswith("check ") and "blocking=True" in line for line in lines)
    assert len({line for line in lines if line.startswith("asset ") and " group=" in line}) > 50
