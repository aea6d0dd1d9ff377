"""Open and closed tiers of the warehouse (issue 7): schemas ``open`` and ``restricted``, roles,
pseudonyms, and the tables of each tier. See docs/tiers.md.

For definitions.py: ``from smartchange_assets.tiers.assets import TIER_ASSETS, TIER_CHECKS``;
for the CLI (``smartchange up``): ``from smartchange_assets.tiers.roles import ensure_roles``.
"""
