"""Berlin BLUME air-quality network (luftdaten.berlin.de): the one description."""

import calendar
import datetime as dt

from smartchange_assets.berlin.blume_air_quality.live import BLUME_STATIONS, fetch_blume_month
from smartchange_assets.berlin.blume_air_quality.parser import parse_blume
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.partitions import monthly
from smartchange_assets.platform.spec import LivePayload, SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

POLLUTANTS = ["pm10", "pm25", "no2", "no", "nox", "o3", "co", "so2", "benzene", "toluene"]

COLUMNS = [
    Column("source_row", "bigint", "record number in the payload (JSON item, or CSV cell)",
           nullable=False),
    Column("station_code", "text", "BLUME station code, lower case (mc010)", nullable=False),
    Column("station_name", "text", "station name where the payload gives it"),
    Column("pollutant", "text", "pollutant; the API's pm2 is PM2.5 (pm25)", nullable=False),
    Column("period", "text", "averaging period: 1h, or the publisher's 24h mean",
           nullable=False),
    Column("period_start_utc", "timestamptz", "start of the averaging period, UTC",
           nullable=False),
    Column("period_start_local", "timestamp", "start of the period, Europe/Berlin wall time"),
    Column("local_date", "date", "local calendar date of the period start (Europe/Berlin)",
           nullable=False),
    Column("value", "double precision", "concentration, µg/m³ as published", nullable=False),
]

KEY = ("station_code", "pollutant", "period", "period_start_utc")

# BLUME values are provisional and revised, so each live run re-pulls the last two months.
LIVE_MONTHS_BACK = 2


def fetch_live(client, today: dt.date | None = None) -> list[LivePayload]:
    today = today or dt.date.today()
    months, (year, month) = [], (today.year, today.month)
    for _ in range(LIVE_MONTHS_BACK):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    payloads = []
    for station in BLUME_STATIONS:
        for year, month in months:
            last = calendar.monthrange(year, month)[1]
            payloads.append(LivePayload(fetch_blume_month(client, station, year, month),
                                        dt.date(year, month, 1), dt.date(year, month, last)))
    return payloads

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    pool="luftdaten-berlin",
    city="berlin",
    name="blume_air_quality",
    title="Berlin BLUME air-quality measurements",
    description=("Hourly (and published 24-hour) concentrations of the Berliner "
                 "Luftgüte-Messnetz from the luftdaten.berlin.de API and website CSV export."),
    publisher="Senatsverwaltung für Mobilität, Verkehr, Klimaschutz und Umwelt Berlin (BLUME)",
    licence="dl-de/by-2-0 (Datenlizenz Deutschland – Namensnennung 2.0)",
    portal_url="https://luftdaten.berlin.de/api/doc",
    parser=parse_blume,
    fetch_live=fetch_live,
    staging=staging_table("berlin", "air_quality_hourly", COLUMNS, ("payload_sha256", *KEY),
                          "BLUME concentrations, one row per station, pollutant and period"),
    date_column="local_date",
    partitions=monthly(),
    publisher_cadence="daily",
    key_columns=("datetime", "station", "core", "period", "Station", "Messzeit"),
    expectations=(
        q.not_null("station_code"), q.not_null("period_start_utc"), q.not_null("value"),
        q.compound_unique(["payload_sha256", *KEY]),
        q.in_set("pollutant", POLLUTANTS),
        q.in_set("period", ["1h", "24h"]),
        q.between("value", 0, 2000),
    ),
)
