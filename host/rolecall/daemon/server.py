"""The daemon's socket server: accepts same-user clients, numbers and fans out events.

Owns the listening socket (0600, in the 0700 run directory), the set of sessions and
the daemon-wide event sequence. Browser ports the shim hands over (`server_native.py`)
join the same set of sessions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from typing import Any

from pydantic import BaseModel

from rolecall.daemon.dispatch import Dispatcher, Handler
from rolecall.daemon.peer import may_connect
from rolecall.daemon.server_native import NativeListener
from rolecall.daemon.session import Encoder, PushedMessages, Reader, Session
from rolecall.framing.socket_frames import pack, read_message
from rolecall.paths import Home
from rolecall.protocol.envelope import PROTOCOL_VERSION
from rolecall.protocol.methods import EVENTS

log = logging.getLogger(__name__)


class DaemonServer:
    """Serves protocol v1 on the user's daemon socket."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self.started_at = time.time()
        self.sessions: dict[int, Session] = {}
        self.last_event_seq = 0
        self._next_client_id = 1
        self._server: asyncio.Server | None = None
        self._dispatcher: Dispatcher | None = None
        self._native: NativeListener | None = None
        self._stopped = asyncio.Event()
        self.stop_reason = ""

    def set_handlers(self, handlers: dict[str, Handler]) -> None:
        self._dispatcher = Dispatcher(handlers)

    @property
    def greeted_clients(self) -> int:
        return sum(1 for session in self.sessions.values() if session.greeted)

    async def start(self) -> None:
        """Binds the socket; only the owner can connect (mode 0600 and a uid check)."""
        path = self.home.socket_path
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        if hasattr(socket, "SCM_RIGHTS"):
            # Before the daemon socket: a shim that finds the daemon finds this too.
            native = NativeListener(self.home, self.serve_browser_port)
            try:
                native.start()
                self._native = native
            except OSError as exc:  # shims then relay, as they do on Windows
                log.warning("browser ports cannot be handed over: %s", exc)
        old_umask = os.umask(0o177)
        try:
            self._server = await asyncio.start_unix_server(self._accept, path=os.fspath(path))
        finally:
            os.umask(old_umask)
        path.chmod(0o600)
        log.info("listening on %s", path)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock: socket.socket | None = writer.get_extra_info("socket")
        if not may_connect(sock, os.getuid()):
            log.warning("refused a connection whose peer is not this user (or cannot be told)")
            writer.close()
            return
        await self.serve_port(reader, writer, read_message, pack)

    async def serve_browser_port(
        self, pipe: PushedMessages, writer: asyncio.StreamWriter, encode: Encoder
    ) -> bool:
        """Serves a browser port the shim handed over (its messages pushed as they arrive)."""
        return await self.serve_port(pipe, writer, read_message, encode)

    async def serve_port(
        self,
        reader: asyncio.StreamReader | PushedMessages,
        writer: asyncio.StreamWriter,
        read: Reader,
        encode: Encoder,
    ) -> bool:
        """Serves one client until it leaves; True when its stream broke (out of step)."""
        if self._dispatcher is None or self._stopped.is_set():
            writer.close()
            return False
        client_id = self._next_client_id
        self._next_client_id += 1
        session = Session(client_id, reader, writer, self._dispatcher.reply, read, encode)
        self.sessions[client_id] = session
        try:
            await session.run()
        finally:
            del self.sessions[client_id]
            if session.greeted and not self._stopped.is_set():
                self.emit("daemon.clients", {"clients": self.greeted_clients})
        return session.broken

    def emit(self, event_type: str, payload: BaseModel | dict[str, Any]) -> int:
        """Sends an event to every greeted client; returns its sequence number."""
        model = EVENTS[event_type]
        body = payload if isinstance(payload, BaseModel) else model.model_validate(payload)
        self.last_event_seq += 1
        message = {
            "v": PROTOCOL_VERSION,
            "kind": "event",
            "seq": self.last_event_seq,
            "type": event_type,
            "payload": body.model_dump(mode="json"),
        }
        for session in list(self.sessions.values()):
            if session.greeted:
                session.send(message)
        return self.last_event_seq

    def request_stop(self, reason: str) -> None:
        """Asks the daemon to shut down soon (from a signal or a request)."""
        if not self._stopped.is_set():
            self.stop_reason = reason
            self._stopped.set()

    async def wait_stopped(self) -> None:
        await self._stopped.wait()

    async def close(self) -> None:
        """Tells clients, closes every connection and removes the socket."""
        self.emit("daemon.stopping", {"reason": self.stop_reason or "stopping"})
        if self._server is not None:
            self._server.close()
        for session in list(self.sessions.values()):
            session.close()
        deadline = time.monotonic() + 2.0
        while self.sessions and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        if self._native is not None:
            await self._native.close()
        with contextlib.suppress(FileNotFoundError):
            self.home.socket_path.unlink()
