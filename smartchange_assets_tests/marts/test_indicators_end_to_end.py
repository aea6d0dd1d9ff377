"""The conformed core and the indicator marts, materialised once through Dagster on a real
Postgres from the seed, and held against the raw seed files.

Every recomputation here reads the **seed files themselves** with pandas, json and openpyxl
(not our parsers, not the warehouse SQL): the ISPU CSV with the P.14/2020 breakpoints written
out below, the BLUME JSON and website CSV with the 75 % hour rule, the flood CSV, the BPS and
EWR population files and the Disdukcapil XLSX with its own TOTAL row.
"""

from __future__ import annotations

import json
import math

import dagster as dg
import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from smartchange_assets.core.air_quality_integrity import FACT_AIR_QUALITY_CHECK
from smartchange_assets.core.flood import FACT_FLOOD_EVENTS_CHECK
from smartchange_assets.core.population import FACT_POPULATION_CHECK
from smartchange_assets.core.stations import ISPU_STATIONS
from smartchange_assets.definitions import LOCATION
from smartchange_assets.marts.catalogue import INDICATORS
from smartchange_assets.marts.checks import CITY_INDICATORS_CHECK, DISTRICT_SCORECARD_CHECK
from smartchange_assets.platform.resources import PortalResource, WarehouseResource

from ..geo.shapefiles import dbf_rows, members
from ..seed_files import SEED, seed_bytes, seed_entries
from ..source_harness import check_results
from .conftest import MARTS, planted_fault, run_check

SEED = SEED
SOURCES = ("jakarta/ispu", "berlin/blume_air_quality", "jakarta/admin_areas", "jakarta/flood",
           "jakarta/population", "berlin/lor", "berlin/population",
           "jakarta/kelurahan_boundaries")

# P.14/2020, Lampiran: ISPU band edges and the PM2.5 concentrations (µg/m³) at those edges
P14_INDEX = [0, 50, 100, 200, 300, 500]
P14_PM25 = [0, 15.5, 55.4, 150.4, 250.4, 500]
ISPU_2024 = ("jakarta/ispu/data-indeks-standar-pencemar-udara-(ispu)-di-provinsi-dki-jakarta-"
             "komponen-data-2024.csv")
# the kota each SPKU station stands in (REPORT §1.1; DKI1 and DKI4 from their labels)
STATION_KOTA = {"DKI1": "Jakarta Pusat", "DKI2": "Jakarta Utara", "DKI3": "Jakarta Selatan",
                "DKI4": "Jakarta Timur", "DKI5": "Jakarta Barat"}


# the one materialisation (fixtures ``built`` and ``wh``) is in conftest.py, shared with
# test_reports_indicators.py


def indicator(wh, city: str, code: str, year: int, month: int | None = None) -> pd.Series:
    rows = wh.read_frame(
        "SELECT * FROM marts.city_indicators WHERE city = :c AND indicator = :i AND year = :y "
        "AND period_type = :t AND (month = :m OR :m IS NULL)",
        c=city, i=code, y=year, t="year" if month is None else "month", m=month)
    assert len(rows) == 1, (city, code, year, month)
    return rows.iloc[0]


# --------------------------------------------------------------------------------------------
# the run

def test_runs_succeed_with_every_check_passed(built):
    _, results = built
    assert all(r.success for r in results)
    checks = {k: v for r in results for k, v in check_results(r).items()}
    ours = {f"{k.asset_key.to_user_string()}:{k.name}"
            for a in LOCATION.assets for k in a.check_keys
            if k.asset_key.path[0] == "core" or k.asset_key in MARTS}
    assert ours <= set(checks), ours - set(checks)
    # one warning by design: the 2023 Q4 Transjakarta report total (core/transit_services.py)
    assert {k for k, v in checks.items() if not v} == {
        "core/fact_transit_services_quarterly:quarter_totals_plausible"}
    materialised = {e.asset_key for r in results for e in r.get_asset_materialization_events()}
    assert {k for a in LOCATION.assets for k in a.keys if k.path[0] == "core"} | set(MARTS) \
        <= materialised


def test_every_seed_payload_of_the_sources_behind_the_marts_reconciles(wh):
    recon = wh.read_frame("SELECT * FROM raw.payload_reconciliation")
    for source in SOURCES:
        of_source = recon[recon["source"] == source]
        assert set(of_source["payload_sha256"]) == {e.sha256 for e in seed_entries(source)}
        assert (of_source["staged"] + of_source["no_data"] + of_source["quarantined"]
                == of_source["source_rows"]).all()
        assert of_source["error"].isna().all()


