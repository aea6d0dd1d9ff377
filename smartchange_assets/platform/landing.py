"""The raw landing archive: every payload byte for byte, content-addressed by SHA-256.

Blobs live in ``raw.landing_payload`` (stored once, however often the same bytes arrive) and
each arrival is a row of ``raw.landing_manifest`` (source, origin URL or file, fetched at,
size, content type, HTTP status, the period it covers). Keeping the blobs in Postgres means
the archive moves with the warehouse to any server, and lands atomically with its manifest.

A payload taken out of use (``smartchange reject``) stays in the archive, with the reason in
``raw.landing_rejection``; replay skips it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import PurePosixPath

import sqlalchemy as sa

from smartchange_assets.platform.seed import SeedEntry
from smartchange_assets.platform.warehouse import Warehouse


@dataclass(frozen=True)
class Payload:
    source: str
    sha256: str
    file_name: str
    origin: str
    fetched_at: dt.datetime
    period_start: dt.date | None
    period_end: dt.date | None
    content: bytes

    @property
    def label(self) -> str:
        return f"{self.file_name} ({self.sha256[:12]})"


@dataclass(frozen=True)
class Landed:
    sha256: str
    new_blob: bool
    new_manifest_row: bool


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class LandingArchive:
    def __init__(self, warehouse: Warehouse):
        self.wh = warehouse

    def land(self, source: str, content: bytes, *, origin: str, landed_by: str,
             file_name: str | None = None, fetched_at: dt.datetime | None = None,
             content_type: str | None = None, http_status: int | None = None,
             period_start: dt.date | None = None, period_end: dt.date | None = None,
             request: dict | None = None, quarantine_allowance: float | None = None,
             allowance_reason: str | None = None) -> Landed:
        sha = sha256_of(content)
        file_name = file_name or PurePosixPath(origin.split("?")[0]).name or origin
        fetched_at = fetched_at or dt.datetime.now(dt.UTC)
        with self.wh.transaction() as conn:
            blob = conn.execute(sa.text(
                "INSERT INTO raw.landing_payload (sha256, size_bytes, content) "
                "VALUES (:sha, :size, :content) ON CONFLICT (sha256) DO NOTHING"),
                {"sha": sha, "size": len(content), "content": content})
            row = conn.execute(sa.text(
                "INSERT INTO raw.landing_manifest (source, origin, file_name, sha256, size_bytes,"
                " content_type, http_status, fetched_at, landed_by, period_start, period_end,"
                " request, quarantine_allowance, allowance_reason) VALUES (:source, :origin,"
                " :file_name, :sha, :size, :ctype, :status, :fetched_at, :landed_by, :ps, :pe,"
                " CAST(:request AS jsonb), :allowance, :allowance_reason)"
                " ON CONFLICT (source, sha256, origin) DO NOTHING"),
                {"source": source, "origin": origin, "file_name": file_name, "sha": sha,
                 "size": len(content), "ctype": content_type, "status": http_status,
                 "fetched_at": fetched_at, "landed_by": landed_by, "ps": period_start,
                 "pe": period_end, "request": json.dumps(request) if request else None,
                 "allowance": quarantine_allowance, "allowance_reason": allowance_reason})
        return Landed(sha, blob.rowcount == 1, row.rowcount == 1)

    def active_payloads(self, source: str) -> list[Payload]:
        """Every payload of ``source`` not rejected, oldest first, each sha once."""
        with self.wh.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT DISTINCT ON (m.sha256) m.sha256, m.file_name, m.origin, m.fetched_at,"
                " m.period_start, m.period_end, p.content"
                " FROM raw.landing_manifest m JOIN raw.landing_payload p USING (sha256)"
                " WHERE m.source = :source AND NOT EXISTS (SELECT 1 FROM raw.landing_rejection r"
                "   WHERE r.source = m.source AND r.sha256 = m.sha256)"
                " ORDER BY m.sha256, m.fetched_at, m.id"), {"source": source}).fetchall()
        payloads = [Payload(source, r.sha256, r.file_name, r.origin, r.fetched_at,
                            r.period_start, r.period_end, bytes(r.content)) for r in rows]
        return sorted(payloads, key=lambda p: (p.fetched_at, p.file_name))

    def reject(self, sha_or_prefix: str, reason: str) -> list[tuple[str, str]]:
        """Take a payload out of use for every source it was landed for."""
        if len(sha_or_prefix) < 8:
            raise ValueError("give at least 8 hex digits of the SHA-256")
        with self.wh.transaction() as conn:
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
