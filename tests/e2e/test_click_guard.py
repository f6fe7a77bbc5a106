"""Hostile pages cannot steer a click: Debian's Chromium with the built extension, the real
host and daemon, a fixture page on loopback that tries each trick, and a SIPp peer
counting the INVITEs that reach it.

Each trick is tried with the user's own input (Playwright's mouse and keyboard are
trusted events), and each test ends with the same gesture on the same button once the
trick is gone, which does dial: the refusal is the guard's, not a broken setup.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Playwright

from rolecall.client import DaemonClient
from rolecall.demo.browser import ExtensionBrowser, launch, register_host
from rolecall.paths import Home
from support.daemons import prepare_home
from support.processes import daemon_pid, stop_pid
from support.sip.sipp import SippPeer
from support.web import StaticSite

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PAGE = "pages/click-guard.html"
REFUSED = "Rolecall ignored"
QUIET_S = 0.8  # how long a refused click is given to (wrongly) reach the host
SETTLE_WAIT_MS = 700  # longer than the guard's settling time for a resting pointer


@dataclass
class Stack:
    browser: ExtensionBrowser
    home: Home
    peer: SippPeer
    site: StaticSite

    def invites(self) -> list[str]:
        return [m.request_uri or "" for m in self.peer.received("INVITE")]

    def wait_invite(self, before: int, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            uris = self.invites()
            if len(uris) > before:
                return uris[before]
            time.sleep(0.05)
        raise AssertionError(f"no INVITE after {before} within {timeout}s: {self.peer.report()}")

    def calls(self) -> list[dict[str, Any]]:
        with DaemonClient.open(self.home, start=False) as client:
            calls: list[dict[str, Any]] = client.request("calls.list")["calls"]
        return calls

    def nothing_dialled(self, invites: int, calls: int) -> None:
        time.sleep(QUIET_S)
        assert len(self.invites()) == invites, self.invites()
        assert len(self.calls()) == calls, self.calls()


@pytest.fixture(scope="module")
def stack(playwright: Playwright) -> Iterator[Stack]:
    root = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))
    profile = Path(tempfile.mkdtemp(prefix="rc-profile-"))
    home = prepare_home(Home(root))
    register_host(home.root, profile)
    peer = SippPeer("uas_busy", calls=100, timeout=300).start()
    site = StaticSite(FIXTURES, "127.0.0.1")
    browser = launch(playwright, profile, home=home.root)
    try:
        browser.evaluate(
            """async () => {
                for (let i = 0; i < 300 && globalThis.rolecall.state().status !== 'connected'; i++)
                    await new Promise((r) => setTimeout(r, 50));
                return globalThis.rolecall.state().status;
            }"""
        )
        with DaemonClient.open(home, start=False) as client:
            account = {
                "id": "pbx",
                "uri": "sip:rolecall@127.0.0.1",
                "dial_plan": {"domain": peer.address},
            }
            client.request("account.set", {"account": account})
        yield Stack(browser, home, peer, site)
    finally:
        browser.close()
        site.close()
        peer.cleanup()
        pid = daemon_pid(home)
        if pid:
            stop_pid(pid)
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(stack: Stack) -> Iterator[Page]:
    opened = stack.browser.context.new_page()
    try:
        opened.goto(stack.site.url(PAGE))
        opened.locator("#selectable rolecall-call").wait_for(timeout=15_000)
        yield opened
    finally:
        opened.close()


def centre(page: Page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def user_click(page: Page, x: float, y: float) -> None:
    """A person's click: the pointer travels to the point, rests a moment, presses."""
    page.mouse.move(x - 40, y + 30)
    page.mouse.move(x, y, steps=4)
    page.wait_for_timeout(120)
    page.mouse.down()
    page.mouse.up()


