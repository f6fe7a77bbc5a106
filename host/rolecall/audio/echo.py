"""Echo cancellation and noise suppression: WebRTC's audio processing module, on its own thread.

The module (from the `livekit` package, `rtc.AudioProcessingModule`) works on 10 ms
frames: every 20 ms frame we play is handed to it as the far end's signal
(`process_reverse_stream`), and every 20 ms frame from the microphone is cleaned in place
(`process_stream`) before it enters the call.

The sound card callbacks do none of this work: they copy their frame and its sound card
timestamp (smoothed: one frame after the last, pulled slowly toward what the card says)
into a preallocated ring (`far_end`, `near_end`) and return. This module's
thread takes the microphone frames in order and, before cleaning one, gives the module
every played frame whose playing time (the DAC timestamp) is not later than the
microphone frame's capture time (the ADC timestamp). So the module sees played and
captured frames interleaved one for one, in the order they met the air, however the
sound server bunches its callbacks (it delivers them in pairs or fours on a busy
machine): AEC3 resets its delay estimate when the far end runs more than about 30 ms
ahead of the near end in calls, which is what the callbacks' own order did in about
half the calls. Cleaned frames go to `sink` (the microphone's jitter buffer), from this
thread only. Where the package is missing, frames pass through untouched and
`available` says so.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from rolecall.audio.jitter import FRAME_BYTES, FRAME_SAMPLES, RATE, Samples

log = logging.getLogger(__name__)
_HALF = FRAME_BYTES // 2
_HALF_SAMPLES = _HALF // 2
RING = 64
"""Frames each side's ring holds (1.28 s): far more than a sound server runs ahead."""
STALE_S = 0.5
"""A played frame this much older than the microphone frame at hand cannot be in it (an
echo path is tens of ms): it is skipped, not fed in a burst that would upset the module."""
FRAME_S = FRAME_SAMPLES / RATE
FOLLOW = 0.02
"""How much of a timestamp's deviation from one frame later is taken: PulseAudio through
ALSA stamps microphone frames with ±30 ms of jitter, which, taken as it is, would pair
each microphone frame with a different played frame and keep the module re-aligning."""
LEAD_S = 0.07
"""How much earlier than its echo's capture time a played frame is given to the module.
WebRTC's AEC3 (as this package builds it) found and cancelled a fixed echo within 3 s
only where the delay it saw between a played frame and its echo was about 85–145 ms;
at 25–65 ms or beyond 185 ms it stayed at 2–10 dB (measured offline on one PulseAudio
loopback recording, sliding the pairing frame by frame). A speaker's echo reaches the
microphone 0–60 ms after the sound card's playing time, so this lead puts it in that range."""
RESYNC_S = 0.1
"""A timestamp this far off is a new start (a stream opened, a gap, a jump), taken as is."""
_STOP = object()


def _rtc() -> Any:
    try:
        from livekit import rtc
    except (ImportError, OSError) as exc:  # not installed, or its native library is missing
        log.warning("no echo cancellation: %s", exc)
        return None
    return rtc


class _Ring:
    """Frames and their timestamps between one sound card thread (writes) and the worker
    (reads): each side owns one counter, so the two share no lock."""

    def __init__(self) -> None:
        self.frames = np.zeros((RING, FRAME_SAMPLES), np.int16)
        self.stamps = np.zeros(RING, np.float64)
        self.written = 0
        self.read = 0
        self.refused = 0
        self._clock = 0.0
        """The stamp of the last frame, smoothed: one frame later each time, pulled a
        little toward what the sound card says."""

    def put(self, frame: Samples, stamp: float) -> bool:
        written = self.written
        if written - self.read >= RING:  # the worker is away: keep what waits
            self.refused += 1
            return False
        expected = self._clock + FRAME_S
        error = stamp - expected
        if abs(error) > RESYNC_S:  # a new stream, a gap or a sound server's jump
            self._clock = stamp
        else:
            self._clock = expected + error * FOLLOW
        slot = written % RING
        self.frames[slot] = frame
        self.stamps[slot] = self._clock
        self.written = written + 1
        return True


