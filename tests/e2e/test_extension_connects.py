"""Debian's Chromium, the built extension, the real host and daemon: the panel connects."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from playwright.sync_api import Playwright, expect

from rolecall import __version__
from rolecall.client import DaemonClient
from rolecall.demo.browser import launch, register_host
from rolecall.paths import Home
from support.calls import wait_call
from support.processes import daemon_pid, native_host_pids, pid_alive
from support.sip.sipp import SippPeer

pytestmark = pytest.mark.e2e


def test_side_panel_reaches_connected(
    playwright: Playwright, profile: Path, stop_daemon_after: Home, artifacts: Path
) -> None:
    home = stop_daemon_after
    register_host(home.root, profile)
    browser = launch(playwright, profile, home=home.root)
    try:
        panel = browser.open_panel()
        expect(panel.get_by_test_id("host-status")).to_have_text("connected", timeout=20_000)
        expect(panel.get_by_test_id("host-version")).to_contain_text(__version__)
        panel.screenshot(path=artifacts / "sidepanel-connected.png")
        state = browser.evaluate("() => globalThis.rolecall.state()")
        assert state["status"] == "connected"
        first_daemon = daemon_pid(home)
        assert first_daemon and pid_alive(first_daemon)
        assert state["daemonPid"] == first_daemon

        # Kill the shim: the daemon lives on and the extension reconnects to it.
        shims = native_host_pids(home)
        assert len(shims) == 1
        os.kill(shims[0], signal.SIGKILL)
        expect(panel.get_by_test_id("host-status")).not_to_have_text("connected", timeout=10_000)
        expect(panel.get_by_test_id("host-status")).to_have_text("connected", timeout=20_000)
        assert pid_alive(first_daemon)
        assert browser.evaluate("() => globalThis.rolecall.state()")["daemonPid"] == first_daemon
        new_shims = native_host_pids(home)
        assert len(new_shims) == 1 and new_shims != shims

        pong = browser.evaluate(
            "() => globalThis.rolecall.host.request('ping', {echo: 'from the worker'})"
        )
        assert pong["echo"] == "from the worker"
    finally:
        browser.close()


def test_side_panel_says_when_the_host_is_not_installed(
    playwright: Playwright, profile: Path, rc_home: Home, artifacts: Path
) -> None:
    browser = launch(playwright, profile, home=rc_home.root)
    try:
        panel = browser.open_panel()
        expect(panel.get_by_test_id("host-status")).to_have_text(
            "host_not_installed", timeout=20_000
        )
        expect(panel.get_by_test_id("host-fix")).to_contain_text("rolecall install")
        panel.screenshot(path=artifacts / "sidepanel-host-missing.png")
    finally:
        browser.close()
    assert daemon_pid(rc_home) is None  # nothing was started


def test_side_panel_says_when_the_daemon_cannot_start(
    playwright: Playwright, profile: Path, tmp_path: Path
) -> None:
    home = tmp_path / ("x" * 120)  # its socket path is too long: the daemon cannot start
    register_host(home, profile)
    browser = launch(playwright, profile, home=home)
    try:
        panel = browser.open_panel()
        expect(panel.get_by_test_id("host-status")).to_have_text(
            "daemon_unavailable", timeout=30_000
        )
        expect(panel.get_by_test_id("host-message")).to_contain_text("daemon")
    finally:
        browser.close()


def test_a_call_placed_from_the_extension_survives_closing_the_browser(
    playwright: Playwright, profile: Path, stop_daemon_after: Home
) -> None:
    home = stop_daemon_after
    register_host(home.root, profile)
    peer = SippPeer("uas_answer", rtp_echo=True).start()
    browser = launch(playwright, profile, home=home.root)
    try:
        browser.evaluate(
            """async () => {
                for (let i = 0; i < 200 && globalThis.rolecall.state().status !== 'connected'; i++)
                    await new Promise((r) => setTimeout(r, 50));
            }"""
        )
        placed = browser.evaluate(
            "(target) => globalThis.rolecall.host.request('call.place', {target})", peer.uri()
        )["call"]
        with DaemonClient.open(home, start=False) as watcher:
            wait_call(watcher, placed["id"], "confirmed")
        browser.close()  # the browser closes the port and ends the shim
        time.sleep(1.0)
        assert native_host_pids(home) == []
        with DaemonClient.open(home, start=False) as later:
            calls = {c["id"]: c for c in later.request("calls.list")["calls"]}
            assert calls[placed["id"]]["state"] == "confirmed"
            later.request("call.hangup", {"call_id": placed["id"]})
            ended = wait_call(later, placed["id"], "disconnected")
        assert ended["rtp"]["rx_packets"] > 40
        assert peer.wait() == 0
    finally:
        peer.cleanup()
