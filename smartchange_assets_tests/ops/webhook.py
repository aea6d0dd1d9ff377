"""A tiny local webhook receiver (``http.server`` on 127.0.0.1) that records what it is sent.

It answers like Slack's incoming webhook (``200 ok``) unless told to fail the next requests,
which lets tests drive the real HTTP client's retries.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class WebhookReceiver:
    def __init__(self):
        self.received: list[dict] = []
        self.raw: list[tuple[dict, bytes]] = []  # headers, body of every request, failed too
        self._fail_next: list[tuple[int, dict]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.raw.append((dict(self.headers), body))
                    failure = receiver._fail_next.pop(0) if receiver._fail_next else None
                    if failure is None:
                        receiver.received.append(json.loads(body))
                status, headers = failure or (200, {})
                reply = b"ok" if status == 200 else b"error"
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):  # keep pytest output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/smartchange"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def fail_next(self, status: int, times: int = 1, headers: dict | None = None) -> None:
        with self._lock:
            self._fail_next += [(status, headers or {})] * times

    def clear(self) -> None:
        with self._lock:
            self.received.clear()
            self.raw.clear()
            self._fail_next.clear()

    def alerts_for_run(self, run_id: str) -> list[dict]:
        with self._lock:
            return [b for b in self.received if b["smartchange"]["run_id"] == run_id]

    def wait_for(self, predicate, timeout: float = 120.0, interval: float = 0.5) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                matching = [b for b in self.received if predicate(b)]
            if matching:
                return matching
            time.sleep(interval)
        return []

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
