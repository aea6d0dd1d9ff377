"""Partitioned loads on a real PostgreSQL, with the real seed payloads.

* a twelve-month backfill as ONE run replaces exactly those months and leaves every other
  month untouched (same rows, same writing transaction, same place on disk);
* partitions loaded one range at a time add up to the table a full refresh builds;
* the reconciliation still adds up per payload, and per (partition, payload);
* the SQL tables downstream (Berlin daily means, fact, mart) replace their months the same way.
"""

from __future__ import annotations

import dagster as dg

from smartchange_assets.air_quality.fact import FACT
from smartchange_assets.air_quality.mart import MART
from smartchange_assets.berlin.blume_air_quality.daily import DAILY
from smartchange_assets.berlin.blume_air_quality.source import SOURCE as BLUME
from smartchange_assets.jakarta.ispu.source import SOURCE as ISPU
from smartchange_assets.platform.partitions import all_keys, monthly, yearly
from smartchange_assets.platform.source_assets import build_source
from smartchange_assets_tests.source_harness import check_results, materialize_source

from ..seed_files import SEED, seed_entries
from .partition_runs import (
    BACKFILL_FIRST,
    BACKFILL_LAST,
    partition_fingerprints,
    partition_writers,
    run_range,
    with_upstream,
)

YEAR_2023 = [f"2023-{m:02d}-01" for m in range(1, 13)]


def _ispu(wh):
    return partition_fingerprints(wh, ISPU.staging, "date")


def _ispu_writers(wh):
    return partition_writers(wh, ISPU.staging, "date")


def _assets(spec):
    assets, checks = build_source(spec), []
    return [*assets, *checks]


def test_a_twelve_month_backfill_replaces_exactly_those_months(fresh_database):
    wh = fresh_database
    full = materialize_source(ISPU, wh.url)
    assert full.success and all(check_results(full).values())
    reference = _ispu(wh)
    # every month of the real files is a partition with rows: 2010 … 2024, with gaps
    assert {"2010-01-01", "2016-12-01", "2022-12-01", "2023-11-01", "2024-12-01"} <= set(reference)

    # tamper with every row, so that a month the backfill rewrites shows
    _execute(wh, f"UPDATE {ISPU.staging.qualified} SET station_raw = 'tampered'")
    tampered = _ispu(wh)
    writers_before = _ispu_writers(wh)

    instance = dg.DagsterInstance.ephemeral()
    result = run_range(_assets(ISPU), wh.url, BACKFILL_FIRST, BACKFILL_LAST, instance)
    assert result.success
    assert all(check_results(result).values()), check_results(result)
    # one run did the twelve partitions, and Dagster knows exactly those are materialised
    assert len(instance.get_runs()) == 1
    assert instance.get_materialized_partitions(ISPU.staging_key) == set(YEAR_2023)
    run = instance.get_runs()[0]
    assert (run.tags["dagster/asset_partition_range_start"],
            run.tags["dagster/asset_partition_range_end"]) == (BACKFILL_FIRST, BACKFILL_LAST)

    after, writers_after = _ispu(wh), _ispu_writers(wh)
    for key in reference:
        if key in YEAR_2023:  # rewritten: back to what a full refresh stages
            assert after[key] == reference[key], key
        else:  # untouched: still tampered, written by the same transaction, same place
            assert after[key] == tampered[key], key
            assert writers_after[key] == writers_before[key], key
    # December 2023 has no rows in any payload: an empty partition, still a materialisation
    assert "2023-12-01" not in after

    # the rest of the months, in a second single run, give back the full refresh's table
    everything = all_keys(monthly())
    rest = run_range(_assets(ISPU), wh.url, everything[0], "2022-12-01", instance)
    rest_2024 = run_range(_assets(ISPU), wh.url, "2024-01-01", everything[-1], instance)
    assert rest.success and rest_2024.success
    assert _ispu(wh) == reference
    assert instance.get_materialized_partitions(ISPU.staging_key) == set(everything)


