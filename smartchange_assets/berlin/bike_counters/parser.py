"""Parser for the Berlin bicycle counters (Fahrradzählstellen, SenMVKU), long CSV form.

The official workbook ``gesamtdatei-stundenwerte.xlsx`` has one wide "Jahresdatei YYYY" sheet per
year; the seed files are its long conversion (kirahowe/workshops): ``date,station-id,count``,
one row per station and hour, e.g. ``2012-03-01T00:00,12-PA-SCH,11.0``
(docs/sources/berlin-bike-counters.md §2).

* ``date`` is Berlin wall time, hour START, no offset. Every full year has 24 rows a day: the
  spring-forward day HAS a 02:00 row (kept, flagged ``dst_nonexistent_hour``, no UTC), the
  fall-back day has ONE 02:00 row (read as +02:00, flagged ``dst_repeated_hour``); see
  :mod:`.common`.
* ``count`` is written as a float (``11.0``) but always integral; a fractional or negative
  value is quarantined as inconsistent, an unparseable one as unreadable. An empty count is the
  publisher's no-data (never seen: blank workbook cells were dropped as rows).
* ``station-id`` is mapped to the current metadata's id with :data:`SITE_ID_MAP`.
* ``data-2012.csv`` (sheet "Jahresdatei 2012") runs 2012-03-01 … 2013-12-31: its 2013 part is a
  byte-identical copy of the 2013 sheet. It is staged in full, as published; the union in
  ``mobility_counts`` keeps one row per site and hour across payloads (newest payload wins).
"""

from __future__ import annotations

import re

import pandas as pd

from smartchange_assets.berlin.mobility.common import (
    BIKE_COUNTER,
    finish,
    payload_text,
    quarantine_rows,
    read_cells,
    to_count,
)
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseResult,
    Quarantine,
)

HEADER = HeaderSpec({"date": (), "station-id": (), "count": ()},
                    required=("date", "station-id", "count"))
DATE_FORMAT = "%Y-%m-%dT%H:%M"
# the counters started in 2012 (docs/sources/berlin-bike-counters.md); a wide margin either way
PLAUSIBLE_YEARS = (1990, 2100)

#: Raw station id -> canonical id of the current metadata (location-info.csv). Older year
#: sheets use ids that differ from the current metadata (docs/sources/berlin-bike-counters.md
#: §3): the column header
#: ``17-SZ-BRE-O 01.05.2016`` is the site the metadata calls ``17-SK-BRE-O`` (Breitenbachplatz,
#: district Steglitz-Zehlendorf). ``17-SZ-BRE-W`` is the same site's other direction: inferred
#: by analogy, not seen in a file.
SITE_ID_MAP: dict[str, str] = {
    "17-SZ-BRE-O": "17-SK-BRE-O",
    "17-SZ-BRE-W": "17-SK-BRE-W",
}

# official ids: district number, district letters, site letters, optional direction
STATION_ID = re.compile(r"^\d{2}-[A-Z]{2}-[A-Z0-9]{2,4}(-[NSOW])?$")


def parse_bike_counts(data: bytes, file_name: str) -> ParseResult:
    text = payload_text(data, file_name)
    cells, width_problem = read_cells(text, file_name, HEADER)
    quarantine = Quarantine()
    bad_width = width_problem.notna()
    quarantine_rows(quarantine, cells, bad_width, None, width_problem, UNREADABLE)
    rows = cells[~bad_width]

    local = pd.to_datetime(rows["date"], format=DATE_FORMAT, errors="coerce")
    unparsed = local.isna()
    quarantine_rows(quarantine, rows, unparsed, "date",
                    "is not YYYY-MM-DDTHH:MM", UNREADABLE)
    # a garbled year parses (pandas reads any year) but is no counting hour of this network
    implausible = ~unparsed & ~local.dt.year.between(*PLAUSIBLE_YEARS)
    quarantine_rows(quarantine, rows, implausible, "date",
                    f"has a year outside {PLAUSIBLE_YEARS[0]}–{PLAUSIBLE_YEARS[1]}", UNREADABLE)
    bad_date = unparsed | implausible
    local = local.where(~bad_date)
    bad_station = ~bad_date & ~rows["station-id"].str.fullmatch(STATION_ID)
    quarantine_rows(quarantine, rows, bad_station, "station-id",
                    "is not a counter id", UNREADABLE)
    counts, unreadable, not_count = to_count(rows["count"])
    ok = ~bad_date & ~bad_station
    quarantine_rows(quarantine, rows, ok & unreadable, "count",
                    "is not a number", UNREADABLE)
    quarantine_rows(quarantine, rows, ok & not_count, "count",
                    "is not a whole number >= 0", INCONSISTENT)
    no_data = ok & rows["count"].eq("")
    keep = ok & ~unreadable & ~not_count & ~no_data

    cand = rows.loc[keep, ["source_row", "_raw"]].assign(
        site_id_raw=rows.loc[keep, "station-id"], period_start_local=local[keep],
        count_bike=counts[keep])
    staged = finish(cand, quarantine, BIKE_COUNTER, SITE_ID_MAP)
    renamed = sorted({r for r in rows["station-id"] if r in SITE_ID_MAP})
    return ParseResult(staged=staged, source_rows=len(cells), no_data=int(no_data.sum()),
                       quarantine=quarantine.frame(), notes={
                           "stations": sorted(staged["site_id"].unique().tolist()),
                           "renamed_station_ids": renamed,
                           "local_min": _iso(staged["period_start_local"].min()),
                           "local_max": _iso(staged["period_start_local"].max()),
                       })


def _iso(value) -> str | None:
    return None if pd.isna(value) else value.isoformat()