def test_charts_and_lineage_are_in_the_metadata(built):
    _, results = built
    meta = {e.asset_key.to_user_string(): e.materialization.metadata
            for r in results for e in r.get_asset_materialization_events()}
    assert "data:image/png;base64," in meta["marts/city_comparison"]["chart"].value
    assert "data:image/png;base64," in meta["marts/district_scorecard"]["chart"].value
    assert meta["marts/district_scorecard"]["ranked_by"].value["jakarta"] == "pm25_mean 2024"
    lineage = meta["marts/city_indicators"]["dagster/column_lineage"].value
    value_deps = {(d.asset_key.to_user_string(), d.column_name)
                  for d in lineage.deps_by_column["value"]}
    assert ("core/fact_air_quality_daily", "concentration_ugm3") in value_deps
    assert ("core/fact_flood_events", "affected_people") in value_deps
    assert ("core/dim_area_population", "residents") in value_deps


# --------------------------------------------------------------------------------------------
# core tables


def test_dim_area_has_both_hierarchies_with_prognoseraum_as_extra_level(wh):
    levels = wh.read_frame("SELECT city, level, count(*) AS n FROM core.dim_area GROUP BY 1, 2")
    got = {(r.city, r.level): int(r.n) for r in levels.itertuples()}
    assert got == {("jakarta", "city"): 1, ("jakarta", "district"): 6,
                   ("jakarta", "subdistrict"): 44, ("jakarta", "unit"): 267,
                   ("berlin", "city"): 1, ("berlin", "district"): 12,
                   ("berlin", "prognoseraum"): 58, ("berlin", "subdistrict"): 143,
                   ("berlin", "unit"): 542}
    plr = wh.read_frame("SELECT * FROM core.dim_area WHERE area_key = 'berlin:LOR2021:01100101'")
    row = plr.iloc[0]
    assert (row["name"], row["parent_key"], row["subdistrict_key"], row["district_key"]) == (
        "Stülerstraße", "berlin:LOR2021:011001", "berlin:LOR2021:011001", "berlin:LOR2021:01")
    bzr = wh.read_frame("SELECT parent_key, in_common_scheme FROM core.dim_area "
                        "WHERE area_key = 'berlin:LOR2021:011001'").iloc[0]
    assert bzr["parent_key"] == "berlin:LOR2021:0110"  # its Prognoseraum, Zentrum
    assert not wh.scalar("SELECT in_common_scheme FROM core.dim_area "
                         "WHERE area_key = 'berlin:LOR2021:0110'")
    kel = wh.read_frame("SELECT * FROM core.dim_area "
                        "WHERE area_key = 'jakarta:kemendagri_2025:31.75.10.1007'").iloc[0]
    assert (kel["name"], kel["level"], kel["code_system"], kel["code_version"]) == (
        "Lubang Buaya", "unit", "kemendagri", "2025")
    assert kel["district_key"] == "jakarta:kemendagri_2025:31.75"


def test_stations_are_located_in_their_kota_and_blume_says_why_not(wh):
    stations = wh.read_frame("SELECT s.*, a.name AS area_name FROM core.dim_station s "
                             "LEFT JOIN core.dim_area a ON a.area_key = s.area_key")
    jakarta = stations[stations["city"] == "jakarta"].set_index("station_code")
    assert {code: name.removeprefix("Kota Administrasi ")
            for code, name in jakarta["area_name"].items()} == STATION_KOTA
    berlin = stations[stations["city"] == "berlin"]
    # the BLUME stations with daily means in the seed, each placed in its Bezirk by point in
    # polygon (core.site_placement, from the station list's coordinates)
    assert len(berlin) == 13 and berlin["area_key"].notna().all(), berlin
    assert berlin["area_null_reason"].isna().all()
    # mc010 (Wedding): Planungsraum Westliche Müllerstraße in Bezirk 01 Mitte
    mc010 = berlin[berlin["station_code"] == "mc010"]
    assert len(mc010) >= 1
    assert set(zip(mc010["area_name"], mc010["district_key"])) == {
        ("Westliche Müllerstraße", "berlin:LOR2021:01")}
    assert berlin["district_key"].str.fullmatch(r"berlin:LOR2021:\d\d").all()


