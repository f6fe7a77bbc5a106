"""Telling who stalled the voice: this process, or the machine and its sound server.

A sound card callback that runs late starves a buffer. Two clocks tell why it was late:
PortAudio stamps each callback (`currentTime`, taken in C on its own thread before the
callback waits for Python's interpreter lock), and the callback reads our monotonic
clock once its Python code runs. So per stream:

- `wait`: how long the Python code started after PortAudio's stamp (the offset between
  the two clocks is learned as the smallest seen): the interpreter lock held by other
  threads of ours, a garbage collection, or the callback's own earlier work. Ours.
- `late`: how much later than one block after the previous stamp PortAudio stamped this
  one: its thread was not run, or the sound server did not ask. The machine's (or the
  sound server's); nothing in this process can delay a stamp taken before the lock.

The garbage collector's pauses are timed too (`gc.callbacks`). All of it is a few
float operations per callback; the counters go to the engine's log line.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass

STALL_S = 0.04
"""A wait or lateness this long (two 20 ms frames) counts as a stall."""
DRIFT_S = 1e-6
"""How much the learned clock offset may rise per callback, so a slow drift between the
two clocks is followed (a callback that is never late resets it to the truth)."""


@dataclass(frozen=True)
class StallStats:
    """One stream's stalls since the last window (ms, counts over `STALL_S`)."""

    wait_max_ms: float
    waits: int
    late_max_ms: float
    lates: int


class StallWatch:
    """One stream's callbacks: call `tick` first thing in each, with PortAudio's stamp."""

    def __init__(self, block_s: float) -> None:
        self.block_s = block_s
        self._offset = float("inf")
        self._last = 0.0
        self._wait_max = 0.0
        self._late_max = 0.0
        self.waits = 0
        self.lates = 0

    def tick(self, stamp: float) -> None:
        if stamp <= 0:  # a host API without stamps: nothing to tell apart
            return
        offset = time.monotonic() - stamp
        self._offset = min(self._offset + DRIFT_S, offset)
        wait = offset - self._offset
        if wait > self._wait_max:
            self._wait_max = wait
        if wait > STALL_S:
            self.waits += 1
        if self._last:
            late = stamp - self._last - self.block_s
            if late > self._late_max:
                self._late_max = late
            if late > STALL_S:
                self.lates += 1
        self._last = stamp

    def restart(self) -> None:
        """A new stream: its first stamp is no late one."""
        self._last = 0.0

    def window(self) -> StallStats:
        """The stalls so far; the maxima start again."""
        stats = StallStats(
            round(self._wait_max * 1000, 1),
            self.waits,
            round(self._late_max * 1000, 1),
            self.lates,
        )
        self._wait_max = self._late_max = 0.0
        return stats


class GcWatch:
    """The garbage collector's pauses, from `gc.callbacks` (any thread: the collector
    runs with the interpreter lock held, so its pauses are every thread's)."""

    def __init__(self) -> None:
        self._began = 0.0
        self._max = 0.0
        self.pauses = 0
        """Collections that took `STALL_S` or more."""

    def install(self) -> None:
        if self._callback not in gc.callbacks:
            gc.callbacks.append(self._callback)

    def uninstall(self) -> None:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
            return
        took = time.perf_counter() - self._began
        if took > self._max:
            self._max = took
        if took > STALL_S:
            self.pauses += 1

    def window(self) -> str:
        took, self._max = self._max, 0.0
        return f"gc max {took * 1000:.1f} ms, {self.pauses} over {STALL_S * 1000:.0f} ms"
