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

# Tests that measure sound levels, CPU or a process's own resources, run after the others
# and one at a time (`make test` runs the rest on several workers, where a neighbour's load
# would only add noise to what these measure). Paths relative to tests/.
SERIAL = frozenset(
    {
        "test_audio_calls.py",
        "test_doctor_audio.py",
        "test_demo_callees.py",
        "test_load_daemon.py",
        "test_telephony_kamailio.py",
        "test_transcript.py",
        "test_transcript_call.py",
        "test_transcript_panel.py",
        "e2e/test_demo.py",
        "e2e/test_panel_audio.py",
    }
)
TESTS = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks the tests of the `SERIAL` files `serial` (before `-m` selects by marker)."""
    for item in items:
        if item.path.relative_to(TESTS).as_posix() in SERIAL:
            item.add_marker(pytest.mark.serial)


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
