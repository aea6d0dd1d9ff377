"""Every tier asset and check, for definitions.py: ``TIER_ASSETS``, ``TIER_CHECKS``."""

from __future__ import annotations

from smartchange_assets.tiers.open_copies import OPEN_COPIES
from smartchange_assets.tiers.open_reports import OPEN_REPORT_TABLES
from smartchange_assets.tiers.restricted import RESTRICTED_TABLES
from smartchange_assets.tiers.table import build_access_asset, build_tier_table

OPEN_TABLES = (*OPEN_REPORT_TABLES, *OPEN_COPIES)
TIER_TABLES = (*RESTRICTED_TABLES, *OPEN_TABLES)


def _build():
    assets, checks = [build_access_asset()], []
    for spec in TIER_TABLES:
        asset, table_checks = build_tier_table(spec)
        assets.append(asset)
        checks += table_checks
    return assets, checks


TIER_ASSETS, TIER_CHECKS = _build()
