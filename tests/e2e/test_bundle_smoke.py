"""The packages as a user gets them: the PyInstaller bundle (not the venv) registered with
Debian's Chromium, which loads the store package `dist/rolecall-chromium-<version>.zip`;
the bundle answers `hello`, starts its own daemon, and a call placed from the extension
reaches a SIPp peer.

The store package holds no site permission, and the browser's permission prompt cannot
be answered by an automated browser, so the call is placed through the extension's
host connection (`globalThis.rolecall.host`, what the page calls use underneath);
click-to-call on a page with the packaged extension is covered in Firefox
(`test_firefox_smoke.py`), where a test can grant a site.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Playwright

from rolecall import __version__
from rolecall.client import DaemonClient
from rolecall.demo.browser import launch
from rolecall.identity import HOST_NAME
from rolecall.paths import Home
from support.bundle import (
    BUNDLE,
    clean_env,
    extension_package,
    require_bundle,
    run_bundle,
    unpack,
)
from support.daemons import prepare_home
from support.processes import daemon_pid, stop_pid
from support.sip.sipp import SippPeer

pytestmark = pytest.mark.e2e

WAIT_CONNECTED = """async () => {
  for (let i = 0; i < 400 && globalThis.rolecall.state().status !== 'connected'; i++)
    await new Promise((r) => setTimeout(r, 50));
  return globalThis.rolecall.state();
}"""


def executable_of(pid: int) -> str:
    """The program a process runs (its argv[0], as the browser or daemon_link started it)."""
    return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()


def bundle_processes(home: Home) -> list[int]:
    """Processes running the bundle for `home` (the shim and the daemon)."""
    wanted = f"ROLECALL_HOME={home.root}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv0 = (entry / "cmdline").read_bytes().split(b"\0")[0]
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv0 == str(BUNDLE).encode() and wanted in environ:
            found.append(int(entry.name))
    return found


@pytest.fixture
def sandbox() -> Iterator[tuple[Path, Home, Path]]:
    """A user's HOME, a Rolecall home and a Chromium profile, all temporary."""
    home = Path(tempfile.mkdtemp(prefix="rc-user-", dir="/tmp"))
    rc_home = prepare_home(Home(Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))))
    profile = Path(tempfile.mkdtemp(prefix="rc-profile-"))
    try:
        yield home, rc_home, profile
    finally:
        pid = daemon_pid(rc_home)
        if pid:
            stop_pid(pid)
        for path in (home, rc_home.root, profile):
            shutil.rmtree(path, ignore_errors=True)


def test_packaged_extension_and_bundle_place_a_call(
    playwright: Playwright, sandbox: tuple[Path, Home, Path], tmp_path: Path
) -> None:
    home, rc_home, profile = sandbox
    bundle = require_bundle()

    # Registered by the bundle itself: the manifest names the bundle, no launcher script.
    installed = run_bundle(
        "install",
        "--browser",
        "chromium",
        "--user-data-dir",
        str(profile),
        env=clean_env(HOME=str(home)),
    )
    assert installed.returncode == 0, installed.stderr
    manifest = json.loads((profile / "NativeMessagingHosts" / f"{HOST_NAME}.json").read_text())
    assert manifest["path"] == str(bundle)
    assert not (home / ".local/share/rolecall/bin").exists()

    # The bundle answers hello exactly as the browser will start it, and starts its daemon.
    env = clean_env(HOME=str(home), ROLECALL_HOME=str(rc_home.root), ROLECALL_KEYRING="file")
    doctor = run_bundle(
        "doctor", "--browser", "chromium", "--user-data-dir", str(profile), "--json", env=env
    )
    checks = {c["check"]: c for c in json.loads(doctor.stdout)}
    answer = checks["chromium (user-data-dir): host answers"]
    assert answer["ok"], answer
    assert f"Rolecall {__version__} answered hello" in answer["detail"]
    daemon = daemon_pid(rc_home)
    assert daemon is not None and executable_of(daemon) == str(bundle)

    extension = unpack(extension_package("chromium"), tmp_path / "chromium")
    assert "host_permissions" not in json.loads((extension / "manifest.json").read_text())
    peer = SippPeer("uas_busy", timeout=60).start()
    browser = launch(playwright, profile, home=rc_home.root, extension_dir=extension)
    try:
        state = browser.evaluate(WAIT_CONNECTED)
        assert state["status"] == "connected", state
        assert state["hostVersion"] == __version__
        assert state["daemonPid"] == daemon  # the browser's shim found the bundle's daemon
        shims = [pid for pid in bundle_processes(rc_home) if pid != daemon]
        assert len(shims) == 1, bundle_processes(rc_home)

        with DaemonClient.open(rc_home, start=False) as client:
            account = {
                "id": "pbx",
                "uri": "sip:rolecall@127.0.0.1",
                "dial_plan": {"domain": peer.address},
            }
            client.request("account.set", {"account": account})
        placed = browser.evaluate(
            "(target) => globalThis.rolecall.host.request('call.place', {target})", "+14155550132"
        )["call"]
        deadline = time.monotonic() + 15
        while not peer.received("INVITE") and time.monotonic() < deadline:
            time.sleep(0.05)
        invites = peer.received("INVITE")
        assert invites, peer.report()
        assert (invites[0].request_uri or "").startswith("sip:+14155550132@"), invites[0].start_line
        assert placed["dialed"] == "+14155550132"
    finally:
        browser.close()
        peer.cleanup()