def test_partitions_loaded_from_empty_add_up_to_the_full_refresh(fresh_database):
    wh = fresh_database
    result = run_range(_assets(ISPU), wh.url, BACKFILL_FIRST, BACKFILL_LAST)
    assert result.success and all(check_results(result).values())
    partial = _ispu(wh)
    assert set(partial) == set(YEAR_2023) - {"2023-12-01"}

    # only the payload whose period overlaps 2023 was read: Dec 2022 – Nov 2023
    recon = wh.read_frame("SELECT * FROM raw.payload_reconciliation")
    assert list(recon["file_name"]) == [
        "data-indeks-standar-pencemar-udara-(ispu)-di-provinsi-dki-jakarta-2023-komponen-data.csv"]
    row = recon.iloc[0]
    assert row.staged + row.no_data + row.quarantined == row.source_rows
    # per partition: what each month got from that payload, recorded with the load
    parts = wh.read_frame("SELECT partition_key, staged FROM raw.partition_reconciliation "
                          "ORDER BY partition_key")
    in_table = int(wh.scalar(f"SELECT count(*) FROM {ISPU.staging.qualified}"))
    real = parts[~parts["partition_key"].str.startswith("<")]
    assert list(real["partition_key"]) == YEAR_2023[:-1]
    assert int(real["staged"].sum()) == in_table
    # December 2022 belongs to another partition: staged by the parse, not loaded yet
    dec_2022 = int(wh.scalar(f"SELECT count(*) FROM {ISPU.staging.qualified} "
                             "WHERE date < '2023-01-01'"))
    assert dec_2022 == 0 and in_table < row.staged

    # a full refresh over the same database: the same 2023 months, and every payload's staged
    # rows sit in exactly one partition
    full = materialize_source(ISPU, wh.url)
    assert full.success and all(check_results(full).values())
    reference = _ispu(wh)
    assert {k: reference[k] for k in partial} == partial
    placed = wh.read_frame(
        "SELECT r.file_name, r.staged, coalesce(sum(p.staged), 0) AS placed "
        "FROM raw.payload_reconciliation r LEFT JOIN raw.partition_reconciliation p "
        "USING (source, payload_sha256) GROUP BY 1, 2")
    assert len(placed) == 10
    assert (placed["staged"] == placed["placed"]).all()


def test_one_partition_replaced_alone_leaves_the_rest_byte_identical(fresh_database):
    wh = fresh_database
    assert materialize_source(ISPU, wh.url).success
    before, writers_before = _ispu(wh), _ispu_writers(wh)
    result = run_range(_assets(ISPU), wh.url, "2023-05-01", "2023-05-01")
    assert result.success and all(check_results(result).values())
    after, writers_after = _ispu(wh), _ispu_writers(wh)
    assert after == before  # the same rows come back
    changed = {k for k in writers_before if writers_after.get(k) != writers_before[k]}
    assert changed == {"2023-05-01"}  # and only May 2023 was written


def test_reconciliation_check_judges_the_run_partitions(fresh_database):
    """A fault case derived from a real file (the 2021 ISPU export, row 10's date garbled as
    in the end-to-end test), landed by hand for 2021: a run over 2021 fails the blocking check,
    a run over 2023 does not read the payload and passes."""
    from smartchange_assets.platform.landing import LandingArchive
    from smartchange_assets_tests.ops.conftest import corrupted_ispu_2021

    wh = fresh_database
    assert materialize_source(ISPU, wh.url).success
    import datetime as dt

    LandingArchive(wh).land(ISPU.source_id, corrupted_ispu_2021(), origin="file:///by-hand.csv",
                            landed_by="manual", period_start=dt.date(2021, 1, 1),
                            period_end=dt.date(2021, 12, 31))
    bad = run_range(_assets(ISPU), wh.url, "2021-01-01", "2021-12-01")
    checks = check_results(bad)
    assert checks["jakarta/staging/ispu_daily:payload_reconciliation"] is False
    evaluation = next(e for e in bad.get_asset_check_evaluations()
                      if e.check_name == "payload_reconciliation")
    assert "by-hand.csv" in evaluation.description and "row 10" in evaluation.description
    good = run_range(_assets(ISPU), wh.url, "2023-01-01", "2023-03-01")
    assert all(check_results(good).values()), check_results(good)


