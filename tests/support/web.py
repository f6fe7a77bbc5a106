"""A static web server on loopback for fixture pages (CRM pages, SPA, hostile pages).

It runs in a thread of the test process and serves one directory, with no caching so
every load sees the file as it is; `close()` stops it. `serve_one_page` answers every
path with one page, so a CRM page can be opened at its CRM's own path, query and fragment.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


class _OnePageHandler(_QuietHandler):
    page = b""

    def do_GET(self) -> None:
        if self.path.startswith("/favicon"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        self.wfile.write(self.page)


class StaticSite:
    """Serves `root` at http://<host>:<port>/ until closed."""

    def __init__(self, root: Path, host: str = "127.0.0.1", handler: Any = None) -> None:
        handler = handler or functools.partial(_QuietHandler, directory=str(root))
        self._server = ThreadingHTTPServer((host, 0), handler)
        self._server.daemon_threads = True
        self.host = host
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}/{path.lstrip('/')}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> StaticSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve_one_page(html: bytes, host: str = "127.0.0.1") -> StaticSite:
    """A site that answers every path with `html` (as text/html) until closed."""
    handler = type("OnePage", (_OnePageHandler,), {"page": html})
    return StaticSite(Path("."), host, handler)
