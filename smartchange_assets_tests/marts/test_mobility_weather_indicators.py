"""Mobility: the core fact, its integrity check and the indicators, held against the raw seed
files (and the lineage of the mobility and weather indicators back to their raw payloads).

The recomputations read the seed payloads themselves with pandas and json (not our parsers,
not the warehouse SQL): the Transjakarta CSV of 2021, the bike counter CSV of 2012/2013 with
the counters' installation dates from location-info.csv and the BPS 2017 population CSV; the
weather indicators are held against their seed files in test_weather_indicators.py. The marts
are the session's shared build (``conftest.built``).
"""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pytest

from smartchange_assets.core.mobility import FACT_MOBILITY_CHECK
from smartchange_assets.marts.catalogue import BY_CODE
from smartchange_assets.platform.resources import PortalResource, WarehouseResource

from .conftest import planted_fault
from .test_indicators_end_to_end import SEED, dukcapil_layer_total, indicator

TRANSJAKARTA = SEED / "jakarta/transjakarta/penumpang_2021.csv"
BIKES_2012 = SEED / "berlin/bike_counters/data-2012.csv"
SITES = SEED / "berlin/mobility_sites/location-info.csv"
BPS_2017 = SEED / ("jakarta/population/Jumlah Penduduk Menurut Kabupaten_Kota di Provinsi DKI "
                   "Jakarta , 2017.csv")


# --------------------------------------------------------------------------------------------
# Jakarta: Transjakarta passengers


def _transjakarta() -> pd.DataFrame:
    frame = pd.read_csv(TRANSJAKARTA, dtype=str)
    frame = frame.assign(passengers=frame["jumlah_penumpang"].astype(int),
                         code=frame["kode_trayek"].str.upper().str.replace(r"[\s,]", "",
                                                                           regex=True))
    # a route-month published twice with different numbers has no right answer: none counts
    twice = frame.duplicated(["periode_data", "code"], keep=False)
    assert frame.loc[twice, "passengers"].tolist() == [901, 27_894]  # 3E, November
    return frame[~twice]


def _bps_2017_total() -> int:
    bps = pd.read_csv(BPS_2017, skiprows=3, header=None, encoding="utf-8-sig",
                      names=["kota", "residents"])
    return int(bps.loc[bps["kota"] == "DKI Jakarta", "residents"].iloc[0])


def test_jakarta_2021_transit_passengers_per_capita_from_the_csv(wh):
    rides = _transjakarta()
    total = int(rides["passengers"].sum())
    count = indicator(wh, "jakarta", "transit_passengers", 2021)
    assert count["value"] == total == 120_279_752
    assert count["coverage"] == 1.0 and "payload_rows_quarantined" in count["flags"]
    assert "2 row(s) of its payloads quarantined" in count["basis"]
    rate = indicator(wh, "jakarta", "transit_passengers_per_capita", 2021)
    # the nearest complete count: the Dukcapil kelurahan layer of 2019 (BPS 2017 is farther)
    residents = dukcapil_layer_total()
    assert residents == 11_011_862 and _bps_2017_total() != residents
    assert rate["value"] == pytest.approx(total / residents, rel=1e-12)
    assert (rate["numerator"], rate["denominator"], rate["population_year"]) == (
        total, residents, 2019)
    march = indicator(wh, "jakarta", "transit_passengers_per_capita", 2021, month=3)
    in_march = rides.loc[rides["periode_data"] == "202103", "passengers"].sum()
    assert march["value"] == pytest.approx(in_march / residents, rel=1e-12)


def test_transjakarta_fact_keeps_every_staged_route_month(wh):
    # 2021 from the CSV alone: the XLSX download of the same year is staged but never counted
    fact = wh.read_frame("SELECT mode, count(*) AS n, sum(count) AS passengers FROM "
                         "core.fact_mobility_monthly WHERE city = 'jakarta' AND year = 2021 "
                         "GROUP BY mode")
    rides = _transjakarta()
    by_type = rides.groupby("jenis")["passengers"].agg(["size", "sum"])
    got = {r.mode: (int(r.n), int(r.passengers)) for r in fact.itertuples()}
    assert got == {mode: (int(by_type.loc[jenis, "size"]), int(by_type.loc[jenis, "sum"]))
                   for jenis, mode in (("BRT", "bus_rapid_transit"),
                                       ("Angkutan Umum Integrasi", "feeder_bus"),
                                       ("Mikrotrans", "minibus"))}
    # staged: the CSV's and the XLSX's 1,471 lines each, and December 2019's 237
    assert wh.scalar("SELECT count(*) FROM staging.jakarta_transjakarta_monthly") == (
        2 * len(rides) + 237)


# --------------------------------------------------------------------------------------------
# Berlin: bicycles at the permanent counters


def _complete_days(hours: pd.DataFrame) -> int:
    """Days with 24 published rows that are not the fall-back day (25 hours, 24 rows) and
    hold no outage-like zero run (≥ 8 zero hours in a row, or ≥ 3 of them 07:00–19:59)."""
    hours = hours.sort_values("date")
    zero = hours["count"].eq(0)
    run = (zero != zero.shift()).cumsum()
    runs = hours[zero].groupby(run[zero]).agg(
        n=("count", "size"), daytime=("date", lambda d: d.dt.hour.between(7, 19).sum()),
        first=("date", "min"), last=("date", "max"))
    outage_days = set()
    for r in runs[(runs["n"] >= 8) | (runs["daytime"] >= 3)].itertuples():
        outage_days |= set(pd.date_range(r.first.normalize(), r.last.normalize()).date)
    days = hours.groupby(hours["date"].dt.date).size()
    fall_back = {d for d in days.index
                 if pd.Timestamp(d).month == 10 and pd.Timestamp(d).weekday() == 6
                 and pd.Timestamp(d).day > 24}
    return sum(1 for day, rows in days.items()
               if rows == 24 and day not in fall_back and day not in outage_days)


