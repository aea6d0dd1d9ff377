"""Citizen reports: the shared taxonomy, its completeness check, the fact and the report
indicators, held against the raw seed files.

The recomputations read the seed payloads themselves with json and pandas (not our parsers,
not the warehouse SQL): the Ordnungsamt snapshot of 22 Nov 2023, the CRM research sample and
the EWR file of Bezirk Mitte.
"""

from __future__ import annotations

import json

import dagster as dg
import pandas as pd
import pytest

import smartchange_assets.core.report_taxonomy as taxonomy
from smartchange_assets.berlin.citizen_reports.parser import parse_citizen_reports as berlin_parse
from smartchange_assets.core.reports import FACT_CITIZEN_REPORTS_CHECK, TAXONOMY_MAPPING_COMPLETE
from smartchange_assets.jakarta.citizen_reports.parser import parse_citizen_reports as crm_parse
from smartchange_assets.platform.resources import WarehouseResource

from .conftest import planted_fault
from .test_indicators_end_to_end import SEED

BERLIN_FILE = SEED / "berlin/citizen_reports/ordnungsamt_meldungen_2023-11.json"
CRM_FILE = SEED / "jakarta/citizen_reports/crm_test_predictions_dinov2_e5_not_pooled.SAMPLE.csv"
MITTE = "berlin:LOR2021:01"


def _berlin_raw() -> pd.DataFrame:
    frame = pd.DataFrame(json.loads(BERLIN_FILE.read_text("utf-8"))["index"])
    return frame.assign(day=pd.to_datetime(frame["erstellungsDatum"].str[:10],
                                           format="%d.%m.%Y"),
                        topic=frame["betreff"].str.split(" - ").str[0].str.strip()
                        .str.casefold())


def _row(wh, table: str, key: str, code: str, category: str, year: int,
         month: int | None = None) -> pd.Series:
    column = "area_key" if table == "city_indicators" else "district_key"
    rows = wh.read_frame(
        f"SELECT * FROM marts.{table} WHERE {column} = :k AND indicator = :i AND category = :c "
        "AND year = :y AND period_type = :t AND (month = :m OR :m IS NULL)",
        k=key, i=code, c=category, y=year, t="year" if month is None else "month", m=month)
    assert len(rows) == 1, (key, code, category, year, month)
    return rows.iloc[0]


def _city(wh, city: str, code: str, category: str, year: int, month: int | None = None):
    from smartchange_assets.core.keys import CITY_KEYS

    return _row(wh, "city_indicators", CITY_KEYS[city], code, category, year, month)


# --------------------------------------------------------------------------------------------
# the taxonomy, without a warehouse


def test_every_category_of_the_seed_payloads_maps_onto_the_taxonomy():
    berlin = berlin_parse(BERLIN_FILE.read_bytes(), BERLIN_FILE.name).staged
    crm = crm_parse(CRM_FILE.read_bytes(), CRM_FILE.name).staged
    for city, natives in (("berlin", berlin["category_main"]), ("jakarta", crm["category"])):
        unmapped = {n for n in natives.drop_duplicates()
                    if taxonomy.shared_category(city, None if pd.isna(n) else n) is None}
        assert not unmapped, (city, unmapped)
    assert berlin["category_main"].isna().sum() == 186  # citizens' own titles -> other
    assert taxonomy.shared_category("berlin", None) == "other"


@pytest.mark.parametrize(("city", "native", "shared"), [
    ("jakarta", "Parkir Liar", "parking"), ("jakarta", "Sampah", "waste"),
    ("jakarta", "Saluran Air, Kali/Sungai", "water_drainage"), ("jakarta", "Jalan", "roads"),
    ("jakarta", "Arus Lalu Lintas", "traffic"), ("berlin", "Abfall", "waste"),
    ("berlin", "Lärm", "noise"), ("berlin", "Grünanlage/Park", "greenery"),
    ("berlin", "Regeneinläufe, Gully", "water_drainage"), ("berlin", "Hund", "public_order"),
    ("berlin", "Parkraumbewirtschaftung", "parking"),
])
def test_native_categories_land_on_the_expected_shared_category(city, native, shared):
    assert taxonomy.shared_category(city, native) == shared


def test_unknown_categories_are_not_guessed_and_bad_targets_raise(monkeypatch):
    assert taxonomy.shared_category("berlin", "Neues Thema") is None
    assert taxonomy.shared_category("jakarta", "Abfall") is None  # a Berlin topic in Jakarta
    monkeypatch.setitem(taxonomy.BERLIN_CATEGORIES, "Test", ("traffic_jams", None))
    with pytest.raises(ValueError, match="traffic_jams"):
        taxonomy.rows()


