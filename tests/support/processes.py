"""Finding and stopping the processes a test started (directly or through a browser), by pid."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from rolecall.paths import Home


def pid_alive(pid: int) -> bool:
    """True for a live process; a zombie counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        try:
            return stat.read_text().split(") ", 1)[1][0] != "Z"
        except (OSError, IndexError):
            return False
    return True


def stop_pid(pid: int, timeout: float = 5.0) -> None:
    """SIGTERM, then SIGKILL after `timeout`."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)


def daemon_pid(home: Home) -> int | None:
    """The pid the running daemon wrote into its lock file."""
    try:
        text = home.lock_path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def native_host_pids(home: Home) -> list[int]:
    """Native host processes serving `home` (a browser the test launched started them)."""
    wanted = f"ROLECALL_HOME={home.root}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if b"native-host" in cmdline and wanted in environ.split(b"\0"):
            found.append(int(entry.name))
    return found
