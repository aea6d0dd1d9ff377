"""A source's seed: real recorded payloads shipped in its folder, so the platform runs offline.

``<city>/<source>/seed/manifest.json`` lists each payload once::

    {"source": "jakarta/ispu",
     "payloads": [{"file": "ispu-2021.csv", "origin": "https://…", "content_type": "text/csv",
                   "period_start": "2021-01-01", "period_end": "2021-12-31",
                   "sha256": "<of the original bytes>",
                   "recorded_at": "2025-11-22T00:00:00+00:00"}]}

The payload itself is ``seed/<file>``, or ``seed/<file>.gz`` to keep the installed package
small: the archive always lands the original bytes, and their SHA-256 is checked against the
manifest before anything lands. Optional per payload: ``quarantine_allowance`` with
``allowance_reason`` (a publisher defect accepted knowingly).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class SeedEntry:
    source: str
    file: str
    origin: str
    sha256: str
    recorded_at: dt.datetime
    content_type: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    quarantine_allowance: float | None = None
    allowance_reason: str | None = None
    folder: Path | None = None

    @property
    def stored_path(self) -> Path:
        """Where the bytes are in the package: the file itself or its gzip."""
        plain = self.folder / self.file
        return plain if plain.exists() else self.folder / f"{self.file}.gz"

    def read(self) -> bytes:
        """The original bytes, verified against the manifest's SHA-256."""
        path = self.stored_path
        if not path.exists():
            raise FileNotFoundError(f"seed of {self.source}: {self.file} is listed in "
                                    f"{self.folder / MANIFEST} but neither {self.file} nor "
                                    f"{self.file}.gz is in that folder")
        data = path.read_bytes()
        if path.suffix == ".gz" and not self.file.endswith(".gz"):
            data = gzip.decompress(data)
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise ValueError(f"seed of {self.source}: {path.name} does not match the SHA-256 "
                             f"in its manifest ({self.sha256[:12]}…)")
        return data


@dataclass(frozen=True)
class SeedFolder:
    folder: Path
    source: str

    def entries(self) -> list[SeedEntry]:
        manifest_path = self.folder / MANIFEST
        if not manifest_path.exists():
            raise FileNotFoundError(f"{self.source}: no {MANIFEST} in {self.folder}")
        manifest = json.loads(manifest_path.read_text("utf-8"))
        if manifest.get("source") != self.source:
            raise ValueError(f"{manifest_path}: names source {manifest.get('source')!r}, but it "
                             f"is the seed of {self.source!r}")
        return [_entry(self.source, self.folder, raw) for raw in manifest["payloads"]]


def _entry(source: str, folder: Path, raw: dict) -> SeedEntry:
    return SeedEntry(
        source=source, file=raw["file"], origin=raw["origin"], sha256=raw["sha256"],
        recorded_at=dt.datetime.fromisoformat(raw["recorded_at"]),
        content_type=raw.get("content_type"),
        period_start=_date(raw.get("period_start")), period_end=_date(raw.get("period_end")),
        quarantine_allowance=raw.get("quarantine_allowance"),
        allowance_reason=raw.get("allowance_reason"), folder=folder)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
