"""One client connection: reads requests in order, writes replies and events in order.

Outgoing messages go through a bounded queue drained by a writer task, so one slow
client never stalls the daemon or the other clients; a client that falls too far
behind is disconnected. A reply with nothing queued ahead of it and nothing waiting in
the socket's buffer is written at once instead: the common request-reply case then
costs one turn of the event loop, not two.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rolecall.framing.errors import FrameError, FrameTooLarge
from rolecall.framing.socket_frames import pack, read_message

log = logging.getLogger(__name__)

OUTGOING_LIMIT = 10_000
"""Messages queued for one client before it counts as stuck."""


Reader = Callable[[asyncio.StreamReader], Awaitable[Any]]
"""Reads the next message off a stream; None at its clean end, `FrameError` for a bad frame."""
Encoder = Callable[[Any], bytes]
"""One message as the bytes to write; `FrameTooLarge` when it cannot be sent."""


class Session:
    """The daemon's side of one connected client.

    It speaks msgpack frames on the daemon socket by default; a browser port handed over
    by the shim speaks native messaging frames instead (`read` and `encode`).
    """

    def __init__(
        self,
        client_id: int,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        reply: Callable[[Session, Any], Awaitable[dict[str, Any]]],
        read: Reader = read_message,
        encode: Encoder = pack,
    ) -> None:
        self.client_id = client_id
        self.greeted = False
        self.client_name = ""
        self._reader = reader
        self._writer = writer
        self._reply = reply
        self._read = read
        self._encode = encode
        self.broken = False
        """True when the client's stream went out of step (a fatal frame error)."""
        self._outgoing: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(OUTGOING_LIMIT)
        self._closed = False

    def send(self, message: dict[str, Any]) -> None:
        """Queues a message; drops the client if it cannot keep up."""
        if self._closed:
            return
        if self._outgoing.empty() and self._writer.transport.get_write_buffer_size() == 0:
            # Nothing is ahead of it (the writer task writes what it takes off the queue
            # without awaiting in between), so writing now keeps the order.
            try:
                frame = self._frame(message)
            except (TypeError, ValueError):
                log.exception("client %d: a message could not be packed", self.client_id)
                self.close()
                return
            if frame is not None:
                self._writer.write(frame)
            return
        try:
            self._outgoing.put_nowait(message)
        except asyncio.QueueFull:
            log.warning(
                "client %d is %d messages behind; disconnecting it", self.client_id, OUTGOING_LIMIT
            )
            self.close()

    def close(self) -> None:
        """Stops reading; queued messages are still written, then the socket closes."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(asyncio.QueueFull):
            self._outgoing.put_nowait(None)

    def _frame(self, message: dict[str, Any]) -> bytes | None:
        """The message's frame; None when it is too big and nobody waits for it."""
        try:
            return self._encode(message)
        except FrameTooLarge as exc:
            # Too big for one frame (e.g. a long call log with long notes): the asker
            # gets an error reply, the connection stays.
            log.warning("client %d: %s", self.client_id, exc.message)
            if message.get("kind") != "response":
                return None
            reply = _error("frame_too_large", f"the reply is too large to send: {exc.message}")
            return self._encode({**reply, "id": message.get("id")})

    async def _write_loop(self) -> None:
        try:
            while (message := await self._outgoing.get()) is not None:
                frame = self._frame(message)
                if frame is None:
                    continue
                self._writer.write(frame)
                if self._outgoing.empty():
                    await self._writer.drain()
            await self._writer.drain()
        except (ConnectionError, FrameError) as exc:
            log.info("client %d: write failed: %s", self.client_id, exc)
        finally:
            self._closed = True
            self._writer.close()
            with contextlib.suppress(ConnectionError):
                await self._writer.wait_closed()

    async def run(self) -> None:
        """Serves the connection until the client leaves or the session is closed."""
        writer_task = asyncio.create_task(self._write_loop())
        try:
            while not self._closed:
                try:
                    raw = await self._read(self._reader)
                except FrameError as exc:
                    self.send(_frame_error(exc))
                    if exc.fatal:
                        self.broken = True
                        break
                    continue
                except ConnectionError:
                    break
                if raw is None:
                    break
                try:
                    reply = await self._reply(self, raw)
                except Exception:
                    log.exception("client %d: no reply could be made", self.client_id)
                    reply = _error("internal", "the daemon hit a bug; see its log")
                self.send(reply)
        finally:
            self.close()
            await writer_task


def _error(code: str, message: str) -> dict[str, Any]:
    return {
        "v": 1,
        "kind": "response",
        "id": None,
        "ok": False,
        "error": {"code": code, "message": message, "details": {}},
    }


def _frame_error(exc: FrameError) -> dict[str, Any]:
    return _error(exc.code, exc.message)
