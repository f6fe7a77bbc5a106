"""Connect a CRM from the options page, and sign in again from the side panel, end to end
in Chromium.

Debian's Chromium with the built extension and the real host; a local Salesforce-shaped
OAuth 2.0 authorization server (authlib's server side, `tests/support/oauth_server.py`)
and a replayed Salesforce API. "Connect" opens the server's login page in a tab,
Playwright fills its form, the browser is redirected to the host's loopback listener,
and the options page shows the connection signed in, with the user and org from the
token response. The tokens are in the keyring (the test-only file backend) and nowhere
in the CRM config. Then the sign-in is revoked while a note waits to be written: the
side panel says "Salesforce: signed out — Sign in again", its button signs in again, the
notice goes and the note is written once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Playwright, expect

from connectors.fake_server import FakeServer, Reply
from connectors.fakes import FakeSalesforce
from connectors.test_salesforce import ANN
from rolecall.client import DaemonClient
from rolecall.crm.connectors.config import (
    CrmConfigFile,
    OAuthSettings,
    SalesforceConfig,
    save_config,
)
from rolecall.demo.browser import launch, register_host
from rolecall.paths import Home
from support.oauth_server import PASSWORD, USER
from support.oauth_server_process import OAuthServer, start_oauth_server

pytestmark = pytest.mark.e2e

OPP = FakeSalesforce.OPPORTUNITY
AXE = Path(__file__).resolve().parents[2] / "extension" / "node_modules" / "axe-core" / "axe.min.js"
SESSION_EXPIRED = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


@pytest.fixture
def salesforce_api() -> Iterator[tuple[FakeServer, FakeSalesforce]]:
    server = FakeServer().start()
    try:
        yield server, FakeSalesforce(server)
    finally:
        server.stop()


@pytest.fixture
def salesforce_oauth(salesforce_api: tuple[FakeServer, FakeSalesforce]) -> Iterator[OAuthServer]:
    server = start_oauth_server("salesforce", instance_url=salesforce_api[0].url)
    try:
        yield server
    finally:
        server.stop()


def serious_axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on `page`."""
    found: list[dict[str, Any]] = page.evaluate(
        "async (source) => { (0, eval)(source);"
        " const r = await axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.map((v) => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)})); }",
        AXE.read_text(),
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def log_in(page: Page, oauth: OAuthServer) -> None:
    """What the user does on the CRM's login page."""
    page.wait_for_load_state()
    assert page.url.startswith(f"{oauth.url}/services/oauth2/authorize?")
    page.fill("#username", USER)
    page.fill("#password", PASSWORD)
    page.click("#login")
    expect(page.locator("body")).to_contain_text("Rolecall received the sign-in")
    assert page.url.startswith("http://127.0.0.1:") and "/callback?" in page.url


def test_connect_from_the_options_page_signs_in(
    playwright: Playwright,
    profile: Path,
    stop_daemon_after: Home,
    salesforce_api: tuple[FakeServer, FakeSalesforce],
    salesforce_oauth: OAuthServer,
    artifacts: Path,
) -> None:
    api, fake = salesforce_api
    home = stop_daemon_after
    oauth = salesforce_oauth
    save_config(
        home,
        CrmConfigFile(
            connectors=[
                SalesforceConfig(
                    instance_url=api.url,
                    oauth=OAuthSettings(
                        client_id="to-be-replaced", authority=oauth.url, redirect_port=0
                    ),
                )
            ]
        ),
    )
    register_host(home.root, profile)
    browser = launch(playwright, profile, home=home.root)
    try:
        options = browser.context.new_page()
        options.goto(browser.panel_url.replace("sidepanel.html", "options.html"))
        state = options.get_by_test_id("crm-state-salesforce")
        expect(state).to_have_text("not connected", timeout=20_000)
        client_id = options.get_by_test_id("crm-client-id-salesforce")
        expect(client_id).to_have_value("to-be-replaced")
        client_id.fill(oauth.client_id)

        with browser.context.expect_page(timeout=20_000) as opened:
            options.get_by_test_id("crm-connect-salesforce").click()
        log_in(opened.value, oauth)

        expect(state).to_have_text("signed in", timeout=20_000)
        row = options.get_by_test_id("crm-connection-salesforce")
        expect(row).to_contain_text("as 005000000000001AAA")
        expect(row).to_contain_text("org 00D000000000001AAA")
        expect(options.get_by_test_id("crm-disconnect-salesforce")).to_be_visible()
        options.screenshot(path=str(artifacts / "crm-connect-options.png"), full_page=True)
        assert serious_axe_violations(options) == []

        secrets = json.loads((home.config_dir / "test-only-secrets.json").read_text())
        assert any(key.endswith("\0crm:salesforce:oauth") for key in secrets)
        saved = json.loads((home.config_dir / "crm.json").read_text())
        assert saved["connectors"][0]["oauth"]["client_id"] == oauth.client_id
        assert "token" not in json.dumps(saved)
        assert oauth.stats()["authorization_code"] == 1

        # The sign-in is revoked while a note waits to be written.
        panel = browser.open_panel()
        expect(panel.get_by_test_id("host-status")).to_have_text("connected", timeout=20_000)
        with DaemonClient.open(home, start=False, timeout=30) as client:
            client.request("context.get", {"opportunity_id": OPP, "crm": "salesforce"})
            oauth.revoke_all()
            api.fail("POST", r"/sobjects/Note/$", Reply(401, SESSION_EXPIRED))
            client.request(
                "context.add_note", {"contact_id": ANN, "crm": "salesforce", "body": "Demo?"}
            )
        notice = panel.get_by_test_id("crm-signed-out-salesforce")
        expect(notice).to_contain_text("Salesforce: signed out — Sign in again", timeout=20_000)
        assert fake.notes == {}
        panel.screenshot(path=str(artifacts / "crm-signed-out-panel.png"))
        with browser.context.expect_page(timeout=20_000) as again:
            notice.get_by_role("button").click()
        log_in(again.value, oauth)
        expect(panel.get_by_test_id("crm-sign-in")).to_have_count(0, timeout=20_000)
        deadline = time.monotonic() + 20
        while not fake.notes and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(fake.notes) == 1
        assert oauth.stats()["authorization_code"] == 2
    finally:
        browser.close()
