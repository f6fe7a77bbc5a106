"""Page deal benchmark: from a click on a number of a CRM page the store knows nothing
of, to the side panel holding that page's deal: its people by role and its documents,
read off the page (page memory), for pages with 20 and 500 people.

Debian's Chromium with the built extension and the real host, an empty store, a SIPp
peer answering. Timing as in `panel.py`: the click in the page (a capturing pointerdown
listener), the panel's `data-context-shown-at` once the deal's people and documents are
in the DOM. Goals: 150 ms and 400 ms. For the host's share, each round also times the
panel's own request, `context.get` for the call, from a socket client (after the
panel has shown the deal, so both read the same stored page deal).
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from panel import MARK_CLICK, _hang_up_all
from playwright.sync_api import Page, sync_playwright

from rolecall.client import DaemonClient
from rolecall.demo.browser import launch, register_host
from rolecall.paths import Home
from support.daemons import prepare_home
from support.deal_page import deal_page, e164
from support.processes import daemon_pid, stop_pid
from support.sip.sipp import SippPeer
from support.web import StaticSite

Line = dict[str, object]
PAGES = {"people-20": (20, 10, 150), "people-500": (500, 50, 400)}
ROUNDS = 5
PANEL_PAGE_SIZE = 500  # as the panel asks (extension/src/sidepanel/store/deal.ts)


def _context_get_ms(home: Home) -> float:
    """The daemon's part: `context.get` for the newest call, as the panel asks for it."""
    with DaemonClient.open(home, start=False, name="bench") as client:
        calls = client.request("calls.list")["calls"]
        call_id = max(calls, key=lambda call: call["created_at"])["id"]
        started = time.perf_counter()
        client.request("context.get", {"call_id": call_id, "page_size": PANEL_PAGE_SIZE})
        return (time.perf_counter() - started) * 1000


def _shown_after(panel: Page, name: str, after: int, timeout: float = 20.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = panel.evaluate(
            "([name, after]) => { const d = document.body.dataset;"
            " const title = document.querySelector('[data-testid=opportunity-name]');"
            " return (d.opportunityId || '').startsWith('page.')"
            " && title && title.textContent === name"
            " && Number(d.contextShownAt) > after ? Number(d.contextShownAt) : 0; }",
            [name, after],
        )
        if shown:
            return int(shown)
        time.sleep(0.005)
    state = panel.evaluate("() => document.body.innerText.slice(0, 600)")
    raise TimeoutError(f"the panel never showed {name} after {after}: {state}")


def run() -> list[Line]:
    root = Path(tempfile.mkdtemp(prefix="rc-bench-", dir="/tmp"))
    profile = Path(tempfile.mkdtemp(prefix="rc-bench-profile-"))
    pages = root / "pages"
    pages.mkdir()
    for page, (people, docs, _) in PAGES.items():
        (pages / f"{page}.html").write_text(deal_page(f"Bench deal {page}", people, docs))
    home = prepare_home(Home(root / "home"))
    peer = SippPeer("uas_answer", calls=ROUNDS * len(PAGES) + 2, timeout=600).start()
    site = StaticSite(pages, "127.0.0.1")
    results: list[Line] = []
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
                with DaemonClient.open(home, start=False) as client:
                    account = {
                        "id": "pbx",
                        "uri": "sip:rolecall@127.0.0.1",
                        "dial_plan": {"domain": peer.address},
                    }
                    client.request("account.set", {"account": account})
                panel = browser.open_panel()
                panel.set_viewport_size({"width": 420, "height": 1000})
                panel.get_by_test_id("tab-people").click()
                crm = browser.context.new_page()
                for page, (people, docs, goal) in PAGES.items():
                    crm.goto(site.url(f"{page}.html"))
                    button = crm.locator(f'rolecall-call[data-number="{e164(3)}"]').first
                    button.wait_for(timeout=30_000)
                    crm.evaluate(MARK_CLICK)
                    times: list[float] = []
                    daemon_part: list[float] = []
                    for _ in range(ROUNDS + 1):  # the first round warms up
                        button.click()
                        clicked = int(crm.evaluate("() => window.__clickAt"))
                        shown = _shown_after(panel, f"Bench deal {page}", clicked)
                        times.append(shown - clicked)
                        daemon_part.append(_context_get_ms(home))
                        time.sleep(0.3)
                        _hang_up_all(home)
                        time.sleep(0.3)
                    rendered = panel.locator("li.contact").count()
                    results.append(
                        {
                            "name": f"panel_click_to_page_deal_{people}_people",
                            "value": round(statistics.median(times[1:]), 1),
                            "unit": "ms",
                            "goal": goal,
                            "min": min(times[1:]),
                            "max": max(times[1:]),
                            "people": people,
                            "documents": docs,
                            "contacts_in_dom": rendered,
                            "daemon_context_get_median": round(
                                statistics.median(daemon_part[1:]), 2
                            ),
                        }
                    )
            finally:
                browser.close()
    finally:
        site.close()
        peer.cleanup()
        pid = daemon_pid(home)
        if pid:
            stop_pid(pid)
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)
    return results


if __name__ == "__main__":
    import json

    for result in run():
        print(json.dumps(result))
