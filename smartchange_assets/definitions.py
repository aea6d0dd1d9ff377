"""The code location: discovers every source, table, asset and check, applies the one global
policy (tables past the raw layer update after their upstreams), adds jobs, schedules, sensors
and resources. Nothing is listed here: a source folder with a ``source.py`` is found by
:mod:`~smartchange_assets.platform.discovery` (docs/adding-a-source.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

import smartchange_assets
from smartchange_assets.jobs import build_operations
from smartchange_assets.platform.audit import TableCheck
from smartchange_assets.platform.automation import with_default_automation
from smartchange_assets.platform.discovery import collect, layer_modules
from smartchange_assets.platform.every_table import AfterEveryTable, build_after_every_table
from smartchange_assets.platform.frame_asset import FrameTable, build_frame_table
from smartchange_assets.platform.resources import resources_for_environment
from smartchange_assets.platform.source_assets import build_source
from smartchange_assets.platform.spec import SourceSpec
from smartchange_assets.platform.sql_asset import SqlTable, build_sql_table

# checks before assets: an AssetChecksDefinition is also an AssetsDefinition
_KINDS = (SourceSpec, SqlTable, FrameTable, TableCheck, AfterEveryTable,
          dg.AssetChecksDefinition, dg.AssetsDefinition, dg.SensorDefinition)


@dataclass(frozen=True)
class CodeLocation:
    sources: list[SourceSpec]
    assets: list[dg.AssetsDefinition]
    checks: list[dg.AssetChecksDefinition]
    sensors: list[dg.SensorDefinition]

    def assets_for(self, *keys: dg.AssetKey) -> list[dg.AssetsDefinition]:
        """The built assets writing ``keys`` (with the checks that audit them)."""
        wanted = set(keys)
        return [a for a in self.assets if wanted & set(a.keys)]


def discover() -> CodeLocation:
    """Every asset and check, before resources are bound (tests materialise subsets)."""
    found = collect(layer_modules(smartchange_assets), _KINDS)
    sources = sorted(found[SourceSpec], key=lambda s: s.source_id)
    assets, checks = list(found[dg.AssetsDefinition]), list(found[dg.AssetChecksDefinition])
    # a table's checks run in the asset writing it, on the new version (write-audit-publish)
    table_checks: dict[dg.AssetKey, list[TableCheck]] = {}
    for check in found[TableCheck]:
        table_checks.setdefault(check.asset, []).append(check)
    for spec in sources:
        assets += build_source(spec, table_checks.pop(spec.staging_key, []))
    for table in found[SqlTable]:
        assets.append(build_sql_table(table, table_checks.pop(table.key, [])))
    for table in found[FrameTable]:
        assets.append(build_frame_table(table, table_checks.pop(table.key, [])))
    if table_checks:
        raise ValueError("checks declared for tables no source or SQL table writes: "
                         + ", ".join(f"{c.asset.to_user_string()}:{c.name}"
                                     for group in table_checks.values() for c in group))
    # an asset reading the whole warehouse (the build diff) comes after every table
    assets += build_after_every_table(found[AfterEveryTable], assets)
    return CodeLocation(sources, assets, checks, found[dg.SensorDefinition])



LOCATION = discover()
SOURCES = LOCATION.sources


def build_definitions(location: CodeLocation = LOCATION) -> dg.Definitions:
    assets = with_default_automation(location.assets)
    ops = build_operations(assets, location.sources)
    return dg.Definitions(
        assets=assets,
        asset_checks=[*location.checks, *ops.freshness_checks],
        jobs=ops.jobs,
        schedules=ops.schedules,
        sensors=[*location.sensors, *ops.sensors],
        resources=resources_for_environment(),
        # every step of a run in the run's own process: on 2 cores a refresh of the seed takes
        # 281 s so against 926 s with a process per step (README, "Executors")
        executor=dg.in_process_executor,
    )


defs = build_definitions()
