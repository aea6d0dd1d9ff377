"""Parser of the example source: one CSV of daily values per area (replace with your source's).

A parser is a pure function, bytes in, :class:`ParseResult` out: no Dagster, no database, so it
is tested on the real files directly. Every source row ends up staged, counted as the
publisher's no-data, or quarantined with a kind and a reason (docs/parsers.md).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.names import is_missing, tidy
from smartchange_assets.platform.parsing import (
    UNREADABLE,
    ParseResult,
    Quarantine,
    decode_text,
    read_csv_records,
)

# every spelling the publisher has used for a column; order in the file does not matter
HEADER = HeaderSpec({
    "date": ("datum", "tanggal"),
    "area": ("bezirk", "wilayah"),
    "value": ("wert", "nilai"),
}, required=("date", "area", "value"))
# the staging key without payload_sha256 (source.py's KEY): one row per area and day
KEY = ("date", "area")


def parse_example(data: bytes, file_name: str) -> ParseResult:
    header, records = read_csv_records(decode_text(data, file_name))
    at = HEADER.positions(header, file_name, row=1)
    quarantine, rows, no_data = Quarantine(), [], 0
    for i, record in enumerate(records, start=1):
        raw = dict(zip(header, record))
        cells = {name: record[pos] if pos < len(record) else "" for name, pos in at.items()}
        if is_missing(cells["value"]):
            no_data += 1  # the publisher left the value empty: counted, not stored
            continue
        try:
            day = dt.date.fromisoformat(cells["date"].strip())
        except ValueError:
            quarantine.add(i, "date", f"unparseable date {cells['date']!r}", raw, UNREADABLE)
            continue
        try:
            value = float(cells["value"].replace(",", "."))
        except ValueError:
            quarantine.add(i, "value", f"not a number: {cells['value']!r}", raw, UNREADABLE)
            continue
        rows.append({"source_row": i, "date": day, "area": tidy(cells["area"]), "value": value,
                     "_raw": raw})
    frame = pd.DataFrame(rows, columns=["source_row", *KEY, "value", "_raw"])
    frame = settle_duplicates(frame, KEY, quarantine, raw="_raw")
    return ParseResult(staged=frame.drop(columns="_raw"), source_rows=len(records),
                       no_data=no_data, quarantine=quarantine.frame())
