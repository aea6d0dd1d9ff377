"""SYNTHETIC payloads for the pipeline benchmark (bench/bench_pipeline.py), made from real seed
files of the package and labelled as synthetic in every file name.

* BLUME hourly JSON (``berlin/blume_air_quality``): the real API answer
  ``blume_api_mc010_2024-03_1h.json`` (720 hours x 6 components of station mc010, March 2024)
  re-stamped onto other months (every hour of the target month, Europe/Berlin, with the UTC
  offset the API writes) and other station codes (``mc500`` … ``mc999``, codes no BLUME
  station has). The values are the real file's, hour after hour, repeated where the target
  month is longer. One payload per station and month, as the API serves them.
* Traffic detectors CSV (``berlin/traffic_detectors``): per month one cross-section file
  (``mq_hr``) and one lane-detector file (``det_val_hr``), as the portal publishes them, made
  from the real files ``mq_hr_2023_03.csv`` and ``mq_hr_2023_10.csv`` (both in one ``mq_hr``
  file) and ``det_val_hr_2024_01.csv``, replicated over synthetic site ids (``SYN0001`` …,
  and 15-digit detector ids starting ``999``) so that one payload has about the rows of a
  full month file of the portal (130,000-150,000), and shifted to another month (a row keeps
  its day of the month and hour; days the target month does not have are left out). Quality
  values, quarantined hours (the October file's ``qualitaet`` 2.0) and speeds stay as
  published.

Nothing here is real data about any place or time: it exists to measure the platform at scale.
Only the standard library is used (the benchmark's parent process stays small).
"""

from __future__ import annotations

import calendar
import datetime as dt
import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "smartchange_assets"
BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC

BLUME = "berlin/blume_air_quality"
DETECTORS = "berlin/traffic_detectors"
BLUME_SEED = "blume_api_mc010_2024-03_1h.json"
DETECTOR_SEEDS = (  # seed file, copies per month file (~ a full month file's rows), first id
    ("mq_hr_2023_03.csv", 4, 1),  # SYN0001 … SYN0136
    ("mq_hr_2023_10.csv", 1, 1001),  # SYN1001 … SYN1066
    ("det_val_hr_2024_01.csv", 4, 1),  # 999000000000001 … 999000000000312
)
FIRST_MONTH = (2019, 1)  # synthetic months start here (inside the monthly partitions)
BLUME_MONTHS = 24  # a synthetic BLUME station covers this many months
SYNTHETIC_ORIGIN = "synthetic://bench_pipeline/"


@dataclass(frozen=True)
class SyntheticPayload:
    source: str
    file_name: str
    content: bytes
    period_start: dt.date
    period_end: dt.date
    source_rows: int  # records (JSON items / CSV data lines) in the payload


def seed_bytes(source: str, file_name: str) -> bytes:
    """A seed file's original bytes from the package (gzipped or not), hash verified."""
    folder = PACKAGE / source / "seed"
    manifest = json.loads((folder / "manifest.json").read_text())
    entry = next(p for p in manifest["payloads"] if p["file"] == file_name)
    path = folder / file_name
    data = path.read_bytes() if path.exists() else gzip.decompress(
        (folder / f"{file_name}.gz").read_bytes())
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise ValueError(f"{source}/{file_name}: seed bytes do not match the manifest")
    return data


def month_at(index: int) -> tuple[int, int]:
    months = FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + index
    return months // 12, months % 12 + 1


