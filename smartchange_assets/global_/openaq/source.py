"""OpenAQ v3 measurements: an optional cross-check for Jakarta and Berlin air quality.

Optional (``SourceSpec.optional``): there are no seed payloads (the only recorded replies are
from Guadalajara, Mexico, kept as test fixtures), and live runs fetch only with
``OPENAQ_API_KEY`` set, so "no payloads" is a normal state, not a failure.
"""

from smartchange_assets.global_.openaq.live import fetch_live, skip_reason
from smartchange_assets.global_.openaq.parser import parse_openaq
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.spec import SourceSpec, staging_table
from smartchange_assets.platform.tables import Column

COLUMNS = [
    Column("source_row", "bigint", "item number in the reply's results, 1-based",
           nullable=False),
    Column("location_id", "bigint", "OpenAQ location id (from the landed file name)"),
    Column("sensor_id", "bigint", "OpenAQ sensor id (from the landed file name)",
           nullable=False),
    Column("parameter", "text", "parameter name as published (pm10, pm25, no2, o3, …)",
           nullable=False),
    Column("units_raw", "text", "unit as published (µg/m³, ppm, …)", nullable=False),
    Column("value_raw", "double precision", "value as published, in units_raw",
           nullable=False),
    Column("value_ugm3", "double precision", "value in µg/m³: ppm/ppb of NO2, O3, SO2, CO "
           "converted at 25 °C and 1 atm (molar volume 24.465 L/mol); null where no "
           "conversion applies"),
    Column("period_start_utc", "timestamptz", "start of the averaging period", nullable=False),
    Column("period_end_utc", "timestamptz", "end of the averaging period", nullable=False),
    Column("period_label", "text", "OpenAQ period label (raw, 1 hour, 1 day, …)",
           nullable=False),
    Column("coverage_percent", "double precision", "coverage.percentComplete as published"),
]

KEY = ("sensor_id", "period_label", "period_start_utc")

SOURCE = SourceSpec(
    pool="openaq",
    city="global",
    name="openaq",
    title="OpenAQ air-quality measurements (cross-check)",
    description=("Daily means of PM10, PM2.5, NO2, O3, SO2 and CO from OpenAQ API v3 for "
                 "stations within 25 km of Jakarta and Berlin, units converted to µg/m³ for "
                 "comparison with the cities' own networks. Optional: fetched only when "
                 "OPENAQ_API_KEY is set; no seed payloads."),
    publisher="OpenAQ (openaq.org), aggregating the stations' own providers",
    licence="per provider, listed on each OpenAQ location (licenses field)",
    portal_url="https://docs.openaq.org",
    parser=parse_openaq,
    fetch_live=fetch_live,
    staging=staging_table("global", "openaq_measurements", COLUMNS, ("payload_sha256", *KEY),
                          "OpenAQ measurements, one row per sensor, period label and start"),
    date_column=None,
    publisher_cadence="daily",
    key_columns=("period.datetimeFrom.utc", "period.datetimeTo.utc", "period.label"),
    optional=True,
    live_skip_reason=skip_reason,
    # not "air_quality": that group is what feeds the mart (test_definitions checks it)
    group="air_quality_crosscheck",
    expectations=(
        q.not_null("sensor_id"), q.not_null("period_start_utc"), q.not_null("parameter"),
        q.compound_unique(["payload_sha256", *KEY]),
        q.between("value_ugm3", 0, 50_000),
        q.between("coverage_percent", 0, None),
    ),
)
