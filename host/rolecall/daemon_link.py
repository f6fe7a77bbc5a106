"""Reaching the daemon from a client process: connect, and start it if none runs.

Used by the native host shim and the CLI. A started daemon is detached (its own
session), so closing the browser or killing the shim never takes it down.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time

from rolecall.invocation import rolecall_command
from rolecall.paths import Home

EXIT_ALREADY_RUNNING = 3
"""The daemon's exit status when another daemon holds the lock."""
EXIT_UNSAFE_HOME = 4
"""The daemon refused a state directory another user owns or others may write to."""


class DaemonStartError(Exception):
    """The daemon could not be reached or started; `log_tail` says why, when it can."""

    def __init__(self, message: str, log_tail: str = "") -> None:
        super().__init__(message)
        self.log_tail = log_tail


def connect(home: Home, timeout: float = 5.0) -> socket.socket:
    """A connected socket to the running daemon; `OSError` when none listens."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(os.fspath(home.socket_path))
    except OSError:
        sock.close()
        raise
    sock.settimeout(None)
    return sock


def _log_tail(home: Home, lines: int = 20) -> str:
    try:
        with home.daemon_log.open("rb") as log:
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - 8192))
            text = log.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def start_daemon(home: Home) -> subprocess.Popen[bytes]:
    """Starts a detached daemon writing to the daemon log."""
    home.ensure()
    with home.daemon_log.open("ab") as log:
        return subprocess.Popen(
            rolecall_command("daemon"),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            close_fds=True,
            env={**os.environ, "ROLECALL_HOME": os.fspath(home.root)},
        )


def connect_or_start(home: Home, timeout: float = 15.0) -> socket.socket:
    """Connects to the daemon, starting it first when none answers."""
    with contextlib.suppress(OSError):
        return connect(home)
    process = start_daemon(home)
    deadline = time.monotonic() + timeout
    delay = 0.01
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            return connect(home)
        status = process.poll()
        if status is not None and status != EXIT_ALREADY_RUNNING:
            raise DaemonStartError(
                f"the daemon exited with status {status} while starting", _log_tail(home)
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 0.1)
    raise DaemonStartError(f"the daemon did not answer within {timeout:.0f} s", _log_tail(home))
