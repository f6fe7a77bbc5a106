"""msgpack frames on the daemon socket: round trips and broken input, sync and async."""

from __future__ import annotations

import asyncio
import socket
import struct
import threading

import msgpack
import pytest

from rolecall.framing.errors import FrameError, FrameTooLarge, TruncatedFrame
from rolecall.framing.socket_frames import MAX_SOCKET_FRAME, BlockingReader, pack, read_message


def test_blocking_round_trip_in_pieces() -> None:
    left, right = socket.socketpair()
    messages = [{"v": 1, "name": "Zoë 张"}, [1, 2.5, None, True], {"blob": "x" * 200_000}]
    data = b"".join(pack(m) for m in messages)

    def write() -> None:
        for i in range(0, len(data), 7919):  # odd-sized writes split headers and bodies
            left.sendall(data[i : i + 7919])
        left.close()

    writer = threading.Thread(target=write)
    writer.start()
    reader = BlockingReader(right)
    assert [reader.read_message() for _ in messages] == messages
    assert reader.read_message() is None
    writer.join()


def test_blocking_truncated_and_oversize() -> None:
    left, right = socket.socketpair()
    left.sendall(struct.pack(">I", 10) + b"\x81")
    left.close()
    with pytest.raises(TruncatedFrame):
        BlockingReader(right).read_message()
    left, right = socket.socketpair()
    left.sendall(struct.pack(">I", MAX_SOCKET_FRAME + 1))
    with pytest.raises(FrameTooLarge) as info:
        BlockingReader(right).read_message()
    assert info.value.fatal
    left.close()


def test_not_msgpack_is_a_frame_error() -> None:
    left, right = socket.socketpair()
    body = b"\xc1"  # never used in msgpack
    left.sendall(struct.pack(">I", len(body)) + body)
    with pytest.raises(FrameError):
        BlockingReader(right).read_message()
    left.close()


def test_pack_is_length_prefixed_msgpack() -> None:
    frame = pack({"a": 1})
    (length,) = struct.unpack(">I", frame[:4])
    assert msgpack.unpackb(frame[4 : 4 + length]) == {"a": 1}


def test_async_reader() -> None:
    async def scenario() -> list[object]:
        reader = asyncio.StreamReader()
        reader.feed_data(pack({"x": 1}) + pack("two"))
        reader.feed_data(struct.pack(">I", 5) + b"\x93")
        reader.feed_eof()
        out: list[object] = [await read_message(reader), await read_message(reader)]
        try:
            await read_message(reader)
        except TruncatedFrame as exc:
            out.append(type(exc).__name__)
        return out

    assert asyncio.run(scenario()) == [{"x": 1}, "two", "TruncatedFrame"]
