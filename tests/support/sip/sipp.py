"""SIPp as a scripted SIP peer on 127.0.0.1, and readers for the messages it saw and sent.

`SippPeer("uas_answer")` runs `tests/sip/scenarios/uas_answer.xml` (`-sf`); a name with no
such file (`"uas"`, `"uac"`) runs SIPp's built-in scenario (`-sn`); a path runs that file.
SIPp runs in the foreground of its own process (`-m calls -timeout T -timeout_error
-nostdin`) with its working files (message trace, error trace, log actions, screen) in a
temporary directory, and every socket it opens (SIP, media echo, control) bound to 127.0.0.1.
Its exit code is 0 when every call completed the scenario, 1 when one failed, and other
values for a fatal error or the global timeout.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

from support.processes import stop_pid
from support.sip import LOOPBACK
from support.sip.ports import free_port, free_ports, tcp_listening, udp_bound

SCENARIOS = Path(__file__).resolve().parents[2] / "sip" / "scenarios"

_SEPARATOR = re.compile(r"^-{20,} (.*)$", re.MULTILINE)
_COMPACT = {
    "from": "f",
    "to": "t",
    "call-id": "i",
    "contact": "m",
    "via": "v",
    "content-type": "c",
    "content-length": "l",
    "refer-to": "r",
    "event": "o",
    "subject": "s",
    "supported": "k",
    "referred-by": "b",
}


def scenario_path(name: str) -> Path:
    """The file of a scenario in `tests/sip/scenarios/` (`name` with or without `.xml`)."""
    return SCENARIOS / (name if name.endswith(".xml") else f"{name}.xml")


@dataclass(frozen=True)
class SipMessage:
    """One SIP message from SIPp's message trace, as SIPp received or sent it."""

    direction: str  # "received" or "sent"
    transport: str  # "UDP", "TCP", …
    text: str
    time: float = 0.0  # when SIPp logged it (Unix time; 0.0 if the trace had no stamp)

    @property
    def start_line(self) -> str:
        return self.text.split("\n", 1)[0].strip()

    @property
    def is_request(self) -> bool:
        return not self.start_line.startswith("SIP/2.0")

    @property
    def method(self) -> str:
        """The request's method, or for a response the method in its CSeq."""
        if self.is_request:
            return self.start_line.split(" ", 1)[0]
        cseq = self.header("CSeq") or ""
        return cseq.split()[-1] if cseq.split() else ""

    @property
    def request_uri(self) -> str | None:
        parts = self.start_line.split()
        return parts[1] if self.is_request and len(parts) >= 2 else None

    @property
    def status(self) -> int | None:
        parts = self.start_line.split()
        if self.is_request or len(parts) < 2 or not parts[1].isdigit():
            return None
        return int(parts[1])

    def _sections(self) -> tuple[list[str], str]:
        text = self.text.replace("\r\n", "\n")
        head, _, body = text.partition("\n\n")
        return head.split("\n")[1:], body

    def headers(self, name: str) -> list[str]:
        """Every value of header `name` (case-insensitive, compact forms too), in order."""
        wanted = {name.lower(), _COMPACT.get(name.lower(), name.lower())}
        values = []
        for line in self._sections()[0]:
            key, sep, value = line.partition(":")
            if sep and key.strip().lower() in wanted:
                values.append(value.strip())
        return values

    def header(self, name: str) -> str | None:
        """The first value of header `name`, or None."""
        found = self.headers(name)
        return found[0] if found else None

    @property
    def body(self) -> str:
        return self._sections()[1].strip("\n")


def _stamp(text: str) -> float:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S.%f").timestamp()
    except ValueError:
        return 0.0


def parse_messages(trace: str) -> list[SipMessage]:
    """The messages in a SIPp `-trace_msg` file, in order."""
    found = []
    parts = _SEPARATOR.split(trace)  # [before, stamp, chunk, stamp, chunk, …]
    for stamp, chunk in zip(parts[1::2], parts[2::2], strict=True):
        first, _, rest = chunk.lstrip("\n").partition("\n")
        match = re.match(r"(\w+) message (received|sent)", first)
        text = rest.strip("\n")
        if match and text:
            found.append(SipMessage(match.group(2), match.group(1), text + "\n", _stamp(stamp)))
    return found