def notices(page: Page) -> list[str]:
    """Status texts in the accessibility tree (closed shadow roots included)."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    return [
        str(n.get("name", {}).get("value", ""))
        for n in nodes
        if REFUSED in str(n.get("name", {}).get("value", ""))
    ]


def test_a_page_element_over_the_button_stops_the_click(stack: Stack, page: Page) -> None:
    button = "#covered rolecall-call"
    x, y = centre(page, button)
    # A tinted layer the pointer passes through (pointer-events: none): the user aims at
    # what it shows, the click lands on our button beneath.
    page.evaluate(
        """([x, y]) => {
            const decoy = document.createElement('div');
            decoy.className = 'decoy';
            decoy.id = 'decoy';
            Object.assign(decoy.style, {left: `${x - 30}px`, top: `${y - 15}px`,
                                        width: '60px', height: '30px'});
            document.body.append(decoy);
        }""",
        [x, y],
    )
    invites, calls = len(stack.invites()), len(stack.calls())
    user_click(page, x, y)
    stack.nothing_dialled(invites, calls)
    assert notices(page), "a refused click says so beside the button"

    page.evaluate("() => document.getElementById('decoy').remove()")
    user_click(page, x, y)
    assert stack.wait_invite(invites).startswith("sip:+14155550141@")


def test_presses_stay_with_the_button_and_a_button_in_a_shadow_root_dials(
    stack: Stack, page: Page
) -> None:
    page.locator("#shadowed rolecall-call").wait_for(timeout=15_000)
    invites = len(stack.invites())
    user_click(page, *centre(page, "#row rolecall-call"))
    assert stack.wait_invite(invites).startswith("sip:+14155550148@")
    assert page.evaluate("() => window.heard") == [], "the page's row heard our press"
    # The row's own cell still selects the row: its listeners work.
    page.locator("#row td").nth(1).click()
    assert "row click" in page.evaluate("() => window.heard")

    # From the component's own button to ours, inside one shadow tree: events between two
    # elements of a shadow tree never reach the window.
    page.locator("#shadowed #own").click()
    invites = len(stack.invites())
    x, y = centre(page, "#shadowed rolecall-call")
    page.mouse.move(x, y, steps=6)
    page.wait_for_timeout(120)
    page.mouse.down()
    page.mouse.up()
    assert stack.wait_invite(invites).startswith("sip:+14155550149@")


def test_a_button_moved_under_a_resting_pointer_does_not_dial(stack: Stack, page: Page) -> None:
    px, py = centre(page, "#parking")
    page.mouse.move(px - 50, py)
    page.mouse.move(px, py, steps=4)
    page.wait_for_timeout(SETTLE_WAIT_MS)
    invites, calls = len(stack.invites()), len(stack.calls())
    # The pointer rests on the page's decoy; the page slides our button under it and the
    # user's press (meant for the decoy) lands on the button.
    page.evaluate(
        """([x, y]) => {
            const row = document.getElementById('moving');
            const button = row.querySelector('rolecall-call');
            const box = button.getBoundingClientRect();
            const rowBox = row.getBoundingClientRect();
            Object.assign(row.style, {position: 'fixed', margin: '0', zIndex: '5',
              left: `${x - (box.left - rowBox.left) - box.width / 2}px`,
              top: `${y - (box.top - rowBox.top) - box.height / 2}px`});
        }""",
        [px, py],
    )
    page.mouse.down()
    page.mouse.up()
    stack.nothing_dialled(invites, calls)
    assert notices(page)

    # The same button where it now stands, reached by the user's own movement, dials.
    x, y = centre(page, "#moving rolecall-call")
    user_click(page, x, y)
    assert stack.wait_invite(invites).startswith("sip:+14155550142@")


def test_a_nearly_transparent_ancestor_stops_the_click(stack: Stack, page: Page) -> None:
    page.evaluate("() => { document.getElementById('faded').style.opacity = '0.01'; }")
    x, y = centre(page, "#faded rolecall-call")
    invites, calls = len(stack.invites()), len(stack.calls())
    user_click(page, x, y)
    stack.nothing_dialled(invites, calls)
    assert notices(page)

    page.evaluate("() => { document.getElementById('faded').style.opacity = '1'; }")
    user_click(page, x, y)
    assert stack.wait_invite(invites).startswith("sip:+14155550143@")


def test_a_button_the_page_focused_ignores_the_users_enter(stack: Stack, page: Page) -> None:
    invites, calls = len(stack.invites()), len(stack.calls())
    # The page aims the user's next key press at our button, then asks them to press Enter.
    page.evaluate("() => document.querySelector('#focused rolecall-call').focus()")
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    stack.nothing_dialled(invites, calls)

    # Reached with Tab (from the link before it), Enter dials.
    page.evaluate("() => document.getElementById('before-focus').focus()")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement?.parentElement?.id") == "focused", (
        "Tab moves to the button after the link"
    )
    page.keyboard.press("Enter")
    assert stack.wait_invite(invites).startswith("sip:+14155550144@")


def tab_id(stack: Stack, page: Page) -> int:
    found: int = stack.browser.evaluate(
        "async (url) => (await chrome.tabs.query({})).find((t) => t.url === url).id", page.url
    )
    return found


def test_the_selection_shortcut_reads_only_the_focused_frame(stack: Stack, page: Page) -> None:
    hidden = page.frame_locator("#hidden-frame")
    hidden.locator("#premium").wait_for(state="attached")
    frame = next(f for f in page.frames if f.url.endswith("click-guard-frame.html"))
    assert frame.evaluate("() => getSelection().toString()") == "+1 900 555 0188"
    assert page.evaluate("() => document.hasFocus()"), "the page, not its frame, has the keys"
    tab = tab_id(stack, page)
    invites, calls = len(stack.invites()), len(stack.calls())
    stack.browser.evaluate("(tab) => globalThis.rolecall.selectionShortcut(tab)", tab)
    stack.nothing_dialled(invites, calls)

    # A selection in the frame that has focus is what the shortcut calls.
    page.evaluate("() => getSelection().selectAllChildren(document.getElementById('selectable'))")
    stack.browser.evaluate("(tab) => globalThis.rolecall.selectionShortcut(tab)", tab)
    assert stack.wait_invite(invites).startswith("sip:+14155550147@")
    assert len(stack.invites()) == invites + 1


def test_a_link_showing_another_number_asks_in_the_panel_first(stack: Stack, page: Page) -> None:
    panel = stack.browser.context.new_page()
    try:
        panel.goto(f"chrome-extension://{stack.browser.extension_id}/sidepanel.html")
        invites, calls = len(stack.invites()), len(stack.calls())
        # The link reads +1 415 555 0145 and dials +1 415 555 0199: asked first, not dialled.
        user_click(page, *centre(page, "#linked rolecall-call"))
        card = panel.get_by_test_id("dial-confirm")
        card.wait_for(timeout=10_000)
        text = card.get_by_test_id("dial-confirm-text").inner_text()
        assert "+1 415 555 0145" in text and "+1 415 555 0199" in text, text
        stack.nothing_dialled(invites, calls)

        card.get_by_test_id("dial-confirm-cancel").click()
        card.wait_for(state="detached", timeout=5_000)
        stack.nothing_dialled(invites, calls)

        # Asked again, "Call" dials the number the link really calls, once.
        user_click(page, *centre(page, "#linked rolecall-call"))
        panel.get_by_test_id("dial-confirm-call").click()
        assert stack.wait_invite(invites).startswith("sip:+14155550199@")
        time.sleep(QUIET_S)
        assert len(stack.invites()) == invites + 1
        assert [c["dialed"] for c in stack.calls()[calls:]] == ["+14155550199"]
        assert panel.get_by_test_id("dial-confirm").count() == 0

        # A link that shows the number it dials (written nationally) dials at once.
        user_click(page, *centre(page, "#honest rolecall-call"))
        assert stack.wait_invite(invites + 1).startswith("sip:+14155550146@")
        assert panel.get_by_test_id("dial-confirm").count() == 0
    finally:
        panel.close()


def test_a_sip_address_outside_the_accounts_domains_asks_first(stack: Stack, page: Page) -> None:
    panel = stack.browser.context.new_page()
    try:
        panel.goto(f"chrome-extension://{stack.browser.extension_id}/sidepanel.html")
        invites, calls = len(stack.invites()), len(stack.calls())
        user_click(page, *centre(page, "#foreign rolecall-call"))
        card = panel.get_by_test_id("dial-confirm")
        card.wait_for(timeout=10_000)
        assert card.get_attribute("data-reason") == "sip_domain"
        assert "sip:bob@voip.example.net" in card.get_by_test_id("dial-confirm-text").inner_text()
        card.get_by_test_id("dial-confirm-cancel").click()
        card.wait_for(state="detached", timeout=5_000)
        stack.nothing_dialled(invites, calls)

        # An address on the account's own host (the peer's, as its dial plan says) dials at once.
        page.evaluate(
            """(uri) => {
                const link = document.createElement('a');
                link.href = uri;
                link.textContent = 'Our switchboard';
                const row = document.createElement('p');
                row.id = 'own';
                row.append(link);
                document.body.append(row);
            }""",
            stack.peer.uri("desk"),
        )
        page.locator("#own rolecall-call").wait_for(timeout=10_000)
        user_click(page, *centre(page, "#own rolecall-call"))
        assert stack.wait_invite(invites).startswith("sip:desk@127.0.0.1")
        assert panel.get_by_test_id("dial-confirm").count() == 0
    finally:
        panel.close()
