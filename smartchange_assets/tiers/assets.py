"""Every tier asset (each runs its own checks on the version it writes): ``TIER_ASSETS``."""

from __future__ import annotations

from smartchange_assets.tiers.open_areas import AREA_SHAPES
from smartchange_assets.tiers.open_copies import OPEN_COPIES
from smartchange_assets.tiers.open_reports import OPEN_REPORT_TABLES
from smartchange_assets.tiers.restricted import RESTRICTED_TABLES
from smartchange_assets.tiers.table import build_access_asset, build_tier_table

OPEN_TABLES = (*OPEN_REPORT_TABLES, *OPEN_COPIES, AREA_SHAPES)
TIER_TABLES = (*RESTRICTED_TABLES, *OPEN_TABLES)


TIER_ASSETS = [build_access_asset(), *(build_tier_table(spec) for spec in TIER_TABLES)]
