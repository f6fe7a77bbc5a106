"""`LoopbackCapture`: tshark on the loopback interface, and readers for what it captured.

    cap = LoopbackCapture(ports=[kam.port], port_ranges=[(peer.rtp_port, peer.rtp_port + 15)])
    cap.start()
    ...  # traffic
    cap.stop()  # then read:
    cap.sip_requests("INVITE"); cap.rtp_streams(); cap.rtp_event_digits()
    cap.cleanup()  # (the context manager form cleans up on exit, file included)

Only the interface `lo` is captured, through a BPF filter of the given ports (any protocol)
and UDP port ranges, plus a probe port of its own: `start()` and `stop()` send probe datagrams
until tshark's live output shows one, so nothing sent between them is lost.
tshark (and the dumpcap it runs) is started in a new session and stopped by pid (SIGINT so
the file is finished, then SIGKILL for anything left of the group).
RTP is found by tshark's heuristic and by the SDP it saw; telephone-event (RFC 2833) is
decoded for the payload type in the SDP and for `event_pt` (101 by default).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from support.processes import stop_pid
from support.sip import LOOPBACK, kill_group_leftovers
from support.sip.ports import free_port


@dataclass(frozen=True)
class RtpStream:
    """One direction of RTP: source, destination ("ip:port"), SSRC, payload type, packets."""

    src: str
    dst: str
    ssrc: str
    payload_type: int
    packets: int

    @property
    def src_port(self) -> int:
        return int(self.src.rsplit(":", 1)[1])

    @property
    def dst_port(self) -> int:
        return int(self.dst.rsplit(":", 1)[1])


class LoopbackCapture:
    """A tshark capture of `lo` into a pcapng file in a temporary directory."""

    def __init__(
        self,
        *,
        ports: Iterable[int] = (),
        port_ranges: Iterable[tuple[int, int]] = (),
        event_pt: int = 101,
        workdir: Path | None = None,
    ) -> None:
        clauses = [f"port {p}" for p in ports]
        clauses += [f"udp portrange {low}-{high}" for low, high in port_ranges]
        if not clauses:
            raise ValueError("give ports or port ranges to capture")
        self.filter = " or ".join(clauses)
        self.event_pt = event_pt
        self._own_dir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="capture-"))
        self.path = self.workdir / "capture.pcapng"
        self.stderr_path = self.workdir / "tshark.err"
        self.live_path = self.workdir / "live.txt"
        self.probe_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._cache: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[list[str]]] = {}

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def start(self, timeout: float = 10.0) -> LoopbackCapture:
        """Start capturing; return once a probe sent now shows in tshark's live output.

        "Capturing on" and the file's header come before the capture is active, and on a
        loaded machine far enough before it to lose a call's INVITE (seen in CI). A probe
        seen in the live output proves the capture was on when it was sent: about 0.7 s,
        most of it tshark's update interval.
        """
        args = ["tshark", "-i", "lo", "-f", f"{self.filter} or udp port {self.probe_port}"]
        args += ["-w", str(self.path), "-P", "-l", "-n", "-T", "fields", "-e", "udp.dstport"]
        with self.stderr_path.open("wb") as err, self.live_path.open("wb") as live:
            self.process = subprocess.Popen(
                args,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=live,
                stderr=err,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not ("Capturing on" in self._stderr() and self._file_started()):
            problem = None
            if self.process.poll() is not None:
                problem = "tshark exited"
            elif time.monotonic() > deadline:
                problem = "tshark did not start capturing"
            if problem:
                stderr = self._stderr()
                self.cleanup()
                raise RuntimeError(f"{problem}: {stderr}")
            time.sleep(0.01)
        try:
            self._probe_until_seen(timeout=timeout, every=0.05)
        except (TimeoutError, RuntimeError):
            self.cleanup()
            raise
        return self

    def _file_started(self) -> bool:
        try:
            return self.path.stat().st_size > 0
        except OSError:
            return False

    def _probes_seen(self) -> int:
        try:
            lines = self.live_path.read_text().split()
        except OSError:
            return 0
        return lines.count(str(self.probe_port))

    def _probe_until_seen(self, timeout: float, every: float) -> None:
        """Send probes to the probe port until tshark has shown one more than before."""
        assert self.process is not None
        wanted = self._probes_seen() + 1
        deadline = time.monotonic() + timeout
        next_probe = 0.0
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            while self._probes_seen() < wanted:
                if self.process.poll() is not None:
                    raise RuntimeError(f"tshark exited: {self._stderr()}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"tshark shows no capture: {self._stderr()}")
                if time.monotonic() >= next_probe:
                    sock.sendto(b"rolecall-capture-probe", (LOOPBACK, self.probe_port))
                    next_probe = time.monotonic() + every
                time.sleep(0.01)

    def _stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop by pid once everything sent so far is in the file.

        dumpcap delivers packets in batches, so a capture stopped right after the last
        packet loses it (measured); a probe sent now and seen in tshark's live output means
        everything before it was captured. Then SIGINT (tshark finishes the file) and
        SIGKILL for anything left of its process group.
        """
        if self.process is None:
            return
        pgid = self.process.pid
        if self.process.poll() is None:
            with contextlib.suppress(TimeoutError, RuntimeError):
                self._probe_until_seen(timeout=3.0, every=0.5)
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(5.0)
            except subprocess.TimeoutExpired:
                stop_pid(self.process.pid, timeout=1.0)
                self.process.wait()
        kill_group_leftovers(pgid)

    def cleanup(self) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> LoopbackCapture:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.cleanup()

    # Readers (after stop()).

    def fields(
        self, display_filter: str, *fields: str, options: Iterable[str] = ()
    ) -> list[list[str]]:
        """Rows of `fields` for packets matching `display_filter` (tshark -T fields)."""
        key = (display_filter, fields, tuple(options))
        if key in self._cache:
            return self._cache[key]
        args = ["tshark", "-r", str(self.path), "-n", "-o", "rtp.heuristic_rtp:TRUE"]
        args += ["-o", f"rtpevent.event_payload_type_value:{self.event_pt}", *options]
        args += ["-Y", display_filter, "-T", "fields", "-E", "separator=\t"]
        for field in fields:
            args += ["-e", field]
        result = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"tshark -r failed: {result.stderr}")
        rows = [line.split("\t") for line in result.stdout.splitlines() if line]
        if self.process is not None and self.process.poll() is not None:
            self._cache[key] = rows  # the file no longer changes
        return rows

    def sip_methods(self) -> list[str]:
        """The method of every SIP request captured, in order (retransmissions included)."""
        return [row[0] for row in self.fields("sip.Request-Line", "sip.Method")]

    def sip_requests(self, method: str, field: str = "sip.r-uri") -> list[str]:
        """`field` of every captured `method` request, e.g. ("REFER", "sip.Refer-To")."""
        return [row[0] for row in self.fields(f'sip.Method == "{method}"', field)]

    def sip_status_codes(self) -> list[int]:
        """The status code of every SIP response captured, in order."""
        return [int(row[0]) for row in self.fields("sip.Status-Line", "sip.Status-Code")]

    def rtp_streams(self) -> list[RtpStream]:
        """RTP per direction, SSRC and payload type, with packet counts."""
        rows = self.fields(
            "rtp && !rtcp && !sip",
            "ip.src",
            "udp.srcport",
            "ip.dst",
            "udp.dstport",
            "rtp.ssrc",
            "rtp.p_type",
        )
        counts = Counter(tuple(row) for row in rows if len(row) == 6)
        return [
            RtpStream(f"{s}:{sp}", f"{d}:{dp}", ssrc, int(pt), n)
            for (s, sp, d, dp, ssrc, pt), n in sorted(counts.items())
        ]

    def rtp_count(self, payload_type: int | None = None) -> int:
        """RTP packets captured (of `payload_type` if given)."""
        return sum(
            s.packets
            for s in self.rtp_streams()
            if payload_type is None or s.payload_type == payload_type
        )

    def rtp_event_digits(self) -> list[str]:
        """RFC 2833 events captured, one entry per distinct digit press (end-of-event seen).

        Each event is sent as several packets, the last ones (with the end bit) repeated;
        this collapses them to one entry per (SSRC, RTP timestamp).
        """
        rows = self.fields("rtpevent", "rtp.ssrc", "rtp.timestamp", "rtpevent.event_id")
        seen: dict[tuple[str, str], str] = {}
        for row in rows:
            if len(row) == 3:
                seen.setdefault((row[0], row[1]), row[2])
        names = "0123456789*#ABCD"
        return [names[int(e)] if e.isdigit() and int(e) < 16 else e for e in seen.values()]
