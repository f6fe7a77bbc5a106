"""Echo cancellation and noise suppression: WebRTC's audio processing module.

The module (from the `livekit` package, `rtc.AudioProcessingModule`) works on 10 ms
frames: every 20 ms frame we play is handed to it as the far end's signal
(`process_reverse_stream`), and every 20 ms frame from the microphone is cleaned in place
(`process_stream`) before it enters the call. The 10 ms frames and their buffers are
made once and refilled, so a frame costs the module's own work and no allocations of
ours. Where the package is missing, frames pass through untouched and `available` says so.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from rolecall.audio.jitter import FRAME_BYTES, RATE, Samples

log = logging.getLogger(__name__)
_HALF = FRAME_BYTES // 2
_HALF_SAMPLES = _HALF // 2


def _rtc() -> Any:
    try:
        from livekit import rtc
    except (ImportError, OSError) as exc:  # not installed, or its native library is missing
        log.warning("no echo cancellation: %s", exc)
        return None
    return rtc


class EchoCanceller:
    """One processing module; rebuilt when its switches change."""

    def __init__(self, *, echo: bool, noise: bool) -> None:
        self._rtc = _rtc()
        self._apm: Any = None
        if self._rtc is not None:
            self._far, self._near = _Halves(self._rtc), _Halves(self._rtc)
        self.echo = False
        self.noise = False
        self.configure(echo=echo, noise=noise)

    @property
    def available(self) -> bool:
        return self._rtc is not None

    def configure(self, *, echo: bool, noise: bool, delay_ms: int | None = None) -> None:
        apm = None
        if self._rtc is not None and (echo or noise):
            apm = self._rtc.AudioProcessingModule(
                echo_cancellation=echo, noise_suppression=noise, high_pass_filter=True
            )
            if delay_ms is not None:
                apm.set_stream_delay_ms(delay_ms)
        self._apm = apm  # one reference swap: the sound card threads see old or new
        self.echo, self.noise = echo and apm is not None, noise and apm is not None

    def set_delay(self, delay_ms: int) -> None:
        """How long a played sample takes to come back in the microphone (a hint)."""
        apm = self._apm
        if apm is not None:
            apm.set_stream_delay_ms(max(0, min(500, delay_ms)))

    def far_end(self, frame: Samples) -> None:
        """A frame as it goes to the speaker (the output stream's thread only)."""
        apm = self._apm
        if apm is None:
            return
        self._far.load(frame)
        for half in self._far.frames:
            apm.process_reverse_stream(half)

    def near_end(self, frame: Samples) -> Samples:
        """A frame from the microphone with the echo removed (the input stream's thread
        only); the answer is this canceller's own array, valid until the next call."""
        apm = self._apm
        if apm is None:
            return frame
        self._near.load(frame)
        for half in self._near.frames:
            apm.process_stream(half)  # in place; the module serialises its own calls
        return self._near.result()


class _Halves:
    """One side's two 10 ms frames, made once and refilled for every 20 ms frame."""

    def __init__(self, rtc: Any) -> None:
        self._buffers = (bytearray(_HALF), bytearray(_HALF))
        self._views = tuple(np.frombuffer(b, np.int16) for b in self._buffers)
        self.frames = tuple(rtc.AudioFrame(b, RATE, 1, _HALF_SAMPLES) for b in self._buffers)
        self._joined = np.zeros(2 * _HALF_SAMPLES, np.int16)

    def load(self, frame: Samples) -> None:
        self._views[0][:] = frame[:_HALF_SAMPLES]
        self._views[1][:] = frame[_HALF_SAMPLES:]

    def result(self) -> Samples:
        self._joined[:_HALF_SAMPLES] = self._views[0]
        self._joined[_HALF_SAMPLES:] = self._views[1]
        return self._joined
