"""The jitter buffer between two clocks: the call's 20 ms frames and the sound card's.

One thread pushes samples and another pops 20 ms frames; neither ever waits. The two
run on different clocks (the conference bridge's and the sound card's), so the fill
level drifts. Instead of dropping or repeating whole frames, every popped frame is
resampled by a tiny ratio that a controller sets from the fill level (smoothed over
about a second): within `DEAD_BAND` of the `target` the ratio is exactly 1 (the pitch is
untouched), beyond it the correction grows with the distance, so a clock 0.5 % fast or
slow is followed within seconds without a gap or a click.
Two hard bounds remain for what no controller can follow: an empty buffer yields
silence, counts an underrun and refills to its target before it plays again; a fill
more than `slack` frames above the target (the consumer was away) is cut back to the
target at once, so delay stays bounded over a call of any length.
A buffer whose producer has stopped on purpose (`feeding` false: the call ended or is
held) plays out what is left and then silence; running empty then is the end of the
audio, not an underrun, and buys no headroom.

The target adapts to the machine: each underrun raises it by one frame (up to `most`);
after `CALM_POPS` pops without one in which the fill never came near empty, it comes
down a frame again, to where it started at least. A busy machine buys itself headroom;
a quiet one keeps the delay low.

The samples live in a preallocated ring written twice (at `i` and `i + capacity`), so
every read is one contiguous slice; popping a frame allocates no numpy arrays.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

RATE = 16000
"""Samples a second everywhere on our side of the bridge (the bridge's own rate)."""
FRAME_SAMPLES = 320
"""20 ms of mono audio."""
FRAME_BYTES = FRAME_SAMPLES * 2
"""20 ms of signed 16-bit mono audio."""
SILENCE = bytes(FRAME_BYTES)

SMOOTHING = 0.02
"""Weight of each pop in the smoothed fill level (a time constant of 50 pops, 1 s)."""
DEAD_BAND = 0.5
"""Frames either side of the target within which the consumer reads at exactly real time:
bursts and jitter move the fill that much without any drift, and a ratio of exactly 1
leaves the pitch untouched."""
GAIN_P = 0.02
"""Correction per frame of error beyond the dead band (2 %, capped at 1 %): a clock
0.5 % off settles a quarter frame past the band's edge, a real one (tens of ppm) at it."""
MAX_CORRECTION = 0.01
"""The largest resampling step (1 %, a sixth of a semitone): twice the worst real drift."""
CALM_POPS = 1000
"""Pops without an underrun (20 s) after which a raised target may come down a frame…"""
SPARE = 2 * FRAME_SAMPLES + FRAME_SAMPLES // 2
"""… if the fill never fell below this meanwhile: a frame less still leaves one and a half."""

Samples = np.ndarray[Any, np.dtype[np.int16]]


@dataclass(frozen=True)
class BufferStats:
    """What the buffer did so far."""

    pushed: int
    popped: int
    underruns: int
    dropped: int
    """Frames' worth of samples cut when the fill went above the ceiling."""
    overflowed: int
    """Pushes refused because the ring was full (nobody pops)."""
    depth: int
    max_depth: int
    mean_delay_ms: float
    """Samples waiting, on average at each pop since the last `stats(window=True)`, in ms."""
    correction_ppm: int
    """How much faster (+) or slower (-) than real time the consumer reads right now."""
    max_gap_ms: float
    """The longest wait between two pushes since the last `stats(window=True)`: how late
    the producer ran at worst (20 ms when on time)."""
    target: int
    """Frames the buffer keeps now (raised by underruns, lowered when calm)."""


class FrameBuffer:
    """Samples between a producer and a consumer thread, kept near `target` frames deep.

    The producer owns `_written`, the consumer owns `_read`; each only reads the other's
    (an int read is atomic in CPython), so the two sides share no lock.
    """

    def __init__(
        self, target: int = 3, *, most: int = 8, slack: int = 5, capacity: int = 32
    ) -> None:
        self.base = target
        self.target = target
        """Frames kept waiting now (between `base` and `most`)."""
        self.most = most
        self.slack = slack
        self.capacity = capacity * FRAME_SAMPLES
        self._calm = 0
        self._low = self.capacity
        """The lowest fill seen at a pop since the target last changed or was checked."""
        self._ring = np.zeros(2 * self.capacity, np.int16)
        self._written = 0
        self._read = 0
        self._phase = 0.0
        """Fractional read position past `_read`, in samples."""
        self._priming = True
        self._clear = False
        self.feeding = True
        """Whether a producer is expected to push (set by whoever knows: the call's audio
        is connected); while false, running empty is not counted as an underrun."""
        self._level = float(target * FRAME_SAMPLES)
        self._ratio = 1.0
        self._ramp = np.arange(FRAME_SAMPLES, dtype=np.float64)
        self._pos = np.empty(FRAME_SAMPLES, np.float64)
        self._floor = np.empty(FRAME_SAMPLES, np.float64)
        self._index = np.empty(FRAME_SAMPLES, np.intp)
        self._next = np.empty(FRAME_SAMPLES, np.float64)
        self._before = np.empty(FRAME_SAMPLES, np.int16)
        self._after = np.empty(FRAME_SAMPLES, np.int16)
        self._out = np.zeros(FRAME_SAMPLES, np.int16)
        self.pushed = 0
        self.popped = 0
        self.underruns = 0
        self.dropped = 0
        self.overflowed = 0
        self.max_depth = 0
        self._fill_sum = 0
        self._fill_pops = 0
        self._pushed_at = 0.0
        self._max_gap = 0.0

    # ---- producer --------------------------------------------------------------------

    def push(self, data: Any) -> None:
        """Producer side: int16 samples (any buffer: bytes, memoryview, numpy array)."""
        now = time.monotonic()
        if now - self._pushed_at > self._max_gap and self._pushed_at:
            self._max_gap = now - self._pushed_at
        self._pushed_at = now
        samples = np.frombuffer(data, np.int16) if not isinstance(data, np.ndarray) else data
        count = len(samples)
        written = self._written
        if written - self._read + count > self.capacity:  # nobody pops: keep what is there
            self.overflowed += 1
            return
        start = written % self.capacity
        first = min(count, self.capacity - start)
        for offset in (start, start + self.capacity):  # the mirror keeps reads contiguous
            self._ring[offset : offset + first] = samples[:first]
        if first < count:
            rest = count - first
            self._ring[:rest] = samples[first:]
            self._ring[self.capacity : self.capacity + rest] = samples[first:]
        self._written = written + count
        self.pushed += 1

    # ---- consumer --------------------------------------------------------------------

    def pop_into(self, out: Samples) -> None:
        """Consumer side: the next 20 ms into `out` (silence while the buffer fills)."""
        if self._clear:
            self._clear = False
            self._read = self._written
            self._priming, self._phase = True, 0.0
        fill = self._written - self._read
        self.max_depth = max(self.max_depth, fill // FRAME_SAMPLES)
        self._fill_sum += fill
        self._fill_pops += 1
        target = self.target * FRAME_SAMPLES
        if self._priming:
            if fill < target:
                out[:] = 0
                return
            self._priming, self._phase = False, 0.0
            self._level = float(fill)
        if fill > self.ceiling * FRAME_SAMPLES:  # a backlog: the consumer was away
            cut = fill - target
            self._read += cut
            self.dropped += round(cut / FRAME_SAMPLES)
            fill, self._level = target, float(target)
        ratio = self._steer(fill, target)
        start = self._read % self.capacity
        if ratio == 1.0 and self._phase == 0.0 and fill >= FRAME_SAMPLES:  # no drift to follow
            out[:] = self._ring[start : start + FRAME_SAMPLES]
            self._read += FRAME_SAMPLES
            self.popped += 1
            self._settle(fill)
            return
        last = self._phase + ratio * (FRAME_SAMPLES - 1)
        if int(last) + 2 > fill >= FRAME_SAMPLES:  # just one frame: play it as it is
            out[:] = self._ring[start : start + FRAME_SAMPLES]
            self._read += FRAME_SAMPLES
            self._phase = 0.0
            self.popped += 1
            return
        if int(last) + 2 > fill:  # not enough for a whole frame: play out what is left
            out[:fill] = self._ring[start : start + fill]
            out[fill:] = 0
            self._read += fill
            self._priming, self._phase = True, 0.0
            self.popped += 1
            if not self.feeding:
                return  # the producer stopped: the end of its audio, not a starved buffer
            self.underruns += 1
            self.target, self._calm = min(self.most, self.target + 1), 0  # more headroom
            self._low = self.capacity
            return
        self._settle(fill)
        self._resample(start, ratio, out)
        advance = self._phase + ratio * FRAME_SAMPLES
        whole = int(advance)
        self._read += whole
        self._phase = advance - whole
        self.popped += 1

    def _settle(self, fill: int) -> None:
        """A pop without an underrun: a target raised earlier may come down a frame."""
        self._calm += 1
        self._low = min(self._low, fill)
        if self._calm >= CALM_POPS:
            if self._low >= SPARE and self.target > self.base:  # a frame never needed
                self.target -= 1
            self._calm, self._low = 0, self.capacity

    def pop(self) -> bytes:
        """`pop_into` as bytes."""
        self.pop_into(self._out)
        return self._out.tobytes()

    def _steer(self, fill: int, target: int) -> float:
        """The controller: how many input samples one output sample takes this frame."""
        self._level += (fill - self._level) * SMOOTHING
        error = (self._level - target) / FRAME_SAMPLES
        beyond = max(0.0, abs(error) - DEAD_BAND)
        correction = min(MAX_CORRECTION, GAIN_P * beyond)
        self._ratio = 1.0 + (correction if error > 0 else -correction)
        return self._ratio

    def _resample(self, start: int, ratio: float, out: Samples) -> None:
        """Linear interpolation at `phase + ratio * k`, in preallocated arrays."""
        pos, floor, index, nxt = self._pos, self._floor, self._index, self._next
        before, after = self._before, self._after
        np.multiply(self._ramp, ratio, out=pos)
        pos += self._phase
        np.floor(pos, out=floor)
        np.copyto(index, floor, casting="unsafe")
        pos -= floor  # now the fraction
        window = self._ring[start : start + self.capacity]
        np.take(window, index, out=before)
        index += 1
        np.take(window, index, out=after)
        np.subtract(after, before, out=nxt)
        nxt *= pos
        nxt += before
        np.rint(nxt, out=nxt)
        np.copyto(out, nxt, casting="unsafe")

    # ---- either side -----------------------------------------------------------------

    def clear(self) -> None:
        """Forget what waits (done by the consumer at its next pop)."""
        self._clear = True
        self._pushed_at = 0.0

    @property
    def ceiling(self) -> int:
        """Frames above which the buffer is cut back to its target."""
        return self.target + self.slack

    @property
    def depth(self) -> int:
        """Whole frames waiting."""
        return (self._written - self._read) // FRAME_SAMPLES

    @property
    def correction(self) -> float:
        """The consumer's current speed relative to real time, minus one."""
        return self._ratio - 1.0

    def stats(self, *, window: bool = False) -> BufferStats:
        """The counters; `window` starts a new averaging window for `mean_delay_ms`."""
        mean = 1000 * self._fill_sum / RATE / self._fill_pops if self._fill_pops else 0.0
        gap = self._max_gap
        if window:
            self._fill_sum = self._fill_pops = 0
            self._max_gap = 0.0
        return BufferStats(
            self.pushed,
            self.popped,
            self.underruns,
            self.dropped,
            self.overflowed,
            self.depth,
            self.max_depth,
            round(mean, 1),
            round(self.correction * 1e6),
            round(gap * 1000, 1),
            self.target,
        )
