"""The page deal end to end in Chromium: a CRM-like page the store knows nothing of.

A click on a number of a simple deal page (served on 127.0.0.1) places a call that
SIPp answers; the side panel shows the deal as the page shows it: its name, where it
was read, its people grouped by role with the person called marked, its attachments.
A later inbound call (SIPp calling the daemon's local account from one of those
people's numbers) pops the same deal from page memory; with the memory off, it does not.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Playwright, expect

from rolecall.client import DaemonClient
from rolecall.demo.browser import ExtensionBrowser, launch, register_host
from rolecall.paths import Home
from support.calls import wait_event
from support.daemons import prepare_home
from support.deal_page import deal_page, e164
from support.processes import daemon_pid, stop_pid
from support.sip.ports import free_port
from support.sip.sipp import SippPeer
from support.web import StaticSite, serve_one_page

DEAL = "Umbrella Corp — lab expansion"
CRM_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "crm"
# Reconstructed CRM pages (English, German, French, Chinese) with what each must yield.
FIXTURES = [
    ("odoo", "opportunity"),
    ("espocrm", "opportunity"),
    ("vtiger", "potential"),
    ("bitrix24", "deal"),
    ("creatio", "opportunity"),
    ("zendesk_sell", "deal"),
]
PANEL_SIZE = {"width": 420, "height": 1000}


@dataclass
class Stack:
    browser: ExtensionBrowser
    home: Home
    site: StaticSite
    callee: SippPeer
    peers: list[SippPeer]

    def request(self, method: str, params: dict[str, Any] | None = None) -> Any:
        with DaemonClient.open(self.home, start=False) as client:
            return client.request(method, params or {})

    def local_address(self) -> str:
        accounts = self.request("account.list")["accounts"]
        local = next(a for a in accounts if a["config"]["id"] == "local")
        return str(local["config"]["uri"].split("@", 1)[1])


@pytest.fixture(scope="module")
def stack(playwright: Playwright) -> Iterator[Stack]:
    root = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))
    profile = Path(tempfile.mkdtemp(prefix="rc-profile-"))
    pages = root / "pages"
    pages.mkdir()
    (pages / "deal.html").write_text(deal_page(DEAL, people=6, documents=2))
    home = prepare_home(Home(root / "home"), udp_port=free_port(), tcp_port=free_port())
    callee = SippPeer("uas_answer", rtp_echo=True, calls=6 + len(FIXTURES), timeout=300).start()
    peers = [callee]
    site = StaticSite(pages, "127.0.0.1")
    browser: ExtensionBrowser | None = None
    try:
        register_host(home.root, profile)
        browser = launch(playwright, profile, home=home.root)
        status = browser.evaluate(
            """async () => {
                for (let i = 0; i < 300 && globalThis.rolecall.state().status !== 'connected'; i++)
                    await new Promise((r) => setTimeout(r, 50));
                return globalThis.rolecall.state().status;
            }"""
        )
        assert status == "connected"
        stack = Stack(browser, home, site, callee, peers)
        account = {
            "id": "pbx",
            "uri": "sip:rolecall@127.0.0.1",
            "dial_plan": {"domain": callee.address},
        }
        stack.request("account.set", {"account": account})
        yield stack
    finally:
        if browser is not None:
            browser.close()
        site.close()
        for peer in peers:
            peer.cleanup()
        pid = daemon_pid(home)
        if pid:
            stop_pid(pid)
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def panel(stack: Stack) -> Iterator[Page]:
    page = stack.browser.context.new_page()
    page.set_viewport_size(PANEL_SIZE)
    page.goto(stack.browser.panel_url)
    expect(page.get_by_test_id("host-status")).to_have_text("connected", timeout=20_000)
    try:
        yield page
    finally:
        page.close()


def tab(panel: Page, name: str) -> None:
    panel.get_by_test_id(f"tab-{name}").click()
    expect(panel.get_by_test_id(f"{name}-view")).to_be_visible()


def hang_up_all(stack: Stack) -> None:
    for call in stack.request("calls.list")["calls"]:
        if call["state"] not in ("disconnected",):
            stack.request("call.hangup", {"call_id": call["id"]})


def ring_from(stack: Stack, number: str) -> tuple[SippPeer, str]:
    """SIPp calls the daemon's local account from `number`; the ringing call's id."""
    peer = SippPeer(
        "uac_inbound_from_number",
        remote=stack.local_address(),
        service="rolecall",
        keys={"caller": number},
        timeout=30,
    )
    stack.peers.append(peer)
    with DaemonClient.open(stack.home, start=False) as client:
        peer.start()  # after the client listens, so the ringing event cannot pass it by
        ringing = wait_event(
            client,
            "call.updated",
            lambda p: p["call"]["direction"] == "inbound" and p["call"]["state"] == "ringing",
        )
    return peer, str(ringing["call"]["id"])


def test_a_click_on_a_deal_page_shows_the_page_deal_and_a_later_caller_pops_it(
    stack: Stack, panel: Page
) -> None:
    crm = stack.browser.context.new_page()
    crm.goto(stack.site.url("deal.html"))
    called = e164(2)  # Person2, the page's "Champion"
    button = crm.locator(f'rolecall-call[data-number="{called}"]').first
    button.wait_for(timeout=15_000)
    button.click()

    card = panel.get_by_test_id("call-card")
    expect(card).to_have_attribute("data-state", "confirmed", timeout=15_000)
    invite = stack.callee.received("INVITE")
    assert invite and "16505550102" in (invite[0].request_uri or "")

    expect(panel.get_by_test_id("opportunity-name")).to_have_text(DEAL)
    source = panel.get_by_test_id("page-deal-source")
    expect(source).to_have_attribute("data-origin", stack.site.url("").rstrip("/"))
    expect(panel.get_by_test_id("open-in-crm")).to_have_attribute(
        "href", stack.site.url("deal.html")
    )
    tab(panel, "people")
    groups = panel.locator("[data-testid^='role-group-']:not([data-testid^='role-group-more'])")
    order = [groups.nth(i).get_attribute("data-testid") for i in range(groups.count())]
    assert order == [
        "role-group-decision_maker",
        "role-group-economic_buyer",
        "role-group-technical_buyer",  # "Technical evaluator", as the page reader maps it
        "role-group-influencer",
        "role-group-business_user",
        "role-group-none",
    ]
    marked = panel.locator("[data-called='true']")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text("Person2 Tester2")
    tab(panel, "documents")
    expect(panel.locator("[data-testid^='document-page.']")).to_have_count(2)
    expect(panel.get_by_test_id("documents-view")).to_contain_text("Contract 1.pdf")

    hang_up_all(stack)
    expect(card).to_have_attribute("data-state", "disconnected", timeout=15_000)
    crm.close()
    sites = stack.request("memory.sites")["sites"]
    assert [(s["deals"], s["people"], s["documents"]) for s in sites] == [(1, 6, 2)]

    # Later: Person1 (the economic buyer) calls in; the panel pops the same deal.
    peer, call_id = ring_from(stack, e164(1))
    expect(panel.get_by_test_id("opportunity-name")).to_have_text(DEAL, timeout=15_000)
    tab(panel, "people")
    expect(panel.locator("[data-called='true']")).to_contain_text("Person1 Tester1")
    stack.request("call.decline", {"call_id": call_id, "code": 603})
    assert peer.wait() == 0

    # With page memory off, the same caller matches nothing.
    assert stack.request("memory.settings", {"page_memory": False}) == {"page_memory": False}
    assert stack.request("memory.sites")["sites"] == []
    peer, call_id = ring_from(stack, e164(1))
    none = panel.get_by_test_id("people-view").get_by_test_id("context-none")
    expect(none).to_be_visible(timeout=15_000)
    expect(panel.get_by_test_id("opportunity-name")).to_have_count(0)
    stack.request("call.decline", {"call_id": call_id, "code": 603})
    assert peer.wait() == 0
    stack.request("memory.settings", {"page_memory": True})


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


def click_number(crm: Page, e164_number: str) -> None:
    """Clicks the call button the page reader put beside `e164_number`, however written."""
    crm.locator("rolecall-call").first.wait_for(timeout=15_000)
    numbers = crm.eval_on_selector_all(
        "rolecall-call", "els => els.map((e) => e.getAttribute('data-number') || '')"
    )
    index = next(i for i, n in enumerate(numbers) if _digits(n) == _digits(e164_number))
    crm.locator("rolecall-call").nth(index).click()


@pytest.mark.parametrize(("crm_name", "fixture"), FIXTURES)
def test_a_crm_page_gives_its_deal_to_the_call_and_to_a_later_caller(
    stack: Stack, panel: Page, crm_name: str, fixture: str
) -> None:
    want = json.loads((CRM_FIXTURES / crm_name / f"{fixture}.expected.json").read_text())
    html = (CRM_FIXTURES / crm_name / f"{fixture}.html").read_bytes()
    stack.request("memory.settings", {"page_memory": True})
    with serve_one_page(html) as site:
        crm = open_fixture(stack, site, want["url"])
        people = [c for c in want["contacts"] if c["phones"]]
        called, caller = people[0], people[1]
        invites = len(stack.callee.received("INVITE"))
        click_number(crm, called["phones"][0])

        card = panel.get_by_test_id("call-card")
        expect(card).to_have_attribute("data-state", "confirmed", timeout=15_000)
        invite = stack.callee.received("INVITE")
        assert len(invite) == invites + 1
        assert _digits(called["phones"][0]) in (invite[-1].request_uri or "")

        # the deal's own name, never the window's title
        expect(panel.get_by_test_id("opportunity-name")).to_have_text(want["name"])
        for field in ("stage", "amount", "close_date", "owner", "account"):
            if field in want["deal"]:
                expect(panel.get_by_test_id(f"page-deal-field-{field}")).to_contain_text(
                    want["deal"][field]
                )
            else:
                expect(panel.get_by_test_id(f"page-deal-field-{field}")).to_have_count(0)
        tab(panel, "people")
        for person in want["contacts"]:
            role = person.get("canonical_role") or "none"
            group = panel.get_by_test_id(f"role-group-{role}")
            expect(group).to_contain_text(person["name"].split()[-1])
        expect(panel.locator("[data-called='true']")).to_contain_text(called["name"].split()[-1])
        tab(panel, "documents")
        links = [d for d in want["documents"] if d.get("url", "http").startswith("http")]
        expect(panel.locator("[data-testid^='document-page.']")).to_have_count(len(links))

        hang_up_all(stack)
        expect(card).to_have_attribute("data-state", "disconnected", timeout=15_000)
        crm.close()

        # Later, another person of that deal calls in: the same deal pops.
        peer, call_id = ring_from(stack, caller["phones"][0])
        expect(panel.get_by_test_id("opportunity-name")).to_have_text(want["name"], timeout=15_000)
        tab(panel, "people")
        expect(panel.locator("[data-called='true']")).to_contain_text(caller["name"].split()[-1])
        stack.request("call.decline", {"call_id": call_id, "code": 603})
        assert peer.wait() == 0


def open_fixture(stack: Stack, site: StaticSite, url: str) -> Page:
    shown_url = urlsplit(url)
    address = site.url(shown_url.path) + (f"?{shown_url.query}" if shown_url.query else "")
    address += f"#{shown_url.fragment}" if shown_url.fragment else ""
    crm = stack.browser.context.new_page()
    crm.goto(address)
    return crm


def test_a_list_page_calls_but_gives_no_page_deal(stack: Stack, panel: Page) -> None:
    want = json.loads((CRM_FIXTURES / "espocrm" / "opportunity-list.expected.json").read_text())
    html = (CRM_FIXTURES / "espocrm" / "opportunity-list.html").read_bytes()
    stack.request("memory.settings", {"page_memory": True})
    with serve_one_page(html) as site:
        crm = open_fixture(stack, site, want["url"])
        invites = len(stack.callee.received("INVITE"))
        click_number(crm, want["numbers"][0])
        card = panel.get_by_test_id("call-card")
        expect(card).to_have_attribute("data-state", "confirmed", timeout=15_000)
        assert len(stack.callee.received("INVITE")) == invites + 1
        expect(panel.get_by_test_id("opportunity-name")).to_have_count(0)
        expect(panel.get_by_test_id("page-deal-source")).to_have_count(0)
        hang_up_all(stack)
        expect(card).to_have_attribute("data-state", "disconnected", timeout=15_000)
        crm.close()
        origin = site.url("").rstrip("/")
        assert origin not in [s["origin"] for s in stack.request("memory.sites")["sites"]]


def test_forgetting_a_site_on_the_options_page_forgets_its_callers(
    stack: Stack, panel: Page
) -> None:
    want = json.loads((CRM_FIXTURES / "odoo" / "opportunity.expected.json").read_text())
    html = (CRM_FIXTURES / "odoo" / "opportunity.html").read_bytes()
    stack.request("memory.settings", {"page_memory": True})
    for seen in stack.request("memory.sites")["sites"]:  # the same deal read on other sites
        stack.request("memory.forget", {"origin": seen["origin"]})
    kept = json.loads((CRM_FIXTURES / "vtiger" / "potential.expected.json").read_text())
    with serve_one_page((CRM_FIXTURES / "vtiger" / "potential.html").read_bytes()) as other:
        crm = open_fixture(stack, other, kept["url"])
        click_number(crm, kept["contacts"][0]["phones"][0])
        card = panel.get_by_test_id("call-card")
        expect(card).to_have_attribute("data-state", "confirmed", timeout=15_000)
        hang_up_all(stack)
        expect(card).to_have_attribute("data-state", "disconnected", timeout=15_000)
        crm.close()
    people = [c for c in want["contacts"] if c["phones"]]
    with serve_one_page(html) as site:
        crm = open_fixture(stack, site, want["url"])
        click_number(crm, people[0]["phones"][0])
        card = panel.get_by_test_id("call-card")
        expect(card).to_have_attribute("data-state", "confirmed", timeout=15_000)
        expect(panel.get_by_test_id("opportunity-name")).to_have_text(want["name"])
        hang_up_all(stack)
        expect(card).to_have_attribute("data-state", "disconnected", timeout=15_000)
        crm.close()
        origin = site.url("").rstrip("/")
        others = [
            s["origin"] for s in stack.request("memory.sites")["sites"] if s["origin"] != origin
        ]

        options = stack.browser.context.new_page()
        options.goto(stack.browser.panel_url.replace("sidepanel.html", "options.html"))
        row = options.get_by_test_id(f"memory-site-{origin}")
        expect(row).to_be_visible(timeout=15_000)
        row.get_by_role("button").click()
        expect(row).to_have_count(0, timeout=15_000)
        options.close()
        sites = [s["origin"] for s in stack.request("memory.sites")["sites"]]
        assert origin not in sites and sites == others  # only that site is forgotten
        assert len(others) == 1

    peer, call_id = ring_from(stack, people[1]["phones"][0])
    none = panel.get_by_test_id("people-view").get_by_test_id("context-none")
    tab(panel, "people")
    expect(none).to_be_visible(timeout=15_000)
    expect(panel.get_by_test_id("opportunity-name")).to_have_count(0)
    stack.request("call.decline", {"call_id": call_id, "code": 603})
    assert peer.wait() == 0


def person_item(panel: Page, name: str) -> Any:
    return panel.locator("li.contact").filter(has=panel.get_by_role("heading", name=name)).first


def test_edits_on_a_page_deal_stay_with_it_for_the_next_call(stack: Stack, panel: Page) -> None:
    want = json.loads((CRM_FIXTURES / "creatio" / "opportunity.expected.json").read_text())
    html = (CRM_FIXTURES / "creatio" / "opportunity.html").read_bytes()
    stack.request("memory.settings", {"page_memory": True})
    people = [c for c in want["contacts"] if c["phones"]]
    called, caller = people[0], people[1]
    note = "Préfère être appelé le matin <b>avant 10h</b>"
    with serve_one_page(html) as site:
        crm = open_fixture(stack, site, want["url"])
        click_number(crm, called["phones"][0])
        card = panel.get_by_test_id("call-card")
        expect(card).to_have_attribute("data-state", "confirmed", timeout=15_000)
        expect(panel.get_by_test_id("opportunity-name")).to_have_text(want["name"])
        tab(panel, "people")
        item = person_item(panel, caller["name"])
        item.get_by_test_id("contact-edit").click()
        item.get_by_test_id("contact-role-select").select_option("economic_buyer")
        item.get_by_test_id("contact-primary").check()
        item.get_by_test_id("contact-save").click()
        item = person_item(panel, caller["name"])
        expect(item).to_have_attribute("data-primary", "true")
        item.get_by_test_id("contact-edit").click()
        item.get_by_test_id("contact-note-input").fill(note)
        item.get_by_test_id("contact-note-add").click()
        expect(item.get_by_test_id("contact-notes")).to_contain_text(note)
        hang_up_all(stack)
        expect(card).to_have_attribute("data-state", "disconnected", timeout=15_000)
        crm.close()

    # The next call (the same person calling in) shows the edits, the note as text.
    peer, call_id = ring_from(stack, caller["phones"][0])
    expect(panel.get_by_test_id("opportunity-name")).to_have_text(want["name"], timeout=15_000)
    tab(panel, "people")
    group = panel.get_by_test_id("role-group-economic_buyer")
    expect(group).to_contain_text(caller["name"])
    item = person_item(panel, caller["name"])
    expect(item).to_have_attribute("data-primary", "true")
    expect(item).to_have_attribute("data-called", "true")
    expect(item.get_by_test_id("contact-notes")).to_contain_text(note)
    expect(item.locator("b")).to_have_count(0)
    stack.request("call.decline", {"call_id": call_id, "code": 603})
    assert peer.wait() == 0


MARKUP = '<img src=x onerror="window.pwned=1"><b>bold</b>'


def hostile_deal_page() -> bytes:
    """A vTiger-shaped deal page whose every field carries markup as its text."""
    m = escape(MARKUP)
    rows = "".join(
        f"<tr><td class='fieldLabel'>{label}</td><td class='fieldValue'>{value}</td></tr>"
        for label, value in [
            ("Sales Stage", f"Proposal {m}"),
            ("Amount", f"$ 1,000.00 {m}"),
            ("Expected Close Date", f"2027-01-15 {m}"),
            ("Assigned To", f"Owner {m}"),
            ("Organization", f"Account {m}"),
        ]
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{m}</title></head><body>
<div class="detailview-header"><h4 class="recordLabel"><span>Deal {m}</span></h4></div>
<table class="detailview-table">{rows}</table>
<table class="listview-table"><thead><tr><th>Contact</th><th>Role</th><th>Title</th>
<th>Office Phone</th></tr></thead><tbody>
<tr><td>Mallory {m}</td><td>Champion {m}</td><td>CTO {m}</td><td>+1 512 555 0177</td></tr>
</tbody></table>
<ul class="attachments"><li><a href="/files/quote.pdf">Quote {m}.pdf</a></li></ul>
</body></html>""".encode()


