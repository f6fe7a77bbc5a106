"""The one-shot loopback listener that catches an OAuth redirect (RFC 8252 section 7.3).

It listens on 127.0.0.1 (a random port unless the CRM's app needs a fixed one), accepts
one redirect to `/callback` whose `state` matches, answers the browser with a fixed
page, and closes: after that redirect, or when `wait` times out, or on `close`. Other
requests get 404; a redirect with the wrong `state` is refused and the listener keeps
waiting for the right one. Nothing from the request is echoed into the page.
"""

from __future__ import annotations

import hmac
import logging
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
PATH = "/callback"

_DONE_PAGE = (
    b"<!doctype html><meta charset=utf-8><title>Rolecall</title>"
    b"<p>Rolecall received the sign-in. You can close this tab.</p>"
)
_FAILED_PAGE = (
    b"<!doctype html><meta charset=utf-8><title>Rolecall</title>"
    b"<p>The sign-in did not complete. Return to Rolecall and try again.</p>"
)


@dataclass(frozen=True)
class Redirect:
    """What the authorization server sent back: a code, or an error."""

    code: str | None
    error: str | None
    error_description: str = ""


class LoopbackTimeout(Exception):
    """No redirect came back in time."""


class LoopbackListener:
    """Listens until one redirect with the expected `state` arrives."""

    def __init__(self, state: str = "", port: int = 0) -> None:
        self._state = state
        self._result: Redirect | None = None
        self._arrived = threading.Event()
        owner = self

        class _Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return  # the query holds the code

            def do_GET(self) -> None:
                owner._handle(self)

        self._server = ThreadingHTTPServer((HOST, port), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # closing waits for one poll at most
            name="oauth-loopback",
            daemon=True,
        )
        self._thread.start()

    def expect_state(self, state: str) -> None:
        """The `state` the redirect must carry (set once the authorization URL is made)."""
        self._state = state

    @property
    def redirect_uri(self) -> str:
        return f"http://{HOST}:{self._server.server_address[1]}{PATH}"

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        if parts.path != PATH or self._arrived.is_set():  # one-shot
            self._answer(request, 404, b"")
            return
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if not self._state or not hmac.compare_digest(query.get("state", ""), self._state):
            log.warning("OAuth redirect with a wrong state refused")
            self._answer(request, 400, _FAILED_PAGE)
            return
        result = Redirect(
            code=query.get("code"),
            error=query.get("error") or (None if query.get("code") else "no_code"),
            error_description=query.get("error_description", "")[:300],
        )
        self._answer(
            request, 200 if result.code else 400, _DONE_PAGE if result.code else _FAILED_PAGE
        )
        self._result = result
        self._arrived.set()

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
        request.send_response(status)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(body)))
        request.send_header("Cache-Control", "no-store")
        request.send_header("Referrer-Policy", "no-referrer")
        request.send_header("Content-Security-Policy", "default-src 'none'")
        request.end_headers()
        request.wfile.write(body)

    def wait(self, timeout_s: float) -> Redirect:
        """The redirect, once it comes; the listener is closed either way."""
        try:
            if not self._arrived.wait(timeout_s) or self._result is None:
                raise LoopbackTimeout(
                    f"no sign-in came back within {timeout_s:.0f} s (or it was cancelled)"
                )
            return self._result
        finally:
            self.close()

    def close(self) -> None:
        """Stops listening; a `wait` still running returns at once (as a timeout)."""
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
        self._arrived.set()
