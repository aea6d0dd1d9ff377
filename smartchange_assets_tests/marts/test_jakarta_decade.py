"""The Jakarta files added for "a decade of both cities", held against the marts.

Each figure is recomputed from the seed payloads themselves with pandas and openpyxl (not our
parsers, not the warehouse SQL): the per-RW flood export of October 2019 - September 2020 and
the legacy 2020 Q1 flood file it overlaps, the December 2019 Transjakarta file, the 2021
Transjakarta CSV and XLSX downloads, the quarterly services report, the whole satudata
population file and Dukcapil's 2019 kelurahan counts. The marts are the session's shared build
(``conftest.built``).
"""

from __future__ import annotations

import re

import openpyxl
import pandas as pd
import pytest

from smartchange_assets.core.transit_services import QUARTER_TOTALS_PLAUSIBLE

from ..geo.shapefiles import dbf_rows, members
from ..seed_files import SEED, seed_bytes, seed_entries
from .conftest import run_check
from .test_indicators_end_to_end import indicator

F1 = SEED / ("jakarta/flood/data-kejadian-bencana-banjir-provinsi-dki-jakarta-2020-bulan-"
             "januari-maret_tes.csv")
F4 = SEED / "jakarta/flood/banjir_2019-10_to_2020-09_kelompok-mulki.csv"
DEC_2019 = SEED / "jakarta/transjakarta/data-penumpang-bus-transjakarta-desember-2019.csv"
CSV_2021 = SEED / "jakarta/transjakarta/penumpang_2021.csv"
XLSX_2021 = SEED / ("jakarta/transjakarta/data-penumpang-bus-transjakarta-tahun-2021-"
                    "(1764692849646).xlsx")
SERVICES = SEED / ("jakarta/transjakarta_services/data-jumlah-bus-yang-beroperasi-dan-jumlah-"
                   "penumpang-layanan-transjakarta-(1765634841830).csv")
POPULATION = SEED / ("jakarta/population/data-jumlah-penduduk-provinsi-dki-jakarta-berdasarkan-"
                     "kelompok-usia-dan-jenis-kelamin-tahun-2013-2021-komponen-data.csv")
MONTHS = {"januari": 1, "februari": 2, "maret": 3}


def _dukcapil_2019_total() -> int:
    """Dukcapil's residents of 30 June 2019, summed over the kelurahan of its boundary layer
    (the attribute table of the zipped shapefile, read without GDAL)."""
    rows = dbf_rows(members(seed_bytes("jakarta/kelurahan_boundaries",
                                       "BATAS_DESA_DESEMBER_2019_DUKCAPIL_DKI_JAKARTA.zip"))
                    ["dbf"], "utf-8")
    return int(sum(float(r["JUMLAH_PEN"]) for r in rows if r["KAB_KOTA"]))


def _sha(source: str, path) -> str:
    return next(e.sha256 for e in seed_entries(source) if e.file == path.name)


# --------------------------------------------------------------------------------------------
# floods: one payload per month, events per 100 000


def _f1_events_by_month() -> dict[int, int]:
    f1 = pd.read_csv(F1, dtype=str, keep_default_na=False)
    month = f1["tanggal_kejadian"].str.lower().str.extract(r"(januari|februari|maret)")[0]
    return (f1.assign(month=month.map(MONTHS), events=f1["jumlah_kejadian"].astype(int))
            .groupby("month")["events"].sum().to_dict())


def _f4_event_days(periode: str) -> int:
    """An F4 month's events as the core counts them: distinct (area, day) over its lines; an
    area is the kota, kecamatan and kelurahan as published (kelurahan '0': the kecamatan)."""
    f4 = pd.read_csv(F4, dtype=str, keep_default_na=False)
    f4 = f4[f4["periode_data"] == periode]
    days = f4["tanggal_kejadian"].map(lambda t: re.findall(r"\d+", t.split("/")[0]
                                                           if "/" in t else t))
    area = (f4["kota_administrasi"].str.strip().str.upper().str.replace("URATA", "UTARA")
            + "|" + f4["kecamatan"].str.strip().str.upper() + "|"
            + f4["kelurahan"].str.strip().str.upper())
    return len({(a, int(d)) for a, ds in zip(area, days, strict=True) for d in ds})


