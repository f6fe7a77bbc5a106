"""The side panel in Debian's Chromium with the real host, a real store and pjsua2 peers.

A click on a number of the Salesforce fixture page (served on 127.0.0.1, an enabled
site) calls Bob, a pjsua2 endpoint in another process that the daemon's dial plan
routes every number to. The panel (sidepanel.html opened as a tab, as narrow as a side
panel) must show the call and the deal's people by role and documents, and every
control must reach the peers: what is asserted is what Bob, Carol and Dave report
(their DTMF, MESSAGEs, REFERs, incoming calls, recordings), the daemon's call log and
the store. Screenshots go to test-output/panel/. The store holds the deal under the
fixture page's record id, so the page's record ties the call to it.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Playwright, expect

from rolecall.client import DaemonClient
from rolecall.demo.browser import ExtensionBrowser, launch, register_host
from rolecall.paths import Home
from rolecall.protocol.records import (
    Account,
    Contact,
    ContactRole,
    Dataset,
    Document,
    Opportunity,
    Phone,
    Relationship,
    Role,
)
from rolecall.store.store import Store
from support.audio import longest_quiet, loudness
from support.daemons import prepare_home
from support.processes import daemon_pid, stop_pid
from support.sip.peer import write_tone
from support.sip.peer_client import PjsuaPeer
from support.sip.ports import free_port
from support.web import StaticSite

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "panel"
AXE = Path(__file__).resolve().parents[2] / "extension" / "node_modules" / "axe-core" / "axe.min.js"
DEAL = "006Dn00000K7xQbIAJ"  # the record id the Salesforce fixture page shows
PAGE = "crm/salesforce/opportunity.html"
MARIA = "+14155550100"  # Maria Gonzalez, decision maker, on the page and in the store
JAMES = "+14155550142"  # James Okafor, economic buyer
PANEL_SIZE = {"width": 420, "height": 1000}


def dataset(carol: str, dave: str, files: str) -> Dataset:
    """The fixture page's deal as the store knows it, plus two colleagues with SIP addresses."""
    people = [
        ("c-maria", "Maria", "Gonzalez", "VP Operations", MARIA, None),
        ("c-james", "James", "Okafor", "Chief Financial Officer", JAMES, None),
        ("c-lena", "Lena", "Vogel", "Head of IT Infrastructure", "+442079460321", None),
        ("c-tom", "Tom", "Becker", "Procurement Lead", "+493090182045", None),
        ("c-carol", "Carol", "Nguyen", "Solutions Engineer", None, carol),
        ("c-dave", "Dave", "Okoro", "Account Executive", None, dave),
    ]
    contacts = [
        Contact(
            id=cid,
            account_id="001NW",
            first_name=first,
            last_name=last,
            title=title,
            email=f"{first.lower()}@northwind.example",
            phones=[Phone(kind="work", raw=phone, e164=phone)] if phone else [],
            sip_uri=sip,
        )
        for cid, first, last, title, phone, sip in people
    ]
    roles = [
        ContactRole(
            opportunity_id=DEAL, contact_id="c-maria", role=Role.DECISION_MAKER, is_primary=True
        ),
        ContactRole(opportunity_id=DEAL, contact_id="c-lena", role=Role.TECHNICAL_BUYER),
        ContactRole(opportunity_id=DEAL, contact_id="c-tom", role=Role.INFLUENCER),
        ContactRole(opportunity_id=DEAL, contact_id="c-james", role=Role.OTHER),
        ContactRole(opportunity_id=DEAL, contact_id="c-carol", role=Role.EVALUATOR),
        ContactRole(opportunity_id=DEAL, contact_id="c-dave", role=Role.NONE),
    ]
    when = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    documents = [
        Document(
            id=f"doc-{name}",
            opportunity_id=DEAL,
            title=title,
            doc_type=kind,
            size_bytes=size,
            url=f"{files}/{name}.{kind}",
            owner="Sam Rivera",
            modified_at=when,
        )
        for name, title, kind, size in (
            ("proposal", "Renewal proposal", "pdf", 184_320),
            ("pricing", "Pricing 2026", "xlsx", 22_528),
            ("architecture", "Architecture overview", "png", 61_440),
        )
    ]
    return Dataset(
        accounts=[Account(id="001NW", name="Northwind Traders", industry="Logistics")],
        contacts=contacts,
        opportunities=[
            Opportunity(
                id=DEAL,
                account_id="001NW",
                name="Northwind Traders — 2026 Platform Renewal",
                stage="Negotiation",
                amount=240000,
                owner="Sam Rivera",
            )
        ],
        roles=roles,
        relationships=[
            Relationship(from_contact_id="c-lena", to_contact_id="c-maria", kind="reports_to")
        ],
        documents=documents,
    )


