"""Write-audit-publish on a real mart: a fault only the mart's own suite catches leaves the
previous version live, keeps the failed one for inspection and stops everything downstream;
for a full build and for a partition load.

The fault is planted in the published fact table, as if its own checks had let it through:
Berlin's PM10 of October 2023 at 60,000 µg/m³ makes a monthly mean the mart's suite refuses
(> 50,000). Made-up values, for this fault case only; the fact is rebuilt from staging after
each case."""

from __future__ import annotations

import dagster as dg
import pytest
import sqlalchemy as sa

from smartchange_assets.air_quality.fact import FACT
from smartchange_assets.air_quality.mart import MART
from smartchange_assets.platform.partitions import all_keys, monthly

from .ops.partition_runs import partition_fingerprints, run_range, with_upstream
from .source_harness import check_results

OPEN_MART = dg.AssetKey(["open", "air_quality_monthly"])
MONTH = "2023-10-01"
PLANT = ("UPDATE core.fact_air_quality_daily SET concentration_ugm3 = 60000 "
         "WHERE city = 'berlin' AND pollutant = 'pm10' AND local_date >= DATE '2023-10-01' "
         "AND local_date < DATE '2023-11-01' AND concentration_ugm3 IS NOT NULL")


@pytest.fixture(scope="module")
def built(database_urls):
    """A database where the mart and its open copy were built and published once."""
    from .conftest import new_database

    with new_database(database_urls) as wh:
        every = all_keys(monthly())
        result = run_range(with_upstream(OPEN_MART), wh.url, every[0], every[-1])
        assert result.success, check_results(result)
        yield wh


def _mart_and_downstream() -> list:
    from smartchange_assets.definitions import LOCATION

    return LOCATION.assets_for(MART.key, OPEN_MART)


def _fingerprints(wh) -> tuple[dict, str]:
    mart = partition_fingerprints(wh, MART.table, "month")
    open_copy = wh.scalar("SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) "
                          "FROM open.air_quality_monthly t")
    return mart, open_copy


@pytest.mark.parametrize("first,last", [(MONTH, MONTH), ("full", "full")],
                         ids=["partition load", "full build"])
def test_a_fault_only_the_marts_suite_catches_is_not_published(built, first, last):
    wh = built
    every = all_keys(monthly())
    first, last = (every[0], every[-1]) if first == "full" else (first, last)
    before = _fingerprints(wh)
    kept_before = int(wh.scalar("SELECT count(*) FROM audit.kept_versions"))
    with wh.transaction() as conn:
        assert conn.execute(sa.text(PLANT)).rowcount > 0
    try:
        result = run_range(_mart_and_downstream(), wh.url, first, last)
    finally:  # the next case starts from the good fact again: rebuilt from staging
        from smartchange_assets.definitions import LOCATION

        assert run_range(LOCATION.assets_for(FACT.key), wh.url, MONTH, MONTH).success
    assert not result.success
    suite = next(e for e in result.get_asset_check_evaluations()
                 if e.asset_key == MART.key and e.check_name == "gx_suite")
    assert not suite.passed and "values_between(mean_concentration_ugm3)" in suite.description
    # the previous version is what a reader sees, the mart and its open copy both unchanged
    assert _fingerprints(wh) == before
    # the failed version is kept for inspection, named in the check, and holds the fault
    kept = suite.metadata["kept_for_inspection"].value.split(" ")[0]
    assert int(wh.scalar("SELECT count(*) FROM audit.kept_versions")) == kept_before + 1
    assert wh.scalar(f"SELECT max(mean_concentration_ugm3) FROM {kept}") > 50000
    # no materialisation reported for the mart, and nothing downstream ran
    materialised = {e.asset_key for e in result.get_asset_materialization_events()}
    assert MART.key not in materialised and OPEN_MART not in materialised
    downstream_steps = [e for e in result.all_events
                        if e.step_key == "open__air_quality_monthly"
                        and e.event_type_value in ("STEP_START", "STEP_SUCCESS")]
    assert downstream_steps == []


def test_the_next_good_run_publishes_again(built):
    wh = built
    result = run_range(_mart_and_downstream(), wh.url, MONTH, MONTH)
    assert result.success and all(check_results(result).values())
    assert FACT.key not in {e.asset_key for e in result.get_asset_materialization_events()}
