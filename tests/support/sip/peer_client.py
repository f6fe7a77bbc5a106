"""`PjsuaPeer`: start `support.sip.peer` in its own process and talk to it in JSON lines.

    with PjsuaPeer(account="sip:bob@rolecall.test", registrar=kam.registrar,
                   password="secret") as bob:
        bob.wait_for("registered", lambda e: e["code"] == 200)
        call = bob.call("sip:carol@rolecall.test")
        bob.wait_for("call_state", lambda e: e["call"] == call and e["state"] == "CONFIRMED")

Events are read by a thread into a list; `wait_for` returns the first matching event that no
earlier `wait_for` returned, so a test can wait for events in any order. `stop()` sends
"quit", then SIGTERM, then SIGKILL, all by pid.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from support.processes import stop_pid
from support.sip import LOOPBACK
from support.sip.ports import free_port, free_ports

TESTS_DIR = Path(__file__).resolve().parents[2]

Event = dict[str, Any]
Predicate = Callable[[Event], bool]


class PeerError(AssertionError):
    pass


class PjsuaPeer:
    """A pjsua2 endpoint process on 127.0.0.1:`port` (UDP and TCP).

    `account`/`registrar`/`password` register it (the registrar is also its outbound proxy);
    without them it answers as sip:peer@127.0.0.1:port. `auto_answer` is "200", "486",
    "603", "404", "480" or "none" (ring until the `answer` command).
    """

    def __init__(
        self,
        *,
        port: int | None = None,
        account: str | None = None,
        registrar: str | None = None,
        password: str | None = None,
        username: str | None = None,
        auto_answer: str = "200",
        answer_delay: float = 0.0,
        tone_hz: float | None = None,
        tone_burst_ms: int | None = None,
        play: Path | None = None,
        record: Path | None = None,
        codecs: str = "PCMU,PCMA",
        log_level: int = 4,
        workdir: Path | None = None,
        tls: tuple[int, Path, Path] | None = None,
        srtp_mandatory: bool = False,
    ) -> None:
        self.port = port or free_port()
        self.rtp_port = free_ports(16, consecutive=True)[0]
        self.account = account
        self._own_dir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="pjpeer-"))
        self.log_path = self.workdir / "peer.log"
        args = [sys.executable, "-m", "support.sip.peer", "--port", str(self.port)]
        args += ["--rtp-port", str(self.rtp_port), "--rtp-range", "16"]
        args += ["--auto-answer", auto_answer, "--answer-delay", str(answer_delay)]
        args += ["--codecs", codecs, "--log-level", str(log_level)]
        for flag, value in (
            ("--account", account),
            ("--registrar", registrar),
            ("--password", password),
            ("--username", username),
            ("--tone-hz", tone_hz),
            ("--tone-burst-ms", tone_burst_ms),
            ("--play", play),
            ("--record", record),
        ):
            if value is not None:
                args += [flag, str(value)]
        if tls is not None:  # (port, certificate, key): a TLS listener too
            args += ["--tls-port", str(tls[0]), "--tls-cert", str(tls[1]), "--tls-key", str(tls[2])]
        if srtp_mandatory:
            args.append("--srtp-mandatory")
        self.args = args
        self.process: subprocess.Popen[str] | None = None
        self.events: list[Event] = []
        self._taken: set[int] = set()
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._reader: threading.Thread | None = None

    @property
    def uri(self) -> str:
        """Where to call this peer directly (its contact, not its account)."""
        return f"sip:peer@{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def start(self, timeout: float = 10.0) -> PjsuaPeer:
        """Start the process and wait for its "ready" event (on failure: stopped, cleaned up)."""
        extra = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS_DIR), extra]))}
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                self.args,
                cwd=self.workdir,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                bufsize=1,
            )
        self._reader = threading.Thread(target=self._read, name=f"peer-{self.port}", daemon=True)
        self._reader.start()
        try:
            self.wait_for("ready", timeout=timeout)
        except BaseException:
            self.cleanup()
            raise
        return self

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                event = {"event": "garbage", "line": line}
            with self._cond:
                self.events.append(event)
                self._cond.notify_all()
        with self._cond:
            self.events.append({"event": "exited"})
            self._cond.notify_all()

    def send(self, cmd: dict[str, Any]) -> None:
        """Write one command line to the peer."""
        assert self.process is not None and self.process.stdin is not None, "not started"
        self.process.stdin.write(json.dumps(cmd) + "\n")
        self.process.stdin.flush()

    def wait_for(
        self, event: str, predicate: Predicate | None = None, timeout: float = 10.0
    ) -> Event:
        """The first not yet returned `event` for which `predicate` holds; PeerError on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for index, found in enumerate(self.events):
                    if index in self._taken or found.get("event") != event:
                        continue
                    if predicate is None or predicate(found):
                        self._taken.add(index)
                        return found
                if event != "exited" and any(e.get("event") == "exited" for e in self.events):
                    raise PeerError(f"peer exited while waiting for {event}:\n{self.report()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise PeerError(f"no {event} event within {timeout} s:\n{self.report()}")
                self._cond.wait(left)

    def command(self, cmd: str, timeout: float = 10.0, **fields: Any) -> Event:
        """Send a command and return its reply; PeerError if it failed."""
        ident = next(self._ids)
        self.send({"cmd": cmd, "id": ident, **fields})
        reply = self.wait_for("reply", lambda e: e.get("id") == ident, timeout)
        if not reply.get("ok"):
            raise PeerError(f"{cmd} failed: {reply.get('error')}")
        return reply

    def call(self, to: str) -> int:
        """Place a call; returns its call number for later events and commands."""
        return int(self.command("call", to=to)["call"])

    def wait_state(self, call: int, state: str, timeout: float = 10.0) -> Event:
        """Wait for call `call` to reach `state` ("EARLY", "CONFIRMED", "DISCONNECTED", …)."""
        return self.wait_for(
            "call_state", lambda e: e["call"] == call and e["state"] == state, timeout
        )

    def report(self) -> str:
        """Events so far and the end of the peer's log, for assertion messages."""
        with self._cond:
            events = "\n".join(json.dumps(e) for e in self.events)
        try:
            log = self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            log = ""
        return f"--- events of peer {self.port}:\n{events}\n--- log (end):\n{log}"

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the peer to quit; SIGTERM, then SIGKILL by pid if it lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                self.send({"cmd": "quit"})
                self.process.stdin.close()  # type: ignore[union-attr]
            except (BrokenPipeError, OSError, ValueError):
                pass
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                stop_pid(self.process.pid, timeout=2.0)
                self.process.wait()
        if self._reader is not None:
            self._reader.join(2.0)

    def cleanup(self) -> None:
        """`stop()`, then remove the temporary directory if this object made it."""
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> PjsuaPeer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.cleanup()
