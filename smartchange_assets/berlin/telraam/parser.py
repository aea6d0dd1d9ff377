"""Parser for Berlin zählt Mobilität (Telraam cameras): hourly counts per road segment.

Two layouts are read, by column name (docs/sources/berlin-telraam.md §2):

* the volunteer extract in the seed (``bzm_merged_all_test_read.csv``: ``date, year_month, year,
  month, day, hour, weekday, date_local, segment_id, uptime, ped_lft … heavy_total, v85,
  car_speed0 … car_speed70, osm.*``), ``date_local`` as ``YYYY-MM-DD HH:MM:SS``;
* the official monthly ``bzm_telraam_YYYY_MM.csv.gz`` (``segment_id, date_local, uptime,
  ped_lft … v85, car_speed0 …``), ``date_local`` as ``YYYY-MM-DD HH:MM`` (per we-count code; no
  such file was seen), gzip accepted.

Rules

* ``date_local`` is Berlin wall time, hour START. Where the extract's derived ``date`` / ``hour``
  columns disagree with it, the row is quarantined as inconsistent.
* Counts (already uptime-corrected and rounded by the publisher) are staged as published. The
  ``*_total`` differs from ``*_lft + *_rgt`` by ±1 in about a fifth of the rows because parts and
  total were rounded separately (a version difference of the publisher's code): the published
  total is kept, nothing is quarantined for it, and the number of such rows per mode is in the
  parse notes.
* Hours without data are absent rows (V1 cameras do not count in the dark), not zeros. A row
  with every count empty is the publisher's no-data.
* ``v85`` goes to ``car_v85_kmh``, ``uptime`` to ``uptime`` (both empty in the extract). The
  speed histogram and the OSM attributes are not staged here (OSM attributes are metadata, see
  the segments GeoJSON in ``mobility_sites``).
"""

from __future__ import annotations

import pandas as pd

from smartchange_assets.berlin.mobility.common import (
    SIDE_MODES,
    TELRAAM,
    finish,
    payload_text,
    quarantine_rows,
    read_cells,
    to_count,
    to_float,
)
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseResult,
    Quarantine,
)

# published prefix -> our mode
PREFIX = {"ped": "pedestrian", "bike": "bike", "car": "car", "heavy": "heavy"}
# the columns read, by their published names; the extract's derived date and hour are checked
HEADER = HeaderSpec(
    {c: () for c in ("segment_id", "date_local", "uptime", "v85", "date", "hour",
                     *(f"{p}_{part}" for p in PREFIX for part in ("total", "lft", "rgt")))},
    required=("segment_id", "date_local", *(f"{p}_total" for p in PREFIX)))
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


def parse_telraam(data: bytes, file_name: str) -> ParseResult:
    text = payload_text(data, file_name)
    cells, width_problem = read_cells(text, file_name, HEADER)
    quarantine = Quarantine()
    bad_width = width_problem.notna()
    quarantine_rows(quarantine, cells, bad_width, None, width_problem, UNREADABLE)
    rows = cells[~bad_width]

    local = _local_time(rows["date_local"])
    bad_time = local.isna()
    quarantine_rows(quarantine, rows, bad_time, "date_local",
                    "is not an hour YYYY-MM-DD HH:MM[:SS]", UNREADABLE)
    bad_segment = ~bad_time & ~rows["segment_id"].str.fullmatch(r"\d+")
    quarantine_rows(quarantine, rows, bad_segment, "segment_id",
                    "is not a Telraam segment id", UNREADABLE)
    ok = ~bad_time & ~bad_segment
    mismatch, column, reason = _derived_columns_disagree(rows, local)
    for col in dict.fromkeys(column[ok & mismatch]):
        quarantine_rows(quarantine, rows, ok & mismatch & column.eq(col), col, reason,
                        INCONSISTENT, quote=False)
    ok &= ~mismatch

    values: dict[str, pd.Series] = {}
    for prefix, mode in PREFIX.items():
        for part in ("total", "lft", "rgt"):
            published = f"{prefix}_{part}"
            if published not in rows:
                continue
            target = f"count_{mode}" if part == "total" else f"count_{mode}_{part}"
            counts, unreadable, not_count = to_count(rows[published])
            for mask, kind, what in ((unreadable, UNREADABLE, "is not a number"),
                                     (not_count, INCONSISTENT, "is not a whole number >= 0")):
                quarantine_rows(quarantine, rows, ok & mask, published, what, kind)
                ok &= ~mask
            values[target] = counts
    for published, target in (("v85", "car_v85_kmh"), ("uptime", "uptime")):
        if published in rows:
            numbers, unreadable = to_float(rows[published])
            quarantine_rows(quarantine, rows, ok & unreadable, published, "is not a number",
                            UNREADABLE)
            ok &= ~unreadable
            values[target] = numbers
    totals = [f"{p}_total" for p in PREFIX]
    no_data = ok & rows[totals].eq("").all(axis=1)
    keep = ok & ~no_data

    cand = rows.loc[keep, ["source_row", "_raw"]].assign(
        site_id_raw=rows.loc[keep, "segment_id"], period_start_local=local[keep],
        **{name: series[keep] for name, series in values.items()})
    staged = finish(cand, quarantine, TELRAAM)
    return ParseResult(staged=staged, source_rows=len(cells), no_data=int(no_data.sum()),
                       quarantine=quarantine.frame(), notes={
                           "layout": "extract" if "date" in cells else "official",
                           "segments": sorted(staged["site_id"].unique().tolist()),
                           "total_differs_from_lft_plus_rgt": _rounding_differences(staged),
                       })


def _local_time(cells: pd.Series) -> pd.Series:
    out = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns]")
    for fmt in DATE_FORMATS:
        missing = out.isna()
        out[missing] = pd.to_datetime(cells[missing], format=fmt, errors="coerce")
    # an hourly count starts on the hour
    return out.where(out.dt.minute.eq(0) & out.dt.second.eq(0))


def _derived_columns_disagree(rows: pd.DataFrame, local: pd.Series
                              ) -> tuple[pd.Series, pd.Series, str | pd.Series]:
    """The extract's ``date`` and ``hour`` columns are derived from ``date_local``; a row where
    they disagree contradicts itself."""
    mismatch = pd.Series(False, index=rows.index)
    column = pd.Series("", index=rows.index, dtype="str")
    reason = pd.Series("", index=rows.index, dtype="str")
    checks = []
    if "date" in rows:
        checks.append(("date", local.dt.strftime("%Y-%m-%d")))
    if "hour" in rows:
        checks.append(("hour", local.dt.hour.astype("Int64").astype("str")))
    for col, expected in checks:
        bad = local.notna() & ~mismatch & rows[col].ne(expected)
        mismatch |= bad
        column[bad] = col
        reason[bad] = (f"{col} " + rows.loc[bad, col].map(repr) + " disagrees with date_local "
                       + rows.loc[bad, "date_local"].map(repr))
    return mismatch, column, reason


def _rounding_differences(staged: pd.DataFrame) -> dict[str, int]:
    out = {}
    for mode in SIDE_MODES:
        # a layout without the sides leaves them NULL: nothing to compare
        total = staged[f"count_{mode}"].astype("Int64")
        parts = (staged[f"count_{mode}_lft"].astype("Int64")
                 + staged[f"count_{mode}_rgt"].astype("Int64"))
        out[mode] = int((total != parts).fillna(False).sum())
    return out
