"""Shared fixtures: a private Rolecall home, and a real daemon started and stopped by pid."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from rolecall.paths import Home
from support.daemons import RunningDaemon, prepare_home, start_daemon, stop_daemon

# No OS keyring runs here: secrets go to the test-only file backend in each test's home.
os.environ["ROLECALL_KEYRING"] = "file"
# Daemons in tests leave the machine's sound devices alone unless a test asks for them
# (the audio tests run their own PulseAudio server and set ROLECALL_AUDIO=on).
os.environ.setdefault("ROLECALL_AUDIO", "off")


@pytest.fixture
def rc_home() -> Iterator[Home]:
    """A fresh state directory with a short path (Unix socket paths are limited)."""
    root = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))
    try:
        yield prepare_home(Home(root))
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def daemon(rc_home: Home) -> Iterator[RunningDaemon]:
    """A real daemon on `rc_home`, stopped by pid afterwards."""
    running = start_daemon(rc_home)
    try:
        yield running
    finally:
        status = running.process.poll()
        stop_daemon(running)
        # Shown by pytest only when the test failed: what the daemon said.
        print(f"daemon exit status before teardown: {status}")
        print(rc_home.daemon_log.read_text(errors="replace")[-6000:])
