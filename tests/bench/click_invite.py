"""Click → INVITE benchmark: a trusted click on a number in a page, to the INVITE at SIPp.

Debian's Chromium with the built extension and the real host, a SIPp peer answering
every INVITE with 486 Busy (so each call ends at once). The click is Playwright's (a
trusted input event); its time is the page's high-resolution clock on the epoch
(`performance.timeOrigin + performance.now()` at a capturing pointerdown), the INVITE's
is SIPp's receive stamp in its message trace: both are this machine's wall clock. The
daemon's own part (a socket client's `call.place` → INVITE) is measured in the same run
as the reference line. Goal: 15 ms median end to end.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from rolecall.client import DaemonClient
from rolecall.demo.browser import launch, register_host
from rolecall.paths import Home
from support.calls import place
from support.daemons import prepare_home
from support.deal_page import deal_page, e164
from support.processes import daemon_pid, stop_pid
from support.sip.sipp import SippPeer
from support.web import StaticSite

Line = dict[str, object]
ROUNDS = 10
GOAL_MS = 15.0
# In the service worker: when the extension asks the host for `call.place` (a wrapper
# around its own HostConnection, installed by the bench only), on the same clock.
MARK_REQUEST = """() => { const host = globalThis.rolecall.host; globalThis.__placeAt = [];
  const request = host.request.bind(host);
  host.request = (method, ...rest) => {
    const at = performance.timeOrigin + performance.now();
    if (method === "call.place") globalThis.__placeAt.push(at);
    return request(method, ...rest);
  }; }"""
# On the window, in the capture phase: a press on a call button stops there, before the
# page's own listeners below it hear it.
MARK_CLICK = """() => { window.__clickAt = 0;
  window.addEventListener('pointerdown',
    () => { window.__clickAt = performance.timeOrigin + performance.now(); }, true); }"""


def _invite_times(peer: SippPeer) -> list[float]:
    """When SIPp received each call's first INVITE (Unix time, s), in order."""
    seen: dict[str, float] = {}
    for message in peer.received("INVITE"):
        call_id = message.header("Call-ID") or ""
        seen.setdefault(call_id, message.time)
    return sorted(seen.values())


def run() -> list[Line]:
    root = Path(tempfile.mkdtemp(prefix="rc-bench-", dir="/tmp"))
    profile = Path(tempfile.mkdtemp(prefix="rc-bench-profile-"))
    pages = root / "pages"
    pages.mkdir()
    (pages / "deal.html").write_text(deal_page("Bench click", 20, 10))
    home = prepare_home(Home(root / "home"))
    calls = 2 * (ROUNDS + 1)
    peer = SippPeer("uas_busy", calls=calls, timeout=600).start()
    site = StaticSite(pages, "127.0.0.1")
    clicks: list[float] = []
    placed: list[float] = []
    requested: list[float] = []
    try:
        register_host(home.root, profile)
        with sync_playwright() as playwright:
            browser = launch(playwright, profile, home=home.root)
            try:
                browser.evaluate(
                    "async () => { for (let i = 0; i < 300 &&"
                    " globalThis.rolecall.state().status !== 'connected'; i++)"
                    " await new Promise((r) => setTimeout(r, 50)); }"
                )
                with DaemonClient.open(home, start=False, name="bench") as client:
                    account = {
                        "id": "pbx",
                        "uri": "sip:rolecall@127.0.0.1",
                        "dial_plan": {"domain": peer.address},
                    }
                    client.request("account.set", {"account": account})
                    crm = browser.context.new_page()
                    crm.goto(site.url("deal.html"))
                    button = crm.locator(f'rolecall-call[data-number="{e164(3)}"]').first
                    button.wait_for(timeout=30_000)
                    crm.evaluate(MARK_CLICK)
                    browser.evaluate(MARK_REQUEST)
                    for _ in range(ROUNDS + 1):  # interleaved; each kind's first warms up
                        button.click()
                        clicks.append(float(crm.evaluate("() => window.__clickAt")) / 1000)
                        time.sleep(0.4)
                        placed.append(time.time())
                        place(client, peer.uri())
                        time.sleep(0.4)
                requested = [t / 1000 for t in browser.evaluate("() => globalThis.__placeAt")]
                peer.wait(60)
            finally:
                browser.close()
        invites = _invite_times(peer)
    finally:
        site.close()
        peer.cleanup()
        pid = daemon_pid(home)
        if pid:
            stop_pid(pid)
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)
    if len(invites) != calls:
        raise RuntimeError(f"SIPp saw {len(invites)} calls, not {calls}")
    starts = [t for pair in zip(clicks, placed, strict=True) for t in pair]
    delays = [(invite - start) * 1000 for start, invite in zip(starts, invites, strict=True)]
    from_click, from_daemon = delays[2::2], delays[3::2]  # the first of each warms up
    click_median, daemon_median = statistics.median(from_click), statistics.median(from_daemon)
    if len(requested) != len(clicks):
        raise RuntimeError(f"{len(requested)} call.place requests for {len(clicks)} clicks")
    page_part = [(r - c) * 1000 for c, r in zip(clicks, requested, strict=True)][1:]
    host_part = [(i - r) * 1000 for r, i in zip(requested, invites[0::2], strict=True)][1:]
    return [
        {
            "name": "click_to_invite_median",
            "value": round(click_median, 2),
            "unit": "ms",
            "baseline": round(daemon_median, 2),
            "ratio": round(click_median / daemon_median, 3),
            "goal": GOAL_MS,
            "min": round(min(from_click), 2),
            "max": round(max(from_click), 2),
            "samples": len(from_click),
            "click_to_place_request_median": round(statistics.median(page_part), 2),
            "place_request_to_invite_median": round(statistics.median(host_part), 2),
            "path": "trusted click in the page → content script → service worker → daemon"
            " → SIP thread → INVITE at SIPp (baseline: the daemon's own part)",
        },
        {
            "name": "daemon_place_to_invite_median",
            "value": round(daemon_median, 2),
            "unit": "ms",
            "samples": len(from_daemon),
            "path": "socket client's call.place → daemon → SIP thread → INVITE at SIPp",
        },
    ]


if __name__ == "__main__":
    import json

    for result in run():
        print(json.dumps(result))
