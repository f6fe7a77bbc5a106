"""The jitter buffer between two clocks: the call's 20 ms frames and the sound card's.

One thread pushes frames and another pops them; neither ever waits. The producer and the
consumer run on different clocks (the conference bridge's and the sound card's), so the
depth drifts: a buffer that stays above its target for a second loses one frame, and an
empty buffer yields silence, counts an underrun and refills to its target before it plays
again; a backlog (the consumer was away) is cut back to the target at once. Delay
therefore stays near `target` frames over a call of any length.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

RATE = 16000
"""Samples a second everywhere on our side of the bridge (the bridge's own rate)."""
FRAME_SAMPLES = 320
"""20 ms of mono audio."""
FRAME_BYTES = FRAME_SAMPLES * 2
"""20 ms of signed 16-bit mono audio."""
SILENCE = bytes(FRAME_BYTES)


@dataclass(frozen=True)
class BufferStats:
    """What the buffer did so far."""

    pushed: int
    popped: int
    underruns: int
    dropped: int
    overflowed: int
    depth: int
    max_depth: int
    mean_delay_ms: float
    """Frames waiting, on average at each pop since the last `stats(window=True)`, in ms."""


class FrameBuffer:
    """Frames between a producer and a consumer thread, kept near `target` frames deep.

    `collections.deque.append` and `popleft` are atomic in CPython, so the two sides share
    no lock; counters are each written by one side only.
    """

    def __init__(self, target: int = 2, *, slack: int = 2, limit: int = 15) -> None:
        self.target = target
        self.slack = slack
        self.limit = limit
        self._frames: deque[bytes] = deque()
        self._priming = True
        self._high_since = 0
        self.pushed = 0
        self.popped = 0
        self.underruns = 0
        self.dropped = 0
        self.overflowed = 0
        self.max_depth = 0
        self._depth_sum = 0
        self._depth_pops = 0

    def push(self, frame: bytes) -> None:
        """Producer side: one frame of `FRAME_BYTES` (shorter ones are padded)."""
        if len(frame) != FRAME_BYTES:
            frame = (frame + SILENCE)[:FRAME_BYTES]
        self._frames.append(frame)
        self.pushed += 1
        if len(self._frames) > self.limit:  # the consumer stopped: keep the newest
            self._frames.popleft()
            self.overflowed += 1

    def pop(self) -> bytes:
        """Consumer side: the next frame, or silence while the buffer (re)fills."""
        depth = len(self._frames)
        self.max_depth = max(self.max_depth, depth)
        self._depth_sum += depth
        self._depth_pops += 1
        if self._priming:
            if depth < self.target:
                return SILENCE
            self._priming = False
        if depth == 0:
            self.underruns += 1
            self._priming = True
            return SILENCE
        if depth > self.target + 3 * self.slack:  # a backlog (the consumer was away)
            while len(self._frames) > self.target:
                self._frames.popleft()
                self.dropped += 1
        elif depth > self.target + self.slack:
            self._high_since += 1
            if self._high_since >= 50:  # a second too deep: the producer's clock is faster
                self._high_since = 0
                self._frames.popleft()
                self.dropped += 1
        else:
            self._high_since = 0
        try:
            frame = self._frames.popleft()
        except IndexError:  # cleared meanwhile
            return SILENCE
        self.popped += 1
        return frame

    def clear(self) -> None:
        self._frames.clear()
        self._priming = True

    @property
    def depth(self) -> int:
        return len(self._frames)

    def stats(self, *, window: bool = False) -> BufferStats:
        """The counters; `window` starts a new averaging window for `mean_delay_ms`."""
        mean = 20 * self._depth_sum / self._depth_pops if self._depth_pops else 0.0
        if window:
            self._depth_sum = self._depth_pops = 0
        return BufferStats(
            self.pushed,
            self.popped,
            self.underruns,
            self.dropped,
            self.overflowed,
            len(self._frames),
            self.max_depth,
            round(mean, 1),
        )
