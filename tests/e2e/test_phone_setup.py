"""A phone account set up in the browser, from the first run to its removal.

Debian's Chromium with the built extension and the real host; Kamailio as the PBX
(registrar and proxy with digest auth, domain rolecall.test) and Bob, a pjsua2 peer
registered there. With no account, the panel says so and its button opens the options
page at the Phone section; an account typed there registers at Kamailio and shows
"registered"; a click on a SIP address of a fixture page calls Bob through Kamailio
(Bob reports the INVITE, Kamailio logged relaying it); "Test call" is answered; a wrong
password shows the registrar's refusal with the host's fix; removing the account takes
its password out of the keyring (the test-only file backend) and brings the first-run
message back. Without a registered host the panel shows the install steps for this OS.
axe-core checks the options page; screenshots go to test-output/phone/.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Playwright, expect

from rolecall.demo.browser import ExtensionBrowser, launch, register_host
from rolecall.paths import Home
from support.daemons import prepare_home
from support.processes import daemon_pid, stop_pid
from support.sip.kamailio import PASSWORD, KamailioProxy
from support.sip.peer_client import PjsuaPeer
from support.sip.ports import free_port
from support.web import StaticSite

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "phone"
AXE = Path(__file__).resolve().parents[2] / "extension" / "node_modules" / "axe-core" / "axe.min.js"
PANEL_SIZE = {"width": 420, "height": 900}
BOB = "sip:bob@rolecall.test"


@dataclass
class Stack:
    browser: ExtensionBrowser
    home: Home
    kamailio: KamailioProxy
    bob: PjsuaPeer
    site: StaticSite

    @property
    def options_url(self) -> str:
        return self.browser.panel_url.replace("sidepanel.html", "options.html")

    def secrets(self) -> dict[str, str]:
        """The test-only keyring file the daemon writes (ROLECALL_KEYRING=file)."""
        path = self.home.config_dir / "test-only-secrets.json"
        return json.loads(path.read_text()) if path.exists() else {}


@pytest.fixture(scope="module")
def stack(playwright: Playwright) -> Iterator[Stack]:
    root = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))
    profile = Path(tempfile.mkdtemp(prefix="rc-profile-"))
    home = prepare_home(Home(root), udp_port=free_port(), tcp_port=free_port())
    kamailio = KamailioProxy().start()
    bob: PjsuaPeer | None = None
    site: StaticSite | None = None
    browser: ExtensionBrowser | None = None
    try:
        bob = PjsuaPeer(
            account=kamailio.aor("bob"), registrar=kamailio.registrar, password=PASSWORD
        ).start()
        bob.wait_for("registered", lambda e: e["code"] == 200)
        site = StaticSite(FIXTURES, "127.0.0.1")
        register_host(home.root, profile)
        browser = launch(playwright, profile, home=home.root)
        SHOTS.mkdir(parents=True, exist_ok=True)
        yield Stack(browser, home, kamailio, bob, site)
    finally:
        if browser is not None:
            browser.close()
        pid = daemon_pid(home)
        if pid:
            stop_pid(pid)
        if site is not None:
            site.close()
        if bob is not None:
            bob.cleanup()
        kamailio.cleanup()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core in `page`; the serious and critical violations."""
    found: list[dict[str, Any]] = page.evaluate(
        "async (source) => { (0, eval)(source);"
        " const r = await axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)})); }",
        AXE.read_text(),
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def fill_account(options: Page, stack: Stack, password: str) -> None:
    registrar = f"127.0.0.1:{stack.kamailio.port}"
    options.get_by_test_id("phone-address").fill("alice@rolecall.test")
    options.get_by_test_id("phone-displayName").fill("Alice Example")
    options.get_by_test_id("phone-registrar").fill(registrar)
    options.get_by_test_id("phone-username").fill("alice")
    options.get_by_test_id("phone-password").fill(password)
    options.get_by_test_id("phone-proxy").fill(registrar)
    options.get_by_test_id("phone-region").select_option("GB")


def test_install_steps_when_the_host_is_missing(playwright: Playwright) -> None:
    """No manifest in the profile: the panel shows how to install the host on Linux."""
    profile = Path(tempfile.mkdtemp(prefix="rc-profile-"))
    root = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))
    browser = launch(playwright, profile, home=root)
    try:
        panel = browser.context.new_page()
        panel.set_viewport_size(PANEL_SIZE)
        panel.goto(browser.panel_url)
        expect(panel.get_by_test_id("host-status")).to_have_text(
            "host_not_installed", timeout=15_000
        )
        steps = panel.get_by_test_id("install-steps")
        expect(steps).to_have_attribute("data-os", "linux")
        version = browser.evaluate("() => chrome.runtime.getManifest().version")
        expect(steps).to_contain_text(f"sudo apt install ./rolecall_{version}_")
        expect(steps).to_contain_text("./installer/install.sh")
        expect(steps).not_to_contain_text("install.ps1")
        expect(panel.get_by_test_id("first-run")).to_have_count(0)
        SHOTS.mkdir(parents=True, exist_ok=True)
        panel.screenshot(path=SHOTS / "panel-install-steps.png", full_page=True)
        assert run_axe(panel) == []
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)


