"""The shim's relay: browser frames to daemon frames and back, where pipes cannot be handed over.

Used on Windows (no descriptor passing) and with a daemon that does not take the
browser's pipes. It checks framing only (the daemon validates what messages say):
bad frames get a typed error reply and reading goes on; oversize replies go out as
chunks. When the daemon goes away the shim exits, and the extension's reconnect
starts a fresh one. Imported only when relaying, so the usual start stays light.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import socket
import sys
import threading
from typing import Any, BinaryIO

from rolecall.daemon_link import DaemonStartError, connect_or_start
from rolecall.framing.errors import FrameError
from rolecall.framing.native import (
    ChunkJoiner,
    decode_json,
    encode_frame,
    encode_json,
    read_frame,
    split_message,
)
from rolecall.framing.socket_frames import BlockingReader, pack
from rolecall.paths import Home

log = logging.getLogger("rolecall.native_host")


_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
"""The protocol's request id; an error reply names an id only when it is a valid one."""


def error_message(request_id: Any, code: str, message: str, **details: Any) -> dict[str, Any]:
    """An error response built without the protocol models (the shim stays light)."""
    valid_id = isinstance(request_id, str) and _REQUEST_ID.fullmatch(request_id)
    return {
        "v": 1,
        "kind": "response",
        "id": request_id if valid_id else None,
        "ok": False,
        "error": {"code": code, "message": message, "details": details},
    }


class Relay:
    """Moves messages between one browser port and the daemon."""

    def __init__(self, home: Home, browser_in: BinaryIO, browser_out: BinaryIO) -> None:
        self._home = home
        self._in = browser_in
        self._out = browser_out
        self._out_lock = threading.Lock()
        self._chunk_ids = (f"h{n}" for n in itertools.count(1))
        self._daemon: socket.socket | None = None
        self._daemon_lock = threading.Lock()

    def to_browser(self, message: Any) -> None:
        """Writes one message as one frame, or as chunks when it is over 1 MiB."""
        try:
            frames = split_message(encode_json(message), next(self._chunk_ids))
        except (FrameError, ValueError, TypeError) as exc:
            request_id = message.get("id") if isinstance(message, dict) else None
            frames = [
                encode_frame(
                    encode_json(
                        error_message(request_id, "internal", f"reply could not be sent: {exc}")
                    )
                )
            ]
        with self._out_lock:
            for frame in frames:
                self._out.write(frame)
            self._out.flush()

    def connect_daemon(self) -> socket.socket:
        with self._daemon_lock:
            if self._daemon is None:
                self._daemon = connect_or_start(self._home)
                threading.Thread(
                    target=self._pump_daemon,
                    args=(self._daemon,),
                    name="daemon-reader",
                    daemon=True,
                ).start()
            return self._daemon

    def _pump_daemon(self, sock: socket.socket) -> None:
        """Daemon → browser, until the daemon closes; then the shim ends."""
        reader = BlockingReader(sock)
        try:
            while (message := reader.read_message()) is not None:
                self.to_browser(message)
        except (OSError, FrameError) as exc:
            log.warning("daemon connection failed: %s", exc)
        log.info("daemon closed the connection; native host exits")
        os._exit(0)

    def forward(self, message: Any) -> None:
        """Browser → daemon; answers with `daemon_unavailable` when it cannot get there."""
        request_id = message.get("id") if isinstance(message, dict) else None
        try:
            frame = pack(message)
        except (ValueError, TypeError) as exc:
            # e.g. a lone UTF-16 surrogate ("\ud800"): valid JSON, not valid text
            self.to_browser(
                error_message(request_id, "invalid_message", f"message cannot be encoded: {exc}")
            )
            return
        try:
            sock = self.connect_daemon()
            sock.sendall(frame)
        except (DaemonStartError, OSError) as exc:
            self._daemon = None
            tail = exc.log_tail if isinstance(exc, DaemonStartError) else ""
            self.to_browser(
                error_message(
                    request_id,
                    "daemon_unavailable",
                    f"the Rolecall daemon could not be reached: {exc}",
                    log=tail,
                    home=os.fspath(self._home.root),
                )
            )

    def run(self) -> int:
        """Browser → daemon until the browser closes stdin."""
        joiner = ChunkJoiner()
        while True:
            try:
                body = read_frame(self._in)
                if body is None:
                    return 0
                message = decode_json(body)
                if isinstance(message, dict) and message.get("kind") == "chunk":
                    whole = joiner.feed(message)
                    if whole is None:
                        continue
                    message = decode_json(whole)
            except FrameError as exc:
                log.warning("bad frame from the browser: %s", exc.message)
                if exc.fatal:
                    return 1
                self.to_browser(error_message(None, exc.code, exc.message))
                continue
            self.forward(message)


def relay(home: Home, frames: BinaryIO) -> int:
    """Relays until the browser closes stdin; connects (or starts the daemon) meanwhile."""
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="rolecall-native-host: %(message)s"
    )
    shim = Relay(home, sys.stdin.buffer, frames)
    threading.Thread(target=_warm_up, args=(shim,), daemon=True).start()
    return shim.run()


def _warm_up(shim: Relay) -> None:
    """Connects (or starts the daemon) while the browser is still sending hello."""
    try:
        shim.connect_daemon()
    except (DaemonStartError, OSError) as exc:
        log.warning("daemon not reachable yet: %s", exc)
