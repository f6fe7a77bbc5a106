"""Chromium with the unpacked extension loaded and the native host registered.

Used by the demo, the end-to-end tests and the benchmarks: Debian's Chromium driven
by Playwright (never Playwright's own browser download), a throwaway profile whose
`NativeMessagingHosts/` holds the host manifest, and the extension's service worker
and side panel page at hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, Playwright, Worker

from rolecall.identity import CHROMIUM_EXTENSION_ID

REPO = Path(__file__).resolve().parents[3]
CHROMIUM_DIST = REPO / "extension" / "dist" / "chromium"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def find_chromium() -> str:
    """The system Chromium's executable."""
    for candidate in (os.environ.get("ROLECALL_CHROMIUM", ""), *CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).exists():
            return candidate
    found = shutil.which("chromium")
    if found:
        return found
    raise FileNotFoundError("Chromium is not installed (Debian: apt-get install chromium)")


def register_host(home: Path, profile: Path, browser: str = "chromium") -> None:
    """Writes the host manifest into the profile with `rolecall install`, as a user would."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rolecall",
            "install",
            "--browser",
            browser,
            "--user-data-dir",
            os.fspath(profile),
        ],
        env={**os.environ, "ROLECALL_HOME": os.fspath(home)},
        check=True,
        capture_output=True,
    )


@dataclass
class ExtensionBrowser:
    """A running Chromium with the Rolecall extension."""

    context: BrowserContext
    worker: Worker
    extension_id: str

    @property
    def panel_url(self) -> str:
        return f"chrome-extension://{self.extension_id}/sidepanel.html"

    def open_panel(self) -> Page:
        """The side panel page, opened as a tab (what tests and the headless demo use)."""
        page = self.context.new_page()
        page.goto(self.panel_url)
        return page

    def evaluate(self, script: str, arg: Any = None) -> Any:
        """Runs a function in the extension's service worker."""
        return self.worker.evaluate(script, arg)

    def close(self) -> None:
        self.context.close()


def launch(
    playwright: Playwright,
    profile: Path,
    *,
    home: Path,
    extension_dir: Path = CHROMIUM_DIST,
    headless: bool = True,
    extra_env: dict[str, str] | None = None,
    extra_args: Sequence[str] = (),
) -> ExtensionBrowser:
    """Starts Chromium with the extension; the host it spawns uses `home`."""
    if not (extension_dir / "manifest.json").exists():
        raise FileNotFoundError(f"no extension build in {extension_dir}: run `make build`")
    env: dict[str, str | float | bool] = {
        **os.environ,
        "ROLECALL_HOME": os.fspath(home),
        **(extra_env or {}),
    }
    context = playwright.chromium.launch_persistent_context(
        os.fspath(profile),
        executable_path=find_chromium(),
        headless=headless,
        env=env,
        args=[
            f"--disable-extensions-except={extension_dir}",
            f"--load-extension={extension_dir}",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            *extra_args,
        ],
    )
    worker = next(iter(context.service_workers), None) or context.wait_for_event(
        "serviceworker", timeout=15_000
    )
    extension_id = worker.url.split("/")[2]
    if extension_id != CHROMIUM_EXTENSION_ID:
        context.close()
        raise RuntimeError(
            f"extension loaded as {extension_id}, expected the pinned {CHROMIUM_EXTENSION_ID}"
        )
    return ExtensionBrowser(context, worker, extension_id)
