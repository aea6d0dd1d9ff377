"""Weather for both cities: the fact, its checks and the indicators, held against the seed files.

The recomputations read the seed payloads themselves with pandas (not our parsers, not the
warehouse SQL): the two DWD station files (Berlin-Tempelhof, Berlin-Dahlem as fallback), the
Open-Meteo export for Berlin, the five Jakarta station tables and the two Open-Meteo forecast
replies. The marts are the session's shared build (``conftest.built``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from smartchange_assets.core.weather import FACT_WEATHER_CHECK
from smartchange_assets.core.weather_crosscheck import (
    MIN_SHARE,
    TOLERANCE_C,
    WEATHER_SOURCES_AGREE,
)

from ..seed_files import SEED, seed_entries
from .conftest import planted_fault, run_check
from .test_indicators_end_to_end import indicator

DWD = {"00433": "produkt_klima_tag_19480101_20241231_00433.txt",
       "00403": "produkt_klima_tag_19500101_20241231_00403.txt"}
BERLIN_EXPORT = "openmeteo_archive_berlin_2000-01-01_2025-01-05_daily_temp.csv"
JAKARTA = ["cuaca-harian-dki1-bundaranhi.csv", "cuaca-harian-dki2-kelapagading.csv",
           "cuaca-harian-dki3-jagakarsa.csv", "cuaca-harian-dki4-lubangbuaya.csv",
           "cuaca-harian-dki5-kebonjeruk.csv"]
FORECAST_2025 = SEED / "global/weather/openmeteo_forecast_daily_berlin_2025-04-15.json"


def sha(source: str, file: str) -> str:
    return next(e.sha256 for e in seed_entries(source) if e.file == file)


def dwd(station: str) -> pd.DataFrame:
    frame = pd.read_csv(SEED / "berlin/dwd_climate" / DWD[station], sep=";",
                        skipinitialspace=True).rename(columns=str.strip)
    frame.index = pd.to_datetime(frame["MESS_DATUM"].astype(str))
    return frame.replace(-999, np.nan)


def berlin_reference(column: str) -> pd.Series:
    """Tempelhof's value, Dahlem's where Tempelhof has none."""
    return dwd("00433")[column].combine_first(dwd("00403")[column])


def berlin_export() -> pd.DataFrame:
    frame = pd.read_csv(SEED / "global/weather_exports" / BERLIN_EXPORT, skiprows=3)
    return frame.set_index(pd.to_datetime(frame["time"]))


def jakarta_city() -> pd.DataFrame:
    """The mean over the five station tables per day, to 0.001 as the fact states."""
    tables = [pd.read_csv(SEED / "global/weather_exports" / f) for f in JAKARTA]
    days = pd.concat(tables).groupby("time")[["temperature_2m_max (°C)",
                                              "precipitation_sum (mm)"]].mean().round(3)
    days.index = pd.to_datetime(days.index)
    return days


# --------------------------------------------------------------------------------------------
# the indicators


@pytest.mark.parametrize(("year", "fallback_days"), [(2019, 2), (2023, 10)])
def test_berlin_hot_days_and_precipitation_from_the_dwd_files(wh, year, fallback_days):
    txk = berlin_reference("TXK").loc[str(year)]
    rsk = berlin_reference("RSK").loc[str(year)]
    heat = indicator(wh, "berlin", "hot_days", year)
    rain = indicator(wh, "berlin", "annual_precipitation_mm", year)
    assert heat["value"] == (txk >= 30).sum() == {2019: 26, 2023: 15}[year]
    assert rain["value"] == pytest.approx(rsk.sum(), abs=1e-9)
    assert heat["coverage"] == rain["coverage"] == 1.0
    # Tempelhof's -999 days are Dahlem's: the basis counts them, the payloads name both files
    tempelhof_days = int(dwd("00433")["RSK"].loc[str(year)].notna().sum())
    assert tempelhof_days == len(rsk) - fallback_days
    assert rain["basis"] == (f"{len(rsk)} of {len(rsk)} days with precipitation_mm: "
                             f"{tempelhof_days} dwd 00433, {fallback_days} dwd 00403")
    assert set(rain["payload_sha256s"]) == {sha("berlin/dwd_climate", f) for f in DWD.values()}
    assert list(heat["payload_sha256s"]) == [sha("berlin/dwd_climate", DWD["00433"])]
    assert heat["basis"].endswith(f"{len(txk)} dwd 00433")
    assert list(heat["flags"]) == [] and list(rain["flags"]) == []


def test_berlin_monthly_hot_days_follow_the_same_rule(wh):
    july = berlin_reference("TXK").loc["2019-07"]
    got = indicator(wh, "berlin", "hot_days", 2019, month=7)
    assert got["value"] == (july >= 30).sum() and got["coverage"] == 1.0


def test_jakarta_2019_from_the_five_station_tables(wh):
    days = jakarta_city().loc["2019"]
    heat = indicator(wh, "jakarta", "hot_days", 2019)
    rain = indicator(wh, "jakarta", "annual_precipitation_mm", 2019)
    assert heat["value"] == (days["temperature_2m_max (°C)"] >= 30).sum() == 308
    assert rain["value"] == pytest.approx(days["precipitation_sum (mm)"].sum(), abs=1e-6)
    assert heat["coverage"] == rain["coverage"] == 1.0
    assert rain["basis"] == ("365 of 365 days with precipitation_mm: 365 open-meteo export "
                             "DKI1,DKI2,DKI3,DKI4,DKI5")
    assert set(rain["payload_sha256s"]) == {sha("global/weather_exports", f) for f in JAKARTA}


def test_years_the_sources_do_not_cover_are_null_with_their_reason(wh):
    # Jakarta's tables end on 31 August 2025
    jakarta = indicator(wh, "jakarta", "hot_days", 2025)
    assert pd.isna(jakarta["value"]) and jakarta["coverage"] == pytest.approx(243 / 365)
    assert jakarta["null_reason"].startswith("coverage 0.666 below the threshold 0.95")
    # Berlin 2025: five days of the export and the four days of the 2025 forecast reply
    forecast = pd.DataFrame(json.loads(FORECAST_2025.read_text("utf-8"))["daily"])
    export_days = int((berlin_export().index.year == 2025).sum())
    heat = indicator(wh, "berlin", "hot_days", 2025)
    assert (export_days, len(forecast)) == (5, 4)
    assert pd.isna(heat["value"]) and heat["coverage"] == pytest.approx(9 / 365)
    assert "includes_forecast" in heat["flags"]
    assert heat["basis"] == ("9 of 365 days with temperature_max_c: 5 open-meteo export grid "
                             "52.5483,13.4078, 4 open-meteo forecast")
    rain = indicator(wh, "berlin", "annual_precipitation_mm", 2025)  # the export has none
    assert rain["coverage"] == pytest.approx(forecast["precipitation_sum"].notna().sum() / 365)


def test_both_cities_have_weather_values_over_the_decade(wh):
    got = wh.read_frame(
        "SELECT city, indicator, count(value) AS years FROM marts.city_indicators WHERE "
        "indicator IN ('hot_days', 'annual_precipitation_mm') AND period_type = 'year' "
        "AND year BETWEEN 2014 AND 2024 GROUP BY 1, 2")
    assert set(got["years"]) == {11}  # every year 2014–2024, both cities, both indicators
    pair = wh.read_frame("SELECT * FROM marts.city_comparison WHERE indicator = 'hot_days' "
                         "AND year = 2019").iloc[0]
    assert (pair["jakarta_value"], pair["berlin_value"]) == (308, 26)
    assert pair["comparability"] == "comparable_with_caveats"


# --------------------------------------------------------------------------------------------
# the fact


def test_the_fact_takes_dwd_first_then_the_exports_then_replies(wh):
    sources = wh.read_frame(
        "SELECT city, temperature_max_source AS tmax, coalesce(precipitation_source, '-') AS "
        "rain, count(*) AS days FROM core.fact_weather_daily GROUP BY 1, 2, 3")
    got = {(r.city, r.tmax, r.rain): r.days for r in sources.itertuples()}
    grid = "open-meteo export grid 52.5483,13.4078"
    tempelhof = dwd("00433").loc["2000":"2024"]
    assert got == {
        ("berlin", "dwd 00433", "dwd 00433"): int(tempelhof["RSK"].notna().sum()),
        ("berlin", "dwd 00433", "dwd 00403"): int(tempelhof["RSK"].isna().sum()),  # 12 days
        ("berlin", grid, "-"): 5,  # 1–5 January 2025: no DWD, no precipitation
        ("berlin", "open-meteo forecast", "open-meteo forecast"): 4,  # April 2025
        ("jakarta", "open-meteo export DKI1,DKI2,DKI3,DKI4,DKI5",
         "open-meteo export DKI1,DKI2,DKI3,DKI4,DKI5"): 5_722,
    }
    # the calendar starts in 2000; DWD's earlier decades stay in staging
    assert wh.scalar("SELECT min(local_date)::text FROM core.fact_weather_daily") == \
        "2000-01-01"
    assert wh.scalar("SELECT min(local_date)::text FROM staging.berlin_dwd_climate_daily") == \
        "1948-01-01"
    # the June 2023 forecast reply lies under DWD's observations: only its weather code, which
    # neither DWD nor the export carries, is used, so the indicators are not forecast-flagged
    june = wh.read_frame(
        "SELECT local_date::text AS day, temperature_max_source, precipitation_source, "
        "weather_code FROM core.fact_weather_daily WHERE forecast AND local_date < '2025-01-01' "
        "ORDER BY 1")
    assert june["day"].tolist() == [f"2023-06-0{d}" for d in range(1, 8)]
    assert set(june["temperature_max_source"]) == set(june["precipitation_source"]) == {
        "dwd 00433"}
    assert june["weather_code"].tolist() == [3, 3, 2, 2, 2, 1, 2]


def test_open_meteos_own_maximum_is_kept_beside_dwds(wh):
    fact = wh.read_frame(
        "SELECT local_date, temperature_max_c, openmeteo_temperature_max_c FROM "
        "core.fact_weather_daily WHERE city = 'berlin' AND local_date BETWEEN '2019-01-01' "
        "AND '2019-12-31' ORDER BY local_date").set_index("local_date")
    fact.index = pd.to_datetime(fact.index)
    export = berlin_export().loc["2019"]
    assert fact["temperature_max_c"].tolist() == dwd("00433").loc["2019", "TXK"].tolist()
    assert fact["openmeteo_temperature_max_c"].tolist() == \
        export["temperature_2m_max (°C)"].tolist()


# --------------------------------------------------------------------------------------------
# the checks


def test_dwd_and_open_meteo_agree_on_the_seed(wh):
    reference = dwd("00433").loc["2000":"2024", "TXK"]
    other = berlin_export()["temperature_2m_max (°C)"].reindex(reference.index)
    agreeing = int(((reference - other).abs() <= TOLERANCE_C).sum())
    result = run_check(WEATHER_SOURCES_AGREE, wh)
    assert result.passed and not WEATHER_SOURCES_AGREE.blocking
    assert result.description.startswith(
        f"{agreeing} of {len(reference)} days ({agreeing / len(reference):.1%}) within 3 °C")
    assert agreeing / len(reference) > MIN_SHARE


def test_a_year_that_stops_agreeing_makes_the_comparison_warn(wh):
    # planted: Open-Meteo's 2019 maxima 5 °C too warm, as an export in another unit or of
    # another place would be (values have one decimal, so rounding undoes it exactly)
    year = "city = 'berlin' AND local_date BETWEEN '2019-01-01' AND '2019-12-31'"
    with planted_fault(
            wh, WEATHER_SOURCES_AGREE,
            "UPDATE core.fact_weather_daily SET openmeteo_temperature_max_c = "
            f"openmeteo_temperature_max_c + 5 WHERE {year}",
            "UPDATE core.fact_weather_daily SET openmeteo_temperature_max_c = "
            f"round((openmeteo_temperature_max_c - 5)::numeric, 1)::float8 WHERE {year}"
    ) as result:
        assert result.description.startswith("1 year(s) below 90% of days within 3 °C: 2019")
        assert result.severity.value == "WARN"


def test_the_fact_integrity_check_catches_planted_faults(wh):
    berlin = "city = 'berlin' AND local_date = '2025-04-18'"
    with planted_fault(
            wh, FACT_WEATHER_CHECK,
            "UPDATE core.fact_weather_daily SET area_key = 'jakarta:kemendagri_2025:31', "
            f"temperature_min_c = 40 WHERE {berlin}",
            "UPDATE core.fact_weather_daily SET area_key = 'berlin:AGS:11000000', "
            f"temperature_min_c = 10.1 WHERE {berlin}") as result:
        assert "jakarta:kemendagri_2025:31" in result.description
        assert "max_not_below_min" in result.description
    jakarta = "city = 'jakarta' AND local_date = '2019-05-20'"
    source = "'open-meteo export DKI1,DKI2,DKI3,DKI4,DKI5'"
    with planted_fault(
            wh, FACT_WEATHER_CHECK,
            f"UPDATE core.fact_weather_daily SET precipitation_source = 'dwd 00433' WHERE "
            f"{jakarta}",
            f"UPDATE core.fact_weather_daily SET precipitation_source = {source} WHERE "
            f"{jakarta}") as result:
        assert "dwd_only_in_berlin" in result.description
    with planted_fault(
            wh, FACT_WEATHER_CHECK,
            f"UPDATE core.fact_weather_daily SET temperature_max_source = NULL WHERE {jakarta}",
            f"UPDATE core.fact_weather_daily SET temperature_max_source = {source} WHERE "
            f"{jakarta}") as result:
        assert "temperature_max_c_has_a_source" in result.description
