"""Faults: processes killed in the middle of a call (SIGKILL, by pid).

- The shim (what a browser kills when it closes the port or crashes): the call is in the
  daemon and goes on; a new shim sees it live and can hang it up.
- The daemon: the browser's port closes at once (the shim exits, so the extension's
  reconnect starts a new shim, which starts a new daemon); the new daemon logs the cut
  call as `interrupted` and has no live call.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator

import pytest

from rolecall.client import DaemonClient
from rolecall.paths import Home
from support.browser_side import BrowserSide
from support.daemons import rolecall_env, wait_for_socket
from support.processes import pid_alive, stop_pid
from support.sip.sipp import SippPeer

ORIGIN = "chrome-extension://hffpmcdddcflcdlikecihfpofnnogjni/"


def spawn_shim(home: Home) -> BrowserSide:
    return BrowserSide([sys.executable, "-m", "rolecall", ORIGIN], rolecall_env(home))


@pytest.fixture
def daemon_pids() -> Iterator[list[int]]:
    """Daemons the shims of a test started; stopped by pid afterwards."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        stop_pid(pid)


@pytest.fixture
def peer() -> Iterator[SippPeer]:
    sipp = SippPeer("uas_answer", rtp_echo=True, timeout=60).start()
    yield sipp
    sipp.cleanup()


def place_through(side: BrowserSide, peer: SippPeer) -> str:
    placed = side.request("c1", "call.place", {"target": peer.uri("alice")})
    assert placed["ok"], placed
    call_id: str = placed["result"]["call"]["id"]
    return call_id


def wait_confirmed(side: BrowserSide, call_id: str, timeout: float = 15) -> None:
    """Until `calls.list` shows the call confirmed (its events may pass while we wait
    for the reply to `call.place`, so the list is what is asked)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = side.request("l0", "calls.list")["result"]["calls"]
        if any(c["id"] == call_id and c["state"] == "confirmed" for c in calls):
            return
        time.sleep(0.1)
    raise TimeoutError("the call was never confirmed")


def test_killing_the_shim_mid_call_leaves_the_call_up(
    rc_home: Home, daemon_pids: list[int], peer: SippPeer
) -> None:
    first = spawn_shim(rc_home)
    hello = first.hello()
    daemon_pids.append(hello["result"]["daemon"]["pid"])
    call_id = place_through(first, peer)
    wait_confirmed(first, call_id)
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait(5)

    time.sleep(2.0)  # the call must outlive its browser by more than a moment
    assert pid_alive(daemon_pids[0])
    assert peer.process is not None and peer.process.poll() is None  # SIPp still in the call
    second = spawn_shim(rc_home)
    try:
        assert second.hello()["result"]["daemon"]["pid"] == daemon_pids[0]
        calls = second.request("l1", "calls.list")["result"]["calls"]
        live = [c for c in calls if c["id"] == call_id]
        assert live and live[0]["state"] == "confirmed", calls
        hung = second.request("h2", "call.hangup", {"call_id": call_id})
        assert hung["ok"], hung
    finally:
        second.close()
    assert peer.wait(15) == 0, peer.report()  # SIPp got its BYE: the call ran to its end


def test_kill_9_of_the_daemon_mid_call_closes_the_port_and_logs_the_call_interrupted(
    rc_home: Home, daemon_pids: list[int], peer: SippPeer
) -> None:
    side = spawn_shim(rc_home)
    daemon_pid = side.hello()["result"]["daemon"]["pid"]
    daemon_pids.append(daemon_pid)
    call_id = place_through(side, peer)
    wait_confirmed(side, call_id)

    os.kill(daemon_pid, signal.SIGKILL)
    # What the browser sees: its port closes (EOF on the host's stdout) and the shim
    # exits; no half-written frame, nothing hanging.
    with pytest.raises(EOFError):
        while True:
            side.receive(timeout=10)  # events still in the pipe, then EOF
    assert side.process.wait(10) == 0
    assert not any("Traceback" in line for line in side.stderr_lines), side.stderr_lines

    # The extension reconnects: a new shim starts a new daemon on the same home.
    again = spawn_shim(rc_home)
    try:
        hello = again.hello()
        assert hello["ok"], hello
        new_pid = hello["result"]["daemon"]["pid"]
        daemon_pids.append(new_pid)
        assert new_pid != daemon_pid
        calls = again.request("l1", "calls.list")["result"]["calls"]
        assert [c for c in calls if c["state"] != "disconnected"] == []
        # The cut call is listed as ended, so a panel that showed it can say why.
        cut = next(c for c in calls if c["id"] == call_id)
        assert cut["end_cause"] == "interrupted" and "stopped" in cut["reason"], cut
        assert cut["dialed"] == peer.uri("alice")
        logged = again.request("g1", "calllog.list", {})["result"]["calls"]
        entry = next(c for c in logged if c["entry"]["call_id"] == call_id)
        assert entry["state"] == "ended" and entry["entry"]["end_cause"] == "interrupted"
    finally:
        again.close()
    wait_for_socket(rc_home)
    with DaemonClient.open(rc_home, start=False) as client:  # the daemon outlives the port
        assert client.request("ping", {"echo": "x"})["echo"] == "x"
    # The far end was never told: SIPp still waits for a BYE (no SIP survives a kill -9).
    assert peer.process is not None and peer.process.poll() is None
