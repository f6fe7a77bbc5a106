"""Telling from a recording whether a tone was heard: the Goertzel filter on a WAV file."""

from __future__ import annotations

import itertools
import math
import struct
import time
import wave
from pathlib import Path


def wait_for_wav(path: Path, timeout: float = 10.0) -> Path:
    """`path` once its writer has finished it (the header is written when it closes)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with wave.open(str(path), "rb") as wav:
                if wav.getnframes() > 0:
                    return path
        except (OSError, EOFError, wave.Error):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} is not a finished WAV file")
        time.sleep(0.1)


def tone_power(path: Path, hz: float, *, skip_s: float = 0.5) -> float:
    """The share (0–1) of the recording's energy at `hz`, after the first `skip_s` seconds."""
    with wave.open(str(wait_for_wav(path)), "rb") as wav:
        rate = wav.getframerate()
        wav.readframes(int(rate * skip_s))
        frames = wav.readframes(wav.getnframes())
    samples = struct.unpack(f"<{len(frames) // 2}h", frames[: len(frames) // 2 * 2])
    if not samples:
        return 0.0
    coeff = 2 * math.cos(2 * math.pi * hz / rate)
    s_prev = s_prev2 = 0.0
    for sample in samples:
        s = sample + coeff * s_prev - s_prev2
        s_prev2, s_prev = s_prev, s
    power = s_prev2**2 + s_prev**2 - coeff * s_prev * s_prev2
    energy = sum(x * x for x in samples) * len(samples) / 2
    return power / energy if energy else 0.0


def loudness(path: Path, window_s: float = 0.1) -> list[float]:
    """The RMS level (0–32767) of each `window_s` of the recording, in order."""
    with wave.open(str(wait_for_wav(path)), "rb") as wav:
        rate = wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    samples = struct.unpack(f"<{len(frames) // 2}h", frames[: len(frames) // 2 * 2])
    size = max(1, int(rate * window_s))
    levels = []
    for start in range(0, len(samples) - size + 1, size):
        chunk = samples[start : start + size]
        levels.append(math.sqrt(sum(s * s for s in chunk) / size))
    return levels


def longest_quiet(levels: list[float], threshold: float) -> int:
    """The longest run of windows below `threshold` between two windows above it."""
    loud = [i for i, level in enumerate(levels) if level >= threshold]
    if len(loud) < 2:
        return 0
    return max((b - a - 1 for a, b in itertools.pairwise(loud)), default=0)