@dataclass
class Stack:
    browser: ExtensionBrowser
    home: Home
    bob: PjsuaPeer
    carol: PjsuaPeer
    dave: PjsuaPeer
    site: StaticSite
    sip_port: int
    recordings: Path

    def client(self) -> DaemonClient:
        return DaemonClient.open(self.home, start=False)

    def request(self, method: str, params: dict[str, Any] | None = None) -> Any:
        with self.client() as client:
            return client.request(method, params or {})

    def live_calls(self) -> list[dict[str, Any]]:
        calls: list[dict[str, Any]] = self.request("calls.list")["calls"]
        return [c for c in calls if c["state"] != "disconnected"]

    def wait_no_live_calls(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while self.live_calls():
            if time.monotonic() > deadline:
                raise AssertionError(f"calls still up: {self.live_calls()}")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def stack(playwright: Playwright) -> Iterator[Stack]:
    root = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))
    profile = Path(tempfile.mkdtemp(prefix="rc-profile-"))
    recordings = Path(tempfile.mkdtemp(prefix="rc-rec-"))
    tone = write_tone(root / "tone.wav", 440.0, seconds=2.0)
    sip_port = free_port()
    home = prepare_home(Home(root), udp_port=sip_port, tcp_port=free_port(), capture_wav=str(tone))
    bob = PjsuaPeer(record=recordings).start()
    carol = PjsuaPeer().start()
    dave = PjsuaPeer().start()
    site = StaticSite(FIXTURES, "127.0.0.1")
    browser: ExtensionBrowser | None = None
    try:
        store = Store(home.data_dir / "rolecall.db")
        store.load(dataset(carol.uri, dave.uri, site.url("files")))
        store.close()
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
        with DaemonClient.open(home, start=False) as client:
            account = {
                "id": "pbx",
                "uri": "sip:rolecall@127.0.0.1",
                "dial_plan": {"domain": f"127.0.0.1:{bob.port}"},
            }
            client.request("account.set", {"account": account})
        SHOTS.mkdir(parents=True, exist_ok=True)
        yield Stack(browser, home, bob, carol, dave, site, sip_port, recordings)
    finally:
        if browser is not None:
            browser.close()
        site.close()
        for peer in (bob, carol, dave):
            peer.cleanup()
        pid = daemon_pid(home)
        if pid:
            stop_pid(pid)
        for path in (root, profile, recordings):
            shutil.rmtree(path, ignore_errors=True)


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
        stack.wait_no_live_calls()


@pytest.fixture
def crm(stack: Stack) -> Iterator[Page]:
    page = stack.browser.context.new_page()
    page.goto(stack.site.url(PAGE))
    page.locator(f'rolecall-call[data-number="{MARIA}"]').first.wait_for(timeout=15_000)
    try:
        yield page
    finally:
        page.close()


def call_maria(crm: Page, panel: Page) -> str:
    """Clicks Maria's number on the CRM page; the call id once the panel shows it answered."""
    crm.locator(f'rolecall-call[data-number="{MARIA}"]').first.click()
    card = panel.get_by_test_id("call-card")
    expect(card).to_have_attribute("data-state", "confirmed", timeout=15_000)
    call_id = card.get_attribute("data-call-id")
    assert call_id
    return call_id


def tab(panel: Page, name: str) -> None:
    panel.get_by_test_id(f"tab-{name}").click()
    expect(panel.get_by_test_id(f"{name}-view")).to_be_visible()


