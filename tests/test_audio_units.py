"""The audio engine's parts without a sound card: jitter buffer, tones, call sounds, settings."""

from __future__ import annotations

import numpy as np

from rolecall.audio.jitter import FRAME_BYTES, SILENCE, FrameBuffer
from rolecall.audio.settings import AudioSettings, load_audio_settings, save_audio_settings
from rolecall.audio.tones import DTMF, ToneSource
from rolecall.paths import Home
from rolecall.telephony.call_sounds import CallSounds
from rolecall.telephony.stack import CallMediaChanged, CallStateChanged, IncomingCall


def frame(n: int) -> bytes:
    return bytes([n % 256]) * FRAME_BYTES


def test_buffer_primes_to_its_target_then_plays_in_order():
    buffer = FrameBuffer(target=2)
    buffer.push(frame(1))
    assert buffer.pop() == SILENCE  # still filling
    buffer.push(frame(2))
    assert [buffer.pop(), buffer.pop()] == [frame(1), frame(2)]
    assert buffer.stats().underruns == 0


def test_buffer_counts_an_underrun_and_refills_before_playing_again():
    buffer = FrameBuffer(target=2)
    for n in (1, 2):
        buffer.push(frame(n))
    buffer.pop(), buffer.pop()
    assert buffer.pop() == SILENCE
    assert buffer.stats().underruns == 1
    buffer.push(frame(3))
    assert buffer.pop() == SILENCE  # one frame is not the target yet
    buffer.push(frame(4))
    assert buffer.pop() == frame(3)


def test_a_faster_producer_does_not_make_the_delay_grow():
    buffer = FrameBuffer(target=2, slack=2)
    depths = []
    for n in range(30000):  # one extra frame in 100: a clock 1 % fast, ten minutes long
        buffer.push(frame(n))
        if n % 100 == 0:
            buffer.push(frame(n))
        buffer.pop()
        depths.append(buffer.depth)
    assert max(depths[-3000:]) <= 2 + 2 + 1  # the last minute: no more delay than at first
    assert buffer.stats().dropped >= 290


def test_even_a_wildly_fast_producer_stays_bounded():
    buffer = FrameBuffer(target=2, slack=2)
    for n in range(3000):  # 10 % fast
        buffer.push(frame(n))
        if n % 10 == 0:
            buffer.push(frame(n))
        buffer.pop()
        assert buffer.depth <= 2 + 3 * 2 + 1


def test_a_backlog_is_cut_to_the_target_at_once():
    buffer = FrameBuffer(target=2, slack=2)
    for n in range(12):
        buffer.push(frame(n))
    assert buffer.pop() == frame(10)  # the ten oldest are gone
    assert buffer.stats().dropped == 10


def test_a_slower_producer_underruns_but_never_blocks_or_grows():
    buffer = FrameBuffer(target=2)
    for n in range(1000):
        if n % 20:  # one frame in 20 missing: a clock 5 % slow
            buffer.push(frame(n))
        buffer.pop()
    stats = buffer.stats()
    assert stats.underruns > 0
    assert stats.depth <= 4


def test_buffer_overflow_keeps_the_newest_frames():
    buffer = FrameBuffer(target=2, limit=5)
    for n in range(8):
        buffer.push(frame(n))
    assert buffer.stats().overflowed == 3
    assert buffer.depth == 5


def goertzel_share(samples: np.ndarray, hz: float, rate: int = 16000) -> float:
    x = samples.astype(float)
    k = np.exp(-2j * np.pi * hz * np.arange(len(x)) / rate)
    power = abs(np.sum(x * k)) ** 2
    energy = np.sum(x * x) * len(x) / 2
    return float(power / energy) if energy else 0.0


def test_key_tones_are_the_dtmf_pairs_and_end():
    source = ToneSource("keys", "5")
    frames = []
    while (f := source.next_frame()) is not None:
        frames.append(f)
    samples = np.concatenate(frames)[:1600]  # the 100 ms of the key itself
    low, high = DTMF["5"]
    assert goertzel_share(samples, low) > 0.3 and goertzel_share(samples, high) > 0.3
    assert goertzel_share(samples, 1000.0) < 0.01
    assert source.finished


def test_ringback_loops_and_busy_ends():
    ringback = ToneSource("ringback")
    assert all(ringback.next_frame() is not None for _ in range(1000))
    busy = ToneSource("busy")
    count = 0
    while busy.next_frame() is not None:
        count += 1
    assert 150 <= count <= 250  # four seconds of 20 ms frames


class Recorder:
    def __init__(self) -> None:
        self.played: list[str] = []
        self.stopped: list[str | None] = []
        self.rings: list[bool] = []

    def play(self, name: str, digits: str = "") -> None:
        self.played.append(name)

    def stop_tone(self, name: str | None = None) -> None:
        self.stopped.append(name)

    def ring(self, on: bool) -> None:
        self.rings.append(on)


def state(call: str, name: str, code: int = 0) -> CallStateChanged:
    return CallStateChanged(call, name, code, "", "sip:x@y", "")  # type: ignore[arg-type]


def test_outbound_ringback_stops_on_early_media_and_busy_plays_busy():
    sounds = Recorder()
    calls = CallSounds(sounds)  # type: ignore[arg-type]
    calls.on_event(state("a", "early", 180))
    assert sounds.played == ["ringback"]
    calls.on_event(CallMediaChanged("a", active=True, local_hold=False, remote_hold=False))
    assert sounds.stopped == ["ringback"]
    calls.on_event(state("b", "disconnected", 486))
    assert sounds.played[-1] == "busy"
    calls.on_event(state("c", "disconnected", 404))
    assert sounds.played[-1] == "failure"
    calls.on_event(state("d", "disconnected", 200))
    assert sounds.played[-1] == "failure"  # a normal end plays nothing


def test_inbound_rings_until_the_last_waiting_call_is_answered():
    sounds = Recorder()
    calls = CallSounds(sounds)  # type: ignore[arg-type]
    calls.on_event(IncomingCall("a", "local", "sip:x@y", ""))
    calls.on_event(IncomingCall("b", "local", "sip:z@y", ""))
    calls.on_event(state("a", "confirmed", 200))
    assert sounds.rings == [True, True]
    calls.on_event(state("b", "disconnected", 487))
    assert sounds.rings[-1] is False
    assert sounds.played == []  # an inbound call's end has no failure tone


def test_settings_are_remembered_by_name(tmp_path):
    home = Home(tmp_path)
    assert load_audio_settings(home) == AudioSettings()
    chosen = AudioSettings(input="USB headset", output="USB headset", ring_silenced=True)
    save_audio_settings(home, chosen)
    assert load_audio_settings(home) == chosen
    (home.config_dir / "audio.json").write_text("{not json")
    assert load_audio_settings(home) == AudioSettings()  # a broken file: the defaults
