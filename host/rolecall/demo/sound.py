"""The headless demo's own sound server: a private PulseAudio with a speaker and a microphone.

    spk       a null sink, the default: what the user hears (recorded from `spk.monitor`)
    micfeed   a null sink; `mic`, the default source, is its monitor remapped: what is
              played into `micfeed` is what the user says

The server runs in the foreground as one of the demo's children (stopped by pid with
the rest) in a private runtime directory under the demo's output; `env` is what the
daemon and the players need to reach it. Also the level of a recorded WAV.
"""

from __future__ import annotations

import array
import math
import os
import shutil
import subprocess
import time
import wave
from pathlib import Path

from rolecall.demo.processes import Children

__all__ = ["DemoSound", "pulseaudio_available", "rms_dbfs"]

_WAV_HEADER = 44
SILENCE_DBFS = -55.0
"""Below this a recording holds no voice (a null sink's silence is digital zero)."""


def pulseaudio_available() -> bool:
    return all(shutil.which(tool) for tool in ("pulseaudio", "pactl", "paplay", "parecord"))


def rms_dbfs(path: Path) -> float:
    """RMS level of a 16-bit WAV in dB below full scale; -120 for silence or no file.

    A WAV still being written (its header not yet updated with the data's length, as
    pjmedia's writer leaves it until closed) is read as the samples after the header."""
    try:
        with wave.open(str(path), "rb") as source:
            if source.getsampwidth() != 2:
                return -120.0
            data = source.readframes(source.getnframes())
        if not data:
            data = path.read_bytes()[_WAV_HEADER:]
    except (OSError, EOFError, wave.Error):
        return -120.0
    samples = array.array("h", data[: len(data) - len(data) % 2])
    if not samples:
        return -120.0
    mean_square = sum(s * s for s in samples) / len(samples)
    return 20 * math.log10(math.sqrt(mean_square) / 32768) if mean_square else -120.0


class DemoSound:
    def __init__(self, root: Path, children: Children) -> None:
        self.root = root
        self.runtime = root / "run"
        self.children = children

    @property
    def env(self) -> dict[str, str]:
        """Reaches this server, never the user's."""
        env = {k: v for k, v in os.environ.items() if k not in ("PULSE_SINK", "PULSE_SOURCE")}
        env["PULSE_SERVER"] = f"unix:{self.runtime / 'pulse' / 'native'}"
        env["PULSE_RUNTIME_PATH"] = str(self.runtime / "pulse")
        env["XDG_RUNTIME_DIR"] = str(self.runtime)
        return env

    def start(self, timeout: float = 10.0) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self.runtime.mkdir(parents=True, mode=0o700)
        args = ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n", "--log-target=stderr"]
        args += ["--load=module-native-protocol-unix"]
        args += [f"--load=module-null-sink sink_name={name}" for name in ("spk", "micfeed")]
        args += ["--load=module-remap-source master=micfeed.monitor source_name=mic"]
        process = self.children.start("pulseaudio", args, log=self.root / "pulse.log", env=self.env)
        deadline = time.monotonic() + timeout
        while self._pactl("info").returncode != 0:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"pulseaudio did not start; see {self.root / 'pulse.log'}")
            time.sleep(0.1)
        self._pactl("set-default-sink", "spk")
        self._pactl("set-default-source", "mic")

    def _pactl(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["pactl", *args], env=self.env, capture_output=True, timeout=10)

    def say(self, wav: Path) -> subprocess.Popen[bytes]:
        """Plays `wav` into the microphone (the user speaking)."""
        return self.children.start(
            "paplay", ["paplay", "-d", "micfeed", str(wav)], log=self.root / "paplay.log",
            env=self.env,
        )  # fmt: skip

    def listen(self, path: Path) -> subprocess.Popen[bytes]:
        """Records what the speaker plays into `path` (16 kHz mono) until `done`."""
        args = ["parecord", "-d", "spk.monitor", "--rate=16000", "--channels=1"]
        args += ["--format=s16le", "--file-format=wav", str(path)]
        return self.children.start("parecord", args, log=self.root / "parecord.log", env=self.env)

    @staticmethod
    def done(process: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
        """Ends a recorder with SIGINT, so it writes its WAV header, and waits for it."""
        if process.poll() is None:
            process.send_signal(2)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
