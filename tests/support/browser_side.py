"""Talks to a native messaging host the way a browser does: frames on its stdin and stdout."""

from __future__ import annotations

import json
import queue
import struct
import subprocess
import threading
from collections.abc import Sequence
from typing import Any

from rolecall.framing.native import ChunkJoiner, decode_json, read_frame


class BrowserSide:
    """A spawned host process and the browser's end of its pipes."""

    def __init__(self, command: Sequence[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            list(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self._frames: queue.Queue[bytes | None] = queue.Queue()
        self.stderr_lines: list[str] = []
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        try:
            while (body := read_frame(self.process.stdout, limit=1 << 30)) is not None:
                self._frames.put(body)
        except Exception as exc:  # a broken frame from the host is itself a finding
            self._frames.put(f"BROKEN FRAME: {exc}".encode())
        self._frames.put(None)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr_lines.append(line.decode("utf-8", "replace").rstrip())

    def send_bytes(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: Any) -> None:
        body = json.dumps(message).encode()
        self.send_bytes(struct.pack("=I", len(body)) + body)

    def receive_frame(self, timeout: float = 20.0) -> bytes:
        body = self._frames.get(timeout=timeout)
        if body is None:
            raise EOFError("the host closed its stdout")
        return body

    def receive(self, timeout: float = 20.0) -> dict[str, Any]:
        """The next message, chunks joined; every frame must be at most 1 MiB."""
        joiner = ChunkJoiner()
        while True:
            body = self.receive_frame(timeout)
            assert len(body) <= 1024 * 1024, f"host sent a {len(body)}-byte frame"
            message = decode_json(body)
            if message.get("kind") == "chunk":
                whole = joiner.feed(message)
                if whole is None:
                    continue
                message = decode_json(whole)
            return message  # type: ignore[no-any-return]

    def reply_to(self, request_id: str, timeout: float = 20.0) -> dict[str, Any]:
        """The response to `request_id`, skipping events."""
        while True:
            message = self.receive(timeout)
            if message.get("kind") == "response" and message.get("id") in (request_id, None):
                return message

    def request(
        self,
        request_id: str,
        method: str,
        payload: dict[str, Any] | None = None,
        timeout: float = 20.0,
    ) -> dict[str, Any]:
        self.send(
            {"v": 1, "kind": "request", "id": request_id, "type": method, "payload": payload or {}}
        )
        return self.reply_to(request_id, timeout)

    def hello(self) -> dict[str, Any]:
        return self.request(
            "h1",
            "hello",
            {"client": {"name": "test-browser", "version": "1"}, "protocols": [1]},
        )

    def close(self, timeout: float = 5.0) -> int:
        """Closes stdin like a browser closing the port; kills the host if it lingers."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
