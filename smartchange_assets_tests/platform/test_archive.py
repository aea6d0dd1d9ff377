"""The landing archive's blob store (folder, in-memory, S3-compatible server), the migration
of a bytea archive, and the manifest's period index for partition runs."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from smartchange_assets.platform.blobs import BlobIntegrityError, BlobStore
from smartchange_assets.platform.landing import LandingArchive, LegacyArchiveError

from ..seed_files import seed_entries


def test_folder_store_is_content_addressed_and_stores_once(tmp_path):
    store = BlobStore(tmp_path.as_uri())
    first = store.put_bytes(b"payload")
    again = store.put_bytes(b"payload")
    sha = hashlib.sha256(b"payload").hexdigest()
    assert first.sha256 == again.sha256 == sha and first.new and not again.new
    assert (tmp_path / sha[:2] / sha[2:4] / sha).read_bytes() == b"payload"
    assert list(store.shas()) == [sha]


def test_a_file_is_streamed_and_a_stream_is_hashed_while_written(tmp_path):
    store = BlobStore(f"memory://archive-{tmp_path.name}")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(9 * 1024 * 1024))  # three chunks
    stored = store.put_file(big)
    assert stored.sha256 == hashlib.sha256(big.read_bytes()).hexdigest()
    assert stored.size == big.stat().st_size
    streamed = store.put_stream(iter([b"a" * 10, b"b" * 5]))
    assert streamed.sha256 == hashlib.sha256(b"a" * 10 + b"b" * 5).hexdigest()
    assert store.read(streamed.sha256) == b"a" * 10 + b"b" * 5
    assert not store.fs.find(f"{store.root}/tmp")  # no temporary object left


def test_a_damaged_blob_is_refused_on_read(tmp_path):
    store = BlobStore(tmp_path.as_uri())
    sha = store.put_bytes(b"the original").sha256
    Path(store.path(sha)).write_bytes(b"the damaged!")
    with pytest.raises(BlobIntegrityError, match="damaged"):
        store.read(sha)
    with pytest.raises(BlobIntegrityError, match="not in the blob store"):
        store.read("0" * 64)


def test_the_manifest_stays_in_postgres_and_the_bytes_leave_it(fresh_database, tmp_path):
    archive = LandingArchive(fresh_database, BlobStore(tmp_path.as_uri()))
    landed = archive.land("jakarta/ispu", b"a,b\n1,2\n", origin="test://x.csv",
                          landed_by="test")
    columns = set(fresh_database.read_frame(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' "
        "AND table_name = 'landing_payload'")["column_name"])
    assert columns == {"sha256", "size_bytes", "first_landed_at"}
    assert archive.active_payloads("jakarta/ispu")[0].read() == b"a,b\n1,2\n"
    assert archive.store.has(landed.sha256)


def test_a_file_lands_without_being_read_whole(fresh_database, tmp_path):
    archive = LandingArchive(fresh_database, BlobStore((tmp_path / "a").as_uri()))
    path = tmp_path / "export.csv"
    path.write_bytes(b"x\n" * 100_000)
    landed = archive.land_file("jakarta/ispu", path, origin=path.as_uri(), landed_by="manual")
    assert landed.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert archive.manifest("jakarta/ispu")["file_name"].tolist() == ["export.csv"]


def test_a_partition_run_reads_only_the_payloads_of_its_period(fresh_database, tmp_path):
    archive = LandingArchive(fresh_database, BlobStore(tmp_path.as_uri()))
    for month in (1, 2, 3):
        start = dt.date(2024, month, 1)
        end = dt.date(2024, month + 1, 1) - dt.timedelta(days=1)
        archive.land("s", f"m{month}".encode(), origin=f"test://{month}", landed_by="test",
                     period_start=start, period_end=end)
    archive.land("s", b"undated", origin="test://undated", landed_by="test")
    window = archive.active_payloads("s", dt.date(2024, 2, 1), dt.date(2024, 3, 1))
    assert sorted(p.file_name for p in window) == ["2", "undated"]
    plan = fresh_database.read_frame(
        "EXPLAIN SELECT * FROM raw.landing_manifest WHERE source = 's' "
        "AND period_start < DATE '2024-03-01' AND period_end >= DATE '2024-02-01'")
    assert fresh_database.scalar(
        "SELECT count(*) FROM pg_indexes WHERE indexname = 'landing_manifest_period_idx'") == 1
    assert len(plan)


def _legacy_archive(wh) -> list[str]:
    """The archive as it was before the blob store: bytes in raw.landing_payload.content."""
    with wh.transaction() as conn:
        conn.execute(sa.text("ALTER TABLE raw.landing_payload ADD COLUMN content bytea"))
        shas = []
        for entry in seed_entries():
            data = entry.read()
            conn.execute(sa.text(
                "INSERT INTO raw.landing_payload (sha256, size_bytes, content) VALUES "
                "(:s, :n, :c) ON CONFLICT DO NOTHING"), {"s": entry.sha256, "n": len(data),
                                                        "c": data})
            conn.execute(sa.text(
                "INSERT INTO raw.landing_manifest (source, origin, file_name, sha256, "
                "size_bytes, fetched_at, landed_by) VALUES (:src, :o, :f, :s, :n, now(), 'seed')"
                " ON CONFLICT DO NOTHING"), {"src": entry.source, "o": entry.origin,
                                            "f": entry.file, "s": entry.sha256, "n": len(data)})
            shas.append(entry.sha256)
        conn.execute(sa.text("ALTER TABLE raw.landing_payload ALTER COLUMN content SET NOT NULL"))
    return sorted(set(shas))


def test_a_bytea_archive_migrates_with_nothing_lost(fresh_database, tmp_path):
    shas = _legacy_archive(fresh_database)
    archive = LandingArchive(fresh_database, BlobStore(tmp_path.as_uri()))
    with pytest.raises(LegacyArchiveError, match="smartchange archive migrate"):
        archive.land("s", b"new", origin="test://new", landed_by="test")
    moved = archive.migrate_bytea()
    assert sorted(moved) == shas and len(shas) == len({e.sha256 for e in seed_entries()})
    assert not fresh_database.has_bytea_archive()
    for entry in seed_entries():  # every hash, from the store, verified on read
        assert hashlib.sha256(archive.store.read(entry.sha256)).hexdigest() == entry.sha256
    assert archive.migrate_bytea() == []  # done once, nothing left to do
    assert archive.land("s", b"new", origin="test://new", landed_by="test").new_blob


def test_the_migration_command_moves_the_seed_archive(fresh_database, tmp_path):
    shas = _legacy_archive(fresh_database)
    env = {**os.environ, "SMARTCHANGE_WAREHOUSE_URL": fresh_database.url,
           "SMARTCHANGE_ARCHIVE_URL": (tmp_path / "blobs").as_uri()}
    out = subprocess.run([sys.executable, "-m", "smartchange_assets.cli", "archive", "migrate"],
                         env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"moved {len(shas)} payload(s)" in out.stdout
    store = BlobStore((tmp_path / "blobs").as_uri())
    assert sorted(store.shas()) == shas


# -- an S3-compatible object store ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    """A local S3-compatible server (moto's), with a bucket; credentials are made up."""
    if shutil.which("moto_server") is None and not _has_module("moto"):
        pytest.skip("moto is not installed (pip install '.[test]')")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    options = {"key": "testing", "secret": "testing",
               "client_kwargs": {"endpoint_url": endpoint, "region_name": "eu-central-1"}}
    import s3fs

    s3fs.S3FileSystem(**options).mkdir("smartchange-archive", region_name="eu-central-1")
    yield options
    proc.terminate()
    proc.wait(timeout=30)


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def test_an_s3_compatible_store_lands_and_verifies(s3_server, fresh_database):
    store = BlobStore("s3://smartchange-archive/landing", **s3_server)
    archive = LandingArchive(fresh_database, store)
    entry = next(e for e in seed_entries("jakarta/ispu"))
    landed = archive.land(entry.source, entry.read(), origin=entry.origin, landed_by="test")
    assert landed.sha256 == entry.sha256 and store.has(entry.sha256)
    assert archive.active_payloads(entry.source)[0].read() == entry.read()
    assert entry.sha256 in set(store.shas())
    assert not archive.land(entry.source, entry.read(), origin=entry.origin,
                            landed_by="test").new_manifest_row
