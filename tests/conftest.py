"""Shared fixtures: a private Rolecall home, and a real daemon started and stopped by pid."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rolecall.paths import Home

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def rc_home() -> Iterator[Home]:
    """A fresh state directory with a short path (Unix socket paths are limited)."""
    root = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))
    try:
        yield Home(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def rolecall_env(home: Home, **extra: str) -> dict[str, str]:
    return {**os.environ, "ROLECALL_HOME": str(home.root), **extra}


@dataclass
class RunningDaemon:
    home: Home
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid


def wait_for_socket(home: Home, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not home.socket_path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no daemon socket at {home.socket_path}")
        time.sleep(0.02)


@pytest.fixture
def daemon(rc_home: Home) -> Iterator[RunningDaemon]:
    """A real daemon on `rc_home`, stopped by pid afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "rolecall", "daemon"],
        env=rolecall_env(rc_home),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_socket(rc_home)
        yield RunningDaemon(rc_home, process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stderr:
            process.stderr.close()
