"""CRM connections on a real daemon: `rolecall crm connect | status | disconnect` and
`rolecall doctor` against a local HubSpot-shaped authorization server (a confidential
app: its client secret goes from standard input to the keyring); and a Salesforce
sign-in revoked while a write-back waits (signed out, told, kept, written once after
signing in again), with a replayed Salesforce API."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from connectors.fake_server import FakeServer, Reply
from connectors.fakes import FakeSalesforce
from connectors.test_salesforce import ANN
from rolecall.client import DaemonClient
from rolecall.crm.connectors.config import (
    CrmConfigFile,
    HubSpotConfig,
    OAuthSettings,
    SalesforceConfig,
    save_config,
)
from support.daemons import RunningDaemon, rolecall_env
from support.oauth_server_process import OAuthServer, browser_sign_in, start_oauth_server

OPP = FakeSalesforce.OPPORTUNITY


@pytest.fixture
def hubspot_oauth() -> Iterator[OAuthServer]:
    server = start_oauth_server("hubspot")
    try:
        yield server
    finally:
        server.stop()


def rolecall(daemon: RunningDaemon, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rolecall", *args],
        env=rolecall_env(daemon.home),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_connect_status_doctor_disconnect(
    daemon: RunningDaemon, hubspot_oauth: OAuthServer
) -> None:
    oauth = hubspot_oauth
    save_config(
        daemon.home,
        CrmConfigFile(
            connectors=[
                HubSpotConfig(
                    base_url=oauth.url,
                    oauth=OAuthSettings(
                        client_id="placeholder", authority=oauth.url, redirect_port=0
                    ),
                )
            ]
        ),
    )
    connect = subprocess.Popen(
        [sys.executable, "-m", "rolecall", "crm", "connect", "hubspot", "--no-browser",
         "--client-id", oauth.client_id, "--client-secret-stdin"],
        env=rolecall_env(daemon.home), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert connect.stdin is not None and connect.stdout is not None
        connect.stdin.write(oauth.client_secret + "\n")
        connect.stdin.close()
        url = ""
        for line in connect.stdout:
            if line.startswith("http"):
                url = line.strip()
                break
        assert url.startswith(f"{oauth.url}/oauth/authorize?"), url
        assert "code_challenge_method=S256" in url and "state=" in url
        assert browser_sign_in(url).status_code == 200
        connect.wait(timeout=30)
        rest = connect.stdout.read()
        errors = connect.stderr.read() if connect.stderr else ""
    finally:
        if connect.poll() is None:
            connect.kill()
            connect.wait()
    assert connect.returncode == 0, errors
    assert "hubspot: signed in, as ada@example.com, org 4242" in rest

    status = rolecall(daemon, "crm", "status")
    assert status.returncode == 0, status.stderr
    assert "hubspot: signed in, as ada@example.com, org 4242, access token until" in status.stdout
    assert "no write-back yet" in status.stdout

    doctor = rolecall(daemon, "doctor", "--json")
    [crm] = [c for c in json.loads(doctor.stdout) if c["check"] == "CRM hubspot"]
    assert crm["ok"] and "as ada@example.com" in crm["detail"]

    secrets_file = daemon.home.config_dir / "test-only-secrets.json"
    assert "crm:hubspot:oauth" in secrets_file.read_text()
    assert "refresh_token" not in (daemon.home.config_dir / "crm.json").read_text()

    gone = rolecall(daemon, "crm", "disconnect", "hubspot")
    assert gone.returncode == 0, gone.stderr
    assert oauth.stats()["revoke"] == 1
    assert "crm:hubspot:oauth" not in secrets_file.read_text()
    after = rolecall(daemon, "crm", "status")
    assert "hubspot: not connected" in after.stdout
    log = daemon.home.daemon_log.read_text(errors="replace")
    assert oauth.client_secret not in log and "refresh_token" not in log


def next_event(
    client: DaemonClient, kind: str, test: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The next event of `kind` whose payload passes `test` (others are skipped)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        event = client.next_event()
        if event.get("type") == kind and test(event["payload"]):
            return event
    raise AssertionError(f"no {kind} event came")


def sign_in(client: DaemonClient) -> None:
    url = client.request("crm.connect", {"crm": "salesforce"})["authorization_url"]
    assert browser_sign_in(url).status_code == 200
    next_event(client, "crm.connection", lambda p: p["connection"]["state"] == "signed_in")


def test_a_revoked_sign_in_keeps_the_write_back_until_signed_in_again(
    daemon: RunningDaemon,
) -> None:
    crm = FakeServer().start()
    oauth: OAuthServer | None = None
    try:
        fake = FakeSalesforce(crm)
        oauth = start_oauth_server("salesforce", instance_url=crm.url)
        settings = OAuthSettings(client_id=oauth.client_id, authority=oauth.url, redirect_port=0)
        save_config(
            daemon.home,
            CrmConfigFile(connectors=[SalesforceConfig(instance_url=crm.url, oauth=settings)]),
        )
        with DaemonClient.open(daemon.home, timeout=30) as client:
            sign_in(client)
            # the deal through the API, so its people are known
            client.request("context.get", {"opportunity_id": OPP, "crm": "salesforce"})
            oauth.revoke_all()  # e.g. an administrator revoked Rolecall's access
            crm.fail(
                "POST",
                r"/sobjects/Note/$",
                Reply(
                    401,
                    [{"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}],
                ),
            )
            client.request(
                "context.add_note", {"contact_id": ANN, "crm": "salesforce", "body": "Wants a demo"}
            )
            out = next_event(
                client, "crm.connection", lambda p: p["connection"]["state"] == "signed_out"
            )
            assert "signed out of salesforce" in out["payload"]["connection"]["detail"]
            [item] = client.request("calllog.sync_status", {})["items"]
            assert item["state"] == "pending" and item["attempts"] == 0
            assert fake.notes == {}

            sign_in(client)
            done = next_event(client, "calllog.sync", lambda p: p["item"]["state"] == "done")
            assert done["payload"]["item"]["attempts"] == 1
            assert len(fake.notes) == 1
            status = client.request("crm.status", {})["connections"][0]
            assert status["state"] == "signed_in" and status["last_write_back"] is not None
        assert oauth.stats()["authorization_code"] == 2
    finally:
        if oauth is not None:
            oauth.stop()
        crm.stop()
