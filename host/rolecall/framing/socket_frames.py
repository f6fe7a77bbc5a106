"""Daemon socket frames: a big-endian uint32 length, then one msgpack value.

Used by the daemon (asyncio streams) and by the shim and CLI (blocking sockets). The
shim never touches asyncio, so it is imported only where a stream is read: importing
it costs the shim's start-up about a third of its import time.
"""

from __future__ import annotations

import socket
import struct
from typing import TYPE_CHECKING, Any

import msgpack

from rolecall.framing.errors import FrameError, FrameTooLarge, TruncatedFrame

if TYPE_CHECKING:
    import asyncio

MAX_SOCKET_FRAME = 16 * 1024 * 1024 + 64 * 1024
"""Largest frame: a 16 MiB message plus room for msgpack's own bytes."""

_HEADER = struct.Struct(">I")


def pack(message: Any) -> bytes:
    """One frame holding `message`."""
    body: bytes = msgpack.packb(message, use_bin_type=True)
    if len(body) > MAX_SOCKET_FRAME:
        raise FrameTooLarge(len(body), MAX_SOCKET_FRAME)
    return _HEADER.pack(len(body)) + body


def unpack(body: bytes) -> Any:
    """The value in a frame body; `FrameError` for bytes that are not one msgpack value."""
    try:
        return msgpack.unpackb(body, raw=False, strict_map_key=True)
    except (ValueError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError) as exc:
        raise FrameError(f"frame is not msgpack: {exc}") from None


def _message(body: bytes) -> Any:
    """The frame's value; never None, which callers read as the end of the stream."""
    value = unpack(body)
    if value is None:
        # A frame holding nil (JSON `null` from a browser) once read as end of stream
        # and closed the connection; it is refused like any other non-object.
        error = FrameError("a message must be an object, not nil")
        error.code = "invalid_message"
        raise error
    return value


async def read_message(reader: asyncio.StreamReader) -> Any:
    """The next message, or None at a clean end of stream.

    A frame over the limit cannot be skipped safely on a socket we may not trust, so
    it is fatal for the connection.
    """
    import asyncio  # the shim never gets here (see the module docstring)

    try:
        header = await reader.readexactly(_HEADER.size)
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise TruncatedFrame("connection closed inside a frame header") from None
    (length,) = _HEADER.unpack(header)
    if length > MAX_SOCKET_FRAME:
        error = FrameTooLarge(length, MAX_SOCKET_FRAME)
        error.fatal = True
        raise error
    try:
        body = await reader.readexactly(length)
    except asyncio.IncompleteReadError:
        raise TruncatedFrame("connection closed inside a frame") from None
    return _message(body)


class BlockingReader:
    """Reads frames from a blocking socket."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = bytearray()

    def _fill(self, size: int) -> bool:
        while len(self._buffer) < size:
            data = self._sock.recv(max(65536, size - len(self._buffer)))
            if not data:
                return False
            self._buffer += data
        return True

    def read_message(self) -> Any:
        """The next message, or None when the peer closed the connection between frames."""
        if not self._fill(_HEADER.size):
            if self._buffer:
                raise TruncatedFrame("connection closed inside a frame header")
            return None
        (length,) = _HEADER.unpack_from(self._buffer)
        if length > MAX_SOCKET_FRAME:
            error = FrameTooLarge(length, MAX_SOCKET_FRAME)
            error.fatal = True
            raise error
        if not self._fill(_HEADER.size + length):
            raise TruncatedFrame("connection closed inside a frame")
        body = bytes(self._buffer[_HEADER.size : _HEADER.size + length])
        del self._buffer[: _HEADER.size + length]
        return _message(body)