def test_a_hostile_deal_page_shows_as_text_only(stack: Stack, panel: Page) -> None:
    url = "https://crm.example/index.php?module=Potentials&view=Detail&record=666"
    with serve_one_page(hostile_deal_page()) as site:
        crm = open_fixture(stack, site, url)
        click_number(crm, "+15125550177")
        card = panel.get_by_test_id("call-card")
        expect(card).to_have_attribute("data-state", "confirmed", timeout=15_000)
        expect(panel.get_by_test_id("opportunity-name")).to_contain_text(MARKUP)
        for field in ("stage", "amount", "close_date", "owner", "account"):
            expect(panel.get_by_test_id(f"page-deal-field-{field}")).to_contain_text(MARKUP)
        tab(panel, "people")
        expect(panel.get_by_test_id("people-view")).to_contain_text(f"Mallory {MARKUP}")
        tab(panel, "documents")
        expect(panel.get_by_test_id("documents-view")).to_contain_text(MARKUP)
        for view in ("people", "documents"):
            tab(panel, view)
            assert panel.locator("main img, main b").count() == 0
        assert panel.evaluate("() => 'pwned' in window") is False
        hang_up_all(stack)
        expect(card).to_have_attribute("data-state", "disconnected", timeout=15_000)
        crm.close()
