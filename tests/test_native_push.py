"""A browser port's messages handed to its session as their bytes arrive.

`NativeFrames` splits the bytes read off the browser's pipe however they are cut, and a
pushed `Session` answers in order: at once when the handler does not wait, and keeping
what comes after a request whose handler waits until that one is answered.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from collections.abc import Callable
from typing import Any

import pytest

from rolecall.daemon.session import BACKLOG_LIMIT, Session
from rolecall.framing.errors import FrameError, FrameTooLarge, InvalidJson, TruncatedFrame
from rolecall.framing.native import MAX_FRAME, split_message
from rolecall.framing.native_stream import NativeEncoder, NativeFrames


def frame(message: Any) -> bytes:
    body = json.dumps(message).encode()
    return struct.pack("=I", len(body)) + body


def test_messages_come_out_whole_however_the_bytes_are_cut() -> None:
    big = {
        "v": 1,
        "kind": "request",
        "id": "big",
        "type": "ping",
        "payload": {"x": "y" * 2_000_000},
    }
    stream = (
        frame({"n": 1})
        + struct.pack("=I", MAX_FRAME + 10)
        + b"z" * (MAX_FRAME + 10)
        + b"".join(split_message(json.dumps(big).encode(), "c1"))
        + struct.pack("=I", 3)
        + b"{x}"
        + frame(None)
        + frame({"n": 2})
    )
    for step in (1, 7, 4096, len(stream)):
        frames = NativeFrames()
        found: list[Any] = []
        for at in range(0, len(stream), step):
            found += frames.feed(stream[at : at + step])
        assert frames.end() is None
        assert found[0] == {"n": 1}
        assert isinstance(found[1], FrameTooLarge) and found[1].length == MAX_FRAME + 10
        assert found[2] == big
        assert isinstance(found[3], InvalidJson)
        assert isinstance(found[4], FrameError) and "null" in found[4].message
        assert found[5] == {"n": 2}
        assert len(found) == 6


@pytest.mark.parametrize(
    ("tail", "words"),
    [(b"\x05\x00", "header (2 of 4"), (struct.pack("=I", 9) + b"abc", "(3 of 9")],
)
def test_a_stream_ending_inside_a_frame_is_told(tail: bytes, words: str) -> None:
    frames = NativeFrames()
    assert frames.feed(frame({"n": 1}) + tail) == [{"n": 1}]
    error = frames.end()
    assert isinstance(error, TruncatedFrame) and error.fatal and words in error.message


class Source:
    """Stands in for the browser's pipe: what the test pushes, and whether reading paused."""

    def __init__(self) -> None:
        self.take: Callable[[Any], None] | None = None
        self.paused = 0
        self.resumed = 0

    def attach(self, take: Callable[[Any], None]) -> None:
        self.take = take

    def pause_reading(self) -> None:
        self.paused += 1

    def resume_reading(self) -> None:
        self.resumed += 1

    def push(self, item: Any) -> None:
        assert self.take is not None
        self.take(item)


async def replies(sock: socket.socket, count: int) -> list[Any]:
    loop = asyncio.get_running_loop()
    frames = NativeFrames()
    found: list[Any] = []
    while len(found) < count:
        data = await asyncio.wait_for(loop.sock_recv(sock, 65536), 5)
        assert data, f"the session closed after {found}"
        found += frames.feed(data)
    return found


def test_a_waiting_handler_keeps_the_messages_after_it_in_order() -> None:
    async def scenario() -> None:
        ours, theirs = socket.socketpair()
        theirs.setblocking(False)
        _, writer = await asyncio.open_connection(sock=ours)
        gate = asyncio.Event()
        started: list[str] = []

        async def reply(session: Session, raw: Any) -> dict[str, Any]:
            started.append(raw["id"])
            if raw["id"] == "slow":
                await gate.wait()
            if raw["id"] == "bug":
                raise RuntimeError("a handler's bug")
            return {"kind": "response", "id": raw["id"], "ok": True}

        source = Source()
        session = Session(1, source, writer, reply, encode=NativeEncoder())
        running = asyncio.create_task(session.run())
        await asyncio.sleep(0)
        source.push({"id": "a"})
        assert started == ["a"]  # answered in the turn that read it, without a task
        source.push({"id": "slow"})
        for n in range(BACKLOG_LIMIT):
            source.push({"id": f"after{n}"})
        assert started == ["a", "slow"]
        assert source.paused == 1  # too many waiting: the pipe stops being read
        gate.set()
        got = await replies(theirs, BACKLOG_LIMIT + 2)
        assert [r.get("id") for r in got] == [
            "a",
            "slow",
            *(f"after{n}" for n in range(BACKLOG_LIMIT)),
        ]
        assert source.resumed == 1  # all answered: reading goes on
        source.push({"id": "bug"})
        source.push(TruncatedFrame("stream ended inside a frame (1 of 9 bytes)"))
        source.push({"id": "never"})
        got = await replies(theirs, 2)
        assert got[0]["error"]["code"] == "internal"  # the bug, and the session lived on
        assert got[1]["error"]["code"] == "bad_frame"
        await asyncio.wait_for(running, 5)
        assert session.broken and "never" not in started
        theirs.close()

    asyncio.run(scenario())


def test_the_end_of_the_stream_ends_the_session() -> None:
    async def scenario() -> None:
        ours, theirs = socket.socketpair()
        _, writer = await asyncio.open_connection(sock=ours)

        async def reply(session: Session, raw: Any) -> dict[str, Any]:
            return {"kind": "response", "id": raw["id"], "ok": True}

        source = Source()
        session = Session(1, source, writer, reply, encode=NativeEncoder())
        running = asyncio.create_task(session.run())
        await asyncio.sleep(0)
        source.push({"id": "a"})
        source.push(None)
        await asyncio.wait_for(running, 5)
        assert not session.broken
        theirs.close()

    asyncio.run(scenario())
