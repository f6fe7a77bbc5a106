"""A blocking client of the daemon for the CLI, tools and tests.

Connects (starting the daemon if asked), says hello, sends requests and collects
the events that arrive meanwhile.
"""

from __future__ import annotations

import itertools
import socket
from collections import deque
from typing import Any

from rolecall import __version__
from rolecall.daemon_link import connect, connect_or_start
from rolecall.framing.socket_frames import BlockingReader, pack
from rolecall.paths import Home


class DaemonError(Exception):
    """The daemon answered a request with an error."""

    def __init__(self, code: str, message: str, details: dict[str, Any]) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details


class DaemonClient:
    """One connection to the daemon."""

    def __init__(self, sock: socket.socket, timeout: float = 10.0) -> None:
        sock.settimeout(timeout)
        self._sock = sock
        self._reader = BlockingReader(sock)
        self._ids = (f"c{n}" for n in itertools.count(1))
        self.events: deque[dict[str, Any]] = deque()
        self.hello_result: dict[str, Any] = {}

    @classmethod
    def open(
        cls, home: Home, *, start: bool = True, name: str = "rolecall-cli", timeout: float = 10.0
    ) -> DaemonClient:
        """Connects and says hello; starts the daemon first when `start` and none runs."""
        sock = connect_or_start(home) if start else connect(home)
        client = cls(sock, timeout)
        client.hello_result = client.request(
            "hello", {"client": {"name": name, "version": __version__}, "protocols": [1]}
        )
        return client

    def send_raw(self, message: Any) -> None:
        self._sock.sendall(pack(message))

    def receive(self) -> dict[str, Any]:
        """The next message of any kind; raises `ConnectionError` at end of stream."""
        message = self._reader.read_message()
        if message is None:
            raise ConnectionError("the daemon closed the connection")
        if not isinstance(message, dict):
            raise ConnectionError(f"the daemon sent a non-object: {message!r}")
        return message

    def request(self, method: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        """Sends a request and waits for its reply; events meanwhile go to `events`."""
        request_id = next(self._ids)
        self.send_raw(
            {"v": 1, "kind": "request", "id": request_id, "type": method, "payload": payload or {}}
        )
        while True:
            message = self.receive()
            if message.get("kind") == "event":
                self.events.append(message)
                continue
            if message.get("kind") == "response" and message.get("id") in (request_id, None):
                if message.get("ok"):
                    result: dict[str, Any] = message.get("result", {})
                    return result
                error = message.get("error", {})
                raise DaemonError(
                    str(error.get("code")), str(error.get("message")), error.get("details", {})
                )

    def next_event(self) -> dict[str, Any]:
        """The next event, waiting for it if none is queued."""
        if self.events:
            return self.events.popleft()
        while True:
            message = self.receive()
            if message.get("kind") == "event":
                return message

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> DaemonClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
