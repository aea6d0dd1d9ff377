"""Reading one population cell: age bands, sex labels, counts, names, Kemendagri kab codes.

Every reader returns the clean value or raises :class:`CellError` with the reason and the
quarantine kind; the parser turns that into a quarantine row naming the column.
"""

from __future__ import annotations

import re

from smartchange_assets.platform.parsing import INCONSISTENT, UNREADABLE


class CellError(Exception):
    """One cell cannot be staged; ``column`` is the layout's canonical column name."""

    def __init__(self, column: str | None, reason: str, kind: str = UNREADABLE):
        super().__init__(reason)
        self.column, self.reason, self.kind = column, reason, kind


# --------------------------------------------------------------------------------------------
# age bands

#: canonical band -> (age_from, age_to); age_to None = open upwards.
FIVE_YEAR_BANDS = {**{f"{a:02d}-{a + 4:02d}": (a, a + 4) for a in range(0, 75, 5)},
                   "75+": (75, None)}
TEN_YEAR_BANDS = {**{f"{a:02d}-{a + 9:02d}": (a, a + 9) for a in range(0, 70, 10)},
                  "70+": (70, None)}
#: a count over every age (BPS kota totals)
ALL_AGES = "all"
ALL_BANDS = {**FIVE_YEAR_BANDS, **TEN_YEAR_BANDS, ALL_AGES: (0, None)}

# Excel reads "5-9" as 9 May and shows it as "9-May" (docs/sources/jakarta-population.md §3:
# 9-May, 14-Oct), so
# "<day>-<month name>" is the band <month number>-<day>. Indonesian spellings included in case a
# re-export ran under an Indonesian locale (Mei, Agu, Okt, Des).
_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "mei": 5, "jun": 6, "jul": 7,
           "aug": 8, "agu": 8, "agt": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12,
           "des": 12}
_RANGE = re.compile(r"(\d{1,3})-(\d{1,3})")
_EXCEL_DATE = re.compile(r"(\d{1,2})-([a-z]{3})[a-z]*")
# ">75" is the top band after 70-74, i.e. 75 and over; "75+", ">=75", "75 ke atas" likewise.
_OPEN = re.compile(r"(?:>=?|≥)?(\d{1,3})(?:\+|keatas|tahunkeatas)?")


def age_band(text: str | None, allowed: dict[str, tuple[int, int | None]],
             column: str = "age_band") -> tuple[str, int, int | None]:
    """(canonical band, age_from, age_to) of a published band, which must be in ``allowed``."""
    raw = (text or "").strip()
    compact = re.sub(r"\s+", "", raw.lower()).replace("–", "-").replace("—", "-")
    bounds: tuple[int, int | None] | None = None
    if match := _RANGE.fullmatch(compact):
        bounds = (int(match[1]), int(match[2]))
    elif (match := _EXCEL_DATE.fullmatch(compact)) and match[2] in _MONTHS:
        bounds = (_MONTHS[match[2]], int(match[1]))
    elif (match := _OPEN.fullmatch(compact)) and compact != match[1]:
        bounds = (int(match[1]), None)
    if bounds is None:
        raise CellError(column, f"age band {raw!r} is not a band (a-b, a+, >a)")
    band = next((name for name, b in ALL_BANDS.items() if b == bounds and name != ALL_AGES),
                None)
    if band is None or band not in allowed:
        shown = f"{bounds[0]}-{bounds[1]}" if bounds[1] is not None else f"{bounds[0]}+"
        raise CellError(column, f"age band {raw!r} (read as {shown}) is not one of this "
                        f"table's bands {', '.join(allowed)}", INCONSISTENT)
    return band, *allowed[band]


# --------------------------------------------------------------------------------------------
# sex

_SEX = {"lakilaki": "male", "laki": "male", "l": "male", "pria": "male", "male": "male",
        "perempuan": "female", "p": "female", "wanita": "female", "female": "female"}


def sex(text: str | None, column: str = "sex") -> str:
    """male/female from the published label: Laki-laki, Laki laki (2016), Perempuan, L, P."""
    key = re.sub(r"[^a-z]", "", (text or "").lower())
    if key not in _SEX:
        raise CellError(column, f"sex {text!r} is not Laki-laki/Perempuan (or L/P)")
    return _SEX[key]


# --------------------------------------------------------------------------------------------
# counts, names, years

_COUNT = re.compile(r"\d+(?:\.0+)?")  # "1419", or "919938.0" from an Excel cell / JSON float


def is_blank(text: str | None) -> bool:
    return text is None or not str(text).strip()


def count(text: str | None, column: str) -> int:
    """A head count: digits only. Separators are refused, since '1.419' could be 1419 or 1.4."""
    raw = (text or "").strip()
    if not _COUNT.fullmatch(raw):
        what = "missing" if not raw else f"{raw!r} is not a whole number"
        raise CellError(column, f"residents count {what}")
    return int(float(raw))


def year(text: str | None, column: str) -> int:
    raw = (text or "").strip()
    match = re.fullmatch(r"(\d{4})(?:\.0+)?", raw)
    if not match or not 1900 <= int(match[1]) <= 2100:
        raise CellError(column, f"year {raw!r} is not a year (YYYY)")
    return int(match[1])


def semester(text: str | None, column: str) -> int:
    raw = (text or "").strip()
    if raw not in ("1", "2", "1.0", "2.0"):
        raise CellError(column, f"semester {raw!r} is not 1 or 2")
    return int(float(raw))


def area_name(text: str | None, column: str) -> str:
    """An area name as published, upper-cased, trimmed, inner blanks collapsed."""
    name = " ".join((text or "").split()).upper()
    if not name:
        raise CellError(column, "area name missing")
    return name


# --------------------------------------------------------------------------------------------
# Kemendagri kab/kota codes (docs/sources/jakarta-admin-areas.md §2): Dukcapil's NO KAB, never
# the BPS code

#: Kemendagri code -> the word that names that kab/kota in every spelling we have seen.
KEMENDAGRI_KAB = {"31.01": "SERIBU", "31.71": "PUSAT", "31.72": "UTARA", "31.73": "BARAT",
                  "31.74": "SELATAN", "31.75": "TIMUR"}


def kab_code(text: str | None, kota_name: str, column: str) -> str:
    """``31.71`` from ``71``, ``3171`` or ``31.71``, checked against the kota name.

    The name check catches a file that carries BPS codes (BPS 3173 is Jakarta Pusat, Kemendagri
    31.73 is Jakarta Barat): the code then names another kota than the row does.
    """
    raw = (text or "").strip().removesuffix(".0")
    digits = re.sub(r"\D", "", raw)
    if len(digits) in (1, 2):
        digits = "31" + digits.zfill(2)
    if not re.fullmatch(r"\d+(?:\.\d+)?", raw) or len(digits) != 4:
        raise CellError(column, f"kab code {raw!r} is not a Kemendagri kab code (71 or 31.71)")
    code = f"{digits[:2]}.{digits[2:]}"
    word = KEMENDAGRI_KAB.get(code)
    if word is None:
        raise CellError(column, f"kab code {code} is not a DKI Jakarta kab/kota "
                        f"({', '.join(KEMENDAGRI_KAB)})", INCONSISTENT)
    if word not in kota_name:
        raise CellError(column, f"Kemendagri kab code {code} is {word}, but the row names "
                        f"{kota_name!r} (BPS code used?)", INCONSISTENT)
    return code
