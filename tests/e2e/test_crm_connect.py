"""Connect a CRM from the options page, end to end in Chromium.

Debian's Chromium with the built extension and the real host; a local Salesforce-shaped
OAuth 2.0 authorization server (authlib's server side, `tests/support/oauth_server.py`).
"Connect" opens the server's login page in a tab, Playwright fills its form, the
browser is redirected to the host's loopback listener, and the options page shows the
connection signed in, with the user and org from the token response. The tokens are in
the keyring (the test-only file backend) and nowhere in the CRM config.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Playwright, expect

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


@pytest.fixture
def salesforce_oauth() -> Iterator[OAuthServer]:
    server = start_oauth_server("salesforce", instance_url="https://acme.my.salesforce.com")
    try:
        yield server
    finally:
        server.stop()


def test_connect_from_the_options_page_signs_in(
    playwright: Playwright,
    profile: Path,
    stop_daemon_after: Home,
    salesforce_oauth: OAuthServer,
    artifacts: Path,
) -> None:
    home = stop_daemon_after
    oauth = salesforce_oauth
    save_config(
        home,
        CrmConfigFile(
            connectors=[
                SalesforceConfig(
                    instance_url="https://acme.my.salesforce.com",
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
        login = opened.value
        login.wait_for_load_state()
        assert login.url.startswith(f"{oauth.url}/services/oauth2/authorize?")
        login.fill("#username", USER)
        login.fill("#password", PASSWORD)
        login.click("#login")
        expect(login.locator("body")).to_contain_text("Rolecall received the sign-in")
        assert login.url.startswith("http://127.0.0.1:") and "/callback?" in login.url

        expect(state).to_have_text("signed in", timeout=20_000)
        row = options.get_by_test_id("crm-connection-salesforce")
        expect(row).to_contain_text("as 005000000000001AAA")
        expect(row).to_contain_text("org 00D000000000001AAA")
        expect(options.get_by_test_id("crm-disconnect-salesforce")).to_be_visible()
        options.screenshot(path=str(artifacts / "crm-connect-options.png"), full_page=True)

        secrets = json.loads((home.config_dir / "test-only-secrets.json").read_text())
        assert any(key.endswith("\0crm:salesforce:oauth") for key in secrets)
        saved = json.loads((home.config_dir / "crm.json").read_text())
        assert saved["connectors"][0]["oauth"]["client_id"] == oauth.client_id
        assert "token" not in json.dumps(saved)
        assert oauth.stats()["authorization_code"] == 1
    finally:
        browser.close()
