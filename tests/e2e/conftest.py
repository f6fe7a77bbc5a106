"""End-to-end fixtures: Playwright, a Chromium profile with the host registered, cleanup by pid."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Playwright, sync_playwright

from rolecall.paths import Home
from support.processes import daemon_pid, stop_pid

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-output"


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Per module: the sync API keeps an event loop running in this thread until it stops."""
    with sync_playwright() as p:
        yield p


@pytest.fixture
def profile() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="rc-profile-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def stop_daemon_after(rc_home: Home) -> Iterator[Home]:
    """Stops, by pid, whatever daemon the browser's host started on `rc_home`."""
    try:
        yield rc_home
    finally:
        pid = daemon_pid(rc_home)
        if pid:
            stop_pid(pid)


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
