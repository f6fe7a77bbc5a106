"""`rolecall account`, `rolecall call` and `rolecall calls` as a person at a terminal runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from rolecall.paths import Home
from support.daemons import RunningDaemon, rolecall_env, start_daemon, stop_daemon
from support.sip.sipp import SippPeer


@pytest.fixture
def sipp() -> Iterator[list[SippPeer]]:
    peers: list[SippPeer] = []
    yield peers
    for peer in peers:
        peer.cleanup()


def rolecall(
    daemon: RunningDaemon, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rolecall", *args],
        env=rolecall_env(daemon.home),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_account_add_list_remove_keeps_the_password_out_of_files(
    daemon: RunningDaemon, sipp: list[SippPeer]
):
    registrar = SippPeer("registrar_auth", keys={"user": "alice", "password": "s3cret!"}).start()
    sipp.append(registrar)
    added = rolecall(
        daemon, "account", "add", "office", "--uri", "sip:alice@rolecall.test",
        "--registrar", f"sip:{registrar.address}", "--username", "alice",
        "--password-stdin", stdin="s3cret!\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "registration: registered (200 OK)" in added.stdout
    listed = json.loads(rolecall(daemon, "account", "list", "--json").stdout)
    office = next(a for a in listed if a["config"]["id"] == "office")
    assert office["registration"] == "registered" and office["has_password"] is True
    for path in daemon.home.root.rglob("*"):
        if path.is_file() and path.name != "test-only-secrets.json":
            assert b"s3cret!" not in path.read_bytes(), path
    removed = rolecall(daemon, "account", "remove", "office")
    assert removed.returncode == 0 and "removed" in removed.stdout
    assert registrar.wait() == 0  # the removal unregistered it
    listed = json.loads(rolecall(daemon, "account", "list", "--json").stdout)
    assert [a["config"]["id"] for a in listed] == ["local"]


def test_call_with_hangup_after_prints_states_and_media(
    daemon: RunningDaemon, sipp: list[SippPeer]
):
    peer = SippPeer("uas_answer", rtp_echo=True).start()
    sipp.append(peer)
    result = rolecall(daemon, "call", peer.uri("bob"), "--hangup-after", "1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("call ") and peer.uri("bob") in lines[0]
    assert any(line.startswith("confirmed") for line in lines)
    assert any(line.startswith("disconnected") and "(normal)" in line for line in lines)
    assert "RTP packets sent" in lines[-1]
    assert peer.wait() == 0
    listing = rolecall(daemon, "calls", "--all")
    assert "outbound" in listing.stdout and "disconnected" in listing.stdout
    assert rolecall(daemon, "calls").stdout.strip() == "no calls"


def test_a_far_end_that_never_answers_gets_one_line_and_exit_9(
    daemon: RunningDaemon, sipp: list[SippPeer]
):
    peer = SippPeer("uas_no_answer").start()
    sipp.append(peer)
    result = rolecall(daemon, "call", peer.uri("bob"), "--wait-answer", "--timeout", "2")
    assert result.returncode == 9, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("rolecall: ") and len(result.stderr.splitlines()) == 1
    # Given up on, the call is hung up (CANCEL), not left ringing at the far end.
    assert peer.wait() == 0, peer.report()
    listing = rolecall(daemon, "calls", "--json")
    assert [c["state"] for c in json.loads(listing.stdout)] == ["disconnected"], listing.stdout


def test_a_stopped_daemon_that_may_not_start_gets_one_line(daemon: RunningDaemon):
    """Stopped, in a home others may write to: no daemon starts and the CLI says why."""
    stop_daemon(daemon)
    daemon.home.root.chmod(0o770)
    try:
        result = rolecall(daemon, "account", "list")
    finally:
        daemon.home.root.chmod(0o700)
    assert result.returncode == 10, result.stderr
    assert "Traceback" not in result.stderr
    assert "writable by other users" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_undialable_target_exits_2_and_says_why(daemon: RunningDaemon):
    result = rolecall(daemon, "call", "sip:alice@example.com;transport=tcp")
    assert result.returncode == 2
    assert "parameters" in result.stderr


def test_without_a_keyring_an_account_without_password_still_adds(
    rc_home: Home, monkeypatch: pytest.MonkeyPatch
):
    """No OS keyring: a password-less account never touches it; a password is refused
    with what to install."""
    monkeypatch.delenv("ROLECALL_KEYRING", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    running = start_daemon(rc_home)
    try:
        plain = rolecall(running, "account", "add", "lan", "--uri", "sip:me@127.0.0.1")
        assert plain.returncode == 0, plain.stderr
        secret = rolecall(
            running, "account", "add", "pbx", "--uri", "sip:me@127.0.0.1",
            "--username", "me", "--password-stdin", stdin="s3cret\n",
        )  # fmt: skip
        assert secret.returncode != 0
        assert "gnome-keyring" in secret.stderr and "Traceback" not in secret.stderr
    finally:
        stop_daemon(running)