@pytest.mark.parametrize(("year", "bicycles", "coverage"), [
    (2012, 617_423, 304 / 306),  # from 1 March; a day with 22 rows and the fall-back day
    (2013, 642_252, 364 / 365),  # the spill-over year of data-2012.csv; the fall-back day
])
def test_berlin_bicycle_counts_from_the_counter_csv(wh, year, bicycles, coverage):
    hours = pd.read_csv(BIKES_2012, parse_dates=["date"])
    hours = hours[hours["date"].dt.year == year]
    assert set(hours["station-id"]) == {"12-PA-SCH"}
    installed = pd.read_csv(SITES, parse_dates=["installed"]).set_index("station-id")
    since = max(pd.Timestamp(year=year, month=1, day=1), installed.loc["12-PA-SCH",
                                                                      "installed"])
    expected_days = (pd.Timestamp(year=year, month=12, day=31) - since).days + 1
    got = indicator(wh, "berlin", "bicycle_counts", year)
    assert got["value"] == hours["count"].sum() == bicycles
    assert got["coverage"] == pytest.approx(_complete_days(hours) / expected_days, rel=1e-12)
    assert got["coverage"] == pytest.approx(coverage, rel=1e-12)
    assert "counts_at_sites_not_trips" in got["flags"]
    # per capita: Berlin's residents of the nearest year with a complete count, 2014 (the EWR
    # file's sum of E_E)
    ewr = pd.read_csv(SEED / "berlin/population/EWR201412E_Matrix.csv", sep=";")
    rate = indicator(wh, "berlin", "bicycle_counts_per_capita", year)
    assert rate["value"] == pytest.approx(bicycles / ewr["E_E"].sum(), rel=1e-12)
    assert (rate["denominator"], rate["population_year"]) == (ewr["E_E"].sum(), 2014)


def test_counters_installed_but_absent_from_the_payload_lower_the_coverage(wh):
    sites = pd.read_csv(SITES, parse_dates=["installed"])
    hours = pd.read_csv(SEED / "berlin/bike_counters/data-2015.csv")
    installed = set(sites.loc[sites["installed"].dt.year <= 2015, "station-id"])
    absent = sorted(installed - set(hours["station-id"]))
    assert absent == ["03-MI-SAN-W", "05-FK-OBB-W", "18-TS-YOR-O", "18-TS-YOR-W", "19-TS-MON"]
    got = indicator(wh, "berlin", "bicycle_counts", 2015)
    assert pd.isna(got["value"]) and got["coverage"] < 0.9
    assert ", ".join(absent) in got["null_reason"]
    assert "9 of 14 installed counters" in got["basis"]


def test_catalogue_flags_what_cannot_be_compared(wh):
    assert BY_CODE["transit_passengers_per_capita"].comparability == "not_comparable"
    assert BY_CODE["bicycle_counts_per_capita"].comparability_note.startswith(
        "Not directly comparable between the cities")
    pair = wh.read_frame("SELECT * FROM marts.city_comparison WHERE indicator = "
                         "'transit_passengers_per_capita' AND year = 2021").iloc[0]
    assert not pair["comparable"] and "one operator's boardings" in pair["comparability_note"]


# --------------------------------------------------------------------------------------------
# the integrity checks catch planted faults


def test_mobility_fact_fails_on_planted_orphans(wh):
    with planted_fault(
            wh, FACT_MOBILITY_CHECK,
            "INSERT INTO core.fact_mobility_monthly SELECT city, counter_kind, 'PLANTED', "
            "site_name, mode, count_unit, '2031-01-01', 2031, 1, count, days_in_month, "
            "days_reported, days_complete, hours_reported, suspected_outage_hours, "
            "site_installed, site_removed, 'berlin:LOR2021:99', area_note, payload_sha256s "
            "FROM core.fact_mobility_monthly WHERE city = 'berlin' LIMIT 1",
            "DELETE FROM core.fact_mobility_monthly WHERE site_id = 'PLANTED'") as result:
        assert "berlin:LOR2021:99" in result.description and "core.dim_area" in result.description
        assert "core.dim_date" in result.description  # 2031 lies beyond the calendar


# --------------------------------------------------------------------------------------------
# lineage


def test_mobility_and_weather_indicators_lead_back_to_their_raw_payloads(built):
    from smartchange_assets.definitions import LOCATION

    _, results = built
    meta = {e.asset_key.to_user_string(): e.materialization.metadata
            for r in results for e in r.get_asset_materialization_events()}
    lineage = meta["marts/city_indicators"]["dagster/column_lineage"].value
    value_deps = {(d.asset_key.to_user_string(), d.column_name)
                  for d in lineage.deps_by_column["value"]}
    assert {("core/fact_mobility_monthly", "count"),
            ("core/fact_weather_daily", "precipitation_mm")} <= value_deps
    assets, _ = (LOCATION.assets, LOCATION.checks)
    graph = dg.Definitions(assets=assets, resources={
        "warehouse": WarehouseResource(url="postgresql://unused"),
        "portal": PortalResource(mode="replay")}).resolve_asset_graph()
    upstream = dg.AssetSelection.assets(dg.AssetKey(["marts", "city_indicators"])).upstream() \
        .resolve(graph)
    for key in (["jakarta", "raw", "transjakarta"], ["berlin", "raw", "bike_counters"],
                ["berlin", "raw", "mobility_sites"], ["global", "raw", "weather"],
                ["global", "raw", "weather_exports"], ["berlin", "raw", "dwd_climate"]):
        assert dg.AssetKey(key) in upstream, key
