"""The daemon as a real process: clients, events, validation, lock, permissions, shutdown."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time

import pytest

from rolecall.client import DaemonClient, DaemonError
from rolecall.daemon_link import EXIT_ALREADY_RUNNING
from rolecall.framing.socket_frames import BlockingReader, pack
from support.daemons import RunningDaemon, rolecall_env


def test_two_clients_receive_the_same_event(daemon: RunningDaemon) -> None:
    first = DaemonClient.open(daemon.home, start=False, name="browser-a")
    second = DaemonClient.open(daemon.home, start=False, name="browser-b")
    baseline = second.hello_result["last_event_seq"]
    own = first.next_event()  # each client sees its own arrival too
    assert own["type"] == "daemon.clients" and own["payload"] == {"clients": 1}
    joined = first.next_event()
    assert joined == second.next_event()
    assert joined["payload"] == {"clients": 2}
    assert joined["seq"] == baseline + 1
    # a third client joining is seen by both, with one and the same sequence number
    third = DaemonClient.open(daemon.home, start=False, name="cli")
    seen_first, seen_second = first.next_event(), second.next_event()
    assert seen_first == seen_second
    assert seen_first["payload"] == {"clients": 3}
    assert seen_first["seq"] == joined["seq"] + 1
    third.close()
    left = first.next_event()
    assert left == second.next_event()
    assert left["payload"] == {"clients": 2}
    assert left["seq"] == seen_first["seq"] + 1
    first.close()
    second.close()


def test_hello_reports_host_and_daemon(daemon: RunningDaemon) -> None:
    with DaemonClient.open(daemon.home, start=False) as client:
        hello = client.hello_result
    assert hello["protocol"] == 1
    assert hello["host"]["name"] == "rolecall"
    assert hello["daemon"]["pid"] == daemon.pid
    assert hello["daemon"]["home"] == str(daemon.home.root)


def raw_exchange(daemon: RunningDaemon, *messages: object) -> list[dict[str, object]]:
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(str(daemon.home.socket_path))
    sock.settimeout(5)
    reader = BlockingReader(sock)
    replies = []
    for message in messages:
        sock.sendall(pack(message))
        reply = reader.read_message()
        while reply.get("kind") == "event":
            reply = reader.read_message()
        replies.append(reply)
    sock.close()
    return replies


HELLO = {
    "v": 1,
    "kind": "request",
    "id": "h",
    "type": "hello",
    "payload": {"client": {"name": "t", "version": "1"}, "protocols": [1]},
}


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (
            {"v": 1, "kind": "request", "id": "p", "type": "ping", "payload": {}},
            "handshake_required",
        ),
        ({"v": 2, "kind": "request", "id": "p", "type": "ping"}, "unsupported_version"),
        (
            {**HELLO, "payload": {"client": {"name": "t", "version": "1"}, "protocols": [7]}},
            "unsupported_version",
        ),
        ({"v": 1, "kind": "request", "id": "bad id!", "type": "hello"}, "invalid_message"),
        ({"v": 1, "kind": "request", "id": "x", "type": "hello", "extra": 1}, "invalid_message"),
        ({"v": 1, "kind": "event", "seq": 1, "type": "x", "payload": {}}, "invalid_message"),
        ({"v": 1, "kind": "request", "id": "x", "type": "no.such"}, "unknown_type"),
        (
            {**HELLO, "payload": {"client": {"name": "t" * 500, "version": "1"}, "protocols": [1]}},
            "invalid_message",
        ),
        ("just a string", "invalid_message"),
        ([1, 2, 3], "invalid_message"),
    ],
)
def test_bad_requests_get_typed_errors(daemon: RunningDaemon, message: object, code: str) -> None:
    (reply, after) = raw_exchange(daemon, message, HELLO)
    assert reply["ok"] is False
    assert reply["error"]["code"] == code  # type: ignore[index]
    assert after["ok"] is True  # the connection and the daemon live on


def test_bad_bytes_get_a_typed_error_and_the_daemon_lives(daemon: RunningDaemon) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(str(daemon.home.socket_path))
    sock.settimeout(5)
    sock.sendall(b"\x00\x00\x00\x01\xc1")  # a frame that is not msgpack
    reply = BlockingReader(sock).read_message()
    assert reply["error"]["code"] == "bad_frame"
    sock.sendall(b"\xff\xff\xff\xff")  # a length over the limit ends this connection only
    assert BlockingReader(sock).read_message()["error"]["code"] == "frame_too_large"
    sock.close()
    with DaemonClient.open(daemon.home, start=False) as client:
        assert client.request("ping", {"echo": "still here"})["echo"] == "still here"


def test_errors_carry_details(daemon: RunningDaemon) -> None:
    with DaemonClient.open(daemon.home, start=False) as client, pytest.raises(DaemonError) as info:
        client.request("ping", {"echo": "x" * 70_000})
    assert info.value.code == "invalid_message"
    assert info.value.details["errors"][0]["loc"] == ["echo"]


def test_socket_is_private(daemon: RunningDaemon) -> None:
    assert stat.S_IMODE(daemon.home.socket_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(daemon.home.run_dir.stat().st_mode) == 0o700


@pytest.mark.skipif(os.getuid() != 0, reason="switching to another uid needs root")
def test_other_users_are_refused_even_through_open_permissions(daemon: RunningDaemon) -> None:
    # Open the file permissions on purpose: only the daemon's uid check stands in the way.
    daemon.home.root.chmod(0o755)
    daemon.home.run_dir.chmod(0o755)
    daemon.home.socket_path.chmod(0o666)
    probe = (
        "import os, socket, sys\n"
        "os.setgid(65534); os.setuid(65534)\n"
        "s = socket.socket(socket.AF_UNIX); s.settimeout(5)\n"
        f"s.connect({str(daemon.home.socket_path)!r})\n"
        "try:\n"
        "    s.sendall(b'\\x00\\x00\\x00\\x01\\xc0')\n"
        "    data = s.recv(100)\n"
        "except ConnectionError:  # reset or broken pipe: the daemon hung up on us\n"
        "    data = b''\n"
        "sys.exit(0 if data == b'' else 1)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], timeout=10, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()


def test_second_daemon_exits_while_one_runs(daemon: RunningDaemon) -> None:
    second = subprocess.run(
        [sys.executable, "-m", "rolecall", "daemon"],
        env=rolecall_env(daemon.home),
        capture_output=True,
        timeout=20,
    )
    assert second.returncode == EXIT_ALREADY_RUNNING
    assert f"pid {daemon.pid}" in second.stderr.decode()
    assert daemon.process.poll() is None


def test_sigterm_tells_clients_and_cleans_up(daemon: RunningDaemon) -> None:
    client = DaemonClient.open(daemon.home, start=False)
    os.kill(daemon.pid, signal.SIGTERM)
    assert client.next_event()["type"] == "daemon.clients"
    event = client.next_event()
    assert event["type"] == "daemon.stopping"
    assert event["payload"]["reason"] == "SIGTERM"
    with pytest.raises(ConnectionError):
        client.next_event()
    assert daemon.process.wait(10) == 0
    assert not daemon.home.socket_path.exists()


def test_daemon_stop_request(daemon: RunningDaemon) -> None:
    with DaemonClient.open(daemon.home, start=False) as client:
        assert client.request("daemon.stop", {"reason": "test"}) == {}
    assert daemon.process.wait(10) == 0


def test_slow_reader_does_not_stall_others(daemon: RunningDaemon) -> None:
    stalled = socket.socket(socket.AF_UNIX)
    stalled.connect(str(daemon.home.socket_path))
    stalled.sendall(pack(HELLO))  # greeted, then never reads
    with DaemonClient.open(daemon.home, start=False) as client:
        started = time.monotonic()
        for n in range(2000):
            assert client.request("ping", {"echo": str(n)})["echo"] == str(n)
        assert time.monotonic() - started < 30
    stalled.close()
