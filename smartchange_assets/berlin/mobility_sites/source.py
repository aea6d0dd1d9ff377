"""Berlin mobility count sites (metadata of all three count sources): the one description."""

from __future__ import annotations

from smartchange_assets.berlin.mobility import common, live
from smartchange_assets.berlin.mobility.count_sources import GROUP, SENMVKU
from smartchange_assets.berlin.mobility_sites.parser import COLUMNS as SITE_COLUMNS
from smartchange_assets.berlin.mobility_sites.parser import RECORD_TYPES, parse_sites
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.spec import LivePayload, SourceSpec, seed_folder, staging_table


def fetch_sites(client) -> list[LivePayload]:
    return [LivePayload(p) for p in live.fetch_metadata(client)]


SOURCE = SourceSpec(
    pool="berlin-zaehlt",
    city="berlin",
    name="mobility_sites",
    title="Berlin mobility count sites (metadata)",
    description=("Bike counter stations (Standortdaten, Eco-Counter sites), Telraam road "
                 "segments and VIZ detectors (Stammdaten): one record per published record; "
                 "berlin/staging/mobility_sites folds them into one row per site."),
    publisher=f"{SENMVKU}; Berlin zählt Mobilität",
    licence="as the count sources: dl-de/zero-2-0 (bike), CC-BY 4.0 (Telraam), dl-de/by-2-0 "
            "(detectors, unverified)",
    portal_url="https://berlin-zaehlt.de/csv/",
    parser=parse_sites,
    fetch_live=fetch_sites,
    staging=staging_table("berlin", "mobility_site_records", SITE_COLUMNS,
                          ("payload_sha256", "source_row"),
                          "Mobility site metadata, one row per published record"),
    date_column=None,
    publisher_cadence="yearly",
    key_columns=("station-id", "segment_id", "DET_ID15", "MQ_KURZNAME", "site_id",
                 "record_type"),
    expectations=(
        q.not_null("site_id"), q.not_null("record_type"),
        q.compound_unique(["payload_sha256", "source_row"]),
        q.in_set("record_type", RECORD_TYPES),
        q.in_set("counter_kind", [common.BIKE_COUNTER, common.TELRAAM, common.DETECTOR_DET]),
        # Berlin and the Telraam network's surroundings (Potsdam, Brandenburg suburbs)
        q.between("lat", 52.0, 53.0), q.between("lon", 12.5, 14.5),
    ),
    group=GROUP,
    seed=seed_folder(__file__),
)
