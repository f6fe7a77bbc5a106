"""Native messaging frames on asyncio streams: the daemon's side of a handed-over port.

When the shim hands the browser's pipes to the daemon (`daemon/server_native.py`), the
daemon reads and writes the browser's frames itself, with the rules the shim keeps in
`framing/native.py`: the 1 MiB cap (an oversize frame is read off and answered, the
stream stays in step), chunked messages joined and split, and a message the daemon
socket could not carry (a lone UTF-16 surrogate) refused as the shim refuses it.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from typing import Any

from rolecall.framing.errors import FrameError, FrameTooLarge, TruncatedFrame
from rolecall.framing.native import (
    _DISCARD_STEP,
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


class NativeReader:
    """Reads one browser port's messages; keeps the chunks of a message being joined."""

    def __init__(self) -> None:
        self._joiner = ChunkJoiner()

    async def _frame(self, reader: asyncio.StreamReader) -> bytes | None:
        try:
            header = await reader.readexactly(_HEADER.size)
        except asyncio.IncompleteReadError as exc:
            if not exc.partial:
                return None
            raise TruncatedFrame(
                f"stream ended inside a frame header ({len(exc.partial)} of 4 bytes)"
            ) from None
        (length,) = _HEADER.unpack(header)
        try:
            if length > MAX_FRAME:
                remaining = length
                while remaining:
                    step = min(remaining, _DISCARD_STEP)
                    await reader.readexactly(step)
                    remaining -= step
                raise FrameTooLarge(length, MAX_FRAME)
            return await reader.readexactly(length)
        except asyncio.IncompleteReadError as exc:
            raise TruncatedFrame(
                f"stream ended inside a frame ({len(exc.partial)} of {length} bytes)"
            ) from None

    async def read(self, reader: asyncio.StreamReader) -> Any:
        """The next whole message, or None at a clean end of stream."""
        while True:
            body = await self._frame(reader)
            if body is None:
                return None
            message = decode_json(body)
            if isinstance(message, dict) and message.get("kind") == "chunk":
                whole = self._joiner.feed(message)
                if whole is None:
                    continue
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
