"""DWD daily climate observations (KL) at the Berlin stations Tempelhof and Dahlem: the one
description (docs/sources/berlin-dwd-climate.md)."""

from __future__ import annotations

from smartchange_assets.platform import quality as q
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

from .parser import KEY, parse_dwd_climate
from .stations import STATIONS

# DWD quality levels (QN): 1 formal check only, 2 individual criteria, 3 ROUTINE automatic,
# 5 historic subjective procedures, 7 second check before correction, 8 outside ROUTINE,
# 9 not all parameters corrected, 10 quality control and corrections finished
QUALITY_LEVELS = [1, 2, 3, 5, 7, 8, 9, 10]

COLUMNS = [
    Column("source_row", "bigint", "data line of the file (1-based, header not counted)",
           nullable=False),
    Column("station_id", "text", "DWD station id, five digits (STATIONS_ID): 00433 "
           "Berlin-Tempelhof, 00403 Berlin-Dahlem (FU)", nullable=False),
    Column("local_date", "date", "day of the values (MESS_DATUM); DWD's climate day: see "
           "docs/sources/berlin-dwd-climate.md §3", nullable=False),
    Column("quality_wind", "integer", "DWD quality level of FX and FM (QN_3); NULL: -999"),
    Column("quality", "integer", "DWD quality level of RSK … TGK (QN_4); in the older layout "
           "the one QUALITAETS_NIVEAU of every parameter"),
    Column("wind_gust_max_ms", "double precision", "FX: daily maximum wind gust, m/s"),
    Column("wind_speed_mean_ms", "double precision", "FM: daily mean wind speed, m/s"),
    Column("precipitation_mm", "double precision", "RSK: daily precipitation height, mm "
           "(NULL where DWD published -999, never 0)"),
    Column("precipitation_form", "integer", "RSKF: precipitation form, DWD code"),
    Column("sunshine_h", "double precision", "SDK: daily sunshine duration, hours"),
    Column("snow_depth_cm", "double precision", "SHK_TAG: daily snow depth, cm"),
    Column("cloud_cover_okta", "double precision", "NM: daily mean cloud cover, eighths"),
    Column("vapour_pressure_hpa", "double precision", "VPM: daily mean vapour pressure, hPa"),
    Column("pressure_hpa", "double precision", "PM: daily mean air pressure at station "
           "height, hPa"),
    Column("temperature_mean_c", "double precision", "TMK: daily mean 2 m air temperature, °C"),
    Column("humidity_pct", "double precision", "UPM: daily mean relative humidity, %"),
    Column("temperature_max_c", "double precision", "TXK: daily maximum 2 m air "
           "temperature, °C"),
    Column("temperature_min_c", "double precision", "TNK: daily minimum 2 m air "
           "temperature, °C"),
    Column("temperature_ground_min_c", "double precision", "TGK: daily minimum air "
           "temperature 5 cm above ground, °C"),
]

SOURCE = SourceSpec(
    city="berlin",
    name="dwd_climate",
    title="Daily climate observations, Berlin-Tempelhof and Berlin-Dahlem (DWD)",
    description=("Daily maximum, minimum and mean air temperature, precipitation, sunshine, "
                 "snow, cloud, humidity, pressure and wind per station and day from the "
                 "Deutscher Wetterdienst's Climate Data Center (daily KL, historical), with "
                 "DWD's quality levels. Seed: Berlin-Tempelhof (00433) 1948–2024 and "
                 "Berlin-Dahlem (00403) 1950–2024. The reference for Berlin's weather "
                 "(Tempelhof first, Dahlem as fallback; docs/indicators.md)."),
    publisher="Deutscher Wetterdienst (DWD), Climate Data Center",
    licence="CC BY 4.0 (DWD, GeoNutzV); attribution: Deutscher Wetterdienst",
    portal_url=("https://opendata.dwd.de/climate_environment/CDC/observations_germany/climate/"
                "daily/kl/"),
    parser=parse_dwd_climate,
    staging=staging_table("berlin", "dwd_climate_daily", COLUMNS, ("payload_sha256", *KEY),
                          "DWD daily climate values, one row per station and day"),
    date_column="local_date",
    # the published names: an unreadable one of these stops the line
    key_columns=("STATIONS_ID", "MESS_DATUM"),
    group="weather",
    # DWD renews the historical files once a year (the recent ones daily: no connector yet)
    publisher_cadence="yearly",
    seed=seed_folder(__file__),
    expectations=(
        q.not_null("station_id"), q.not_null("local_date"),
        q.compound_unique(["payload_sha256", *KEY]),
        q.in_set("station_id", list(STATIONS)),
        q.in_set("quality", QUALITY_LEVELS), q.in_set("quality_wind", QUALITY_LEVELS),
        # Germany's records: 42.6 °C (2019), -45.9 °C (2001, Funtensee); Berlin's are milder
        q.between("temperature_max_c", -35, 45), q.between("temperature_min_c", -35, 45),
        q.between("temperature_mean_c", -35, 45),
        q.between("temperature_ground_min_c", -40, 45),
        q.between("precipitation_mm", 0, 320),  # Germany's daily record 312 mm (2002)
        q.between("sunshine_h", 0, 17),  # the longest day at 52.5° N has 16.8 h of daylight
        q.between("snow_depth_cm", 0, 300), q.between("cloud_cover_okta", 0, 8),
        q.between("humidity_pct", 0, 100), q.between("pressure_hpa", 900, 1100),
        q.between("vapour_pressure_hpa", 0, 60),
        q.between("wind_gust_max_ms", 0, 80), q.between("wind_speed_mean_ms", 0, 60),
        q.Expect("ExpectColumnPairValuesAToBeGreaterThanB", None,
                 {"column_A": "temperature_max_c", "column_B": "temperature_min_c",
                  "or_equal": True, "ignore_row_if": "either_value_is_missing"},
                 name="max_not_below_min"),
    ),
)
