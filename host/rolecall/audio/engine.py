"""The audio engine: microphone and speaker streams around the call's 20 ms frames.

    mic stream ─▶ ring ─ echo canceller's thread ─ `mic` buffer ─▶ `mic_frame()` (bridge pulls)
    `speaker_frame()` ─▶ `speaker` buffer ─ + tones/ring ─ speaker stream ─▶ ring (far end)

The sound card callbacks copy a frame and read a few flags; the bridge's clock thread
only touches the buffers; none of them waits. The echo canceller works on its own thread
(`audio/echo.py`), and `audio/stalls.py` tells whose stall made a callback late. A
supervisor thread opens and closes streams. Streams are open only while something is to
be heard or said: a call (placed, ringing, or its frames moving on the bridge), a tone,
the level test; `IDLE_CLOSE_S` after the last of these they close, so an idle daemon
costs nothing and holds no microphone. At start and when the settings change both
devices are opened once to learn what is there (the state names the devices that will
be used, or says which one is missing). A stream
that stops delivering (a headset pulled out) makes PortAudio restart to re-enumerate, and
every stream is reopened, on the system default where the remembered device is gone. A
missing device leaves its side silent and is looked for again, less and less often.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

import numpy as np

from rolecall.audio import devices
from rolecall.audio.echo import EchoCanceller, describe, stamp
from rolecall.audio.jitter import FRAME_SAMPLES, RATE, SILENCE, FrameBuffer, Samples
from rolecall.audio.settings import AudioSettings
from rolecall.audio.stalls import GcWatch, StallWatch
from rolecall.audio.tones import ToneName, ToneSource

log = logging.getLogger(__name__)
STALL_S = 3.0
"""A stream whose callback has not run for this long has failed …"""
START_GRACE_S = 3.0
"""… counted from this long after it opened (a sound server takes up to a second)."""
LATENCY_S = 0.08
"""What we ask of the sound card: low, yet steady on a loaded machine."""
MIC_TARGET = 3
"""Frames kept waiting toward the call: the sound server hands over microphone audio in
bursts, and the bridge's clock thread may be late on a busy machine."""
SPEAKER_TARGET = 4
"""Frames kept waiting toward the speaker: a frame more than the microphone's, because a
sound server pulls playback in bursts (a 120 s call with 3 had one underrun mid-call with
its producer never more than 22 ms late, i.e. three or four pulls in a row)."""
MOST = 8
"""The most frames a buffer's target rises to on a machine too busy to keep up."""
SLACK = 5
"""Frames above its target at which a buffer is cut back: with `MOST`, the bound on delay."""
IDLE_CLOSE_S = 30.0
"""How long the streams stay open after the last call, tone or ring. Opening is not
instant (a sound server may take a second or two before a new stream runs in real time),
so they open when a call is placed or rings and stay warm between calls close together."""
RETRY_S = 3.0
"""How soon a missing device is looked for again (doubling up to `RETRY_MAX_S`)."""
RETRY_MAX_S = 30.0
PRESENCE_EVERY_S = 2.0
"""How often a chosen sound-server device is checked to still exist."""
STATS_EVERY_S = 60.0
"""How often the buffers' counters go to the log (delay, underruns, drops)."""


@dataclass(frozen=True)
class AudioState:
    """The devices in use (None: missing) and the processing in effect."""

    input: str | None
    output: str | None
    ringer: str | None
    echo_cancellation: bool
    noise_suppression: bool
    ring_silenced: bool
    reason: str = ""
    """Why the devices changed last, e.g. a device that stopped."""


class _Stream:
    """One open PortAudio stream and the proof that its callback still runs."""

    def __init__(self, kind: str, spec: devices.OpenSpec, stream: Any) -> None:
        self.kind = kind
        self.spec = spec
        self.stream = stream
        self.ticks = 0
        self.seen = (0, time.monotonic() + START_GRACE_S)
        self.finished = False

    def stalled(self, now: float) -> bool:
        if self.finished or not self.stream.active:
            return True
        if self.ticks != self.seen[0]:
            self.seen = (self.ticks, max(now, self.seen[1]))
            return False
        return now - self.seen[1] > STALL_S

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.stream.abort()
        with contextlib.suppress(Exception):
            self.stream.close()