def run_axe(panel: Page) -> list[dict[str, Any]]:
    """axe-core in the panel page; the serious and critical violations."""
    source = AXE.read_text()
    found: list[dict[str, Any]] = panel.evaluate(
        "async (source) => { (0, eval)(source);"
        " const r = await axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)})); }",
        source,
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def test_a_call_from_the_page_shows_the_deal_and_every_control_reaches_the_peers(
    stack: Stack, panel: Page, crm: Page
) -> None:
    panel.screenshot(path=SHOTS / "panel-idle.png")
    call_id = call_maria(crm, panel)
    bob_call = stack.bob.wait_for("incoming")["call"]

    # The call card: who, from the store, and the deal from the page's record.
    expect(panel.get_by_test_id("call-contact")).to_have_text("Maria Gonzalez")
    expect(panel.get_by_test_id("call-remote")).to_have_text("+1 415 555 0100")
    expect(panel.get_by_test_id("opportunity-summary")).to_have_attribute(
        "data-opportunity-id", DEAL
    )
    panel.screenshot(path=SHOTS / "panel-in-call.png")

    # People: grouped by role in the fixed order, the primary marked, relations shown.
    tab(panel, "people")
    groups = panel.locator("[data-testid^='role-group-']:not([data-testid^='role-group-more'])")
    expect(groups).to_have_count(6)
    order = [groups.nth(i).get_attribute("data-testid") for i in range(6)]
    assert order == [
        "role-group-decision_maker",
        "role-group-technical_buyer",
        "role-group-evaluator",
        "role-group-influencer",
        "role-group-other",
        "role-group-none",
    ]
    expect(panel.get_by_test_id("contact-c-maria")).to_have_attribute("data-primary", "true")
    expect(panel.get_by_test_id("contact-c-lena")).to_contain_text("Reports to Maria Gonzalez")
    expect(panel.get_by_test_id("missing-role-economic_buyer")).to_be_visible()
    panel.screenshot(path=SHOTS / "panel-people.png", full_page=True)

    # Documents, and presenting one: the peer receives its link in the call.
    tab(panel, "documents")
    doc = panel.get_by_test_id("document-doc-proposal")
    expect(doc).to_contain_text("Renewal proposal")
    expect(doc).to_contain_text("PDF · 180 KB · Sam Rivera")
    doc.get_by_test_id("document-present").click()
    message = stack.bob.wait_for("message", lambda e: e["in_call"])
    assert message["body"] == f"Renewal proposal: {stack.site.url('files')}/proposal.pdf"
    expect(doc).to_have_attribute("data-presented", "true")
    panel.screenshot(path=SHOTS / "panel-documents.png", full_page=True)

    # Keypad: the digits arrive at the peer.
    tab(panel, "call")
    panel.get_by_test_id("call-keypad").click()
    panel.get_by_test_id("keypad-4").click()
    panel.get_by_test_id("keypad-hash").click()
    assert [stack.bob.wait_for("dtmf")["digit"] for _ in range(2)] == ["4", "#"]

    # Mute: the peer's recording goes quiet for as long, then hears us again.
    time.sleep(1.0)
    panel.get_by_test_id("call-mute").click()
    expect(panel.get_by_test_id("call-mute")).to_have_attribute("aria-pressed", "true")
    time.sleep(2.0)
    panel.get_by_test_id("call-mute").click()
    expect(panel.get_by_test_id("call-mute")).to_have_attribute("aria-pressed", "false")
    time.sleep(1.0)

    # Hold: the peer is told (re-INVITE), and resume undoes it.
    panel.get_by_test_id("call-hold").click()
    expect(panel.get_by_test_id("call-state")).to_have_text("On hold")
    stack.bob.wait_for(
        "media_state", lambda e: e["call"] == bob_call and "remote_hold" in e["audio"][0].lower()
    )
    panel.get_by_test_id("call-hold").click()
    expect(panel.get_by_test_id("call-state")).to_have_text("Talking")
    stack.bob.wait_for(
        "media_state", lambda e: e["call"] == bob_call and e["audio"][0].lower() == "active"
    )

    # Add participant: Dave, picked from the people view, is called into the call.
    tab(panel, "people")
    panel.get_by_test_id("contact-c-dave").get_by_test_id("contact-add").click()
    dave_call = stack.dave.wait_for("incoming")["call"]
    stack.dave.wait_state(dave_call, "CONFIRMED")
    tab(panel, "call")
    expect(panel.get_by_test_id("call-conference")).to_be_visible(timeout=10_000)

    # Blind transfer to Carol from the people view: Bob is referred to her and calls her.
    tab(panel, "people")
    panel.get_by_test_id("contact-c-carol").get_by_test_id("contact-transfer").click()
    refer = stack.bob.wait_for("transfer_request")
    assert refer["to"].startswith(stack.carol.uri.split(";")[0])
    stack.carol.wait_for("incoming")
    tab(panel, "call")
    expect(panel.get_by_test_id("call-card")).to_have_attribute(
        "data-state", "disconnected", timeout=15_000
    )
    for live in stack.live_calls():  # Dave's leg, still up after the hand-over
        stack.request("call.hangup", {"call_id": live["id"]})

    levels = loudness(
        Path(stack.bob.wait_for("media", lambda e: e["call"] == bob_call)["recording"])
    )
    peak = max(levels)
    assert peak > 1000, f"the peer never heard the tone: {peak}"
    quiet = longest_quiet(levels, peak / 10)
    assert quiet >= 15, f"mute gave only {quiet / 10:.1f} s of quiet: {levels}"

    # The call log has the presented document.
    logged = {
        c["entry"]["call_id"]: c
        for c in stack.request("calllog.list", {"opportunity_id": DEAL})["calls"]
    }
    assert logged[call_id]["entry"]["documents_presented"] == ["doc-proposal"]


def test_attended_transfer_talks_to_the_target_first(stack: Stack, panel: Page, crm: Page) -> None:
    call_id = call_maria(crm, panel)
    panel.get_by_test_id("call-transfer").click()
    panel.get_by_test_id("transfer-pick").select_option(stack.carol.uri)
    expect(panel.get_by_test_id("transfer-target")).to_have_value(stack.carol.uri)
    panel.get_by_test_id("transfer-consult").click()
    expect(panel.get_by_test_id("call-state")).to_have_text("On hold")
    expect(panel.get_by_test_id("consult-state")).to_contain_text("Talking", timeout=15_000)
    panel.screenshot(path=SHOTS / "panel-consult.png", full_page=True)
    panel.get_by_test_id("transfer-complete").click()
    refer = stack.bob.wait_for("transfer_request", lambda e: "Replaces" in e["to"], timeout=15)
    stack.bob.wait_state(refer["new_call"], "CONFIRMED", timeout=15)
    stack.carol.wait_for("replaced", timeout=15)
    card = panel.get_by_test_id("call-card")
    expect(card).to_have_attribute("data-state", "disconnected", timeout=15_000)
    expect(card).to_have_attribute("data-call-id", call_id)
    ended = {c["id"]: c for c in stack.request("calls.list")["calls"]}
    assert ended[call_id]["end_cause"] == "transferred"


def test_the_options_page_lists_the_keyboard_commands(stack: Stack) -> None:
    page = stack.browser.context.new_page()
    try:
        page.goto(stack.browser.panel_url.replace("sidepanel.html", "options.html"))
        # Every suggested key is taken: a key the browser keeps for itself would be dropped.
        keys = (
            ("answer-call", "Alt+Shift+Y"),
            ("hang-up", "Alt+Shift+H"),
            ("open-panel", "Alt+Shift+O"),
        )
        for name, key in (*keys, ("call-selection", "Alt+Shift+K")):
            expect(page.get_by_test_id(f"shortcut-{name}")).to_contain_text(key)
        for name in ("toggle-mute", "toggle-hold"):
            expect(page.get_by_test_id(f"shortcut-{name}")).to_contain_text("not set")
        expect(page.get_by_test_id("shortcut-toggle-mute")).to_contain_text("Mute or unmute")
    finally:
        page.close()


def test_a_click_on_a_number_opens_the_side_panel_unless_turned_off(
    stack: Stack, crm: Page
) -> None:
    # Earlier clicks may have opened it already: close it first, as a user would.
    stack.browser.evaluate(
        """async () => {
            globalThis.__opened = [];
            chrome.sidePanel.onOpened.addListener((info) => globalThis.__opened.push(info));
            const win = await chrome.windows.getLastFocused();
            await chrome.sidePanel.close({windowId: win.id}).catch(() => undefined);
        }"""
    )
    button = crm.locator(f'rolecall-call[data-number="{MARIA}"]').first
    opened: list[dict[str, Any]] = []
    for open_on_call in (False, True):
        stack.browser.evaluate(
            "(on) => chrome.storage.local.get('settings').then((s) =>"
            " chrome.storage.local.set({settings: {...(s.settings ?? {}), openPanelOnCall: on}}))",
            open_on_call,
        )
        time.sleep(0.3)  # the background reads the change
        try:
            button.click()
            deadline = time.monotonic() + 10
            while not stack.live_calls() and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1.0)
            opened = stack.browser.evaluate("() => globalThis.__opened")
            assert len(opened) == int(open_on_call), opened
        finally:
            for live in stack.live_calls():
                stack.request("call.hangup", {"call_id": live["id"]})
            stack.wait_no_live_calls()
    assert opened[0]["path"].endswith("/sidepanel.html")


