"""Side panel benchmark: from a click on a CRM page's number to the panel holding the
deal's people and documents, for a 20-contact and a 1,000-contact opportunity.

Debian's Chromium with the built extension and the real host; the store holds both
deals under the record ids their pages show (copies of the Salesforce fixture page);
a SIPp peer answers. The click's time is taken in the page (a capturing pointerdown
listener, before our button's handler runs); the panel's when it has rendered the
deal's people and documents (`data-context-shown-at`, set once they are in the DOM).
Goals: under 150 ms and 500 ms.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from context import _dataset  # tests/bench/context.py: the benchmark deals
from playwright.sync_api import Page, sync_playwright

from rolecall.client import DaemonClient
from rolecall.demo.browser import launch, register_host
from rolecall.paths import Home
from rolecall.store.store import Store
from support.daemons import prepare_home
from support.processes import daemon_pid, stop_pid
from support.sip.sipp import SippPeer
from support.web import StaticSite

Line = dict[str, object]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE = FIXTURES / "crm" / "salesforce" / "opportunity.html"
PAGE_ID = "006Dn00000K7xQbIAJ"
DEALS = {"006Dn00000BNCH20AA": (20, 10, 150), "006Dn00000BNCH1KAA": (1000, 50, 500)}
ROUNDS = 5
NUMBER = "+14155550100"

# On the window, in the capture phase: a press on a call button stops there, before the
# page's own listeners below it hear it.
MARK_CLICK = """() => { window.__clickAt = 0;
  window.addEventListener('pointerdown', () => { window.__clickAt = Date.now(); }, true); }"""


def _shown_after(panel: Page, deal: str, after: int, timeout: float = 20.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = panel.evaluate(
            "([deal, after]) => { const d = document.body.dataset;"
            " return d.opportunityId === deal && Number(d.contextShownAt) > after"
            " ? Number(d.contextShownAt) : 0; }",
            [deal, after],
        )
        if shown:
            return int(shown)
        time.sleep(0.005)
    state = panel.evaluate("() => document.body.innerText.slice(0, 600)")
    raise TimeoutError(f"the panel never showed {deal} after {after}: {state}")


def _hang_up_all(home: Home) -> None:
    with DaemonClient.open(home, start=False) as client:
        for call in client.request("calls.list")["calls"]:
            if call["state"] != "disconnected":
                client.request("call.hangup", {"call_id": call["id"]})


def run() -> list[Line]:
    root = Path(tempfile.mkdtemp(prefix="rc-bench-", dir="/tmp"))
    profile = Path(tempfile.mkdtemp(prefix="rc-bench-profile-"))
    pages = root / "pages"
    pages.mkdir()
    html = FIXTURE.read_text()
    for deal in DEALS:
        (pages / f"{deal}.html").write_text(html.replace(PAGE_ID, deal))
    home = prepare_home(Home(root / "home"))
    store = Store(home.data_dir / "rolecall.db")
    store.load(_dataset(1000, {deal: (people, docs) for deal, (people, docs, _) in DEALS.items()}))
    store.close()
    peer = SippPeer("uas_answer", calls=ROUNDS * len(DEALS) + 2, timeout=600).start()
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
                for deal, (people, docs, goal) in DEALS.items():
                    crm.goto(site.url(f"{deal}.html"))
                    button = crm.locator(f'rolecall-call[data-number="{NUMBER}"]').first
                    button.wait_for(timeout=15_000)
                    crm.evaluate(MARK_CLICK)
                    times: list[float] = []
                    for _ in range(ROUNDS + 1):  # the first round warms up
                        button.click()
                        clicked = int(crm.evaluate("() => window.__clickAt"))
                        shown = _shown_after(panel, deal, clicked)
                        times.append(shown - clicked)
                        time.sleep(0.3)
                        _hang_up_all(home)
                        time.sleep(0.3)
                    rendered = panel.locator("li.contact").count()
                    size = f"{people}" if people < 1000 else "1k"
                    results.append(
                        {
                            "name": f"panel_click_to_people_and_documents_{size}_contacts",
                            "value": round(statistics.median(times[1:]), 1),
                            "unit": "ms",
                            "goal": goal,
                            "min": min(times[1:]),
                            "max": max(times[1:]),
                            "contacts": people,
                            "documents": docs,
                            "contacts_in_dom": rendered,
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
