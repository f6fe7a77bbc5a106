"""The native messaging host: the thin shim a browser spawns for each native port.

It guards stdout at the fd level (anything stray on fd 1 would break the port) and
starts the daemon when none runs. Then, where the platform passes file descriptors,
it hands the browser's pipes to the daemon (`daemon/server_native.py`), which reads
and writes the browser's frames itself, and waits until the daemon lets the port go:
no relay hop is left on the way of a message. Otherwise (Windows, or a daemon that
does not take the pipes) it relays messages between the browser (length-prefixed
JSON on stdin/stdout) and the daemon (msgpack frames on the local socket). Either
way only framing is checked here: the daemon validates what the messages say. Bad
frames get a typed error reply and reading goes on. When the daemon goes away the
shim exits, and the extension's reconnect starts a fresh one.

It imports nothing heavy (no pydantic, no pjsua2) so that it starts fast.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import socket
import stat
import sys
import threading
from typing import Any, BinaryIO

from rolecall import __version__
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
from rolecall.paths import Home, resolve_home

log = logging.getLogger("rolecall.native_host")


def guard_stdout() -> BinaryIO:
    """Takes fd 1 for frames and points fd 1 (and `sys.stdout`) at stderr.

    Must run before anything can print: C libraries write to fd 1 directly.
    """
    frames = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return frames


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

    def adopt(self, sock: socket.socket) -> None:
        """Uses a daemon connection made before the relay started."""
        with self._daemon_lock:
            if self._daemon is None:
                self._daemon = sock
                threading.Thread(
                    target=self._pump_daemon, args=(sock,), name="daemon-reader", daemon=True
                ).start()

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


def main(argv: list[str] | None = None) -> int:
    """Entry point; `argv` is what the browser passed (origin, or manifest path + id)."""
    frames = guard_stdout()
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="rolecall-native-host: %(message)s"
    )
    args = sys.argv[1:] if argv is None else argv
    log.info("%s started for %s", __version__, " ".join(args) or "(no caller)")
    home = resolve_home()
    try:
        home.ensure()
    except OSError as exc:
        log.error("state directory unusable: %s", exc)
    relay = Relay(home, sys.stdin.buffer, frames)
    try:
        daemon = connect_or_start(home)
    except (DaemonStartError, OSError) as exc:
        log.warning("daemon not reachable yet: %s", exc)
    else:
        status = hand_over(home, frames)
        if status is not None:
            daemon.close()
            return status
        relay.adopt(daemon)
    return relay.run()


def _is_stream(fd: int) -> bool:
    """A pipe or a socket: what the daemon's event loop can read and write."""
    mode = os.fstat(fd).st_mode
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def hand_over(home: Home, frames: BinaryIO) -> int | None:
    """Gives the browser's pipes to the daemon, then waits while it serves them.

    Returns the exit status once the daemon lets the port go (1 when the browser's
    stream broke), or None when the pipes could not be handed over and the shim must
    relay. Nothing has been read from stdin by then, so the relay starts in step.
    """
    pipes = [sys.stdin.fileno(), frames.fileno()]
    if not hasattr(socket, "send_fds") or not all(_is_stream(fd) for fd in pipes):
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(5.0)
        sock.connect(os.fspath(home.native_socket_path))
        sock.settimeout(None)
    except OSError as exc:
        sock.close()
        log.info("relaying: the daemon does not take the pipes (%s)", exc)
        return None
    try:
        socket.send_fds(sock, [b"\x00"], pipes)
    except OSError as exc:
        log.info("relaying: the pipes could not be handed over (%s)", exc)
        sock.close()
        return None
    # The daemon holds the pipes now; ours must go, or the browser would not see the
    # port close when the daemon closes it.
    frames.close()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    log.info("the daemon serves the port")
    try:
        status = sock.recv(1)
    except OSError:
        status = b""
    sock.close()
    return status[0] if status else 0


if __name__ == "__main__":
    sys.exit(main())