# --------------------------------------------------------------------------------------------
# core: the map, the fact and their checks


def test_map_table_holds_the_taxonomy_module(wh):
    table = wh.read_frame("SELECT city, native_category, shared_category, note "
                          "FROM core.report_category_map")
    got = {(r.city, r.native_category): r.shared_category for r in table.itertuples()}
    assert got == {(c, n): s for c, n, s, _ in taxonomy.rows()}


def test_fact_keeps_every_report_of_both_cities(wh):
    fact = wh.read_frame("SELECT * FROM core.fact_citizen_reports")
    raw = _berlin_raw()
    berlin = fact[fact["city"] == "berlin"]
    assert len(berlin) == len(raw) == 5842
    assert set(berlin["report_id"]) == set(raw["id"].astype(str))
    crm = pd.read_csv(CRM_FILE, dtype=str)
    jakarta = fact[fact["city"] == "jakarta"]
    assert set(jakarta["report_id"]) == set(crm["report_id"]) and len(jakarta) == 15
    # Berlin statuses as published, resolved read from them
    assert (berlin["resolved"] == (berlin["status"] == "Erledigt")).all()
    assert berlin["resolved"].sum() == (raw["status"] == "Erledigt").sum() == 3558
    # one snapshot: no resolution observed, so no days; Jakarta publishes no status
    assert berlin["days_to_resolution"].isna().all()
    assert set(berlin.loc[berlin["resolved"], "resolution_basis"]) == {"first_seen_resolved"}
    assert jakarta["status"].isna().all() and jakarta["resolved"].isna().all()
    # areas: every Berlin report at its Bezirk, never dropped when unresolved
    counts = berlin.groupby("district_key").size()
    assert counts[MITTE] == (raw["bezirk"] == "Mitte").sum() == 6
    assert counts["berlin:LOR2021:07"] == (raw["bezirk"] == "Tempelhof-Schöneberg").sum()
    assert jakarta["area_note"].notna().all()
    assert set(fact["observed_year"]) == {2023}


def test_completeness_check_fails_on_a_planted_unmapped_category(wh):
    target = wh.scalar("SELECT min(report_id) FROM staging.berlin_citizen_reports "
                       "WHERE category_main = 'Lärm'")
    with planted_fault(wh, TAXONOMY_MAPPING_COMPLETE,
                       "UPDATE staging.berlin_citizen_reports SET category_main = "
                       "'Neues Thema' WHERE report_id = :r",
                       "UPDATE staging.berlin_citizen_reports SET category_main = "
                       "'Lärm' WHERE report_id = :r", {"r": target}) as result:
        assert "berlin 'Neues Thema' (1 reports)" in result.description
        assert result.metadata["unmapped"].value == [
            {"city": "berlin", "native_category": "Neues Thema", "reports": 1}]


def test_fact_integrity_fails_on_planted_faults(wh):
    # (keys are the table's primary key and in its gx_suite)
    with planted_fault(  # a category outside the taxonomy, an unknown kelurahan
            wh, FACT_CITIZEN_REPORTS_CHECK,
            "INSERT INTO core.fact_citizen_reports SELECT city, report_id || 'X', "
            "native_category, 'sewage', created_date, created_at_utc, "
            "'jakarta:kemendagri_2025:31.99.99.9999', district_key, area_note, status,"
            " resolved, resolved_at, resolved_date, resolution_basis, days_to_resolution, "
            "payload_sha256, observed_year FROM core.fact_citizen_reports "
            "WHERE city = 'jakarta' LIMIT 1",
            "DELETE FROM core.fact_citizen_reports WHERE shared_category = 'sewage'") as result:
        assert "31.99.99.9999" in result.description
        assert "shared_category_in_taxonomy" in result.description
        assert "core.report_category_map" in result.description


# --------------------------------------------------------------------------------------------
# indicators recomputed from the raw seed files


def test_berlin_october_2023_share_resolved_by_category_from_the_snapshot(wh):
    raw = _berlin_raw()
    october = raw[(raw["day"] >= "2023-10-01") & (raw["day"] < "2023-11-01")]
    noise = october[october["topic"] == "lärm"]
    resolved = (noise["status"] == "Erledigt").sum()
    got = _city(wh, "berlin", "reports_share_resolved", "noise", 2023, month=10)
    assert got["value"] == pytest.approx(resolved / len(noise), rel=1e-12)
    assert (got["numerator"], got["denominator"]) == (resolved, len(noise)) == (16, 18)
    assert got["coverage"] == 1.0 and got["unit"] == "share (0–1)"
    every = _city(wh, "berlin", "reports_share_resolved", "all", 2023, month=10)
    assert (every["numerator"], every["denominator"]) == (
        (october["status"] == "Erledigt").sum(), len(october)) == (2639, 3625)


