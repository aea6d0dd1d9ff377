"""BLUME air-quality stations (luftdaten.berlin.de /api/stations): the one description."""

from smartchange_assets.berlin.blume_stations.live import fetch_live
from smartchange_assets.berlin.blume_stations.parser import (
    LAT_RANGE,
    LON_RANGE,
    STATION_TYPES,
    parse_blume_stations,
)
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

COLUMNS = [
    Column("source_row", "bigint", "station number in the payload, 1-based", nullable=False),
    Column("station_code", "text", "BLUME local code, lower case (mc010; mw088, mp501)",
           nullable=False),
    Column("code_eu", "text", "EU station code (DEBE010); NOT derivable from the local code "
           "(mc042 is DEBE034)"),
    Column("name", "text", "station name without its number (Wedding)"),
    Column("station_type", "text", "background, suburb or traffic (API stationgroups)"),
    Column("lat", "double precision", "latitude, WGS84 (the API sends a string)"),
    Column("lon", "double precision", "longitude, WGS84 (the API's lng, a string)"),
    Column("address", "text", "station address as published (a public measuring site)"),
    Column("bezirk", "text", "Berlin Bezirk; null: neither the API nor the seed gives one"),
    Column("measuring_start", "timestamptz", "start of measurements"),
    Column("measuring_end", "timestamptz", "end of measurements (null while running)"),
    Column("active", "boolean", "the API's active flag"),
]

KEY = ("station_code",)

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    pool="luftdaten-berlin",
    city="berlin",
    name="blume_stations",
    title="Berlin BLUME air-quality stations",
    description=("Station list of the Berliner Luftgüte-Messnetz: local and EU code, name, "
                 "type, coordinates, address, measuring period. Live from /api/stations. The "
                 "seed is NOT a recorded API reply (none was recorded): a DERIVATIVE CSV a "
                 "third-party project wrote from /api/stations (about March 2026: code, name, "
                 "lat/lon, active; the API's address, codeEu and station groups dropped), so "
                 "those columns are null (see docs/sources/berlin-blume-stations.md)."),
    publisher="Senatsverwaltung für Mobilität, Verkehr, Klimaschutz und Umwelt Berlin (BLUME)",
    licence="dl-de/by-2-0 (Datenlizenz Deutschland – Namensnennung 2.0)",
    portal_url="https://luftdaten.berlin.de/api/doc",
    parser=parse_blume_stations,
    fetch_live=fetch_live,
    staging=staging_table("berlin", "air_quality_stations", COLUMNS, ("payload_sha256", *KEY),
                          "BLUME stations with coordinates, one row per station and payload. "
                          "Seed payload: a DERIVATIVE of a /api/stations reply (a third-party "
                          "CSV, not a recorded API reply): coordinates, names and the active "
                          "flag as the API gave them; EU code, type, address and measuring "
                          "period not in it"),
    date_column=None,
    publisher_cadence="yearly",
    key_columns=("station_code", "code"),
    # not "air_quality": that group is what feeds the mart (test_definitions checks it)
    group="air_quality_stations",
    expectations=(
        q.not_null("station_code"),
        q.compound_unique(["payload_sha256", *KEY]),
        q.Expect("ExpectColumnValuesToMatchRegex", "station_code",
                 {"regex": r"^m[cwp]\d{3}$"}),
        q.Expect("ExpectColumnValuesToMatchRegex", "code_eu", {"regex": r"^DEBE\d{3}$"}),
        q.compound_unique(["payload_sha256", "code_eu"], ignore_row_if="any_value_is_missing"),
        q.in_set("station_type", STATION_TYPES),
        q.between("lat", *LAT_RANGE), q.between("lon", *LON_RANGE),
    ),
)
