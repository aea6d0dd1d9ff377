"""The one staging design of the three mobility count sources, and what their parsers share.

Every count source stages **one row per source row** (so reconciliation stays per source row),
in the same wide layout: the site, the hour, and one nullable integer count column per mode
(``count_bike``, ``count_pedestrian``, ``count_car``, ``count_heavy``, ``count_motor_vehicle``,
``count_truck``). A source leaves the modes it does not measure NULL. The SQL table
``berlin/staging/mobility_counts`` unions the three staging tables and turns them long (one row
per site, hour and mode).

Time rules (all three publishers label an hour by its START in Europe/Berlin wall time)
------------------------------------------------------------------------------------------
* ``period_start_local`` is the published wall time, kept as published.
* ``period_start_utc`` is that wall time localised in Europe/Berlin.
* A wall time that does not exist (the 02:00 hour of a spring-forward day, which the bike
  counter files DO contain, 24 rows a day all year) is kept, flagged
  ``time_flag = 'dst_nonexistent_hour'`` and has ``period_start_utc`` NULL: it cannot be placed
  on the time line, and shifting it to 01:00 or 03:00 UTC would invent an hour or collide with
  a real one.
* A wall time that occurs twice (02:00 on a fall-back day) is flagged
  ``time_flag = 'dst_repeated_hour'``. Rule: the first row of a site with that wall time is the
  first occurrence (summer time, +02:00, ``dst_fold = 0``), a second row is the second
  occurrence (+01:00, ``dst_fold = 1``), as in PEP 495. Files list a site's hours in time order,
  so this reads Telraam's two converted-from-UTC rows correctly; the bike counters and the
  detectors have only one 02:00 row on that day (the publisher merged or dropped an hour), which
  is therefore read as +02:00 and keeps the flag so that consumers know it may hold two hours.
* A third row with the same site and wall time (or a second one for an ordinary hour) repeats
  the key (site, wall time, fold) of an earlier row, and the platform's one duplicate-key rule
  applies (:func:`~smartchange_assets.platform.duplicates.settle_duplicates`): an exact repeat
  is quarantined as ``duplicate`` and the first row staged; rows with differing values are
  none of them staged (``inconsistent``), because nothing says which one is right.

Missing hours are absent rows in all three publications; zeros are real zeros as published
(the bike data's suspicious zero runs are flagged downstream, in ``mobility_counts``).
"""

from __future__ import annotations

import csv
import gzip
import re
import zlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.parsing import (
    ParseError,
    Quarantine,
    decode_text,
    read_csv_records,
    sniff_delimiter,
)
from smartchange_assets.platform.tables import Column

TZ = "Europe/Berlin"
FIELD_LIMIT = csv.field_size_limit()  # what platform.parsing allows a csv field
# (RE2) every character str.isspace() takes, and a few more
_ANY_SPACE = r"\s\v\x1c-\x1f\x85\p{Z}"
_PLAIN_INTEGER = r"^-?[0-9]{1,15}$"
_PLAIN_DECIMAL = r"^-?[0-9]{1,13}(\.[0-9]{1,2})?$"

BIKE_COUNTER, TELRAAM = "bike_counter", "telraam"
DETECTOR_MQ, DETECTOR_DET = "traffic_detector_mq", "traffic_detector_det"
COUNTER_KINDS = (BIKE_COUNTER, TELRAAM, DETECTOR_MQ, DETECTOR_DET)

NONEXISTENT_HOUR, REPEATED_HOUR = "dst_nonexistent_hour", "dst_repeated_hour"
TIME_FLAGS = (NONEXISTENT_HOUR, REPEATED_HOUR)

