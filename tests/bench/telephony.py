"""Telephony benchmarks: dialling latency on the wire, INVITE to CONFIRMED, idle cost."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from rolecall.client import DaemonClient
from rolecall.paths import Home
from support.calls import place, wait_call, wait_event
from support.daemons import prepare_home, rolecall_env, start_daemon, stop_daemon
from support.sip.sipp import SippPeer

Line = dict[str, object]
ROUNDS = 10
_STAMP = re.compile(r"^-+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)")


def _wire_times(peer: SippPeer) -> dict[str, list[float]]:
    """When SIPp received each request method (Unix time), from its message trace."""
    times: dict[str, list[float]] = {}
    stamp = 0.0
    expect_request = False
    for line in peer.messages().splitlines():
        match = _STAMP.match(line)
        if match:
            stamp = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
            continue
        if "message received" in line:
            expect_request = True
            continue
        if expect_request and line.strip():
            method = line.split(" ", 1)[0]
            if not method.startswith("SIP/"):
                times.setdefault(method, []).append(stamp)
            expect_request = False
    return times


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run() -> list[Line]:
    home = prepare_home(Home(Path(tempfile.mkdtemp(prefix="rc-bench-", dir="/tmp"))))
    daemon = start_daemon(home)
    lines: list[Line] = []
    try:
        with DaemonClient.open(home, start=False, name="bench") as client:
            to_invite, to_confirmed, cli_to_invite = [], [], []
            for _ in range(ROUNDS):
                peer = SippPeer("uas_answer", rtp_echo=True).start()
                try:
                    sent = time.time()
                    call = place(client, peer.uri())
                    wait_call(client, call["id"], "confirmed")
                    client.request("call.hangup", {"call_id": call["id"]})
                    wait_call(client, call["id"], "disconnected")
                    peer.wait()
                    wire = _wire_times(peer)
                    to_invite.append((wire["INVITE"][0] - sent) * 1000)
                    to_confirmed.append((wire["ACK"][0] - wire["INVITE"][0]) * 1000)
                finally:
                    peer.cleanup()
            for _ in range(ROUNDS // 2):
                peer = SippPeer("uas_busy").start()
                try:
                    started = time.time()
                    subprocess.run(
                        [sys.executable, "-m", "rolecall", "call", peer.uri()],
                        env=rolecall_env(home),
                        capture_output=True,
                        timeout=30,
                        check=True,
                    )
                    peer.wait()
                    cli_to_invite.append((_wire_times(peer)["INVITE"][0] - started) * 1000)
                finally:
                    peer.cleanup()
            lines.append(
                {
                    "name": "call_place_to_invite_median",
                    "value": round(statistics.median(to_invite), 2),
                    "unit": "ms",
                    "samples": len(to_invite),
                    "path": "client request → daemon → SIP thread → INVITE at SIPp",
                }
            )
            lines.append(
                {
                    "name": "cli_call_to_invite_median",
                    "value": round(statistics.median(cli_to_invite), 1),
                    "unit": "ms",
                    "samples": len(cli_to_invite),
                    "path": "`rolecall call` start → INVITE at SIPp",
                }
            )
            lines.append(
                {
                    "name": "invite_to_confirmed_median",
                    "value": round(statistics.median(to_confirmed), 2),
                    "unit": "ms",
                    "samples": len(to_confirmed),
                    "path": "INVITE at SIPp → our ACK at SIPp (SIPp answers at once)",
                }
            )

            registrar = SippPeer(
                "registrar_auth", keys={"user": "alice", "password": "secret"}, timeout=60
            ).start()
            try:
                account = {
                    "id": "office",
                    "uri": "sip:alice@rolecall.test",
                    "registrar": f"sip:{registrar.address}",
                    "username": "alice",
                }
                client.request("account.set", {"account": account, "password": "secret"})
                wait_event(client, "account.registration", lambda p: p["state"] == "registered")
                time.sleep(2.0)  # let start-up work settle
                before, t0 = _cpu_seconds(daemon.pid), time.monotonic()
                time.sleep(10.0)
                used = _cpu_seconds(daemon.pid) - before
                elapsed = time.monotonic() - t0
                lines.append(
                    {
                        "name": "daemon_idle_cpu",
                        "value": round(100 * used / elapsed, 2),
                        "unit": "% of a core",
                        "window_s": round(elapsed, 1),
                        "state": "one registered account, no calls",
                    }
                )
                lines.append(
                    {
                        "name": "daemon_rss",
                        "value": round(_rss_mb(daemon.pid), 1),
                        "unit": "MB",
                        "state": "one registered account, no calls",
                    }
                )
            finally:
                registrar.cleanup()
    finally:
        stop_daemon(daemon)
        shutil.rmtree(home.root, ignore_errors=True)
    return lines