def test_notes_hang_up_and_wrap_up_reach_the_call_log(stack: Stack, panel: Page, crm: Page) -> None:
    call_id = call_maria(crm, panel)
    bob_call = stack.bob.wait_for("incoming")["call"]
    panel.get_by_test_id("call-notes").fill("Wants the pilot in January; send the MSA redline.")
    expect(panel.get_by_test_id("call-notes-status")).to_have_text("Saved", timeout=10_000)
    panel.get_by_test_id("call-hangup").click()
    stack.bob.wait_state(bob_call, "DISCONNECTED")
    expect(panel.get_by_test_id("call-card")).to_have_attribute("data-state", "disconnected")
    panel.get_by_test_id("disposition").select_option("follow_up")
    panel.screenshot(path=SHOTS / "panel-wrap-up.png", full_page=True)
    panel.get_by_test_id("wrapup-done").click()
    expect(panel.get_by_test_id("wrapup-saved")).to_be_visible()

    entry = next(
        c["entry"]
        for c in stack.request("calllog.list", {"opportunity_id": DEAL})["calls"]
        if c["entry"]["call_id"] == call_id
    )
    assert entry["notes"] == "Wants the pilot in January; send the MSA redline."
    assert entry["disposition"] == "follow_up"
    assert entry["opportunity_id"] == DEAL
    tab(panel, "history")
    item = panel.get_by_test_id(f"history-entry-{call_id}")
    expect(item).to_contain_text("Follow-up needed")
    expect(item).to_contain_text("Wants the pilot in January")