# mode -> what it counts; the staging column is count_<mode>
MODES = {
    "bike": "bicycles",
    "pedestrian": "pedestrians (Telraam)",
    "car": "cars / light vehicles (Telraam car, detector Pkw)",
    "heavy": "heavy vehicles (Telraam heavy)",
    "motor_vehicle": "all motor vehicles (detector Kfz)",
    "truck": "trucks (detector Lkw)",
}
COUNT_COLUMNS = [f"count_{m}" for m in MODES]
# Telraam publishes each mode per direction as well; totals are kept as published (see telraam)
SIDE_MODES = ("pedestrian", "bike", "car", "heavy")
SIDE_COLUMNS = [f"count_{m}_{side}" for m in SIDE_MODES for side in ("lft", "rgt")]
# detector mean speeds per vehicle class (the publisher's -1 "no vehicles" becomes NULL)
SPEED_COLUMNS = {"motor_vehicle": "speed_motor_vehicle_kmh", "car": "speed_car_kmh",
                 "truck": "speed_truck_kmh"}

COLUMNS = [
    Column("source_row", "bigint", "record number in the payload (1-based data row)",
           nullable=False),
    Column("counter_kind", "text", "bike_counter, telraam, traffic_detector_mq or "
           "traffic_detector_det", nullable=False),
    Column("site_id", "text", "canonical site id (renamed ids mapped, see site_id_raw)",
           nullable=False),
    Column("site_id_raw", "text", "site id as published", nullable=False),
    Column("period_start_local", "timestamp", "start of the hour, Europe/Berlin wall time as "
           "published", nullable=False),
    Column("period_start_utc", "timestamptz", "start of the hour in UTC; NULL only for a "
           "wall time that does not exist (time_flag dst_nonexistent_hour)"),
    Column("local_date", "date", "Europe/Berlin calendar date of the hour", nullable=False),
    Column("dst_fold", "smallint", "0, or 1 for the second occurrence of the repeated "
           "fall-back hour (PEP 495 fold)", nullable=False),
    Column("time_flag", "text", "dst_nonexistent_hour, dst_repeated_hour or NULL"),
    *[Column(f"count_{m}", "bigint", f"{what} in the hour") for m, what in MODES.items()],
    *[Column(c, "bigint", f"Telraam {c.split('_')[1]}s, {c.rsplit('_', 1)[1]} side of the "
             "road") for c in SIDE_COLUMNS],
    Column("quality", "double precision", "detector qualitaet: share of valid sub-intervals "
           "(0, 1]; NULL for bike counters and Telraam"),
    *[Column(c, "double precision", f"mean speed of {m.replace('_', ' ')}s, km/h (detectors)")
      for m, c in SPEED_COLUMNS.items()],
    Column("car_v85_kmh", "double precision", "Telraam v85 of cars, km/h (85th percentile)"),
    Column("uptime", "double precision", "Telraam share of the hour the camera counted"),
]
# unique inside a payload; the platform adds payload_sha256 in front
KEY = ("site_id", "period_start_local", "dst_fold")