def month_period(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


# --------------------------------------------------------------------------- BLUME


class BlumeTemplate:
    """The real BLUME month, as hours (oldest first) of (core, component, period, value)."""

    def __init__(self) -> None:
        items = json.loads(seed_bytes(BLUME, BLUME_SEED))
        hours: dict[str, list[tuple]] = {}
        for item in items:
            hours.setdefault(item["datetime"], []).append(
                (item["core"], item["component"], item["period"], item["value"]))
        self.hours = [hours[k] for k in sorted(hours, key=dt.datetime.fromisoformat)]

    def payload(self, station: str, year: int, month: int) -> SyntheticPayload:
        start, end = month_period(year, month)
        first = dt.datetime(year, month, 1, tzinfo=BERLIN).astimezone(UTC)
        after = dt.datetime(end.year, end.month, end.day, tzinfo=BERLIN) + dt.timedelta(days=1)
        n_hours = int((after.astimezone(UTC) - first).total_seconds() // 3600)
        items = []
        for j in reversed(range(n_hours)):  # the API answers newest first
            stamp = (first + dt.timedelta(hours=j)).astimezone(BERLIN).isoformat()
            for core, component, period, value in self.hours[j % len(self.hours)]:
                items.append({"datetime": stamp, "station": station, "core": core,
                              "component": component, "period": period, "value": value})
        content = json.dumps(items, separators=(",", ":")).encode()
        name = f"SYNTHETIC_blume_api_{station}_{year}-{month:02d}_1h.json"
        return SyntheticPayload(BLUME, name, content, start, end, len(items))


def blume_payloads(rows: int) -> Iterator[SyntheticPayload]:
    """Station-month payloads until about ``rows`` records: station mc500 over BLUME_MONTHS
    months, then mc501, …"""
    template, made, i = BlumeTemplate(), 0, 0
    while made < rows:
        station = f"mc{500 + i // BLUME_MONTHS}"
        if station > "mc999":
            raise ValueError("more synthetic BLUME payloads than station codes")
        payload = template.payload(station, *month_at(i % BLUME_MONTHS))
        made += payload.source_rows
        i += 1
        yield payload


# --------------------------------------------------------------------------- detectors


class DetectorTemplate:
    """One real detector month file: its header and rows split at the site and the date."""

    def __init__(self, file_name: str, replicas: int, first: int) -> None:
        self.file_name, self.replicas, self.first = file_name, replicas, first
        text = seed_bytes(DETECTORS, file_name).decode("utf-8")
        lines = [ln for ln in text.splitlines() if ln.strip()]
        self.header = lines[0]
        self.level = "det" if self.header.startswith("detid_15") else "mq"
        self.rows: list[tuple[str, int, str]] = []  # (site, day of month, rest of line)
        for line in lines[1:]:
            site, day, rest = line.split(";", 2)
            self.rows.append((site, int(day[:2]), rest))
        self.sites = sorted({r[0] for r in self.rows})

    def synthetic_site(self, block: int, index: int) -> str:
        number = self.first + block * len(self.sites) + index
        if self.level == "det":
            return f"999{number:012d}"  # 15 digits, as detid_15
        return f"SYN{number:04d}"  # letters and up to 4 digits, as mq_name

    def lines(self, year: int, month: int) -> list[str]:
        """``replicas`` copies of the file's rows, each over its own synthetic sites, dated in
        ``year``-``month`` (same day of the month and hour)."""
        last = calendar.monthrange(year, month)[1]
        date_of = {d: f"{d:02d}.{month:02d}.{year}" for d in range(1, last + 1)}
        out = []
        for block in range(self.replicas):
            names = {s: self.synthetic_site(block, i) for i, s in enumerate(self.sites)}
            out.extend(f"{names[site]};{date_of[day]};{rest}" for site, day, rest in self.rows
                       if day in date_of)
        return out


def detector_payloads(rows: int) -> Iterator[SyntheticPayload]:
    """Month after month, one cross-section file (``mq_hr``: both real MQ files' rows, over
    their own synthetic sites) and one lane-detector file (``det_val_hr``), as the portal
    publishes them, until ``rows`` data lines (the last file cut short); the same synthetic
    sites every month."""
    templates = [DetectorTemplate(*seed) for seed in DETECTOR_SEEDS]
    files = {"mq_hr": [t for t in templates if t.level == "mq"],
             "det_val_hr": [t for t in templates if t.level == "det"]}
    made, i = 0, 0
    while made < rows:
        year, month = month_at(i)
        for stem, parts in files.items():
            out = [parts[0].header]
            for template in parts:
                out += template.lines(year, month)
            out = out[:1 + rows - made]  # the last file only as long as the size needs
            made += len(out) - 1
            yield SyntheticPayload(DETECTORS, f"SYNTHETIC_{stem}_{year}_{month:02d}.csv",
                                   ("\n".join(out) + "\n").encode(),
                                   *month_period(year, month), len(out) - 1)
            if made >= rows:
                return
        i += 1
