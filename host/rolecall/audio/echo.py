"""Echo cancellation and noise suppression: WebRTC's audio processing module.

The module (from the `livekit` package, `rtc.AudioProcessingModule`) works on 10 ms
frames: every 20 ms frame we play is handed to it as the far end's signal
(`process_reverse_stream`), and every 20 ms frame from the microphone is cleaned in place
(`process_stream`) before it enters the call. Where the package is missing, frames pass
through untouched and `available` says so.
"""

from __future__ import annotations

import logging
from typing import Any

from rolecall.audio.jitter import FRAME_BYTES, RATE

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

    def far_end(self, frame: bytes) -> None:
        """A frame as it goes to the speaker (sound card thread)."""
        apm = self._apm
        if apm is None:
            return
        for start in (0, _HALF):
            chunk = self._rtc.AudioFrame(frame[start : start + _HALF], RATE, 1, _HALF_SAMPLES)
            apm.process_reverse_stream(chunk)

    def near_end(self, frame: bytes) -> bytes:
        """A frame from the microphone, with the echo removed (sound card thread)."""
        apm = self._apm
        if apm is None:
            return frame
        out = bytearray()
        for start in (0, _HALF):
            chunk = self._rtc.AudioFrame(frame[start : start + _HALF], RATE, 1, _HALF_SAMPLES)
            apm.process_stream(chunk)  # in place; the module serialises its own calls
            out += bytes(chunk.data)
        return bytes(out)
