"""Mobility and weather: the two core facts, their integrity checks and the indicators, held
against the raw seed files.

The recomputations read the seed payloads themselves with pandas and json (not our parsers,
not the warehouse SQL): the Transjakarta CSV of 2021, the bike counter CSV of 2012/2013 with
the counters' installation dates from location-info.csv, the BPS 2017 population CSV and the
two Open-Meteo replies. The marts are the session's shared build (``conftest.built``).
"""

from __future__ import annotations

import json

import dagster as dg
import pandas as pd
import pytest

from smartchange_assets.core.mobility import FACT_MOBILITY_CHECK
from smartchange_assets.core.weather import FACT_WEATHER_CHECK
from smartchange_assets.marts.catalogue import BY_CODE
from smartchange_assets.marts.scope import CITY, MEASURE_COLUMNS
from smartchange_assets.marts.themes.weather import WEATHER as WEATHER_THEME
from smartchange_assets.platform.resources import PortalResource, WarehouseResource

from .conftest import planted_fault
from .test_indicators_end_to_end import SEED, dukcapil_layer_total, indicator

TRANSJAKARTA = SEED / "jakarta/transjakarta/penumpang_2021.csv"
BIKES_2012 = SEED / "berlin/bike_counters/data-2012.csv"
SITES = SEED / "berlin/mobility_sites/location-info.csv"
BPS_2017 = SEED / ("jakarta/population/Jumlah Penduduk Menurut Kabupaten_Kota di Provinsi DKI "
                   "Jakarta , 2017.csv")
WEATHER = {2023: SEED / "global/weather/openmeteo_forecast_daily_berlin_2023-06-01.json",
           2025: SEED / "global/weather/openmeteo_forecast_daily_berlin_2025-04-15.json"}


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
    fact = wh.read_frame("SELECT mode, count(*) AS n, sum(count) AS passengers FROM "
                         "core.fact_mobility_monthly WHERE city = 'jakarta' GROUP BY mode")
    rides = _transjakarta()
    by_type = rides.groupby("jenis")["passengers"].agg(["size", "sum"])
    got = {r.mode: (int(r.n), int(r.passengers)) for r in fact.itertuples()}
    assert got == {mode: (int(by_type.loc[jenis, "size"]), int(by_type.loc[jenis, "sum"]))
                   for jenis, mode in (("BRT", "bus_rapid_transit"),
                                       ("Angkutan Umum Integrasi", "feeder_bus"),
                                       ("Mikrotrans", "minibus"))}
    assert wh.scalar("SELECT count(*) FROM staging.jakarta_transjakarta_monthly") == len(rides)


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
    # no complete Berlin residents count (the seed has Mitte only): per capita says so
    rate = indicator(wh, "berlin", "bicycle_counts_per_capita", year)
    assert pd.isna(rate["value"]) and "no complete residents count" in rate["null_reason"]


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


# --------------------------------------------------------------------------------------------
# weather


def _weather(year: int) -> pd.DataFrame:
    daily = json.loads(WEATHER[year].read_text("utf-8"))["daily"]
    return pd.DataFrame(daily).assign(day=lambda f: pd.to_datetime(f["time"]))


def test_berlin_precipitation_and_hot_days_from_the_open_meteo_replies(wh):
    blocks = wh.read_frame(f"SELECT * FROM ({WEATHER_THEME.measures(CITY)}) AS m("
                           f"{', '.join(MEASURE_COLUMNS)}) WHERE period_type = 'year'",
                           **WEATHER_THEME.params_for(CITY))
    before_rule = blocks.set_index(["city", "indicator", "period_start"])["value"]
    for year in (2023, 2025):
        days = _weather(year)
        precipitation = days.get("precipitation_sum")  # the 2023 request did not ask for it
        hot = int((days["temperature_2m_max"] >= 30).sum())
        start = pd.Timestamp(year=year, month=1, day=1).date()
        rain = indicator(wh, "berlin", "annual_precipitation_mm", year)
        heat = indicator(wh, "berlin", "hot_days", year)
        with_rain = 0 if precipitation is None else int(precipitation.notna().sum())
        assert rain["coverage"] == pytest.approx(with_rain / 365)
        assert heat["coverage"] == pytest.approx(len(days) / 365)
        # a handful of forecast days is far below 95 % of the year: NULL with the reason
        assert pd.isna(rain["value"]) and pd.isna(heat["value"])
        assert rain["null_reason"].startswith("coverage") and "includes_forecast" in heat["flags"]
        # the sums themselves, before the coverage rule
        assert before_rule[("berlin", "hot_days", start)] == hot == 0
        if precipitation is not None:
            assert before_rule[("berlin", "annual_precipitation_mm", start)] == pytest.approx(
                precipitation.sum()) == pytest.approx(1.6)


def test_jakarta_has_weather_rows_that_say_the_seed_has_no_jakarta_reply(wh):
    replies = [json.loads(p.read_text("utf-8")) for p in WEATHER.values()]
    assert all(r["timezone"] == "Europe/Berlin" for r in replies)
    for code in ("annual_precipitation_mm", "hot_days"):
        row = indicator(wh, "jakarta", code, 2021)
        assert pd.isna(row["value"]) and row["null_reason"] == "no data for this indicator in 2021"


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


def test_weather_fact_fails_on_the_other_citys_area_and_on_max_below_min(wh):
    target = "city = 'berlin' AND local_date = '2025-04-18'"
    with planted_fault(
            wh, FACT_WEATHER_CHECK,
            "UPDATE core.fact_weather_daily SET area_key = 'jakarta:kemendagri_2025:31', "
            f"temperature_min_c = 40 WHERE {target}",
            "UPDATE core.fact_weather_daily SET area_key = 'berlin:AGS:11000000', "
            f"temperature_min_c = 10.1 WHERE {target}") as result:
        assert "jakarta:kemendagri_2025:31" in result.description
        assert "max_not_below_min" in result.description


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
                ["berlin", "raw", "mobility_sites"], ["global", "raw", "weather"]):
        assert dg.AssetKey(key) in upstream, key