class EchoCanceller:
    """One processing module (rebuilt when its switches change) and the thread that runs it."""

    def __init__(
        self, *, echo: bool, noise: bool, sink: Callable[[Samples], None] | None = None
    ) -> None:
        self._rtc = _rtc()
        self._apm: Any = None
        if self._rtc is not None:
            self._far_halves, self._near_halves = _Halves(self._rtc), _Halves(self._rtc)
        self.sink = sink
        self._far = _Ring()
        self._near = _Ring()
        self._wake: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.skipped = 0
        """Played frames too old to matter by the time a microphone frame came."""
        self.paired = 0
        """Played frames given to the module."""
        self.lead_ms = 0.0
        """How far the newest played frame waiting was ahead of the last microphone frame
        cleaned (the output's lead over the input, by the sound card's clocks)."""
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
        self._apm = apm  # one reference swap: the worker sees old or new
        self.echo, self.noise = echo and apm is not None, noise and apm is not None

    def set_delay(self, delay_ms: int) -> None:
        """How long a played sample takes to come back in the microphone (a hint)."""
        apm = self._apm
        if apm is not None:
            apm.set_stream_delay_ms(max(0, min(500, delay_ms)))

    # ---- the sound card threads: a copy, never a wait ---------------------------------

    def far_end(self, frame: Samples, dac_time: float) -> None:
        """A frame as it goes to the speaker, and when the sound card plays it (the output
        stream's thread only)."""
        if self._apm is not None:
            self._far.put(frame, dac_time)

    def near_end(self, frame: Samples, adc_time: float) -> None:
        """A frame from the microphone and when the sound card captured it (the input
        stream's thread only); it reaches `sink` cleaned, from the worker thread."""
        if self._near.put(frame, adc_time):
            self._wake.put(None)

    # ---- the worker ------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="echo", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._wake.put(_STOP)
            thread.join(2)

    def _work(self) -> None:
        while self._wake.get() is not _STOP:
            try:
                self.drain()
            except Exception:
                log.exception("echo canceller step failed")

    def drain(self) -> None:
        """Cleans every microphone frame waiting, in order, and hands each to `sink`."""
        near = self._near
        while near.read < near.written:
            slot = near.read % RING
            frame: Samples = near.frames[slot]
            apm = self._apm
            if apm is not None:
                self._play_until(apm, float(near.stamps[slot]))
                self._near_halves.load(frame)
                for half in self._near_halves.frames:
                    apm.process_stream(half)  # in place
                frame = self._near_halves.result()
            else:
                self._far.read = self._far.written  # nothing to compare with: forget it
            sink = self.sink
            if sink is not None:
                sink(frame)
            near.read += 1

    def _play_until(self, apm: Any, stamp: float) -> None:
        far = self._far
        while far.read < far.written:
            slot = far.read % RING
            played = float(far.stamps[slot])
            if played > stamp + LEAD_S:
                self.lead_ms = 1000 * (float(far.stamps[(far.written - 1) % RING]) - stamp)
                return  # not yet in the air when this microphone frame was captured
            far.read += 1
            if played < stamp - STALE_S:
                self.skipped += 1
                continue
            self.paired += 1
            self._far_halves.load(far.frames[slot])
            for half in self._far_halves.frames:
                apm.process_reverse_stream(half)


def stamp(value: float, offset: float) -> float:
    """A sound card timestamp, or where the host API gives none (0) now plus `offset` (the
    output's latency ahead, the input's behind): one clock on both sides either way."""
    return value if value > 0 else time.monotonic() + offset


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


def describe(echo: EchoCanceller) -> str:
    """The canceller's counters, for the log."""
    return (
        f"echo paired {echo.paired}, skipped {echo.skipped}, refused far {echo._far.refused} "
        f"near {echo._near.refused}, far lead {echo.lead_ms:.0f} ms"
    )
