"""Reading one HTTP reply body, bounded in size and time, decoding its content coding ourselves.

:func:`read_body` is what :class:`~smartchange_assets.platform.http.HttpClient` uses instead of
``response.content``, which would read any amount into memory. It reads the raw stream
(``decode_content=False``) in :data:`CHUNK_BYTES` pieces and

* decodes ``Content-Encoding: gzip`` / ``deflate`` itself with ``zlib``, at most
  :data:`CHUNK_BYTES` of output per step, so the size limit applies to the *decoded* bytes and a
  gzip bomb stops at the limit instead of filling memory;
* refuses a coded body whose compressed stream does not end (urllib3 hands over the decoded
  prefix of a cut gzip stream as if it were the whole body; we do not);
* stops with :class:`BodyTooLarge` as soon as the decoded body passes ``limit`` bytes (at once,
  without reading, when an uncoded body's ``Content-Length`` already says so);
* gives up with :class:`BodyTimeout` when the whole body has not arrived ``deadline_s`` after
  reading started: a server trickling one byte per second never trips the per-read timeout, so
  a watchdog shuts the socket down (``HTTPResponse.shutdown``) to wake the blocked read.

A body sent *without* a content coding is returned byte for byte: a ``.gz`` file served as
``application/gzip`` stays gzip, as the archive wants it.
"""

from __future__ import annotations

import contextlib
import io
import threading
import zlib
from collections.abc import Iterator

import urllib3

CHUNK_BYTES = 64 * 1024

#: What the client tells servers it accepts: exactly the codings :func:`read_body` decodes.
ACCEPT_ENCODING = "gzip, deflate"


class TruncatedBodyError(IOError):
    """The body ended before its announced length, or its compressed stream did not end."""


class BodyTooLarge(Exception):
    """The decoded body passed the size limit; ``received`` bytes were decoded before stopping."""

    def __init__(self, limit: int, received: int, declared: int | None = None):
        self.limit, self.received, self.declared = limit, received, declared
        if declared is not None:
            detail = f"Content-Length says {declared} bytes; nothing read"
        else:
            detail = f"stopped reading after {received} bytes"
        super().__init__(f"body is larger than the limit of {limit} bytes ({detail})")


class BodyTimeout(Exception):
    """The body was not complete ``deadline_s`` seconds after reading started."""


class UnsupportedEncoding(Exception):
    """A ``Content-Encoding`` we did not offer and cannot decode."""


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        yield data

    def finish(self) -> None:
        pass


class _Inflate:
    """gzip (``wbits`` 31, several members allowed) or deflate (zlib wrapper, else raw)."""

    def __init__(self, encoding: str):
        self.gzip = encoding in ("gzip", "x-gzip")
        self._obj = zlib.decompressobj(31 if self.gzip else zlib.MAX_WBITS)
        self._started = False
        self._seen_input = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            self._seen_input = True
        while data:
            try:
                piece = self._obj.decompress(data, CHUNK_BYTES)
            except zlib.error:
                if self.gzip or self._started:
                    raise
                # "deflate" servers often send a raw deflate stream without the zlib wrapper
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                piece = self._obj.decompress(data, CHUNK_BYTES)
            self._started = True
            if piece:
                yield piece
            if self._obj.unconsumed_tail:
                data = self._obj.unconsumed_tail
            elif self._obj.eof and self.gzip and self._obj.unused_data[:2] == b"\x1f\x8b":
                data = self._obj.unused_data  # the next gzip member
                self._obj = zlib.decompressobj(31)
            else:
                data = b""  # all consumed (bytes after the end of a stream are ignored)

    def finish(self) -> None:
        if self._seen_input and not self._obj.eof:
            raise TruncatedBodyError("the compressed body ends before its stream does "
                                     "(cut short in transit)")


def _decoder(content_encoding: str | None):
    encoding = (content_encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return _Identity()
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _Inflate(encoding)
    raise UnsupportedEncoding(f"Content-Encoding {content_encoding!r} (asked for "
                              f"{ACCEPT_ENCODING!r})")


def read_body(raw: urllib3.BaseHTTPResponse, *, limit: int, content_encoding: str | None,
              content_length: str | None, deadline_s: float | None = None,
              truncate: bool = False) -> bytes:
    """The decoded body of ``raw`` (a ``stream=True`` response's ``raw``), at most ``limit``
    bytes. With ``truncate`` (an error page's excerpt) the first ``limit`` bytes are returned
    instead of raising :class:`BodyTooLarge`, and the rest is not read.

    Raises :class:`TruncatedBodyError`, :class:`BodyTooLarge`, :class:`BodyTimeout`,
    :class:`UnsupportedEncoding`, ``zlib.error`` (a corrupt coded body) and urllib3's errors
    (``ProtocolError`` for a connection cut mid-body, ``ReadTimeoutError``).
    """
    decoder = _decoder(content_encoding)
    declared = _declared_length(content_length)
    if declared is not None and not truncate and isinstance(decoder, _Identity) \
            and declared > limit:
        raise BodyTooLarge(limit, 0, declared)
    expired = threading.Event()
    watchdog = _watchdog(raw, deadline_s, expired)
    out = io.BytesIO()
    size = received = 0
    try:
        for chunk in raw.stream(CHUNK_BYTES, decode_content=False):
            received += len(chunk)
            for piece in decoder.feed(chunk):
                if size + len(piece) > limit:
                    if truncate:
                        out.write(piece[:limit - size])
                        return out.getvalue()
                    raise BodyTooLarge(limit, size + len(piece))
                out.write(piece)
                size += len(piece)
            if expired.is_set():
                break
    except urllib3.exceptions.HTTPError:
        if expired.is_set():  # the watchdog cut the socket: say why, not "connection broken"
            raise BodyTimeout(f"body not complete after {deadline_s:g} s "
                              f"({received} bytes received)") from None
        raise
    finally:
        if watchdog is not None:
            watchdog.cancel()
    if expired.is_set():  # a body delimited by closing the connection ends "normally"
        raise BodyTimeout(f"body not complete after {deadline_s:g} s ({received} bytes "
                          "received)")
    decoder.finish()
    if declared is not None and received != declared:
        # urllib3 checks this itself (IncompleteRead); this is the backstop for transports
        # that do not
        raise TruncatedBodyError(f"body has {received} bytes but Content-Length says "
                                 f"{declared}")
    return out.getvalue()


def _declared_length(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        declared = int(value.strip())
    except ValueError:
        raise TruncatedBodyError(f"unreadable Content-Length {value!r}") from None
    if declared < 0:
        raise TruncatedBodyError(f"unreadable Content-Length {value!r}")
    return declared


def _watchdog(raw, deadline_s: float | None, expired: threading.Event) -> threading.Timer | None:
    if not deadline_s:
        return None

    def expire() -> None:
        expired.set()
        # no socket to shut down: already released, or a transport without one
        with contextlib.suppress(ValueError, RuntimeError, OSError):
            raw.shutdown()  # wakes a read blocked on the socket

    timer = threading.Timer(deadline_s, expire)
    timer.daemon = True
    timer.start()
    return timer
