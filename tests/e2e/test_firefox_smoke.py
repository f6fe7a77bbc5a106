"""Firefox end to end with the packages: Debian's firefox-esr driven by Marionette
(marionette-driver), the store package `dist/rolecall-firefox-<version>.xpi` installed
as a temporary add-on, the host registered by the PyInstaller bundle in
`$HOME/.mozilla/native-messaging-hosts` of a temporary HOME, and a click on a number in
a CRM page placing a call that reaches a SIPp peer.

Firefox is kept off the network: every automation preference Marionette's own client
sets (update, telemetry and discovery services pointed at a dead loopback port), and
a proxy on 127.0.0.1:9 for anything else, with loopback itself direct.

Granting a site needs the browser's permission prompt; the test grants
`http://127.0.0.1/*` through Firefox's ExtensionPermissions (chrome context, which
Firefox allows with `-remote-allow-system-access`), which is what the prompt records,
then enables the site through the background page as the options page does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from marionette_driver.addons import Addons
from marionette_driver.by import By
from marionette_driver.geckoinstance import DesktopInstance, GeckoInstance
from marionette_driver.marionette import Marionette

from rolecall import __version__
from rolecall.client import DaemonClient
from rolecall.identity import GECKO_EXTENSION_ID, HOST_NAME
from rolecall.paths import Home
from support.bundle import BUNDLE, clean_env, extension_package, run_bundle
from support.daemons import prepare_home
from support.processes import daemon_pid, stop_pid
from support.sip.ports import free_port
from support.sip.sipp import SippPeer
from support.web import StaticSite

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIREFOX = shutil.which("firefox-esr") or "/usr/bin/firefox-esr"
SITE = "http://127.0.0.1/*"
DEAD = "127.0.0.1:9"  # the discard port: nothing listens there

# Runs in the extension's own page, whose `browser` reaches the event page's globals.
IN_BACKGROUND = """
const [body, args, resolve] = arguments;
browser.runtime.getBackgroundPage()
  .then((bg) => new (async () => {}).constructor("bg", "args", body)(bg, args))
  .then((value) => resolve({value}), (error) => resolve({error: String(error)}));
"""


def offline_prefs(marionette_port: int) -> dict[str, Any]:
    prefs: dict[str, Any] = {**GeckoInstance.required_prefs, **DesktopInstance.desktop_prefs}
    for key, value in prefs.items():
        if isinstance(value, str):
            prefs[key] = value.replace("%(server)s", DEAD).replace("{server}", DEAD)
    prefs.update(
        {
            "marionette.port": marionette_port,
            "network.proxy.type": 1,
            "network.proxy.http": "127.0.0.1",
            "network.proxy.http_port": 9,
            "network.proxy.ssl": "127.0.0.1",
            "network.proxy.ssl_port": 9,
            "network.proxy.no_proxies_on": "127.0.0.1,localhost",
            "network.proxy.allow_hijacking_localhost": False,
            "services.settings.server": f"http://{DEAD}/v1",
            "network.dns.disablePrefetch": True,
            "network.prefetch-next": False,
        }
    )
    return prefs


@dataclass
class Firefox:
    process: subprocess.Popen[bytes]
    client: Marionette
    moz_host: str

    def in_background(self, body: str, args: Any = None, timeout: float = 30) -> Any:
        """Runs `body` (a function body of `bg`, `args`) with the event page's globals."""
        self.client.navigate(f"moz-extension://{self.moz_host}/options.html")
        answer = self.client.execute_async_script(
            IN_BACKGROUND, script_args=(body, args), sandbox=None, script_timeout=timeout * 1000
        )
        if "error" in answer:
            raise AssertionError(f"in the background page: {answer['error']}")
        return answer.get("value")


def start_firefox(profile: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], Marionette]:
    port = free_port()
    prefs = offline_prefs(port)
    (profile / "user.js").write_text(
        "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items())
    )
    log = (profile.parent / f"{profile.name}.log").open("wb")
    process = subprocess.Popen(
        [
            *(FIREFOX, "--marionette", "-remote-allow-system-access", "--headless"),
            *("--no-remote", "--profile", str(profile), "about:blank"),
        ],
        env={**env, "MOZ_HEADLESS": "1"},
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    try:
        client = Marionette(host="127.0.0.1", port=port, startup_timeout=90)
        client.start_session()
    except Exception:
        stop_pid(process.pid)
        raise
    return process, client


@pytest.fixture
def sandbox() -> Iterator[tuple[Path, Home, Path]]:
    home = Path(tempfile.mkdtemp(prefix="rc-user-", dir="/tmp"))
    rc_home = prepare_home(Home(Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))))
    profile = Path(tempfile.mkdtemp(prefix="rc-firefox-")) / "profile"
    profile.mkdir()
    try:
        yield home, rc_home, profile
    finally:
        pid = daemon_pid(rc_home)
        if pid:
            stop_pid(pid)
        for path in (home, rc_home.root, profile.parent):
            shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def firefox(sandbox: tuple[Path, Home, Path]) -> Iterator[Firefox]:
    home, rc_home, profile = sandbox
    env = clean_env(HOME=str(home), ROLECALL_HOME=str(rc_home.root), ROLECALL_KEYRING="file")
    process, client = start_firefox(profile, env)
    try:
        addon = Addons(client).install(str(extension_package("firefox")), temp=True)
        assert addon == GECKO_EXTENSION_ID
        with client.using_context("chrome"):
            moz_host = client.execute_script(
                "return WebExtensionPolicy.getByID(arguments[0]).mozExtensionHostname",
                script_args=(addon,),
            )
            granted = client.execute_async_script(
                """
                const [id, origin, resolve] = arguments;
                const { ExtensionPermissions } = ChromeUtils.importESModule(
                  "resource://gre/modules/ExtensionPermissions.sys.mjs");
                const extension = WebExtensionPolicy.getByID(id).extension;
                ExtensionPermissions.add(id, {permissions: [], origins: [origin]}, extension)
                  .then(() => resolve(true), (e) => resolve(String(e)));
                """,
                script_args=(addon, SITE),
            )
            assert granted is True, granted
        yield Firefox(process, client, moz_host)
    finally:
        try:
            client.delete_session()
        finally:
            stop_pid(process.pid, timeout=10)
            process.wait(10)


