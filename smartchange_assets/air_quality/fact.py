"""``core.fact_air_quality_daily``: both cities, one row per station, day and pollutant.

Jakarta publishes ISPU sub-indices; the concentration is derived from the index through the
breakpoint table of the regime in force on the date (flagged ``concentration_derived``, and
``conversion_verified = false`` where that table is marked unverified or the band is not
defined). Berlin publishes concentrations; its ISPU is computed under P.14/2020. EAQI bands
use the PM 24-hour means as defined; for NO2, O3 and SO2 (hourly bands) a band from a daily
mean is an approximation (``eaqi_basis = 'daily_mean_approx'``).

When two payloads cover the same station-day (a re-published year), the most recently fetched
payload wins.
"""

import dagster as dg

from smartchange_assets.air_quality.reference import (
    EAQI_BANDS,
    ISPU_BREAKPOINTS,
    ISPU_CATEGORIES,
    REF_KEY,
    WHO_GUIDELINES,
)
from smartchange_assets.berlin.blume_air_quality.daily import DAILY as BERLIN_DAILY
from smartchange_assets.jakarta.ispu.source import SOURCE as ISPU
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.partitions import monthly
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec
from smartchange_assets.standards import eaqi
from smartchange_assets.standards.ispu import CATEGORIES, P14_2020

FACT_KEY = dg.AssetKey(["core", "fact_air_quality_daily"])
POLLUTANTS = ("pm10", "pm25", "so2", "co", "o3", "no2")

TABLE = TableSpec("core", "fact_air_quality_daily", (
    Column("city", "text", "jakarta or berlin", nullable=False),
    Column("station_code", "text", "DKI1–DKI5 or BLUME mcNNN", nullable=False),
    Column("local_date", "date", "local calendar day of the city", nullable=False),
    Column("pollutant", "text", "pm10, pm25, so2, co, o3, no2", nullable=False),
    Column("granularity", "text", "station, or city_max (Jakarta's daily worst station)",
           nullable=False),
    Column("concentration_ugm3", "double precision", "daily concentration, µg/m³"),
    Column("concentration_basis", "text",
           "measured_daily_mean, published_24h or derived_from_ispu"),
    Column("concentration_derived", "boolean", "true when derived from the published index",
           nullable=False),
    Column("conversion_verified", "boolean",
           "false when the conversion rests on an unverified table or undefined band"),
    Column("ispu", "double precision", "ISPU sub-index of the pollutant"),
    Column("ispu_basis", "text", "published, or computed_from_concentration"),
    Column("ispu_regime", "text", "regulation applied: KEP-107/1997 or P.14/2020"),
    Column("ispu_category", "text", "category of the sub-index under that regime"),
    Column("eaqi_band", "integer", "European AQI band 1 (Good) … 6 (Extremely poor)"),
    Column("eaqi_label", "text"),
    Column("eaqi_basis", "text", "24h_mean (PM) or daily_mean_approx (gases)"),
    Column("above_who_24h", "boolean", "daily value above the WHO 2021 24-hour guideline"),
    Column("hours_measured", "integer", "hours behind a measured daily mean (Berlin)"),
    Column("payload_sha256", "text", "SHA-256 of the landed payload", nullable=False),
), ("city", "station_code", "local_date", "pollutant", "granularity"),
    "Daily air quality of Jakarta and Berlin on one scale")

SELECT_SQL = sql_file(__file__, "fact_air_quality_daily.sql", ispu_staging=ISPU.staging.qualified,
                      berlin_daily=BERLIN_DAILY.table.qualified,
                      ispu_breakpoints=ISPU_BREAKPOINTS.qualified,
                      ispu_categories=ISPU_CATEGORIES.qualified,
                      eaqi_bands=EAQI_BANDS.qualified, who_guidelines=WHO_GUIDELINES.qualified)


def _lineage() -> dg.TableColumnLineage:
    jkt, ber, ref = ISPU.staging_key, BERLIN_DAILY.key, REF_KEY

    def dep(key, column):
        return dg.TableColumnDep(asset_key=key, column_name=column)

    sub_indices = [dep(jkt, p) for p in POLLUTANTS]
    return dg.TableColumnLineage(deps_by_column={
        "station_code": [dep(jkt, "station_code"), dep(ber, "station_code")],
        "local_date": [dep(jkt, "date"), dep(ber, "local_date")],
        "granularity": [dep(jkt, "granularity")],
        "concentration_ugm3": [*sub_indices, dep(ber, "mean_ugm3"),
                               dep(ref, "conc_lo_ugm3"), dep(ref, "conc_hi_ugm3")],
        "ispu": [*sub_indices, dep(ber, "mean_ugm3"), dep(ref, "index_lo")],
        "ispu_regime": [dep(jkt, "regime")],
        "ispu_category": [*sub_indices, dep(ber, "mean_ugm3"), dep(ref, "category")],
        "eaqi_band": [dep(ber, "mean_ugm3"), *sub_indices, dep(ref, "band")],
        "above_who_24h": [dep(ber, "mean_ugm3"), *sub_indices, dep(ref, "limit_ugm3")],
        "hours_measured": [dep(ber, "hours_present")],
        "payload_sha256": [dep(jkt, "payload_sha256"), dep(ber, "payload_sha256")],
    })


FACT = SqlTable(
    key=FACT_KEY,
    table=TABLE,
    select_sql=SELECT_SQL,
    params=bind(ispu_source=ISPU.source_id, p14_2020=P14_2020, pollutants=POLLUTANTS,
                eaqi_version=eaqi.VERSION),
    deps=[ISPU.staging_key, BERLIN_DAILY.key, REF_KEY],
    partitions=monthly("local_date"),
    description="Daily air quality of both cities: concentration (µg/m³, measured or derived), "
                "ISPU, EAQI band and WHO exceedance, with the payload each row came from.",
    group="air_quality",
    expectations=(
        q.compound_unique(["city", "station_code", "local_date", "pollutant", "granularity"]),
        q.not_null("payload_sha256"), q.not_null("local_date"),
        q.in_set("city", ["jakarta", "berlin"]),
        q.in_set("pollutant", list(POLLUTANTS)),
        q.between("concentration_ugm3", 0, 50000),
        q.between("ispu", 0, 1000),
        q.in_set("ispu_category", list(CATEGORIES)),
        q.between("eaqi_band", 1, 6),
        q.in_set("concentration_basis",
                 ["derived_from_ispu", "measured_daily_mean", "published_24h"]),
    ),
    column_lineage=_lineage(),
)
