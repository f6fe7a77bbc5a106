"""Native messaging frames: a uint32 length in native byte order, then UTF-8 JSON.

Both browsers cap host → browser frames at 1 MiB (Firefox closes the port on a bigger
one); we hold browser → host to the same cap. A message whose JSON is larger travels
as `chunk` messages (see docs/PROTOCOL.md), split and joined here.
"""

from __future__ import annotations

import base64
import json
import struct
from typing import Any, BinaryIO

from rolecall.framing.errors import FrameError, FrameTooLarge, InvalidJson, TruncatedFrame

MAX_FRAME = 1024 * 1024
"""Largest frame body, in bytes, either direction."""
MAX_MESSAGE = 16 * 1024 * 1024
"""Largest message once its chunks are joined."""
CHUNK_SLICE = 720 * 1024
"""Raw bytes per chunk; base64 makes it 960 KiB, leaving room for the envelope."""
MAX_CHUNKS = 64

_HEADER = struct.Struct("=I")
_DISCARD_STEP = 64 * 1024


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    """Reads `size` bytes, fewer only at end of stream."""
    parts: list[bytes] = []
    remaining = size
    while remaining:
        part = stream.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def read_frame(stream: BinaryIO, limit: int = MAX_FRAME) -> bytes | None:
    """The next frame's body, or None at a clean end of stream (between frames).

    An oversize frame is read off the stream and dropped, so the stream stays in step,
    and `FrameTooLarge` is raised; the caller answers it and reads on.
    """
    header = _read_exact(stream, _HEADER.size)
    if not header:
        return None
    if len(header) < _HEADER.size:
        raise TruncatedFrame(f"stream ended inside a frame header ({len(header)} of 4 bytes)")
    (length,) = _HEADER.unpack(header)
    if length > limit:
        remaining = length
        while remaining:
            dropped = stream.read(min(remaining, _DISCARD_STEP))
            if not dropped:
                raise TruncatedFrame(f"stream ended inside an oversize frame of {length} bytes")
            remaining -= len(dropped)
        raise FrameTooLarge(length, limit)
    body = _read_exact(stream, length)
    if len(body) < length:
        raise TruncatedFrame(f"stream ended inside a frame ({len(body)} of {length} bytes)")
    return body


def encode_frame(body: bytes, limit: int = MAX_FRAME) -> bytes:
    """Header plus body; refuses a body over the limit rather than break the port."""
    if len(body) > limit:
        raise FrameTooLarge(len(body), limit)
    return _HEADER.pack(len(body)) + body


def decode_json(body: bytes) -> Any:
    """The frame's JSON value; `InvalidJson` for anything that is not UTF-8 JSON."""
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InvalidJson(f"frame is not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise InvalidJson(f"frame is not JSON: {exc.msg} at byte {exc.pos}") from None
    except RecursionError:
        raise InvalidJson("frame nests too deeply") from None


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
"""Built once: `json.dumps` with these options builds an encoder per call."""


def encode_json(message: Any) -> bytes:
    """Compact UTF-8 JSON, refusing NaN and infinities (browsers cannot read them)."""
    return _JSON.encode(message).encode()


def split_message(body: bytes, chunk_id: str) -> list[bytes]:
    """Frames for one message's JSON: itself when it fits, else its chunks."""
    if len(body) <= MAX_FRAME:
        return [encode_frame(body)]
    if len(body) > MAX_MESSAGE:
        raise FrameTooLarge(len(body), MAX_MESSAGE)
    slices = [body[i : i + CHUNK_SLICE] for i in range(0, len(body), CHUNK_SLICE)]
    return [
        encode_frame(
            encode_json(
                {
                    "v": 1,
                    "kind": "chunk",
                    "id": chunk_id,
                    "index": index,
                    "count": len(slices),
                    "data": base64.b64encode(part).decode("ascii"),
                }
            )
        )
        for index, part in enumerate(slices)
    ]


class ChunkJoiner:
    """Joins incoming chunks into whole messages, one message at a time."""

    def __init__(self) -> None:
        self._id: str | None = None
        self._count = 0
        self._parts: list[bytes] = []
        self._size = 0

    def _reset(self) -> None:
        self._id, self._count, self._parts, self._size = None, 0, [], 0

    def feed(self, chunk: dict[str, Any]) -> bytes | None:
        """Adds one chunk; returns the whole message's JSON bytes when it completes."""
        chunk_id, index, count, data = (
            chunk.get("id"),
            chunk.get("index"),
            chunk.get("count"),
            chunk.get("data"),
        )
        if not (
            isinstance(chunk_id, str)
            and isinstance(index, int)
            and isinstance(count, int)
            and isinstance(data, str)
            and 2 <= count <= MAX_CHUNKS
        ):
            self._reset()
            raise FrameError("chunk is missing id, index, count or data, or count is out of range")
        if index == 0:
            self._reset()
            self._id, self._count = chunk_id, count
        elif chunk_id != self._id or count != self._count or index != len(self._parts):
            self._reset()
            raise FrameError(f"chunk {chunk_id}#{index} arrived out of order; message dropped")
        try:
            part = base64.b64decode(data, validate=True)
        except ValueError:
            self._reset()
            raise FrameError(f"chunk {chunk_id}#{index} is not base64; message dropped") from None
        self._size += len(part)
        if self._size > MAX_MESSAGE:
            self._reset()
            raise FrameTooLarge(self._size, MAX_MESSAGE)
        self._parts.append(part)
        if len(self._parts) < self._count:
            return None
        whole = b"".join(self._parts)
        self._reset()
        return whole