def test_dim_date_is_a_gapless_calendar_holding_every_fact_date(wh):
    span = wh.read_frame("SELECT min(date) AS lo, max(date) AS hi, count(*) AS n "
                         "FROM core.dim_date").iloc[0]
    last = pd.Timestamp(year=pd.Timestamp.now().year + 1, month=12, day=31)
    assert str(span["lo"]) == "2000-01-01" and pd.Timestamp(span["hi"]) == last
    assert int(span["n"]) == (last - pd.Timestamp("2000-01-01")).days + 1
    outside = wh.scalar(
        "SELECT count(*) FROM (SELECT local_date AS d FROM core.fact_air_quality_daily UNION "
        "SELECT event_month FROM core.fact_flood_events UNION SELECT reference_date FROM "
        "core.fact_population) f WHERE NOT EXISTS (SELECT 1 FROM core.dim_date c "
        "WHERE c.date = f.d)")
    assert outside == 0
    day = wh.read_frame("SELECT * FROM core.dim_date WHERE date = '2024-12-30'").iloc[0]
    assert (day["iso_year"], day["iso_week"], day["iso_weekday"], day["weekday_name"]) == (
        2025, 1, 1, "Monday")


def test_population_totals_match_the_publishers_own_totals(wh):
    # BPS 2017: the file's own "DKI Jakarta" total row against our sum of the six kota
    bps = pd.read_csv(SEED / "jakarta/population/Jumlah Penduduk Menurut Kabupaten_Kota di "
                      "Provinsi DKI Jakarta , 2017.csv", skiprows=3, header=None,
                      encoding="utf-8-sig", names=["kota", "residents"])
    total = int(bps.loc[bps["kota"] == "DKI Jakarta", "residents"].iloc[0])
    assert indicator(wh, "jakarta", "residents", 2017)["value"] == total == 10_374_235
    # Disdukcapil XLSX, Jakarta Utara semester 1 2025: its TOTAL row against our band sum
    from openpyxl import load_workbook

    sheet = load_workbook(SEED / "jakarta/population/PDDK_kelompok_usia_KAB_JAKARTA UTARA_10_"
                          "2025_1.xlsx", read_only=True).active
    rows = [r for r in sheet.iter_rows(values_only=True) if r and "TOTAL" in map(str, r)]
    xlsx_total = int(rows[0][-1])
    ours = wh.scalar("SELECT residents FROM core.dim_area_population WHERE area_key = "
                     "'jakarta:kemendagri_2025:31.72' AND reference_year = 2025")
    assert ours == xlsx_total
    # EWR 2024 (LOR 2021), Bezirk Mitte: the sum of E_E over its Planungsräume
    ewr = pd.read_csv(SEED / "berlin/population/ewr_EWR_L21_202412E_Matrix_bezirk01.csv",
                      sep=";", dtype={"RAUMID": str})
    mitte = wh.read_frame("SELECT * FROM marts.district_scorecard WHERE indicator = 'residents'"
                          " AND district_key = 'berlin:LOR2021:01' AND year = 2024").iloc[0]
    assert mitte["value"] == ewr["E_E"].sum() == 397_004


def test_partial_and_unreliable_population_never_becomes_a_total(wh):
    berlin = indicator(wh, "berlin", "residents", 2024)
    assert pd.isna(berlin["value"]) and berlin["coverage"] == pytest.approx(49 / 542)
    assert "49 of 542" in berlin["null_reason"]
    # satudata 2013 is kept in the fact but not summed (docs/sources/jakarta-population.md §3:
    # total not credible)
    satudata = wh.read_frame("SELECT DISTINCT usable_for_totals FROM core.fact_population "
                             "WHERE source_table = 'satudata_age_sex_kelurahan'")
    assert satudata["usable_for_totals"].tolist() == [False]
    reason = indicator(wh, "jakarta", "residents", 2013)["null_reason"]
    assert "not used for totals" in reason and "12.93 M" in reason


def test_flood_fact_keeps_every_staged_row_and_the_publishers_totals(wh):
    flood = pd.read_csv(SEED / "jakarta/flood/banjir-2024.csv")
    counts = {c.lower(): c for c in flood.columns}
    events = flood[counts["jumlah_kejadian"]].sum()
    affected = flood[counts["jumlah_jiwa_terdampak"]].sum()
    assert indicator(wh, "jakarta", "flood_events", 2024)["value"] == events == 500
    assert indicator(wh, "jakarta", "flood_affected_people", 2024)["value"] == affected == 13_035
    # every staged row of the payload each month is taken from: all of F1, F2, F3 and of the
    # per-RW export F4 all but its January-March 2020 lines, which repeat F1 (core/flood.py)
    staged = wh.scalar("SELECT count(*) FROM staging.jakarta_flood_events")
    f4_first_quarter = wh.scalar(
        "SELECT count(*) FROM staging.jakarta_flood_events WHERE variant = 'F4' AND "
        "event_month BETWEEN '2020-01-01' AND '2020-03-01'")
    assert (staged, f4_first_quarter) == (778 + 843, 363)
    assert wh.scalar("SELECT sum(source_rows) FROM core.fact_flood_events") == (
        staged - f4_first_quarter)


