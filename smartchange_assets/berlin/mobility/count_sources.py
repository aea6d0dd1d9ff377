"""What the three Berlin count sources share: publisher, plausibility limits, the common
staging layout (:data:`common.COLUMNS`, so ``berlin/staging/mobility_counts`` can union them,
see :mod:`.counts`) and the expectations built on it."""

from __future__ import annotations

from smartchange_assets.berlin.mobility import common
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.spec import staging_table

GROUP = "mobility"
SENMVKU = "Senatsverwaltung für Mobilität, Verkehr, Klimaschutz und Umwelt Berlin (SenMVKU)"
# Counts per hour above these are not plausible for one counter (the seed's maxima: bikes 854,
# motor vehicles 3,396 per cross-section); they catch unit or merge errors, not real traffic.
MAX_BIKES_PER_HOUR, MAX_VEHICLES_PER_HOUR = 5_000, 12_000


def count_expectations(kinds: list[str], required_count: str, max_count: int) -> tuple:
    return (
        q.not_null("site_id"), q.not_null("period_start_local"), q.not_null("local_date"),
        q.not_null(required_count),
        q.compound_unique(["payload_sha256", *common.KEY]),
        q.in_set("counter_kind", kinds),
        q.in_set("time_flag", common.TIME_FLAGS),
        q.in_set("dst_fold", [0, 1]),
        *[q.between(c, 0, max_count) for c in common.COUNT_COLUMNS],
    )


def count_table(asset_name: str, description: str):
    return staging_table("berlin", asset_name, common.COLUMNS, ("payload_sha256", *common.KEY),
                         description)
