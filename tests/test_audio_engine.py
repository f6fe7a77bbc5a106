"""When the audio engine holds its streams open, with a stand-in for PortAudio.

The streams open for a call (placed, ringing, or its frames moving on the bridge), a
tone, or the level test, and close once nothing has needed them for `IDLE_CLOSE_S`; the
state keeps naming the devices while they are closed. The engine's own supervisor thread
does the work; the test waits for each state with a deadline, it does not time it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

from rolecall.audio import engine as engine_module
from rolecall.audio.engine import AudioEngine
from rolecall.audio.jitter import FRAME_BYTES
from rolecall.audio.settings import AudioSettings


class FakeStream:
    """What the engine uses of a sounddevice stream; `opened` lists every one made."""

    opened: ClassVar[list[FakeStream]] = []

    def __init__(self, *, callback: Any, finished_callback: Any, **options: Any) -> None:
        self.callback = callback
        self.options = options
        self.active = False
        self.closed = False
        self.latency = options["latency"]
        FakeStream.opened.append(self)

    def start(self) -> None:
        self.active = True

    def abort(self) -> None:
        self.active = False

    def close(self) -> None:
        self.active, self.closed = False, True


class FakeOutput(FakeStream):
    kind = "output"


class FakeInput(FakeStream):
    kind = "input"


def fake_portaudio() -> Any:
    return SimpleNamespace(
        RawInputStream=FakeInput,
        RawOutputStream=FakeOutput,
        _terminate=lambda: None,
        _initialize=lambda: None,
    )


def live() -> list[str]:
    """The kinds of the streams open now (the ringer is a second output)."""
    return sorted(s.kind for s in FakeStream.opened if not s.closed)


def until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"never: {what} (open: {live()})"
        time.sleep(0.02)


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[AudioEngine]:
    monkeypatch.setattr(engine_module, "IDLE_CLOSE_S", 0.5)
    monkeypatch.setattr(engine_module, "STALL_S", 60.0)  # fake streams never call back
    monkeypatch.setattr(engine_module.devices, "_pulse_devices", lambda: [])
    FakeStream.opened = []
    made = AudioEngine(AudioSettings(echo_cancellation=False), sd=fake_portaudio())
    made.start()
    try:
        yield made
    finally:
        made.stop()


def test_both_devices_are_looked_at_once_then_closed_while_nothing_needs_them(engine):
    assert sorted(s.kind for s in FakeStream.opened) == ["input", "output"]
    until(lambda: not live(), "the first look's streams close")
    state = engine.state()
    assert state.input == "default" and state.output == "default"  # still named


def test_a_placed_call_opens_both_and_its_end_closes_them(engine, monkeypatch):
    until(lambda: not live(), "idle")
    monkeypatch.setattr(engine_module, "IDLE_CLOSE_S", 2.0)  # a busy machine's pauses
    engine.set_mic_open(True)  # what the stack says when a call is placed
    until(lambda: live() == ["input", "output"], "a placed call opens both")
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:  # the call's frames keep them open
        engine.mic_frame()
        engine.speaker_frame(bytes(FRAME_BYTES))
        time.sleep(0.02)
    assert live() == ["input", "output"]
    until(lambda: not live(), "the call is over: both close")


def test_frames_on_the_bridge_alone_open_the_streams(engine):
    until(lambda: not live(), "idle")
    engine.speaker_frame(bytes(FRAME_BYTES))  # a call's audio, nothing said before
    until(lambda: live() == ["input", "output"], "the bridge's frames open both")


def test_a_tone_opens_only_the_speaker_and_the_level_test_both(engine):
    until(lambda: not live(), "idle")
    engine.play("busy")
    until(lambda: live() == ["output"], "a tone opens the speaker")
    engine.stop_tone()
    until(lambda: not live(), "the tone is over")
    engine.open_now()  # the level test: both open when this returns
    assert live() == ["input", "output"]


def test_a_ring_on_its_own_ringer_opens_it_and_the_call_devices(engine):
    until(lambda: not live(), "idle")
    engine.apply(AudioSettings(echo_cancellation=False, ringer="Desk ringer"))
    until(lambda: not live(), "idle after the devices' new look")
    engine.ring(True)
    until(lambda: live() == ["input", "output", "output"], "a ring opens the ringer too")
    engine.ring(False)
    until(lambda: live() == ["input", "output"], "the ringer closes when the ring stops")
