"""``smartchange land`` takes many files, or a folder, in one process, streams each into the
archive's blob store and records it in the manifest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from smartchange_assets.platform.blobs import BlobStore

from .conftest import REPO
from .seed_files import seed_entries

SOURCE = "jakarta/ispu"


def _land(wh, archive_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SMARTCHANGE_WAREHOUSE_URL": wh.url,
           "SMARTCHANGE_ARCHIVE_URL": archive_url}
    return subprocess.run([sys.executable, "-m", "smartchange_assets.cli", "land", *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def test_a_folder_and_files_land_in_one_process(fresh_database, tmp_path):
    folder = tmp_path / "downloads"
    (folder / "older").mkdir(parents=True)
    entries = seed_entries(SOURCE)[:3]
    paths = []
    for i, entry in enumerate(entries):  # the real seed files, as downloaded by hand
        path = (folder / "older" if i else folder) / entry.file
        path.write_bytes(entry.read())
        paths.append(path)
    (folder / ".partial.csv").write_bytes(b"not finished")  # hidden: a download in progress
    archive_url = (tmp_path / "blobs").as_uri()

    out = _land(fresh_database, archive_url, SOURCE, str(folder))
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"{SOURCE}: 3 of 3 file(s) newly landed" in out.stdout
    manifest = fresh_database.read_frame(
        "SELECT file_name, sha256, landed_by FROM raw.landing_manifest ORDER BY file_name")
    assert sorted(manifest["file_name"]) == sorted(e.file for e in entries)
    assert set(manifest["landed_by"]) == {"manual"}
    store = BlobStore(archive_url)
    assert {e.sha256 for e in entries} <= set(store.shas())

    again = _land(fresh_database, archive_url, SOURCE, str(paths[0]), str(paths[1]))
    assert again.returncode == 0
    assert f"{SOURCE}: 0 of 2 file(s) newly landed" in again.stdout


def test_an_unknown_source_or_a_missing_path_is_refused_by_name(fresh_database, tmp_path):
    archive_url = (tmp_path / "blobs").as_uri()
    out = _land(fresh_database, archive_url, "jakarta/nowhere", str(tmp_path))
    assert out.returncode != 0 and "unknown source 'jakarta/nowhere'" in out.stderr
    missing = Path(tmp_path / "nope.csv")
    out = _land(fresh_database, archive_url, SOURCE, str(missing))
    assert out.returncode != 0 and f"no such file or folder {missing}" in out.stderr
