"""The audio engine: microphone and speaker streams around the call's 20 ms frames.

    mic stream ─ echo canceller ─ `mic` buffer ─▶ `mic_frame()`   (bridge clock pulls)
    `speaker_frame()` ─▶ `speaker` buffer ─ + tones/ring ─ speaker stream ─▶ echo canceller
                                                                            (far-end copy)

The sound card callbacks and the bridge's clock thread only touch the buffers and a few
flags; they never wait. A supervisor thread opens and closes streams: at start, when the
settings change, when a ring starts or stops on a separate ringer, and when a stream
stops delivering (a headset pulled out): then PortAudio is restarted to re-enumerate and
every stream is reopened, on the system default where the remembered device is gone. A
missing device leaves its side silent; the state says which device is in use or missing.
"""

from __future__ import annotations

import contextlib
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
from rolecall.audio.echo import EchoCanceller
from rolecall.audio.jitter import FRAME_BYTES, FRAME_SAMPLES, RATE, SILENCE, FrameBuffer
from rolecall.audio.settings import AudioSettings
from rolecall.audio.tones import ToneName, ToneSource

log = logging.getLogger(__name__)
STALL_S = 3.0
"""A stream whose callback has not run for this long has failed …"""
START_GRACE_S = 3.0
"""… counted from this long after it opened (a sound server takes up to a second)."""
LATENCY_S = 0.08
"""What we ask of the sound card: low, yet steady on a loaded machine."""
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


def _mix(frame: bytes, extra: Any) -> bytes:
    mixed = np.frombuffer(frame, np.int16).astype(np.int32) + extra
    return bytes(np.clip(mixed, -32768, 32767).astype(np.int16).tobytes())


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
        self.mic = FrameBuffer(target=2)
        self.speaker = FrameBuffer(target=3)
        self.echo = EchoCanceller(echo=settings.echo_cancellation, noise=settings.noise_suppression)
        self._mic_open = True
        self._tone: ToneSource | None = None
        self._ring: ToneSource | None = None
        self._ringing = False
        self._peak = 0
        self._streams: dict[str, _Stream] = {}
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

    # ---- life ------------------------------------------------------------------------

    def start(self) -> AudioState:
        """Opens the devices (on the calling thread) and starts the supervisor."""
        with self._lock:
            self._open_all()
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
            "audio buffers: mic %s; speaker %s; latency in %s ms, out %s ms",
            self.mic.stats(window=True),
            self.speaker.stats(window=True),
            latency.get("input"),
            latency.get("output"),
        )

    def stop(self) -> None:
        self.log_stats()
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5)
        self._close_all()

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
            self._sync_ringer()
            self._publish()

    # ---- the bridge's side (pjmedia clock thread: never waits) -------------------------

    def mic_frame(self) -> bytes:
        """The next 20 ms to send into calls."""
        if not self._mic_open or "input" not in self._streams:
            return SILENCE
        return self.mic.pop()

    def speaker_frame(self, frame: bytes) -> None:
        """20 ms the calls sent us, to play."""
        self.speaker.push(frame)

    # ---- controls (any thread) ---------------------------------------------------------

    def set_mic_open(self, open_: bool) -> None:
        """Closed: nothing from the microphone goes anywhere (mute at the source)."""
        self._mic_open = open_
        if not open_:
            self.mic.clear()

    @property
    def mic_open(self) -> bool:
        return self._mic_open

    def play(self, name: ToneName, digits: str = "") -> None:
        """A tone on the speaker, replacing the one playing."""
        self._tone = ToneSource(name, digits)

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
        self._peak = 0

    def level_dbfs(self) -> float:
        """The microphone's peak since `reset_level`, in dBFS (-120 for silence)."""
        return round(20 * math.log10(self._peak / 32768), 1) if self._peak else -120.0

    def state(self) -> AudioState:
        s = self.settings
        streams = self._streams
        ringer = streams.get("ringer")
        output = streams.get("output")
        return AudioState(
            input=streams["input"].spec.name if "input" in streams else None,
            output=output.spec.name if output else None,
            ringer=ringer.spec.name if ringer else (output.spec.name if output else None),
            echo_cancellation=self.echo.echo,
            noise_suppression=self.echo.noise,
            ring_silenced=s.ring_silenced,
            reason=self._reason,
        )

    # ---- sound card callbacks (PortAudio's thread: never wait) -------------------------

    def _on_input(self, indata: Any, frames: int, when: Any, status: Any) -> None:
        stream = self._streams.get("input")
        if stream is not None:
            stream.ticks += 1
        frame = bytes(indata)
        if len(frame) != FRAME_BYTES:
            frame = (frame + SILENCE)[:FRAME_BYTES]
        samples = np.frombuffer(frame, np.int16)
        self._peak = max(self._peak, int(np.max(np.abs(samples.astype(np.int32)))))
        if not self._mic_open or self.mic.depth >= self.mic.limit:
            return  # muted, or no call pulls frames: nothing to clean or keep
        self.mic.push(self.echo.near_end(frame))

    def _on_output(self, outdata: Any, frames: int, when: Any, status: Any) -> None:
        stream = self._streams.get("output")
        if stream is not None:
            stream.ticks += 1
        frame = self.speaker.pop()
        tone = self._tone
        if tone is not None:
            samples = tone.next_frame()
            if samples is None:
                self._tone = None
            else:
                frame = _mix(frame, samples)
        ring = self._ring
        if ring is not None and "ringer" not in self._streams:
            samples = ring.next_frame()
            if samples is not None:
                frame = _mix(frame, samples)
        self.echo.far_end(frame)
        outdata[:] = frame[: len(outdata)].ljust(len(outdata), b"\0")

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
        missing = any(kind not in self._streams for kind in ("input", "output"))
        if missing and now - self._tried_at > self._retry_s and not self._reopen.is_set():
            self._retry_s = min(RETRY_MAX_S, self._retry_s * 2)
            self._reopen.set()
            self._reason = self._reason or "looking for devices"
        if self._reopen.is_set():
            self._reopen_all()
        self._sync_ringer()
        self._publish()

    def _reopen_all(self) -> None:
        self._reopen.clear()
        self._close_all()
        if self.sd is not None:
            devices.reinitialise(self.sd)
        self._open_all(publish=False)
        self.reopened += 1
        if all(kind in self._streams for kind in ("input", "output")):
            self._retry_s = RETRY_S

    def _sync_ringer(self) -> None:
        wanted = (
            self._ring is not None
            and bool(self.settings.ringer)
            and self.settings.ringer != self.settings.output
        )
        if wanted and "ringer" not in self._streams:
            self._open("ringer", self.settings.ringer, self._on_ringer, output=True)
        elif not wanted and "ringer" in self._streams:
            self._streams.pop("ringer").close()

    def _open_all(self, *, publish: bool = True) -> None:
        self._tried_at = time.monotonic()
        self.mic.clear()
        self.speaker.clear()
        self._open("input", self.settings.input, self._on_input, output=False)
        self._open("output", self.settings.output, self._on_output, output=True)
        self._sync_ringer()
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
            return

    def _close_all(self) -> None:
        streams, self._streams = self._streams, {}
        for stream in streams.values():
            stream.close()

    def _echo_delay_ms(self) -> int:
        latency = 0.0
        for kind in ("input", "output"):
            stream = self._streams.get(kind)
            if stream is not None:
                with contextlib.suppress(Exception):
                    latency += float(stream.stream.latency)
        return int(latency * 1000) + self.speaker.target * 20

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
