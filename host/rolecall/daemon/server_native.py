"""Browser ports handed over by the shim: the daemon reads and writes the browser's pipes.

A relaying shim costs every message two more process wake-ups and copies. Where the
platform can pass file descriptors over a Unix socket, the shim connects to
`run/native.sock` (0600, same-user peers only), sends its stdin and stdout with
`SCM_RIGHTS` and waits; the daemon then serves the port itself as a session speaking
native messaging frames. The shim's connection stays open while the session lives:
when it ends the daemon closes it (with one status byte, 1 when the browser's stream
broke), and when the shim is killed the session ends too. The shim still relays where
fds cannot be passed (Windows) or when this listener does not answer.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import logging
import os
import socket
import stat
from collections.abc import Awaitable, Callable
from typing import Any, BinaryIO

from rolecall.daemon.peer import may_connect
from rolecall.daemon.session import PushedMessages
from rolecall.framing.native_stream import NativeEncoder, NativeFrames
from rolecall.paths import Home

log = logging.getLogger(__name__)

HANDOVER_TIMEOUT_S = 5.0
"""How long a connected shim has to send its descriptors."""

Serve = Callable[
    [
        PushedMessages,
        asyncio.StreamWriter,
        Callable[[Any], bytes],
    ],
    Awaitable[bool],
]
"""Runs a session on the port until it ends; True when the browser's stream broke."""


class _BrowserPipe(asyncio.Protocol):
    """Read side of the browser's stdin pipe: each message handed on as its bytes arrive.

    The session answers it in the same turn of the event loop (see `daemon/session.py`).
    What arrives before the session attaches is kept for it.
    """

    def __init__(self) -> None:
        self._frames = NativeFrames()
        self._take: Callable[[Any], None] | None = None
        self._early: list[Any] = []
        self._ended = False
        self.transport: asyncio.ReadTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.ReadTransport)
        self.transport = transport

    def attach(self, take: Callable[[Any], None]) -> None:
        self._take = take
        early, self._early = self._early, []
        for item in early:
            take(item)

    def pause_reading(self) -> None:
        if self.transport is not None and self.transport.is_reading():
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()

    def _deliver(self, item: Any) -> None:
        if self._take is None:
            self._early.append(item)
        else:
            self._take(item)

    def data_received(self, data: bytes) -> None:
        for item in self._frames.feed(data):
            self._deliver(item)

    def _end(self) -> None:
        if self._ended:
            return
        self._ended = True
        error = self._frames.end()
        if error is not None:
            self._deliver(error)
        self._deliver(None)

    def eof_received(self) -> bool | None:
        self._end()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._end()


class _PipeWriterProtocol(asyncio.streams.FlowControlMixin):
    """Write side of the browser's stdout pipe, with the close waiter `StreamWriter` wants."""

    def __init__(self, loop: asyncio.AbstractEventLoop, on_lost: Callable[[], None]) -> None:
        super().__init__(loop)
        self._closed: asyncio.Future[None] = loop.create_future()
        self._on_lost = on_lost

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if not self._closed.done():
            self._closed.set_result(None)
        self._on_lost()

    def _get_close_waiter(self, stream: asyncio.StreamWriter) -> asyncio.Future[None]:
        return self._closed


def _is_stream(fd: int) -> bool:
    mode = os.fstat(fd).st_mode
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


async def _receive_fds(conn: socket.socket) -> list[int]:
    """The descriptors the shim sends with its one-byte greeting."""
    loop = asyncio.get_running_loop()
    received: asyncio.Future[list[int]] = loop.create_future()
    fds_size = array.array("i").itemsize * 2

    def readable() -> None:
        try:
            data, ancillary, _flags, _addr = conn.recvmsg(1, socket.CMSG_SPACE(fds_size))
        except BlockingIOError:
            return
        except OSError as exc:
            received.set_exception(exc)
            return
        fds = array.array("i")
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
        if not data:
            for fd in fds:
                os.close(fd)
            received.set_exception(ConnectionError("the shim left before handing over"))
            return
        for fd in fds:  # never inherited by a process the daemon starts
            os.set_inheritable(fd, False)
        received.set_result(list(fds))

    loop.add_reader(conn.fileno(), readable)
    try:
        return await asyncio.wait_for(received, HANDOVER_TIMEOUT_S)
    finally:
        loop.remove_reader(conn.fileno())