def _mix(out: Samples, extra: Samples) -> None:
    """`extra` added into `out` (a tone over the call: only while one plays)."""
    mixed = out.astype(np.int32)
    mixed += extra
    np.clip(mixed, -32768, 32767, out=mixed)
    out[:] = mixed


class AudioEngine:
    """The user's microphone, speaker and ringer for every call."""

    def __init__(
        self,
        settings: AudioSettings,
        on_state: Callable[[AudioState], None] | None = None,
        *,
        sd: ModuleType | None = None,
        use_portaudio: bool = True,
        stats_every_s: float = STATS_EVERY_S,
    ) -> None:
        self.stats_every_s = stats_every_s
        self.settings = settings
        self.on_state = on_state
        self.sd = sd if sd is not None else (devices.portaudio() if use_portaudio else None)
        self.mic = FrameBuffer(target=MIC_TARGET, most=MOST, slack=SLACK)
        self.speaker = FrameBuffer(target=SPEAKER_TARGET, most=MOST, slack=SLACK)
        self.speaker.feeding = False  # until a call's audio is connected to the user
        self.echo = EchoCanceller(
            echo=settings.echo_cancellation,
            noise=settings.noise_suppression,
            sink=self.mic.push,  # the mic buffer's only producer: the canceller's thread
        )
        self._mic_open = True
        self._tone: ToneSource | None = None
        self._ring: ToneSource | None = None
        self._ringing = False
        self._peak = 0
        self._metering = False
        self._streams: dict[str, _Stream] = {}
        self._ready: dict[str, devices.OpenSpec] = {}
        """The devices last opened per side (also while closed); a side absent: missing."""
        self._bridge_ticks = 0
        """Frames the bridge asked for or handed over: a call's audio is up while it moves."""
        self._bridge_seen = 0
        self._idle = True
        self._active_until = 0.0
        """Microphone and speaker stay open until then (a call, the level test, a look)."""
        self._sounding_until = 0.0
        """The speaker stays open until then (a tone, the ring)."""
        self._reopen = threading.Event()
        self._lock = threading.Lock()
        """Held by whoever opens or closes streams (never by a sound card callback)."""
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._state: AudioState | None = None
        self._reason = ""
        self._tried_at = 0.0
        self._retry_s = RETRY_S
        self._presence_at = 0.0
        self.reopened = 0
        self.stalls = {kind: StallWatch(FRAME_SAMPLES / RATE) for kind in ("input", "output")}
        """Who made a sound card callback late: this process (`wait`) or the machine."""
        self._in_stalls, self._out_stalls = self.stalls["input"], self.stalls["output"]
        self.gc_watch = GcWatch()
        self.xruns = {"input": 0, "output": 0}
        """Callbacks PortAudio flagged: the sound server's own buffer over- or underran."""

    # ---- life ------------------------------------------------------------------------

    def start(self) -> AudioState:
        """Opens the devices (on the calling thread) and starts the supervisor."""
        self.echo.start()
        with self._lock:
            self._open_all()
        # What start-up made stays: later collections need not walk it again (a full
        # collection of a daemon's heap holds the interpreter lock for tens of ms).
        gc.collect()
        gc.freeze()
        self.gc_watch.install()
        self._thread = threading.Thread(target=self._supervise, name="audio", daemon=True)
        self._thread.start()
        return self.state()

    def log_stats(self) -> None:
        latency = {}
        for kind in ("input", "output"):
            stream = self._streams.get(kind)
            with contextlib.suppress(Exception):
                latency[kind] = round(float(stream.stream.latency) * 1000) if stream else None
        log.info(
            "audio buffers: mic %s; speaker %s; latency in %s ms, out %s ms; "
            "xruns in %d, out %d; %s; stalls in %s, out %s; %s",
            self.mic.stats(window=True),
            self.speaker.stats(window=True),
            latency.get("input"),
            latency.get("output"),
            self.xruns["input"],
            self.xruns["output"],
            describe(self.echo),
            self.stalls["input"].window(),
            self.stalls["output"].window(),
            self.gc_watch.window(),
        )

    def stop(self) -> None:
        self.log_stats()
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5)
        self._close_all()
        self.echo.stop()
        self.gc_watch.uninstall()

    def apply(self, settings: AudioSettings) -> None:
        """New settings, in effect when this returns (devices are reopened here: call it
        off the event loop)."""
        devices_changed = (settings.input, settings.output, settings.ringer) != (
            self.settings.input,
            self.settings.output,
            self.settings.ringer,
        )
        if (settings.echo_cancellation, settings.noise_suppression) != (
            self.settings.echo_cancellation,
            self.settings.noise_suppression,
        ):
            self.echo.configure(
                echo=settings.echo_cancellation,
                noise=settings.noise_suppression,
                delay_ms=self._echo_delay_ms(),
            )
        self.settings = settings
        if settings.ring_silenced:
            self._ring = None
        with self._lock:
            if devices_changed:
                self._reason = "settings changed"
                self._reopen_all()
            self._sync_streams(time.monotonic())
            self._publish()

    # ---- the bridge's side (pjmedia clock thread: never waits) -------------------------

    def mic_frame(self) -> bytes:
        """The next 20 ms to send into calls."""
        self._bridge_tick()
        if not self._mic_open or "input" not in self._streams:
            return SILENCE
        return self.mic.pop()

    def speaker_frame(self, frame: bytes) -> None:
        """20 ms the calls sent us, to play."""
        self._bridge_tick()
        self.speaker.push(frame)

    def _bridge_tick(self) -> None:
        self._bridge_ticks += 1
        if self._idle:  # a call's audio starts: open the streams now, from fresh buffers
            self._idle = False
            self.mic.clear()
            self.speaker.clear()
            self._wake.set()

    # ---- controls (any thread) ---------------------------------------------------------

    def set_mic_open(self, open_: bool) -> None:
        """Closed: nothing from the microphone goes anywhere (mute at the source).

        The stack says this whenever a call is placed, muted or ends: the streams open
        now (if closed), so they run by the time the call's audio does."""
        self._mic_open = open_
        if not open_:
            self.mic.clear()
        self._active_until = max(self._active_until, time.monotonic() + IDLE_CLOSE_S)
        self._wake.set()

    def set_far_end(self, live: bool) -> None:
        """Whether some call's audio reaches the user now (connected and not held): when
        none does, the speaker buffer running empty is the end of it, not an underrun."""
        self.speaker.feeding = live

    @property
    def mic_open(self) -> bool:
        return self._mic_open

    def play(self, name: ToneName, digits: str = "") -> None:
        """A tone on the speaker, replacing the one playing."""
        self._tone = ToneSource(name, digits)
        self._wake.set()

    def open_now(self) -> None:
        """Microphone and speaker open when this returns, for `IDLE_CLOSE_S` at least (the
        level test); blocks while the devices open: call it off the event loop."""
        with self._lock:
            self._active_until = max(self._active_until, time.monotonic() + IDLE_CLOSE_S)
            self._sync_streams(time.monotonic())

    def stop_tone(self, name: ToneName | None = None) -> None:
        tone = self._tone
        if tone is not None and (name is None or tone.name == name):
            self._tone = None

    @property
    def tone(self) -> str | None:
        tone = self._tone
        return tone.name if tone is not None else None

    def ring(self, on: bool) -> None:
        """The ringtone on the ringer device (the speaker where none is set)."""
        if on == self._ringing:
            return
        self._ringing = on
        self._ring = ToneSource("ringtone") if on and not self.settings.ring_silenced else None
        self._wake.set()

    @property
    def ringing(self) -> bool:
        return self._ring is not None

    def reset_level(self) -> None:
        """Starts measuring the microphone's peak (until `level_dbfs` reads it)."""
        self._peak = 0
        self._metering = True

    def level_dbfs(self) -> float:
        """The microphone's peak since `reset_level`, in dBFS (-120 for silence)."""
        self._metering = False
        return round(20 * math.log10(self._peak / 32768), 1) if self._peak else -120.0

    def state(self) -> AudioState:
        s = self.settings
        ready = dict(self._ready)
        ringer = self._streams.get("ringer")
        output = ready.get("output")
        return AudioState(
            input=ready["input"].name if "input" in ready else None,
            output=output.name if output else None,
            ringer=ringer.spec.name if ringer else (output.name if output else None),
            echo_cancellation=self.echo.echo,
            noise_suppression=self.echo.noise,
            ring_silenced=s.ring_silenced,
            reason=self._reason,
        )

    # ---- sound card callbacks (PortAudio's thread: never wait) -------------------------

    def _on_input(self, indata: Any, frames: int, when: Any, status: Any) -> None:
        self._in_stalls.tick(when.currentTime)
        stream = self._streams.get("input")
        if stream is not None:
            stream.ticks += 1
        if status:
            self.xruns["input"] += 1
        samples = np.frombuffer(indata, np.int16)
        if len(samples) != FRAME_SAMPLES:
            return  # PortAudio honours the block size; a short block is not worth a copy
        if self._metering:
            self._peak = max(self._peak, int(samples.max()), -int(samples.min()))
        if not self._mic_open or self.mic.depth >= self.mic.ceiling:
            return  # muted, or no call pulls frames: nothing to clean or keep
        self.echo.near_end(samples, stamp(when.inputBufferAdcTime, -LATENCY_S))

    def _on_output(self, outdata: Any, frames: int, when: Any, status: Any) -> None:
        self._out_stalls.tick(when.currentTime)
        stream = self._streams.get("output")
        if stream is not None:
            stream.ticks += 1
        if status:
            self.xruns["output"] += 1
        out = np.frombuffer(outdata, np.int16)
        if len(out) != FRAME_SAMPLES:
            out[:] = 0
            return
        self.speaker.pop_into(out)
        tone = self._tone
        if tone is not None:
            samples = tone.next_frame()
            if samples is None:
                self._tone = None
            else:
                _mix(out, samples)
        ring = self._ring
        if ring is not None and "ringer" not in self._streams:
            samples = ring.next_frame()
            if samples is not None:
                _mix(out, samples)
        self.echo.far_end(out, stamp(when.outputBufferDacTime, LATENCY_S))

    def _on_ringer(self, outdata: Any, frames: int, when: Any, status: Any) -> None:
        stream = self._streams.get("ringer")
        if stream is not None:
            stream.ticks += 1
        ring = self._ring
        samples = ring.next_frame() if ring is not None else None
        frame = bytes(samples.tobytes()) if samples is not None else SILENCE
        outdata[:] = frame[: len(outdata)].ljust(len(outdata), b"\0")

    # ---- the supervisor --------------------------------------------------------------

    def _supervise(self) -> None:
        logged_at = time.monotonic()
        while not self._stopping.is_set():
            if time.monotonic() - logged_at >= self.stats_every_s:
                logged_at = time.monotonic()
                self.log_stats()
            self._wake.wait(0.25)
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                with self._lock:
                    self._check()
            except Exception:
                log.exception("audio supervisor step failed")

    def _check(self) -> None:
        now = time.monotonic()
        ticks = self._bridge_ticks
        if ticks != self._bridge_seen:
            self._bridge_seen = ticks
            self._active_until = max(self._active_until, now + IDLE_CLOSE_S)
        failed = [s for s in self._streams.values() if s.stalled(now)]
        if now - self._presence_at >= PRESENCE_EVERY_S:
            self._presence_at = now
            failed += [
                s
                for s in self._streams.values()
                if s not in failed
                and not devices.still_there(s.spec, "input" if s.kind == "input" else "output")
            ]
        if failed:
            names = ", ".join(f"{s.kind} {s.spec.name}" for s in failed)
            log.warning("audio device stopped (%s): reopening on what is there now", names)
            self._reason = f"device stopped: {names}"
            self._reopen.set()
        missing = any(kind not in self._ready for kind in ("input", "output"))
        if missing and now - self._tried_at > self._retry_s and not self._reopen.is_set():
            self._retry_s = min(RETRY_MAX_S, self._retry_s * 2)
            self._reopen.set()
            self._reason = self._reason or "looking for devices"
        if self._reopen.is_set():
            self._reopen_all()
        self._sync_streams(now)
        self._publish()

    def _wanted(self, now: float) -> set[str]:
        """The streams something needs now or needed `IDLE_CLOSE_S` ago: a call's audio,
        the level test or a first look at the devices (both sides); a tone or the ring on
        the speaker (the speaker only); the ring on a ringer of its own."""
        tone, ring = self._tone, self._ring
        if (tone is not None and tone.name == "test") or self._ringing:
            self._active_until = max(self._active_until, now + IDLE_CLOSE_S)  # a call comes
        elif tone is not None:
            self._sounding_until = max(self._sounding_until, now + IDLE_CLOSE_S)
        wanted = set()
        if now < self._active_until:
            wanted |= {"input", "output"}  # the speaker plays the ring if no ringer is set
        if now < self._sounding_until:
            wanted.add("output")
        if ring is not None and self._separate_ringer():
            wanted.add("ringer")
        return wanted

    def _separate_ringer(self) -> bool:
        return bool(self.settings.ringer) and self.settings.ringer != self.settings.output

    def _sync_streams(self, now: float) -> None:
        """Opens what is wanted and closes what is not (under `_lock`)."""
        wanted = self._wanted(now)
        opened = False
        for kind, callback in (
            ("input", self._on_input),
            ("output", self._on_output),
            ("ringer", self._on_ringer),
        ):
            if kind in wanted and kind not in self._streams:
                if kind != "ringer" and kind not in self._ready and self._tried_at > 0:
                    continue  # missing: looked for again on the retry schedule
                if kind == "input":
                    self.mic.clear()
                elif kind == "output":
                    self.speaker.clear()
                name = self.settings.ringer if kind == "ringer" else getattr(self.settings, kind)
                self._open(kind, name, callback, output=kind != "input")
                opened = True
            elif kind not in wanted and kind in self._streams:
                self._streams.pop(kind).close()
                log.info("audio %s closed: nothing to hear or say", kind)
        if opened:
            self.echo.set_delay(self._echo_delay_ms())
        self._idle = "input" not in wanted

    def _reopen_all(self) -> None:
        """Restarts PortAudio and opens both devices (kept open while something needs
        them, else closed again after `IDLE_CLOSE_S`): the state learns what is there."""
        self._reopen.clear()
        self._close_all()
        if self.sd is not None:
            devices.reinitialise(self.sd)
        self._open_all(publish=False)
        self.reopened += 1
        if all(kind in self._ready for kind in ("input", "output")):
            self._retry_s = RETRY_S

    def _open_all(self, *, publish: bool = True) -> None:
        now = time.monotonic()
        self._tried_at = now
        self._active_until = max(self._active_until, now + IDLE_CLOSE_S)
        self.mic.clear()
        self.speaker.clear()
        for kind, callback in (("input", self._on_input), ("output", self._on_output)):
            self._open(kind, getattr(self.settings, kind), callback, output=kind == "output")
        self._sync_streams(now)
        self.echo.set_delay(self._echo_delay_ms())
        if publish:
            self._publish()

    def _open(self, kind: str, name: str | None, callback: Any, *, output: bool) -> None:
        if self.sd is None:
            return
        spec = devices.resolve(self.sd, name, "output" if output else "input")
        candidates = [spec]
        if spec.device is not None or spec.env:
            candidates.append(devices.OpenSpec(devices.SYSTEM_DEFAULT, None))
        for candidate in candidates:
            holder: dict[str, _Stream] = {}

            def finished(holder: dict[str, _Stream] = holder) -> None:
                if "s" in holder:
                    holder["s"].finished = True
                    self._wake.set()

            factory = self.sd.RawOutputStream if output else self.sd.RawInputStream
            try:
                with devices.environment(candidate):
                    stream = factory(
                        samplerate=RATE,
                        channels=1,
                        dtype="int16",
                        blocksize=FRAME_SAMPLES,
                        device=candidate.device,
                        latency=LATENCY_S,
                        callback=callback,
                        finished_callback=finished,
                    )
                    holder["s"] = _Stream(kind, candidate, stream)
                    self._streams[kind] = holder["s"]
                    stream.start()
            except Exception as exc:
                self._streams.pop(kind, None)
                log.warning("cannot open the %s device %s: %s", kind, candidate.name, exc)
                continue
            log.info("audio %s on %s", kind, candidate.name)
            if kind in self.stalls:
                self.stalls[kind].restart()
            if kind != "ringer":
                self._ready[kind] = candidate
            return
        self._ready.pop(kind, None)

    def _close_all(self) -> None:
        streams, self._streams = self._streams, {}
        for stream in streams.values():
            stream.close()

    def _echo_delay_ms(self) -> int:
        """What the canceller sees between a played frame and its echo: the frames are
        paired by their sound card timestamps, so only the air (or the loopback) between
        speaker and microphone is left, which the module finds on its own from zero."""
        return 0

    def _publish(self) -> None:
        state = self.state()
        if state == self._state:
            return
        previous, self._state = self._state, state
        if previous is not None and replace(previous, reason=state.reason) == state:
            return  # only the reason changed: nothing the user sees
        if self.on_state is not None:
            try:
                self.on_state(state)
            except Exception:
                log.exception("audio state listener failed")
