"""Talking to a native messaging host the way a browser does: spawn it, say hello, read.

The host is started with the browser's arguments (`chrome-extension://<id>/` for the
Chromium family; the manifest path and the add-on id for Firefox), our environment, and
its own directory as the working directory. One `hello` goes in as a native-messaging
frame; the first response that comes back (events before it are skipped) is the
answer. Then stdin is closed, as a browser does, and the host gets a few seconds to
exit before it is killed by pid. Used by `rolecall doctor`.
"""

from __future__ import annotations

import contextlib
import os
import struct
import subprocess
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, cast

from rolecall import __version__
from rolecall.framing.errors import FrameError
from rolecall.framing.native import MAX_FRAME, decode_json, encode_frame, encode_json, read_frame
from rolecall.identity import CHROMIUM_EXTENSION_ID, GECKO_EXTENSION_ID
from rolecall.install.table import Family

Outcome = Literal["ok", "error_reply", "junk", "exited", "timeout", "spawn_failed"]
REQUEST_ID = "doctor-hello"
_HEADER = struct.Struct("=I")


@dataclass(frozen=True)
class ProbeResult:
    outcome: Outcome
    reply: dict[str, Any] | None = None
    first_bytes: bytes = b""
    """The first bytes the host wrote on stdout (up to 64), for diagnosing junk."""
    error: str = ""
    exit_status: int | None = None
    killed: bool = False
    """The host had to be killed after its stdin was closed."""
    stderr_tail: str = ""


def browser_args(family: Family, manifest_path: Path) -> list[str]:
    """What the browser passes to the host."""
    if family == "firefox":
        return [str(manifest_path), GECKO_EXTENSION_ID]
    return [f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"]


def hello_frame() -> bytes:
    payload = {"client": {"name": "rolecall-doctor", "version": __version__}, "protocols": [1]}
    request = {"v": 1, "kind": "request", "id": REQUEST_ID, "type": "hello", "payload": payload}
    return encode_frame(encode_json(request))


class _Tap:
    """A read-only stream over the host's stdout that keeps its first bytes."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._pushback = b""
        self.seen = bytearray()

    def read(self, size: int = -1) -> bytes:
        if self._pushback:
            cut = len(self._pushback) if size < 0 else size
            part, self._pushback = self._pushback[:cut], self._pushback[cut:]
            return part
        data = self._stream.read(size)
        if len(self.seen) < 64:
            self.seen += data[: 64 - len(self.seen)]
        return data

    def glimpse(self, size: int = 60) -> None:
        """Adds to `seen` what is already buffered after it, to show more of the junk."""
        peek = getattr(self._stream, "peek", None)
        if peek is not None and not self._pushback:
            more: bytes = peek(size)
            self.seen += more[: 64 - len(self.seen)]

    def peek_exact(self, size: int) -> bytes:
        """Up to `size` bytes (fewer only at end of stream), left to be read again."""
        data = b""
        while len(data) < size:
            part = self.read(size - len(data))
            if not part:
                break
            data += part
        self._pushback = data + self._pushback
        return data


def _read_reply(tap: _Tap, box: list[tuple[str, Any]]) -> None:
    """Reads frames until the hello's response; records what happened in `box`."""
    try:
        header = tap.peek_exact(_HEADER.size)
        if len(header) == _HEADER.size and _HEADER.unpack(header)[0] > MAX_FRAME:
            tap.read(_HEADER.size)
            tap.glimpse()
            box.append(("junk", "the first 4 bytes announce a frame over 1 MiB"))
            return
        while True:
            body = read_frame(cast(BinaryIO, tap))
            if body is None:
                box.append(("exited", None))
                return
            message = decode_json(body)
            if (
                isinstance(message, dict)
                and message.get("kind") == "response"
                and message.get("id") in (REQUEST_ID, None)
            ):
                box.append(("reply", message))
                return
    except FrameError as exc:
        box.append(("junk", exc.message))
    except (OSError, ValueError) as exc:
        box.append(("exited", str(exc)))


def _finish(process: subprocess.Popen[bytes], exit_timeout: float) -> bool:
    """Closes the host's stdin and waits for it; kills it by pid if it lingers."""
    if process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()
    try:
        process.wait(exit_timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return True
    return False


def _tail(stream: IO[bytes], limit: int = 4000) -> str:
    stream.seek(0, os.SEEK_END)
    stream.seek(max(0, stream.tell() - limit))
    return stream.read().decode("utf-8", "replace").strip()


def probe_host(
    executable: Path, args: list[str], *, timeout: float = 15.0, exit_timeout: float = 5.0
) -> ProbeResult:
    """Starts the host as a browser would and reads its answer to `hello`."""
    with tempfile.TemporaryFile() as stderr_log:
        try:
            process = subprocess.Popen(
                [str(executable), *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr_log,
                cwd=executable.parent,
                env=dict(os.environ),
            )
        except OSError as exc:
            return ProbeResult("spawn_failed", error=exc.strerror or str(exc))
        assert process.stdin is not None and process.stdout is not None
        with contextlib.suppress(OSError):  # it may have exited already: see its output
            process.stdin.write(hello_frame())
            process.stdin.flush()
        tap = _Tap(process.stdout)
        box: list[tuple[str, Any]] = []
        reader = threading.Thread(target=_read_reply, args=(tap, box), daemon=True)
        reader.start()
        reader.join(timeout)
        killed = _finish(process, exit_timeout)
        reader.join(1.0)
        if not reader.is_alive():  # a reader blocked on the pipe holds the buffer's lock
            process.stdout.close()
        base = ProbeResult(
            "timeout",
            first_bytes=bytes(tap.seen),
            exit_status=process.returncode,
            killed=killed,
            stderr_tail=_tail(stderr_log),
        )
    if not box:
        outcome: Outcome = "junk" if tap.seen else "timeout"
        return replace(base, outcome=outcome, error="no whole frame arrived in time")
    kind, value = box[0]
    if kind == "reply":
        ok = value.get("ok") is True and isinstance(value.get("result"), dict)
        return replace(base, outcome="ok" if ok else "error_reply", reply=value)
    if kind == "junk":
        return replace(base, outcome="junk", error=str(value))
    return replace(base, outcome="exited", error=str(value or ""))