async def _open_port(
    fds: list[int],
) -> tuple[_BrowserPipe, asyncio.StreamWriter, asyncio.ReadTransport]:
    loop = asyncio.get_running_loop()
    browser_in: BinaryIO = os.fdopen(fds[0], "rb", buffering=0)
    browser_out: BinaryIO = os.fdopen(fds[1], "wb", buffering=0)
    read_transport, pipe = await loop.connect_read_pipe(_BrowserPipe, browser_in)
    # Once the session stops writing (it ended, or the daemon stops), reading stops too.
    write_transport, protocol = await loop.connect_write_pipe(
        lambda: _PipeWriterProtocol(loop, read_transport.close), browser_out
    )
    writer = asyncio.StreamWriter(write_transport, protocol, None, loop)
    return pipe, writer, read_transport


class NativeListener:
    """Accepts shims on `run/native.sock` and serves the ports they hand over."""

    def __init__(self, home: Home, serve: Serve) -> None:
        self.path = home.native_socket_path
        self._serve = serve
        self._sock: socket.socket | None = None
        self._accepting: asyncio.Task[None] | None = None
        self._ports: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)
        try:
            sock.bind(os.fspath(self.path))
            self.path.chmod(0o600)
            sock.listen(16)
        except OSError:
            sock.close()
            raise
        finally:
            os.umask(old_umask)
        sock.setblocking(False)
        self._sock = sock
        self._accepting = asyncio.get_running_loop().create_task(self._accept_loop())

    async def _accept_loop(self) -> None:
        assert self._sock is not None
        loop = asyncio.get_running_loop()
        while True:
            try:
                conn, _ = await loop.sock_accept(self._sock)
            except OSError as exc:
                log.warning("native handover socket: %s", exc)
                await asyncio.sleep(0.1)
                continue
            task = loop.create_task(self._port(conn))
            self._ports.add(task)
            task.add_done_callback(self._ports.discard)

    async def _port(self, conn: socket.socket) -> None:
        conn.setblocking(False)
        broken = False
        try:
            if not may_connect(conn, os.getuid()):
                log.warning("refused a handover whose peer is not this user (or cannot be told)")
                return
            fds = await _receive_fds(conn)
            if len(fds) != 2 or not all(_is_stream(fd) for fd in fds):
                for fd in fds:
                    os.close(fd)
                log.warning("refused a handover without two pipe descriptors")
                return
            pipe, writer, read_transport = await _open_port(fds)
            try:
                self._watch(conn, read_transport)
                broken = await self._serve(pipe, writer, NativeEncoder())
            finally:
                read_transport.close()
                asyncio.get_running_loop().remove_reader(conn.fileno())
        except OSError as exc:  # TimeoutError included
            log.info("native handover failed: %s", exc)
        except Exception:
            log.exception("native handover failed")
        finally:
            with contextlib.suppress(OSError):
                conn.send(b"\x01" if broken else b"\x00")
            conn.close()

    @staticmethod
    def _watch(conn: socket.socket, read_transport: asyncio.ReadTransport) -> None:
        """Ends the port's reading when the shim's connection closes (the shim was killed).

        Closing the read transport ends the session's reader as a clean end of stream.
        """

        def readable() -> None:
            try:
                data = conn.recv(64)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                asyncio.get_running_loop().remove_reader(conn.fileno())
                read_transport.close()

        asyncio.get_running_loop().add_reader(conn.fileno(), readable)

    async def close(self) -> None:
        if self._accepting is not None:
            self._accepting.cancel()
        if self._sock is not None:
            self._sock.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        if self._ports:
            await asyncio.wait(list(self._ports), timeout=2.0)
