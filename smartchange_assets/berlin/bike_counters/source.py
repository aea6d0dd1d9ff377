"""Berlin bicycle counters (Fahrradzählstellen): the one description."""

from __future__ import annotations

from smartchange_assets.berlin.bike_counters.parser import parse_bike_counts
from smartchange_assets.berlin.mobility import common
from smartchange_assets.berlin.mobility.count_sources import (
    GROUP,
    MAX_BIKES_PER_HOUR,
    SENMVKU,
    count_expectations,
    count_table,
)
from smartchange_assets.platform.partitions import monthly
from smartchange_assets.platform.spec import SourceSpec, seed_folder

SOURCE = SourceSpec(
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
    staging=count_table("bike_counts", "Bicycle counter hours, one row per station and hour"),
    date_column="local_date",
    partitions=monthly(),
    publisher_cadence="yearly",
    key_columns=("date", "station-id"),
    expectations=count_expectations([common.BIKE_COUNTER], "count_bike", MAX_BIKES_PER_HOUR),
    group=GROUP,
    seed=seed_folder(__file__),
)
