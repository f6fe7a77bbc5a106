"""The long runs of issue 9 (`make soak`): a minute of 10,000 `ping`/s and of 1,000
`context.get`/s from 100 clients, and 500 calls in a row against SIPp.

Each run's numbers are kept in test-output/soak/*.json and written up in
docs/RELIABILITY.md. "Flat memory": after a warm-up of 10 s (or 50 calls), the daemon's
RSS may not grow by more than a few MiB to the end of the run.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rolecall.client import DaemonClient
from rolecall.paths import Home
from soak.harness import call_run, load_demo_deal, record, rss_growth_kib, run_load
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


def test_ping_at_10000_per_second_for_a_minute(loaded_daemon: tuple[RunningDaemon, str]) -> None:
    daemon, _ = loaded_daemon
    result = run_load(daemon.home, clients=100, rate=10_000, seconds=60, method="ping")
    record("soak-ping", result)
    assert result["errors"] == {} and result["unanswered"] == 0, result
    assert result["replies"] == result["sent"] >= 590_000
    assert rss_growth_kib(result["samples"], skip=10) < 8 * 1024, result["samples"]
    assert daemon.process.poll() is None


def test_context_get_at_1000_per_second_for_a_minute(
    loaded_daemon: tuple[RunningDaemon, str],
) -> None:
    daemon, opportunity = loaded_daemon
    result = run_load(
        daemon.home,
        clients=100,
        rate=1_000,
        seconds=60,
        method="context.get",
        payload={"opportunity_id": opportunity},
    )
    record("soak-context-get", result)
    assert result["errors"] == {} and result["unanswered"] == 0, result
    assert result["replies"] == result["sent"] >= 59_000
    assert rss_growth_kib(result["samples"], skip=10) < 8 * 1024, result["samples"]


def test_500_calls_in_a_row(daemon: RunningDaemon) -> None:
    calls = 500
    peer = SippPeer("uas_answer", rtp_echo=True, calls=calls, timeout=3600).start()
    try:
        with DaemonClient.open(daemon.home, start=False, name="soak") as client:
            result = call_run(client, peer, calls, daemon.pid)
        assert peer.wait(60) == 0, peer.report()
    finally:
        peer.cleanup()
    record("soak-calls", result)
    assert result["end_causes"] == {"normal": calls}, result
    assert result["live_after"] == 0
    samples = result["samples"]
    assert samples[-1]["threads"] == samples[0]["threads"], samples
    assert samples[-1]["fds"] <= samples[0]["fds"] + 2, samples
    assert rss_growth_kib(samples, skip=5) < 8 * 1024, samples
