"""The fuzz inputs against the real processes: the shim on its stdin, the daemon on its
socket. Hundreds of broken frames and messages, then a `ping` that must be answered by
the same processes: every bad input got a typed error reply and nobody died.
"""

from __future__ import annotations

import json
import random
import struct
import sys
from collections.abc import Iterator
from typing import Any

import msgpack
import pytest

from rolecall.client import DaemonClient
from rolecall.framing.socket_frames import BlockingReader
from rolecall.paths import Home
from rolecall.protocol.errors import ErrorCode
from rolecall.protocol.methods import METHODS
from support.browser_side import BrowserSide
from support.daemons import RunningDaemon, rolecall_env
from support.processes import pid_alive, stop_pid

ORIGIN = "chrome-extension://hffpmcdddcflcdlikecihfpofnnogjni/"
CODES = {code.value for code in ErrorCode}


def junk_value(rng: random.Random, depth: int = 0) -> Any:
    choice = rng.randrange(8 if depth < 3 else 5)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice([True, False, 0, -1, 2**63 - 1, 1.5, ""])
    if choice == 2:
        return "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(20)))
    if choice == 3:
        return rng.choice(sorted(METHODS))
    if choice == 4:
        return rng.choice(["v", "kind", "request", "payload", "id", "chunk", "call_id"])
    if choice == 5:
        return [junk_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {str(junk_value(rng, depth + 1)): junk_value(rng, depth + 1) for _ in range(4)}


def junk_message(rng: random.Random) -> Any:
    if rng.random() < 0.5:
        payload = {str(junk_value(rng, 1)): junk_value(rng, 1) for _ in range(rng.randrange(4))}
        return {
            "v": rng.choice([1, 1, 1, 2, "1"]),
            "kind": rng.choice(["request", "request", "chunk", "event"]),
            "id": rng.choice(["j1", "bad id!", "", 7]),
            "type": rng.choice(sorted(METHODS)),
            "payload": payload,
        }
    return junk_value(rng)


@pytest.fixture
def shim(rc_home: Home) -> Iterator[BrowserSide]:
    side = BrowserSide([sys.executable, "-m", "rolecall", ORIGIN], rolecall_env(rc_home))
    hello = side.hello()
    daemon_pid = hello["result"]["daemon"]["pid"]
    try:
        yield side
    finally:
        side.close()
        stop_pid(daemon_pid)


def test_the_shim_answers_every_broken_frame_and_lives_on(shim: BrowserSide) -> None:
    rng = random.Random(9)
    for _ in range(300):
        kind = rng.randrange(4)
        if kind == 0:  # not JSON, or not UTF-8
            body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
        elif kind == 1:  # JSON, but not a message
            body = json.dumps(junk_value(rng)).encode()
        elif kind == 2:  # a message-shaped thing
            body = json.dumps(junk_message(rng)).encode()
        else:  # a chunk out of order or broken
            chunk = {
                "v": 1,
                "kind": "chunk",
                "id": "c",
                "index": rng.randrange(-1, 5),
                "count": rng.randrange(0, 70),
                "data": rng.choice(["e30=", "!!", ""]),
            }
            body = json.dumps(chunk).encode()
        shim.send_bytes(struct.pack("=I", len(body)) + body)
    shim.send({"v": 1, "kind": "request", "id": "alive", "type": "ping", "payload": {}})
    replies = []
    while True:  # everything before the pong: well-formed responses and events
        reply = shim.receive(timeout=20)
        if reply.get("id") == "alive":
            break
        replies.append(reply)
    assert reply["ok"], reply
    assert pid_alive(shim.process.pid)
    assert len([r for r in replies if r["kind"] == "response"]) >= 250  # nearly one each
    for reply in replies:
        assert reply["kind"] in ("response", "event"), reply
        if reply["kind"] == "response" and not reply["ok"]:
            assert reply["error"]["code"] in CODES, reply
            assert reply["error"]["code"] != "internal", reply


def test_the_daemon_answers_every_broken_message_and_lives_on(daemon: RunningDaemon) -> None:
    rng = random.Random(11)
    with DaemonClient.open(daemon.home, start=False, name="process-fuzz") as client:
        sock = client._sock
        reader = BlockingReader(sock)
        count = 400
        for _ in range(count):
            if rng.random() < 0.3:
                body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
            else:
                body = msgpack.packb(junk_message(rng), use_bin_type=True)
            sock.sendall(struct.pack(">I", len(body)) + body)
        responses = 0
        while responses < count:  # exactly one response for each frame
            message = reader.read_message()
            assert message is not None, "the daemon closed the connection"
            if message["kind"] != "response":
                continue
            responses += 1
            if not message["ok"]:
                assert message["error"]["code"] in CODES, message
                assert message["error"]["code"] != "internal", message
        assert client.request("ping", {"echo": "alive"})["echo"] == "alive"
    assert daemon.process.poll() is None
