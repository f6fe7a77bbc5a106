"""CRM sign-in with OAuth 2.0 against a local authorization server (authlib's server side,
configured per vendor), and write-backs through the replayed CRMs of tests/connectors/.

Sign-in (code + PKCE through the loopback listener), refresh before expiry, refresh on a
401 in the middle of a write-back (logged exactly once), and a revoked refresh token
(signed out, items kept, logged once after signing in again).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from connectors.conftest import Sleeps, fast_options
from connectors.fake_server import FakeServer, Reply
from connectors.fakes import FakeDynamics, FakeHubSpot, FakeSalesforce
from connectors.test_dynamics import entry as dynamics_entry
from connectors.test_hubspot import entry as hubspot_entry
from connectors.test_salesforce import entry as salesforce_entry
from rolecall.crm.connectors.base import Connector, ConnectorError
from rolecall.crm.connectors.config import (
    CrmConfigFile,
    DynamicsConfig,
    HubSpotConfig,
    OAuthSettings,
    SalesforceConfig,
    config_path,
    save_config,
)
from rolecall.crm.factory import make_connector
from rolecall.crm.oauth.connections import CrmConnections, client_secret_name
from rolecall.crm.oauth.vendors import endpoints, redirect_port
from rolecall.crm.outbox import Outbox, OutboxWorker
from rolecall.paths import Home
from rolecall.protocol.calllog import CallLogEntry
from rolecall.secrets import SecretStore
from rolecall.store.store import Store
from support.oauth_server_process import OAuthServer, browser_sign_in, start_oauth_server
from support.sip.ports import free_port

VENDORS = ("salesforce", "dynamics", "hubspot")

# Each vendor's documented answer to an expired access token.
EXPIRED: dict[str, Reply] = {
    "salesforce": Reply(
        401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    ),
    "dynamics": Reply(
        401,
        None,
        {"WWW-Authenticate": 'Bearer error="invalid_token", error_description="expired"'},
    ),
    "hubspot": Reply(
        401,
        {
            "status": "error",
            "message": "The OAuth token used to make this call expired 1 minute(s) ago.",
            "category": "EXPIRED_AUTHENTICATION",
            "correlationId": "5b1e7a8c-test",
        },
    ),
}
CREATE = {
    "salesforce": r"/sobjects/Task/$",
    "dynamics": r"/phonecalls$",
    "hubspot": r"/crm/v3/objects/calls$",
}
ENTRIES = {"salesforce": salesforce_entry, "dynamics": dynamics_entry, "hubspot": hubspot_entry}


@dataclass
class Rig:
    vendor: str
    oauth: OAuthServer
    crm: FakeServer
    fake: Any
    home: Home
    secrets: SecretStore
    store: Store
    outbox: Outbox
    connections: CrmConnections
    changes: list[str]

    def sign_in(self) -> None:
        pending = self.connections.begin(self.vendor)
        answers: list[httpx.Response] = []
        browser = threading.Thread(target=lambda: answers.append(browser_sign_in(pending.url)))
        browser.start()
        try:
            connection = self.connections.finish(pending, timeout_s=20)
        finally:
            browser.join(20)
        assert answers and answers[0].status_code == 200
        assert connection.state == "signed_in"

    def connector(self) -> Connector:
        config = self.connections.config(self.vendor)
        assert config is not None
        tokens = self.connections.tokens(config)
        assert tokens is not None
        return make_connector(config, self.secrets, options=fast_options(Sleeps()), tokens=tokens)

    def created(self) -> dict[str, Any]:
        """The call records the replayed CRM holds."""
        field = {"salesforce": "tasks", "dynamics": "phonecalls", "hubspot": "calls"}[self.vendor]
        return dict(getattr(self.fake, field))

    def bearers(self, method: str, pattern: str) -> list[str]:
        """The Authorization header of every request that matched."""
        return [
            {k.lower(): v for k, v in r.headers.items()}.get("authorization", "")
            for r in self.crm.matching(method, pattern)
        ]


@pytest.fixture(scope="module")
def oauth_servers() -> Iterator[dict[str, OAuthServer]]:
    """One authorization server per vendor for the module, reset for each test."""
    started: dict[str, OAuthServer] = {}
    try:
        for vendor in VENDORS:
            started[vendor] = start_oauth_server(vendor)
        yield started
    finally:
        for server in started.values():
            server.stop()


def make_rig(
    vendor: str, home: Home, servers: dict[str, OAuthServer], *, margin_s: float = 120
) -> Rig:
    crm = FakeServer().start()
    store: Store | None = None
    try:
        fake = {"salesforce": FakeSalesforce, "dynamics": FakeDynamics, "hubspot": FakeHubSpot}[
            vendor
        ](crm)
        oauth = servers[vendor]
        oauth.reset(instance_url=crm.url)
        settings = OAuthSettings(client_id=oauth.client_id, authority=oauth.url, redirect_port=0)
        config = {
            # Salesforce learns its instance from the token response
            "salesforce": SalesforceConfig(
                instance_url="https://login.salesforce.com", oauth=settings
            ),
            "dynamics": DynamicsConfig(org_url=crm.url, default_region="GB", oauth=settings),
            "hubspot": HubSpotConfig(base_url=crm.url, portal_id="123456", oauth=settings),
        }[vendor]
        save_config(home, CrmConfigFile(connectors=[config]))
        secrets = SecretStore(home)
        if vendor == "hubspot":
            secrets.set(client_secret_name("hubspot"), oauth.client_secret)
        store = Store(home.data_dir / "rolecall.db")
        outbox = Outbox(store)
        changes: list[str] = []
        connections = CrmConnections(
            home, secrets, outbox, on_change=changes.append, refresh_margin_s=margin_s
        )
        return Rig(vendor, oauth, crm, fake, home, secrets, store, outbox, connections, changes)
    except BaseException:
        if store is not None:
            store.close()
        crm.stop()
        raise


@pytest.fixture(params=VENDORS)
def rig(
    request: pytest.FixtureRequest, rc_home: Home, oauth_servers: dict[str, OAuthServer]
) -> Iterator[Rig]:
    made = make_rig(request.param, rc_home, oauth_servers)
    try:
        yield made
    finally:
        made.connections.cancel_all()
        made.store.close()
        made.crm.stop()


def drain(rig: Rig, connector: Connector) -> int:
    worker = OutboxWorker(rig.outbox, {rig.vendor: connector})
    return asyncio.run(worker.run_once())


def test_sign_in_keeps_tokens_in_the_keyring_only(rig: Rig) -> None:
    rig.sign_in()
    status = rig.connections.status(rig.vendor)
    assert status.state == "signed_in"
    assert status.user == {"salesforce": "005000000000001AAA"}.get(rig.vendor, "ada@example.com")
    assert (
        status.org
        == {
            "salesforce": "00D000000000001AAA",
            "dynamics": rig.crm.url,
            "hubspot": "4242",
        }[rig.vendor]
    )
    if rig.vendor != "salesforce":
        assert status.expires_at is not None
    tokens = rig.connections.vault.load(rig.vendor)
    assert tokens is not None and tokens.refresh_token
    saved = config_path(rig.home).read_text()
    assert tokens.access_token not in saved and tokens.refresh_token not in saved
    assert json.loads(saved)["connectors"][0]["oauth"]["client_id"] == rig.oauth.client_id
    if rig.vendor == "salesforce":  # the org's host from the token response
        assert json.loads(saved)["connectors"][0]["instance_url"] == rig.crm.url
    assert rig.oauth.stats()["authorization_code"] == 1
    assert rig.vendor in rig.changes


def test_refresh_on_401_in_the_middle_of_a_write_back_logs_once(rig: Rig) -> None:
    rig.sign_in()
    before = rig.connections.vault.load(rig.vendor)
    assert before is not None
    entry: CallLogEntry = ENTRIES[rig.vendor]()
    rig.outbox.enqueue(rig.vendor, "call_log", entry.idempotency_key, entry.model_dump(mode="json"))
    rig.crm.fail("POST", CREATE[rig.vendor], EXPIRED[rig.vendor])
    connector = rig.connector()

    assert drain(rig, connector) == 1

    [item] = rig.outbox.items()
    assert item.state == "done", item.last_error
    assert item.attempts == 1
    assert len(rig.created()) == 1  # the create was refused once, then sent once
    assert rig.oauth.stats()["refresh_token"] == 1
    creates = rig.bearers("POST", CREATE[rig.vendor])
    after = rig.connections.vault.load(rig.vendor)
    assert after is not None and after.access_token != before.access_token
    assert creates == [f"Bearer {before.access_token}", f"Bearer {after.access_token}"]


def test_revoked_refresh_token_signs_out_keeps_items_and_logs_once_after_sign_in(
    rig: Rig,
) -> None:
    rig.sign_in()
    entry: CallLogEntry = ENTRIES[rig.vendor]()
    rig.outbox.enqueue(rig.vendor, "call_log", entry.idempotency_key, entry.model_dump(mode="json"))
    rig.oauth.revoke_all()
    rig.crm.fail("POST", CREATE[rig.vendor], EXPIRED[rig.vendor])
    connector = rig.connector()
    rig.changes.clear()

    drain(rig, connector)

    [item] = rig.outbox.items()
    assert item.state == "pending" and item.attempts == 0
    assert "signed out" in item.last_error
    assert rig.created() == {}
    status = rig.connections.status(rig.vendor)
    assert status.state == "signed_out" and status.pending == 1
    assert rig.changes == [rig.vendor]  # the user is told
    # Nothing more is sent while signed out.
    sent = len(rig.crm.requests)
    assert drain(rig, connector) == 0  # the item waits
    assert len(rig.crm.requests) == sent

    rig.sign_in()  # the same connector picks up the new sign-in
    assert drain(rig, connector) == 1
    [item] = rig.outbox.items()
    assert item.state == "done", item.last_error
    assert len(rig.created()) == 1
    assert rig.connections.status(rig.vendor).last_write_back is not None


@pytest.mark.parametrize("vendor", ["dynamics", "hubspot"])  # Salesforce gives no expiry
def test_access_token_is_refreshed_before_it_expires(
    vendor: str, rc_home: Home, oauth_servers: dict[str, OAuthServer]
) -> None:
    made = make_rig(vendor, rc_home, oauth_servers, margin_s=120)
    try:
        made.sign_in()
        signed_in = made.connections.vault.load(vendor)
        assert signed_in is not None
        # an hour later: 30 s left, inside the 120 s margin
        first = signed_in.model_copy(update={"expires_at": time.time() + 30})
        made.connections.vault.save(vendor, first)
        connector = made.connector()
        connector.opportunity(
            FakeDynamics.OPPORTUNITY if vendor == "dynamics" else FakeHubSpot.DEAL
        )
        second = made.connections.vault.load(vendor)
        assert second is not None and second.access_token != first.access_token
        assert second.expires_at is not None and second.expires_at > time.time() + 600
        assert made.oauth.stats()["refresh_token"] == 1  # once, not once per request
        # no request ever carried the token that was about to expire
        sent = made.bearers("GET", r".") + made.bearers("POST", r".")
        assert sent and f"Bearer {first.access_token}" not in sent
    finally:
        made.connections.cancel_all()
        made.store.close()
        made.crm.stop()


def test_disconnect_revokes_and_removes_the_secrets(rig: Rig) -> None:
    rig.sign_in()
    tokens = rig.connections.vault.load(rig.vendor)
    assert tokens is not None
    rig.connections.disconnect(rig.vendor)
    assert rig.connections.vault.load(rig.vendor) is None
    assert rig.connections.status(rig.vendor).state == "not_connected"
    if rig.vendor == "dynamics":  # Entra has no revocation for a public client
        assert rig.oauth.stats()["revoke"] == 0
    else:
        assert rig.oauth.stats()["revoke"] == 1
        assert (
            rig.connections.protocol(rig.connections.config(rig.vendor)).refresh_token_info(  # type: ignore[arg-type]
                tokens.refresh_token or ""
            )
            == {}
        )


def test_loopback_refuses_a_wrong_state_and_keeps_waiting(
    rc_home: Home, oauth_servers: dict[str, OAuthServer]
) -> None:
    made = make_rig("salesforce", rc_home, oauth_servers)
    try:
        pending = made.connections.begin("salesforce")
        forged = httpx.get(
            pending.authorization.redirect_uri, params={"code": "x", "state": "forged"}
        )
        assert forged.status_code == 400
        assert "x" not in forged.text.split("<p>")[-1]  # nothing from the request is echoed
        answers: list[httpx.Response] = []
        browser = threading.Thread(target=lambda: answers.append(browser_sign_in(pending.url)))
        browser.start()
        connection = made.connections.finish(pending, timeout_s=20)
        browser.join(20)
        assert connection.state == "signed_in"
        with pytest.raises(httpx.ConnectError):  # one-shot: the listener is gone
            httpx.get(pending.authorization.redirect_uri, timeout=2)
    finally:
        made.connections.cancel_all()
        made.store.close()
        made.crm.stop()


def test_vendor_endpoints_and_redirect_ports() -> None:
    settings = OAuthSettings(client_id="client-1")
    salesforce = SalesforceConfig(instance_url="https://acme.my.salesforce.com")
    dynamics = DynamicsConfig(org_url="https://contoso.crm4.dynamics.com")
    hubspot = HubSpotConfig()
    sf = endpoints(salesforce, settings)
    assert sf.authorize_url == "https://login.salesforce.com/services/oauth2/authorize"
    assert sf.token_url == "https://login.salesforce.com/services/oauth2/token"
    assert sf.revoke_url == "https://login.salesforce.com/services/oauth2/revoke"
    assert "refresh_token" in sf.scope.split()
    entra = endpoints(dynamics, settings.model_copy(update={"tenant": "contoso.onmicrosoft.com"}))
    assert entra.token_url == (
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    )
    assert entra.scope.split()[:2] == [
        "https://contoso.crm4.dynamics.com/user_impersonation",
        "offline_access",
    ]
    assert entra.revoke_url is None
    hs = endpoints(hubspot, settings)
    assert hs.authorize_url == "https://app.hubspot.com/oauth/authorize"
    assert hs.token_url == "https://api.hubapi.com/oauth/v1/token"
    assert "oauth" in hs.scope.split()
    # Salesforce and HubSpot match the registered callback exactly; Entra takes any port.
    assert redirect_port(salesforce, settings) == redirect_port(hubspot, settings) != 0
    assert redirect_port(dynamics, settings) == 0
    assert redirect_port(salesforce, settings.model_copy(update={"redirect_port": 0})) == 0


def test_connecting_again_on_a_fixed_port_replaces_the_waiting_sign_in(
    rc_home: Home, oauth_servers: dict[str, OAuthServer]
) -> None:
    made = make_rig("hubspot", rc_home, oauth_servers)
    try:
        config = made.connections.config("hubspot")
        assert config is not None and config.oauth is not None
        fixed = config.oauth.model_copy(update={"redirect_port": free_port()})
        save_config(rc_home, CrmConfigFile(connectors=[config.model_copy(update={"oauth": fixed})]))
        first = made.connections.begin("hubspot")
        outcome: list[str] = []

        def waits() -> None:
            try:
                made.connections.wait(first, timeout_s=60)
            except ConnectorError as exc:
                outcome.append(exc.message)

        waiting = threading.Thread(target=waits)
        waiting.start()
        second = made.connections.begin("hubspot")  # the same port: the first one yields
        waiting.join(10)
        assert not waiting.is_alive() and outcome  # it gave up at once, not after 60 s
        assert second.authorization.redirect_uri == first.authorization.redirect_uri
        answers: list[httpx.Response] = []
        browser = threading.Thread(target=lambda: answers.append(browser_sign_in(second.url)))
        browser.start()
        assert made.connections.finish(second, timeout_s=20).state == "signed_in"
        browser.join(20)

        third = made.connections.begin("hubspot")
        made.connections.cancel_all()  # the daemon stops: nothing waits for a browser
        with pytest.raises(ConnectorError):
            made.connections.wait(third, timeout_s=60)
    finally:
        made.connections.cancel_all()
        made.store.close()
        made.crm.stop()
