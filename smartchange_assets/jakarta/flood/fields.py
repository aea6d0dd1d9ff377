"""BPBD flood-table fields written as free text (docs/sources/jakarta-flood.md §3), each read into
values.

Pure functions on one cell; they raise :class:`FieldError` with a reason when a cell cannot be
read, and the parser quarantines the row naming the column.
"""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {"januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5,
          "juni": 6, "juli": 7, "agustus": 8, "september": 9, "oktober": 10, "november": 11,
          "nopember": 11, "desember": 12}
# three-letter forms as export tools abbreviate them (Indonesian: agu/agt, okt, des)
MONTHS.update({"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8,
               "ags": 8, "sep": 9, "okt": 10, "nov": 11, "des": 12})

MISSING = frozenset({"", "-", "--", "---"})

_RANGE_WORD = re.compile(r"\s*(?:s\s*/\s*d|s\.\s*d\.?|sampai|hingga)\s*")
# at most 15 digits: no count or height comes near, and the value stays a finite number
_COUNT = re.compile(r"\d{1,15}(?:\.0+)?")
_DECIMAL = re.compile(r"\d{1,15}(?:\.\d{1,15})?")
# "10 s.d 15 cm", "30 s.d. 40 cm", "60 cm S.D 80 cm", "45 sm" (sm: a typo of cm), "0"
_HEIGHT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:cm|sm)?")
_HEIGHT_RANGE = re.compile(
    rf"{_HEIGHT.pattern}\s*(?:s\s*\.?\s*d\s*\.?|s/d|-|sampai)\s*{_HEIGHT.pattern}")
_RW_PREFIX = re.compile(r"^r\s*w\s*[.:]?\s*", re.IGNORECASE)
# a date written in full, day first (F4's December 2019 rows: '06/12/2020')
_NUMERIC_DATE = re.compile(r"(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")


class FieldError(ValueError):
    """A cell that cannot be read; the message is the quarantine reason."""


def is_missing(text: str | None) -> bool:
    return text is None or text.strip() in MISSING


def count(text: str | None) -> int | None:
    """A non-negative count: ``'12'``, ``'12.0'`` (F3's float export); blank or ``-`` -> None."""
    if is_missing(text):
        return None
    value = text.strip()
    if not _COUNT.fullmatch(value):
        raise FieldError(f"{text!r} is not a count")
    return int(float(value))


def centimetres(text: str | None) -> float | None:
    """A numeric water height in cm (F1, F3 columns); blank or ``-`` -> None."""
    if is_missing(text):
        return None
    value = text.strip()
    if not _DECIMAL.fullmatch(value):
        raise FieldError(f"{text!r} is not a height in cm")
    return float(value)


def water_range(text: str | None) -> tuple[float | None, float | None]:
    """(min, max) cm from F2's free text: ``'30 cm'`` -> (30, 30), ``'10 s.d 15 cm'`` -> (10, 15)"""
    if is_missing(text):
        return None, None
    value = " ".join(text.strip().lower().split())
    if match := _HEIGHT_RANGE.fullmatch(value):
        low, high = _cm(match[1]), _cm(match[2])
        if low > high:
            raise FieldError(f"water height {text!r}: lower bound above upper bound")
        return low, high
    if match := _HEIGHT.fullmatch(value):
        return _cm(match[1]), _cm(match[1])
    raise FieldError(f"unreadable water height {text!r}")


def _cm(number: str) -> float:
    return float(number.replace(",", "."))


def month_number(text: str | None) -> int:
    """``'07'``, ``'7'``, ``'Juli'`` (any case) -> 7."""
    value = (text or "").strip().lower()
    if len(value) <= 2 and value.isdigit() and 1 <= int(value) <= 12:
        return int(value)
    if value in MONTHS:
        return MONTHS[value]
    raise FieldError(f"unreadable month {text!r}")


