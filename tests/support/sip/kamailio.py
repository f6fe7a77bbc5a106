"""Kamailio 5.6 as the registrar and proxy of domain rolecall.test, on 127.0.0.1 only.

Users alice, bob, carol and dave, password "secret" (see tests/sip/kamailio.cfg). Clients use
`sip:bob@rolecall.test` with `KamailioProxy.registrar` (sip:127.0.0.1:PORT) as registrar and
outbound proxy. Kamailio runs in the foreground (`-DD`: no daemonizing, it still forks its
workers) in a new session, logging to stderr (`-E`) into a file in its temporary directory,
with its pid file and runtime directory there too. As root it runs without CAP_NET_RAW
(`setpriv`), so it cannot open the raw IP socket it otherwise always opens.

`stop()` sends SIGTERM to the pid in the pid file (the main process takes its workers down)
and then SIGKILLs whatever is left of that process group, so every process of this
instance, and only those, is gone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from support.processes import stop_pid
from support.sip import LOOPBACK, group_pids, kill_group_leftovers
from support.sip.ports import free_port, tcp_listening, udp_bound

CONFIG_TEMPLATE = Path(__file__).resolve().parents[2] / "sip" / "kamailio.cfg"
MODULES = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules")
DOMAIN = "rolecall.test"
USERS = ("alice", "bob", "carol", "dave")
PASSWORD = "secret"


class KamailioProxy:
    """One Kamailio instance on 127.0.0.1:`port` (UDP and TCP)."""

    def __init__(self, *, port: int | None = None, workdir: Path | None = None) -> None:
        self.port = port or free_port()
        self._own_dir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="kamailio-"))
        self.rundir = self.workdir / "run"
        self.rundir.mkdir(parents=True, exist_ok=True)
        self.config = self.workdir / "kamailio.cfg"
        self.pidfile = self.rundir / "kamailio.pid"
        self.log_path = self.workdir / "kamailio.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    @property
    def registrar(self) -> str:
        """Registrar and outbound proxy URI for clients: sip:127.0.0.1:PORT."""
        return f"sip:{self.address}"

    @staticmethod
    def aor(user: str) -> str:
        """sip:user@rolecall.test"""
        return f"sip:{user}@{DOMAIN}"

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def write_config(self) -> Path:
        text = CONFIG_TEMPLATE.read_text()
        text = text.replace("@@PORT@@", str(self.port)).replace("@@MODULES@@", f"{MODULES}/")
        self.config.write_text(text)
        return self.config

    def start(self, timeout: float = 10.0) -> KamailioProxy:
        """Start Kamailio; return once it listens on UDP and TCP (on failure: cleaned up)."""
        self.write_config()
        args = ["kamailio", "-f", str(self.config), "-P", str(self.pidfile)]
        if os.geteuid() == 0 and shutil.which("setpriv"):
            # As root Kamailio always opens a raw IP socket (IPPROTO_RAW, send-only); without
            # CAP_NET_RAW it cannot, so every socket it has is bound to 127.0.0.1.
            args = ["setpriv", "--bounding-set", "-net_raw", *args]
        args += ["-Y", str(self.rundir), "-w", str(self.rundir), "-E", "-DD", "-m", "32", "-M", "4"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                args,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not (udp_bound(self.port) and tcp_listening(self.port) and self.pidfile.exists()):
            problem = None
            if self.process.poll() is not None:
                problem = f"kamailio exited with {self.process.returncode}"
            elif time.monotonic() > deadline:
                problem = f"kamailio not listening on {self.address}"
            if problem:
                output = self.log()
                self.cleanup()
                raise RuntimeError(f"{problem}:\n{output}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """SIGTERM the main pid (from the pid file), then SIGKILL what is left of its group."""
        if self.process is None:
            return
        pgid = self.process.pid  # start_new_session: the group is the main pid
        if self.process.poll() is None:  # not reaped yet, so the pid is still ours
            try:
                main_pid = int(self.pidfile.read_text().strip())
            except (OSError, ValueError):
                main_pid = self.process.pid
            if main_pid in (self.process.pid, *group_pids(pgid)):
                stop_pid(main_pid, timeout=3.0)
        deadline = time.monotonic() + 3.0
        while group_pids(pgid) and time.monotonic() < deadline:
            time.sleep(0.02)
        kill_group_leftovers(pgid)
        self.process.wait()

    def cleanup(self) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def __enter__(self) -> KamailioProxy:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.cleanup()
