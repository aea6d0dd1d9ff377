"""Citizen reports: the shared taxonomy, its completeness check, the fact and the report
indicators, held against the raw seed files.

The recomputations read the seed payloads themselves with json and pandas (not our parsers,
not the warehouse SQL): the two Ordnungsamt snapshots (the copy recorded 22 Nov 2023, whose
newest report is from 30 Oct, and the one of 18 Jan 2024), the CRM research sample and the EWR
files.
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
JANUARY_FILE = SEED / "berlin/citizen_reports/ordnungsamt_meldungen_2024-01-18.json"
# the manifest's recorded_at of each snapshot (the latest it can have been taken)
NOVEMBER_AT = pd.Timestamp("2023-11-22T00:00:00", tz="UTC")
JANUARY_AT = pd.Timestamp("2024-01-18T23:00:00", tz="UTC")
CRM_FILE = SEED / "jakarta/citizen_reports/crm_test_predictions_dinov2_e5_not_pooled.SAMPLE.csv"
MITTE = "berlin:LOR2021:01"


def _berlin_raw(path=BERLIN_FILE) -> pd.DataFrame:
    frame = pd.DataFrame(json.loads(path.read_text("utf-8"))["index"])
    created = pd.to_datetime(frame["erstellungsDatum"], format="%d.%m.%Y - %H:%M:%S")
    return frame.assign(day=created.dt.normalize(),
                        created_utc=created.dt.tz_localize("Europe/Berlin").dt.tz_convert("UTC"),
                        topic=frame["betreff"].str.split(" - ").str[0].str.strip()
                        .str.strip('"').str.casefold())


def _berlin_reports() -> pd.DataFrame:
    """Every report of the two snapshots with its latest status (January where it is listed)
    and the bounds of its resolution: resolved before the first snapshot showing it resolved
    (its recorded time), after the last showing it open (at the earliest: that snapshot's
    newest report)."""
    november, january = _berlin_raw(), _berlin_raw(JANUARY_FILE)
    november_from = november["created_utc"].max()
    latest = pd.concat([january, november[~november["id"].isin(january["id"])]])
    was = november.set_index("id")["status"]
    first_resolved_at = latest["id"].map(lambda i: NOVEMBER_AT if was.get(i) == "Erledigt"
                                         else JANUARY_AT)
    seen_open = latest["id"].map(lambda i: was.get(i) == "In Bearbeitung")
    resolved = latest["status"] == "Erledigt"
    days = pd.Timedelta(days=1)
    return latest.assign(
        resolved=resolved,
        observed_change=resolved & seen_open,
        days_max=((first_resolved_at - latest["created_utc"]) / days).where(resolved),
        days_min=((november_from - latest["created_utc"]) / days).where(
            resolved & seen_open, 0.0).where(resolved))


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
    january = berlin_parse(JANUARY_FILE.read_bytes(), JANUARY_FILE.name).staged
    crm = crm_parse(CRM_FILE.read_bytes(), CRM_FILE.name).staged
    for city, natives in (("berlin", berlin["category_main"]),
                          ("berlin", january["category_main"]), ("jakarta", crm["category"])):
        unmapped = {n for n in natives.drop_duplicates()
                    if taxonomy.shared_category(city, None if pd.isna(n) else n) is None}
        assert not unmapped, (city, unmapped)
    assert berlin["category_main"].isna().sum() == 186  # citizens' own titles -> other
    assert january["category_main"].isna().sum() == 172
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
    raw = _berlin_reports()
    berlin = fact[fact["city"] == "berlin"].set_index("report_id")
    assert len(berlin) == len(raw) == 10_894
    assert set(berlin.index) == set(raw["id"].astype(str))
    crm = pd.read_csv(CRM_FILE, dtype=str)
    jakarta = fact[fact["city"] == "jakarta"]
    assert set(jakarta["report_id"]) == set(crm["report_id"]) and len(jakarta) == 15
    # Berlin statuses as published in the latest snapshot listing a report
    assert (berlin["resolved"] == (berlin["status"] == "Erledigt")).all()
    # January's 3,595 and November's 3,558 (none of which January still lists)
    assert berlin["resolved"].sum() == raw["resolved"].sum() == 3595 + 3558
    assert jakarta["status"].isna().all() and jakarta["resolved"].isna().all()
    # areas: every Berlin report at its Bezirk, never dropped when unresolved
    counts = berlin.groupby("district_key").size()
    assert counts[MITTE] == (raw["bezirk"] == "Mitte").sum()
    assert counts["berlin:LOR2021:07"] == (raw["bezirk"] == "Tempelhof-Schöneberg").sum()
    assert jakarta["area_note"].notna().all()
    assert set(fact["observed_year"]) == {2023, 2024}


def test_resolution_times_are_bounded_by_the_two_snapshots(wh):
    """Recomputed from the two JSON files: the reports resolved between the snapshots, and
    each resolved report's bounds."""
    frame = _berlin_reports()
    raw = frame.set_index(frame["id"].astype(str))
    fact = wh.read_frame("SELECT * FROM core.fact_citizen_reports WHERE city = 'berlin'") \
        .set_index("report_id")
    assert (fact["resolution_basis"] == "observed_change").sum() == \
        raw["observed_change"].sum() == 265
    assert wh.scalar("SELECT count(*) FROM staging.berlin_citizen_reports "
                     "WHERE status_changes = 1 AND status = 'Erledigt'") == 265
    resolved = fact[fact["resolved"]]
    pd.testing.assert_series_equal(resolved["days_to_resolution_max"].sort_index(),
                                   raw.loc[resolved.index, "days_max"].sort_index(),
                                   check_names=False, rtol=1e-9)
    pd.testing.assert_series_equal(resolved["days_to_resolution_min"].sort_index(),
                                   raw.loc[resolved.index, "days_min"].sort_index(),
                                   check_names=False, rtol=1e-9, atol=1e-9)
    assert fact.loc[~fact["resolved"], ["days_to_resolution_min", "days_to_resolution_max"]] \
        .isna().all().all()
    # known to the day only where the bounds are a day apart: a few January reports created
    # on the snapshot's day and already resolved in it
    known = fact["days_to_resolution"].notna()
    spread = fact["days_to_resolution_max"] - fact["days_to_resolution_min"]
    assert (known == (spread <= 1)).all() and 0 < known.sum() < 100
    assert (fact.loc[known, "days_to_resolution"] == fact.loc[known,
                                                              "days_to_resolution_max"]).all()


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
            " resolved, resolved_at, resolved_date, resolution_basis, days_to_resolution_min, "
            "days_to_resolution_max, days_to_resolution, "
            "payload_sha256, observed_year FROM core.fact_citizen_reports "
            "WHERE city = 'jakarta' LIMIT 1",
            "DELETE FROM core.fact_citizen_reports WHERE shared_category = 'sewage'") as result:
        assert "31.99.99.9999" in result.description
        assert "shared_category_in_taxonomy" in result.description
        assert "core.report_category_map" in result.description


