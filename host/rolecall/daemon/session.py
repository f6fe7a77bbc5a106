"""One client connection: reads requests in order, writes replies and events in order.

Outgoing messages go through a bounded queue drained by a writer task, so one slow
client never stalls the daemon or the other clients; a client that falls too far
behind is disconnected. A reply with nothing queued ahead of it and nothing waiting in
the socket's buffer is written at once instead: the common request-reply case then
costs one turn of the event loop, not two.

A session either reads its stream itself (a daemon socket client), or is handed each
message as its bytes arrive (a browser port, `daemon/server_native.py`): it then answers
in that same turn of the event loop, and only a request whose handler has to wait goes
on in a task, with the messages after it kept until it is answered.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any, Protocol

from rolecall.framing.errors import FrameError, FrameTooLarge
from rolecall.framing.socket_frames import pack, read_message

log = logging.getLogger(__name__)

OUTGOING_LIMIT = 10_000
"""Messages queued for one client before it counts as stuck."""


Reader = Callable[[asyncio.StreamReader], Awaitable[Any]]
"""Reads the next message off a stream; None at its clean end, `FrameError` for a bad frame."""
Encoder = Callable[[Any], bytes]
"""One message as the bytes to write; `FrameTooLarge` when it cannot be sent."""

BACKLOG_LIMIT = 256
"""Messages kept while a request is being answered before the source stops reading."""


class PushedMessages(Protocol):
    """A stream that hands over each message as it arrives (see `Session.take`)."""

    def attach(self, take: Callable[[Any], None]) -> None:
        """From now on, `take` is given every message, frame error, and None at the end."""

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...


class _Resumed:
    """A coroutine started outside the event loop that had to wait: a task finishes it."""

    def __init__(self, coro: Coroutine[Any, Any, dict[str, Any]], waiting_on: Any) -> None:
        self._coro = coro
        self._waiting_on = waiting_on

    def __await__(self) -> Generator[Any, Any, dict[str, Any]]:
        value = self._waiting_on
        while True:
            try:
                sent = yield value
            except GeneratorExit:
                self._coro.close()
                raise
            except BaseException as exc:  # cancellation included: the handler hears it
                try:
                    value = self._coro.throw(exc)
                except StopIteration as done:
                    result: dict[str, Any] = done.value
                    return result
            else:
                try:
                    value = self._coro.send(sent)
                except StopIteration as done:
                    result = done.value
                    return result


async def _finish(coro: Coroutine[Any, Any, dict[str, Any]], waiting_on: Any) -> dict[str, Any]:
    return await _Resumed(coro, waiting_on)


class Session:
    """The daemon's side of one connected client.

    It speaks msgpack frames on the daemon socket by default; a browser port handed over
    by the shim speaks native messaging frames instead (`read` and `encode`).
    """

    def __init__(
        self,
        client_id: int,
        reader: asyncio.StreamReader | PushedMessages,
        writer: asyncio.StreamWriter,
        reply: Callable[[Session, Any], Coroutine[Any, Any, dict[str, Any]]],
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
        self._ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        """Pushed messages only: done when the stream ended or the session was closed."""
        self._answering: asyncio.Task[dict[str, Any]] | None = None
        self._backlog: collections.deque[Any] = collections.deque()
        self._paused = False

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
        if not self._ended.done():
            self._ended.set_result(None)
        with contextlib.suppress(asyncio.QueueFull):
            self._outgoing.put_nowait(None)

    # ---- messages handed over as they arrive -------------------------------------------

    def take(self, item: Any) -> None:
        """The next message read for this session (or a `FrameError`, or None at the end).

        Answered now when nothing is being answered; kept in order behind a request whose
        handler is waiting for something, and the source stops reading if too many wait.
        """
        if self._answering is not None or self._backlog:
            self._backlog.append(item)
            if len(self._backlog) >= BACKLOG_LIMIT and not self._paused:
                self._paused = True
                self._pushed().pause_reading()
            return
        self._handle(item)
        self._drain()

    def _drain(self) -> None:
        """Answers the messages kept, in order, until one has to wait."""
        while self._answering is None and self._backlog:
            self._handle(self._backlog.popleft())
        if self._paused and not self._backlog and not self._closed:
            self._paused = False
            self._pushed().resume_reading()

    def _pushed(self) -> PushedMessages:
        assert not isinstance(self._reader, asyncio.StreamReader)
        return self._reader

    def _handle(self, item: Any) -> None:
        if self._closed:
            return
        if item is None:
            self.close()
            return
        if isinstance(item, FrameError):
            self.send(_frame_error(item))
            if item.fatal:
                self.broken = True
                self.close()
            return
        # Started here, in the turn that read it: a handler that never waits is answered
        # without a task (it must not need one: `asyncio.wait_for`, not `asyncio.timeout`).
        coro = self._reply(self, item)
        try:
            waiting_on = coro.send(None)
        except StopIteration as done:
            self.send(done.value)
            return
        except Exception:
            log.exception("client %d: no reply could be made", self.client_id)
            self.send(_error("internal", "the daemon hit a bug; see its log"))
            return
        task = asyncio.get_running_loop().create_task(_finish(coro, waiting_on))
        task.add_done_callback(self._answered)
        self._answering = task

    def _answered(self, task: asyncio.Task[dict[str, Any]]) -> None:
        self._answering = None
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.error("client %d: no reply could be made", self.client_id, exc_info=error)
            self.send(_error("internal", "the daemon hit a bug; see its log"))
        else:
            self.send(task.result())
        self._drain()

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
        if not isinstance(self._reader, asyncio.StreamReader):
            try:
                self._reader.attach(self.take)
                await self._ended
            finally:
                self.close()
                if self._answering is not None:
                    self._answering.cancel()
                await writer_task
            return
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
