"""The native host shim as browsers run it: a real process, real daemon, frames on pipes."""

from __future__ import annotations

import base64
import json
import os
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rolecall.client import DaemonClient
from rolecall.framing.native import CHUNK_SLICE, MAX_FRAME, encode_frame
from rolecall.paths import Home
from rolecall.protocol.errors import ErrorCode
from support.browser_side import BrowserSide
from support.daemons import rolecall_env
from support.processes import pid_alive, stop_pid

ORIGIN = "chrome-extension://hffpmcdddcflcdlikecihfpofnnogjni/"


def spawn_shim(home: Home) -> BrowserSide:
    return BrowserSide([sys.executable, "-m", "rolecall", ORIGIN], rolecall_env(home))


@pytest.fixture
def shim(rc_home: Home) -> Iterator[BrowserSide]:
    side = spawn_shim(rc_home)
    daemon_pid: int | None = None
    try:
        hello = side.hello()
        assert hello["ok"], hello
        daemon_pid = hello["result"]["daemon"]["pid"]
        yield side
    finally:
        side.close()
        if daemon_pid:
            stop_pid(daemon_pid)


def test_hello_starts_the_daemon_and_answers(rc_home: Home) -> None:
    side = spawn_shim(rc_home)
    try:
        hello = side.hello()
        assert hello["ok"] is True
        assert hello["result"]["host"]["name"] == "rolecall"
        assert hello["result"]["daemon"]["home"] == str(rc_home.root)
        daemon_pid = hello["result"]["daemon"]["pid"]
        assert daemon_pid != side.process.pid
        assert side.request("p1", "ping", {"echo": "☎ 你好"})["result"]["echo"] == "☎ 你好"
    finally:
        side.close()
    assert pid_alive(daemon_pid)
    stop_pid(daemon_pid)


def _logged(side: BrowserSide, text: str) -> bool:
    """Whether the host's stderr said `text` (read to its end: the host has exited)."""
    for _ in range(100):
        if any(text in line for line in side.stderr_lines):
            return True
        time.sleep(0.02)
    return False


def test_the_daemon_serves_the_port_and_lets_it_go_when_the_browser_leaves(rc_home: Home) -> None:
    side = spawn_shim(rc_home)
    daemon_pid = side.hello()["result"]["daemon"]["pid"]
    try:
        assert side.request("p1", "ping")["ok"] is True
        assert side.close() == 0  # stdin closed: the daemon ends the session, the shim exits
        assert _logged(side, "the daemon serves the port")
        with DaemonClient.open(rc_home, start=False) as client:
            assert client.request("daemon.status")["clients"] == 1  # only this client
    finally:
        stop_pid(daemon_pid)


def test_the_shim_relays_when_the_daemon_does_not_take_the_pipes(rc_home: Home) -> None:
    first = spawn_shim(rc_home)
    daemon_pid = first.hello()["result"]["daemon"]["pid"]
    try:
        first.close()
        rc_home.native_socket_path.unlink()  # as with a daemon that cannot take them
        side = spawn_shim(rc_home)
        try:
            assert side.hello()["ok"] is True
            assert side.request("p1", "ping", {"echo": "relayed"})["result"]["echo"] == "relayed"
        finally:
            assert side.close() == 0
        assert _logged(side, "relaying: the daemon does not take the pipes")
    finally:
        stop_pid(daemon_pid)


def test_killing_the_shim_leaves_the_daemon_and_a_new_shim_reconnects(rc_home: Home) -> None:
    first = spawn_shim(rc_home)
    daemon_pid = first.hello()["result"]["daemon"]["pid"]
    try:
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(5)
        # the browser's own kill reaches the shim's process group, not the daemon's session
        assert pid_alive(daemon_pid)
        second = spawn_shim(rc_home)
        try:
            hello = second.hello()
            assert hello["ok"]
            assert hello["result"]["daemon"]["pid"] == daemon_pid
            assert second.request("p", "daemon.status")["result"]["clients"] == 1
        finally:
            second.close()
    finally:
        stop_pid(daemon_pid)


