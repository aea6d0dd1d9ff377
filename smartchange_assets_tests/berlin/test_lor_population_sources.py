"""berlin/lor and berlin/population end to end: Dagster on a real Postgres, from the seeds.

Both sources through the production wiring (raw asset, staging asset, every check), the LOR
hierarchy derived in SQL, and the population keys resolved against the LOR table; then
payloads built from real files with one key moved out of LOR 2021, or cut mid-Bezirk, which
must fail the blocking key checks.
"""

from __future__ import annotations

import csv
import io

import dagster as dg
import pandas as pd
import pytest

from smartchange_assets.berlin.lor import counts
from smartchange_assets.berlin.lor.hierarchy import HIERARCHY
from smartchange_assets.berlin.lor.source import SOURCE as LOR
from smartchange_assets.berlin.population.checks import PLR_COVERAGE, PLR_IN_LOR
from smartchange_assets.berlin.population.source import SOURCE as POPULATION
from smartchange_assets.definitions import LOCATION
from smartchange_assets.platform.landing import LandingArchive
from smartchange_assets.platform.source_assets import build_source

from ..seed_files import seed_bytes, seed_entries
from ..source_harness import check_results, materialize_source


def assert_seed_payloads_reconcile(wh, spec) -> pd.DataFrame:
    recon = wh.read_frame("SELECT * FROM raw.payload_reconciliation WHERE source = :s",
                          s=spec.source_id)
    assert set(recon["payload_sha256"]) == {e.sha256 for e in seed_entries(spec.source_id)}
    assert (recon["staged"] + recon["no_data"] + recon["quarantined"]
            == recon["source_rows"]).all()
    assert recon["error"].isna().all()
    return recon.set_index("file_name")


def lor_assets() -> list:
    return build_source(LOR)


def test_lor_and_its_hierarchy_from_the_seed(fresh_database):
    wh = fresh_database
    result = materialize_source(LOR, wh.url, *LOCATION.assets_for(HIERARCHY.key))
    assert result.success
    checks = check_results(result)
    assert set(checks) == {"berlin/raw/lor:payload_freshness",
                           "berlin/staging/admin_areas:payload_reconciliation",
                           "berlin/staging/admin_areas:gx_suite",
                           "berlin/staging/lor_hierarchy:gx_suite"}
    assert all(checks.values()), checks
    recon = assert_seed_payloads_reconcile(wh, LOR)
    assert recon.loc["lor_2021_planungsraeume_export.csv", ["source_rows", "staged"]].tolist() \
        == [542, 542]

    levels = wh.read_frame("SELECT level, count(*) AS n FROM staging.berlin_lor_hierarchy"
                           " GROUP BY level")
    assert dict(zip(levels["level"], levels["n"])) == counts.LOR2021_TOTALS
    per_bezirk = wh.read_frame(
        "SELECT bezirk_code, level, count(*) AS n FROM staging.berlin_lor_hierarchy"
        " WHERE level <> 'bezirk' GROUP BY bezirk_code, level")
    got = {(r.bezirk_code, r.level): r.n for r in per_bezirk.itertuples()}
    for bez, (_name, pgr, bzr, plr) in counts.LOR2021_BEZIRKE.items():
        assert (got[(bez, "prognoseraum")], got[(bez, "bezirksregion")],
                got[(bez, "planungsraum")]) == (pgr, bzr, plr)

    area = wh.read_frame("SELECT level, code, name, name_raw, parent_code, area_m2, valid_from,"
                         " planungsraeume FROM staging.berlin_lor_hierarchy").set_index("code")
    mitte = area.loc["01"]
    assert (mitte["name"], mitte["planungsraeume"]) == ("Mitte", 49)
    assert pd.isna(mitte["parent_code"])
    plr_area = wh.scalar("SELECT sum(area_m2) FROM staging.berlin_admin_areas"
                         " WHERE bezirk_code = '01'")
    assert mitte["area_m2"] == pytest.approx(plr_area)
    region = area.loc["021001"]
    assert (region["level"], region["name"], region["name_raw"], region["parent_code"]) == (
        "bezirksregion", "Südliche Friedrichstadt", "Südliche  Friedrichstadt", "0210")
    # Tiergarten Süd holds re-cut Planungsräume: its composition dates from 2021-12-01
    assert str(area.loc["011001"]["valid_from"]) == "2021-12-01"
    assert area.loc["01100101"]["area_m2"] == pytest.approx(366933.12)