def test_editing_a_contacts_role_is_stored(stack: Stack, panel: Page, crm: Page) -> None:
    call_maria(crm, panel)
    tab(panel, "people")
    james = panel.get_by_test_id("contact-c-james")
    james.get_by_test_id("contact-edit").click()
    james.get_by_test_id("contact-role-select").select_option("economic_buyer")
    james.get_by_test_id("contact-save").click()
    moved = panel.get_by_test_id("role-group-economic_buyer").get_by_test_id("contact-c-james")
    expect(moved).to_have_attribute("data-role", "economic_buyer")
    expect(panel.get_by_test_id("missing-role-economic_buyer")).to_have_count(0)
    stored = stack.request("context.get", {"opportunity_id": DEAL})["context"]
    roles = {c["contact"]["id"]: c["role"] for g in stored["groups"] for c in g["contacts"]}
    assert roles["c-james"] == "economic_buyer"

    # A note on a contact is stored too, and a message reaches Carol's phone.
    james.get_by_test_id("contact-edit").click()
    james.get_by_test_id("contact-note-input").fill("Signs off above $200k.")
    james.get_by_test_id("contact-note-add").click()
    expect(james.get_by_test_id("contact-notes")).to_contain_text("Signs off above $200k.")
    cards = stack.request("context.get", {"opportunity_id": DEAL})["context"]["groups"]
    notes = {c["contact"]["id"]: c["notes"] for g in cards for c in g["contacts"]}
    assert notes["c-james"] == ["Signs off above $200k."]
    carol = panel.get_by_test_id("contact-c-carol")
    carol.get_by_test_id("contact-message").click()
    carol.get_by_test_id("contact-message-text").fill("Can you join at 3?")
    carol.get_by_test_id("contact-message-send").click()
    pager = stack.carol.wait_for("message", lambda e: not e["in_call"])
    assert pager["body"] == "Can you join at 3?"
    panel.get_by_test_id("callbar-hangup").click()
    expect(panel.get_by_test_id("callbar")).to_have_count(0)


