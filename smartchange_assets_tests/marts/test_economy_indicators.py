"""The economy theme end to end (the marts materialised once from the seed, conftest.py), held
against the seed files themselves: every figure recomputed here with pandas from the BPS
workbook and CSVs, the construction report's sheets, the MSS and IHK CSVs and the EWR matrix,
never from our parsers or SQL."""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pytest

from smartchange_assets.berlin.construction.checks import report_consistency_check
from smartchange_assets.berlin.construction.source import SOURCE as CONSTRUCTION
from smartchange_assets.berlin.ihk_businesses.source import SOURCE as IHK
from smartchange_assets.berlin.plr_keys import plr_keys_check
from smartchange_assets.core.economy import FACT_ECONOMY_CHECK
from smartchange_assets.marts.themes import economy
from smartchange_assets.platform.resources import PortalResource, WarehouseResource

from ..seed_files import seed_path
from .conftest import planted_fault

ECONOMY_CODES = [i.code for i in economy.INDICATORS]
SELATAN = "jakarta:kemendagri_2025:31.74"  # BPS 3171
MITTE = "berlin:LOR2021:01"


def city_row(wh, city: str, code: str, year: int) -> pd.Series:
    rows = wh.read_frame("SELECT * FROM marts.city_indicators WHERE city = :c AND "
                         "indicator = :i AND year = :y AND period_type = 'year'",
                         c=city, i=code, y=year)
    assert len(rows) == 1, (city, code, year)
    return rows.iloc[0]


def district_row(wh, district: str, code: str, year: int) -> pd.Series:
    rows = wh.read_frame("SELECT * FROM marts.district_scorecard WHERE district_key = :d AND "
                         "indicator = :i AND year = :y AND period_type = 'year'",
                         d=district, i=code, y=year)
    assert len(rows) == 1, (district, code, year)
    return rows.iloc[0]


def test_city_indicators_have_economy_rows_with_values_for_both_cities(wh):
    counts = wh.read_frame(
        "SELECT city, count(*) AS rows, count(value) AS with_value FROM marts.city_indicators "
        "WHERE indicator = any(:codes) GROUP BY city", codes=ECONOMY_CODES).set_index("city")
    assert counts.loc["jakarta", "with_value"] > 0 and counts.loc["berlin", "with_value"] > 0
    documented = wh.read_frame("SELECT DISTINCT indicator, standard, method_note FROM "
                               "marts.city_indicators WHERE indicator = any(:codes)",
                               codes=ECONOMY_CODES)
    assert set(documented["indicator"]) == set(ECONOMY_CODES)
    assert documented["standard"].str.len().min() > 20


def test_jakarta_employment_shares_from_the_bps_workbook(wh):
    frame = pd.read_excel(seed_path("jakarta/employment", "emp_prov_sect17_2015-2023.xlsx"))
    dki = frame[(frame["prov_kode"] == 31) & (frame["year"] == 2023)].iloc[0]
    manufacturing = city_row(wh, "jakarta", "employment_share_manufacturing", 2023)
    assert manufacturing["value"] == pytest.approx(dki["bekerja_mfg"] / dki["bekerja_total"])
    assert manufacturing["denominator"] == dki["bekerja_total"] == 5_072_737
    assert "SDG 9.2.2" in manufacturing["standard"]
    assert list(manufacturing["flags"]) == ["third_party_rekeyed"]
    services = city_row(wh, "jakarta", "employment_share_services", 2018)
    parts = ["bekerja_trade", "bekerja_trans", "bekerja_hosp", "bekerja_info", "bekerja_fin",
             "bekerja_real", "bekerja_biz", "bekerja_gov", "bekerja_edu", "bekerja_health",
             "bekerja_other"]
    row = frame[(frame["prov_kode"] == 31) & (frame["year"] == 2018)].iloc[0]
    assert services["value"] == pytest.approx(row[parts].sum() / row["bekerja_total"])
    # the province is the city: no district rows
    assert wh.scalar("SELECT count(*) FROM marts.district_scorecard WHERE indicator LIKE "
                     "'employment_share%'") == 0


def test_labour_force_tertiary_share_per_kota_and_the_city_needs_every_kota(wh):
    frame = pd.read_csv(seed_path("jakarta/labour_force", "idbt_district_lf_educ.csv"))
    selatan = frame[(frame["kabkot_kode"] == 3171) & (frame["year"] == 2020)].iloc[0]
    got = district_row(wh, SELATAN, "labour_force_tertiary_share", 2020)
    assert got["value"] == pytest.approx(selatan["lf_tert"] / selatan["lf"])
    assert got["district_name"] == "Kota Administrasi Jakarta Selatan"
    # Kab. Kepulauan Seribu's education groups do not add up: its share and the city's are
    # NULL, and say why
    city = city_row(wh, "jakarta", "labour_force_tertiary_share", 2020)
    assert pd.isna(city["value"]) and city["coverage"] == pytest.approx(5 / 6)
    assert "education groups sum to 9843, total 10779" in city["null_reason"]