def test_an_account_set_up_in_the_options_page_registers_calls_and_is_removed(
    stack: Stack,
) -> None:
    context = stack.browser.context
    panel = context.new_page()
    panel.set_viewport_size(PANEL_SIZE)
    panel.goto(stack.browser.panel_url)
    expect(panel.get_by_test_id("host-status")).to_have_text("connected", timeout=20_000)

    # First run: no account, and a button to the Phone section.
    first_run = panel.get_by_test_id("first-run")
    expect(first_run).to_be_visible(timeout=15_000)
    panel.screenshot(path=SHOTS / "panel-first-run.png", full_page=True)
    with context.expect_page() as opened:
        panel.get_by_test_id("first-run-open-options").click()
    options = opened.value
    options.wait_for_load_state()
    assert options.url == f"{stack.options_url}#phone"
    expect(options.locator("#phone-title")).to_be_focused()
    expect(options.get_by_test_id("phone-none")).to_be_visible(timeout=15_000)

    # The form checks what is typed before anything is sent.
    options.get_by_test_id("phone-add").click()
    options.get_by_test_id("phone-address").fill("alice")
    options.get_by_test_id("phone-save").click()
    expect(options.locator("#phone-address-error")).to_contain_text("user@host")
    expect(options.get_by_test_id("phone-address")).to_be_focused()
    assert not (stack.home.config_dir / "accounts.json").exists()

    fill_account(options, stack, PASSWORD)
    assert run_axe(options) == []
    options.screenshot(path=SHOTS / "options-phone-form.png", full_page=True)
    options.get_by_test_id("phone-save").click()

    row = options.get_by_test_id("phone-account-alice")
    state = row.get_by_test_id("registration-state")
    expect(state).to_have_attribute("data-state", "registered", timeout=15_000)
    expect(state).to_have_text("registered")
    expect(first_run).to_have_count(0, timeout=10_000)  # the panel learnt of it too
    saved = json.loads((stack.home.config_dir / "accounts.json").read_text())
    alice = next(a for a in saved if a["id"] == "alice")
    assert alice["registrar"] == f"sip:127.0.0.1:{stack.kamailio.port}"
    assert alice["proxy"] == f"sip:127.0.0.1:{stack.kamailio.port};lr"
    assert alice["dial_plan"]["default_region"] == "GB"
    assert PASSWORD not in (stack.home.config_dir / "accounts.json").read_text()
    assert stack.secrets() == {"rolecall\0sip:alice": PASSWORD}
    stored = stack.browser.evaluate(
        "async () => JSON.stringify(await chrome.storage.local.get(null))"
    )
    assert PASSWORD not in stored and "alice@rolecall.test" not in stored
    assert run_axe(options) == []
    options.screenshot(path=SHOTS / "options-phone-registered.png", full_page=True)

    # A click on the page's SIP address calls Bob through Kamailio.
    page = context.new_page()
    page.goto(stack.site.url("pages/team.html"))
    button = page.locator(f'rolecall-call[data-number="{BOB}"]').first
    button.wait_for(timeout=15_000)
    button.click()
    incoming = stack.bob.wait_for("incoming", timeout=15.0)
    assert "sip:alice@rolecall.test" in incoming["from"], incoming
    # Bob's contact is known only to Kamailio, which logs each request it routes.
    card = panel.get_by_test_id("call-card")
    expect(card).to_have_attribute("data-state", "confirmed", timeout=15_000)
    relayed = [
        line
        for line in stack.kamailio.log().splitlines()
        if f"INVITE {BOB} from sip:alice@rolecall.test" in line
    ]
    assert relayed, stack.kamailio.log()[-2000:]
    panel.get_by_test_id("call-hangup").click()
    expect(card).to_have_attribute("data-state", "disconnected", timeout=15_000)
    page.close()

    # "Test call": answered by Bob, then hung up.
    row.get_by_test_id("test-call-target").fill(BOB)
    row.get_by_test_id("test-call").click()
    result = row.get_by_test_id("test-call-result")
    expect(result).to_have_attribute("data-ok", "true", timeout=20_000)
    expect(result).to_contain_text("Answered", timeout=20_000)
    assert stack.bob.wait_for("incoming", timeout=5.0)["call"] != incoming["call"]

    # A wrong password: the registrar's refusal and the fix, in the host's words.
    row.get_by_test_id("phone-edit").click()
    expect(options.get_by_test_id("phone-address")).to_have_value("alice@rolecall.test")
    expect(options.get_by_test_id("phone-password")).to_have_value("")
    options.get_by_test_id("phone-password").fill("not-the-password")
    options.get_by_test_id("phone-save").click()
    expect(state).to_have_attribute("data-state", "failed", timeout=15_000)
    expect(row.get_by_test_id("registration-reason")).to_contain_text("403")
    fix = row.get_by_test_id("registration-fix")
    expect(fix).to_contain_text("refused the username or password")
    expect(fix).to_contain_text("rolecall account add alice")
    expect(panel.get_by_test_id("registration-error")).to_be_visible()
    assert stack.secrets() == {"rolecall\0sip:alice": "not-the-password"}
    assert run_axe(options) == []
    options.screenshot(path=SHOTS / "options-phone-failed.png", full_page=True)

    # Removing the account removes its password, and the first run comes back.
    row.get_by_test_id("phone-remove").click()
    row.get_by_test_id("phone-remove-confirm").click()
    expect(row).to_have_count(0, timeout=10_000)
    expect(options.get_by_test_id("phone-none")).to_be_visible()
    assert stack.secrets() == {}
    assert json.loads((stack.home.config_dir / "accounts.json").read_text()) == []
    expect(first_run).to_be_visible(timeout=10_000)
    options.close()
    panel.close()
