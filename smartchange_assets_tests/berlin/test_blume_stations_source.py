"""berlin/blume_stations end to end: the compiled seed list goes through Dagster on real
Postgres; every row reconciles and the unknown columns arrive as NULL, not invented."""

from smartchange_assets.berlin.blume_stations.source import SOURCE

from ..seed_files import seed_entries
from ..source_harness import check_results, materialize_source


def test_blume_stations_materialise_from_the_compiled_seed(fresh_database):
    result = materialize_source(SOURCE, fresh_database.url)
    assert result.success
    assert check_results(result) == {
        "berlin/raw/blume_stations:payload_freshness": True,  # replay mode: not judged
        "berlin/staging/air_quality_stations:payload_reconciliation": True,
        "berlin/staging/air_quality_stations:gx_suite": True}
    recon = fresh_database.read_frame(
        "SELECT payload_sha256, source_rows, staged, no_data, quarantined, error"
        " FROM raw.payload_reconciliation WHERE source = 'berlin/blume_stations'")
    assert set(recon["payload_sha256"]) == {e.sha256
                                            for e in seed_entries("berlin/blume_stations")}
    assert recon[["source_rows", "staged", "no_data", "quarantined"]].values.tolist() == [
        [18, 18, 0, 0]]
    table = fresh_database.read_frame(
        "SELECT * FROM staging.berlin_air_quality_stations ORDER BY station_code")
    assert len(table) == 18
    assert table.set_index("station_code").loc["mc042", "code_eu"] == "DEBE034"
    for column in ("station_type", "lat", "lon", "address", "bezirk", "measuring_start",
                   "measuring_end", "active"):
        assert table[column].isna().all(), column