def test_an_inbound_call_from_a_known_number_pops_its_deal(stack: Stack, panel: Page) -> None:
    caller = PjsuaPeer(account=f"sip:{JAMES}@127.0.0.1").start()
    try:
        caller_call = caller.call(f"sip:rolecall@127.0.0.1:{stack.sip_port}")
        card = panel.get_by_test_id("inbound-card")
        expect(card).to_be_visible(timeout=15_000)
        expect(panel.get_by_test_id("inbound-caller")).to_have_text("James Okafor")
        expect(panel.get_by_test_id("inbound-opportunity")).to_contain_text("2026 Platform Renewal")
        call_id = card.get_attribute("data-call-id")
        assert call_id in stack.browser.evaluate("() => globalThis.rolecall.notifications()")
        panel.screenshot(path=SHOTS / "panel-inbound.png", full_page=True)
        panel.get_by_test_id("inbound-answer").click()
        caller.wait_state(caller_call, "CONFIRMED")
        expect(panel.get_by_test_id("call-card")).to_have_attribute("data-state", "confirmed")
        expect(panel.get_by_test_id("call-contact")).to_have_text("James Okafor")
        assert stack.browser.evaluate("() => globalThis.rolecall.notifications()") == []
        # The keyboard command hangs up the call the panel shows.
        action = stack.browser.evaluate("() => globalThis.rolecall.command('hang-up')")
        assert action == {"method": "call.hangup", "callId": call_id}
        caller.wait_state(caller_call, "DISCONNECTED")
    finally:
        caller.cleanup()


def test_the_panel_passes_axe_in_light_and_dark_and_reads_in_chinese(
    stack: Stack, panel: Page, crm: Page, playwright: Playwright
) -> None:
    call_maria(crm, panel)
    problems: dict[str, Any] = {}
    for scheme in ("light", "dark"):
        panel.emulate_media(color_scheme=scheme)
        for name in ("call", "people", "documents", "history"):
            tab(panel, name)
            found = run_axe(panel)
            if found:
                problems[f"{scheme}/{name}"] = found
    tab(panel, "people")
    panel.screenshot(path=SHOTS / "panel-dark.png", full_page=True)
    panel.emulate_media(color_scheme="light")
    panel.get_by_test_id("callbar-hangup").click()
    assert problems == {}, json.dumps(problems, indent=1)

    # A browser whose language is Simplified Chinese shows the panel in it.
    profile = Path(tempfile.mkdtemp(prefix="rc-profile-zh-"))
    try:
        register_host(stack.home.root, profile)
        zh = launch(
            playwright,
            profile,
            home=stack.home.root,
            extra_env={"LANGUAGE": "zh_CN"},
            extra_args=["--lang=zh-CN"],
        )
        try:
            page = zh.context.new_page()
            page.set_viewport_size(PANEL_SIZE)
            page.goto(zh.panel_url)
            expect(page.get_by_test_id("tab-people")).to_contain_text("联系人", timeout=20_000)
            expect(page.get_by_test_id("host-status")).to_have_text("connected", timeout=20_000)
            page.get_by_test_id("tab-people").click()
            page.screenshot(path=SHOTS / "panel-zh_CN.png", full_page=True)
            assert page.evaluate("() => document.documentElement.lang").startswith("zh")
            page.goto(zh.panel_url.replace("sidepanel.html", "options.html"))
            expect(page.get_by_role("heading", level=1)).to_have_text("Rolecall 选项")
            expect(page.get_by_test_id("shortcut-hang-up")).to_contain_text("挂断当前通话")
        finally:
            zh.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