# --------------------------------------------------------------------------------------------
# indicators recomputed from the raw seed files


def _ispu_2024() -> pd.DataFrame:
    frame = pd.read_csv(SEED / ISPU_2024, dtype=str)
    return frame.assign(station=frame["stasiun"].str.extract(r"(DKI\d)", expand=False),
                        date=pd.to_datetime(frame["tanggal"]),
                        pm25=pd.to_numeric(frame["pm_duakomalima"], errors="coerce"))


def test_jakarta_2024_pm25_from_the_ispu_csv(wh):
    rows = _ispu_2024().dropna(subset=["pm25"])
    rows = rows.assign(conc=np.interp(rows["pm25"], P14_INDEX, P14_PM25))
    daily = rows.groupby("date")["conc"]
    mean = indicator(wh, "jakarta", "pm25_mean", 2024)
    assert mean["value"] == pytest.approx(daily.mean().mean(), rel=1e-12)
    assert mean["denominator"] == daily.ngroups == 366 and mean["coverage"] == 1.0
    who = indicator(wh, "jakarta", "days_above_who_pm25", 2024)
    assert who["value"] == (daily.max() > 15).sum() == 344


def dukcapil_kota_residents() -> pd.Series:
    """Residents per kota (31.71 …) of the Dukcapil kelurahan layer (30 June 2019), summed
    from its DBF read without GDAL."""
    layer = members(seed_bytes("jakarta/kelurahan_boundaries",
                               "BATAS_DESA_DESEMBER_2019_DUKCAPIL_DKI_JAKARTA.zip"))
    return pd.Series({r["KODE_DESA"]: float(r["JUMLAH_PEN"])
                      for r in dbf_rows(layer["dbf"], "utf-8") if r["KAB_KOTA"]}
                     ).groupby(lambda code: f"{code[:2]}.{code[2:4]}").sum()


def dukcapil_layer_total() -> int:
    return int(dukcapil_kota_residents().sum())


def test_jakarta_2024_population_weighted_pm25_from_the_ispu_and_dukcapil_files(wh):
    rows = _ispu_2024().dropna(subset=["pm25"])
    rows = rows.assign(conc=np.interp(rows["pm25"], P14_INDEX, P14_PM25))
    stations = rows.groupby("station")["conc"].agg(["mean", "count"])
    stations = stations[stations["count"] >= 0.75 * 366]
    # residents per kota: the Dukcapil kelurahan layer of 30 June 2019 (the complete count
    # nearest to 2024; BPS 2017 is farther)
    per_kota = dukcapil_kota_residents()
    kota = {s.code: s.kota_code for s in ISPU_STATIONS}
    weights = pd.Series([per_kota[kota[s]] for s in stations.index], index=stations.index)
    expected = float((stations["mean"] * weights).sum() / weights.sum())
    got = indicator(wh, "jakarta", "pm25_mean_population_weighted", 2024)
    assert got["value"] == pytest.approx(expected, rel=1e-12)
    assert got["population_year"] == 2019 and "equal_weights" not in got["flags"]
    assert got["value"] != pytest.approx(indicator(wh, "jakarta", "pm25_mean", 2024)["value"])


def test_jakarta_2024_ispu_unhealthy_days_from_the_sub_indices(wh):
    frame = _ispu_2024()
    subs = frame[["pm_sepuluh", "pm_duakomalima", "sulfur_dioksida", "karbon_monoksida",
                  "ozon", "nitrogen_dioksida"]].apply(pd.to_numeric, errors="coerce")
    worst = subs.max(axis=1).groupby(frame["date"]).max()
    # P.14/2020: 'Tidak Sehat' starts above 100
    assert indicator(wh, "jakarta", "days_ispu_unhealthy", 2024)["value"] == (
        worst > 100).sum() == 91
    # the same days by the publisher's own category column
    published = frame["kategori"].str.strip().str.upper().isin(
        ["TIDAK SEHAT", "SANGAT TIDAK SEHAT", "BERBAHAYA"]).groupby(frame["date"]).any()
    assert published.sum() == 91


