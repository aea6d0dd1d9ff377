"""Berlin zählt Mobilität (Telraam): the one description."""

from __future__ import annotations

import datetime as dt

from smartchange_assets.berlin.mobility import common, live
from smartchange_assets.berlin.mobility.count_sources import (
    GROUP,
    MAX_VEHICLES_PER_HOUR,
    count_expectations,
    count_table,
)
from smartchange_assets.berlin.telraam.parser import parse_telraam
from smartchange_assets.platform.partitions import monthly
from smartchange_assets.platform.spec import LivePayload, SourceSpec, seed_folder


def fetch_telraam(client, today: dt.date | None = None) -> list[LivePayload]:
    months = live.recent_months(today or dt.date.today(), live.TELRAAM_MONTHS_BACK, True)
    return [LivePayload(live.fetch_telraam_month(client, y, m), *live.month_period(y, m, 1))
            for y, m in months]


SOURCE = SourceSpec(
    pool="berlin-zaehlt",
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
    staging=count_table("telraam_counts", "Telraam segment hours, one row per segment and "
                         "hour"),
    date_column="local_date",
    partitions=monthly(),
    publisher_cadence="monthly",
    key_columns=("date_local", "segment_id"),
    expectations=count_expectations([common.TELRAAM], "count_car", MAX_VEHICLES_PER_HOUR),
    group=GROUP,
    seed=seed_folder(__file__),
)