def test_mitte_october_2023_reports_per_100k_from_the_snapshot_and_the_ewr_file(wh):
    raw = _berlin_raw()
    october = raw[(raw["day"] >= "2023-10-01") & (raw["day"] < "2023-11-01")
                  & (raw["bezirk"] == "Mitte")]
    ewr = pd.read_csv(SEED / "berlin/population/ewr_EWR_L21_202412E_Matrix_bezirk01.csv",
                      sep=";", dtype={"RAUMID": str})
    residents = ewr["E_E"].sum()
    got = _row(wh, "district_scorecard", MITTE, "reports_per_100k", "all", 2023, month=10)
    assert got["value"] == pytest.approx(len(october) / residents * 100_000, rel=1e-12)
    assert (got["numerator"], got["denominator"], got["population_year"]) == (
        len(october), residents, 2024)


def test_report_figures_without_the_data_are_null_with_the_reason(wh):
    # Berlin as a whole has no complete residents count (only Mitte's file in the seed)
    city = _city(wh, "berlin", "reports_per_100k", "all", 2023, month=10)
    assert pd.isna(city["value"]) and "no complete residents count" in city["null_reason"]
    # one snapshot observes one month of 2023
    year = _city(wh, "berlin", "reports_share_resolved", "noise", 2023)
    assert pd.isna(year["value"]) and year["coverage"] == pytest.approx(1 / 12)
    assert "1 of 12 months observed completely" in year["null_reason"]
    # one snapshot cannot see a resolution happen: no resolution time is known
    raw = _berlin_raw()
    october = raw[(raw["day"] >= "2023-10-01") & (raw["day"] < "2023-11-01")]
    median = _city(wh, "berlin", "reports_median_days_to_resolution", "noise", 2023, month=10)
    assert pd.isna(median["value"]) and median["coverage"] == 0
    resolved = ((october["topic"] == "lärm") & (october["status"] == "Erledigt")).sum()
    assert f"0 of {resolved} resolved reports have a known resolution time" in (
        median["null_reason"])
    # the CRM sample: 15 reports where the ids' daily sequence numbers imply thousands
    crm = pd.read_csv(CRM_FILE, dtype=str)
    implied = crm["report_id"].str[8:12].astype(int).groupby(crm["report_id"].str[2:8]).max()
    jakarta = _city(wh, "jakarta", "reports_per_100k", "all", 2023)
    assert pd.isna(jakarta["value"]) and jakarta["coverage"] == 0
    assert "0 of 12 months observed completely" in jakarta["null_reason"]
    assert f"15 reports where the ids' daily sequence numbers imply {implied.sum()}" in (
        jakarta["null_reason"])


def test_category_dimension_in_the_marts_and_the_comparison(wh):
    categories = wh.read_frame("SELECT DISTINCT indicator, category FROM marts.city_indicators")
    split = categories.groupby("indicator")["category"].apply(set)
    assert split["reports_per_100k"] == {"all", *taxonomy.SHARED_CATEGORIES}
    assert split["pm25_mean"] == {"all"}
    pairs = wh.read_frame("SELECT indicator, category, year FROM marts.city_comparison "
                          "WHERE indicator = 'reports_share_resolved' AND year = 2023")
    assert set(pairs["category"]) == {"all", *taxonomy.SHARED_CATEGORIES}


def test_report_indicators_reach_both_cities_raw_payloads():
    from smartchange_assets.definitions import LOCATION
    from smartchange_assets.platform.resources import PortalResource

    assets, _ = (LOCATION.assets, LOCATION.checks)
    graph = dg.Definitions(assets=assets, resources={
        "warehouse": WarehouseResource(url="postgresql://unused"),
        "portal": PortalResource(mode="replay")}).resolve_asset_graph()
    upstream = dg.AssetSelection.assets(dg.AssetKey(["marts", "city_indicators"])).upstream() \
        .resolve(graph)
    assert {dg.AssetKey(["jakarta", "raw", "citizen_reports"]),
            dg.AssetKey(["berlin", "raw", "citizen_reports"]),
            dg.AssetKey(["core", "report_category_map"])} <= upstream