# --------------------------------------------------------------------------------------------
# indicators recomputed from the raw seed files


def _october(raw: pd.DataFrame) -> pd.DataFrame:
    """The October 2023 reports the snapshots observe completely: created 2 to 26 October
    (28 to 4 days before the first snapshot's newest report, 30 October)."""
    return raw[(raw["day"] >= "2023-10-02") & (raw["day"] <= "2023-10-26")]


def test_berlin_october_2023_share_resolved_by_category_from_the_two_snapshots(wh):
    october = _october(_berlin_reports())
    noise = october[october["topic"] == "lärm"]
    got = _city(wh, "berlin", "reports_share_resolved", "noise", 2023, month=10)
    assert got["value"] == pytest.approx(noise["resolved"].mean(), rel=1e-12)
    assert (got["numerator"], got["denominator"]) == (noise["resolved"].sum(), len(noise))
    assert got["coverage"] == pytest.approx(25 / 31) and got["unit"] == "share (0–1)"
    every = _city(wh, "berlin", "reports_share_resolved", "all", 2023, month=10)
    assert (every["numerator"], every["denominator"]) == (october["resolved"].sum(),
                                                          len(october))
    # 68 of them were seen open on 30 October and resolved by 18 January: the second
    # snapshot changes the month's share
    assert october["observed_change"].sum() == 68
    first_only = _october(_berlin_raw())
    assert every["numerator"] == (first_only["status"] == "Erledigt").sum() + 68


