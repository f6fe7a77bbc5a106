"""Fault: the network to the far end goes away in the middle of a call.

Two network namespaces made by the test and joined by a veth pair: the daemon lives in
one (SIP on 10.251.0.1), a SIPp peer echoing RTP in the other (10.251.0.2). The test's
client reaches the daemon over its Unix socket, which namespaces do not separate. Once
the call is up, the peer's end of the link is taken down: no BYE, no ICMP, just
silence. The daemon must notice the missing audio within `media_timeout_s`, end the call
with `end_cause: network` and a reason, and stay healthy. Both namespaces (and so the
veth pair) are deleted afterwards; the processes in them are stopped by pid first.

Needs root (or CAP_NET_ADMIN) for `ip netns`; where that is refused, the test says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rolecall.client import DaemonClient
from rolecall.paths import Home
from support.calls import place, wait_call
from support.daemons import rolecall_env, wait_for_socket
from support.processes import stop_pid
from support.sip.sipp import scenario_path

DAEMON_IP = "10.251.0.1"
PEER_IP = "10.251.0.2"
MEDIA_TIMEOUT_S = 4


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10)


@pytest.fixture
def namespaces() -> Iterator[tuple[str, str]]:
    """Two fresh namespaces joined by veth; deleted afterwards."""
    if shutil.which("ip") is None:
        pytest.fail("iproute2 (`ip`) is missing: install the iproute2 package")
    tag = f"{os.getpid() % 100000}"
    daemon_ns, peer_ns = f"rc-d{tag}", f"rc-p{tag}"
    made: list[str] = []
    try:
        for ns in (daemon_ns, peer_ns):
            result = _ip("netns", "add", ns)
            if result.returncode != 0:
                pytest.skip(
                    f"network namespaces are not permitted here ({result.stderr.strip()}): "
                    "this fault cannot be staged on this machine"
                )
            made.append(ns)
        steps = [
            ("link", "add", f"rcv{tag}a", "netns", daemon_ns, "type", "veth", "peer",
             "name", f"rcv{tag}b", "netns", peer_ns),
            ("-n", daemon_ns, "addr", "add", f"{DAEMON_IP}/30", "dev", f"rcv{tag}a"),
            ("-n", peer_ns, "addr", "add", f"{PEER_IP}/30", "dev", f"rcv{tag}b"),
            ("-n", daemon_ns, "link", "set", f"rcv{tag}a", "up"),
            ("-n", peer_ns, "link", "set", f"rcv{tag}b", "up"),
            ("-n", daemon_ns, "link", "set", "lo", "up"),
            ("-n", peer_ns, "link", "set", "lo", "up"),
        ]  # fmt: skip
        for step in steps:
            result = _ip(*step)
            assert result.returncode == 0, f"ip {' '.join(step)}: {result.stderr}"
        yield daemon_ns, peer_ns
    finally:
        for ns in made:
            _ip("netns", "del", ns)


def test_peer_unreachable_mid_call_ends_the_call_with_a_network_cause(
    namespaces: tuple[str, str],
) -> None:
    daemon_ns, peer_ns = namespaces
    tag = daemon_ns.removeprefix("rc-d")
    root = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))
    home = Home(root)
    home.ensure()
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "telephony.json").write_text(
        json.dumps({"bind_address": DAEMON_IP, "media_timeout_s": MEDIA_TIMEOUT_S})
    )
    workdir = Path(tempfile.mkdtemp(prefix="sipp-ns-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with home.daemon_log.open("ab") as log:
            daemon = subprocess.Popen(
                ["ip", "netns", "exec", daemon_ns, sys.executable, "-m", "rolecall", "daemon"],
                env=rolecall_env(home),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        processes.append(daemon)
        with (workdir / "screen.log").open("wb") as screen:
            sipp = subprocess.Popen(
                ["ip", "netns", "exec", peer_ns, "sipp", "-sf", str(scenario_path("uas_answer")),
                 "-i", PEER_IP, "-p", "5060", "-mi", PEER_IP, "-mp", "6000", "-rtp_echo",
                 "-m", "1", "-timeout", "60s", "-nostdin", "-trace_msg",
                 "-message_file", str(workdir / "messages.log")],
                cwd=workdir, stdin=subprocess.DEVNULL, stdout=screen, stderr=subprocess.STDOUT,
            )  # fmt: skip
        processes.append(sipp)
        wait_for_socket(home, timeout=20)
        with DaemonClient.open(home, start=False, name="netns-fault") as client:
            deadline = time.monotonic() + 10
            while not any(
                a["config"]["id"] == "local" for a in client.request("account.list")["accounts"]
            ):
                assert time.monotonic() < deadline, "the SIP stack did not come up"
                time.sleep(0.1)
            call = place(client, f"sip:alice@{PEER_IP}:5060")
            wait_call(client, call["id"], "confirmed")
            time.sleep(1.5)  # audio flows both ways (SIPp echoes it)
            cut = _ip("-n", peer_ns, "link", "set", f"rcv{tag}b", "down")
            assert cut.returncode == 0, cut.stderr
            cut_at = time.monotonic()
            ended = wait_call(client, call["id"], "disconnected", timeout=MEDIA_TIMEOUT_S + 15)
            took = time.monotonic() - cut_at
            assert ended["end_cause"] == "network", ended
            assert "no audio" in ended["reason"], ended
            assert ended["rtp"]["rx_packets"] > 0  # it did flow before the cut
            assert took < MEDIA_TIMEOUT_S + 5, f"the call ended {took:.1f} s after the cut"
            print(f"network cut: call ended {took:.1f} s later ({ended['reason']})")
            assert client.request("ping", {"echo": "ok"})["echo"] == "ok"
            live = [
                c for c in client.request("calls.list")["calls"] if c["state"] != "disconnected"
            ]
            assert live == []
            logged = client.request("calllog.list", {})["calls"]
            assert logged[0]["entry"]["end_cause"] == "network"
        assert daemon.poll() is None
    finally:
        for process in processes:
            if process.poll() is None:
                stop_pid(process.pid)
            process.wait(10)
        print(home.daemon_log.read_text(errors="replace")[-3000:])
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)