def _needed(day: pd.Timestamp) -> int:
    """75 % of the hours of the Europe/Berlin day (23, 24 or 25)."""
    start = day.tz_localize("Europe/Berlin")
    end = (day + pd.Timedelta(days=1)).tz_localize("Europe/Berlin")
    return math.ceil(0.75 * (end - start) / pd.Timedelta(hours=1))


def _mc010_hours(year: int) -> pd.DataFrame:
    """The hourly items of the mc010 month files of ``year`` (the API replies), non-null,
    with their local day and wall time as printed."""
    items = []
    for path in sorted((SEED / "berlin/blume_air_quality").glob(f"mc010_wedding_data_{year}_*")):
        items += json.loads(path.read_text("utf-8"))
    frame = pd.DataFrame([i for i in items if i["value"] is not None and i["period"] == "1h"])
    return frame.assign(day=pd.to_datetime(frame["datetime"].str[:10]),
                        wall=pd.to_datetime(frame["datetime"].str[:16]),
                        station=frame["station"].str.lower(), value=frame["value"].astype(float))


def _mc010_valid_days(year: int, core: str) -> pd.Series:
    """Daily means of the days with 75 % of their hours, as the fact keeps them."""
    hours = _mc010_hours(year).query("core == @core")
    days = hours.groupby("day")["value"].agg(["mean", "count"])
    return days.loc[days["count"] >= days.index.map(_needed), "mean"]


@pytest.mark.parametrize(("core", "code", "limit"), [("pm2", "pm25", 15), ("pm10", "pm10", 45),
                                                      ("no2", "no2", 25)])
def test_berlin_2022_means_and_who_days_from_the_mc010_hours(wh, core, code, limit):
    # the hourly month files of 2022 decide every day: the publisher's 24-hour means of 2022
    # (blume_api_mc010_2022_24h.json) are used only where a day has no hour at all
    daily = _mc010_valid_days(2022, core)
    hourly_days = set(_mc010_hours(2022).query("core == @core")["day"])
    items = json.loads((SEED / "berlin/blume_air_quality/blume_api_mc010_2022_24h.json")
                       .read_text("utf-8"))
    published = {pd.Timestamp(i["datetime"][:10]): float(i["value"]) for i in items
                 if i["value"] is not None and i["core"] == core and i["period"] == "24h"}
    daily = pd.concat([daily, pd.Series({d: v for d, v in published.items()
                                         if d not in hourly_days}, dtype=float)])
    mean = indicator(wh, "berlin", f"{code}_mean", 2022)
    assert mean["value"] == pytest.approx(daily.mean(), rel=1e-12)
    assert mean["coverage"] == pytest.approx(len(daily) / 365)
    assert "single_station" in mean["flags"]
    assert indicator(wh, "berlin", f"days_above_who_{code}", 2022)["value"] == (
        daily > limit).sum()


def test_berlin_a_decade_of_annual_pm25_and_no2_at_mc010(wh):
    """PM2.5 from 2017 (the component starts in January 2017), NO2 from 2014, each year's
    mean of the valid days of the station's hours; 2024 stops in May (coverage)."""
    for year in range(2014, 2023):  # 2023: mc124's October file adds a second station
        got = indicator(wh, "berlin", "no2_mean", year)
        assert got["value"] == pytest.approx(_mc010_valid_days(year, "no2").mean(),
                                             rel=1e-12), year
        pm25 = indicator(wh, "berlin", "pm25_mean", year)
        if year < 2017:
            assert pd.isna(pm25["value"]) and pm25["coverage"] == 0, year
        else:
            assert pm25["value"] == pytest.approx(_mc010_valid_days(year, "pm2").mean(),
                                                  rel=1e-12), year
    partial = indicator(wh, "berlin", "pm25_mean", 2024)
    assert pd.isna(partial["value"])
    assert partial["coverage"] == pytest.approx(len(_mc010_valid_days(2024, "pm2")) / 366)


