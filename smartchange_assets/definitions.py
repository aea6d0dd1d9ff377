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
from smartchange_assets.platform.automation import with_default_automation
from smartchange_assets.platform.discovery import collect, layer_modules
from smartchange_assets.platform.resources import resources_for_environment
from smartchange_assets.platform.source_assets import build_source
from smartchange_assets.platform.spec import SourceSpec
from smartchange_assets.platform.sql_asset import SqlTable, build_sql_table

# checks before assets: an AssetChecksDefinition is also an AssetsDefinition
_KINDS = (SourceSpec, SqlTable, dg.AssetChecksDefinition, dg.AssetsDefinition,
          dg.SensorDefinition)


@dataclass(frozen=True)
class CodeLocation:
    sources: list[SourceSpec]
    assets: list[dg.AssetsDefinition]
    checks: list[dg.AssetChecksDefinition]
    sensors: list[dg.SensorDefinition]


def discover() -> CodeLocation:
    """Every asset and check, before resources are bound (tests materialise subsets)."""
    found = collect(layer_modules(smartchange_assets), _KINDS)
    sources = sorted(found[SourceSpec], key=lambda s: s.source_id)
    assets, checks = list(found[dg.AssetsDefinition]), list(found[dg.AssetChecksDefinition])
    for spec in sources:
        source_assets, source_checks = build_source(spec)
        assets += source_assets
        checks += source_checks
    for table in found[SqlTable]:
        asset, check = build_sql_table(table)
        assets.append(asset)
        checks.append(check)
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
    )


defs = build_definitions()
