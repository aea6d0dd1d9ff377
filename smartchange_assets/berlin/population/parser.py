"""Parser for the Berlin population register statistics (EWR) by LOR Planungsraum.

One EWR "Matrix" CSV (any vintage, see :mod:`.layout`) -> one staged row per Planungsraum row:
reference date, LOR version, 8-digit key, Bezirk, total / male / female, the nine grouped age
bands, and the sum of the single-age bands.

Reading: UTF-8 with or without BOM (cp1252 fallback), delimiter sniffed from the header
(``;`` as published, ``,`` or tab in re-exports), RFC 4180 quoting (the 2015 vintage quotes
every field), columns by name in any order.

Counts are whole numbers. Accepted spellings: ``3445``; German thousands ``3.445``; a zero
fraction after a decimal comma ``3445,00`` (2015 vintage) or point ``3445.0`` (a float export).
Anything else, ``3445,5`` or ``3,445`` included (a decimal comma in a German file), is
unreadable: it is never guessed into a number. Suppressed or missing cells (``-``, ``.``, ``X``,
empty, and ``NA``, the missing value of the 2025 mirror copy; docs/sources/berlin-population.md
§3) are NULL. A row whose counts are all missing is the publisher's no-data: nothing of it is
staged (never a 0), its Planungsraum is listed in the notes (``no_data_plr``) so that the
coverage check knows the payload lists it (the 2024 and 2025 files have two such rows,
03400831 and 06200418; in the publisher's 2024 file every count of them is empty). Its
``BEZPGR`` may be missing too; in a row with data a missing ``BEZPGR`` is unreadable.

Per row (each failure quarantines the row once, kind ``inconsistent``, the reason naming every
failing sum with both numbers):

* ``E_EM + E_EW = E_E``; sum of the grouped bands = ``E_E``; sum of the single-age bands =
  ``E_E``; and each grouped band = the sum of the single-age bands inside it.
* A sum with a suppressed term or target cannot be checked: it is skipped, and its name goes
  to the staged column ``unchecked_sums`` (NULL when every sum was checked).
* ``RAUMID`` = ``BEZ+PGR+BZR+PLR`` (2 digits each), ``BEZPGR`` = ``BEZ+PGR``. Codes written
  as numbers, their leading zeros dropped (the 2014 mirror copy: ``RAUMID`` 1011101, ``BEZ`` 1,
  ``PGR`` 1), are read strictly: only the integer form of a code is padded (no leading zero
  left, at most the zeros a Bezirk ``01``–``09`` can lose: ``RAUMID`` 7 or 8 digits, ``BEZPGR``
  3 or 4, a part 1 or 2 and not ``0``), and the padded parts must still build ``RAUMID``. A
  shorter or zero-led code (``011101``) is a cut one: unreadable. Restorations are counted
  per column in the notes (``leading_zeros_restored``).
* ``ZEIT`` is ``YYYYMM``, agrees with the month in the file name (or, without one, with the
  file's other rows), and fits the LOR version (LOR 2021 keys from 2021 on, old keys up to
  2020). ``reference_date`` is the last day of that month.

Unreadable ``ZEIT`` or ``RAUMID`` stops the line (key columns). A PLR seen twice in one file
follows the platform's one duplicate-key rule
(:func:`~smartchange_assets.platform.duplicates.settle_duplicates`): an identical repeat is
staged once, rows with different values are none of them staged.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from smartchange_assets.berlin.population.layout import (
    GROUPED_BANDS,
    LOR2021,
    LOR_OLD,
    Layout,
    read_layout,
)
from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
    decode_text,
    read_csv_records,
    sniff_delimiter,
)

LOR2021_FIRST_MONTH = "202101"
# suppressed or missing cells; "NA" is how the 2025 mirror copy (written by another tool than
# the publisher's: quoted codes) spells an empty cell of the publisher's file
SUPPRESSED = frozenset({"", "-", ".", "X", "x", "NA"})
# digits of each code, and the fewest it may be written with when its leading zeros were
# dropped (a number: the Bezirk part is 01-12, so RAUMID keeps at least 7 digits)
CODE_DIGITS = {"RAUMID": (8, 7), "BEZPGR": (4, 3), "BEZ": (2, 1), "PGR": (2, 1),
               "BZR": (2, 1), "PLR": (2, 1)}

# a Planungsraum appears once per file (ZEIT and the LOR version are the file's own)
KEY = ["plr_code"]

# at most 15 digits: a count of residents never comes near, and a bigint holds it
_INT = re.compile(r"\d{1,15}")
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3}){1,4}")
_ZERO_COMMA = re.compile(r"(\d{1,15}|\d{1,3}(?:\.\d{3}){1,4}),0+")
_ZERO_POINT = re.compile(r"(\d{1,15})\.0{1,2}")
_ZEIT = re.compile(r"(\d{4})(\d{2})")


class _RowError(Exception):
    def __init__(self, column: str | None, reason: str, kind: str = UNREADABLE):
        super().__init__(reason)
        self.column, self.reason, self.kind = column, reason, kind


@dataclass
class _Counters:
    zero_padded: Counter = field(default_factory=Counter)  # per published code column
    unchecked: Counter = field(default_factory=Counter)
    no_data_plr: list = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# public entry point


def parse_ewr(data: bytes, file_name: str) -> ParseResult:
    """Parse one EWR Matrix CSV (any vintage) into one staged row per Planungsraum."""
    header, records, notes = _read(data, file_name)
    layout = read_layout(header, file_name)
    expected_zeit = layout.file_zeit or _majority_zeit(layout, records)
    quarantine, counters = Quarantine(), _Counters()
    rows, no_data = [], 0
    for source_row, record in enumerate(records, start=1):
        raw = dict(zip(header, record, strict=False))
        try:
            if len(record) != len(header):
                raise _RowError(None, f"row has {len(record)} fields, header has {len(header)}")
            row = _clean(layout, record, expected_zeit, counters)
        except _RowError as err:
            # name the column as published (a re-export may spell 'zeit' or ' RAUMID')
            column = (layout.published(layout.ids[err.column]) if err.column in layout.ids
                      else err.column)
            quarantine.add(source_row, column, err.reason, raw, kind=err.kind)
            continue
        if row is None:
            no_data += 1
            continue
        rows.append({"source_row": source_row, **row, "_raw": raw})

    notes.update(lor_version=layout.lor_version, version_evidence=layout.version_evidence,
                 reference_month=expected_zeit,
                 leading_zeros_restored=dict(counters.zero_padded),
                 no_data_plr=sorted(counters.no_data_plr),
                 unchecked_sums=dict(counters.unchecked),
                 grouped_band_columns={b: layout.published(i) for b, i in layout.grouped.items()})
    result = ParseResult(staged=_settled(rows, layout, quarantine), source_rows=len(records),
                         no_data=no_data,
                         quarantine=quarantine.frame(), notes=notes)
    result.reconcile()
    return result


def _read(data: bytes, file_name: str) -> tuple[list[str], list[list[str]], dict]:
    if not data.strip():
        raise ParseError(file_name, "empty payload")
    text = decode_text(data, file_name).lstrip("\ufeff")
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if first_line.lstrip().startswith("<"):
        raise ParseError(file_name, "an HTML/XML page, not an EWR CSV; starts with "
                         f"{first_line[:80]!r}", row=1)
    delimiter = sniff_delimiter(first_line, candidates=";,\t")
    header, records = read_csv_records(text, delimiter)
    if not records:
        raise ParseError(file_name, "no data rows after the header")
    if len(records[-1]) < len(header):
        raise ParseError(file_name, f"last row has {len(records[-1])} of {len(header)} "
                         "fields: the payload is truncated", row=len(records))
    return header, records, {"delimiter": delimiter}


def _majority_zeit(layout: Layout, records: list[list[str]]) -> str | None:
    i = layout.ids["ZEIT"]
    values = Counter(r[i].strip() for r in records if len(r) > i)
    return values.most_common(1)[0][0] if values else None


# --------------------------------------------------------------------------------------------
# one row


def _clean(layout: Layout, record: list[str], expected_zeit: str | None,
           counters: _Counters) -> dict | None:
    zeit = _zeit(record[layout.ids["ZEIT"]], expected_zeit, layout.lor_version)
    counts = {name: _count(record[i], layout.published(i))
              for name, i in {**layout.totals, **layout.grouped}.items()}
    singles = {i: _count(record[i], layout.published(i)) for _, _, i in layout.single}
    no_data = all(v is None for v in (*counts.values(), *singles.values()))
    plr_code, bez = _keys(layout, record, counters, bezpgr_may_be_missing=no_data)
    if no_data:  # every count missing: the publisher has no data for this PLR
        counters.no_data_plr.append(plr_code)
        return None
    failures, unchecked = _sum_checks(layout, counts, singles)
    if failures:
        column, _ = failures[0]
        raise _RowError(column, "; ".join(reason for _, reason in failures), INCONSISTENT)
    for name in unchecked:
        counters.unchecked[name] += 1
    single_values = list(singles.values())
    year, month = int(zeit[:4]), int(zeit[4:])
    return {
        "reference_date": dt.date(year, month, calendar.monthrange(year, month)[1]),
        "lor_version": layout.lor_version, "plr_code": plr_code, "bez": bez,
        "stadtraum": _stadtraum(layout, record), **counts,
        "single_age_total": (None if None in single_values else sum(single_values)),
        "unchecked_sums": "; ".join(unchecked) or None,
    }


def _zeit(text: str, expected: str | None, lor_version: str) -> str:
    zeit = text.strip()
    match = _ZEIT.fullmatch(zeit)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise _RowError("ZEIT", f"ZEIT {text!r} is not a YYYYMM month")
    if expected and zeit != expected:
        raise _RowError("ZEIT", f"ZEIT {zeit} disagrees with the file's month {expected}",
                        INCONSISTENT)
    if (lor_version == LOR2021) != (zeit >= LOR2021_FIRST_MONTH):
        raise _RowError("ZEIT", f"ZEIT {zeit} does not fit {lor_version} keys (LOR 2021 from "
                        f"{LOR2021_FIRST_MONTH}, the old LOR before)", INCONSISTENT)
    return zeit


def _code(text: str, column: str, counters: _Counters) -> str:
    """A code of CODE_DIGITS, zero-padded only from its integer form (see the module doc)."""
    value = text.strip()
    digits, fewest = CODE_DIGITS[column]
    if _INT.fullmatch(value) and len(value) == digits:
        return value
    if _INT.fullmatch(value) and fewest <= len(value) < digits and value[0] != "0":
        counters.zero_padded[column] += 1  # written as a number: its leading zeros dropped
        return value.zfill(digits)
    shape = "" if fewest == digits else f" (or its {fewest}-digit integer form)"
    raise _RowError(column, f"{column} {text!r} is not a {digits}-digit code{shape}")


def _keys(layout: Layout, record: list[str], counters: _Counters,
          bezpgr_may_be_missing: bool = False) -> tuple[str, str]:
    ids = layout.ids
    plr_code = _code(record[ids["RAUMID"]], "RAUMID", counters)
    parts = {c: _code(record[ids[c]], c, counters)
             for c in ("BEZ", "PGR", "BZR", "PLR") if c in ids}
    built = "".join(parts.values())
    if len(parts) == 4 and built != plr_code:
        raise _RowError("RAUMID", f"RAUMID {plr_code} is not BEZ+PGR+BZR+PLR ({built})",
                        INCONSISTENT)
    if plr_code[:2] != parts["BEZ"]:
        raise _RowError("RAUMID", f"RAUMID {plr_code} is not in BEZ {parts['BEZ']}",
                        INCONSISTENT)
    if "BEZPGR" in ids:
        text = record[ids["BEZPGR"]]
        if bezpgr_may_be_missing and text.strip() in SUPPRESSED:
            return plr_code, parts["BEZ"]  # a no-data row: nothing of it is staged
        bezpgr = _code(text, "BEZPGR", counters)
        if bezpgr != plr_code[:4]:
            raise _RowError("BEZPGR", f"BEZPGR {bezpgr} is not the first 4 digits of RAUMID "
                            f"{plr_code}", INCONSISTENT)
    return plr_code, parts["BEZ"]


def _stadtraum(layout: Layout, record: list[str]) -> int | None:
    if "STADTRAUM" not in layout.ids:
        return None
    text = record[layout.ids["STADTRAUM"]].strip()
    if text in SUPPRESSED:
        return None
    if not _INT.fullmatch(text):
        raise _RowError("STADTRAUM", f"STADTRAUM {text!r} is not a number")
    return int(text)


def _count(text: str, column: str) -> int | None:
    value = text.strip()
    if value in SUPPRESSED:
        return None
    if _INT.fullmatch(value):
        return int(value)
    if _THOUSANDS.fullmatch(value):
        return int(value.replace(".", ""))
    if match := (_ZERO_COMMA.fullmatch(value) or _ZERO_POINT.fullmatch(value)):
        return int(match[1].replace(".", ""))
    raise _RowError(column, f"{column} {text!r} is not a whole count")


def _sum_checks(layout: Layout, counts: dict, singles: dict) -> tuple[list, list[str]]:
    """(failures as (column, reason), names of the sums that could not be checked)."""
    total_col = layout.published(layout.totals["total"])
    single_cols = [i for _, _, i in layout.single]
    sexes = [layout.totals["male"], layout.totals["female"]]
    checks = [
        (total_col, f"male+female {_plus(layout, sexes)}", [counts["male"], counts["female"]],
         counts["total"]),
        (total_col, "sum of the grouped bands", [counts[b] for b in GROUPED_BANDS],
         counts["total"]),
        (total_col, "sum of the single-age bands", [singles[i] for i in single_cols],
         counts["total"]),
    ]
    for band, i in layout.grouped.items():
        inside = layout.singles_in(band)
        checks.append((layout.published(i), f"single-age bands {_plus(layout, inside)}",
                       [singles[j] for j in inside], counts[band]))
    failures, unchecked = [], []
    for column, label, terms, target in checks:
        if target is None or None in terms:
            unchecked.append(f"{label} = {column}")
        elif sum(terms) != target:
            failures.append((column, f"{label} = {sum(terms)} but {column} = {target}"))
    return failures, unchecked


def _plus(layout: Layout, indexes: list[int]) -> str:
    return "+".join(layout.published(i) for i in indexes)


def _settled(rows: list[dict], layout: Layout, quarantine: Quarantine) -> pd.DataFrame:
    """The staged frame in key order, after the platform's one duplicate-key rule; the
    quarantine names the columns as published."""
    if not rows:
        return pd.DataFrame()
    settled = Quarantine()
    frame = settle_duplicates(pd.DataFrame(rows), KEY, settled, raw="_raw")
    for entry in settled.rows:
        quarantine.add(entry["source_row"], layout.column_of(entry["column_name"]),
                       entry["reason"], entry["raw_record"], kind=entry["kind"])
    return frame.drop(columns="_raw").sort_values(KEY, kind="stable").reset_index(drop=True)


__all__ = ["LOR2021", "LOR_OLD", "parse_ewr"]