def test_population_from_the_seed_with_keys_resolved(fresh_database):
    wh = fresh_database
    result = materialize_source(POPULATION, wh.url, *lor_assets())
    assert result.success
    checks = check_results(result)
    for name in ("payload_reconciliation", "gx_suite", PLR_IN_LOR, PLR_COVERAGE):
        assert checks[f"berlin/staging/population:{name}"] is True, checks
    assert all(checks.values()), checks
    recon = assert_seed_payloads_reconcile(wh, POPULATION)
    assert recon["staged"].to_dict() == {
        "EWR201412E_Matrix.csv": 447, "EWR201612E_Matrix.csv": 447,
        "EWR201712E_Matrix.csv": 447, "EWR201812E_Matrix.csv": 447,
        "EWR201912E_Matrix.csv": 448, "EWR202012E_Matrix.csv": 448,
        "EWR_L21_202512E_Matrix.csv": 540, "ewr_EWR_L21_202412E_Matrix_bezirk01.csv": 49}
    assert recon.loc["EWR_L21_202512E_Matrix.csv", ["no_data", "quarantined"]].tolist() == [2, 0]

    meta = _check_metadata(result, PLR_IN_LOR)
    assert (meta["lor2021_keys"], meta["lor2021_unresolved"],
            meta["lor_old_keys_not_resolvable"]) == (540, 0, 448)
    assert "- 01011101" in meta["lor_old_keys"]
    # whole-city files: every Bezirk complete; the 2025 file lists two PLR without data
    coverage = _check_metadata(result, PLR_COVERAGE)
    assert coverage["missing_planungsraeume"] == 0
    assert coverage["listed_without_data"] == ("- EWR_L21_202512E_Matrix.csv: 03400831\n"
                                               "- EWR_L21_202512E_Matrix.csv: 06200418")
    assert coverage["lor_old_keys_added_later"] == "- 09041403 (from 2019-12-31)"

    staged = wh.read_frame("SELECT reference_date, count(*) AS n, sum(total) AS residents"
                           " FROM staging.berlin_population GROUP BY reference_date"
                           " ORDER BY reference_date")
    assert dict(zip(staged["reference_date"].astype(str), staged["residents"])) == {
        "2014-12-31": 3_562_166, "2016-12-31": 3_670_622, "2017-12-31": 3_711_930,
        "2018-12-31": 3_748_148, "2019-12-31": 3_769_495, "2020-12-31": 3_769_962,
        "2024-12-31": 397_004, "2025-12-31": 3_913_644}


def _land_rows(wh, name: str, day: str, keep, origin: str) -> None:
    """Land a copy of the real seed file ``name`` with only the data rows ``keep`` accepts
    (a cut download, made up from the real file)."""
    lines = seed_bytes("berlin/population", name).split(b"\r\n")
    body = b"\r\n".join([lines[0], *[ln for ln in lines[1:] if ln and keep(ln)]]) + b"\r\n"
    LandingArchive(wh).land(POPULATION.source_id, body, origin=origin, landed_by="test",
                            period_start=pd.Timestamp(day).date(),
                            period_end=pd.Timestamp(day).date())


def test_an_old_lor_file_cut_mid_bezirk_fails_the_coverage_check(fresh_database):
    wh = fresh_database
    # the real 2020 file cut after the first 5 Planungsräume of Bezirk 12 (a download cut
    # at a line break): Bezirk 12 is listed, its other Planungsräume are missing
    bezirk12 = iter(range(10_000))
    _land_rows(wh, "EWR202012E_Matrix.csv", "2020-12-31",
               lambda ln: ln.split(b";")[2] != b"12" or next(bezirk12) < 5,
               "test://EWR202012E_Matrix_cut.csv")
    result = materialize_source(POPULATION, wh.url, *lor_assets())
    assert not result.success
    checks = check_results(result)
    assert checks["berlin/staging/population:payload_reconciliation"] is True
    assert checks[f"berlin/staging/population:{PLR_COVERAGE}"] is False
    gaps = _check_metadata(result, PLR_COVERAGE)
    total_12 = sum(1 for ln in seed_bytes("berlin/population", "EWR202012E_Matrix.csv")
                   .split(b"\r\n")[1:] if ln and ln.split(b";")[2] == b"12")
    assert gaps["missing_planungsraeume"] == total_12 - 5
    assert f"Bezirk 12: {total_12 - 5} missing" in gaps["gaps"]


def test_a_lor2021_key_outside_lor_fails_the_blocking_key_checks(fresh_database):
    wh = fresh_database
    # built from the real 2024 file: PLR 01100101 (Stülerstraße) renamed 01100199, a key
    # LOR 2021 does not have; its Bezirk then lacks 01100101
    rows = list(csv.reader(io.StringIO(_seed_text("ewr_EWR_L21_202412E_Matrix_bezirk01.csv")),
                           delimiter=";"))
    header, first = rows[0], rows[1]
    first[header.index("RAUMID")], first[header.index("PLR")] = "01100199", "99"
    body = io.StringIO(newline="")
    csv.writer(body, delimiter=";", lineterminator="\n").writerows(rows)
    LandingArchive(wh).land(POPULATION.source_id, body.getvalue().encode(),
                            origin="test://EWR_L21_202412E_Matrix_moved_key.csv",
                            landed_by="test", period_start=pd.Timestamp("2024-12-31").date(),
                            period_end=pd.Timestamp("2024-12-31").date())

    result = materialize_source(POPULATION, wh.url, *lor_assets())
    assert not result.success
    checks = check_results(result)
    assert checks["berlin/staging/population:payload_reconciliation"] is True
    assert checks[f"berlin/staging/population:{PLR_IN_LOR}"] is False
    assert checks[f"berlin/staging/population:{PLR_COVERAGE}"] is False
    meta = _check_metadata(result, PLR_IN_LOR)
    assert meta["lor2021_unresolved"] == 1 and "- 01100199" in meta["lor2021_unresolved_keys"]
    gaps = _check_metadata(result, PLR_COVERAGE)
    assert gaps["missing_planungsraeume"] == 1 and "01100101" in gaps["gaps"]


def _seed_text(name: str) -> str:
    return seed_bytes("berlin/population", name).decode("utf-8")


def _check_metadata(result: dg.ExecuteInProcessResult, check_name: str) -> dict:
    (evaluation,) = [e for e in result.get_asset_check_evaluations()
                     if e.check_name == check_name]
    return {k: v.value for k, v in evaluation.metadata.items()}
