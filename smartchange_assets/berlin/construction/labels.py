"""What the headers, row labels and cells of the construction report say
(docs/sources/berlin-construction.md §2–§3).

Header text is hyphenated over line breaks and spaces (``Ins-\\ngesamt``, ``Woh-\\nnungs-\\nbau``,
``Arbeits-               stunden``), carries footnote marks (``Betriebe¹``) and changes wording
between issues (``Ausbaugew.`` / ``Ausbaugewerbe``): :func:`normalise` undoes all of that, and
the measure, breakdown and unit of a column are then read from keywords, never from its
position. Cells hold numbers, the publisher's symbols (Zeichenerklärung on the sheet
``Impressum``) or a number with a status letter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# measure -> unit it must be published in
MEASURE_UNITS = {
    "working_days": "days",
    "establishments": "count",
    "persons_employed": "persons",
    "wages": "EUR thousand",
    "hours_worked": "hours thousand",
    "turnover_total": "EUR thousand",
    "turnover_construction": "EUR thousand",
    "new_orders": "EUR thousand",
    "order_backlog": "EUR thousand",
}
# stocks are averaged over a year, flows summed (footnote 1 of Tab1 and Tab7)
STOCKS = ("establishments", "persons_employed")

BREAKDOWNS = ("total", "building", "residential", "commercial_industrial_building",
              "public_building", "civil_engineering", "commercial_industrial_civil", "road",
              "other_civil")
# (breakdown, keywords all of which the label holds), first match wins
_BREAKDOWN_RULES = (
    ("residential", ("wohnungsbau",)),
    ("commercial_industrial_building", ("gewerbl", "hochbau")),
    ("public_building", ("offentl", "hochbau")),
    ("commercial_industrial_civil", ("gewerbl", "tiefbau")),
    ("road", ("strassenbau",)),
    ("other_civil", ("sonst", "tiefbau")),
    ("building", ("hochbau",)),
    ("civil_engineering", ("tiefbau",)),
)
# (measure, pattern on the label), first match wins
_MEASURE_RULES = (
    ("working_days", re.compile(r"arbeitstage")),
    ("establishments", re.compile(r"betriebe")),
    ("persons_employed", re.compile(r"tatige personen")),
    ("wages", re.compile(r"entgelte")),
    ("hours_worked", re.compile(r"arbeitsstunden")),
    ("turnover_total", re.compile(r"gesamt\W*umsatz")),
    ("turnover_construction", re.compile(r"umsatz|baugewerblich")),
)
# a table title's subject -> the measure of its columns that name none
_TITLE_MEASURES = (
    ("hours_worked", re.compile(r"arbeitsstunden")),
    ("new_orders", re.compile(r"auftragseingang")),
    ("order_backlog", re.compile(r"auftragsbestand")),
    ("turnover_construction", re.compile(r"umsatz")),
)
_UNITS = (
    ("EUR thousand", re.compile(r"^1\s*000\s*eur$")),
    ("hours thousand", re.compile(r"^1\s*000(\s*stunden)?$")),
    ("count", re.compile(r"^anzahl$")),
)

MONTHS = {"januar": 1, "februar": 2, "marz": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7,
          "august": 8, "september": 9, "oktober": 10, "november": 11, "dezember": 12}
# change rows -> (aggregation, the period they describe)
CHANGES = {"vormonat": "change_pct_previous_month",
           "vorjahresmonat": "change_pct_same_month_previous_year",
           "vorjahreszeitraum": "change_pct_year_to_date_previous_year",
           "vorquartal": "change_pct_previous_quarter",
           "vorjahresquartal": "change_pct_same_quarter_previous_year"}

# publisher's symbols (sheet Impressum, Zeichenerklärung)
NO_DATA = {"...": "not yet available (…)", "…": "not yet available (…)",
           "•": "unknown or confidential (•)", "x": "not applicable (x)",
           "/": "not reliable enough (/)"}
NOTHING = ("–", "-")  # 'nichts vorhanden': exactly zero
STATUS_LETTERS = {"p": "provisional", "r": "revised", "s": "estimated"}
FOOTNOTE_MARKS = "¹²³⁴⁵⁶⁷⁸⁹"

_HYPHEN_BREAK = re.compile(r"(?<=[^\W\d_])-\s*(?=[a-zäöüß])")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"^\(?\s*(-?\d+(?:[.,]\d+)?)\s*\)?\s*([prs])?\s*[¹²³⁴⁵⁶⁷⁸⁹]*$")


def normalise(text: object) -> str:
    """Lower-case ASCII label: hyphenation over breaks undone, footnote marks dropped."""
    if text is None:
        return ""
    value = str(text).replace("ß", "ss")
    value = value.translate({ord(c): None for c in FOOTNOTE_MARKS})
    value = _HYPHEN_BREAK.sub("", value.replace("\u00ad", ""))
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    value = _SPACES.sub(" ", value).strip().lower()
    return re.sub(r"(?<=[a-z])\d$", "", value)  # 'Bautrager2': a footnote as a plain digit


def footnotes(text: object) -> str | None:
    marks = [c for c in str(text or "") if c in FOOTNOTE_MARKS]
    return "".join(marks) or None


def measure_of(label: str, title: str) -> str | None:
    for measure, pattern in _MEASURE_RULES:
        if pattern.search(label):
            return measure
    for measure, pattern in _TITLE_MEASURES:
        if pattern.search(title):
            return measure
    return None


def breakdown_of(label: str) -> str:
    for breakdown, words in _BREAKDOWN_RULES:
        if all(w in label for w in words):
            return breakdown
    return "total"


def unit_of(label: str) -> str | None:
    for unit, pattern in _UNITS:
        if pattern.match(label):
            return unit
    return None


@dataclass(frozen=True)
class Cell:
    """A value cell read: a value (with its status), the publisher's no-data, or unreadable."""
    value: float | None
    status: str | None
    no_data: str | None
    problem: str | None


def read_cell(raw: object) -> Cell:
    if isinstance(raw, bool):
        return Cell(None, None, None, f"{raw!r} is not a number")
    if isinstance(raw, int | float):
        return Cell(float(raw), None, None, None)
    text = str(raw if raw is not None else "").strip()
    if not text:
        return Cell(None, None, None, "empty cell")
    if text in NO_DATA:
        return Cell(None, None, NO_DATA[text], None)
    if text in NOTHING:
        return Cell(0.0, "nothing", None, None)
    match = _NUMBER.match(text)
    if match is None:
        return Cell(None, None, None, f"{text!r} is neither a number nor a symbol of the "
                    "Zeichenerklärung")
    status = STATUS_LETTERS.get(match[2] or "")
    if text.startswith("("):
        status = "limited_reliability"
    return Cell(float(match[1].replace(",", ".")), status, None, None)
