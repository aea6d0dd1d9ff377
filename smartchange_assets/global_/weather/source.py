"""Daily weather for Jakarta and Berlin from Open-Meteo (forecast and archive API)."""

from smartchange_assets.global_.weather.cities import CITIES
from smartchange_assets.global_.weather.live import fetch_live
from smartchange_assets.global_.weather.parser import APIS, parse_open_meteo
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.partitions import monthly
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

# The WMO weather interpretation codes Open-Meteo documents for weather_code (a subset of
# WMO 4677); a code outside it fails the suite rather than pass unexplained.
WMO_CODES = (0, 1, 2, 3, 45, 48, 51, 53, 55, 56, 57, 61, 63, 65, 66, 67, 71, 73, 75, 77,
             80, 81, 82, 85, 86, 95, 96, 99)

COLUMNS = [
    Column("source_row", "bigint", "(location, day) number in the reply, 1-based",
           nullable=False),
    Column("city", "text", "jakarta or berlin, from the reply's coordinates", nullable=False),
    Column("latitude", "double precision", "grid-cell latitude the API answered for",
           nullable=False),
    Column("longitude", "double precision", "grid-cell longitude the API answered for",
           nullable=False),
    Column("timezone", "text", "IANA zone of the daily aggregation (the city's own)",
           nullable=False),
    Column("local_date", "date", "local calendar day in that zone", nullable=False),
    Column("temperature_max_c", "double precision", "2 m air temperature, daily maximum, °C"),
    Column("temperature_min_c", "double precision", "2 m air temperature, daily minimum, °C"),
    Column("precipitation_mm", "double precision", "precipitation sum of the day, mm "
           "(null when the reply did not carry it, never 0 for missing)"),
    Column("wind_speed_max_kmh", "double precision", "10 m wind speed, daily maximum, km/h"),
    Column("weather_code", "integer", "WMO weather interpretation code of the day"),
    Column("api", "text", "forecast (recent days) or archive (ERA5 reanalysis)",
           nullable=False),
    Column("elevation_m", "double precision", "elevation of the grid cell, m"),
]

KEY = ("city", "latitude", "longitude", "local_date")

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    pool="open-meteo",
    city="global",
    name="weather",
    title="Daily weather, Jakarta and Berlin (Open-Meteo)",
    description=("Daily maximum and minimum temperature, precipitation, maximum wind speed "
                 "and WMO weather code per city and local day, from Open-Meteo's archive API "
                 "(ERA5 reanalysis, history) and forecast API (recent days). The seed holds "
                 "the only recorded replies: two Berlin forecasts (2023 with the pre-rename "
                 "variable names, 2025); Jakarta arrives with the live connector."),
    publisher="Open-Meteo (open-meteo.com), ERA5 reanalysis by ECMWF/Copernicus",
    licence="CC BY 4.0 (attribution: Open-Meteo.com)",
    portal_url="https://open-meteo.com/en/docs",
    parser=parse_open_meteo,
    fetch_live=fetch_live,
    staging=staging_table("global", "weather_daily", COLUMNS, ("payload_sha256", *KEY),
                          "Open-Meteo daily weather, one row per location and local day"),
    date_column="local_date",
    partitions=monthly(),
    publisher_cadence="daily",
    # names as in the reply: an unreadable one of these stops the line
    key_columns=("time", "latitude", "longitude"),
    group="weather",
    expectations=(
        q.not_null("city"), q.not_null("local_date"), q.not_null("latitude"),
        q.not_null("longitude"), q.not_null("api"),
        q.compound_unique(["payload_sha256", *KEY]),
        q.in_set("city", [c.name for c in CITIES]),
        q.in_set("timezone", [c.timezone for c in CITIES]),
        q.in_set("api", list(APIS)),
        q.between("temperature_max_c", -50, 60), q.between("temperature_min_c", -50, 60),
        # Jakarta's heaviest day on record is near 400 mm (January 2020)
        q.between("precipitation_mm", 0, 1000),
        q.between("wind_speed_max_kmh", 0, 400),
        q.in_set("weather_code", WMO_CODES),
        q.Expect("ExpectColumnPairValuesAToBeGreaterThanB", None,
                 {"column_A": "temperature_max_c", "column_B": "temperature_min_c",
                  "or_equal": True, "ignore_row_if": "either_value_is_missing"},
                 name="max_not_below_min"),
    ),
)
