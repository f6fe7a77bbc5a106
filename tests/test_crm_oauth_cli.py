"""`rolecall crm connect | status | disconnect` and `rolecall doctor` on a real daemon,
signing in to a local HubSpot-shaped authorization server (a confidential app: its
client secret goes from standard input to the keyring)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from rolecall.crm.connectors.config import CrmConfigFile, HubSpotConfig, OAuthSettings, save_config
from support.daemons import RunningDaemon, rolecall_env
from support.oauth_server_process import OAuthServer, browser_sign_in, start_oauth_server


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
