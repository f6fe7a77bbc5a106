"""`make bench`: Rolecall's benchmarks, one JSON line per measurement.

Each line has `name`, `value`, `unit`, and `baseline` and `ratio` where a baseline is
measured in the same run (these machines are shared: only same-run ratios mean much).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

import audio  # noqa: E402  (tests/bench, beside this file)
import bundle  # noqa: E402
import click_invite  # noqa: E402
import context  # noqa: E402
import page_deal  # noqa: E402
import page_scan  # noqa: E402
import panel  # noqa: E402
import telephony  # noqa: E402
import transcript  # noqa: E402

from rolecall.demo.browser import launch, register_host  # noqa: E402
from rolecall.identity import CHROMIUM_EXTENSION_ID  # noqa: E402
from rolecall.paths import Home  # noqa: E402
from support.processes import daemon_pid, stop_pid  # noqa: E402

ECHO_HOST = "com.rolecall.bench_echo"
ROUNDS = 6
PER_ROUND = 100
TOTAL_ROUNDS = 4
TOTAL_TRIPS = 1000

# Times `count` sequential round trips on one native port, as the extension's own
# HostConnection would see them (postMessage → onMessage).
ECHO_ROUND = """async ([name, count]) => {
  const port = chrome.runtime.connectNative(name);
  const once = (msg) => new Promise((resolve) => {
    const listener = (m) => { port.onMessage.removeListener(listener); resolve(m); };
    port.onMessage.addListener(listener);
    port.postMessage(msg);
  });
  await once({v: 1, kind: "request", id: "warm", type: "ping", payload: {echo: ""}});
  const times = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await once({v: 1, kind: "request", id: "e" + i, type: "ping", payload: {echo: ""}});
    times.push(performance.now() - t0);
  }
  port.disconnect();
  return times;
}"""

ROLECALL_ROUND = """async (count) => {
  const host = globalThis.rolecall.host;
  const times = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await host.request("ping", {echo: ""});
    times.push(performance.now() - t0);
  }
  return times;
}"""

# The worker's clock is coarse (0.1 ms steps): one span over many sequential trips
# measures what single trips cannot.
ECHO_TOTAL = """async ([name, count]) => {
  const port = chrome.runtime.connectNative(name);
  const once = (msg) => new Promise((resolve) => {
    const listener = (m) => { port.onMessage.removeListener(listener); resolve(m); };
    port.onMessage.addListener(listener);
    port.postMessage(msg);
  });
  await once({v: 1, kind: "request", id: "warm", type: "ping", payload: {echo: ""}});
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    await once({v: 1, kind: "request", id: "e" + i, type: "ping", payload: {echo: ""}});
  }
  const total = performance.now() - t0;
  port.disconnect();
  return total;
}"""

ROLECALL_TOTAL = """async (count) => {
  const host = globalThis.rolecall.host;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await host.request("ping", {echo: ""});
  return performance.now() - t0;
}"""

WAIT_CONNECTED = """async () => {
  for (let i = 0; i < 300; i++) {
    if (globalThis.rolecall.state().status === "connected") return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}"""


def line(name: str, value: float, unit: str, **extra: Any) -> None:
    print(json.dumps({"name": name, "value": round(value, 4), "unit": unit, **extra}), flush=True)


def compared(name: str, value: float, baseline: float, unit: str, **extra: Any) -> None:
    """A line with its baseline from the same run and the ratio to it."""
    line(name, value, unit, baseline=round(baseline, 4), ratio=round(value / baseline, 3), **extra)


def register_echo_host(profile: Path) -> None:
    hosts = profile / "NativeMessagingHosts"
    hosts.mkdir(parents=True, exist_ok=True)
    launcher = profile / "echo-host.sh"
    launcher.write_text(
        f"#!/bin/sh\nexec {sys.executable} {REPO / 'tests' / 'support' / 'echo_host.py'}\n"
    )
    launcher.chmod(0o755)
    manifest = {
        "name": ECHO_HOST,
        "description": "benchmark echo host",
        "path": str(launcher),
        "type": "stdio",
        "allowed_origins": [f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"],
    }
    (hosts / f"{ECHO_HOST}.json").write_text(json.dumps(manifest))


def _shim_pids(home: Home) -> list[int]:
    """The native host processes a browser started for `home` (Linux: read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if f"ROLECALL_HOME={home.root}".encode() in environ and b"chrome-extension://" in command:
            found.append(int(entry.name))
    return found


def _reconnect(browser: Any, home: Home) -> None:
    """Ends the extension's shim by pid; the extension's reconnect starts a fresh one."""
    for pid in _shim_pids(home):
        stop_pid(pid)
    time.sleep(0.5)
    if not browser.evaluate(WAIT_CONNECTED):
        raise RuntimeError("the extension did not reconnect to the host")


def _totals(browser: Any, home: Home) -> dict[str, list[float]]:
    """Totals of sequential trips: the echo host, ours, and ours with the shim relaying
    (as before the pipes were handed over; `run/native.sock` withheld). Alternated round
    by round, each with an echo span of its own, so all see the same machine load."""
    withheld = home.native_socket_path.with_suffix(".withheld")
    found: dict[str, list[float]] = {"echo": [], "ours": [], "echo_relay": [], "relayed": []}
    for _ in range(TOTAL_ROUNDS):
        found["echo"].append(browser.evaluate(ECHO_TOTAL, [ECHO_HOST, TOTAL_TRIPS]))
        found["ours"].append(browser.evaluate(ROLECALL_TOTAL, TOTAL_TRIPS))
        home.native_socket_path.rename(withheld)
        try:
            _reconnect(browser, home)
            found["echo_relay"].append(browser.evaluate(ECHO_TOTAL, [ECHO_HOST, TOTAL_TRIPS]))
            found["relayed"].append(browser.evaluate(ROLECALL_TOTAL, TOTAL_TRIPS))
        finally:
            withheld.rename(home.native_socket_path)
        _reconnect(browser, home)
    return found


def bench_native_round_trip() -> None:
    home = Home(Path(tempfile.mkdtemp(prefix="rc-bench-", dir="/tmp")))
    profile = Path(tempfile.mkdtemp(prefix="rc-bench-profile-"))
    try:
        register_host(home.root, profile)
        register_echo_host(profile)
        with sync_playwright() as playwright:
            browser = launch(playwright, profile, home=home.root)
            try:
                if not browser.evaluate(WAIT_CONNECTED):
                    raise RuntimeError("the extension never connected to the host")
                echo: list[float] = []
                ours: list[float] = []
                for _ in range(ROUNDS):  # interleaved, so both see the same machine load
                    echo += browser.evaluate(ECHO_ROUND, [ECHO_HOST, PER_ROUND])
                    ours += browser.evaluate(ROLECALL_ROUND, PER_ROUND)
                totals = _totals(browser, home)
            finally:
                browser.close()
    finally:
        pid = daemon_pid(home)
        if pid:
            stop_pid(pid)
        shutil.rmtree(home.root, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)
    echo_median, ours_median = statistics.median(echo), statistics.median(ours)
    line("native_echo_round_trip_median", echo_median, "ms", samples=len(echo))
    compared(
        "native_round_trip_median",
        ours_median,
        echo_median,
        "ms",
        goal_ratio=1.3,
        samples=len(ours),
        path="service worker → daemon (on the pipes the shim handed over) → service worker",
    )
    # The worker's clock moves in steps of 0.1 ms, a third of a trip: the plain medians
    # above can only be 0.3, 0.4, 0.5... The median of data read in such steps, taken
    # within its step (as for grouped data), tells where in its step the middle trip lies.
    echo_grouped = statistics.median_grouped([round(x, 1) for x in echo], interval=0.1)
    ours_grouped = statistics.median_grouped([round(x, 1) for x in ours], interval=0.1)
    compared(
        "native_round_trip_median_grouped",
        ours_grouped,
        echo_grouped,
        "ms",
        goal_ratio=1.3,
        samples=len(ours),
        note="the median of trips timed in 0.1 ms steps, placed within its step",
    )
    echo_total, our_total = statistics.median(totals["echo"]), statistics.median(totals["ours"])
    compared(
        "native_round_trip_total_1000",
        our_total,
        echo_total,
        "ms",
        goal_ratio=1.3,
        rounds=TOTAL_ROUNDS,
        note=f"{TOTAL_TRIPS} sequential round trips in one span (median of the rounds)",
    )
    echo_relay, relay = (
        statistics.median(totals["echo_relay"]),
        statistics.median(totals["relayed"]),
    )
    compared(
        "native_round_trip_total_1000_relayed",
        relay,
        echo_relay,
        "ms",
        rounds=TOTAL_ROUNDS,
        note="the same, with the shim relaying as before the pipes were handed over",
    )
    echo_mean, ours_mean = statistics.fmean(echo), statistics.fmean(ours)
    compared(
        "native_round_trip_mean",
        ours_mean,
        echo_mean,
        "ms",
    )
    p95 = statistics.quantiles(ours, n=20)[-1]
    echo_p95 = statistics.quantiles(echo, n=20)[-1]
    compared(
        "native_round_trip_p95",
        p95,
        echo_p95,
        "ms",
    )


def main() -> int:
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    os.environ["ROLECALL_KEYRING"] = "file"  # no OS keyring on benchmark machines
    # `run.py page_scan bundle` runs only those parts ("native" is the round trip).
    only = set(sys.argv[1:])
    if not only or "native" in only:
        bench_native_round_trip()
    benches = [
        page_scan,
        telephony,
        context,
        panel,
        page_deal,
        click_invite,
        bundle,
        audio,
        transcript,
    ]
    benches = [bench for bench in benches if not only or bench.__name__ in only]
    for result in [found for bench in benches for found in bench.run()]:
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