def test_oversize_frame_gets_a_typed_error_and_the_shim_lives(shim: BrowserSide) -> None:
    size = MAX_FRAME + 100
    shim.send_bytes(struct.pack("=I", size) + b"x" * size)
    reply = shim.receive()
    assert reply["ok"] is False and reply["id"] is None
    assert reply["error"]["code"] == ErrorCode.FRAME_TOO_LARGE
    assert shim.request("p2", "ping", {"echo": "after"})["result"]["echo"] == "after"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"\xff\xfe\x00garbage", ErrorCode.INVALID_JSON),
        (b"{not json", ErrorCode.INVALID_JSON),
        (b'"a string"', ErrorCode.INVALID_MESSAGE),
        (
            b'{"v":1,"kind":"request","id":"z","type":"ping","payload":{"echo":5}}',
            ErrorCode.INVALID_MESSAGE,
        ),
        (b'{"v":1,"kind":"chunk","id":"c","index":3,"count":2,"data":""}', ErrorCode.BAD_FRAME),
        (
            b'{"v":1,"kind":"request","id":"s","type":"ping","payload":{"echo":"\\ud800"}}',
            ErrorCode.INVALID_MESSAGE,
        ),
    ],
)
def test_bad_frames_get_typed_errors(shim: BrowserSide, body: bytes, code: ErrorCode) -> None:
    shim.send_bytes(encode_frame(body))
    reply = shim.receive()
    assert reply["ok"] is False
    assert reply["error"]["code"] == code
    assert shim.request("p3", "ping")["ok"] is True


def test_chunked_request_is_joined(shim: BrowserSide) -> None:
    echo = "é" * 30_000  # fits the ping limit; sent in chunks anyway to exercise joining
    whole = json.dumps(
        {"v": 1, "kind": "request", "id": "big", "type": "ping", "payload": {"echo": echo}}
    ).encode()
    half = len(whole) // 2
    for index, part in enumerate((whole[:half], whole[half:])):
        shim.send(
            {
                "v": 1,
                "kind": "chunk",
                "id": "c1",
                "index": index,
                "count": 2,
                "data": base64.b64encode(part).decode(),
            }
        )
    assert shim.reply_to("big")["result"]["echo"] == echo


def test_oversize_request_in_chunks_reaches_the_daemon_and_is_refused(shim: BrowserSide) -> None:
    echo = "z" * (MAX_FRAME + CHUNK_SLICE)  # over one frame, so only chunks can carry it
    whole = json.dumps(
        {"v": 1, "kind": "request", "id": "huge", "type": "ping", "payload": {"echo": echo}}
    ).encode()
    parts = [whole[i : i + CHUNK_SLICE] for i in range(0, len(whole), CHUNK_SLICE)]
    for index, part in enumerate(parts):
        shim.send(
            {
                "v": 1,
                "kind": "chunk",
                "id": "c2",
                "index": index,
                "count": len(parts),
                "data": base64.b64encode(part).decode(),
            }
        )
    reply = shim.reply_to("huge")
    assert reply["error"]["code"] == ErrorCode.INVALID_MESSAGE
    assert reply["error"]["details"]["errors"][0]["loc"] == ["echo"]


def test_eof_mid_frame_ends_the_shim_only(rc_home: Home) -> None:
    side = spawn_shim(rc_home)
    daemon_pid = side.hello()["result"]["daemon"]["pid"]
    try:
        side.send_bytes(struct.pack("=I", 50) + b'{"v":1')
        assert side.close() == 1
        assert pid_alive(daemon_pid)
    finally:
        stop_pid(daemon_pid)


def test_daemon_that_cannot_start_is_reported(tmp_path: Path) -> None:
    long_home = Home(tmp_path / ("x" * 120))  # socket path over the limit: it cannot start
    side = BrowserSide([sys.executable, "-m", "rolecall", ORIGIN], rolecall_env(long_home))
    try:
        reply = side.hello()
        assert reply["ok"] is False
        assert reply["id"] == "h1"
        assert reply["error"]["code"] == ErrorCode.DAEMON_UNAVAILABLE
        assert "over 100 bytes" in reply["error"]["message"]
        # still answering, so the extension can show the reason rather than "host exited"
        assert side.request("p4", "ping")["error"]["code"] == ErrorCode.DAEMON_UNAVAILABLE
    finally:
        assert side.close() == 0


def test_stray_output_on_fd1_never_reaches_the_browser(tmp_path: Path) -> None:
    program = (
        "import os, sys\n"
        "from rolecall.native_host import guard_stdout\n"
        "from rolecall.framing.native import encode_frame\n"
        "frames = guard_stdout()\n"
        "os.write(1, b'C library noise\\n')\n"
        "print('python noise')\n"
        "frames.write(encode_frame(b'{\"ok\":true}'))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=20)
    assert result.stdout == struct.pack("=I", 11) + b'{"ok":true}'
    assert b"C library noise" in result.stderr and b"python noise" in result.stderr


def test_shim_stays_light() -> None:
    program = (
        "import sys\n"
        "import rolecall.cli, rolecall.native_host\n"
        "heavy = [m for m in ('pydantic', 'pjsua2', 'rolecall.protocol', 'rolecall.daemon')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, timeout=20, text=True, check=True
    )
    assert result.stdout.strip() == ""