def test_benzene_and_toluene_get_daily_means_and_stay_out_of_the_fact(wh):
    """Staged under their names (chb benzene, cht toluene, mc010 2014 - January 2017), averaged
    per day like the others; the fact keeps only pollutants with a comparable standard."""
    for component, pollutant in (("chb", "benzene"), ("cht", "toluene")):
        hours = _mc010_hours(2015)
        hours = hours[hours["core"] == component]
        days = hours.groupby("day")["value"].agg(["mean", "count"])
        valid = days[days["count"] >= days.index.map(_needed)]
        staged = wh.read_frame(
            "SELECT local_date, mean_ugm3 FROM staging.berlin_air_quality_daily WHERE "
            "station_code = 'mc010' AND pollutant = :p AND valid AND basis = 'hourly_mean' "
            "AND extract(YEAR FROM local_date) = 2015 ORDER BY local_date", p=pollutant)
        assert len(staged) == len(valid) > 300
        assert np.allclose(staged["mean_ugm3"].to_numpy(), valid["mean"].to_numpy())
    assert wh.scalar("SELECT count(*) FROM core.fact_air_quality_daily WHERE pollutant IN "
                     "('benzene', 'toluene', 'no', 'nox')") == 0
    last = wh.scalar("SELECT max(local_date) FROM staging.berlin_air_quality_daily "
                     "WHERE pollutant = 'benzene'")
    assert str(last)[:7] == "2017-01"


def test_berlin_2023_pm10_from_the_website_csv_and_the_api_months(wh):
    folder = SEED / "berlin/blume_air_quality"
    table = pd.read_csv(folder / "blume_csv_export_pm10_1h_2023.csv", sep=";",
                        skiprows=[1, 2, 3, 4], dtype=str).rename(columns={"Station": "stamp"})
    csv_hours = table.melt(id_vars="stamp", var_name="station").dropna(subset=["value"])
    csv_hours = csv_hours.assign(station="mc" + csv_hours["station"].str[:3],
                                 wall=pd.to_datetime(csv_hours["stamp"], format="%d.%m.%Y %H:%M"),
                                 value=csv_hours["value"].astype(float), api=0)
    items = json.loads((folder / "blume_api_mc124_2023-10_1h_dst.json").read_text("utf-8"))
    api = pd.DataFrame([i for i in items if i["core"] == "pm10" and i["period"] == "1h"
                        and i["value"] is not None])
    api = api.assign(station=api["station"].str.lower(), wall=pd.to_datetime(
        api["datetime"].str[:16]), value=api["value"].astype(float), api=1)
    # mc010's own month files of 2023 (the API record wins over the CSV export's column 010)
    mc010 = _mc010_hours(2023).query("core == 'pm10'").assign(api=1)
    hours = (pd.concat([api, mc010, csv_hours])[["station", "wall", "value", "api"]]
             .sort_values("api", ascending=False).drop_duplicates(["station", "wall"]))
    hours = hours.assign(day=hours["wall"].dt.normalize())
    days = hours.groupby(["station", "day"])["value"].agg(["mean", "count"]).reset_index()
    valid = days[(days["count"] >= days["day"].map(_needed)) & (days["day"].dt.year == 2023)]
    mean = indicator(wh, "berlin", "pm10_mean", 2023)
    assert mean["value"] == pytest.approx(valid.groupby("day")["mean"].mean().mean(), rel=1e-12)
    assert mean["denominator"] == valid["day"].nunique() == 365
    assert indicator(wh, "berlin", "days_above_who_pm10", 2023)["value"] == (
        valid.groupby("day")["mean"].max() > 45).sum()


def test_jakarta_utara_2024_flood_rate_from_the_flood_csv_and_the_xlsx(wh):
    from openpyxl import load_workbook

    flood = pd.read_csv(SEED / "jakarta/flood/banjir-2024.csv")
    kota = next(c for c in flood.columns if c.lower() in ("wilayah", "kota_administrasi",
                                                          "wilayah_adm", "kota"))
    affected = flood.loc[flood[kota].str.upper().str.contains("UTARA"),
                         "jumlah_jiwa_terdampak"].sum()
    sheet = load_workbook(SEED / "jakarta/population/PDDK_kelompok_usia_KAB_JAKARTA UTARA_10_"
                          "2025_1.xlsx", read_only=True).active
    residents = int(next(r for r in sheet.iter_rows(values_only=True)
                         if r and "TOTAL" in map(str, r))[-1])
    row = wh.read_frame("SELECT * FROM marts.district_scorecard WHERE indicator = "
                        "'flood_affected_per_100k' AND district_key = "
                        "'jakarta:kemendagri_2025:31.72' AND period_type = 'year' "
                        "AND year = 2024").iloc[0]
    assert row["value"] == pytest.approx(affected / residents * 100_000, rel=1e-12)
    assert (row["numerator"], row["denominator"], row["population_year"]) == (
        affected, residents, 2025)


# --------------------------------------------------------------------------------------------
# the coverage rule


