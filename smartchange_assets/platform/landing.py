"""The raw landing archive: every payload byte for byte, content-addressed by SHA-256.

The bytes live in the blob store (:mod:`.blobs`: a folder under ``SMARTCHANGE_HOME`` or an
S3-compatible bucket), stored once however often they arrive; the manifest lives in Postgres:
``raw.landing_payload`` (one row per blob: its hash and size) and ``raw.landing_manifest`` (one
row per arrival: source, origin URL or file, fetched at, size, content type, HTTP status, the
period it covers). A payload is written to the store before its manifest rows commit, so a
crash between the two leaves at most an unreferenced blob, never a manifest row without bytes.

Landings are serialised (one advisory lock), so the manifest's ids commit in order: a reader
that has seen id *n* has seen every landing before it (the landed-payloads sensor relies on it).

A payload taken out of use (``smartchange reject``) stays in the archive, with the reason in
``raw.landing_rejection``; replay skips it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

from smartchange_assets.platform import clock, failpoints, settings
from smartchange_assets.platform.blobs import BlobStore, Stored, archive_url
from smartchange_assets.platform.seed import SeedEntry
from smartchange_assets.platform.warehouse import Warehouse

# pg_advisory_xact_lock key serialising landings and rejections (ids commit in order)
LANDING_LOCK = 4242002


@dataclass(frozen=True)
class Payload:
    """One landed payload; its bytes are read from the blob store when asked for."""

    source: str
    sha256: str
    file_name: str
    origin: str
    fetched_at: dt.datetime
    period_start: dt.date | None
    period_end: dt.date | None
    store: BlobStore | None = field(default=None, compare=False, repr=False)
    size_bytes: int | None = None

    @property
    def label(self) -> str:
        return f"{self.file_name} ({self.sha256[:12]})"

    def read(self) -> bytes:
        """The payload's bytes, verified against its hash."""
        return self.store.read(self.sha256)


@dataclass(frozen=True)
class Landed:
    sha256: str
    new_blob: bool
    new_manifest_row: bool


def sha256_of(content: bytes) -> str:
    import hashlib

    return hashlib.sha256(content).hexdigest()


class LegacyArchiveError(RuntimeError):
    """The warehouse still holds payload bytes from before the blob store."""


def default_store() -> BlobStore:
    return BlobStore(archive_url(settings.home()))


