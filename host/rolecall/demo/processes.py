"""The processes the demo starts, each stopped by its own pid; and free loopback ports.

`Children` remembers every process it started (in a new session, so its process group
is its pid) and `stop_all()` ends them newest first: SIGTERM to the pid, a grace
period, then SIGKILL to what is left of that process's own group. Nothing else on the
machine is touched.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port free on 127.0.0.1 for both UDP and TCP right now."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((LOOPBACK, 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind((LOOPBACK, port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free loopback port")


def free_port_block(count: int) -> int:
    """The first of `count` consecutive UDP ports free on 127.0.0.1 (for RTP), even."""
    for base in range(40_000, 60_000, count + 2):
        sockets: list[socket.socket] = []
        try:
            for port in range(base, base + count):
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(sock)
                sock.bind((LOOPBACK, port))
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
        return base
    raise RuntimeError(f"no {count} consecutive free loopback ports")


def pid_alive(pid: int) -> bool:
    """True for a live process; a zombie counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def group_pids(pgid: int) -> list[int]:
    """Live processes whose process group is `pgid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(entry.name))
    return found


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]


class Children:
    """The demo's own processes, newest last."""

    def __init__(self) -> None:
        self.started: list[Child] = []

    def start(
        self,
        name: str,
        args: Sequence[str],
        *,
        log: Path,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> subprocess.Popen[bytes]:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            process = subprocess.Popen(
                list(args),
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(Child(name, process))
        return process

    def adopt(self, name: str, process: subprocess.Popen[bytes]) -> None:
        """Takes on a process started elsewhere (in its own session) to stop it with the rest."""
        self.started.append(Child(name, process))

    def stop_all(self, grace: float = 5.0) -> list[str]:
        """Stops every process, newest first; returns what was stopped, by name and pid."""
        stopped = []
        while self.started:
            child = self.started.pop()
            stop(child.process, grace)
            stopped.append(f"{child.name} (pid {child.process.pid})")
        return stopped


def stop(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM the pid, wait up to `grace`, then SIGKILL what is left of its own group."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            process.wait()
    # Workers it forked in its own session (Kamailio's) go with it.
    deadline = time.monotonic() + 2.0
    while group_pids(process.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    for pid in group_pids(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def pids_with_argument(argument: str) -> list[int]:
    """Live processes with exactly `argument` on their command line (e.g. the
    `--user-data-dir=` of the demo's own throwaway profile)."""
    wanted = os.fsencode(argument)
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if wanted in arguments and pid_alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def end_pids(pids: list[int], grace: float = 3.0) -> None:
    """SIGTERM each pid, then SIGKILL those still alive after `grace`."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(map(pid_alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in pids:
        if pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
