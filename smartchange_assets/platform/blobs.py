"""Content-addressed blob store of the landing archive's payload bytes.

Payload bytes live outside the warehouse, at ``<root>/<sha[:2]>/<sha[2:4]>/<sha256>``, under a
root given as an fsspec URL: a folder (``file://…``, the default ``$SMARTCHANGE_HOME/archive``),
any S3-compatible object store (``s3://bucket/prefix``, through ``s3fs``; credentials and the
endpoint from the standard ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_ENDPOINT_URL`` variables, never from the repository), or fsspec's ``memory://`` in tests.
The manifest stays in Postgres (``raw.landing_manifest``).

* **Hashed while streaming.** A file is read in chunks to hash it, then uploaded in chunks; a
  stream of unknown length is written to a temporary object while it is hashed and moved to its
  address afterwards. No payload is held whole in memory for hashing.
* **Stored once.** The same bytes arriving again are found by their address and not written.
* **Verified on read.** Reading hashes the bytes and raises when they do not match their
  address, so a damaged or tampered blob never reaches a parser unnoticed.
* **Never partial.** An object appears at its address only complete (the temporary object is
  moved there after the last byte), so a crash leaves at most an unreferenced temporary object.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import fsspec

CHUNK = 4 * 1024 * 1024
ARCHIVE_URL_ENV = "SMARTCHANGE_ARCHIVE_URL"


class BlobIntegrityError(IOError):
    """Bytes read from the store do not hash to their address."""


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    new: bool


class BlobStore:
    def __init__(self, url: str, **storage_options):
        self.url = url.rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.url, **storage_options)
        self.root = self.root.rstrip("/")

    def __repr__(self) -> str:  # the URL may name a bucket, never a credential
        return f"BlobStore({self.fs.protocol!r}, {self.root!r})"

    # -- addresses --------------------------------------------------------------------------
    def path(self, sha256: str) -> str:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return f"{self.root}/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def has(self, sha256: str) -> bool:
        return self.fs.exists(self.path(sha256))

    # -- writing ----------------------------------------------------------------------------
    def put_bytes(self, data: bytes) -> Stored:
        """Store bytes already in memory (a bounded HTTP reply)."""
        sha = hashlib.sha256(data).hexdigest()
        return self._put(sha, len(data), lambda: iter((data,)))

    def put_file(self, path: Path) -> Stored:
        """Store a file: one streaming pass to hash it, one to upload it if it is new."""
        digest, size = hashlib.sha256(), 0
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
        return self._put(digest.hexdigest(), size, lambda: _chunks_of(path))

    def put_stream(self, chunks: Iterable[bytes]) -> Stored:
        """Store a stream of unknown length: written to a temporary object while hashed."""
        tmp = f"{self.root}/tmp/{uuid.uuid4().hex}"
        digest, size = hashlib.sha256(), 0
        self.fs.makedirs(f"{self.root}/tmp", exist_ok=True)
        try:
            with self.fs.open(tmp, "wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            sha = digest.hexdigest()
            if self.has(sha):
                return Stored(sha, size, False)
            self._move_into_place(tmp, sha)
            return Stored(sha, size, True)
        finally:
            if self.fs.exists(tmp):
                self.fs.rm(tmp)

    def _put(self, sha: str, size: int, chunks) -> Stored:
        if self.has(sha):
            return Stored(sha, size, False)
        stored = self.put_stream(chunks())
        if stored.sha256 != sha:  # the file changed between the two passes
            raise BlobIntegrityError(f"payload changed while it was stored: hashed {sha[:12]}…, "
                                     f"stored {stored.sha256[:12]}…")
        return Stored(sha, size, stored.new)

    def _move_into_place(self, tmp: str, sha: str) -> None:
        final = self.path(sha)
        self.fs.makedirs(final.rsplit("/", 1)[0], exist_ok=True)
        self.fs.mv(tmp, final)

    # -- reading ----------------------------------------------------------------------------
    def read(self, sha256: str) -> bytes:
        """The payload's bytes, verified against its address."""
        return b"".join(self.iter_chunks(sha256))

    def iter_chunks(self, sha256: str) -> Iterator[bytes]:
        """The payload in chunks, hashed as read; raises after the last chunk on a mismatch."""
        digest = hashlib.sha256()
        try:
            handle = self.fs.open(self.path(sha256), "rb")
        except FileNotFoundError as exc:
            raise BlobIntegrityError(f"payload {sha256[:12]}… is in the manifest but not in "
                                     f"the blob store {self!r}") from exc
        with handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
                yield chunk
        if digest.hexdigest() != sha256:
            raise BlobIntegrityError(f"payload {sha256[:12]}… in {self!r} is damaged: its bytes "
                                     f"hash to {digest.hexdigest()[:12]}…")

    def shas(self) -> Iterator[str]:
        """Every address in the store (for audits and migrations)."""
        scratch = f"{self.root}/tmp/".lstrip("/")
        for path in self.fs.find(self.root):
            name = path.rsplit("/", 1)[-1]
            if len(name) == 64 and not path.lstrip("/").startswith(scratch):
                yield name


def _chunks_of(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        yield from iter(lambda: handle.read(CHUNK), b"")


def archive_url(home: Path) -> str:
    """The archive's root: ``SMARTCHANGE_ARCHIVE_URL``, else a folder under the state folder."""
    return os.environ.get(ARCHIVE_URL_ENV) or (home / "archive").as_uri()