def test_a_flood_event_in_both_payloads_counts_once(wh):
    """January-March 2020 are in the legacy F1 file and again, line for line, in the per-RW
    export F4: the fact takes each of those months from F1 alone (the same areas; F1 publishes
    its event count), never from both."""
    f1_sha = _sha("jakarta/flood", F1)
    months = wh.read_frame(
        "SELECT month, array_agg(DISTINCT payload_sha256) AS payloads, sum(events) AS events, "
        "sum(source_rows) AS rows FROM core.fact_flood_events WHERE year = 2020 AND month <= 3"
        " GROUP BY month ORDER BY month")
    assert [list(p) for p in months["payloads"]] == [[f1_sha]] * 3
    assert months["rows"].tolist() == [150, 167, 46]  # F1's rows; F4 holds the same again
    by_month = _f1_events_by_month()
    assert dict(zip(months["month"], months["events"], strict=True)) == by_month
    for month, events in by_month.items():
        assert indicator(wh, "jakarta", "flood_events", 2020, month=month)["value"] == events
    # counted from both payloads, each month would be about twice this
    assert by_month == {1: 199, 2: 398, 3: 99}


def test_per_rw_months_count_distinct_event_days_from_the_file(wh):
    f4_sha = _sha("jakarta/flood", F4)
    for periode, year, month in (("201910", 2019, 10), ("201912", 2019, 12),
                                 ("202004", 2020, 4), ("202009", 2020, 9)):
        events = _f4_event_days(periode)
        got = indicator(wh, "jakarta", "flood_events", year, month=month)
        assert got["value"] == events, periode
        assert list(got["payload_sha256s"]) == [f4_sha]
    assert wh.scalar("SELECT bool_and(events_derived) FROM core.fact_flood_events WHERE "
                     "event_month = '2019-10-01'")
    # December 2019's dates written '06/12/2020' are December 2019 events
    assert wh.scalar("SELECT count(*) FROM core.fact_flood_events WHERE year = 2020 AND "
                     "month = 12") == 0


def test_flood_events_per_100k_from_the_files(wh):
    # the nearest complete count to 2019/2020: Dukcapil's of 30 June 2019 (the BPS 2017 total
    # is farther)
    residents = _dukcapil_2019_total()
    assert residents == 11_011_862
    feb = indicator(wh, "jakarta", "flood_events_per_100k", 2020, month=2)
    assert (feb["numerator"], feb["denominator"], feb["population_year"]) == (
        _f1_events_by_month()[2], residents, 2019)
    assert feb["value"] == pytest.approx(398 / residents * 100_000, rel=1e-12)
    october = indicator(wh, "jakarta", "flood_events_per_100k", 2019, month=10)
    assert october["value"] == pytest.approx(_f4_event_days("201910") / residents * 100_000,
                                             rel=1e-12)
    # the years: 2020 has January-September (9 of 12 months), 2019 October and December only
    year_2020 = indicator(wh, "jakarta", "flood_events_per_100k", 2020)
    assert pd.isna(year_2020["value"]) and "9 of 12 months" in year_2020["null_reason"]
    assert year_2020["coverage"] == pytest.approx(9 / 12)
    year_2019 = indicator(wh, "jakarta", "flood_events", 2019)
    assert pd.isna(year_2019["value"]) and "2 of 12 months" in year_2019["null_reason"]


# --------------------------------------------------------------------------------------------
# Transjakarta


def _december_2019() -> pd.DataFrame:
    frame = pd.read_csv(DEC_2019, dtype=str, keep_default_na=False)
    return frame.assign(jenis=frame["jenis"].str.strip(),
                        n=frame["jumlah_penumpang"].str.replace(",", "").astype(int))


def test_december_2019_passengers_and_per_capita_from_the_legacy_file(wh):
    rides = _december_2019()
    three = rides[rides["jenis"].isin(["BRT", "ANGKUTAN UMUM INTEGRASI",
                                       "ANGKUTAN INTEGRASI BUS KECIL"])]["n"].sum()
    others = rides[~rides["jenis"].str.startswith("LAMPIRAN")]["n"].sum() - three
    got = indicator(wh, "jakarta", "transit_passengers", 2019, month=12)
    assert got["value"] == three == 23_454_881
    assert f"not counted: {others} passengers of other services" in got["basis"]
    rate = indicator(wh, "jakarta", "transit_passengers_per_capita", 2019, month=12)
    residents = _dukcapil_2019_total()
    assert (rate["numerator"], rate["denominator"], rate["population_year"]) == (
        three, residents, 2019)
    assert rate["value"] == pytest.approx(three / residents, rel=1e-12)
    # the year 2019 has one month of data: NULL with the reason
    year = indicator(wh, "jakarta", "transit_passengers", 2019)
    assert pd.isna(year["value"]) and "1 of 12 months" in year["null_reason"]
    # the appendix lines (free rides counted elsewhere) never reach the fact
    in_fact = wh.scalar("SELECT sum(count) FROM core.fact_mobility_monthly WHERE city = "
                        "'jakarta' AND month_start = '2019-12-01'")
    assert int(in_fact) == int(rides.loc[~rides["jenis"].str.startswith("LAMPIRAN"), "n"].sum())