def test_expenditure_and_kelurahan_shares_from_the_transcribed_tables(wh):
    spending = pd.read_csv(seed_path(
        "jakarta/consumption", "bps_pola_konsumsi_2024_pengeluaran_per_kapita_wilayah.csv"))
    by_kota = spending.set_index("kabupaten_kota")["pengeluaran_2024_rp"]
    assert district_row(wh, SELATAN, "expenditure_per_capita_month", 2024)["value"] == \
        by_kota["Jakarta Selatan"]
    city = city_row(wh, "jakarta", "expenditure_per_capita_month", 2024)
    assert city["value"] == by_kota["Rata-rata DKI Jakarta"]  # BPS's own average
    assert "third_party_transcription" in city["flags"]
    podes = pd.read_csv(seed_path(
        "jakarta/potensi_kelurahan", "bps_potensi_kelurahan_2024_sarana_ekonomi_kelurahan.csv"))
    markets = city_row(wh, "jakarta", "kelurahan_share_permanent_market", 2024)
    assert markets["value"] == pytest.approx(podes.iloc[-1]["pasar_permanen"] / 267)
    assert markets["denominator"] == wh.scalar(
        "SELECT count(*) FROM core.dim_area WHERE city = 'jakarta' AND level = 'unit'")


def _tab(name: str) -> pd.DataFrame:
    return pd.read_excel(seed_path(CONSTRUCTION.source_id, "SB_E02-01-00_2023m06_BE.xlsx"),
                         sheet_name=name, header=None)


def test_construction_figures_from_the_report_sheets(wh):
    tab1, tab3 = _tab("Tab1"), _tab("Tab3")
    annual = tab1[tab1[0].astype(str) == "2022¹"].iloc[0]
    persons = city_row(wh, "berlin", "construction_employed_persons", 2022)
    assert persons["value"] == annual[2] == 16318
    start = tab3.index[tab3[0].astype(str) == "2022"][0]
    months = tab3.loc[start + 1:start + 12, 1].astype(float)
    assert city_row(wh, "berlin", "construction_turnover", 2022)["value"] == months.sum()
    # 2023: the annual figures are '…' until December; the months are there
    year = city_row(wh, "berlin", "construction_turnover", 2023)
    assert pd.isna(year["value"]) and year["coverage"] == 0.5
    assert "6 of 12 months published" in year["null_reason"]
    june = wh.read_frame("SELECT value FROM marts.city_indicators WHERE city = 'berlin' AND "
                         "indicator = 'construction_turnover' AND period_type = 'month' AND "
                         "period_start = '2023-06-01'")
    start = tab3.index[tab3[0].astype(str) == "2023"][0]
    assert june["value"].item() == float(tab3.loc[start + 6, 1]) == 376730


def test_jakarta_construction_employment_and_the_pair_marked_not_comparable(wh):
    frame = pd.read_excel(seed_path("jakarta/employment", "emp_prov_sect17_2015-2023.xlsx"))
    f_2022 = frame[(frame["prov_kode"] == 31) & (frame["year"] == 2022)]["bekerja_cons"].item()
    pairs = wh.read_frame("SELECT * FROM marts.city_comparison WHERE indicator = "
                          "'construction_employed_persons'").set_index("year")
    both = pairs.loc[2022]
    assert (both["jakarta_value"], both["berlin_value"]) == (f_2022, 16318)
    assert not both["comparable"] and both["comparability"] == "not_comparable"
    for reason in ("different statistics", "different years", "DKI province"):
        assert reason in both["comparability_note"]
    assert "no Berlin value" in pairs.loc[2015, "comparability_note"]
    one_city = wh.read_frame("SELECT DISTINCT comparability FROM marts.city_comparison WHERE "
                             "indicator = any(:codes) AND indicator <> "
                             "'construction_employed_persons'", codes=ECONOMY_CODES)
    assert set(one_city["comparability"]) == {"one_city_only"}
    assert not wh.scalar("SELECT bool_or(comparable) FROM marts.city_comparison WHERE "
                         "indicator = any(:codes)", codes=ECONOMY_CODES)


def _mitte_residents() -> pd.Series:
    ewr = pd.read_csv(seed_path("berlin/population", "ewr_EWR_L21_202412E_Matrix_bezirk01.csv"),
                      sep=";", dtype={"RAUMID": str})
    return ewr.set_index(ewr["RAUMID"].str.zfill(8))["E_E"]


