"""berlin/blume_stations end to end: the derivative station list of the seed goes through
Dagster on real Postgres; every row reconciles, coordinates arrive, and the columns the
derivative does not have arrive as NULL, not invented."""

import pandas as pd

from smartchange_assets.berlin.blume_stations.source import SOURCE

from ..seed_files import SEED, seed_entries
from ..source_harness import check_results, materialize_source


def test_blume_stations_materialise_from_the_derivative_seed(fresh_database):
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
        [112, 112, 0, 0]]
    table = fresh_database.read_frame(
        "SELECT * FROM staging.berlin_air_quality_stations").set_index("station_code")
    raw = pd.read_csv(SEED / "berlin/blume_stations/blume_stations_derivative.csv")
    raw = raw.set_index(raw["station_id"].str.lower())
    assert len(table) == len(raw) == 112
    assert (table.loc[raw.index, "lat"] == raw["lat"]).all()
    assert (table.loc[raw.index, "lon"] == raw["lon"]).all()
    assert table.loc["mc010", ["name", "active"]].tolist() == ["Wedding", True]
    for column in ("code_eu", "station_type", "address", "bezirk", "measuring_start",
                   "measuring_end"):
        assert table[column].isna().all(), column
