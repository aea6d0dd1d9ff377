"""ISPU and EAQI conversions against the regulations' breakpoint tables.

The tables below are typed again from the sources (jakarta REPORT §1.5 reproducing the
P.14/2020 Lampiran; berlin REPORT §6 for the EEA bands), independently of the module's
constants, so a typo in either shows up here.
"""

import datetime as dt

import pytest

from smartchange_assets.standards import eaqi, ispu, who

# ISPU band upper limits (0–50, 51–100, 101–200, 201–300, >300): concentration, µg/m³
P14_TABLE = {
    "pm10": [50, 150, 350, 420, 500],
    "pm25": [15.5, 55.4, 150.4, 250.4, 500],
    "so2": [52, 180, 400, 800, 1200],
    "co": [4000, 8000, 15000, 30000, 45000],
    "o3": [120, 235, 400, 800, 1000],
    "no2": [80, 200, 1130, 2260, 3000],
    "hc": [45, 100, 215, 432, 648],
}
P14_INDEX = [50, 100, 200, 300, 500]


@pytest.mark.parametrize("pollutant", sorted(P14_TABLE))
def test_p14_breakpoints_map_both_ways(pollutant):
    for conc, index in zip(P14_TABLE[pollutant], P14_INDEX):
        forward = ispu.index_from_concentration(pollutant, conc, ispu.P14_2020)
        back = ispu.concentration_from_index(pollutant, index, ispu.P14_2020)
        assert forward.value == pytest.approx(index)
        assert back.value == pytest.approx(conc)
        assert forward.regime == ispu.P14_2020


def test_p14_interpolates_inside_a_band_by_the_regulation_formula():
    # I = (Ia - Ib) / (Xa - Xb) * (Xx - Xb) + Ib, PM10 band 51–100: Xb 50, Xa 150
    assert ispu.index_from_concentration("pm10", 100).value == pytest.approx(75)
    assert ispu.concentration_from_index("pm25", 150).value == pytest.approx(
        55.4 + (150.4 - 55.4) * 0.5)
    for conc in (0, 7.3, 15.5, 33.3, 140, 260, 499):
        idx = ispu.index_from_concentration("pm25", conc).value
        assert ispu.concentration_from_index("pm25", idx).value == pytest.approx(conc)


def test_beyond_the_table_is_not_extrapolated():
    assert ispu.index_from_concentration("pm10", 650).value is None
    assert ispu.concentration_from_index("pm10", 501).value is None
    assert ispu.index_from_concentration("benzene", 3).value is None


def test_1997_regime_is_flagged_unverified_and_keeps_undefined_bands_empty():
    pm10 = ispu.concentration_from_index("pm10", 400, ispu.KEP107_1997)
    assert pm10.value == pytest.approx(500) and pm10.verified is False
    co = ispu.concentration_from_index("co", 100, ispu.KEP107_1997)
    assert co.value == pytest.approx(10_000)  # 10 mg/m³ stored as µg/m³
    # NO2 bands up to ISPU 200 are not defined in KEP-107/1997: no number is invented
    assert ispu.concentration_from_index("no2", 80, ispu.KEP107_1997).value is None
    assert ispu.concentration_from_index("no2", 300, ispu.KEP107_1997).value == \
        pytest.approx(2260)
    assert ispu.concentration_from_index("pm25", 50, ispu.KEP107_1997).value is None


def test_regime_follows_the_date_and_changes_the_categories():
    old, new = dt.date(2014, 6, 1), dt.date(2021, 6, 1)
    assert ispu.regime_for(old) == ispu.KEP107_1997
    assert ispu.regime_for(new) == ispu.P14_2020
    # 2014's max = 200 is "SANGAT TIDAK SEHAT" (KEP-45/1997), 200 is "TIDAK SEHAT" from 2020
    assert ispu.category_for_index(200, old) == "SANGAT TIDAK SEHAT"
    assert ispu.category_for_index(200, new) == "TIDAK SEHAT"
    expected = {0: "BAIK", 50: "BAIK", 51: "SEDANG", 100: "SEDANG", 101: "TIDAK SEHAT",
                201: "SANGAT TIDAK SEHAT", 300: "SANGAT TIDAK SEHAT", 301: "BERBAHAYA"}
    for index, category in expected.items():
        assert ispu.category_for_index(index, new) == category, index
    assert ispu.category_for_index(300, old) == "BERBAHAYA"
    assert ispu.category_for_index(None, new) is None


def test_reference_rows_match_the_functions():
    rows = [r for r in ispu.reference_rows() if r["regime"] == ispu.P14_2020
            and r["pollutant"] == "pm10"]
    assert [r["conc_hi_ugm3"] for r in rows] == P14_TABLE["pm10"]
    assert len(ispu.category_rows()) == 10


# EEA European AQI (6 bands), lower edges of Fair … Extremely poor, µg/m³
EAQI_TABLE = {
    "pm25": [10, 20, 25, 50, 75],
    "pm10": [20, 40, 50, 100, 150],
    "no2": [40, 90, 120, 230, 340],
    "o3": [50, 100, 130, 240, 380],
    "so2": [100, 200, 350, 500, 750],
}


@pytest.mark.parametrize("pollutant", sorted(EAQI_TABLE))
def test_eaqi_band_edges_are_half_open(pollutant):
    assert eaqi.band_label(pollutant, 0) == "Good"
    for band, edge in enumerate(EAQI_TABLE[pollutant], start=2):
        assert eaqi.band_number(pollutant, edge) == band  # edge belongs to the upper band
        assert eaqi.band_number(pollutant, edge - 0.01) == band - 1
    assert eaqi.band_label(pollutant, 10_000) == "Extremely poor"
    assert eaqi.band_number(pollutant, None) is None


def test_who_2021_24h_guidelines():
    assert who.WHO_2021_24H_UGM3 == {"pm25": 15.0, "pm10": 45.0, "no2": 25.0}