def test_xpi_in_firefox_reaches_the_bundle_and_a_click_calls(
    sandbox: tuple[Path, Home, Path], firefox: Firefox
) -> None:
    home, rc_home, _profile = sandbox
    # Registered as a user would: the bundle writes ~/.mozilla/native-messaging-hosts/.
    (home / ".mozilla" / "firefox").mkdir(parents=True)  # Firefox "has been run"
    installed = run_bundle("install", env=clean_env(HOME=str(home)))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    manifest_path = home / ".mozilla" / "native-messaging-hosts" / f"{HOST_NAME}.json"
    manifest = json.loads(manifest_path.read_text())
    assert manifest["path"] == str(BUNDLE)
    assert manifest["allowed_extensions"] == [GECKO_EXTENSION_ID]

    state = firefox.in_background(
        """bg.rolecall.host.reconnectNow();
           for (let i = 0; i < 400 && bg.rolecall.state().status !== "connected"; i++)
             await new Promise((r) => setTimeout(r, 50));
           return bg.rolecall.state();"""
    )
    assert state["status"] == "connected", state
    assert state["hostVersion"] == __version__
    daemon = daemon_pid(rc_home)
    assert daemon == state["daemonPid"]
    argv0 = Path(f"/proc/{daemon}/cmdline").read_bytes().split(b"\0")[0].decode()
    assert argv0 == str(BUNDLE)  # the bundle's daemon, not the venv's

    peer = SippPeer("uas_busy", timeout=60).start()
    site = StaticSite(FIXTURES, "127.0.0.1")
    try:
        with DaemonClient.open(rc_home, start=False) as client:
            account = {
                "id": "pbx",
                "uri": "sip:rolecall@127.0.0.1",
                "dial_plan": {"domain": peer.address},
            }
            client.request("account.set", {"account": account})
        firefox.in_background("await bg.rolecall.sites.enable(args); return true;", [SITE])

        expected = json.loads((FIXTURES / "crm/hubspot/deal.expected.json").read_text())
        number = expected["numbers"][0]
        firefox.client.navigate(site.url("crm/hubspot/deal.html"))
        selector = f'rolecall-call[data-number="{number}"]'
        deadline = time.monotonic() + 20
        while not firefox.client.find_elements(By.CSS_SELECTOR, selector):
            assert time.monotonic() < deadline, "no call button appeared in Firefox"
            time.sleep(0.1)
        firefox.client.find_element(By.CSS_SELECTOR, selector).click()

        deadline = time.monotonic() + 15
        while not peer.received("INVITE") and time.monotonic() < deadline:
            time.sleep(0.05)
        invites = peer.received("INVITE")
        assert invites, peer.report()
        assert (invites[0].request_uri or "").startswith(f"sip:{number}@"), invites[0].start_line
        with DaemonClient.open(rc_home, start=False) as client:
            calls = client.request("calls.list")["calls"]
        placed = [c for c in calls if c["dialed"] == number]
        assert placed, calls

        # The sidebar's page shows that call and why it failed (the peer is busy).
        firefox.client.navigate(f"moz-extension://{firefox.moz_host}/sidepanel.html")
        card = '[data-testid="call-card"][data-state="disconnected"]'
        deadline = time.monotonic() + 20
        while not firefox.client.find_elements(By.CSS_SELECTOR, card):
            assert time.monotonic() < deadline, "the Firefox sidebar page never showed the call"
            time.sleep(0.1)
        shown = firefox.client.find_element(By.CSS_SELECTOR, card)
        assert shown.get_attribute("data-call-id") == placed[-1]["id"]
        error = firefox.client.find_element(By.CSS_SELECTOR, '[data-testid="call-error"]')
        assert "Busy" in error.text and "486" in error.text, error.text
        status = firefox.client.find_element(By.CSS_SELECTOR, '[data-testid="host-status"]')
        assert status.text == "connected"
    finally:
        site.close()
        peer.cleanup()
    assert os.environ.get("HOME") != str(home)  # the real HOME was never touched
