"""``marts.air_quality_monthly``: per city, pollutant and month, the comparable indicators.

* ``mean_concentration_ugm3`` – mean over days of the city's daily mean over stations.
* ``days_measured`` – days with any value (ISPU or concentration) for the pollutant.
* ``days_above_who_24h`` – days on which at least one station's daily value exceeded the WHO
  2021 24-hour guideline (PM2.5 15, PM10 45, NO2 25 µg/m³).
* ``days_ispu_unhealthy`` – days on which at least one station's sub-index was "Tidak Sehat" or
  worse under the regime in force (published for Jakarta, computed for Berlin).
* ``days_eaqi_poor_or_worse`` – days with an EAQI band of "Poor" or worse at any station.
"""

import dagster as dg

from smartchange_assets.air_quality.chart import as_markdown_image, monthly_pm_png
from smartchange_assets.air_quality.fact import FACT
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.partitions import monthly
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec
from smartchange_assets.standards import eaqi
from smartchange_assets.standards.ispu import UNHEALTHY_OR_WORSE

TABLE = TableSpec("marts", "air_quality_monthly", (
    Column("city", "text", nullable=False),
    Column("pollutant", "text", nullable=False),
    Column("month", "date", "first day of the month", nullable=False),
    Column("mean_concentration_ugm3", "double precision", "mean of daily city means, µg/m³"),
    Column("days_measured", "integer", "days with a value for the pollutant", nullable=False),
    Column("days_with_concentration", "integer", "days with a concentration", nullable=False),
    Column("days_above_who_24h", "integer", "days above the WHO 2021 24-h guideline"),
    Column("days_ispu_unhealthy", "integer", "days with ISPU 'Tidak Sehat' or worse"),
    Column("days_eaqi_poor_or_worse", "integer", "days with EAQI 'Poor' or worse"),
    Column("stations", "integer", "stations reporting in the month"),
    Column("granularity", "text", "station, city_max, or both in the month"),
    Column("share_derived", "double precision", "share of values derived from ISPU"),
    Column("payload_sha256s", "text[]", "payloads behind the month"),
), ("city", "pollutant", "month"), "Monthly air-quality indicators per city")

SELECT_SQL = sql_file(__file__, "air_quality_monthly.sql", fact=FACT.table.qualified)


def _chart_metadata(wh) -> dict:
    monthly = wh.read_frame(
        f"SELECT city, pollutant, month, mean_concentration_ugm3 FROM {TABLE.qualified} "
        "WHERE pollutant IN ('pm25', 'pm10')")
    png = monthly_pm_png(monthly)
    return {"chart": dg.MetadataValue.md(as_markdown_image(
        png, "Monthly PM2.5 and PM10, Jakarta against Berlin"))}


MART = SqlTable(
    key=dg.AssetKey(["marts", "air_quality_monthly"]),
    table=TABLE,
    select_sql=SELECT_SQL,
    params=bind(ispu_unhealthy=UNHEALTHY_OR_WORSE, eaqi_poor_from=eaqi.POOR_OR_WORSE_FROM),
    deps=[FACT.key],
    partitions=monthly("month"),
    description="Monthly air quality per city and pollutant: mean concentration, days "
                "measured, days above the WHO 2021 guideline, ISPU and EAQI bad days.",
    group="air_quality",
    expectations=(
        q.compound_unique(["city", "pollutant", "month"]),
        q.between("mean_concentration_ugm3", 0, 50000),
        q.between("days_measured", 1, 31),
        q.between("days_above_who_24h", 0, 31),
        q.between("days_ispu_unhealthy", 0, 31),
        q.in_set("city", ["jakarta", "berlin"]),
    ),
    after_load=_chart_metadata,
)
