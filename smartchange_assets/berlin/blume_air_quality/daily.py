"""Berlin daily means from the hourly staging table, computed in Postgres.

Rule (EU practice for daily means, Directive 2008/50/EC Annex VII: 75 % of the hourly values):
a station-day counts when it has at least ``ceil(0.75 × hours of that local day)`` valid hours,
i.e. 18 of 24, 18 of 23 on the spring-forward day and 19 of 25 on the fall-back day. Local days
are Europe/Berlin calendar days, so the day length comes from the time zone, not a constant 24.

When two payloads hold the same station, pollutant and hour (the API month file and the website
CSV export overlap), the API record wins (it carries an explicit UTC offset), then the most
recently fetched payload. Where the publisher gives its own 24-hour mean and no hourly-based
day exists, that mean is used, with ``basis = 'published_24h'``.
"""

import dagster as dg

from smartchange_assets.berlin.blume_air_quality.source import SOURCE as BLUME
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.partitions import monthly
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

MIN_HOURS_SHARE = 0.75

TABLE = TableSpec("staging", "berlin_air_quality_daily", (
    Column("station_code", "text", nullable=False),
    Column("pollutant", "text", nullable=False),
    Column("local_date", "date", "Europe/Berlin calendar day", nullable=False),
    Column("mean_ugm3", "double precision", "daily mean concentration, µg/m³"),
    Column("hours_present", "integer", "valid hourly values that day (NULL for published 24h)"),
    Column("hours_in_day", "integer", "hours the local day has: 23, 24 or 25"),
    Column("valid", "boolean", "meets the 75 % rule (or is the publisher's 24h mean)",
           nullable=False),
    Column("basis", "text", "hourly_mean or published_24h", nullable=False),
    Column("payload_sha256", "text", "payload that contributed most hours", nullable=False),
), ("station_code", "pollutant", "local_date"), "Berlin daily means per station and pollutant")

SELECT_SQL = sql_file(__file__, "air_quality_daily.sql", blume_staging=BLUME.staging.qualified)

DAILY = SqlTable(
    key=dg.AssetKey(["berlin", "staging", "air_quality_daily"]),
    table=TABLE,
    select_sql=SELECT_SQL,
    params=bind(blume_source=BLUME.source_id, min_hours_share=MIN_HOURS_SHARE),
    deps=[BLUME.staging_key],
    partitions=monthly("local_date"),
    description="BLUME daily means per station and pollutant (75 % of the local day's hours).",
    group="air_quality",
    expectations=(
        q.compound_unique(["station_code", "pollutant", "local_date"]),
        q.not_null("mean_ugm3"),
        q.between("mean_ugm3", 0, 2000),
        q.between("hours_present", 1, 25),
        q.in_set("hours_in_day", [23, 24, 25]),
        q.in_set("basis", ["hourly_mean", "published_24h"]),
    ),
)
