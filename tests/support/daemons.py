"""Starting a real daemon for a test, on a private home, and the environment to reach it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass

from rolecall.daemon_link import connect
from rolecall.paths import Home


def prepare_home(home: Home, **telephony: object) -> Home:
    """A home whose daemon keeps SIP on loopback (tests never use another address)."""
    home.config_dir.mkdir(parents=True, exist_ok=True)
    settings = {"bind_address": "127.0.0.1", **telephony}
    (home.config_dir / "telephony.json").write_text(json.dumps(settings))
    return home


def rolecall_env(home: Home, **extra: str) -> dict[str, str]:
    """This environment with `ROLECALL_HOME` pointing at `home`."""
    return {**os.environ, "ROLECALL_HOME": str(home.root), **extra}


@dataclass
class RunningDaemon:
    home: Home
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid


def wait_for_socket(home: Home, timeout: float = 10.0) -> None:
    """Until a daemon accepts connections (a stale socket file from a killed one does not)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            connect(home, timeout=1.0).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no daemon answers at {home.socket_path}") from None
            time.sleep(0.02)


def start_daemon(home: Home) -> RunningDaemon:
    """`rolecall daemon` in a child process, logging into the home's daemon log."""
    home.ensure()
    with home.daemon_log.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rolecall", "daemon"],
            env=rolecall_env(home),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    wait_for_socket(home)
    return RunningDaemon(home, process)


def stop_daemon(daemon: RunningDaemon) -> None:
    """SIGTERM, then SIGKILL if it has not exited within 5 s."""
    if daemon.process.poll() is None:
        daemon.process.terminate()
        try:
            daemon.process.wait(5)
        except subprocess.TimeoutExpired:
            daemon.process.kill()
            daemon.process.wait()
