"""The audio engine's parts without a sound card: jitter buffer, echo canceller pairing,
stall watch, tones, call sounds, settings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from rolecall.audio.echo import LEAD_S, EchoCanceller
from rolecall.audio.jitter import (
    CALM_POPS,
    FRAME_BYTES,
    FRAME_SAMPLES,
    RATE,
    SILENCE,
    FrameBuffer,
)
from rolecall.audio.settings import AudioSettings, load_audio_settings, save_audio_settings
from rolecall.audio.stalls import StallWatch
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
    gap = buffer.pop()  # the few samples left play out, then silence
    assert gap[FRAME_BYTES // 2 :] == SILENCE[FRAME_BYTES // 2 :]
    assert buffer.stats().underruns == 1
    assert buffer.target == 3  # one frame more headroom from now on
    buffer.push(frame(3))
    buffer.push(frame(4))
    assert buffer.pop() == SILENCE  # two frames are not the target yet
    buffer.push(frame(5))
    assert buffer.pop() == frame(3)


def test_running_empty_after_the_producer_stopped_is_the_end_not_an_underrun():
    buffer = FrameBuffer(target=2)
    for n in (1, 2):
        buffer.push(frame(n))
    buffer.pop()
    buffer.feeding = False  # the call hung up or was held: nothing more will come
    assert buffer.pop() == frame(2)  # what was sent still plays out
    assert buffer.pop() == SILENCE
    assert (buffer.stats().underruns, buffer.target) == (0, 2)
    buffer.feeding = True  # a call's audio again: starving now is an underrun
    for n in (3, 4):
        buffer.push(frame(n))
    assert [buffer.pop(), buffer.pop(), buffer.pop()][:2] == [frame(3), frame(4)]
    assert buffer.stats().underruns == 1


class Sine:
    """A producer's continuous 700 Hz tone, frame by frame."""

    def __init__(self) -> None:
        self.at = 0

    def frame(self) -> np.ndarray:
        n = np.arange(self.at, self.at + FRAME_SAMPLES)
        self.at += FRAME_SAMPLES
        return (10000 * np.sin(2 * np.pi * 700 * n / RATE)).astype(np.int16)


def run_clocks(
    speed: float, minutes: float = 10, *, target: int = 3, burst: int = 1
) -> tuple[FrameBuffer, list[int], int, float]:
    """A producer `speed` times as fast as the consumer's 20 ms pops, `burst` frames at a
    time (as a sound server delivers them). Returns the buffer (its mean delay over the
    last minute), the whole frames waiting at each pop, the largest step between two
    consecutive samples played once the buffer has settled, and the consumer's mean
    speed relative to real time (minus one) meanwhile."""
    buffer = FrameBuffer(target=target)
    sine = Sine()
    out = np.zeros(FRAME_SAMPLES, np.int16)
    fills: list[int] = []
    corrections: list[float] = []
    due, last, jump = 0.0, None, 0
    pops = int(minutes * 60 * 50)
    for pop in range(pops):
        due += speed
        while due >= burst:
            for _ in range(burst):
                buffer.push(sine.frame())
            due -= burst
        if pop == pops - 3000:
            buffer.stats(window=True)  # the mean delay from here on: the last minute's
        fills.append(buffer.depth)
        buffer.pop_into(out)
        if pop >= 500:  # ten seconds in: the controller has found the clocks' ratio
            corrections.append(buffer.correction)
            played = out.astype(np.int32)
            steps = np.abs(np.diff(played if last is None else np.r_[last, played]))
            jump = max(jump, int(steps.max()))
        last = int(out[-1])
    return buffer, fills, jump, sum(corrections) / max(1, len(corrections))


# A 700 Hz sine of amplitude 10,000 moves at most 10,000 * 2π * 700 / 16,000 ≈ 2,750 a
# sample: a dropped or repeated frame jumps by up to 20,000, a click.
SMOOTH = 2900


def test_a_clock_half_a_percent_fast_is_followed_without_drops_or_clicks():
    buffer, fills, jump, correction = run_clocks(1.005)
    stats = buffer.stats()
    assert stats.underruns == 0 and stats.dropped == 0 and stats.overflowed == 0
    assert max(fills[500:]) <= 3 + 1  # the fill stays at its target: delay does not grow
    assert max(fills[-3000:]) <= max(fills[500:3500])  # the last minute as the first
    assert jump <= SMOOTH
    assert 4000 <= correction * 1e6 <= 6000  # it reads 0.5 % faster than real time
    assert abs(stats.mean_delay_ms - 60) <= 20  # within a frame of its target, on average


def test_a_clock_half_a_percent_slow_is_followed_without_underruns_or_clicks():
    buffer, fills, jump, correction = run_clocks(0.995)
    stats = buffer.stats()
    assert stats.underruns == 0 and stats.dropped == 0
    assert min(fills[500:]) >= 1 and max(fills[500:]) <= 3 + 1
    assert jump <= SMOOTH
    assert -6000 <= correction * 1e6 <= -4000
    assert abs(stats.mean_delay_ms - 60) <= 20


def test_bursts_from_a_drifting_sound_server_raise_the_target_once_then_never_underrun():
    for speed in (1.005, 0.995):  # three frames every 60 ms, as a sound server sends them
        buffer, fills, jump, _ = run_clocks(speed, burst=3, target=2)
        stats = buffer.stats()
        assert stats.underruns <= 2 and stats.dropped == 0, (speed, stats)
        assert stats.target <= 4  # the headroom it needed, no more
        assert max(fills[500:]) <= 4 + 3
        assert jump <= SMOOTH


