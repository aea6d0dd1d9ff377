"""Berlin traffic detectors (VIZ Verkehrsdetektion): the one description."""

from __future__ import annotations

import datetime as dt

from smartchange_assets.berlin.mobility import common, live
from smartchange_assets.berlin.mobility.count_sources import (
    GROUP,
    MAX_VEHICLES_PER_HOUR,
    SENMVKU,
    count_expectations,
    count_table,
)
from smartchange_assets.berlin.traffic_detectors.parser import parse_detectors
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.partitions import monthly
from smartchange_assets.platform.spec import LivePayload, SourceSpec, seed_folder


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


SOURCE = SourceSpec(
    pool="mdhopendata",
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
    staging=count_table("traffic_detector_counts", "Detector hours, one row per cross-section "
                         "or lane detector and hour"),
    date_column="local_date",
    partitions=monthly(),
    publisher_cadence="monthly",
    key_columns=("tag", "stunde", "mq_name", "detid_15"),
    expectations=(
        *count_expectations([common.DETECTOR_MQ, common.DETECTOR_DET], "count_motor_vehicle",
                             MAX_VEHICLES_PER_HOUR),
        q.not_null("quality"), q.between("quality", 0, 1, strict_min=True),
        *[q.between(c, 0, 250) for c in common.SPEED_COLUMNS.values()],
    ),
    group=GROUP,
    seed=seed_folder(__file__),
)