class LandingArchive:
    def __init__(self, warehouse: Warehouse, store: BlobStore | None = None):
        self.wh = warehouse
        self.store = store or default_store()

    def land(self, source: str, content: bytes, **manifest) -> Landed:
        """Land bytes already in memory (a connector's bounded reply)."""
        return self._record(source, self.store.put_bytes(content), **manifest)

    def land_file(self, source: str, path: Path, **manifest) -> Landed:
        """Land a file, streamed into the store (never read whole into memory)."""
        manifest.setdefault("file_name", path.name)
        return self._record(source, self.store.put_file(path), **manifest)

    def _record(self, source: str, stored: Stored, *, origin: str, landed_by: str,
                file_name: str | None = None, fetched_at: dt.datetime | None = None,
                content_type: str | None = None, http_status: int | None = None,
                period_start: dt.date | None = None, period_end: dt.date | None = None,
                request: dict | None = None, quarantine_allowance: float | None = None,
                allowance_reason: str | None = None) -> Landed:
        file_name = file_name or PurePosixPath(origin.split("?")[0]).name or origin
        # the platform's clock, not the database's: the freshness check judges the same time
        landed_at = clock.now()
        fetched_at = fetched_at or landed_at
        if self.wh.has_bytea_archive():
            raise LegacyArchiveError("the landing archive still keeps payload bytes in the "
                                     "warehouse (raw.landing_payload.content): run "
                                     "`smartchange archive migrate` first")
        with self.wh.transaction() as conn:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LANDING_LOCK})
            blob = conn.execute(sa.text(
                "INSERT INTO raw.landing_payload (sha256, size_bytes) VALUES (:sha, :size)"
                " ON CONFLICT (sha256) DO NOTHING"), {"sha": stored.sha256, "size": stored.size})
            row = conn.execute(sa.text(
                "INSERT INTO raw.landing_manifest (source, origin, file_name, sha256, size_bytes,"
                " content_type, http_status, fetched_at, landed_at, landed_by, period_start,"
                " period_end, request, quarantine_allowance, allowance_reason) VALUES (:source,"
                " :origin, :file_name, :sha, :size, :ctype, :status, :fetched_at, :landed_at,"
                " :landed_by, :ps, :pe, CAST(:request AS jsonb), :allowance, :allowance_reason)"
                " ON CONFLICT (source, sha256, origin) DO NOTHING"),
                {"source": source, "origin": origin, "file_name": file_name,
                 "sha": stored.sha256, "size": stored.size, "ctype": content_type,
                 "status": http_status, "fetched_at": fetched_at, "landed_at": landed_at,
                 "landed_by": landed_by,
                 "ps": period_start, "pe": period_end,
                 "request": json.dumps(request) if request else None,
                 "allowance": quarantine_allowance, "allowance_reason": allowance_reason})
            failpoints.reached("landing", source)
        return Landed(stored.sha256, blob.rowcount == 1, row.rowcount == 1)

    def active_payloads(self, source: str, start: dt.date | None = None,
                        end: dt.date | None = None) -> list[Payload]:
        """Every payload of ``source`` not rejected, oldest first, each sha once; with
        ``start``/``end`` (``[start, end)``) only those whose period overlaps it (a payload
        without a period overlaps everything). No bytes are read here."""
        overlap = ("" if start is None else
                   " AND (m.period_start IS NULL OR m.period_start < :end)"
                   " AND (m.period_end IS NULL OR m.period_end >= :start)")
        with self.wh.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT DISTINCT ON (m.sha256) m.sha256, m.file_name, m.origin, m.fetched_at,"
                " m.period_start, m.period_end, m.size_bytes"
                " FROM raw.landing_manifest m"
                " WHERE m.source = :source AND NOT EXISTS (SELECT 1 FROM raw.landing_rejection r"
                "   WHERE r.source = m.source AND r.sha256 = m.sha256)" + overlap +
                " ORDER BY m.sha256, m.fetched_at, m.id"),
                {"source": source, "start": start, "end": end}).fetchall()
        payloads = [Payload(source, r.sha256, r.file_name, r.origin, r.fetched_at,
                            r.period_start, r.period_end, self.store, r.size_bytes)
                    for r in rows]
        return sorted(payloads, key=lambda p: (p.fetched_at, p.file_name))

    def reject(self, sha_or_prefix: str, reason: str) -> list[tuple[str, str]]:
        """Take a payload out of use for every source it was landed for."""
        if len(sha_or_prefix) < 8:
            raise ValueError("give at least 8 hex digits of the SHA-256")
        with self.wh.transaction() as conn:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LANDING_LOCK})
            matches = conn.execute(sa.text(
                "SELECT DISTINCT source, sha256 FROM raw.landing_manifest"
                " WHERE sha256 LIKE :p"), {"p": sha_or_prefix.lower() + "%"}).fetchall()
            shas = {m.sha256 for m in matches}
            if not matches:
                raise LookupError(f"no landed payload has a SHA-256 starting {sha_or_prefix}")
            if len(shas) > 1:
                raise LookupError(f"{sha_or_prefix} is ambiguous: {sorted(shas)}")
            for m in matches:
                conn.execute(sa.text(
                    "INSERT INTO raw.landing_rejection (source, sha256, reason) VALUES"
                    " (:s, :h, :r) ON CONFLICT (source, sha256) DO UPDATE SET reason = :r,"
                    " rejected_at = now()"), {"s": m.source, "h": m.sha256, "r": reason})
        return [(m.source, m.sha256) for m in matches]

    def migrate_bytea(self, progress=None) -> list[str]:
        """Move the bytes of an archive kept in ``raw.landing_payload.content`` (bytea, before
        the blob store) into the store, one payload at a time, verifying every hash; then drop
        the column. Returns the hashes moved. Idempotent: a half-done migration continues."""
        if not self.wh.has_bytea_archive():
            return []
        moved = []
        with self.wh.transaction() as conn:
            conn.execute(sa.text("ALTER TABLE raw.landing_payload ALTER COLUMN content "
                                 "DROP NOT NULL"))
        with self.wh.engine.connect() as conn:
            shas = list(conn.execute(sa.text(
                "SELECT sha256 FROM raw.landing_payload WHERE content IS NOT NULL"
                " ORDER BY sha256")).scalars())
        for sha in shas:
            with self.wh.engine.connect() as conn:  # one payload in memory at a time
                content = conn.execute(sa.text(
                    "SELECT content FROM raw.landing_payload WHERE sha256 = :s"),
                    {"s": sha}).scalar()
            stored = self.store.put_bytes(bytes(content))
            if stored.sha256 != sha:
                raise ValueError(f"archive row {sha[:12]}… holds bytes hashing to "
                                 f"{stored.sha256[:12]}…: not migrated, column kept")
            self.store.read(sha)  # verified as stored
            with self.wh.transaction() as conn:
                conn.execute(sa.text("UPDATE raw.landing_payload SET content = NULL"
                                     " WHERE sha256 = :s"), {"s": sha})
            moved.append(sha)
            if progress is not None:
                progress(sha)
        with self.wh.transaction() as conn:
            conn.execute(sa.text("ALTER TABLE raw.landing_payload DROP COLUMN content"))
        return moved

    def manifest(self, source: str | None = None):
        where = "WHERE m.source = :source" if source else ""
        return self.wh.read_frame(
            "SELECT m.source, m.file_name, m.sha256, m.size_bytes, m.landed_by, m.fetched_at,"
            " m.period_start, m.period_end, r.reason AS rejected_reason"
            " FROM raw.landing_manifest m LEFT JOIN raw.landing_rejection r"
            " ON r.source = m.source AND r.sha256 = m.sha256 " + where +
            " ORDER BY m.source, m.fetched_at", source=source)

    # -- the seed archive shipped in the package -------------------------------------------
    def sync_seed(self, entries: list[SeedEntry]) -> int:
        """Land a source's recorded payloads (idempotent). Returns the new manifest rows."""
        new = 0
        for entry in entries:
            landed = self.land(
                entry.source, entry.read(), origin=entry.origin, landed_by="seed",
                file_name=entry.file, fetched_at=entry.recorded_at,
                content_type=entry.content_type, period_start=entry.period_start,
                period_end=entry.period_end, quarantine_allowance=entry.quarantine_allowance,
                allowance_reason=entry.allowance_reason)
            new += landed.new_manifest_row
        return new
