"""Runs `support.oauth_server` in a subprocess on 127.0.0.1 for a test, stopped by its pid;
and plays the user's browser against it without one (`browser_sign_in`)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from support.oauth_server import CLIENT_ID, HUBSPOT_SECRET, PASSWORD, USER
from support.processes import stop_pid

TESTS = Path(__file__).resolve().parent.parent


@dataclass
class OAuthServer:
    vendor: str
    process: subprocess.Popen[str]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    client_id = CLIENT_ID
    client_secret = HUBSPOT_SECRET

    def stats(self) -> dict[str, int]:
        return dict(httpx.get(f"{self.url}/_test/stats", timeout=5).json())

    def reset(self, instance_url: str = "") -> None:
        """Forgets every code, token and count; `instance_url`: Salesforce's org host."""
        data = {"instance_url": instance_url} if instance_url else {}
        httpx.post(f"{self.url}/_test/reset", data=data, timeout=5).raise_for_status()

    def revoke_all(self) -> None:
        httpx.post(f"{self.url}/_test/revoke", timeout=5).raise_for_status()

    def stop(self) -> None:
        stop_pid(self.process.pid)
        self.process.wait(timeout=5)


def start_oauth_server(
    vendor: str, *, expires_in: int = 3600, instance_url: str = ""
) -> OAuthServer:
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    process = subprocess.Popen(
        [sys.executable, "-m", "support.oauth_server", "--vendor", vendor,
         "--expires-in", str(expires_in), "--instance-url", instance_url],
        stdout=subprocess.PIPE, text=True, env=env, cwd=TESTS,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the OAuth server did not start: {line!r}")
        return OAuthServer(vendor, process, int(line.split()[1]))
    except BaseException:
        stop_pid(process.pid)
        process.wait(timeout=5)
        raise


def browser_sign_in(authorization_url: str, **form: Any) -> httpx.Response:
    """What a browser does: open the URL, fill the login form, follow the redirect to the
    loopback listener; the listener's answer."""
    with httpx.Client(timeout=10, follow_redirects=False) as browser:
        page = browser.get(authorization_url)
        assert page.status_code == 200, page.text
        answer = browser.post(
            authorization_url, data={"username": USER, "password": PASSWORD, **form}
        )
        assert answer.status_code == 302, answer.text
        return browser.get(answer.headers["Location"])
