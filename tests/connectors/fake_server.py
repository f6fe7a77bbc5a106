"""A local HTTP(S) server on 127.0.0.1 that plays a CRM for the connector tests.

Routes map a method and a path pattern to a handler (a function of the request, or a
fixed `Reply`). Every request is recorded. Faults can be queued: the next matching
request(s) get a chosen reply (429 with Retry-After, 503, 401…), optionally after the
real handler ran (a write that succeeded but whose answer was lost), or after a delay
longer than the client's timeout.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture(name: str, base: str = "") -> Any:
    """A JSON fixture; `{base}` in it becomes the fake server's origin."""
    return json.loads((FIXTURES / name).read_text().replace("{base}", base))


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    raw: bytes

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw: bytes | None = None


Handler = Callable[[Recorded], Reply]


@dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    reply: Reply
    times: int
    after_handler: bool


class FakeServer:
    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.requests: list[Recorded] = []
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        owner = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body are written separately: without this, Nagle's
                # algorithm and delayed ACKs add 40 ms to every response.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                owner._serve(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self.scheme = "http"
        if ssl_context is not None:
            self._httpd.socket = ssl_context.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    # -- configuration ----------------------------------------------------------------

    def route(self, method: str, pattern: str, handler: Handler | Reply) -> None:
        fn = handler if callable(handler) else (lambda request, reply=handler: reply)
        self.routes.append((method, re.compile(pattern), fn))

    def fail(
        self,
        method: str,
        pattern: str,
        reply: Reply,
        *,
        times: int = 1,
        after_handler: bool = False,
    ) -> None:
        """The next `times` matching requests get `reply` instead of their answer."""
        with self._lock:
            self._faults.append(_Fault(method, re.compile(pattern), reply, times, after_handler))

    def matching(self, method: str, pattern: str) -> list[Recorded]:
        rx = re.compile(pattern)
        return [r for r in self.requests if r.method == method and rx.search(r.path)]

    # -- serving ----------------------------------------------------------------------

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        parts = urlsplit(h.path)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        request = Recorded(
            method=h.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in h.headers.items()},
            body=body,
            raw=raw,
        )
        with self._lock:
            self.requests.append(request)
            fault = next(
                (
                    f
                    for f in self._faults
                    if f.times > 0 and f.method == h.command and f.pattern.search(parts.path)
                ),
                None,
            )
            if fault is not None:
                fault.times -= 1
        if fault is not None and fault.after_handler:
            self._dispatch(request)
        reply = fault.reply if fault is not None else self._dispatch(request)
        if reply.delay:
            time.sleep(reply.delay)
        payload = reply.raw if reply.raw is not None else b""
        if reply.raw is None and reply.body is not None:
            payload = json.dumps(reply.body).encode()
        try:
            h.send_response(reply.status)
            if payload and "Content-Type" not in reply.headers:
                h.send_header("Content-Type", "application/json; charset=utf-8")
            for name, value in reply.headers.items():
                h.send_header(name, value)
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            h.wfile.write(payload)
        except OSError:
            pass  # the client gave up (a timeout test)

    def _dispatch(self, request: Recorded) -> Reply:
        for method, pattern, handler in self.routes:
            if method == request.method and pattern.fullmatch(request.path):
                return handler(request)
        return Reply(404, [{"message": f"no route for {request.method} {request.path}"}])