def test_low_coverage_gives_null_with_the_reason_never_a_number(wh):
    berlin = indicator(wh, "berlin", "pm25_mean", 2024)  # mc010 stops in May 2024
    assert pd.isna(berlin["value"]) and pd.isna(berlin["numerator"])
    days = len(_mc010_valid_days(2024, "pm2"))
    assert berlin["coverage"] == pytest.approx(days / 366)
    assert berlin["null_reason"].startswith(
        f"coverage {days / 366:.3f} below the threshold 0.75: {days} of 366 days")
    march = indicator(wh, "berlin", "pm25_mean", 2024, month=3)  # the same data, monthly
    assert march["value"] > 0 and march["coverage"] == 1.0
    city_max = indicator(wh, "jakarta", "pm10_mean", 2019)  # only the daily worst station
    assert pd.isna(city_max["value"]) and "city_max" in city_max["null_reason"]
    kep107_no2 = indicator(wh, "jakarta", "no2_mean", 2014)  # NO2 band undefined before 2020
    assert pd.isna(kep107_no2["value"]) and "no concentration" in kep107_no2["null_reason"]
    flood_2023 = indicator(wh, "jakarta", "flood_events", 2023)  # Aug, Sep marked no data
    assert pd.isna(flood_2023["value"]) and "7 of 12 months" in flood_2023["null_reason"]
    # not NULL since the Dukcapil kelurahan layer gives residents of 2019, within 5 years of
    # 2024 (BPS 2017 alone was 7 years back): 13,035 affected per 11,011,862 residents
    rate_2024 = indicator(wh, "jakarta", "flood_affected_per_100k", 2024)
    assert rate_2024["population_year"] == 2019
    assert rate_2024["value"] == pytest.approx(13_035 / dukcapil_layer_total() * 100_000,
                                               rel=1e-12)


def test_every_applicable_indicator_has_a_row_for_every_covered_year(wh):
    yearly = wh.read_frame("SELECT city, indicator, year FROM marts.city_indicators "
                           "WHERE period_type = 'year'")
    years = {city: set(yearly.loc[yearly["city"] == city, "year"]) for city in ("jakarta",
                                                                              "berlin")}
    # weather: the five Jakarta station tables 2010-01 … 2025-08 (so 2012 and 2018 too)
    assert years["jakarta"] == set(range(2010, 2026))
    # weather: DWD and the Open-Meteo export from 2000 (the calendar's first year), 2025
    assert years["berlin"] == set(range(2000, 2026))
    for ind in INDICATORS:
        for city in ind.cities:
            got = set(yearly.loc[(yearly["city"] == city) & (yearly["indicator"] == ind.code),
                                 "year"])
            assert got == years[city], (city, ind.code)


def test_comparison_flags_what_cannot_be_set_side_by_side(wh):
    pairs = wh.read_frame("SELECT * FROM marts.city_comparison WHERE category = 'all'") \
        .set_index(["indicator", "year"])
    pm10 = pairs.loc[("pm10_mean", 2023)]
    assert pm10["comparable"] and pm10["jakarta_to_berlin"] == pytest.approx(
        pm10["jakarta_value"] / pm10["berlin_value"])
    no2 = pairs.loc[("days_above_who_no2", 2024)]  # mc010 stops in May; NO2 P.14 unverified
    assert not no2["comparable"] and "no Berlin value" in no2["comparability_note"]
    ispu = pairs.loc[("days_ispu_unhealthy", 2014)]  # mc010 2014: no PM2.5 (from 2017)
    assert not ispu["comparable"] and "Berlin no2,o3,pm10;" in ispu["comparability_note"]
    ispu = pairs.loc[("days_ispu_unhealthy", 2022)]  # mc010 has PM, NO2, O3; not SO2, CO
    assert ispu["comparable"] and (ispu["jakarta_value"], ispu["berlin_value"]) == (137, 0)
    assert "Berlin rests on one station" in ispu["comparability_note"]
    assert "only one city had on most days: co,so2" in ispu["comparability_note"]
    flood = pairs.loc[("flood_events", 2024)]
    assert not flood["comparable"] and flood["comparability"] == "one_city_only"


# --------------------------------------------------------------------------------------------
# the blocking checks catch planted faults


