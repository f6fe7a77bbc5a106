"""Call progress tones, generated: ringtone, ringback, busy, failure and keypad tones.

Each tone is a cadence of (frequencies, on ms, off ms) steps; `ToneSource` yields it as
20 ms frames of 16 kHz mono s16, looping or once. No sound files are needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from rolecall.audio.jitter import FRAME_SAMPLES, RATE

ToneName = Literal["ringtone", "ringback", "busy", "failure", "keys", "test"]
Samples = npt.NDArray[np.int16]

DTMF: dict[str, tuple[float, float]] = {
    key: (low, high)
    for row, low in zip(("123A", "456B", "789C", "*0#D"), (697, 770, 852, 941), strict=True)
    for key, high in zip(row, (1209, 1336, 1477, 1633), strict=True)
}


@dataclass(frozen=True)
class Step:
    freqs: tuple[float, ...]
    on_ms: int
    off_ms: int


CADENCES: dict[str, tuple[tuple[Step, ...], bool]] = {
    # (steps, loops)
    "ringtone": ((Step((660.0, 880.0), 400, 200), Step((660.0, 880.0), 400, 2000)), True),
    "ringback": ((Step((440.0, 480.0), 2000, 4000),), True),
    "busy": ((Step((480.0, 620.0), 500, 500),) * 4, False),
    "failure": (
        (Step((950.0,), 330, 0), Step((1400.0,), 330, 0), Step((1800.0,), 330, 1000)) * 2,
        False,
    ),
    "test": ((Step((1000.0,), 1000, 0),), False),
}


def render(steps: tuple[Step, ...], level: float = 0.25) -> Samples:
    """The whole cadence as samples (`level` of full scale, split between frequencies)."""
    parts: list[npt.NDArray[np.float64]] = []
    for step in steps:
        t = np.arange(RATE * step.on_ms // 1000) / RATE
        tone = sum((np.sin(2 * np.pi * f * t) for f in step.freqs), np.zeros_like(t))
        ramp = min(len(t) // 2, RATE // 200)  # 5 ms fades: no clicks
        if ramp:
            envelope = np.ones_like(t)
            envelope[:ramp] = np.linspace(0, 1, ramp)
            envelope[-ramp:] = np.linspace(1, 0, ramp)
            tone = tone * envelope
        parts.append(tone * level / max(1, len(step.freqs)))
        parts.append(np.zeros(RATE * step.off_ms // 1000))
    samples = np.concatenate(parts) if parts else np.zeros(0)
    pad = (-len(samples)) % FRAME_SAMPLES
    samples = np.concatenate([samples, np.zeros(pad)])
    return (samples * 32767).astype(np.int16)


def keys_steps(digits: str) -> tuple[Step, ...]:
    return tuple(Step(DTMF[d], 100, 50) for d in digits.upper() if d in DTMF)


class ToneSource:
    """One tone, frame by frame."""

    def __init__(self, name: ToneName, digits: str = "") -> None:
        if name == "keys":
            steps, self.loops = keys_steps(digits), False
        else:
            steps, self.loops = CADENCES[name]
        self.name = name
        self._samples = render(steps)
        self._at = 0

    @property
    def finished(self) -> bool:
        return not self.loops and self._at >= len(self._samples)

    def next_frame(self) -> Samples | None:
        """The next 20 ms, or None once a one-shot tone has ended."""
        if len(self._samples) == 0:
            return None
        if self._at >= len(self._samples):
            if not self.loops:
                return None
            self._at = 0
        frame = self._samples[self._at : self._at + FRAME_SAMPLES]
        self._at += FRAME_SAMPLES
        return frame
