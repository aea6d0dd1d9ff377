"""A misbehaving portal on the loopback interface, for the HTTP fault matrix.

:class:`FaultServer` is a real ``http.server`` (threaded, on ``127.0.0.1`` or another loopback
address such as ``127.0.0.2``, a free port) that answers each path from a script of
:class:`Reply` objects, one per request (the last one repeats), and records every request it
received (method, path, headers, body). A reply can be well-behaved or misbehave on the wire:
wait before answering, announce more bytes than it sends, cut a chunked body, trickle bytes, or
redirect elsewhere. :class:`SilentServer` accepts connections and never answers.

Nothing here is mocked below the socket: the client under test goes through requests, urllib3
and http.client exactly as against a portal.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    """One scripted answer.

    ``send_bytes``: send only the first n bytes of ``body`` (with ``Content-Length`` announcing
    all of it, unless ``chunked``), then hang up. ``chunked``: Transfer-Encoding chunked, in
    ``chunk_size`` pieces; with ``send_bytes`` the stream is cut without its final chunk.
    ``close_delimited``: no length at all, the end of the body is the connection closing.
    ``delay_s``: wait before the status line. ``trickle_s``: pause after each ``chunk_size``
    piece of the body.
    """

    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    content_type: str | None = "application/json"
    send_bytes: int | None = None
    chunked: bool = False
    chunk_size: int = 65536
    close_delimited: bool = False
    delay_s: float = 0.0
    trickle_s: float = 0.0


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status=status, headers={"Location": location}, content_type=None)


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict
    body: bytes


class FaultServer:
    """``with FaultServer() as server: server.script("/x", [Reply(...)]); server.url("/x")``."""

    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.received: list[Received] = []
        self._scripts: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.server = ThreadingHTTPServer((host, 0), self._handler_class())
        self.server.daemon_threads = True
        self.port = self.server.server_port
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()

    # -- scripting ----------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def script(self, path: str, replies: list[Reply]) -> None:
        """Answer ``path`` (without query) with ``replies`` in order; the last one repeats."""
        if not replies:
            raise ValueError("a script needs at least one reply")
        with self._lock:
            self._scripts[path] = list(replies)

    def requests_to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path.split("?", 1)[0] == path]

    def _next_reply(self, path: str) -> Reply | None:
        with self._lock:
            script = self._scripts.get(path.split("?", 1)[0])
            if not script:
                return None
            return script.pop(0) if len(script) > 1 else script[0]

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        self._stop.set()  # releases handlers still waiting or trickling
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)

    def __enter__(self) -> FaultServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the handler --------------------------------------------------------------------------

    def _handler_class(self):
        fault = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - http.server's naming
                self._answer()

            def do_POST(self):  # noqa: N802
                self._answer()

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with fault._lock:
                    fault.received.append(Received(self.command, self.path, dict(self.headers),
                                                   body))
                reply = fault._next_reply(self.path)
                if reply is None:
                    reply = Reply(status=404, body=b"no script for this path",
                                  content_type="text/plain")
                # the client may give up mid-reply (timeout, size limit): expected here
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._send(reply)

            def _send(self, reply: Reply):
                if reply.delay_s and fault._stop.wait(reply.delay_s):
                    return
                self.send_response(reply.status)
                if reply.content_type:
                    self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                body = reply.body
                sent = body if reply.send_bytes is None else body[:reply.send_bytes]
                if reply.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                elif reply.close_delimited:
                    self.send_header("Connection", "close")
                elif "Content-Length" not in reply.headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for start in range(0, len(sent), reply.chunk_size):
                    piece = sent[start:start + reply.chunk_size]
                    if reply.chunked:
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    else:
                        self.wfile.write(piece)
                    self.wfile.flush()
                    if reply.trickle_s and fault._stop.wait(reply.trickle_s):
                        return
                if reply.chunked and reply.send_bytes is None:
                    self.wfile.write(b"0\r\n\r\n")
                if reply.send_bytes is not None or reply.close_delimited:
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_WR)

            def log_message(self, *args):  # keep pytest output clean
                pass

        return Handler


class SilentServer:
    """Listens on the loopback, lets the kernel accept connections, and never says a word."""

    def __init__(self, host: str = "127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(64)
        self.host, self.port = host, self.sock.getsockname()[1]

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> SilentServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def wait_until(predicate, timeout_s: float = 5.0) -> bool:
    """Poll ``predicate`` (for what a server thread records after the client returned)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()