def test_referential_integrity_fails_on_planted_orphans(wh):
    with planted_fault(
            wh, FACT_FLOOD_EVENTS_CHECK,
            "INSERT INTO core.fact_flood_events SELECT city, 'jakarta:kemendagri_2025:31.99.99"
            ".9999', area_level, district_key, '2031-01-01', 2031, 1, events, affected_rw, "
            "affected_households, affected_people, displaced_people, deaths, injured, "
            "events_derived, water_max_cm, no_flood, source_rows, area_match, variant, "
            "evacuee_columns_suspect, payload_sha256 FROM core.fact_flood_events LIMIT 1",
            "DELETE FROM core.fact_flood_events WHERE event_month = '2031-01-01'") as result:
        assert "31.99.99.9999" in result.description and "core.dim_area" in result.description
        assert "core.dim_date" in result.description  # 2031 is outside the calendar too
    # a station the dimension does not know
    with planted_fault(
            wh, FACT_AIR_QUALITY_CHECK,
            "UPDATE core.fact_air_quality_daily SET station_code = 'mc999' WHERE city = "
            "'berlin' AND station_code = 'mc010' AND local_date = '2022-06-01'",
            "UPDATE core.fact_air_quality_daily SET station_code = 'mc010' "
            "WHERE station_code = 'mc999'") as result:
        assert "mc999" in result.description


def test_population_fact_fails_on_an_area_of_the_other_city(wh):
    with planted_fault(wh, FACT_POPULATION_CHECK,
                       "UPDATE core.fact_population SET city = 'jakarta' "
                       "WHERE area_key = 'berlin:LOR2021:01100101'",
                       "UPDATE core.fact_population SET city = 'berlin' "
                       "WHERE area_key = 'berlin:LOR2021:01100101'") as result:
        assert "berlin:LOR2021:01100101" in result.description


@pytest.mark.parametrize(("change", "rule"), [
    ("SET value = value + 1", "value_matches_numerator_and_denominator"),
    ("SET null_reason = NULL, value = 1, numerator = 1, denominator = NULL",
     "coverage_rule_held"),
    ("SET null_reason = 'because'", "null_value_says_why"),
])
def test_indicator_rules_fail_on_planted_rows(wh, change, rule):
    target = ("city = 'jakarta' AND indicator = 'pm25_mean' AND period_type = 'year' AND year = "
              + ("2022" if rule == "coverage_rule_held" else "2024"))
    before = wh.read_frame(f"SELECT value, numerator, denominator, null_reason FROM "
                           f"marts.city_indicators WHERE {target}").iloc[0]
    with wh.transaction() as conn:
        conn.execute(sa.text(f"UPDATE marts.city_indicators {change} WHERE {target}"))
    try:
        result = run_check(CITY_INDICATORS_CHECK, wh)
        assert not result.passed and rule in result.description
    finally:
        with wh.transaction() as conn:
            conn.execute(sa.text(
                f"UPDATE marts.city_indicators SET value = :v, numerator = :n, "
                f"denominator = :d, null_reason = :r WHERE {target}"),
                {k: (None if pd.isna(before[c]) else before[c]) for k, c in
                 (("v", "value"), ("n", "numerator"), ("d", "denominator"),
                  ("r", "null_reason"))})
    assert run_check(CITY_INDICATORS_CHECK, wh).passed


def test_scorecard_districts_reference_dim_area(wh):
    with planted_fault(wh, DISTRICT_SCORECARD_CHECK,
                       "UPDATE marts.district_scorecard SET district_key = "
                       "'jakarta:kemendagri_2025:31.71.01' WHERE district_key = "
                       "'jakarta:kemendagri_2025:31.71' AND indicator = 'flood_events' "
                       "AND period_start = '2024-01-01' AND period_type = 'year'",
                       "UPDATE marts.district_scorecard SET district_key = "
                       "'jakarta:kemendagri_2025:31.71' WHERE district_key = "
                       "'jakarta:kemendagri_2025:31.71.01'") as result:
        assert "31.71.01" in result.description  # a kecamatan is not a district


# --------------------------------------------------------------------------------------------
# lineage


def test_every_indicator_reaches_the_raw_payloads_through_the_asset_graph():
    from smartchange_assets.definitions import LOCATION

    assets, _ = (LOCATION.assets, LOCATION.checks)
    graph = dg.Definitions(assets=assets, resources={
        "warehouse": WarehouseResource(url="postgresql://unused"),
        "portal": PortalResource(mode="replay")}).resolve_asset_graph()
    upstream = dg.AssetSelection.assets(dg.AssetKey(["marts", "city_indicators"])).upstream() \
        .resolve(graph)
    for source in SOURCES:
        city, name = source.split("/")
        assert dg.AssetKey([city, "raw", name]) in upstream, source
