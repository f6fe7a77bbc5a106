"""The native messaging host: the thin shim a browser spawns for each native port.

It guards stdout at the fd level (anything stray on fd 1 would break the port) and
starts the daemon when none runs. Then, where the platform passes file descriptors,
it hands the browser's pipes to the daemon (`daemon/server_native.py`), which reads
and writes the browser's frames itself, and waits until the daemon lets the port go:
no relay hop is left on the way of a message. Otherwise (Windows, or a daemon that
does not take the pipes) it relays (`native_host_relay.py`).

A browser spawns this for every port, so its start is kept short: the handover path
imports only what it uses (no logging, no JSON or msgpack, no subprocess unless the
daemon must be started), and nothing heavy (no pydantic, no pjsua2) in any case.
"""

from __future__ import annotations

import os
import socket
import stat
import sys

from rolecall import __version__
from rolecall.paths import Home, resolve_home

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO


def say(message: str) -> None:
    """One line to stderr, which the browser keeps in its log."""
    sys.stderr.write(f"rolecall-native-host: {message}\n")
    sys.stderr.flush()


def guard_stdout() -> BinaryIO:
    """Takes fd 1 for frames and points fd 1 (and `sys.stdout`) at stderr.

    Must run before anything can print: C libraries write to fd 1 directly.
    """
    frames = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return frames


def _is_stream(fd: int) -> bool:
    """A pipe or a socket: what the daemon's event loop can read and write."""
    mode = os.fstat(fd).st_mode
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _connect(path: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(5.0)
        sock.connect(path)
    except OSError:
        sock.close()
        raise
    sock.settimeout(None)
    return sock


def hand_over(home: Home, frames: BinaryIO) -> int | None:
    """Gives the browser's pipes to the daemon, then waits while it serves them.

    Starts the daemon first when none answers. Returns the exit status once the
    daemon lets the port go (1 when the browser's stream broke), or None when the
    pipes cannot be handed over and the shim must relay. Nothing has been read from
    stdin by then, so a relay starts in step.
    """
    pipes = [sys.stdin.fileno(), frames.fileno()]
    if not hasattr(socket, "send_fds") or not all(_is_stream(fd) for fd in pipes):
        return None
    path = os.fspath(home.native_socket_path)
    try:
        sock = _connect(path)
    except OSError:
        from rolecall.daemon_link import DaemonStartError, connect_or_start

        try:
            connect_or_start(home).close()  # starts the daemon when none runs
            sock = _connect(path)
        except (DaemonStartError, OSError) as exc:
            say(f"relaying: the daemon does not take the pipes ({exc})")
            return None
    try:
        socket.send_fds(sock, [b"\x00"], pipes)
    except OSError as exc:
        say(f"relaying: the pipes could not be handed over ({exc})")
        sock.close()
        return None
    # The daemon holds the pipes now; ours must go, or the browser would not see the
    # port close when the daemon closes it.
    frames.close()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    say("the daemon serves the port")
    try:
        status = sock.recv(1)
    except OSError:
        status = b""
    sock.close()
    return status[0] if status else 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; `argv` is what the browser passed (origin, or manifest path + id)."""
    frames = guard_stdout()
    args = sys.argv[1:] if argv is None else argv
    say(f"{__version__} started for {' '.join(args) or '(no caller)'}")
    home = resolve_home()
    try:
        home.ensure()
    except OSError as exc:
        say(f"state directory unusable: {exc}")
    status = hand_over(home, frames)
    if status is not None:
        return status
    from rolecall.native_host_relay import relay

    return relay(home, frames)


if __name__ == "__main__":
    sys.exit(main())
