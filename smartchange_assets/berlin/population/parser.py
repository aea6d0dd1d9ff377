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
unreadable: it is never guessed into a number. Suppressed cells (``-``, ``.``, ``X``, empty;
docs/sources/berlin-population.md §3) are NULL. A row whose counts are all suppressed is the
publisher's no-data.

Per row (each failure quarantines the row once, kind ``inconsistent``, the reason naming every
failing sum with both numbers):

* ``E_EM + E_EW = E_E``; sum of the grouped bands = ``E_E``; sum of the single-age bands =
  ``E_E``; and each grouped band = the sum of the single-age bands inside it.
* A sum with a suppressed term or target cannot be checked: it is skipped, and its name goes
  to the staged column ``unchecked_sums`` (NULL when every sum was checked).
* ``RAUMID`` = ``BEZ+PGR+BZR+PLR`` (2 digits each), ``BEZPGR`` = ``BEZ+PGR``; leading zeros
  lost in a spreadsheet are restored (counted in the notes).
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
SUPPRESSED = frozenset({"", "-", ".", "X", "x"})

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
    zero_padded: int = 0
    unchecked: Counter = field(default_factory=Counter)


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
                 reference_month=expected_zeit, leading_zeros_restored=counters.zero_padded,
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
    plr_code, bez = _keys(layout, record, counters)
    counts = {name: _count(record[i], layout.published(i))
              for name, i in {**layout.totals, **layout.grouped}.items()}
    singles = {i: _count(record[i], layout.published(i)) for _, _, i in layout.single}
    if all(v is None for v in (*counts.values(), *singles.values())):
        return None  # every count suppressed: the publisher has no data for this PLR
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


def _digits(text: str, column: str, length: int, counters: _Counters) -> str:
    value = text.strip()
    if not _INT.fullmatch(value) or len(value) > length:
        raise _RowError(column, f"{column} {text!r} is not a {length}-digit code")
    if len(value) < length:  # leading zeros lost in a spreadsheet round trip
        counters.zero_padded += 1
    return value.zfill(length)


def _keys(layout: Layout, record: list[str], counters: _Counters) -> tuple[str, str]:
    ids = layout.ids
    plr_code = _digits(record[ids["RAUMID"]], "RAUMID", 8, counters)
    parts = {c: _digits(record[ids[c]], c, 2, counters)
             for c in ("BEZ", "PGR", "BZR", "PLR") if c in ids}
    built = "".join(parts.values())
    if len(parts) == 4 and built != plr_code:
        raise _RowError("RAUMID", f"RAUMID {plr_code} is not BEZ+PGR+BZR+PLR ({built})",
                        INCONSISTENT)
    if plr_code[:2] != parts["BEZ"]:
        raise _RowError("RAUMID", f"RAUMID {plr_code} is not in BEZ {parts['BEZ']}",
                        INCONSISTENT)
    if "BEZPGR" in ids:
        bezpgr = _digits(record[ids["BEZPGR"]], "BEZPGR", 4, counters)
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
