"""Berlin mobility counts: the four source descriptions (three count sources and their sites).

All three count sources stage the same columns (:data:`common.COLUMNS`), so that
``berlin/staging/mobility_counts`` can union them; see :mod:`.counts`.
"""

from __future__ import annotations

import datetime as dt

from smartchange_assets.berlin.mobility import common, live
from smartchange_assets.berlin.mobility.bike_counters import parse_bike_counts
from smartchange_assets.berlin.mobility.detectors import parse_detectors
from smartchange_assets.berlin.mobility.sites import COLUMNS as SITE_COLUMNS
from smartchange_assets.berlin.mobility.sites import RECORD_TYPES, parse_sites
from smartchange_assets.berlin.mobility.telraam import parse_telraam
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.partitions import monthly
from smartchange_assets.platform.source import LivePayload, SourceSpec, staging_table

GROUP = "mobility"
SENMVKU = "Senatsverwaltung für Mobilität, Verkehr, Klimaschutz und Umwelt Berlin (SenMVKU)"
# Counts per hour above these are not plausible for one counter (the seed's maxima: bikes 854,
# motor vehicles 3,396 per cross-section); they catch unit or merge errors, not real traffic.
MAX_BIKES_PER_HOUR, MAX_VEHICLES_PER_HOUR = 5_000, 12_000


def _count_expectations(kinds: list[str], required_count: str, max_count: int) -> tuple:
    return (
        q.not_null("site_id"), q.not_null("period_start_local"), q.not_null("local_date"),
        q.not_null(required_count),
        q.compound_unique(["payload_sha256", *common.KEY]),
        q.in_set("counter_kind", kinds),
        q.in_set("time_flag", common.TIME_FLAGS),
        q.in_set("dst_fold", [0, 1]),
        *[q.between(c, 0, max_count) for c in common.COUNT_COLUMNS],
    )


def _count_table(asset_name: str, description: str):
    return staging_table("berlin", asset_name, common.COLUMNS, ("payload_sha256", *common.KEY),
                         description)


# --------------------------------------------------------------------------- bike counters

BIKE_COUNTERS = SourceSpec(
    city="berlin",
    name="bike_counters",
    title="Berlin bicycle counters (Fahrradzählstellen)",
    description=("Hourly bicycle counts of SenMVKU's permanent counting stations (raw counter "
                 "data, uncorrected, published once a year), long CSV per year sheet."),
    publisher=SENMVKU,
    licence="dl-de/zero-2-0 (current description text; the 2025-02 text said dl-de/by-2-0: "
            "attribute 'SenMVKU Berlin, Radzähldaten in Berlin')",
    portal_url="https://www.berlin.de/sen/uvk/mobilitaet-und-verkehr/verkehrsplanung/radverkehr/"
               "weitere-radinfrastruktur/zaehlstellen-und-fahrradbarometer/",
    parser=parse_bike_counts,
    fetch_live=None,  # one yearly wide workbook: landed by hand (see live.py)
    staging=_count_table("bike_counts", "Bicycle counter hours, one row per station and hour"),
    date_column="local_date",
    partitions=monthly(),
    publisher_cadence="yearly",
    key_columns=("date", "station-id"),
    expectations=_count_expectations([common.BIKE_COUNTER], "count_bike", MAX_BIKES_PER_HOUR),
    group=GROUP,
)

# --------------------------------------------------------------------------- Telraam


def fetch_telraam(client, today: dt.date | None = None) -> list[LivePayload]:
    months = live.recent_months(today or dt.date.today(), live.TELRAAM_MONTHS_BACK, True)
    return [LivePayload(live.fetch_telraam_month(client, y, m), *live.month_period(y, m, 1))
            for y, m in months]


TELRAAM = SourceSpec(
    city="berlin",
    name="telraam",
    title="Berlin zählt Mobilität (Telraam)",
    description=("Hourly counts of pedestrians, bicycles, cars and heavy vehicles per road "
                 "segment from citizen-run Telraam cameras (ADFC Berlin, DLR); daylight hours "
                 "only for V1 cameras; counts uptime-corrected by the publisher."),
    publisher="Berlin zählt Mobilität (ADFC Berlin, DLR, Telraam)",
    licence="CC-BY 4.0 (attribute 'Berlin zählt Mobilität (ADFC Berlin, DLR, Telraam)')",
    portal_url="https://berlin-zaehlt.de/csv/",
    parser=parse_telraam,
    fetch_live=fetch_telraam,
    staging=_count_table("telraam_counts", "Telraam segment hours, one row per segment and "
                         "hour"),
    date_column="local_date",
    partitions=monthly(),
    publisher_cadence="monthly",
    key_columns=("date_local", "segment_id"),
    expectations=_count_expectations([common.TELRAAM], "count_car", MAX_VEHICLES_PER_HOUR),
    group=GROUP,
)

# --------------------------------------------------------------------------- detectors


def fetch_detectors(client, today: dt.date | None = None) -> list[LivePayload]:
    payloads = []
    for year, month in live.recent_months(today or dt.date.today(),
                                          live.DETECTOR_MONTHS_BACK, False):
        for level in (live.MQ, live.DET):
            fetched = live.fetch_detector_month(client, level, year, month)
            if fetched is not None:
                payloads.append(LivePayload(fetched, *live.month_period(year, month)))
    if not payloads:
        raise live.MobilityPayloadError("traffic detectors: no month file found for the last "
                                        f"{live.DETECTOR_MONTHS_BACK} months under any folder")
    return payloads


TRAFFIC_DETECTORS = SourceSpec(
    city="berlin",
    name="traffic_detectors",
    title="Berlin traffic detectors (Verkehrsdetektion)",
    description=("Hourly motor-vehicle, car and truck counts and mean speeds of the VIZ "
                 "detectors (TEU infrared and loops), per directional cross-section (MQ) and "
                 "per lane detector, monthly files."),
    publisher=f"{SENMVKU}, Verkehrsinformationszentrale (VIZ)",
    licence="dl-de/by-2-0 as recalled for Berlin open data (not stated in the files)",
    portal_url="https://api.viz.berlin.de/daten/verkehrsdetektion",
    parser=parse_detectors,
    fetch_live=fetch_detectors,
    staging=_count_table("traffic_detector_counts", "Detector hours, one row per cross-section "
                         "or lane detector and hour"),
    date_column="local_date",
    partitions=monthly(),
    publisher_cadence="monthly",
    key_columns=("tag", "stunde", "mq_name", "detid_15"),
    expectations=(
        *_count_expectations([common.DETECTOR_MQ, common.DETECTOR_DET], "count_motor_vehicle",
                             MAX_VEHICLES_PER_HOUR),
        q.not_null("quality"), q.between("quality", 0, 1, strict_min=True),
        *[q.between(c, 0, 250) for c in common.SPEED_COLUMNS.values()],
    ),
    group=GROUP,
)

# --------------------------------------------------------------------------- sites


def fetch_sites(client) -> list[LivePayload]:
    return [LivePayload(p) for p in live.fetch_metadata(client)]


MOBILITY_SITES = SourceSpec(
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
)

COUNT_SOURCES = (BIKE_COUNTERS, TELRAAM, TRAFFIC_DETECTORS)
SOURCES = (*COUNT_SOURCES, MOBILITY_SITES)