def test_2021_passengers_once_though_the_csv_and_xlsx_both_hold_them(wh):
    sheet = openpyxl.load_workbook(XLSX_2021, read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    xlsx = pd.DataFrame(values[1:], columns=values[0])
    csv_ = pd.read_csv(CSV_2021, dtype=str)
    totals = []
    for frame in (csv_, xlsx):
        frame = frame.assign(code=frame["kode_trayek"].str.upper().str.replace(r"[\s,]", "",
                                                                               regex=True),
                             n=frame["jumlah_penumpang"].astype(int))
        twice = frame.duplicated(["periode_data", "code"], keep=False)  # 3E, November
        totals.append(int(frame.loc[~twice, "n"].sum()))
    assert totals[0] == totals[1] == 120_279_752
    got = indicator(wh, "jakarta", "transit_passengers", 2021)
    assert got["value"] == totals[0]  # not twice
    assert list(got["payload_sha256s"]) == [_sha("jakarta/transjakarta", CSV_2021)]
    payloads = wh.read_frame("SELECT DISTINCT unnest(payload_sha256s) AS sha FROM "
                             "core.fact_mobility_monthly WHERE city = 'jakarta' AND year = 2021")
    assert payloads["sha"].tolist() == [_sha("jakarta/transjakarta", CSV_2021)]


def test_quarterly_report_every_service_and_the_suspect_2023_quarter(wh):
    report = pd.read_csv(SERVICES)
    by_year = report.groupby(report["periode_data"] // 100)["jumlah_penumpang"].sum()
    year_2024 = indicator(wh, "jakarta", "transit_passengers_all_services", 2024)
    assert year_2024["value"] == by_year.loc[2024] == 370_518_288
    assert year_2024["coverage"] == 1.0 and list(year_2024["flags"]) == []
    # 2023: the 202312 report only (1 of 4 quarters), and its total is flagged, not dropped
    year_2023 = indicator(wh, "jakarta", "transit_passengers_all_services", 2023)
    assert pd.isna(year_2023["value"]) and "1 of 4 quarters" in year_2023["null_reason"]
    assert "quarter_total_suspect" in year_2023["flags"] and "SUSPECT" in year_2023["basis"]
    fact = wh.read_frame("SELECT DISTINCT quarter_start, quarter_total, quarter_total_suspect "
                         "FROM core.fact_transit_services_quarterly ORDER BY quarter_start")
    assert fact["quarter_total_suspect"].tolist() == [True] + [False] * 7
    assert fact["quarter_total"].iloc[0] == by_year.loc[2023] == 280_349_318
    later = report[report["periode_data"] > 202312].groupby("periode_data")["jumlah_penumpang"]
    assert by_year.loc[2023] / later.sum().median() == pytest.approx(2.94, abs=0.01)
    plausible = run_check(QUARTER_TOTALS_PLAUSIBLE, wh)
    assert not plausible.passed and "2023 Q4" in plausible.description
    # 2025: three quarters; 2024 per capita with Dukcapil's 2019 count (within 5 years)
    assert "3 of 4 quarters" in indicator(wh, "jakarta", "transit_passengers_all_services",
                                          2025)["null_reason"]
    rate = indicator(wh, "jakarta", "transit_passengers_all_services_per_capita", 2024)
    assert (rate["denominator"], rate["population_year"]) == (_dukcapil_2019_total(), 2019)
    assert rate["value"] == pytest.approx(by_year.loc[2024] / _dukcapil_2019_total(),
                                          rel=1e-12)


# --------------------------------------------------------------------------------------------
# residents: the whole satudata file


def test_residents_2015_from_the_whole_satudata_file(wh):
    lines = pd.read_csv(POPULATION, dtype=str, keep_default_na=False)
    assert len(lines) == 34_176 and lines.duplicated().sum() == 13_423
    distinct = lines.drop_duplicates()
    year = distinct[distinct["tahun"] == "2015"]
    expected = int(year["jumlah_penduduk"].astype(int).sum())
    assert (len(year), expected) == (1_001, 1_273_219)
    fact = wh.read_frame(
        "SELECT sum(residents) AS residents, sum(cells_present) AS cells, bool_or(complete) "
        "AS any_complete, bool_and(NOT usable_for_totals) AS unusable FROM "
        "core.fact_population WHERE source_table = 'satudata_age_sex_kelurahan' AND "
        "reference_year = 2015").iloc[0]
    assert (fact["residents"], fact["cells"]) == (expected, 1_001)
    assert fact["unusable"] and not fact["any_complete"]
    # never a total: the marts say why
    got = indicator(wh, "jakarta", "residents", 2015)
    assert pd.isna(got["value"]) and got["coverage"] == 0
    assert "not used for totals" in got["null_reason"]