def test_sql_tables_replace_their_months_like_the_sources(fresh_database):
    """ISPU and BLUME staging, Berlin daily means, the fact table and the mart over 2023 in one
    run, after a full refresh whose every row was then tampered with."""
    wh = fresh_database
    # the tables as the code location builds them (each runs its own checks), with all they
    # and their checks read: the dimensions and the sources behind them
    chain = with_upstream(DAILY.key, FACT.key, MART.key)
    # a chain of partitioned assets runs with partitions (here: all of them, as a refresh)
    everything = all_keys(monthly())
    full = run_range(chain, wh.url, everything[0], everything[-1])
    assert full.success and all(check_results(full).values()), check_results(full)
    tables = {"fact": (FACT.table, "local_date"), "mart": (MART.table, "month"),
              "daily": (DAILY.table, "local_date")}
    reference = {n: partition_fingerprints(wh, t, c) for n, (t, c) in tables.items()}
    assert "2023-10-01" in reference["fact"] and "2023-03-01" in reference["mart"]
    for table, column in tables.values():  # new row versions, same content
        _execute(wh, f'UPDATE {table.qualified} SET "{column}" = "{column}"')
    writers = {n: partition_writers(wh, t, c) for n, (t, c) in tables.items()}

    result = run_range(chain, wh.url, BACKFILL_FIRST, BACKFILL_LAST)
    assert result.success and all(check_results(result).values()), check_results(result)
    for name, (table, column) in tables.items():
        assert partition_fingerprints(wh, table, column) == reference[name], name
        now = partition_writers(wh, table, column)
        rewritten = {k for k in writers[name] if now.get(k) != writers[name][k]}
        assert rewritten and rewritten <= set(YEAR_2023), (name, rewritten)
        assert {k for k in writers[name] if k.startswith("2023")} == rewritten, name


def _execute(wh, sql: str) -> None:
    import sqlalchemy as sa

    with wh.transaction() as conn:
        conn.execute(sa.text(sql))


def test_the_partitions_start_at_the_oldest_seed_period_of_their_cadence():
    """Starts come from the seed: the oldest period of a source with that cadence is the first
    partition (so no seed row falls before it, and no partition is empty for nothing)."""
    from smartchange_assets.definitions import SOURCES

    oldest: dict[str, str] = {}
    for spec in (s for s in SOURCES if s.partitions):
        starts = [e.period_start for e in seed_entries(spec.source_id) if e.period_start]
        first = min(starts)
        oldest[spec.partitions.cadence] = min(oldest.get(spec.partitions.cadence, first), first)
    assert all_keys(monthly())[0] == oldest["monthly"].replace(day=1).isoformat()
    assert all_keys(yearly())[0] == str(oldest["yearly"].year)


def test_a_row_dated_before_the_first_partition_fails_the_check(fresh_database):
    """A fault case derived from a real file: BLUME's mc010 March 2024 API reply with one
    hour's timestamp moved to March 2007, before the first monthly partition. No partition
    can hold that row, so the blocking check names the file and says what to do."""
    import datetime as dt

    from smartchange_assets.platform.landing import LandingArchive

    original = (SEED / "berlin" / "blume_air_quality" /
                "blume_api_mc010_2024-03_1h.json").read_bytes()
    shifted = original.replace(b'"2024-03-01T01:00:00+01:00"', b'"2007-03-01T01:00:00+01:00"', 1)
    assert shifted != original
    wh = fresh_database
    LandingArchive(wh).land(BLUME.source_id, shifted, origin="file:///mc010-shifted.json",
                            landed_by="manual", period_start=dt.date(2024, 3, 1),
                            period_end=dt.date(2024, 3, 31))
    result = run_range(_assets(BLUME), wh.url, "2024-03-01", "2024-03-01")
    evaluation = next(e for e in result.get_asset_check_evaluations()
                      if e.check_name == "payload_reconciliation")
    assert not evaluation.passed
    assert "mc010-shifted.json: 1 staged row(s) dated before the first partition" \
        in evaluation.description
    # write-audit-publish: the month was not published (no previous version in this new
    # database); the version kept for inspection holds the payload's other rows
    assert not wh.table_exists(BLUME.staging)
    kept = evaluation.metadata["kept_for_inspection"].value.split(" ")[0]
    assert wh.scalar(f"SELECT count(*) FROM {kept} WHERE payload_sha256 = "
                     f"'{sha256_of(shifted)}'") > 4000


def sha256_of(content: bytes) -> str:
    import hashlib

    return hashlib.sha256(content).hexdigest()
