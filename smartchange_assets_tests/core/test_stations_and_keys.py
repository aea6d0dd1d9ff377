"""Where the SPKU stations are, checked against the seed files' own station labels and the
Kemendagri 2025 code list in the seed; area keys and SQL literals; and dim_station with a
station-location source joined (the extension point for berlin/blume_stations), on a fresh
database with a few planted rows."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import sqlalchemy as sa

from smartchange_assets.berlin.blume_air_quality.daily import DAILY as BERLIN_DAILY
from smartchange_assets.berlin.blume_air_quality.source import SOURCE as BLUME
from smartchange_assets.berlin.blume_stations.source import SOURCE as BLUME_STATIONS
from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.dim_station import TABLE as DIM_STATION
from smartchange_assets.core.dim_station import build_dim_station
from smartchange_assets.core.site_placement import TABLE as SITE_PLACEMENT
from smartchange_assets.core.stations import ISPU_STATIONS
from smartchange_assets.jakarta.ispu.source import SOURCE as ISPU

from ..seed_files import SEED

SEED = SEED


def _station_labels() -> set[str]:
    """Every station label in the seed ISPU files (stasiun or lokasi_spku), as published."""
    labels = set()
    for path in (SEED / "jakarta" / "ispu").glob("*.csv"):
        text = path.read_bytes().decode("utf-8-sig")
        for row in csv.DictReader(io.StringIO(text)):
            label = row.get("stasiun") or row.get("lokasi_spku")
            if label:
                labels.add(label.strip())
    return labels


def test_every_station_code_in_the_seed_is_located():
    codes = {m.group(0) for label in _station_labels() if (m := re.match(r"DKI\d", label))}
    assert codes == {s.code for s in ISPU_STATIONS} == {"DKI1", "DKI2", "DKI3", "DKI4", "DKI5"}


def test_station_locations_match_the_seed_labels():
    labels = _station_labels()
    for station in ISPU_STATIONS:
        named = [label for label in labels if label.startswith(station.code) and
                 len(label) > len(station.code)]
        words = station.location.split()[0].lower()  # "Bundaran", "Kelapa", ...
        assert any(words[:5] in label.lower().replace("bunderan", "bundaran")
                   for label in named), (station.code, named)
    # the only label that names its kota says the same kota as our table (REPORT §1.1)
    assert "DKI5 (Kebon Jeruk) Jakarta Barat" in labels
    assert next(s.kota_code for s in ISPU_STATIONS if s.code == "DKI5") == "31.73"


def test_lubang_buaya_is_one_kelurahan_of_jakarta_timur_in_kemendagri_2025():
    rows = (SEED / "jakarta" / "admin_areas" / "kemendagri_2025_wilayah_dki31_rows.sql.txt"
            ).read_text("utf-8")
    found = re.findall(r"\('([\d.]+)','Lubang Buaya'\)", rows)
    assert found == ["31.75.10.1007"]
    assert re.search(r"\('31\.75','Kota Administrasi Jakarta Timur'\)", rows)
    assert next(s.kota_code for s in ISPU_STATIONS if s.code == "DKI4") == "31.75"


def test_area_keys_and_literals():
    assert keys.JAKARTA_CITY_KEY == "jakarta:kemendagri_2025:31"
    assert keys.jakarta_key("code") == "('jakarta:kemendagri_2025:' || code)"
    # quotes doubled; a colon before a word escaped, so sqlalchemy.text keeps it literal
    assert keys.literal("it's :x") == r"'it''s \:x'"
    assert keys.literal(None) == "NULL"


def _create(conn, spec) -> None:
    conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{spec.schema}"'))
    conn.execute(sa.text(f"CREATE TABLE {spec.qualified} ({spec.column_ddl()})"))


def test_a_station_location_source_places_blume_stations_in_their_bezirk(fresh_database):
    with fresh_database.transaction() as conn:
        # core.site_placement empty: no point placed, the location source's Bezirk name holds
        for spec in (ISPU.staging, BERLIN_DAILY.table, BLUME.staging, DIM_AREA,
                     BLUME_STATIONS.staging, SITE_PLACEMENT):
            _create(conn, spec)
        conn.execute(sa.text(
            "INSERT INTO core.dim_area (area_key, city, level, native_level, code, code_system,"
            " name, city_key, in_common_scheme, payload_sha256) VALUES "
            "('berlin:LOR2021:01', 'berlin', 'district', 'bezirk', '01', 'LOR', 'Mitte', "
            "'berlin:AGS:11000000', true, 'x')"))
        conn.execute(sa.text(
            f"INSERT INTO {BERLIN_DAILY.table.qualified} (station_code, pollutant, local_date,"
            " valid, basis, payload_sha256) VALUES ('mc171', 'pm10', '2023-01-01', true, "
            "'hourly_mean', 'x'), ('mc010', 'pm10', '2023-01-01', true, 'hourly_mean', 'x')"))
        conn.execute(sa.text(
            f"INSERT INTO {BLUME_STATIONS.staging.qualified} (payload_sha256, source_row, "
            "station_code, name, bezirk, lat, lon) VALUES ('s', 1, 'mc171', 'Mitte', 'Mitte',"
            " 52.51, 13.41), ('s', 2, 'mc010', 'Wedding', NULL, 52.54, 13.35)"))
    table = build_dim_station(locations=BLUME_STATIONS)
    assert BLUME_STATIONS.staging_key in table.deps
    fresh_database.replace_table_from_sql(DIM_STATION, table.select_sql, **table.params)
    berlin = fresh_database.read_frame(
        "SELECT * FROM core.dim_station WHERE city = 'berlin' ORDER BY station_code")
    located, unlocated = berlin.iloc[1], berlin.iloc[0]
    assert (located["station_code"], located["district_key"], located["lat"]) == (
        "mc171", "berlin:LOR2021:01", 52.51)
    assert pd.isna(unlocated["area_key"]) and "no Bezirk" in unlocated["area_null_reason"]
    jakarta = fresh_database.read_frame(
        "SELECT station_code, district_key FROM core.dim_station WHERE city = 'jakarta'")
    assert dict(zip(jakarta["station_code"], jakarta["district_key"])) == {
        s.code: keys.JAKARTA_PREFIX + s.kota_code for s in ISPU_STATIONS}