def test_berlin_october_2023_median_days_to_resolution_is_bounded(wh):
    resolved = _october(_berlin_reports()).query("resolved")
    low, high = resolved["days_min"].median(), resolved["days_max"].median()
    upper = _city(wh, "berlin", "reports_median_days_to_resolution_max", "all", 2023, month=10)
    assert upper["value"] == pytest.approx(high, rel=1e-9) and upper["coverage"] == \
        pytest.approx(25 / 31)
    assert f"over {len(resolved)} resolved reports" in upper["basis"]
    assert f"between {low:.2f} and {high:.2f} days" in upper["basis"]
    # the snapshots lie 80 days apart: the median itself is not known to within a day
    median = _city(wh, "berlin", "reports_median_days_to_resolution", "all", 2023, month=10)
    assert pd.isna(median["value"])
    assert f"the median lies between {low:.1f} and {high:.1f} days" in median["null_reason"]
    mitte = _row(wh, "district_scorecard", "berlin:LOR2021:07",
                 "reports_median_days_to_resolution_max", "all", 2023, month=10)
    assert mitte["value"] == pytest.approx(
        resolved.loc[resolved["bezirk"] == "Tempelhof-Schöneberg", "days_max"].median())


def test_berlin_counts_need_every_day_observed(wh):
    october = _october(_berlin_reports())
    city = _city(wh, "berlin", "reports_per_100k", "all", 2023, month=10)
    assert pd.isna(city["value"]) and city["coverage"] == pytest.approx(25 / 31)
    assert "25 of 31 days observed completely" in city["null_reason"]
    assert "snapshots of 2023-10-30" in city["null_reason"]
    # what it would rest on: the reports of the 25 days, Berlin's residents of 2020
    assert city["basis"] == f"{len(october)} reports; 25 of 31 days observed; residents 2020"
    mitte = _row(wh, "district_scorecard", MITTE, "reports_per_100k", "all", 2023, month=10)
    assert mitte["basis"] == (f"{(october['bezirk'] == 'Mitte').sum()} reports; 25 of 31 days "
                              "observed; residents 2024")


def test_report_figures_without_the_data_are_null_with_the_reason(wh):
    # two snapshots observe 2-26 October and 21 December - 14 January completely
    year = _city(wh, "berlin", "reports_share_resolved", "noise", 2023)
    assert pd.isna(year["value"]) and year["coverage"] == pytest.approx(36 / 365)
    assert "36 of 365 days observed completely" in year["null_reason"]
    december = _city(wh, "berlin", "reports_share_resolved", "all", 2023, month=12)
    assert pd.isna(december["value"]) and december["coverage"] == pytest.approx(11 / 31)
    january = _city(wh, "berlin", "reports_share_resolved", "all", 2024, month=1)
    assert january["coverage"] == pytest.approx(14 / 31)
    # the CRM sample: 15 reports where the ids' daily sequence numbers imply thousands
    crm = pd.read_csv(CRM_FILE, dtype=str)
    implied = crm["report_id"].str[8:12].astype(int).groupby(crm["report_id"].str[2:8]).max()
    jakarta = _city(wh, "jakarta", "reports_per_100k", "all", 2023)
    assert pd.isna(jakarta["value"]) and jakarta["coverage"] == 0
    assert "0 of 365 days observed completely" in jakarta["null_reason"]
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
