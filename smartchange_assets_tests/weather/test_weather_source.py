"""global/weather end to end: Dagster materialises raw, staging and checks on real Postgres from
the seed (the two real Berlin forecast replies); every payload reconciles and nulls stay null."""

from smartchange_assets.global_.weather.source import SOURCE

from ..seed_files import SEED, seed_entries
from ..source_harness import check_results, materialize_source


def test_weather_materialises_from_its_seed_with_green_checks(fresh_database):
    result = materialize_source(SOURCE, fresh_database.url)
    assert result.success
    checks = check_results(result)
    assert checks == {"global/raw/weather:payload_freshness": True,
                      "global/staging/weather_daily:payload_reconciliation": True,
                      "global/staging/weather_daily:gx_suite": True}

    recon = fresh_database.read_frame(
        "SELECT file_name, payload_sha256, source_rows, staged, no_data, quarantined, error"
        " FROM raw.payload_reconciliation WHERE source = 'global/weather' ORDER BY file_name")
    assert set(recon["payload_sha256"]) == {e.sha256 for e in seed_entries("global/weather")}
    assert recon[["file_name", "source_rows", "staged", "no_data", "quarantined"]] \
        .values.tolist() == [["openmeteo_forecast_daily_berlin_2023-06-01.json", 7, 7, 0, 0],
                             ["openmeteo_forecast_daily_berlin_2025-04-15.json", 4, 4, 0, 0]]
    assert recon["error"].isna().all()

    table = fresh_database.read_frame(
        "SELECT city, local_date::text AS day, precipitation_mm, weather_code, api"
        " FROM staging.global_weather_daily ORDER BY local_date")
    assert len(table) == 11 and set(table["city"]) == {"berlin"} and set(table["api"]) == {
        "forecast"}
    # the 2023 reply did not ask for precipitation: NULL in the warehouse, not 0
    assert table[table["day"] < "2024"]["precipitation_mm"].isna().all()
    assert table.set_index("day").loc["2025-04-18", "precipitation_mm"] == 1.6
    assert table.set_index("day").loc["2023-06-06", "weather_code"] == 1


def test_suite_passes_on_the_seed_and_catches_bad_rows(fresh_database):
    # the expectations the gx_suite check runs, on the parsed seed and on a corrupted copy

    from smartchange_assets.global_.weather.parser import parse_open_meteo

    from ..frame_suites import run_suite_on_frame

    path = (SEED / "global" / "weather"
            / "openmeteo_forecast_daily_berlin_2025-04-15.json")
    frame = parse_open_meteo(path.read_bytes(), path.name).staged
    frame.insert(0, "payload_sha256", "a" * 64)
    assert run_suite_on_frame(fresh_database, frame, SOURCE.expectations, "weather",
                              SOURCE.staging).success

    bad = frame.copy()
    bad.loc[0, "weather_code"] = 4  # not an Open-Meteo WMO code
    bad.loc[1, "temperature_min_c"] = 30.0  # above that day's maximum
    bad.loc[2, "precipitation_mm"] = -1.0
    outcome = run_suite_on_frame(fresh_database, bad, SOURCE.expectations, "weather",
                              SOURCE.staging)
    assert {r.expectation for r in outcome.failed} == {
        "values_in_set(weather_code)", "max_not_below_min(temperature_max_c,temperature_min_c)",
        "values_between(precipitation_mm)"}
