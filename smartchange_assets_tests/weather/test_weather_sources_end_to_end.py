"""berlin/dwd_climate and global/weather_exports end to end: Dagster lands the seed, stages it
on a real Postgres and runs the blocking checks; every payload reconciles, the publisher's
missing values arrive as NULL, and the suites catch rows that break their rules."""

from __future__ import annotations

from smartchange_assets.berlin.dwd_climate.parser import parse_dwd_climate
from smartchange_assets.berlin.dwd_climate.source import SOURCE as DWD
from smartchange_assets.global_.weather_exports.parser import parse_weather_export
from smartchange_assets.global_.weather_exports.source import SOURCE as EXPORTS

from ..frame_suites import run_suite_on_frame
from ..seed_files import seed_bytes, seed_entries
from ..source_harness import check_results, materialize_source


def _reconciliation(db, source: str) -> list[list]:
    return db.read_frame(
        "SELECT file_name, source_rows, staged, no_data, quarantined FROM "
        "raw.payload_reconciliation WHERE source = :s ORDER BY file_name", s=source
    ).values.tolist()


def test_dwd_climate_stages_both_stations_with_nulls_for_minus_999(fresh_database):
    result = materialize_source(DWD, fresh_database.url)
    assert result.success
    assert check_results(result) == {"berlin/raw/dwd_climate:payload_freshness": True,
                                     "berlin/staging/dwd_climate_daily:payload_reconciliation":
                                     True, "berlin/staging/dwd_climate_daily:gx_suite": True}
    assert _reconciliation(fresh_database, DWD.source_id) == [
        ["produkt_klima_tag_19480101_20241231_00433.txt", 28_125, 28_125, 0, 0],
        ["produkt_klima_tag_19500101_20241231_00403.txt", 27_394, 27_394, 0, 0]]
    stations = fresh_database.read_frame(
        "SELECT station_id, count(*) AS days, min(local_date)::text AS first, "
        "count(*) - count(precipitation_mm) AS rsk_null, "
        "count(*) - count(wind_gust_max_ms) AS fx_null, min(precipitation_mm) AS rsk_min "
        "FROM staging.berlin_dwd_climate_daily GROUP BY 1 ORDER BY 1").set_index("station_id")
    assert stations.loc["00433", ["days", "first", "rsk_null"]].tolist() == [
        28_125, "1948-01-01", 12]
    assert stations.loc["00403", ["days", "first", "fx_null"]].tolist() == [
        27_394, "1950-01-01", 27_394]
    assert (stations["rsk_min"] >= 0).all()  # no -999 reached the warehouse


def test_dwd_suite_catches_rows_that_break_its_rules(fresh_database):
    name = "produkt_klima_tag_19500101_20241231_00403.txt"
    frame = parse_dwd_climate(seed_bytes(DWD.source_id, name), name).staged.head(50).copy()
    frame.insert(0, "payload_sha256", "a" * 64)
    assert run_suite_on_frame(fresh_database, frame, DWD.expectations, "dwd",
                              DWD.staging).success
    bad = frame.copy()
    bad.loc[0, "quality"] = 4  # not a DWD quality level
    bad.loc[1, "temperature_min_c"] = 30.0  # above that day's maximum
    bad.loc[2, "precipitation_mm"] = -999.0  # the missing marker taken as a number
    outcome = run_suite_on_frame(fresh_database, bad, DWD.expectations, "dwd", DWD.staging)
    assert {r.expectation for r in outcome.failed} == {
        "values_in_set(quality)", "max_not_below_min(temperature_max_c,temperature_min_c)",
        "values_between(precipitation_mm)"}


def test_weather_exports_stage_berlin_and_the_five_jakarta_stations(fresh_database):
    result = materialize_source(EXPORTS, fresh_database.url)
    assert result.success and all(check_results(result).values())
    assert {r[0] for r in _reconciliation(fresh_database, EXPORTS.source_id)} == {
        e.file for e in seed_entries(EXPORTS.source_id)}
    assert all(r[1:] == [r[1], r[1], 0, 0] for r in
               _reconciliation(fresh_database, EXPORTS.source_id))
    places = fresh_database.read_frame(
        "SELECT city, location, coalesce(timezone, 'not stated') AS timezone, count(*) AS days, "
        "count(precipitation_mm) AS wet "
        "FROM staging.global_weather_exports_daily GROUP BY 1, 2, 3 ORDER BY 1, 2")
    assert places.values.tolist() == [
        ["berlin", "grid 52.5483,13.4078", "Europe/Berlin", 9_137, 0],
        *[["jakarta", f"DKI{n}", "not stated", 5_722, 5_722] for n in range(1, 6)]]


def test_exports_suite_catches_rows_that_break_its_rules(fresh_database):
    name = "cuaca-harian-dki1-bundaranhi.csv"
    frame = parse_weather_export(seed_bytes(EXPORTS.source_id, name), name).staged.head(50)
    frame = frame.copy()
    frame.insert(0, "payload_sha256", "a" * 64)
    assert run_suite_on_frame(fresh_database, frame, EXPORTS.expectations, "exports",
                              EXPORTS.staging).success
    bad = frame.copy()
    bad.loc[0, "station_code"] = "DKI9"
    bad.loc[1, "wind_direction_dominant_deg"] = 400.0
    bad.loc[2, "relative_humidity_mean_pct"] = 101.0
    outcome = run_suite_on_frame(fresh_database, bad, EXPORTS.expectations, "exports",
                                 EXPORTS.staging)
    assert {r.expectation for r in outcome.failed} == {
        "values_in_set(station_code)", "values_between(wind_direction_dominant_deg)",
        "values_between(relative_humidity_mean_pct)"}