def test_mitte_share_of_residents_in_low_status_areas_from_mss_and_ewr(wh):
    mss = pd.read_csv(seed_path("berlin/social_monitoring",
                                "mss_2021_index-indikatoren_z-werte_plr.csv"),
                      sep=";", encoding="utf-8-sig", dtype={"PLR-ID": str})
    classes = mss.set_index("PLR-ID")["Zuordnung Klasse Status-Index "]
    residents = _mitte_residents()
    low = classes.reindex(residents.index).isin(["niedrig", "sehr niedrig"])
    got = district_row(wh, MITTE, "social_status_low_share", 2020)
    assert got["value"] == pytest.approx(residents[low].sum() / residents.sum())
    assert (got["numerator"], got["denominator"]) == (residents[low].sum(), residents.sum())
    assert got["population_year"] == 2024 and "residents_year_differs" in got["flags"]
    # only Mitte's Planungsräume are counted in the seed: Berlin's share is NULL, and says why
    berlin = city_row(wh, "berlin", "social_status_low_share", 2020)
    assert pd.isna(berlin["value"]) and berlin["coverage"] == pytest.approx(49 / 542)
    assert "493 of 542 Planungsräume without a complete EWR count in 2024" in \
        berlin["null_reason"]


def test_businesses_per_1000_from_the_ihk_sample_is_null_with_the_reason(wh):
    names = [*pd.read_csv(seed_path(IHK.source_id, "ihk_IHK_OD_03-2023.csv"), sep=";",
                          encoding="utf-8-sig", nrows=0).columns[:19], "Ortsteil"]
    ihk = pd.read_csv(seed_path(IHK.source_id, "ihk_IHK_OD_03-2023.csv"), sep=";",
                      encoding="utf-8-sig", header=0, names=names, dtype=str)
    in_mitte = int((ihk["Bezirk"] == "Mitte").sum())
    # 30 rows of a register of about 350 000: counted and shown, but no rate
    got = district_row(wh, MITTE, "businesses_per_1000", 2023)
    assert pd.isna(got["value"]) and list(got["flags"]) == ["register_sample"]
    assert "the payload is a sample of 30 businesses, not the register" in got["null_reason"]
    assert f": {in_mitte} businesses in the scope" in got["basis"]
    assert "a sample, not the register" in got["basis"]
    berlin = city_row(wh, "berlin", "businesses_per_1000", 2023)
    assert pd.isna(berlin["value"]) and "register_sample" in berlin["flags"]
    assert "sample of 30 businesses" in berlin["null_reason"]
    placed = wh.scalar("SELECT sum(businesses) FROM core.fact_businesses")
    assert placed == len(ihk) == 30


def test_construction_consistency_check_fails_on_a_planted_total(wh):
    check = report_consistency_check(CONSTRUCTION)
    with planted_fault(wh, check,
                       "UPDATE staging.berlin_construction_report SET value = value + 7 "
                       "WHERE sheet = 'Tab6' AND cell = 'D7'",
                       "UPDATE staging.berlin_construction_report SET value = value - 7 "
                       "WHERE sheet = 'Tab6' AND cell = 'D7'") as result:
        assert "Tab6 total row 41.2/42/43.1/43.9 persons_employed" in result.description
        assert "16117" in result.description and "16110" in result.description


def test_ihk_key_check_fails_on_a_planungsraum_of_no_lor(wh):
    check = plr_keys_check(IHK, version_column="lor_version", name_column="plr_name")
    with planted_fault(wh, check,
                       "UPDATE staging.berlin_ihk_businesses SET plr_code = '01999999' "
                       "WHERE source_row = 5",
                       "UPDATE staging.berlin_ihk_businesses SET plr_code = '01100206' "
                       "WHERE source_row = 5") as result:
        assert "01999999" in result.description


def test_economy_fact_fails_on_an_area_of_no_dimension(wh):
    with planted_fault(wh, FACT_ECONOMY_CHECK,
                       "UPDATE core.fact_economy SET area_key = 'jakarta:kemendagri_2025:31.99' "
                       "WHERE statistic = 'bps_susenas_expenditure_per_capita' AND year = 2024 "
                       "AND area_key = 'jakarta:kemendagri_2025:31.74'",
                       "UPDATE core.fact_economy SET area_key = 'jakarta:kemendagri_2025:31.74' "
                       "WHERE area_key = 'jakarta:kemendagri_2025:31.99'") as result:
        assert "31.99" in result.description


def test_every_economy_source_reaches_the_marts_through_the_asset_graph():
    from smartchange_assets.definitions import LOCATION

    graph = dg.Definitions(assets=LOCATION.assets, resources={
        "warehouse": WarehouseResource(url="postgresql://unused"),
        "portal": PortalResource(mode="replay")}).resolve_asset_graph()
    upstream = dg.AssetSelection.assets(dg.AssetKey(["marts", "city_indicators"])).upstream() \
        .resolve(graph)
    for source in ("berlin/social_monitoring", "berlin/ihk_businesses", "berlin/construction",
                   "jakarta/employment", "jakarta/labour_force", "jakarta/potensi_kelurahan",
                   "jakarta/consumption"):
        city, name = source.split("/")
        assert dg.AssetKey([city, "raw", name]) in upstream, source
