"""Data packages for the registry's datasets without a database: files described as written
(size, SHA-256, rows), for the catalogue and CKAN tests that need no warehouse."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from smartchange_assets.publish.datapackage import build_datapackage
from smartchange_assets.publish.datasets import DATASETS, OpenDataset
from smartchange_assets.publish.files import (
    CSV_MEDIA_TYPE,
    GEOJSON_MEDIA_TYPE,
    PARQUET_MEDIA_TYPE,
    WrittenFile,
)

MODIFIED = dt.datetime(2025, 1, 6, 9, 13, 2, tzinfo=dt.UTC)


def sample_package(dataset: OpenDataset, rows: int = 3) -> dict:
    def written(suffix: str, media: str) -> WrittenFile:
        name = f"{dataset.name}.{suffix}"
        return WrittenFile(Path(name), media, rows, 100 + len(name),
                           hashlib.sha256(name.encode()).hexdigest())

    return build_datapackage(dataset, written("csv", CSV_MEDIA_TYPE),
                             written("parquet", PARQUET_MEDIA_TYPE), 1, MODIFIED,
                             (dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
                             written("geojson", GEOJSON_MEDIA_TYPE)
                             if dataset.geojson_geometry else None)


def sample_entries() -> list[tuple[OpenDataset, dict]]:
    return [(d, sample_package(d)) for d in DATASETS]
