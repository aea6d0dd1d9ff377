"""Open-Meteo historical-archive CSV exports for both cities: the one description
(docs/sources/global-weather-exports.md).

A source of its own beside ``global/weather`` (the API's JSON replies), because

* the form differs (a CSV table, units in the headers, with or without a location preamble,
  the Jakarta tables placed by their file name) and so do the quirks;
* the exports reach back to 2000, before the monthly partitions' start (2008-03,
  ``platform/partitions.py``): a partitioned source would have rows no partition can hold, so
  this one is unpartitioned and reloads whole (about 38,000 rows);
* nobody fetches them: they are landed by hand (``smartchange land``), with no connector.
"""

from __future__ import annotations

from smartchange_assets.global_.weather.cities import CITIES
from smartchange_assets.global_.weather.source import WMO_CODES
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

from .parser import KEY, parse_weather_export
from .stations import STATIONS

COLUMNS = [
    Column("source_row", "bigint", "line of the table (1-based, its header not counted)",
           nullable=False),
    Column("city", "text", "jakarta or berlin: from the preamble's coordinates, or from the "
           "station the file name names", nullable=False),
    Column("location", "text", "the station code (DKI1–DKI5), else 'grid <lat>,<lon>' of the "
           "preamble", nullable=False),
    Column("station_code", "text", "ISPU station the export was taken for (DKI1–DKI5), from "
           "the file name; NULL for a point that is no station"),
    Column("location_basis", "text", "where the location comes from: 'preamble coordinates' "
           "or 'file name'", nullable=False),
    Column("latitude", "double precision", "grid-cell latitude of the preamble (NULL: no "
           "preamble)"),
    Column("longitude", "double precision", "grid-cell longitude of the preamble"),
    Column("elevation_m", "double precision", "elevation of the grid cell, m"),
    Column("timezone", "text", "IANA zone of the daily aggregation from the preamble; NULL: the "
           "file does not state it"),
    Column("local_date", "date", "day of the values (local in that zone; as exported where "
           "the zone is not stated)", nullable=False),
    Column("temperature_max_c", "double precision", "2 m air temperature, daily maximum, °C"),
    Column("temperature_min_c", "double precision", "2 m air temperature, daily minimum, °C"),
    Column("temperature_mean_c", "double precision", "2 m air temperature, daily mean, °C"),
    Column("precipitation_mm", "double precision", "precipitation sum of the day, mm (NULL "
           "when the export has no such column, never 0)"),
    Column("precipitation_hours", "double precision", "hours with precipitation, h"),
    Column("wind_speed_max_kmh", "double precision", "10 m wind speed, daily maximum, km/h"),
    Column("wind_gusts_max_kmh", "double precision", "10 m wind gusts, daily maximum, km/h"),
    Column("wind_direction_dominant_deg", "double precision", "dominant 10 m wind direction, "
           "degrees (both spellings of the variable read, checked equal)"),
    Column("shortwave_radiation_mj_m2", "double precision", "shortwave radiation sum, MJ/m²"),
    Column("sunshine_duration_s", "double precision", "sunshine duration, seconds"),
    Column("relative_humidity_mean_pct", "double precision", "2 m relative humidity, daily "
           "mean, %"),
    Column("cloud_cover_mean_pct", "double precision", "cloud cover, daily mean, %"),
    Column("surface_pressure_mean_hpa", "double precision", "surface pressure, daily mean, hPa"),
    Column("weather_code", "integer", "WMO weather interpretation code of the day"),
]

SOURCE = SourceSpec(
    city="global",
    name="weather_exports",
    title="Daily weather exports, Jakarta stations and Berlin (Open-Meteo archive, CSV)",
    description=("Open-Meteo historical-archive (ERA5 reanalysis) daily tables exported as "
                 "CSV: Berlin 2000-01-01 … 2025-01-05 at 52.55 N 13.41 E (temperature, "
                 "sunshine, wind; no precipitation), and one table per Jakarta ISPU station "
                 "DKI1–DKI5, 2010-01-01 … 2025-08-31 (24 variables incl. precipitation; no "
                 "coordinates: the station comes from the file name). Landed by hand."),
    publisher="Open-Meteo (open-meteo.com), ERA5 reanalysis by ECMWF/Copernicus; the Jakarta "
              "tables compiled by the Datavidia 10.0 competition organisers",
    licence="CC BY 4.0 (attribution: Open-Meteo.com)",
    portal_url="https://open-meteo.com/en/docs/historical-weather-api",
    parser=parse_weather_export,
    staging=staging_table("global", "weather_exports_daily", COLUMNS, ("payload_sha256", *KEY),
                          "Open-Meteo archive CSV exports, one row per location and day"),
    date_column="local_date",
    # the published date column: an unreadable date stops the line
    key_columns=("time",),
    group="weather",
    publisher_cadence="yearly",
    seed=seed_folder(__file__),
    expectations=(
        q.not_null("city"), q.not_null("location"), q.not_null("local_date"),
        q.compound_unique(["payload_sha256", *KEY]),
        q.in_set("city", [c.name for c in CITIES]),
        q.in_set("timezone", [c.timezone for c in CITIES]),
        q.in_set("station_code", list(STATIONS)),
        q.in_set("location_basis", ["preamble coordinates", "file name"]),
        q.between("temperature_max_c", -50, 60), q.between("temperature_min_c", -50, 60),
        q.between("temperature_mean_c", -50, 60),
        q.between("precipitation_mm", 0, 1000), q.between("precipitation_hours", 0, 24),
        q.between("wind_speed_max_kmh", 0, 400), q.between("wind_gusts_max_kmh", 0, 500),
        q.between("wind_direction_dominant_deg", 0, 360),
        q.between("shortwave_radiation_mj_m2", 0, 50),
        q.between("sunshine_duration_s", 0, 86_400),
        q.between("relative_humidity_mean_pct", 0, 100),
        q.between("cloud_cover_mean_pct", 0, 100),
        q.between("surface_pressure_mean_hpa", 500, 1100),
        q.in_set("weather_code", WMO_CODES),
        q.Expect("ExpectColumnPairValuesAToBeGreaterThanB", None,
                 {"column_A": "temperature_max_c", "column_B": "temperature_min_c",
                  "or_equal": True, "ignore_row_if": "either_value_is_missing"},
                 name="max_not_below_min"),
    ),
)
