"""Native messaging frames as the daemon reads and writes them on a handed-over port.

When the shim hands the browser's pipes to the daemon (`daemon/server_native.py`), the
daemon splits the bytes it reads into messages as they arrive and writes the browser's
frames itself, with the rules the shim keeps in `framing/native.py`: the 1 MiB cap (an
oversize frame is dropped as it arrives and answered, the stream stays in step), chunked
messages joined and split, and a message the daemon socket could not carry (a lone
UTF-16 surrogate) refused as the shim refuses it.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from rolecall.framing.errors import FrameError, FrameTooLarge, TruncatedFrame
from rolecall.framing.native import (
    _HEADER,
    MAX_FRAME,
    ChunkJoiner,
    decode_json,
    encode_frame,
    encode_json,
    split_message,
)

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
"""A JSON escape of a UTF-16 surrogate: the only way a frame can hold one."""


def _refused(message: str) -> FrameError:
    error = FrameError(message)
    error.code = "invalid_message"
    return error


def _message(joiner: ChunkJoiner, body: bytes) -> Any:
    """The message a frame's body holds; `_PART` for a chunk of one not yet whole."""
    message = decode_json(body)
    if isinstance(message, dict) and message.get("kind") == "chunk":
        whole = joiner.feed(message)
        if whole is None:
            return _PART
        body = whole
        message = decode_json(whole)
    if message is None:
        raise _refused("a message must be an object, not null")
    if _SURROGATE_ESCAPE.search(body):
        try:
            encode_json(message)
        except ValueError as exc:
            raise _refused(f"message cannot be encoded: {exc}") from None
    return message


_PART = object()
"""A chunk taken in: its message is not whole yet."""


class NativeFrames:
    """Splits what is read off one browser pipe into its messages, as the bytes come.

    `feed` gives each whole message, or the `FrameError` a bad frame earns (an oversize
    frame is dropped as its bytes arrive, and the stream stays in step); `end` gives the
    error for a stream that ended inside a frame.
    """

    def __init__(self) -> None:
        self._joiner = ChunkJoiner()
        self._buffer = bytearray()
        self._dropping = 0
        """Bytes of an oversize frame still to drop."""
        self._oversize = 0

    def feed(self, data: bytes) -> list[Any]:
        """The messages (and frame errors) `data` completes, in order."""
        found: list[Any] = []
        buffer = self._buffer
        buffer += data
        at, size = 0, len(buffer)
        while True:
            if self._dropping:
                step = min(self._dropping, size - at)
                at += step
                self._dropping -= step
                if self._dropping:
                    break
                found.append(FrameTooLarge(self._oversize, MAX_FRAME))
                continue
            if size - at < _HEADER.size:
                break
            (length,) = _HEADER.unpack_from(buffer, at)
            if length > MAX_FRAME:
                at += _HEADER.size
                self._dropping = self._oversize = length
                continue
            start = at + _HEADER.size
            if size - start < length:
                break
            at = start + length
            try:
                message = _message(self._joiner, bytes(buffer[start:at]))
            except FrameError as exc:
                found.append(exc)
                continue
            if message is not _PART:
                found.append(message)
        del buffer[:at]
        return found

    def end(self) -> FrameError | None:
        """At the end of the stream: the error for a frame left unfinished, if one was."""
        if self._dropping:
            got = self._oversize - self._dropping
            return TruncatedFrame(f"stream ended inside a frame ({got} of {self._oversize} bytes)")
        if not self._buffer:
            return None
        if len(self._buffer) < _HEADER.size:
            return TruncatedFrame(
                f"stream ended inside a frame header ({len(self._buffer)} of 4 bytes)"
            )
        (length,) = _HEADER.unpack_from(self._buffer, 0)
        got = len(self._buffer) - _HEADER.size
        return TruncatedFrame(f"stream ended inside a frame ({got} of {length} bytes)")


class NativeEncoder:
    """Turns messages into frames for one browser port: chunks when over 1 MiB."""

    def __init__(self) -> None:
        self._chunk_ids = itertools.count(1)

    def __call__(self, message: Any) -> bytes:
        try:
            body = encode_json(message)
        except (ValueError, TypeError) as exc:
            request_id = message.get("id") if isinstance(message, dict) else None
            return encode_frame(
                encode_json(
                    {
                        "v": 1,
                        "kind": "response",
                        "id": request_id if isinstance(request_id, str) else None,
                        "ok": False,
                        "error": {
                            "code": "internal",
                            "message": f"reply could not be sent: {exc}",
                            "details": {},
                        },
                    }
                )
            )
        if len(body) <= MAX_FRAME:
            return encode_frame(body)
        return b"".join(split_message(body, f"d{next(self._chunk_ids)}"))
