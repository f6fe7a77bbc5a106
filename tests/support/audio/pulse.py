"""A real PulseAudio server for a test: null sinks for speakers, a virtual microphone.

    spk, spk2, ringer   null sinks: what the user would hear (record `<sink>.monitor`)
    micfeed             a null sink; `mic` is its monitor remapped as a source: what is
                        played into `micfeed` is what the user "says"

The server runs in the foreground as our child (so it is stopped by pid, also when a test
fails) in a private XDG_RUNTIME_DIR; `env` is what a client needs to reach it.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import wave
from pathlib import Path

SINKS = ("spk", "spk2", "ringer", "micfeed")
RECORD_RATE = 16000
WAV_HEADER_BYTES = 44


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def write_sine(
    path: Path, hz: float, seconds: float, rate: int = 16000, level: float = 0.3
) -> Path:
    frames = int(rate * seconds)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(level * 32767 * math.sin(2 * math.pi * hz * i / rate)))
                for i in range(frames)
            )
        )
    return path


class PulseServer:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="rc-pulse-", dir="/tmp"))
        self.runtime = self.root / "run"
        self.runtime.mkdir(mode=0o700)
        self.env = {
            "XDG_RUNTIME_DIR": str(self.runtime),
            "PULSE_RUNTIME_PATH": str(self.runtime / "pulse"),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.children: list[subprocess.Popen[bytes]] = []

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def client_env(self) -> dict[str, str]:
        env = {**os.environ, **self.env}
        env.pop("PULSE_SERVER", None)
        env.pop("PULSE_SINK", None)
        env.pop("PULSE_SOURCE", None)
        return env

    def start(self, timeout: float = 10.0, *, realtime: bool = False) -> PulseServer:
        """`realtime`: its I/O threads at realtime priority, as a desktop's sound server
        runs them (through rtkit); only where this process may grant it (root, or an
        RLIMIT_RTPRIO), else PulseAudio goes on without it."""
        args = ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n", "--log-target=stderr"]
        if realtime:
            args += ["--realtime=yes", "--high-priority=yes"]
        args += ["--load=module-native-protocol-unix"]
        args += [f"--load=module-null-sink sink_name={name}" for name in SINKS]
        args += ["--load=module-remap-source master=micfeed.monitor source_name=mic"]
        log = (self.root / "pulse.log").open("wb")
        self.process = subprocess.Popen(
            args, env=self.client_env(), stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
        deadline = time.monotonic() + timeout
        while self.pactl_run("info").returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"pulseaudio did not start: {self.log()[-2000:]}")
            time.sleep(0.1)
        self.pactl("set-default-sink", "spk")
        self.pactl("set-default-source", "mic")
        return self

    def pactl_run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pactl", *args], env=self.client_env(), capture_output=True, text=True, timeout=10
        )

    def pactl(self, *args: str) -> str:
        done = self.pactl_run(*args)
        if done.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)}: {done.stderr}")
        return done.stdout

    def play(self, sink: str, wav: Path, *, loop: bool = False) -> subprocess.Popen[bytes]:
        """`paplay` of `wav` into `sink` (again and again with `loop`); stopped at `stop`."""
        command = f'while paplay -d {sink} "{wav}"; do :; done' if loop else None
        args = ["sh", "-c", command] if command else ["paplay", "-d", sink, str(wav)]
        process = subprocess.Popen(args, env=self.client_env(), start_new_session=True)
        self.children.append(process)
        return process

    def record(self, source: str, path: Path) -> subprocess.Popen[bytes]:
        """16 kHz mono WAV of `source` until `finish(process)`."""
        process = subprocess.Popen(
            ["parecord", "-d", source, f"--rate={RECORD_RATE}", "--channels=1", "--format=s16le",
             "--latency-msec=20", "--file-format=wav", str(path)],
            env=self.client_env(),
            start_new_session=True,
        )  # fmt: skip
        self.children.append(process)
        return process

    def wait_recorded(self, *paths: Path, seconds: float, grace: float = 3.0) -> None:
        """Until every recording in `paths` holds `seconds` of sound, or `seconds + grace`
        have passed. parecord's first samples can come seconds after it starts (seen: 2 s
        on a server just started, 0.4-1.3 s beside a browser), so a take's length is waited
        for, not slept for. A null sink with nothing playing may give its monitor no frames
        at all: the grace bounds that wait, and the caller judges what the take holds."""
        wanted = WAV_HEADER_BYTES + int(seconds * RECORD_RATE) * 2
        deadline = time.monotonic() + seconds + grace
        while any(_size(path) < wanted for path in paths) and time.monotonic() < deadline:
            time.sleep(0.05)

    def finish(self, process: subprocess.Popen[bytes]) -> None:
        """Stops a player or recorder (a recorder writes its WAV header as it exits)."""
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def capture(self, source: str, path: Path, seconds: float) -> Path:
        """`seconds` of `source` recorded into `path`, counted from its first sample."""
        recorder = self.record(source, path)
        try:
            self.wait_recorded(path, seconds=seconds)
        finally:
            self.finish(recorder)
        return path

    def log(self) -> str:
        try:
            return (self.root / "pulse.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        for child in self.children:
            self.finish(child)
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PulseServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
