"""Free-text flood fields, on the spellings that occur in the real files
(docs/sources/jakarta-flood.md §3)."""

from __future__ import annotations

import datetime as dt

import pytest

from smartchange_assets.jakarta.flood import fields as f


def d(month: int, day: int, year: int = 2020) -> dt.date:
    return dt.date(year, month, day)


@pytest.mark.parametrize("text, dates, is_range", [
    (" 01 Januari", [d(1, 1)], False),  # leading space (F1 row 1)
    (" 01 Januari ", [d(1, 1)], False),
    (" 01, 24 Januari", [d(1, 1), d(1, 24)], False),
    ("23, 25  februari", [d(2, 23), d(2, 25)], False),  # lower case, double space
    (" 02 & 18 Januari", [d(1, 2), d(1, 18)], False),
    (" 01 , 23, 24 Januari", [d(1, 1), d(1, 23), d(1, 24)], False),
    ("1,2,3,4,    februari", [d(2, 1), d(2, 2), d(2, 3), d(2, 4)], False),
    ("8,23, 23  februari", [d(2, 8), d(2, 23)], False),  # repeated day kept once
    ("1, 2, 16 maret ", [d(3, 1), d(3, 2), d(3, 16)], False),
    (" 01 Januari s/d 05 Januari", [d(1, 1), d(1, 5)], True),
    ("01 s/d 05 Januari", [d(1, 1), d(1, 5)], True),  # start takes the end's month
    ("30 Januari, 2 Februari", [d(1, 30), d(2, 2)], False),  # each day takes the next month
    ("tgl. 01, 09 Januari ", [d(1, 1), d(1, 9)], False),  # F4: 'tgl.' before the days
    ("tgl 18 Januari", [d(1, 18)], False),
    ("tgl. 02, Juli", [d(7, 2)], False),
    ("tgl. 03, 04 JUNI", [d(6, 3), d(6, 4)], False),
    ("06/12/2020", [d(12, 6)], False),  # written in full: the year as written
    ("31/12/2019", [d(12, 31, 2019)], False),
])
def test_event_dates(text, dates, is_range):
    assert f.event_dates(text, 2020) == (dates, is_range)


@pytest.mark.parametrize("text, why", [
    ("", "no event date"),
    ("-", "no event date"),
    ("01, 24", "day without a month"),
    ("30 februari", "does not exist"),
    ("01 Januarx", "unreadable event date"),
    ("05 Januari s/d 01 Januari", "unreadable date range"),
    ("Januari 5", "month without a day"),
])
def test_event_dates_unreadable(text, why):
    with pytest.raises(f.FieldError, match=why):
        f.event_dates(text, 2020)


@pytest.mark.parametrize("text, expected", [
    ("10 s.d 15 cm", (10, 15)), ("30 s.d. 40 cm", (30, 40)), ("60 cm S.D 80 cm", (60, 80)),
    ("25 s.d 60 Cm ", (25, 60)), ("30 S.D 50 CM", (30, 50)), ("45 sm", (45, 45)),
    ("30 CM", (30, 30)), ("0", (0, 0)), ("-", (None, None)), (" ", (None, None)),
    ("10 s/d 15 cm", (10, 15)), ("10-15 cm", (10, 15)),
])
def test_water_range(text, expected):
    assert f.water_range(text) == expected


@pytest.mark.parametrize("text", ["tinggi", "30 s.d cm", "80 s.d 40 cm", "3O cm"])
def test_water_range_unreadable(text):
    with pytest.raises(f.FieldError):
        f.water_range(text)


@pytest.mark.parametrize("text, expected", [
    ("RW 01, 02, 06, 08", [1, 2, 6, 8]), ("RW. 04", [4]), ("rw 05", [5]), ("RW.08 ", [8]),
    ("'RW 02, 03, 04, 05, 09, 13, 14", [2, 3, 4, 5, 9, 13, 14]),
    ("RW 01, 02, 03, 04, 05, 06, 07,08, 09", [1, 2, 3, 4, 5, 6, 7, 8, 9]),
    ("RW 01, 02, 03, 04, 05, 06, 07, 08, 09, 010", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    ("rw 05, 09, ", [5, 9]), ("rw 01, 03, 04, 05. 07", [1, 3, 4, 5, 7]),
    ("rw 01, 02., 03", [1, 2, 3]), ("RW 01, RW 02", [1, 2]), ("rw 08, 08", [8]), ("", []),
    ("RW : 002", [2]), ("RW : 01", [1]), ("RW  02", [2]),  # F4 spellings
    ("0", []),  # F4: an RT line under the RW named above it names no RW
])
def test_rw_numbers(text, expected):
    assert f.rw_numbers(text) == expected


@pytest.mark.parametrize("dates, is_range, days", [
    ([dt.date(2020, 1, 1), dt.date(2020, 1, 5)], True, 5),
    ([dt.date(2020, 1, 1), dt.date(2020, 1, 5)], False, 2),
    ([dt.date(2020, 2, 8)], False, 1),
])
def test_event_days(dates, is_range, days):
    assert f.event_days(dates, is_range) == days


def test_rw_numbers_unreadable():
    with pytest.raises(f.FieldError, match="token 'O5'"):
        f.rw_numbers("RW 01, O5")


@pytest.mark.parametrize("text, expected", [
    ("07", 7), ("6", 6), ("Januari", 1), ("SEPTEMBER", 9), ("desember", 12), (" Mei ", 5)])
def test_month_number(text, expected):
    assert f.month_number(text) == expected


@pytest.mark.parametrize("text", ["13", "0", "", "Janu@ri", None])
def test_month_number_unreadable(text):
    with pytest.raises(f.FieldError):
        f.month_number(text)


def test_counts_and_heights():
    assert [f.count(x) for x in ("0", "338", "12.0", " ", "-", None)] == [0, 338, 12, None,
                                                                          None, None]
    assert f.centimetres("32.5") == 32.5 and f.centimetres("") is None
    for bad in ("1,5", "-3", "12a", "1.5"):
        with pytest.raises(f.FieldError):
            f.count(bad)


def test_area_names():
    assert f.area_name("KELAPA DUA ") == "KELAPA DUA"
    assert f.area_name("Jakarta  Selatan") == "JAKARTA SELATAN"
    assert f.area_name("-") is None
    for bad in ("123", "KEL\ufffdRAHAN"):
        with pytest.raises(f.FieldError):
            f.area_name(bad)