def rw_numbers(text: str | None) -> list[int]:
    """RW numbers from ``'RW 01, 02'``, ``'RW. 04'``, ``"'RW 02, 03"``, ``'07,08'``, ``'05. 07'``,
    ``'RW : 002'``.

    Published order, repeats dropped. Blank -> []. A lone ``'0'`` names no RW (F4: an RT line
    under the RW named on a line above it; there is no RW 0) -> []."""
    if is_missing(text) or text.strip().strip("'").strip() in ("0", "00", "000"):
        return []
    value = _RW_PREFIX.sub("", text.strip().lstrip("'").strip())
    numbers: list[int] = []
    for token in re.split(r"\s*(?:,|\.|&|;|/|\bdan\b|\s)\s*", value):
        if not token or token.lower().rstrip(".") == "rw":  # 'RW 01, RW 02'
            continue
        if not token.isdigit():
            raise FieldError(f"unreadable RW list {text!r} (token {token!r})")
        if int(token) not in numbers:
            numbers.append(int(token))
    return numbers


def event_dates(text: str | None, year: int) -> tuple[list[dt.date], bool]:
    """F1's ``tanggal_kejadian`` -> (dates, is_range), the year taken from the payload.

    ``' 01 Januari'``; ``'01, 24 Januari'``; ``'23, 25  februari'``; ``'02 & 18 Januari'``;
    ``'1,2,3,4,    februari'``: a list, each day taking the next month name after it.
    ``'01 Januari s/d 05 Januari'``: a range, returned as [start, end] with ``is_range``.
    ``'tgl. 01 Januari'``: the word tgl./tanggal before the days is dropped.
    ``'06/12/2020'``: a date written in full (day first) keeps the year written: whether that
    year is right is for the caller to settle against the payload's period.
    """
    if is_missing(text):
        raise FieldError("no event date")
    value = " ".join(text.strip().lstrip("'").lower().split())
    if match := _NUMERIC_DATE.fullmatch(value):
        day, month, written_year = (int(g) for g in match.groups())
        if not 1 <= month <= 12:
            raise FieldError(f"event date {text!r}: month {month} does not exist")
        return [_date(written_year, month, day, text)], False
    parts = _RANGE_WORD.split(value)
    if len(parts) == 2:
        start, end = _day_list(parts[0], year, text, parts[1]), _day_list(parts[1], year, text)
        if len(start) != 1 or len(end) != 1 or start[0] > end[0]:
            raise FieldError(f"unreadable date range {text!r}")
        return [start[0], end[0]], True
    if len(parts) > 2:
        raise FieldError(f"unreadable date range {text!r}")
    return sorted(set(_day_list(value, year, text))), False


def _day_list(value: str, year: int, text: str, month_from: str | None = None) -> list[dt.date]:
    """Days followed by a month name; a range start without a month takes the end's month."""
    tokens = re.findall(r"\d+|[a-z]+|[^\s\da-z]", value)
    dates, pending = [], []
    for token in tokens:
        if token.isdigit():
            pending.append(int(token))
        elif token in MONTHS:
            if not pending:
                raise FieldError(f"month without a day in {text!r}")
            dates += [_date(year, MONTHS[token], day, text) for day in pending]
            pending = []
        elif token not in {",", "&", ".", "dan", "tgl", "tanggal"}:
            raise FieldError(f"unreadable event date {text!r} (at {token!r})")
    if pending and month_from is not None:
        month_word = next((t for t in re.findall(r"[a-z]+", month_from) if t in MONTHS), None)
        if month_word:
            dates += [_date(year, MONTHS[month_word], day, text) for day in pending]
            pending = []
    if pending or not dates:
        raise FieldError(f"event date {text!r} has a day without a month")
    return dates


def event_days(dates: list[dt.date], is_range: bool) -> int:
    """How many days the event dates name: a range counts every day from start to end."""
    if is_range:
        return (dates[-1] - dates[0]).days + 1
    return len(set(dates))


def _date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise FieldError(f"event date {text!r}: day {day} of month {month} in {year} does not "
                         "exist") from None


def area_name(text: str | None) -> str | None:
    """A kota/kecamatan/kelurahan name as published: trimmed, upper-cased, single spaces."""
    if is_missing(text):
        return None
    value = " ".join(text.split()).upper()
    if not re.search(r"[A-Z]", value) or "\ufffd" in value or re.search(r"[\x00-\x1f]", value):
        raise FieldError(f"unreadable area name {text!r}")
    return value