def payload_text(data: bytes, file: str) -> str:
    """The payload as text: gzip is unpacked first (the detector portal serves .csv.gz and the
    archive keeps the bytes as received), then UTF-8 with a cp1252 fallback."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:
            raise ParseError(file, f"gzip stream is truncated or corrupt ({exc})") \
                from exc
    if not data.strip():
        raise ParseError(file, "empty payload")
    return decode_text(data, file)


def read_cells(text: str, file: str, header: HeaderSpec,
               delimiter: str | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """The data rows as a frame of stripped strings, one column per column of ``header`` the
    payload has (by its canonical name, found whatever the order, case or spacing), plus a
    per-row problem (``None`` when the row has exactly the header's width).

    ``source_row`` is the 1-based data-row number; ``_raw`` the line as published. A missing
    required column, or a payload whose last line is cut short without a line end, raises
    ParseError naming the file.
    """
    delimiter = delimiter or sniff_delimiter(text.split("\n", 1)[0].rstrip("\r"))
    plain = _plain_records(text, delimiter)
    if plain is not None:  # the same cells as below, split by Arrow (a full month in ~1 s less)
        published, lines, records = plain
        positions = header.positions(published, file, row=1)
        frame = pd.DataFrame({name: pd.Series(pc.list_element(records, i), dtype="str")
                              .str.strip() for name, i in positions.items()})
        frame.insert(0, "source_row", np.arange(1, len(frame) + 1, dtype="int64"))
        frame["_raw"] = pd.Series(lines, dtype="str")
        return frame, pd.Series(None, index=frame.index, dtype="object")
    published, rows = read_csv_records(text, delimiter)
    positions = header.positions(published, file, row=1)
    width = len(published)
    if rows and len(rows[-1]) != width and not text.endswith(("\n", "\r")):
        raise ParseError(file, f"payload ends mid-line: the last line has "
                         f"{len(rows[-1])} of {width} fields (truncated)", row=len(rows))
    padded = [r if len(r) == width else (r + [""] * width)[:width] for r in rows]
    frame = pd.DataFrame({name: pd.Series([r[i] for r in padded], dtype="str").str.strip()
                          for name, i in positions.items()})
    frame.insert(0, "source_row", np.arange(1, len(rows) + 1, dtype="int64"))
    frame["_raw"] = [delimiter.join(r) for r in rows]
    problem = pd.Series([None if len(r) == width else
                         f"line has {len(r)} fields, the header has {width}" for r in rows],
                        index=frame.index, dtype="object")
    return frame, problem


def _plain_records(text: str, delimiter: str
                   ) -> tuple[list[str], pa.Array, pa.ListArray] | None:
    """Header and records of a CSV text that needs none of the csv reader's rules: no quote
    character, no NUL, no line break but ``\\n`` / ``\\r\\n``, no blank line, no line longer
    than the reader's field limit, and every record as wide as the header. Then each line is one
    record, split at the delimiter, exactly as :func:`read_csv_records` reads it (header, lines,
    records); ``None`` otherwise (the reader reads it, with its rules and its errors)."""
    if '"' in text or "\x00" in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    first, _, body = text.partition("\n")
    published = [h.strip().lstrip("\ufeff") for h in first.split(delimiter)]
    if not first.strip() or not body:
        return None
    lines = pc.split_pattern(pa.array([body.removesuffix("\n")], pa.large_string()),
                             "\n").flatten()
    if len(lines) == 0 or pc.max(pc.utf8_length(lines)).as_py() > FIELD_LIMIT:
        return None
    # a line with a character that is neither the delimiter nor anything str.isspace() takes
    # is not blank; any other line might be, and the reader (which skips blank lines) reads it
    filled = pc.match_substring_regex(lines, f"[^{re.escape(delimiter)}{_ANY_SPACE}]")
    records = pc.split_pattern(lines, delimiter)
    widths = pc.list_value_length(records)
    if not pc.all(filled).as_py() or not pc.all(pc.equal(widths, len(published))).as_py():
        return None
    return published, lines, records


def quarantine_rows(quarantine: Quarantine, frame: pd.DataFrame, mask: pd.Series,
                    column: str | None, reason: pd.Series | str, kind: str, *,
                    quote: bool = True) -> None:
    """Quarantine every row of ``frame`` where ``mask`` holds. The reason is one text or one per
    row; with ``quote`` it is prefixed by the column and its value: ``count '1x' is not …``."""
    for idx in frame.index[mask.to_numpy()]:
        text = reason if isinstance(reason, str) else reason.at[idx]
        if quote and column is not None:
            text = f"{column} {frame.at[idx, column]!r} {text}"
        quarantine.add(int(frame.at[idx, "source_row"]), column, text, frame.at[idx, "_raw"],
                       kind=kind)


def to_count(cells: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Counts as nullable ints. Returns (values, unreadable mask, not-a-count mask).

    ``11.0`` is read as 11 (the bike CSV writes counts as floats); empty stays missing; a
    fractional or negative number is read but is not a count.
    """
    numbers = numeric(cells)
    unreadable = numbers.isna() & cells.ne("")
    bad = numbers.notna() & ((numbers < 0) | (numbers != np.floor(numbers))
                             | ~np.isfinite(numbers))
    values = numbers.where(~bad).astype("Float64").round().astype("Int64")
    return values, unreadable, bad


def to_float(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Floats (empty = missing) and the mask of unreadable cells."""
    numbers = numeric(cells).astype("float64")
    return numbers, numbers.isna() & cells.ne("")


def numeric(cells: pd.Series) -> pd.Series:
    """``pd.to_numeric(cells.replace("", None), errors="coerce")``, the same values and dtype.

    A column of plain numbers (up to 15 digits, at most 2 after the point: exactly
    representable, or a single correctly rounded division, whichever parser reads them) is
    converted by Arrow, ~20x faster; anything else (exponents, ``nan``, words, long
    fractions) by pandas."""
    text = pa.array(cells, pa.large_string())
    given = pc.not_equal(text, "")
    if pc.all(pc.match_substring_regex(pc.filter(text, given), _PLAIN_INTEGER)).as_py():
        if pc.all(given).as_py():
            return pd.Series(pc.cast(text, pa.int64()), index=cells.index, dtype="int64")
        target = pa.float64()
    elif pc.all(pc.match_substring_regex(pc.filter(text, given), _PLAIN_DECIMAL)).as_py():
        target = pa.float64()
    else:
        return pd.to_numeric(cells.replace("", None), errors="coerce")
    values = pc.cast(pc.if_else(given, text, pa.scalar(None, pa.large_string())), target)
    return pd.Series(values, index=cells.index, dtype="float64")


def finish(cand: pd.DataFrame, quarantine: Quarantine, counter_kind: str,
           site_map: dict[str, str] | None = None) -> pd.DataFrame:
    """The staged rows from the candidate rows (readable, consistent ones), by column name.

    ``cand`` holds ``source_row``, ``_raw``, ``site_id_raw``, ``period_start_local`` (naive
    datetime64) and any of the value columns. Sites are canonicalised with ``site_map``; DST
    flags, folds and UTC are derived; repeated keys follow the platform's one rule. Columns the
    source does not measure are NULL; the table spec (:data:`COLUMNS`) types them.
    """
    cand = cand.copy()
    raw = cand["site_id_raw"]
    cand["site_id"] = raw.map(site_map).where(raw.isin(list(site_map)), raw) if site_map \
        else raw.astype("str")
    local = pd.DatetimeIndex(cand["period_start_local"]).as_unit("ns")
    cand["period_start_local"] = local
    fold = cand.groupby(["site_id", "period_start_local"], sort=False).cumcount().to_numpy()
    summer = local.tz_localize(TZ, ambiguous=np.ones(len(local), bool), nonexistent="NaT")
    winter = local.tz_localize(TZ, ambiguous=np.zeros(len(local), bool), nonexistent="NaT")
    nonexistent = np.asarray(summer.isna())
    repeated = ~nonexistent & np.asarray(summer != winter)
    # the second row of a repeated wall time is its second occurrence; any other repeat keeps
    # fold 0 and so repeats a key
    cand["dst_fold"] = np.where(repeated & (fold == 1), 1, 0)
    utc = pd.Series(summer, index=cand.index).where(cand["dst_fold"] == 0,
                                                    pd.Series(winter, index=cand.index))
    cand["period_start_utc"] = utc.dt.tz_convert("UTC")
    cand["time_flag"] = pd.Series(np.where(nonexistent, NONEXISTENT_HOUR, REPEATED_HOUR),
                                  index=cand.index, dtype="object").where(nonexistent | repeated)
    cand["counter_kind"] = counter_kind
    cand["local_date"] = cand["period_start_local"].dt.normalize()
    for column in COLUMNS:
        if column.name not in cand:
            cand[column.name] = None  # a mode or measure this source does not publish
    cand = settle_duplicates(cand, list(KEY), quarantine, raw="_raw",
                             compare=[c.name for c in COLUMNS if c.name != "source_row"])
    cand = cand.sort_values(list(KEY), kind="stable").reset_index(drop=True)
    return cand[[c.name for c in COLUMNS]]