class SippPeer:
    """One SIPp process running one scenario on 127.0.0.1; stop it by pid with `stop()`.

    `remote` ("127.0.0.1:port") is where a UAC scenario sends; `service` is the user part of
    its Request-URI (`-s`). `keys` become `-key name value` (`[name]` in the scenario);
    `auth` is (`-au`, `-ap`). `timeout` is SIPp's global timeout in seconds (a failure);
    `pause_ms` (`-d`) is the length of every `<pause/>` without its own duration.
    """

    def __init__(
        self,
        scenario: str | Path,
        *,
        port: int | None = None,
        media_port: int | None = None,
        rtp_echo: bool = False,
        remote: str | None = None,
        service: str | None = None,
        calls: int = 1,
        timeout: float = 20.0,
        pause_ms: int = 1000,
        auth: tuple[str, str] | None = None,
        keys: Mapping[str, str] | None = None,
        transport: str = "u1",
        extra_args: Sequence[str] = (),
        workdir: Path | None = None,
    ) -> None:
        self.scenario = scenario
        self.port = port or free_port()
        self.media_port = media_port or free_ports(4, consecutive=True)[0]
        self.control_port = free_port()
        self.transport = transport
        if remote is not None and not remote.startswith("127."):
            raise ValueError(f"SIPp may only talk to loopback, not {remote}")
        self._own_dir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="sipp-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.message_file = self.workdir / "messages.log"
        self.error_file = self.workdir / "errors.log"
        self.log_file = self.workdir / "actions.log"
        self.screen_file = self.workdir / "screen.log"
        args = ["sipp", *self._scenario_args(scenario)]
        if remote:
            args.append(remote)
        args += ["-t", transport, "-i", LOOPBACK, "-bind_local", "-p", str(self.port)]
        args += ["-ci", LOOPBACK, "-cp", str(self.control_port)]
        args += ["-mi", LOOPBACK, "-mp", str(self.media_port)]
        if rtp_echo:
            args.append("-rtp_echo")
        if service:
            args += ["-s", service]
        if auth:
            args += ["-au", auth[0], "-ap", auth[1]]
        for name, value in (keys or {}).items():
            args += ["-key", name, value]
        args += ["-d", str(pause_ms)]
        args += ["-m", str(calls), "-timeout", f"{timeout}s", "-timeout_error", "-nostdin"]
        args += ["-trace_msg", "-message_file", str(self.message_file)]
        args += ["-trace_err", "-error_file", str(self.error_file)]
        args += ["-trace_logs", "-log_file", str(self.log_file)]
        args += list(extra_args)
        self.args = args
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def _scenario_args(scenario: str | Path) -> list[str]:
        if isinstance(scenario, Path) or "/" in scenario:
            return ["-sf", str(scenario)]
        path = scenario_path(scenario)
        return ["-sf", str(path)] if path.exists() else ["-sn", scenario]

    @property
    def address(self) -> str:
        """ "127.0.0.1:port", where this SIPp receives SIP."""
        return f"{LOOPBACK}:{self.port}"

    def uri(self, user: str = "sipp") -> str:
        return f"sip:{user}@{self.address}"

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def start(self, ready_timeout: float = 5.0) -> SippPeer:
        """Start SIPp in the background; return once its SIP socket is bound.

        If it does not come up, it is stopped, its directory removed, and the error carries
        what SIPp printed.
        """
        with self.screen_file.open("wb") as screen:
            self.process = subprocess.Popen(
                self.args,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=screen,
                stderr=subprocess.STDOUT,
            )
        tcp = self.transport.startswith("t")
        deadline = time.monotonic() + ready_timeout
        while not (tcp_listening(self.port) if tcp else udp_bound(self.port)):
            problem = None
            if self.process.poll() is not None:
                problem = f"sipp exited with {self.process.returncode}"
            elif time.monotonic() > deadline:
                problem = f"sipp did not bind {self.address}"
            if problem:
                output = self.output()
                self.cleanup()
                raise RuntimeError(f"{problem}:\n{output}")
            time.sleep(0.01)
        return self

    def wait(self, timeout: float = 30.0) -> int:
        """SIPp's exit code once it ends (0: every call completed the scenario).

        TimeoutError (with SIPp's report) if it is still running after `timeout` seconds.
        """
        assert self.process is not None, "not started"
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"sipp still running after {timeout} s:\n{self.report()}") from None

    def stop(self) -> None:
        """Stop SIPp by pid (SIGTERM, then SIGKILL) and reap it."""
        if self.process is not None and self.process.poll() is None:
            stop_pid(self.process.pid, timeout=2.0)
            self.process.wait()

    def cleanup(self) -> None:
        """`stop()`, then remove the temporary directory if this object made it."""
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> SippPeer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.cleanup()

    # Reading what happened.

    @staticmethod
    def _read(path: Path) -> str:
        try:
            return path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def messages(self) -> str:
        """The SIP messages SIPp received and sent, as its message trace has them."""
        return self._read(self.message_file)

    def parsed_messages(self) -> list[SipMessage]:
        return parse_messages(self.messages())

    def received(self, method: str | None = None) -> list[SipMessage]:
        """Requests SIPp received (of `method` if given), in order."""
        return [
            m
            for m in self.parsed_messages()
            if m.direction == "received" and m.is_request and method in (None, m.method)
        ]

    def received_responses(self, method: str | None = None) -> list[SipMessage]:
        """Responses SIPp received (to `method` requests if given), in order."""
        return [
            m
            for m in self.parsed_messages()
            if m.direction == "received" and not m.is_request and method in (None, m.method)
        ]

    def sent(self, method: str | None = None) -> list[SipMessage]:
        """Requests and responses SIPp sent (for `method` if given), in order."""
        return [
            m
            for m in self.parsed_messages()
            if m.direction == "sent" and method in (None, m.method)
        ]

    def request(self, method: str) -> SipMessage:
        """The first `method` request SIPp received; AssertionError if none."""
        found = self.received(method)
        assert found, f"SIPp received no {method}:\n{self.messages()}"
        return found[0]

    def errors(self) -> str:
        """SIPp's error trace (unexpected messages, scenario errors)."""
        return self._read(self.error_file)

    def logs(self) -> str:
        """The output of the scenario's `<log>` actions."""
        return self._read(self.log_file)

    def output(self) -> str:
        """What SIPp printed (its statistics screen and fatal errors)."""
        return self._read(self.screen_file)

    def report(self) -> str:
        """Errors, the end of the screen and the messages, for assertion messages."""
        return (
            f"--- sipp {' '.join(self.args)}\n--- errors:\n{self.errors()}\n"
            f"--- screen (end):\n{self.output()[-3000:]}\n--- messages:\n{self.messages()}"
        )
