"""A transfer the far end asks for, in Debian's Chromium with the real host and daemon.

SIPp answers our call and REFERs us to a number; the daemon declines the REFER (603)
and the side panel shows "… asks to transfer you to +1 900 555 0100". Nothing rings at
the would-be target (a second SIPp the account's dial plan sends numbers to) until
Accept is clicked in the panel; then it gets the INVITE and the call that asked ends.
With no panel open, the background's notification and toolbar badge carry the request,
and the notification's Accept does the same. Every process started here is stopped by
its pid.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Playwright, expect

from rolecall.client import DaemonClient
from rolecall.demo.browser import launch, register_host
from rolecall.paths import Home
from support.calls import place, wait_call, wait_ended
from support.daemons import prepare_home
from support.processes import daemon_pid, stop_pid
from support.sip.sipp import SippPeer

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "panel"


@pytest.fixture
def peers() -> Iterator[list[SippPeer]]:
    started: list[SippPeer] = []
    yield started
    for peer in started:
        peer.cleanup()


def test_the_panel_offers_the_transfer_and_accept_makes_the_target_ring(
    playwright: Playwright, peers: list[SippPeer]
) -> None:
    target = SippPeer("uas_answer", timeout=90)
    peers.append(target.start())
    far = SippPeer("refer_offer", keys={"refer_to": "<tel:+19005550100>"}, timeout=90)
    peers.append(far.start())
    root = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))
    profile = Path(tempfile.mkdtemp(prefix="rc-profile-"))
    home = prepare_home(Home(root))
    browser = None
    try:
        register_host(home.root, profile)
        browser = launch(playwright, profile, home=home.root)
        panel = browser.context.new_page()
        panel.set_viewport_size({"width": 420, "height": 1000})
        panel.goto(browser.panel_url)
        expect(panel.get_by_test_id("host-status")).to_have_text("connected", timeout=20_000)
        with DaemonClient.open(home, start=False) as client:
            plan = {"domain": target.address}
            account = {"id": "pbx", "uri": "sip:me@127.0.0.1", "dial_plan": plan}
            client.request("account.set", {"account": account})
            call = place(client, far.uri("anna"), account_id="pbx")
            wait_call(client, call["id"], "confirmed")

            offer = panel.get_by_test_id("transfer-offer")
            expect(offer).to_be_visible(timeout=15_000)
            expect(panel.get_by_test_id("transfer-offer-text")).to_have_text(
                f"anna@{far.address} asks to transfer you to +1 900 555 0100"
            )
            assert target.received("INVITE") == []  # nothing rings before Accept
            SHOTS.mkdir(parents=True, exist_ok=True)
            panel.screenshot(path=SHOTS / "panel-transfer-offer.png")

            panel.get_by_test_id("transfer-offer-accept").click()
            expect(offer).to_have_count(0)
            ended = wait_ended(client, [call["id"]], timeout=20)[call["id"]]
            assert ended["end_cause"] == "transferred"
            assert far.wait() == 0, far.report()
            assert [m.status for m in far.received_responses("REFER")] == [603]
            invite = target.request("INVITE")
            assert invite.request_uri == f"sip:+19005550100@{target.address}"
            new = next(
                c
                for c in client.request("calls.list")["calls"]
                if c["id"] != call["id"] and c["state"] != "disconnected"
            )
            expect(panel.get_by_test_id("call-card")).to_have_attribute(
                "data-call-id", new["id"], timeout=15_000
            )
            client.request("call.hangup", {"call_id": new["id"]})
            wait_call(client, new["id"], "disconnected")
        assert target.wait() == 0, target.report()
    finally:
        if browser is not None:
            browser.close()
        pid = daemon_pid(home)
        if pid:
            stop_pid(pid)
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)


def _until(probe: Callable[[], object], timeout: float, what: str) -> object:
    """`probe()`'s first truthy value, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout} s")
        time.sleep(0.2)


def test_with_the_panel_closed_the_notification_carries_the_request_and_its_accept_dials(
    playwright: Playwright, peers: list[SippPeer]
) -> None:
    target = SippPeer("uas_answer", timeout=90)
    peers.append(target.start())
    far = SippPeer("refer_offer", keys={"refer_to": "<tel:+19005550100>"}, timeout=90)
    peers.append(far.start())
    root = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))
    profile = Path(tempfile.mkdtemp(prefix="rc-profile-"))
    home = prepare_home(Home(root))
    browser = None
    try:
        register_host(home.root, profile)
        browser = launch(playwright, profile, home=home.root)
        _until(
            lambda: browser.evaluate("() => globalThis.rolecall.state().status") == "connected",
            20,
            "connection to the host",
        )
        assert browser.evaluate("() => globalThis.rolecall.uiPorts()") == 0  # no panel open
        with DaemonClient.open(home, start=False) as client:
            plan = {"domain": target.address}
            account = {"id": "pbx", "uri": "sip:me@127.0.0.1", "dial_plan": plan}
            client.request("account.set", {"account": account})
            call = place(client, far.uri("anna"), account_id="pbx")
            wait_call(client, call["id"], "confirmed")

            pending = _until(
                lambda: browser.evaluate("() => globalThis.rolecall.transferNotifications()"),
                15,
                "transfer notification",
            )
            offers = client.request("calls.transfer_offers")["offers"]
            assert pending == [o["request_id"] for o in offers]
            request_id = offers[0]["request_id"]
            notification = f"rolecall-transfer-{request_id}"
            _until(
                lambda: notification in browser.evaluate("() => chrome.notifications.getAll()"),
                5,
                "system notification",
            )
            badge = "() => chrome.action.getBadgeText({})"
            _until(lambda: browser.evaluate(badge) == "1", 5, "badge counting the request")
            assert target.received("INVITE") == []  # nothing rings before Accept

            # A panel opened later lists the request; it is closed again before Accept.
            panel = browser.open_panel()
            expect(panel.get_by_test_id("transfer-offer")).to_have_attribute(
                "data-request-id", request_id, timeout=15_000
            )
            panel.close()
            _until(
                lambda: browser.evaluate("() => globalThis.rolecall.uiPorts()") == 0,
                5,
                "panel to disconnect",
            )

            # What a click on the notification's Accept button does.
            browser.evaluate(
                "(id) => globalThis.rolecall.transferButton(id, 0)",
                request_id,
            )
            ended = wait_ended(client, [call["id"]], timeout=15)[call["id"]]
            assert ended["end_cause"] == "transferred"
            invite = target.request("INVITE")
            assert invite.request_uri == f"sip:+19005550100@{target.address}"
            assert browser.evaluate("() => globalThis.rolecall.transferNotifications()") == []
            _until(lambda: browser.evaluate(badge) == "", 5, "badge to go")
            _until(
                lambda: notification not in browser.evaluate("() => chrome.notifications.getAll()"),
                5,
                "notification to go",
            )
            new = next(
                c
                for c in client.request("calls.list")["calls"]
                if c["id"] != call["id"] and c["state"] != "disconnected"
            )
            client.request("call.hangup", {"call_id": new["id"]})
            wait_call(client, new["id"], "disconnected")
        assert far.wait() == 0, far.report()
        assert target.wait() == 0, target.report()
    finally:
        if browser is not None:
            browser.close()
        pid = daemon_pid(home)
        if pid:
            stop_pid(pid)
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)
