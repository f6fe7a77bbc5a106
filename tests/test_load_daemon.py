"""Load, short versions (the long ones are `make soak`, tests/soak/): 100 clients at
once, a stream of `ping` and `context.get` from a separate process, and calls in a row
against SIPp. No request may fail or go unanswered, and the daemon must give back
what each client and call took (fds, threads), with memory that does not climb.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from rolecall.client import DaemonClient
from rolecall.paths import Home
from soak.harness import call_run, load_demo_deal, record, run_load
from soak.load import proc_sample
from support.daemons import RunningDaemon, start_daemon, stop_daemon
from support.sip.sipp import SippPeer


@pytest.fixture
def loaded_daemon(rc_home: Home) -> Iterator[tuple[RunningDaemon, str]]:
    opportunity = load_demo_deal(rc_home)
    running = start_daemon(rc_home)
    try:
        yield running, opportunity
    finally:
        stop_daemon(running)


def steady_sample(pid: int, quiet: float = 1.0, timeout: float = 10.0) -> dict[str, int]:
    """A sample once the daemon has finished starting: its fd count unchanged for `quiet` s.

    The SIP stack opens its transports and the store its WAL files just after the daemon
    answers its first request, so a sample taken at once can sit below the resting count.
    """
    sample = proc_sample(pid)
    since = time.monotonic()
    deadline = since + timeout
    while time.monotonic() - since < quiet and time.monotonic() < deadline:
        time.sleep(0.1)
        now = proc_sample(pid)
        if now["fds"] != sample["fds"]:
            since = time.monotonic()
        sample = now
    return sample


def settle_fds(pid: int, expected: int, timeout: float = 5.0) -> int:
    deadline = time.monotonic() + timeout
    while (fds := proc_sample(pid)["fds"]) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return fds


def test_a_hundred_clients_and_a_ping_stream(loaded_daemon: tuple[RunningDaemon, str]) -> None:
    daemon, _ = loaded_daemon
    baseline = steady_sample(daemon.pid)
    result = run_load(daemon.home, clients=100, rate=3000, seconds=4, method="ping")
    record("short-ping", result)
    assert result["errors"] == {} and result["unanswered"] == 0, result
    assert result["replies"] == result["sent"] >= 11000
    assert result["daemon_connected"]["fds"] >= baseline["fds"] + 100  # all 100 were in
    assert settle_fds(daemon.pid, baseline["fds"]) == baseline["fds"]  # and all let go
    growth = result["daemon_after"]["rss_kib"] - result["daemon_connected"]["rss_kib"]
    assert growth < 16 * 1024, result
    assert daemon.process.poll() is None


def test_context_get_stream(loaded_daemon: tuple[RunningDaemon, str]) -> None:
    daemon, opportunity = loaded_daemon
    result = run_load(
        daemon.home,
        clients=20,
        rate=400,
        seconds=4,
        method="context.get",
        payload={"opportunity_id": opportunity},
    )
    record("short-context-get", result)
    assert result["errors"] == {} and result["unanswered"] == 0, result
    assert result["replies"] == result["sent"] >= 1500


def test_calls_in_a_row_leave_nothing_behind(daemon: RunningDaemon) -> None:
    calls = 20
    peer = SippPeer("uas_answer", rtp_echo=True, calls=calls, timeout=300).start()
    try:
        with DaemonClient.open(daemon.home, start=False, name="soak-short") as client:
            result = call_run(client, peer, calls, daemon.pid)
        assert peer.wait(30) == 0, peer.report()
    finally:
        peer.cleanup()
    record("short-calls", result)
    assert result["end_causes"] == {"normal": calls}, result
    assert result["live_after"] == 0
    first, last = result["samples"][0], result["samples"][-1]
    assert last["threads"] == first["threads"], result["samples"]
    assert last["fds"] <= first["fds"] + 2, result["samples"]
