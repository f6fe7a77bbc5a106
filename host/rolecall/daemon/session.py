"""One client connection: reads requests in order, writes replies and events in order.

Outgoing messages go through a bounded queue drained by a writer task, so one slow
client never stalls the daemon or the other clients; a client that falls too far
behind is disconnected.
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


class Session:
    """The daemon's side of one connected client."""

    def __init__(
        self,
        client_id: int,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        reply: Callable[[Session, Any], Awaitable[dict[str, Any]]],
    ) -> None:
        self.client_id = client_id
        self.greeted = False
        self.client_name = ""
        self._reader = reader
        self._writer = writer
        self._reply = reply
        self._outgoing: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(OUTGOING_LIMIT)
        self._closed = False

    def send(self, message: dict[str, Any]) -> None:
        """Queues a message; drops the client if it cannot keep up."""
        if self._closed:
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

    async def _write_loop(self) -> None:
        try:
            while (message := await self._outgoing.get()) is not None:
                try:
                    frame = pack(message)
                except FrameTooLarge as exc:
                    # Too big for one frame (e.g. a long call log with long notes): the
                    # asker gets an error reply, the connection stays.
                    log.warning("client %d: %s", self.client_id, exc.message)
                    if message.get("kind") != "response":
                        continue
                    reply = _error(
                        "frame_too_large", f"the reply is too large to send: {exc.message}"
                    )
                    frame = pack({**reply, "id": message.get("id")})
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
                    raw = await read_message(self._reader)
                except FrameError as exc:
                    self.send(_frame_error(exc))
                    if exc.fatal:
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
