"""Parser for the MSS index-indicator table (Monitoring Soziale Stadtentwicklung, Berlin).

One CSV of table 3 "Index-Indikatoren nach Status und Dynamik – standardisierte Anteilswerte
(z-Werte) – Planungsräume" -> one staged row per Planungsraum row
(docs/sources/berlin-social-monitoring.md).

Form (tolerated): UTF-8 with or without BOM, CRLF or LF, no final line break, delimiter sniffed
from the header (``;`` as published), decimal point or comma, columns by name in any order
(header cells with a trailing space, ``Zuordnung Klasse Status-Index ``, meet their names).
The residents column names its reference day (``EW 31.12.2020``), which becomes the row's
``reference_date``; a Planungsraum id that lost its leading zero in a spreadsheet is padded.

Meaning (strict):

* the ``K 01`` … ``K 17`` headers belong to the MSS *context*-indicator table (shares of
  residents, not z-scores): such a file is refused, naming the column, never read as this one;
* the status sum is ``zS1 + zS3 + zS4`` (shown to two decimals, so within 0.015), the dynamics
  sum ``zD1 + zD3 + zD4``; a row breaking either is ``inconsistent``;
* the class must fit its standardised index (status: ``hoch`` ≤ −1, ``mittel`` −1…1,
  ``niedrig`` 1…1.5, ``sehr niedrig`` > 1.5; dynamics: ``positiv`` ≤ −1, ``stabil`` −1…1,
  ``negativ`` > 1; the index is shown to two decimals, so 0.005 either side) – else
  ``inconsistent``; a class outside these words is ``unreadable``;
* a Planungsraum without index values (fewer than 300 residents: the publisher computes none)
  is staged with its residents and NULL indicators, ``indexed = false``; a row with only some
  of them is ``inconsistent``;
* LOR version: MSS editions with data from 31.12.2020 on use LOR 2021 (542 Planungsräume),
  earlier ones the old LOR; the blocking ``plr_in_lor`` check ties the keys to the LOR table.

A Planungsraum listed twice follows the platform's one duplicate rule.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.names import is_missing, tidy
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

LOR2021, LOR_OLD = "LOR2021", "LOR_OLD"
LOR2021_FROM = dt.date(2020, 12, 31)  # MSS 2021 (data 31.12.2020) is the first on LOR 2021

STATUS_CLASSES = ("hoch", "mittel", "niedrig", "sehr niedrig")
DYNAMICS_CLASSES = ("positiv", "stabil", "negativ")
# class -> (lowest, highest) standardised index it admits
STATUS_BOUNDS = {"hoch": (None, -1.0), "mittel": (-1.0, 1.0), "niedrig": (1.0, 1.5),
                 "sehr niedrig": (1.5, None)}
DYNAMICS_BOUNDS = {"positiv": (None, -1.0), "stabil": (-1.0, 1.0), "negativ": (1.0, None)}
INDEX_ROUNDING = 0.005     # the index is shown to two decimals
SUM_TOLERANCE = 0.015 + 1e-9  # three terms rounded to two decimals each

VALUE_COLUMNS = ("z_s1", "z_s3", "z_s4", "status_sum", "status_index",
                 "z_d1", "z_d3", "z_d4", "dynamics_sum", "dynamics_index")
CLASS_COLUMNS = ("status_class", "dynamics_class")

HEADER = HeaderSpec({
    "plr_code": ("PLR-ID", "PLR_ID", "PLR", "Planungsraum-ID", "RAUMID"),
    "plr_name": ("PLR-Name", "PLR_NAME", "Planungsraum", "Name"),
    "z_s1": ("zS1", "z S1", "S1 (z-Wert)"),
    "z_s3": ("zS3", "z S3", "S3 (z-Wert)"),
    "z_s4": ("zS4", "z S4", "S4 (z-Wert)"),
    "status_sum": ("Status-summe", "Statussumme", "Summe Status"),
    "status_index": ("Status-Index (standardisierte Statussumme)", "Status-Index",
                     "Statusindex"),
    "status_class": ("Zuordnung Klasse Status-Index", "Klasse Status-Index", "Status-Klasse"),
    "z_d1": ("zD1", "z D1", "D1 (z-Wert)"),
    "z_d3": ("zD3", "z D3", "D3 (z-Wert)"),
    "z_d4": ("zD4", "z D4", "D4 (z-Wert)"),
    "dynamics_sum": ("Dynamik-summe", "Dynamiksumme", "Summe Dynamik"),
    "dynamics_index": ("Dynamik-Index (standardisierte Dynamik-summe)", "Dynamik-Index",
                       "Dynamikindex"),
    "dynamics_class": ("Zuordnung Klasse Dynamik-Index", "Klasse Dynamik-Index",
                       "Dynamik-Klasse"),
}, required=("plr_code", "plr_name", *VALUE_COLUMNS, *CLASS_COLUMNS))

KEY = ("plr_code",)

_RESIDENTS = re.compile(r"^EW\s*(\d{1,2})\.(\d{1,2})\.(\d{4})$", re.IGNORECASE)
_CONTEXT = re.compile(r"^K\s*\d{1,2}$", re.IGNORECASE)
_EDITION = re.compile(r"mss[_-]?(\d{4})", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


class _RowError(Exception):
    def __init__(self, column: str, reason: str, kind: str = UNREADABLE):
        super().__init__(reason)
        self.column, self.reason, self.kind = column, reason, kind


def parse_mss_index(data: bytes, file_name: str) -> ParseResult:
    """Parse one MSS index-indicator CSV into one staged row per Planungsraum."""
    header, records = _read(data, file_name)
    at = HEADER.positions(header, file_name, row=1)
    residents_at, reference_date = _residents_column(header, file_name)
    lor_version = LOR2021 if reference_date >= LOR2021_FROM else LOR_OLD
    edition = _EDITION.search(file_name)
    quarantine, rows, padded = Quarantine(), [], 0
    for source_row, record in enumerate(records, start=1):
        raw = dict(zip(header, record, strict=False))
        if len(record) != len(header):
            quarantine.add(source_row, None, f"row has {len(record)} fields, header has "
                           f"{len(header)}", raw)
            continue
        try:
            code, was_padded = _plr_code(record[at["plr_code"]], header[at["plr_code"]])
            row = _values(record, at, header)
            row["residents"] = _count(record[residents_at], header[residents_at])
        except _RowError as err:
            quarantine.add(source_row, err.column, err.reason, raw, err.kind)
            continue
        padded += was_padded
        rows.append({"source_row": source_row, "reference_date": reference_date,
                     "lor_version": lor_version, "plr_code": code,
                     "bezirk_code": code[:2], "plr_name": tidy(record[at["plr_name"]]),
                     "edition": int(edition[1]) if edition else None, **row, "_raw": raw})
    frame = pd.DataFrame(rows, columns=["source_row", "reference_date", "lor_version",
                                        "plr_code", "bezirk_code", "plr_name", "edition",
                                        "residents", *VALUE_COLUMNS, *CLASS_COLUMNS,
                                        "indexed", "_raw"])
    frame = settle_duplicates(frame, KEY, quarantine, raw="_raw")
    result = ParseResult(staged=frame.drop(columns="_raw"), source_rows=len(records),
                         quarantine=quarantine.frame(),
                         notes={"reference_date": reference_date.isoformat(),
                                "lor_version": lor_version, "leading_zeros_restored": padded})
    result.reconcile()
    return result


def _read(data: bytes, file_name: str) -> tuple[list[str], list[list[str]]]:
    if not data.strip():
        raise ParseError(file_name, "empty payload")
    text = decode_text(data, file_name).lstrip("\ufeff")
    first_line = text.split("\n", 1)[0].rstrip("\r")
    header, records = read_csv_records(text, sniff_delimiter(first_line, candidates=";,\t"))
    context = [h for h in header if _CONTEXT.match(h.strip())]
    if context:
        raise ParseError(file_name, "header names MSS context indicators ('K 01' … 'K 17': "
                         "shares of residents), not the index indicators zS1, zS3, zS4 with "
                         "status and dynamics classes: this is another MSS table",
                         row=1, column=context[0])
    if not records:
        raise ParseError(file_name, "no data rows after the header")
    return header, records


def _residents_column(header: list[str], file_name: str) -> tuple[int, dt.date]:
    found = [(i, m) for i, h in enumerate(header) if (m := _RESIDENTS.match(h.strip()))]
    if len(found) != 1:
        raise ParseError(file_name, f"expected one residents column 'EW <dd.mm.yyyy>', found "
                         f"{[header[i] for i, _ in found] or 'none'}; header as published: "
                         f"{header}", row=1)
    i, m = found[0]
    try:
        return i, dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        raise ParseError(file_name, f"residents column {header[i]!r} names no valid day",
                         row=1, column=header[i]) from None


def _plr_code(text: str, column: str) -> tuple[str, int]:
    value = text.strip()
    if not _DIGITS.fullmatch(value) or not 7 <= len(value) <= 8:
        raise _RowError(column, f"Planungsraum id {text!r} is not an 8-digit code")
    return value.zfill(8), int(len(value) == 7)


# no Planungsraum has a billion residents; int() refuses over 4,300 digits anyway
MAX_COUNT_DIGITS = 9


def _count(text: str, column: str) -> int:
    value = text.strip().replace(".", "") if re.fullmatch(r"\d{1,3}(\.\d{3})+", text.strip()) \
        else text.strip()
    if not _DIGITS.fullmatch(value) or len(value) > MAX_COUNT_DIGITS:
        raise _RowError(column, f"residents {text[:40]!r} is not a whole count")
    return int(value)


def _number(text: str, column: str) -> float | None:
    value = text.strip()
    if not value:
        return None
    if "," in value and "." not in value:
        value = value.replace(",", ".")
    try:
        return float(value)
    except ValueError:
        raise _RowError(column, f"{column} {text!r} is not a number") from None


def _values(record: list[str], at: dict[str, int], header: list[str]) -> dict:
    published = {c: header[at[c]] for c in (*VALUE_COLUMNS, *CLASS_COLUMNS)}
    values = {c: _number(record[at[c]], published[c]) for c in VALUE_COLUMNS}
    classes = {c: tidy(record[at[c]]).lower() or None for c in CLASS_COLUMNS}
    present = ([c for c in VALUE_COLUMNS if values[c] is not None]
               + [c for c in CLASS_COLUMNS if not is_missing(classes[c])])
    if not present:  # the publisher computes no index below 300 residents
        return {**values, **classes, "indexed": False}
    if len(present) != len(VALUE_COLUMNS) + len(CLASS_COLUMNS):
        missing = [published[c] for c in (*VALUE_COLUMNS, *CLASS_COLUMNS) if c not in present]
        raise _RowError(missing[0], f"only some index values published; missing {missing}",
                        INCONSISTENT)
    for column, allowed in (("status_class", STATUS_CLASSES),
                            ("dynamics_class", DYNAMICS_CLASSES)):
        if classes[column] not in allowed:
            raise _RowError(published[column], f"class {classes[column]!r} is not one of "
                            f"{list(allowed)}")
    for total, parts in (("status_sum", ("z_s1", "z_s3", "z_s4")),
                         ("dynamics_sum", ("z_d1", "z_d3", "z_d4"))):
        summed = sum(values[p] for p in parts)
        if abs(summed - values[total]) > SUM_TOLERANCE:
            raise _RowError(published[total], f"{published[total]} {values[total]} is not the "
                            f"sum of {[published[p] for p in parts]} ({summed:.2f})",
                            INCONSISTENT)
    for column, index, bounds in (("status_class", "status_index", STATUS_BOUNDS),
                                  ("dynamics_class", "dynamics_index", DYNAMICS_BOUNDS)):
        low, high = bounds[classes[column]]
        value = values[index]
        if (low is not None and value < low - INDEX_ROUNDING) or \
                (high is not None and value > high + INDEX_ROUNDING):
            raise _RowError(published[column], f"class {classes[column]!r} does not fit "
                            f"{published[index]} {value} (admits {low} to {high})",
                            INCONSISTENT)
    return {**values, **classes, "indexed": True}

