"""The code location: assembles sources, tables, checks, jobs and resources. Nothing else."""

import dagster as dg

from smartchange_assets.air_quality.fact import FACT
from smartchange_assets.air_quality.mart import MART
from smartchange_assets.air_quality.reference import ref_air_quality_standards
from smartchange_assets.berlin.blume.daily import DAILY as BERLIN_AIR_DAILY
from smartchange_assets.berlin.blume.source import SOURCE as BLUME
from smartchange_assets.berlin.blume_stations.source import SOURCE as BLUME_STATIONS
from smartchange_assets.berlin.citizen_reports.history import SQL_TABLES as BERLIN_REPORT_TABLES
from smartchange_assets.berlin.citizen_reports.source import SOURCE as BERLIN_REPORTS
from smartchange_assets.berlin.lor.hierarchy import HIERARCHY as BERLIN_LOR_HIERARCHY
from smartchange_assets.berlin.lor.source import SOURCE as BERLIN_LOR
from smartchange_assets.berlin.mobility.counts import EXTRA_CHECKS as MOBILITY_CHECKS
from smartchange_assets.berlin.mobility.counts import SQL_TABLES as MOBILITY_TABLES
from smartchange_assets.berlin.mobility.source import SOURCES as MOBILITY_SOURCES
from smartchange_assets.berlin.population.source import SOURCE as BERLIN_POPULATION
from smartchange_assets.core.assets import CORE_CHECKS, CORE_TABLES
from smartchange_assets.jakarta.areas.assets import AREA_ASSETS, AREA_CHECKS
from smartchange_assets.jakarta.areas.source import SOURCE as JAKARTA_AREAS
from smartchange_assets.jakarta.citizen_reports.source import SOURCE as JAKARTA_REPORTS
from smartchange_assets.jakarta.flood.source import SOURCE as JAKARTA_FLOOD
from smartchange_assets.jakarta.ispu.source import SOURCE as ISPU
from smartchange_assets.jakarta.population.source import SOURCE as JAKARTA_POPULATION
from smartchange_assets.jakarta.transjakarta.source import SOURCE as JAKARTA_TRANSJAKARTA
from smartchange_assets.jobs import build_operations
from smartchange_assets.marts.assets import MART_CHECKS, MART_TABLES
from smartchange_assets.openaq.source import SOURCE as OPENAQ
from smartchange_assets.ops.pools import assign_pools
from smartchange_assets.ops.sensors import ALERT_SENSORS
from smartchange_assets.platform.automation import with_default_automation
from smartchange_assets.platform.source import build_source
from smartchange_assets.platform.sql_asset import build_sql_table
from smartchange_assets.publish.assets import PUBLISH_ASSETS, PUBLISH_CHECKS
from smartchange_assets.resources import resources_for_environment
from smartchange_assets.tiers.assets import TIER_ASSETS, TIER_CHECKS
from smartchange_assets.weather.source import SOURCE as WEATHER

# each raw asset joins the pool of the portal it calls (limits in dagster.yaml)
SOURCES = assign_pools([
    ISPU, BLUME, BLUME_STATIONS, WEATHER, OPENAQ,
    JAKARTA_AREAS, JAKARTA_FLOOD, JAKARTA_POPULATION, JAKARTA_TRANSJAKARTA, JAKARTA_REPORTS,
    BERLIN_LOR, BERLIN_POPULATION, BERLIN_REPORTS, *MOBILITY_SOURCES,
])
SQL_TABLES = [BERLIN_AIR_DAILY, FACT, MART, BERLIN_LOR_HIERARCHY, *BERLIN_REPORT_TABLES,
              *MOBILITY_TABLES, *CORE_TABLES, *MART_TABLES]


def all_assets_and_checks() -> tuple[list[dg.AssetsDefinition], list]:
    """Every asset and check, before resources are bound (tests materialise subsets)."""
    assets = [ref_air_quality_standards, *AREA_ASSETS, *TIER_ASSETS, *PUBLISH_ASSETS]
    checks = [*AREA_CHECKS, *MOBILITY_CHECKS, *CORE_CHECKS, *MART_CHECKS, *TIER_CHECKS,
              *PUBLISH_CHECKS]
    for spec in SOURCES:
        source_assets, source_checks = build_source(spec)
        assets += source_assets
        checks += source_checks
    for table in SQL_TABLES:
        asset, check = build_sql_table(table)
        assets.append(asset)
        checks.append(check)
    return assets, checks


def build_definitions() -> dg.Definitions:
    assets, checks = all_assets_and_checks()
    assets = with_default_automation(assets)
    ops = build_operations(assets, SOURCES)
    return dg.Definitions(
        assets=assets,
        asset_checks=[*checks, *ops.freshness_checks],
        jobs=ops.jobs,
        schedules=ops.schedules,
        sensors=[*ALERT_SENSORS, *ops.sensors],
        resources=resources_for_environment(),
    )


defs = build_definitions()
