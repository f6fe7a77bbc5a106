"""Click-to-call on CRM pages: Debian's Chromium with the built extension, the real host
and daemon, fixture pages served on loopback, and a SIPp peer receiving the INVITEs.

The development build holds http://127.0.0.1/* from install, so pages there are enabled
sites; the same pages on http://127.0.0.2 are not, which gives each check a baseline of
the page as it is without Rolecall. The browser's permission prompt (enabling a new site
from the options page or the toolbar) cannot be answered by an automated browser, so
enabling is driven through the background's own `sites` object instead.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
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
ENABLED = "http://127.0.0.1/*"
CRM_PAGES = sorted(FIXTURES.glob("crm/*/*.html"))

# Every call button in the page, open shadow roots included, in document order.
BUTTONS_JS = """() => {
  const found = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.localName === 'rolecall-call') found.push(el.getAttribute('data-number'));
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return found;
}"""

LINE_HEIGHTS_JS = """() => ['real', 'bidi', 'rtl'].map(
  (id) => document.getElementById(id).getBoundingClientRect().height)"""

# The page as markup with our buttons taken out and split text joined again.
CLEAN_DOM_JS = """() => {
  const copy = document.documentElement.cloneNode(true);
  for (const el of copy.querySelectorAll('rolecall-call, rolecall-toast')) el.remove();
  copy.normalize();
  return copy.outerHTML;
}"""


@dataclass
class Stack:
    browser: ExtensionBrowser
    home: Home
    peer: SippPeer
    site: StaticSite
    baseline: StaticSite

    def invites(self) -> list[str]:
        """The request URIs of the INVITEs the peer has received, in order."""
        return [m.request_uri or "" for m in self.peer.received("INVITE")]

    def wait_invite(self, before: int, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            uris = self.invites()
            if len(uris) > before:
                return uris[before]
            time.sleep(0.05)
        raise AssertionError(f"no INVITE after {before} within {timeout}s: {self.peer.report()}")

    def stats(self, url: str) -> dict[str, Any]:
        found = self.browser.evaluate(
            "async (url) => (await globalThis.rolecall.pageStats('http://*/*'))"
            ".filter((s) => s.url === url)",
            url,
        )
        assert len(found) == 1, f"one content script expected on {url}, got {found}"
        stats: dict[str, Any] = found[0]
        return stats

    def wait_stats(
        self, url: str, check: Callable[[dict[str, Any]], bool], timeout: float = 10.0
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        last: dict[str, Any] = {}
        while time.monotonic() < deadline:
            try:
                last = self.stats(url)
            except AssertionError:
                last = {}
            if last and check(last):
                return last
            time.sleep(0.05)
        raise AssertionError(f"page stats never satisfied the check: {last}")

    def placed_record(self, number: str, timeout: float = 10.0) -> dict[str, Any]:
        """The record of the last call placed to `number`: the page is read while the
        INVITE goes out and told to the call just after, so it may take a moment."""
        deadline = time.monotonic() + timeout
        calls: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            calls = [c for c in self.calls() if c["dialed"] == number]
            if calls and calls[-1]["record"] is not None:
                record: dict[str, Any] = calls[-1]["record"]
                return record
            time.sleep(0.05)
        raise AssertionError(f"no call to {number} with its page's record: {calls}")

    def calls(self) -> list[dict[str, Any]]:
        with DaemonClient.open(self.home, start=False) as client:
            calls: list[dict[str, Any]] = client.request("calls.list")["calls"]
        return calls


@pytest.fixture(scope="module")
def stack(playwright: Playwright) -> Iterator[Stack]:
    root = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))
    profile = Path(tempfile.mkdtemp(prefix="rc-profile-"))
    home = prepare_home(Home(root))
    register_host(home.root, profile)
    peer = SippPeer("uas_busy", calls=500, timeout=900).start()
    site = StaticSite(FIXTURES, "127.0.0.1")
    baseline = StaticSite(FIXTURES, "127.0.0.2")
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
        yield Stack(browser, home, peer, site, baseline)
    finally:
        browser.close()
        site.close()
        baseline.close()
        peer.cleanup()
        pid = daemon_pid(home)
        if pid:
            stop_pid(pid)
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(stack: Stack) -> Iterator[Page]:
    opened = stack.browser.context.new_page()
    dialogs: list[str] = []
    opened.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        yield opened
    finally:
        opened.close()
    assert dialogs == [], f"the page opened dialogs: {dialogs}"


def open_scanned(stack: Stack, page: Page, path: str, buttons: int) -> dict[str, Any]:
    url = stack.site.url(path)
    page.goto(url)
    return stack.wait_stats(url, lambda s: s["firstScanMs"] is not None and s["buttons"] >= buttons)


def settle(stack: Stack, page: Page) -> dict[str, Any]:
    """Waits until the content script has handled every change the page made so far."""
    time.sleep(0.4)  # longer than the idle batch's deadline
    return stack.stats(page.url)


@pytest.mark.parametrize("fixture", CRM_PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_crm_page_gets_one_button_per_number_and_a_click_dials_it(
    stack: Stack, page: Page, fixture: Path
) -> None:
    expected = json.loads(fixture.with_suffix(".expected.json").read_text())
    path = fixture.relative_to(FIXTURES).as_posix()
    open_scanned(stack, page, path, len(expected["numbers"]))
    settle(stack, page)
    assert page.evaluate(BUTTONS_JS) == expected["numbers"]

    # Scanning again changes nothing: a number keeps its one button.
    page.evaluate("() => document.body.append(document.createElement('span'))")
    after = settle(stack, page)
    assert page.evaluate(BUTTONS_JS) == expected["numbers"]
    assert after["buttons"] == len(expected["numbers"])

    number = expected["numbers"][0]
    before = len(stack.invites())
    page.locator(f'rolecall-call[data-number="{number}"]').first.click()
    uri = stack.wait_invite(before)
    assert uri.startswith(f"sip:{number}@"), uri
    record = stack.placed_record(number)
    for key, value in expected["record"].items():
        assert record[key] == value, (key, record)
    # The record's own address: the CRM's canonical one where the page says it, else this page.
    assert record["url"] == page.url or (
        record["url"].startswith("https://") and expected["record"]["record_id"] in record["url"]
    ), record


def test_buttons_follow_a_page_that_changes_and_navigates(stack: Stack, page: Page) -> None:
    url = stack.site.url("pages/dynamic.html")
    open_scanned(stack, page, "pages/dynamic.html", 3)
    settle(stack, page)
    assert page.evaluate(BUTTONS_JS) == ["+14155550101", "+14155550102", "+442079460103"]

    page.evaluate("() => window.addRows(50, 1000)")
    stats = stack.wait_stats(url, lambda s: s["buttons"] == 53)
    assert stats["lastBatchNodes"] >= 1
    numbers = page.evaluate(BUTTONS_JS)
    assert len(numbers) == len(set(numbers)) == 53

    page.evaluate("() => window.retypeFirstPhone('+1 415 555 0111')")
    stack.wait_stats(url, lambda s: s["buttons"] == 53)
    settle(stack, page)
    numbers = page.evaluate(BUTTONS_JS)
    assert numbers[0] == "+14155550111" and "+14155550101" not in numbers and len(numbers) == 53

    page.click("#nav-deal")  # client-side navigation: new URL, swapped content
    stats = stack.wait_stats(
        stack.site.url("pages/dynamic.html?deal=42"), lambda s: s["navigations"] >= 1
    )
    settle(stack, page)
    assert page.evaluate(BUTTONS_JS) == ["+493090182077"]
    before = len(stack.invites())
    page.locator('rolecall-call[data-number="+493090182077"]').click()
    assert stack.wait_invite(before).startswith("sip:+493090182077@")
    record = stack.placed_record("+493090182077")
    assert record["url"].endswith("dynamic.html?deal=42")

    page.go_back()
    stack.wait_stats(url, lambda s: s["buttons"] == 3)
    assert page.evaluate(BUTTONS_JS) == ["+14155550101", "+14155550102", "+442079460103"]


def test_hostile_page_text_changes_nothing_but_the_buttons(stack: Stack, page: Page) -> None:
    baseline = stack.browser.context.new_page()
    try:
        baseline.goto(stack.baseline.url("pages/hostile.html"))
        time.sleep(0.5)
        assert baseline.evaluate(BUTTONS_JS) == []  # not an enabled site: no script there
        clean = baseline.evaluate(CLEAN_DOM_JS)
        heights = baseline.evaluate(LINE_HEIGHTS_JS)
    finally:
        baseline.close()

    open_scanned(stack, page, "pages/hostile.html", 3)
    settle(stack, page)
    assert page.evaluate(BUTTONS_JS) == ["+14155550134", "+14155550136", "+14155550135"]
    assert page.evaluate(CLEAN_DOM_JS) == clean
    assert page.title() == "Contact: <img src=x onerror=alert(1)>"
    assert page.evaluate(LINE_HEIGHTS_JS) == heights, (
        "a button changed the height of the line it sits in"
    )

    # The page's own script clicks and retargets the buttons: nothing is dialled.
    calls_before = len(stack.calls())
    invites_before = len(stack.invites())
    assert page.evaluate("() => window.pokeButtons()") == 3
    time.sleep(1.0)
    assert len(stack.invites()) == invites_before
    assert len(stack.calls()) == calls_before

    # The user's click dials the number the button was made for, not the page's rewrite.
    page.locator("rolecall-call").first.click()
    assert stack.wait_invite(invites_before).startswith("sip:+14155550134@")


def test_keyboard_reaches_and_presses_a_button_named_for_its_number(
    stack: Stack, page: Page
) -> None:
    open_scanned(stack, page, "pages/hostile.html", 3)
    session = stack.browser.context.new_cdp_session(page)
    tree = session.send("Accessibility.getFullAXTree")["nodes"]
    names = [
        n.get("name", {}).get("value")
        for n in tree
        if n.get("role", {}).get("value") == "button" and not n.get("ignored")
    ]
    assert "Call +1 415 555 0134" in names and "Call +1 415 555 0135" in names, names
    # Reached with Tab as a user would: a button the page's script focuses ignores Enter.
    for _ in range(10):
        if page.evaluate("() => document.activeElement?.localName") == "rolecall-call":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement?.getAttribute('data-number')") == (
        "+14155550134"
    )
    # Focused, the button also describes the number dialled, written internationally.
    tree = session.send("Accessibility.getFullAXTree")["nodes"]
    described = {
        n.get("name", {}).get("value"): n.get("description", {}).get("value")
        for n in tree
        if n.get("role", {}).get("value") == "button"
    }
    assert described["Call +1 415 555 0134"] == "Call +1 415 555 0134", described
    before = len(stack.invites())
    page.keyboard.press("Enter")
    assert stack.wait_invite(before).startswith("sip:+14155550134@")


def test_a_failed_call_says_why_on_the_page(stack: Stack, page: Page) -> None:
    url = stack.site.url("pages/hostile.html")
    open_scanned(stack, page, "pages/hostile.html", 3)
    page.locator('rolecall-call[data-number="+14155550135"]').click()
    stats = stack.wait_stats(url, lambda s: "failed" in (s["toast"] or ""))
    assert "+1 415 555 0135" in stats["toast"] and "busy" in stats["toast"], stats


def test_selected_text_is_called_through_the_menu_path(stack: Stack, page: Page) -> None:
    url = stack.site.url("pages/dynamic.html")
    open_scanned(stack, page, "pages/dynamic.html", 3)
    tab_id = stack.browser.evaluate(
        "async (url) => (await chrome.tabs.query({})).find((t) => t.url === url).id", url
    )
    before = len(stack.invites())
    stack.browser.evaluate(
        "([text, tab]) => globalThis.rolecall.callSelection(text, tab)",
        ["Call me on +44 20 7946 0999 please", tab_id],
    )
    assert stack.wait_invite(before).startswith("sip:+442079460999@")
    stack.wait_stats(url, lambda s: "+44 20 7946 0999 failed" in (s["toast"] or ""))  # busy
    stack.browser.evaluate(
        "([text, tab]) => globalThis.rolecall.callSelection(text, tab)",
        ["invoice 2024-05-01", tab_id],
    )
    stats = stack.wait_stats(url, lambda s: "not a phone number" in (s["toast"] or ""))
    assert "2024-05-01" in stats["toast"]
    assert len(stack.invites()) == before + 1
    commands = stack.browser.evaluate("() => chrome.commands.getAll()")
    assert any(c["name"] == "call-selection" for c in commands), commands


def test_disabling_the_site_removes_every_button_and_enabling_brings_them_back(
    stack: Stack, page: Page
) -> None:
    url = stack.site.url("pages/hostile.html")
    open_scanned(stack, page, "pages/hostile.html", 3)
    with_buttons = page.evaluate(BUTTONS_JS)
    try:
        stack.browser.evaluate(f"() => globalThis.rolecall.sites.disable(['{ENABLED}'])")
        stack.wait_stats(url, lambda s: not s["enabled"] and s["buttons"] == 0)
        assert page.evaluate(BUTTONS_JS) == []
        assert page.evaluate("() => document.querySelector('#real').childNodes.length") == 1
        sites = stack.browser.evaluate("() => globalThis.rolecall.siteList()")
        assert {"pattern": ENABLED, "enabled": False, "builtIn": True, "crm": None} in sites
        page.reload()  # a disabled site gets no script on load either
        time.sleep(0.8)
        assert page.evaluate(BUTTONS_JS) == []
    finally:
        stack.browser.evaluate(f"() => globalThis.rolecall.sites.enable(['{ENABLED}'])")
    stack.wait_stats(url, lambda s: s["enabled"] and s["buttons"] == 3)
    assert page.evaluate(BUTTONS_JS) == with_buttons


def test_options_offer_the_known_crms_and_the_region_numbers_are_read_in(
    stack: Stack, page: Page
) -> None:
    options = stack.browser.context.new_page()
    try:
        options.goto(f"chrome-extension://{stack.browser.extension_id}/options.html")
        for crm in ("salesforce", "dynamics", "hubspot", "zoho", "pipedrive"):
            row = options.get_by_test_id(f"crm-{crm}")
            assert row.get_by_role("button", name="Enable").is_visible()
        site = options.get_by_test_id(f"site-{ENABLED}")
        assert site.get_by_role("button", name="Turn off").is_visible()

        # A national UK number means nothing in the US (the browser's region here)...
        open_scanned(stack, page, "pages/national.html", 1)
        settle(stack, page)
        assert page.evaluate(BUTTONS_JS) == ["+14155550177"]
        # ...and is a number once the options say numbers are from the United Kingdom.
        options.get_by_test_id("region").select_option("GB")
        options.wait_for_timeout(300)
        page.reload()
        stack.wait_stats(page.url, lambda s: s["buttons"] == 2)
        assert page.evaluate(BUTTONS_JS) == ["+442079460018", "+14155550177"]
    finally:
        options.get_by_test_id("region").select_option("")
        options.close()
