"""`python -m rolecall.demo` (what `make demo` runs): Rolecall on embedded defaults.

Starts a daemon under a demo home, registers the native host in a throwaway Chromium
profile, opens Chromium with the extension and shows the side panel connected. With a
display it leaves the browser to you until Ctrl-C; without one it takes screenshots
into the output directory and exits. Everything it started is stopped by pid, and a
second run starts clean.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from rolecall import __version__
from rolecall.client import DaemonClient
from rolecall.demo.browser import REPO, launch, register_host
from rolecall.paths import SOCKET_PATH_LIMIT, Home


def _demo_home(output: Path) -> Home:
    home = Home(output / "home")
    if len(os.fsencode(home.socket_path)) > SOCKET_PATH_LIMIT:
        home = Home(Path(tempfile.gettempdir()) / f"rolecall-demo-{os.getuid()}")
        shutil.rmtree(home.root, ignore_errors=True)
    return home


def _start_daemon(home: Home) -> subprocess.Popen[bytes]:
    home.ensure()
    # The demo's SIP traffic stays on this machine.
    (home.config_dir / "telephony.json").write_text('{"bind_address": "127.0.0.1"}')
    log = home.daemon_log.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "rolecall", "daemon"],
        env={**os.environ, "ROLECALL_HOME": os.fspath(home.root)},
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 15
    while not home.socket_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the daemon did not start; see {home.daemon_log}")
        time.sleep(0.05)
    return process


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(output: Path, headless: bool) -> int:
    shutil.rmtree(output, ignore_errors=True)
    output.mkdir(parents=True)
    home = _demo_home(output)
    profile = output / "chromium-profile"
    print(f"Rolecall {__version__} demo; state in {home.root}")
    os.environ.setdefault("ROLECALL_KEYRING", "file")  # demo secrets, not the user's keyring
    daemon = _start_daemon(home)
    try:
        register_host(home.root, profile)
        print(f"daemon pid {daemon.pid}; native host registered in {profile}")
        with sync_playwright() as playwright:
            browser = launch(playwright, profile, home=home.root, headless=headless)
            try:
                panel = browser.open_panel()
                status = panel.get_by_test_id("host-status")
                panel.wait_for_function(
                    "() => document.querySelector('[data-testid=host-status]')?.textContent"
                    " === 'connected'",
                    timeout=30_000,
                )
                version = panel.get_by_test_id("host-version").text_content()
                shot = output / "sidepanel-connected.png"
                panel.screenshot(path=shot)
                with DaemonClient.open(home, start=False, name="rolecall-demo") as client:
                    clients = client.request("daemon.status")["clients"]
                print(f"side panel: {status.text_content()} ({version})")
                print(f"daemon clients connected: {clients} (the extension and this demo)")
                print(f"screenshot: {shot}")
                if not headless:
                    print("Chromium is yours: open the Rolecall side panel. Ctrl-C stops the demo.")
                    while browser.context.pages:
                        time.sleep(0.5)
            finally:
                browser.close()
    except KeyboardInterrupt:
        print("\nstopping")
    finally:
        _stop(daemon)
        shutil.rmtree(profile, ignore_errors=True)
    print("demo finished; everything it started is stopped")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m rolecall.demo", description=__doc__)
    parser.add_argument("--output", type=Path, default=REPO / "demo-output")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--headless", action="store_true", help="no window; screenshots only")
    mode.add_argument("--headed", action="store_true", help="a window even if unsure")
    args = parser.parse_args()
    headless = args.headless or (not args.headed and not os.environ.get("DISPLAY"))
    return run(args.output.absolute(), headless)


if __name__ == "__main__":
    sys.exit(main())