def test_a_raised_target_comes_back_down_when_the_producer_is_steady_again():
    buffer = FrameBuffer(target=2)
    out = np.zeros(FRAME_SAMPLES, np.int16)
    sine = Sine()
    for _ in range(3):
        buffer.push(sine.frame())
    for _ in range(4):  # the producer stalls: the buffer runs dry
        buffer.pop_into(out)
    assert buffer.stats().underruns == 1 and buffer.target == 3
    for _ in range(CALM_POPS + 10):
        buffer.push(sine.frame())
        buffer.pop_into(out)
    assert buffer.target == 2 and buffer.stats().underruns == 1


def test_a_backlog_is_cut_to_the_target_at_once():
    buffer = FrameBuffer(target=2, slack=6)
    for n in range(12):
        buffer.push(frame(n))
    assert buffer.pop() == frame(10)  # the ten oldest are gone
    assert buffer.stats().dropped == 10


def test_a_clock_far_beyond_real_drift_stays_bounded():
    buffer, fills, _, _ = run_clocks(1.10, minutes=1, target=2)  # 10 % fast
    assert max(fills) <= 2 + 5 + 2  # the ceiling holds
    assert buffer.stats().dropped > 0
    buffer, fills, _, _ = run_clocks(0.95, minutes=1, target=2)  # 5 % slow: gaps, not growth
    assert buffer.stats().underruns > 0
    assert max(fills) <= 8 + 1  # the target rose to its most, no further


def test_a_full_ring_refuses_new_frames_and_clear_empties_it():
    buffer = FrameBuffer(target=2, capacity=5)
    for n in range(8):
        buffer.push(frame(n))
    assert buffer.stats().overflowed == 3
    assert buffer.depth == 5
    buffer.clear()
    assert buffer.pop() == SILENCE and buffer.depth == 0


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


# ---- the echo canceller's pairing and the stall watch ----------------------------------


class RecordingApm:
    """Stands in for WebRTC's module: notes which frame (by its first sample) it got."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def process_reverse_stream(self, half: Any) -> None:
        self.calls.append(("played", int(np.frombuffer(half.data, np.int16)[0])))

    def process_stream(self, half: Any) -> None:
        self.calls.append(("captured", int(np.frombuffer(half.data, np.int16)[0])))

    def set_stream_delay_ms(self, delay_ms: int) -> None:
        pass


def samples(n: int) -> np.ndarray[Any, np.dtype[np.int16]]:
    return np.full(FRAME_SAMPLES, n, np.int16)


def test_played_frames_reach_the_canceller_in_sound_card_time_not_in_callback_bursts():
    out: list[int] = []
    echo = EchoCanceller(echo=True, noise=False, sink=lambda frame: out.append(int(frame[0])))
    if not echo.available:
        pytest.skip("no audio processing module here")
    apm = RecordingApm()
    echo._apm = apm
    step = FRAME_SAMPLES / RATE
    # The sound server hands over four played frames at once, then four captured ones;
    # played frame n is in the air at n * 20 ms, captured frame n was taken then.
    for n in range(4):
        echo.far_end(samples(100 + n), dac_time=10 + n * step)
    for n in range(4):
        echo.near_end(samples(n), adc_time=10 + n * step)
    echo.drain()
    frames = [value for kind, value in apm.calls[::2]]  # each 20 ms frame is two halves
    kinds = [kind for kind, value in apm.calls[::2]]
    # Each captured frame comes after the played frames up to its own time plus the lead.
    lead = int(LEAD_S / step)
    assert kinds[: lead + 2] == ["played"] * (lead + 1) + ["captured"]
    assert frames.index(0) == lead + 1 and frames.index(3) == 7
    assert kinds.count("captured") == 4 and out == [0, 1, 2, 3]


def test_played_frames_too_old_to_echo_are_skipped_not_fed_in_a_burst():
    echo = EchoCanceller(echo=True, noise=False, sink=lambda frame: None)
    if not echo.available:
        pytest.skip("no audio processing module here")
    apm = RecordingApm()
    echo._apm = apm
    for n in range(30):  # the speaker played on while the microphone was closed
        echo.far_end(samples(n), dac_time=10 + n * 0.02)
    echo.near_end(samples(99), adc_time=10 + 29 * 0.02)
    echo.drain()
    played = {value for kind, value in apm.calls if kind == "played"}
    assert echo.skipped > 0 and min(played) > 0 and 29 in played


def test_a_stall_is_ours_when_the_stamp_was_on_time_and_the_machines_when_it_was_late(
    monkeypatch: pytest.MonkeyPatch,
):
    clock = [100.0]
    monkeypatch.setattr("rolecall.audio.stalls.time.monotonic", lambda: clock[0])
    watch = StallWatch(0.02)
    stamp = 5.0
    for _ in range(10):  # on time: Python runs 1 ms after PortAudio's stamp
        stamp += 0.02
        clock[0] = stamp + 95.001
        watch.tick(stamp)
    stamp += 0.02
    clock[0] = stamp + 95.001 + 0.2  # stamped on time, Python ran 200 ms later: ours
    watch.tick(stamp)
    stamp += 0.3
    clock[0] = stamp + 95.001  # PortAudio itself came 280 ms late: the machine's
    watch.tick(stamp)
    stats = watch.window()
    assert (stats.waits, stats.lates) == (1, 1)
    assert 199 < stats.wait_max_ms < 201 and 279 < stats.late_max_ms < 281
    assert watch.window().wait_max_ms == 0.0  # a new window
