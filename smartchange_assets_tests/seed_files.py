"""The package's seed payloads as the tests read them: original bytes, by source and file name.

Seeds live in each source's folder (``<city>/<source>/seed/``), some of them gzipped to keep the
installed package small. :data:`SEED` is a folder with every seed payload's original bytes at
``<source id>/<file>`` (e.g. ``SEED / "jakarta/ispu/…csv"``), written once per machine and
content (the hash of every manifest names it), so tests can hand real files to readers that want
a path (pandas, openpyxl) as well as bytes to the parsers.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from smartchange_assets.definitions import SOURCES
from smartchange_assets.platform.seed import SeedEntry


def seed_entries(source_id: str | None = None) -> list[SeedEntry]:
    """The seed payloads of one source (all sources when None)."""
    return [e for s in SOURCES if source_id in (None, s.source_id) for e in s.seed_entries()]


def _materialise() -> Path:
    entries = seed_entries()
    stamp = hashlib.sha256("".join(sorted(e.sha256 for e in entries)).encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"smartchange-seed-{stamp}"
    if not (folder / ".complete").exists():
        for entry in entries:
            path = folder / entry.source / entry.file
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            tmp.write_bytes(entry.read())
            tmp.replace(path)
        (folder / ".complete").touch()
    return folder


SEED = _materialise()


def seed_path(source_id: str, file_name: str) -> Path:
    return SEED / source_id / file_name


def seed_bytes(source_id: str, file_name: str) -> bytes:
    return seed_path(source_id, file_name).read_bytes()
