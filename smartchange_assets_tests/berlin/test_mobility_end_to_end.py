"""The four mobility sources and their SQL tables through Dagster on a real Postgres, from the
seed: every check green, every seed payload reconciled, the union deduplicated, outages told
apart from zeros, and every counted site resolved (or in the stated allowance)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from smartchange_assets.berlin.bike_counters.source import SOURCE as BIKE_COUNTERS
from smartchange_assets.berlin.mobility import counts
from smartchange_assets.berlin.mobility.counts import COUNT_SOURCES
from smartchange_assets.berlin.mobility_sites.source import SOURCE as MOBILITY_SITES
from smartchange_assets.berlin.traffic_detectors.source import SOURCE as TRAFFIC_DETECTORS
from smartchange_assets.definitions import LOCATION
from smartchange_assets.platform.landing import LandingArchive
from smartchange_assets.platform.resources import PortalResource, WarehouseResource

from ..seed_files import SEED, seed_entries
from ..source_harness import check_results, materialize_source

SOURCES = (*COUNT_SOURCES, MOBILITY_SITES)

SEED = str(SEED) + "/"

# file -> (source rows, staged, no_data, quarantined), as the parser tests pin them
RECONCILED = {
    "data-2012.csv": (16102, 16102, 0, 0),
    "data-2015.csv": (54249, 54249, 0, 0),
    "bzm_merged_all_test_read.csv": (9118, 9118, 0, 0),
    "mq_hr_2023_03.csv": (22815, 22815, 0, 0),
    "mq_hr_2023_10.csv": (45022, 44846, 0, 176),
    "det_val_hr_2024_01.csv": (37257, 37257, 0, 0),
    "location-info.csv": (35, 35, 0, 0),
    "bzm_ecocounter_segments.geojson": (20, 20, 0, 0),
    "bzm_telraam_segments.geojson": (255, 255, 0, 0),
    "Stammdaten_Verkehrsdetektion_2022_07_20.xlsx": (582, 565, 0, 17),
}


# data-2012.csv ("Jahresdatei 2012") runs to 2013-12-31 and its 2013 lines are byte-identical to the
# separate 2013 sheet (docs/sources/berlin-bike-counters.md §3). The fixture lands that sheet,
# rebuilt from the real file (its header plus its 2013 lines), as a later payload: it must not add a
# single hour downstream.
SHEET_2013 = "data-2013.csv"


def _sheet_2013() -> bytes:
    lines = Path(SEED, "berlin/bike_counters/data-2012.csv").read_bytes().splitlines(True)
    return b"".join([lines[0], *[ln for ln in lines[1:] if ln.startswith(b"2013-")]])


@pytest.fixture(scope="module")
def warehouse(database_urls):
    """One fresh database (made like conftest's ``fresh_database``, but shared by this module so
    the ~420k-row union is built once): each source materialised alone with
    ``materialize_source``, then the SQL tables and the site check on top."""
    import uuid

    import sqlalchemy as sa

    from smartchange_assets.platform.warehouse import Warehouse

    name = f"t_mob_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(database_urls.server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(database_urls.warehouse).set(database=name)
    wh = Warehouse(url.render_as_string(hide_password=False))
    wh.ensure_platform_tables()
    LandingArchive(wh).land(
        BIKE_COUNTERS.source_id, _sheet_2013(), origin="test://" + SHEET_2013, landed_by="test",
        file_name=SHEET_2013, fetched_at=pd.Timestamp("2026-01-01", tz="UTC").to_pydatetime(),
        period_start=pd.Timestamp("2013-01-01").date(),
        period_end=pd.Timestamp("2013-12-31").date())
    wh.source_results = {spec.source_id: materialize_source(spec, wh.url) for spec in SOURCES}
    wh.result = _materialize_sql(wh.url)
    yield wh
    wh.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _materialize_sql(url: str) -> dg.ExecuteInProcessResult:
    # the derived tables as the code location builds them, each with every check it runs
    assets = LOCATION.assets_for(*(table.key for table in counts.SQL_TABLES))
    return dg.materialize(assets,
                          resources={"warehouse": WarehouseResource(url=url),
                                     "portal": PortalResource(mode="replay")})


@pytest.mark.parametrize("spec", SOURCES, ids=lambda s: s.source_id)
def test_each_source_materialises_with_green_checks_and_reconciles(spec, warehouse):
    result = warehouse.source_results[spec.source_id]
    assert result.success
    checks = check_results(result)
    # the raw asset's freshness, the staging table's reconciliation and suite
    assert len(checks) == 3 and all(checks.values()), checks
    assert f"{spec.raw_key.to_user_string()}:payload_freshness" in checks
    recon = warehouse.read_frame(
        "SELECT * FROM raw.payload_reconciliation WHERE source = :s", s=spec.source_id)
    seeds = {e.sha256 for e in seed_entries(spec.source_id)}
    assert seeds <= set(recon["payload_sha256"])
    extra = recon[~recon["payload_sha256"].isin(seeds)]
    assert extra["file_name"].tolist() == ([SHEET_2013] if spec is BIKE_COUNTERS else [])
    assert recon["error"].isna().all()
    for r in recon.itertuples():
        expected = (8760, 8760, 0, 0) if r.file_name == SHEET_2013 else RECONCILED[r.file_name]
        assert (r.source_rows, r.staged, r.no_data, r.quarantined) == expected
    assert warehouse.row_count(spec.staging) == recon["staged"].sum()


def test_union_has_one_row_per_site_hour_and_mode(warehouse):
    by_kind = warehouse.read_frame(
        "SELECT counter_kind, mode, count(*) AS n FROM staging.berlin_mobility_counts"
        " GROUP BY 1, 2 ORDER BY 1, 2")
    got = {(r.counter_kind, r.mode): r.n for r in by_kind.itertuples()}
    assert got == {
        ("bike_counter", "bike"): 16102 + 54249,
        **{("telraam", m): 9118 for m in ("bike", "car", "heavy", "pedestrian")},
        **{("traffic_detector_mq", m): 22815 + 44846 for m in ("car", "motor_vehicle", "truck")},
        **{("traffic_detector_det", m): 37257 for m in ("car", "motor_vehicle", "truck")},
    }


def test_quarantined_quality_hours_never_reach_the_union(warehouse):
    inflated = warehouse.read_frame(
        "SELECT * FROM staging.berlin_mobility_counts WHERE site_id = 'TE001'"
        " AND period_start_local IN ('2023-10-01 00:00', '2023-10-01 01:00',"
        " '2023-10-29 02:00')")
    assert inflated.empty
    q = warehouse.read_frame(
        "SELECT reason, count(*) AS n FROM raw.quarantine WHERE source = :s GROUP BY reason",
        s=TRAFFIC_DETECTORS.source_id)
    assert len(q) == 1 and q["n"].iloc[0] == 176
    assert q["reason"].iloc[0].startswith("qualitaet '2.0' outside (0, 1]")


def test_detector_speed_minus_one_is_null_and_mean_speeds_are_labelled(warehouse):
    row = warehouse.read_frame(
        "SELECT mode, count, speed_kmh, speed_statistic FROM staging.berlin_mobility_counts"
        " WHERE site_id = '100101010000167' AND period_start_local = '2024-01-01 01:00'"
        " ORDER BY mode")
    # 100101010000167;01.01.2024;1;1.0;370;73;370;73;0;-1
    row = row.astype(object).where(row.notna(), None)
    assert row.to_dict("records") == [
        {"mode": "car", "count": 370, "speed_kmh": 73.0, "speed_statistic": "mean"},
        {"mode": "motor_vehicle", "count": 370, "speed_kmh": 73.0, "speed_statistic": "mean"},
        {"mode": "truck", "count": 0, "speed_kmh": None, "speed_statistic": None}]


def test_suspected_outages_are_the_daytime_zero_runs_at_oberbaumbruecke(warehouse):
    flagged = warehouse.read_frame(
        "SELECT site_id, local_date, count(*) AS hours, max(zero_run_hours) AS run"
        " FROM staging.berlin_mobility_counts WHERE suspected_outage"
        " GROUP BY 1, 2 ORDER BY 1, 2")
    assert flagged.to_dict("records") == [
        {"site_id": "05-FK-OBB-O", "local_date": pd.Timestamp("2015-06-07").date(),
         "hours": 5, "run": 5},
        {"site_id": "05-FK-OBB-O", "local_date": pd.Timestamp("2015-07-05").date(),
         "hours": 11, "run": 11}]
    # the 6-hour night lull at Alberichstraße is a real zero run, not an outage
    night = warehouse.read_frame(
        "SELECT zero_run_hours, suspected_outage FROM staging.berlin_mobility_counts"
        " WHERE site_id = '24-MH-ALB' AND period_start_local = '2015-10-26 02:00'")
    assert night.to_dict("records") == [{"zero_run_hours": 6, "suspected_outage": False}]


def test_daily_table_tells_missing_hours_from_zeros(warehouse):
    day = warehouse.read_frame(
        "SELECT * FROM staging.berlin_mobility_daily WHERE counter_kind = 'bike_counter'"
        " AND site_id = :site AND local_date = :d", site="13-CW-PRI", d="2015-09-22")
    # 13-CW-PRI has no rows from 00:00 to 14:00 that day: 9 of 24 hours reported
    assert day[["hours_reported", "hours_in_day", "complete"]].to_dict("records") == [
        {"hours_reported": 9, "hours_in_day": 24, "complete": False}]
    outage = warehouse.read_frame(
        "SELECT hours_reported, zero_hours, suspected_outage_hours, complete"
        " FROM staging.berlin_mobility_daily WHERE site_id = '05-FK-OBB-O'"
        " AND local_date = '2015-07-05'")
    assert outage.to_dict("records") == [{"hours_reported": 24, "zero_hours": 11,
                                          "suspected_outage_hours": 11, "complete": False}]
    spring = warehouse.read_frame(
        "SELECT hours_reported, hours_in_day, nonexistent_hour_rows, complete"
        " FROM staging.berlin_mobility_daily WHERE site_id = '12-PA-SCH'"
        " AND local_date = '2015-03-29'")
    assert spring.to_dict("records") == [{"hours_reported": 23, "hours_in_day": 23,
                                          "nonexistent_hour_rows": 1, "complete": True}]


def test_sites_table_and_resolution(warehouse):
    sites = warehouse.read_frame("SELECT counter_kind, count(*) AS n FROM"
                                 " staging.berlin_mobility_sites GROUP BY 1 ORDER BY 1")
    assert dict(zip(sites["counter_kind"], sites["n"], strict=True)) == {
        "bike_counter": 35, "telraam": 255, "traffic_detector_det": 548,
        "traffic_detector_mq": 292}
    jan = warehouse.read_frame("SELECT * FROM staging.berlin_mobility_sites"
                               " WHERE site_id = '02-MI-JAN-N'").iloc[0]
    assert jan["name"] == "Jannowitzbrücke Nord" and jan["raw_ids"] == "ecocounter:100024661"
    bre = warehouse.read_frame("SELECT raw_ids FROM staging.berlin_mobility_sites"
                               " WHERE site_id = '17-SK-BRE-O'").iloc[0]
    assert bre["raw_ids"] == "17-SZ-BRE-O,ecocounter:100032163"
    allowed, failing, _ = counts.unresolved_sites(warehouse)
    assert failing == []
    assert allowed == [("traffic_detector_mq", "TE015n"), ("traffic_detector_mq", "TE118n"),
                       ("traffic_detector_mq", "TE134n")]


def test_overlapping_payloads_do_not_double_count(warehouse):
    staged = warehouse.read_frame(
        "SELECT m.file_name, count(*) AS n, sum(count_bike) AS total FROM"
        " staging.berlin_bike_counts s JOIN raw.landing_manifest m ON m.sha256 = s.payload_sha256"
        " WHERE s.local_date BETWEEN '2013-01-01' AND '2013-12-31' GROUP BY 1 ORDER BY 1")
    # staging keeps every payload's rows: 2013 twice, with the same counts
    assert staged["file_name"].tolist() == ["data-2012.csv", SHEET_2013]
    assert staged["n"].tolist() == [8760, 8760]
    assert staged["total"].iloc[0] == staged["total"].iloc[1]
    union = warehouse.read_frame(
        "SELECT m.file_name, count(*) AS n, sum(count) AS total FROM"
        " staging.berlin_mobility_counts c JOIN raw.landing_manifest m"
        " ON m.sha256 = c.payload_sha256 WHERE c.site_id = '12-PA-SCH'"
        " AND c.local_date BETWEEN '2013-01-01' AND '2013-12-31' GROUP BY 1")
    # the union counts each 2013 hour once, from the newer payload
    assert union.to_dict("records") == [{"file_name": SHEET_2013, "n": 8760,
                                         "total": staged["total"].iloc[0]}]
    # 2012 (only in data-2012.csv) is still there
    assert warehouse.scalar("SELECT count(*) FROM staging.berlin_mobility_counts"
                            " WHERE local_date < '2013-01-01'") == 16102 - 8760


def test_sql_tables_and_site_check_are_green(warehouse):
    assert warehouse.result.success
    checks = check_results(warehouse.result)
    assert checks == {
        "berlin/staging/mobility_counts:gx_suite": True,
        "berlin/staging/mobility_daily:gx_suite": True,
        "berlin/staging/mobility_sites:gx_suite": True,
        "berlin/staging/mobility_counts:sites_resolve": True,
    }
    (evaluation,) = [e for e in warehouse.result.get_asset_check_evaluations()
                     if e.check_name == "sites_resolve"]
    assert "TE015n, TE118n, TE134n" in evaluation.description
