"""Parser for the Berlin traffic detectors (Verkehrsdetektion, VIZ / SenMVKU): hourly values.

Two levels, told apart by the header (docs/sources/berlin-traffic-detectors.md §2), both
``;``-separated, dates
``DD.MM.YYYY``, decimal dot, served as ``.csv.gz`` (gzip is unpacked here):

* cross-sections ``mq_hr_YYYY_MM``: ``mq_name;tag;stunde;qualitaet;q_kfz_mq_hr;v_kfz_mq_hr;
  q_pkw_mq_hr;v_pkw_mq_hr;q_lkw_mq_hr;v_lkw_mq_hr`` → ``traffic_detector_mq``;
* lane detectors ``det_val_hr_YYYY_MM``: the same with ``detid_15`` and ``_det_hr`` →
  ``traffic_detector_det``.

Rules

* ``stunde`` is the hour START (8 ⇒ 08:00–08:59, readme), in Berlin wall time. The publisher
  leaves out both 02:00 and 03:00 on the spring-forward day and has one 02:00 row on the
  fall-back day; DST handling as in :mod:`.common`.
* ``qualitaet`` is the share of valid sub-intervals; hours below 0.75 are left out by the
  publisher. A value outside (0, 1] contradicts that meaning: such hours are QUARANTINED
  (inconsistent, the reason names the value). In the seed that is ``2.0`` on 01.10.2023 at
  ``stunde`` 0 and 1 (inflated counts, e.g. TE001 994 vehicles against about 170) and on the
  fall-back hour 29.10.2023 02:00 (two clock hours merged into one row); the full October file
  also has ``1.33``.
* ``q_*`` are counts (``kfz`` all motor vehicles, ``pkw`` cars, ``lkw`` trucks); ``kfz`` may
  differ from ``pkw + lkw`` by rounding (readme) and is kept as published. ``v_*`` are mean
  speeds in km/h; ``-1`` means "no vehicles of that class" and becomes NULL; any other negative
  speed is quarantined.
"""

from __future__ import annotations

import csv
import re

import pandas as pd

from smartchange_assets.berlin.mobility.common import (
    DETECTOR_DET,
    DETECTOR_MQ,
    SPEED_COLUMNS,
    finish,
    numeric,
    payload_text,
    quarantine_rows,
    read_cells,
    to_count,
    to_float,
)
from smartchange_assets.platform.headers import HeaderSpec, header_key
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
    sniff_delimiter,
)

# published vehicle class -> our mode
CLASSES = {"kfz": "motor_vehicle", "pkw": "car", "lkw": "truck"}
LEVELS = {  # id column -> (counter kind, column suffix, id pattern)
    "mq_name": (DETECTOR_MQ, "mq_hr", re.compile(r"^[A-Za-z]{1,4}\d{1,4}[A-Za-z]?$")),
    "detid_15": (DETECTOR_DET, "det_hr", re.compile(r"^\d{15}$")),
}
NO_VEHICLES_SPEED = -1


def parse_detectors(data: bytes, file_name: str) -> ParseResult:
    text = payload_text(data, file_name)
    header_line = text.split("\n", 1)[0].rstrip("\r")
    published = next(csv.reader([header_line], delimiter=sniff_delimiter(header_line)))
    id_column = next((c for c in LEVELS if c in {header_key(h) for h in published}), None)
    if id_column is None:
        raise ParseError(file_name, f"not a detector file: the header names neither "
                         f"mq_name nor detid_15 ({header_line[:120]!r})")
    kind, suffix, id_pattern = LEVELS[id_column]
    columns = (id_column, "tag", "stunde", "qualitaet",
               *(f"{q}_{c}_{suffix}" for c in CLASSES for q in ("q", "v")))
    cells, width_problem = read_cells(text, file_name,
                                      HeaderSpec({c: () for c in columns}, required=columns))
    quarantine = Quarantine()
    bad_width = width_problem.notna()
    quarantine_rows(quarantine, cells, bad_width, None, width_problem, UNREADABLE)
    rows = cells[~bad_width]

    day = pd.to_datetime(rows["tag"], format="%d.%m.%Y", errors="coerce")
    hour = numeric(rows["stunde"].where(rows["stunde"].str.fullmatch(r"\d{1,2}"), ""))
    ok = pd.Series(True, index=rows.index)
    for bad, column, what in (
            (day.isna(), "tag", "is not DD.MM.YYYY"),
            (hour.isna() | ~hour.between(0, 23), "stunde", "is not an hour 0-23"),
            (~rows[id_column].str.fullmatch(id_pattern), id_column, "is not a site id")):
        quarantine_rows(quarantine, rows, ok & bad, column, what, UNREADABLE)
        ok &= ~bad
    quality, bad_quality = to_float(rows["qualitaet"])
    quarantine_rows(quarantine, rows, ok & (bad_quality | rows["qualitaet"].eq("")), "qualitaet",
                    "is not a number", UNREADABLE)
    ok &= ~bad_quality & rows["qualitaet"].ne("")
    out_of_range = ~((quality > 0) & (quality <= 1))
    quarantine_rows(quarantine, rows, ok & out_of_range, "qualitaet",
                    "outside (0, 1]: not a share of valid intervals (merged or misplaced hour, "
                    "counts inflated)", INCONSISTENT)
    ok &= ~out_of_range

    values: dict[str, pd.Series] = {"quality": quality}
    for cls, mode in CLASSES.items():
        q_col, v_col = f"q_{cls}_{suffix}", f"v_{cls}_{suffix}"
        counts, unreadable, not_count = to_count(rows[q_col])
        speeds, bad_speed = to_float(rows[v_col])
        for mask, column, problem_kind, what in (
                (unreadable | rows[q_col].eq(""), q_col, UNREADABLE, "is not a number"),
                (not_count, q_col, INCONSISTENT, "is not a whole number >= 0"),
                (bad_speed, v_col, UNREADABLE, "is not a number"),
                ((speeds < 0) & (speeds != NO_VEHICLES_SPEED), v_col, INCONSISTENT,
                 "is a negative speed other than -1 (no vehicles)")):
            quarantine_rows(quarantine, rows, ok & mask, column, what, problem_kind)
            ok &= ~mask
        values[f"count_{mode}"] = counts
        values[SPEED_COLUMNS[mode]] = speeds.where(speeds != NO_VEHICLES_SPEED)

    local = day + pd.to_timedelta(hour, unit="h")
    cand = rows.loc[ok, ["source_row", "_raw"]].assign(
        site_id_raw=rows.loc[ok, id_column], period_start_local=local[ok],
        **{name: series[ok] for name, series in values.items()})
    staged = finish(cand, quarantine, kind)
    return ParseResult(staged=staged, source_rows=len(cells), no_data=0,
                       quarantine=quarantine.frame(), notes={
                           "level": kind,
                           "sites": int(staged["site_id"].nunique()),
                           "quality_values": sorted(rows["qualitaet"].unique().tolist()),
                       })
