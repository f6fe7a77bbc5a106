"""The user's own audio through a real daemon, a real PulseAudio server and real calls.

PulseAudio runs with null sinks (`spk`, `spk2`, `ringer`) and a virtual microphone fed by
the `micfeed` sink; what the user "says" is played into `micfeed`, what they hear is
recorded from a sink's monitor, and a Goertzel filter tells which tone got where.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rolecall.client import DaemonClient
from rolecall.paths import Home
from support.audio import wait_for_wav
from support.audio.pulse import PulseServer, write_sine
from support.calls import place, wait_call, wait_event
from support.daemons import RunningDaemon, rolecall_env, start_daemon, stop_daemon
from support.sip.peer_client import PjsuaPeer
from support.sip.sipp import SippPeer

MIC_HZ = 700.0
PEER_HZ = 1100.0
CONTROL_HZ = 1500.0


@pytest.fixture
def pulse(monkeypatch: pytest.MonkeyPatch) -> Iterator[PulseServer]:
    """A private PulseAudio server; this test's processes (the daemon too) reach it."""
    server = PulseServer()
    try:
        server.start()
        monkeypatch.setenv("ROLECALL_AUDIO", "on")
        for key, value in server.env.items():
            monkeypatch.setenv(key, value)
        for key in ("PULSE_SERVER", "PULSE_SINK", "PULSE_SOURCE"):
            monkeypatch.delenv(key, raising=False)
        yield server
    finally:
        print(server.log()[-3000:])
        server.stop()


def _daemon(home: Home) -> Iterator[RunningDaemon]:
    running = start_daemon(home)
    try:
        yield running
    finally:
        stop_daemon(running)
        print(home.daemon_log.read_text(errors="replace")[-6000:])


@pytest.fixture
def audio_daemon(pulse: PulseServer, rc_home: Home) -> Iterator[RunningDaemon]:
    yield from _daemon(rc_home)


@pytest.fixture
def client(audio_daemon: RunningDaemon) -> Iterator[DaemonClient]:
    with DaemonClient.open(audio_daemon.home, start=False, name="audio-test") as opened:
        yield opened


@pytest.fixture
def sipp_peers() -> Iterator[list[SippPeer]]:
    peers: list[SippPeer] = []
    yield peers
    for peer in peers:
        peer.cleanup()


@pytest.fixture
def pj_peers() -> Iterator[list[PjsuaPeer]]:
    peers: list[PjsuaPeer] = []
    yield peers
    for peer in peers:
        peer.cleanup()


def wait_devices(client: DaemonClient, timeout: float = 10.0) -> dict[str, Any]:
    """The audio state once both a microphone and a speaker are open."""
    deadline = time.monotonic() + timeout
    while True:
        state: dict[str, Any] = client.request("audio.devices")["state"]
        if not state["no_microphone"] and not state["no_speaker"]:
            return state
        if time.monotonic() > deadline:
            raise AssertionError(f"no devices: {state}")
        time.sleep(0.2)


def echo_call(client: DaemonClient, peers: list[SippPeer]) -> tuple[SippPeer, str]:
    peer = SippPeer("uas_answer", rtp_echo=True)
    peers.append(peer)
    peer.start()
    call = place(client, peer.uri("alice"))
    wait_call(client, call["id"], "confirmed")
    return peer, str(call["id"])


def hang_up(client: DaemonClient, call_id: str) -> None:
    client.request("call.hangup", {"call_id": call_id})
    wait_call(client, call_id, "disconnected")


def test_microphone_tone_crosses_an_echoed_call_to_the_speaker(
    pulse: PulseServer, client: DaemonClient, sipp_peers: list[SippPeer], tmp_path: Path
):
    state = wait_devices(client)
    assert state["input"] == "default" and state["output"] == "default"
    # A steady sine sent back unchanged is exactly what an echo canceller removes: off here.
    client.request("audio.set", {"echo_cancellation": False})
    pulse.play("micfeed", write_sine(tmp_path / "say.wav", MIC_HZ, 2.0), loop=True)
    _, call_id = echo_call(client, sipp_peers)
    time.sleep(1.5)  # the round trip through SIPp's echo and both buffers settles first
    heard = pulse.capture("spk.monitor", tmp_path / "heard.wav", 3.0)
    hang_up(client, call_id)
    # Per 100 ms window: a frame the jitter buffer drops or repeats on a busy machine
    # shifts the sine's phase, which one Goertzel over the whole take counts as loss.
    assert tone_share(heard, MIC_HZ) > 0.3
    assert tone_share(heard, CONTROL_HZ) < 0.02
    quiet = pulse.capture("spk.monitor", tmp_path / "after.wav", 1.5)
    assert tone_share(quiet, MIC_HZ) < 0.05  # the call is over: the loop is gone


def test_without_any_sound_server_calls_connect_and_say_what_is_missing(
    rc_home: Home, sipp_peers: list[SippPeer], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setenv("ROLECALL_AUDIO", "on")  # it looks, and finds nothing
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path}/none")  # no server, no autospawn
    for running in _daemon(rc_home):
        with DaemonClient.open(running.home, start=False, name="audio-test") as client:
            state = client.request("audio.devices")["state"]
            assert state["no_microphone"] and state["no_speaker"]
            assert state["input"] is None and state["output"] is None
            _, call_id = echo_call(client, sipp_peers)
            time.sleep(1.0)
            client.request("call.hangup", {"call_id": call_id})
            ended = wait_call(client, call_id, "disconnected")
            assert ended["rtp"]["tx_packets"] >= 30  # the null device's clock still runs
            assert ended["rtp"]["rx_packets"] >= 30


BAND = 0.02
"""Half the width of the band a tone is measured in, relative to its frequency: the jitter
buffer follows the clocks' drift by resampling up to 1 %, which moves a tone by that much;
a measure one DFT bin wide would count that as the tone's loss."""


def _windows(path: Path, skip_s: float, window_s: float | None) -> tuple[int, list[Any]]:
    """The recording after `skip_s` seconds, in `window_s` pieces (None, or a take
    shorter than one: one piece)."""
    import wave

    import numpy as np

    with wave.open(str(wait_for_wav(path)), "rb") as wav:
        rate = wav.getframerate()
        wav.readframes(int(rate * skip_s))
        samples = np.frombuffer(wav.readframes(wav.getnframes()), np.int16).astype(float)
    size = len(samples) if window_s is None else min(len(samples), int(rate * window_s))
    if size < rate // 10:  # under 100 ms: no band 2 % wide can be told apart
        return rate, []
    return rate, [samples[i : i + size] for i in range(0, len(samples) - size + 1, size)]


def _band_powers(rate: int, piece: Any, hz: float) -> tuple[float, float]:
    """(mean power in the band of ±`BAND` around `hz`, mean power in all): a Hann-windowed
    DFT, scaled so a full-length sine of amplitude A reads A²/2 in its band."""
    import numpy as np

    window = np.hanning(len(piece))
    spectrum = np.abs(np.fft.rfft(piece * window)) ** 2
    freqs = np.fft.rfftfreq(len(piece), 1.0 / rate)
    scale = 2.0 / (len(piece) * float(np.sum(window**2)))
    band = np.abs(freqs - hz) <= hz * BAND
    return float(spectrum[band].sum()) * scale, float(spectrum.sum()) * scale


def tone_share(
    path: Path, hz: float, *, skip_s: float = 0.5, window_s: float | None = 0.5
) -> float:
    """The median share (0–1) of the recording's energy within ±2 % of `hz`, over
    `window_s` windows (None: the whole take, where a tone plays in a cadence). Energy, not
    one coherent bin: a gap on a busy machine shifts the phase and the jitter buffer's
    resampling the pitch, neither of which takes energy from the tone."""
    import statistics

    rate, pieces = _windows(path, skip_s, window_s)
    shares = []
    for piece in pieces:
        band, total = _band_powers(rate, piece, hz)
        shares.append(band / total if total else 0.0)
    return statistics.median(shares) if shares else 0.0


def tone_level(
    path: Path, hz: float, *, skip_s: float = 0.5, window_s: float | None = 0.5, how: str = "median"
) -> float:
    """The absolute power within ±2 % of `hz` (A²/2 for a sine of amplitude A), after
    `skip_s` seconds, over `window_s` windows (None: the whole take): their median, or
    `max` (the level a take reached where only part of it carries the tone), or `mean`."""
    import statistics

    rate, pieces = _windows(path, skip_s, window_s)
    levels = [_band_powers(rate, piece, hz)[0] for piece in pieces]
    if not levels:
        return 0.0
    pick = {"median": statistics.median, "max": max, "mean": statistics.fmean}
    return pick[how](levels)


def tone_peer(peers: list[PjsuaPeer], tmp_path: Path, **options: Any) -> PjsuaPeer:
    peer = PjsuaPeer(tone_hz=PEER_HZ, record=tmp_path / "peer", **options)
    (tmp_path / "peer").mkdir(exist_ok=True)
    peers.append(peer)
    return peer.start()


def peer_recording(peer: PjsuaPeer, timeout: float = 10.0) -> Path:
    """The WAV of the peer's last call (finished once the call is over)."""
    event = peer.wait_for("media", timeout=timeout)
    return wait_for_wav(Path(event["recording"]))


def call_peer(client: DaemonClient, peer: PjsuaPeer) -> str:
    call = place(client, peer.uri)
    wait_call(client, call["id"], "confirmed")
    return str(call["id"])


def test_peer_hears_our_microphone_and_we_hear_the_peer(
    pulse: PulseServer,
    client: DaemonClient,
    pj_peers: list[PjsuaPeer],
    tmp_path: Path,
):
    wait_devices(client)
    pulse.play("micfeed", write_sine(tmp_path / "say.wav", MIC_HZ, 2.0), loop=True)
    peer = tone_peer(pj_peers, tmp_path)
    call_id = call_peer(client, peer)
    time.sleep(1.0)
    heard = pulse.capture("spk.monitor", tmp_path / "heard.wav", 3.0)
    hang_up(client, call_id)
    sent = peer_recording(peer)
    assert tone_share(heard, PEER_HZ) > 0.3
    assert tone_share(heard, MIC_HZ) < 0.05  # no sidetone: our voice is not played to us
    assert tone_share(sent, MIC_HZ, skip_s=1.0) > 0.3
    assert tone_share(sent, CONTROL_HZ, skip_s=1.0) < 0.02


def test_mute_silences_our_microphone_but_we_still_hear_the_peer(
    pulse: PulseServer,
    client: DaemonClient,
    pj_peers: list[PjsuaPeer],
    tmp_path: Path,
):
    wait_devices(client)
    pulse.play("micfeed", write_sine(tmp_path / "say.wav", MIC_HZ, 2.0), loop=True)
    peer = tone_peer(pj_peers, tmp_path)
    call_id = call_peer(client, peer)
    time.sleep(1.5)
    client.request("call.mute", {"call_id": call_id})
    heard = pulse.capture("spk.monitor", tmp_path / "heard.wav", 3.0)
    hang_up(client, call_id)
    sent = peer_recording(peer)
    assert tone_share(heard, PEER_HZ) > 0.3
    levels_before = tone_level(sent, MIC_HZ, skip_s=0.5, how="max")
    # The recording began at answer; its last seconds are well after the mute.
    muted_part = tmp_path / "muted.wav"
    _tail(sent, muted_part, seconds=2.0)
    assert tone_level(muted_part, MIC_HZ, skip_s=0.0) < levels_before / 1000  # ≥ 30 dB down


def _tail(source: Path, target: Path, seconds: float) -> None:
    """The last `seconds` of a WAV file (before its last half second: the hang-up)."""
    import wave

    with wave.open(str(source), "rb") as wav:
        rate, count = wav.getframerate(), wav.getnframes()
        start = max(0, count - int(rate * (seconds + 0.5)))
        wav.setpos(start)
        frames = wav.readframes(int(rate * seconds))
        params = wav.getparams()
    with wave.open(str(target), "wb") as out:
        out.setparams(params)
        out.writeframes(frames)


def test_hold_silences_both_directions(
    pulse: PulseServer,
    client: DaemonClient,
    pj_peers: list[PjsuaPeer],
    tmp_path: Path,
):
    wait_devices(client)
    pulse.play("micfeed", write_sine(tmp_path / "say.wav", MIC_HZ, 2.0), loop=True)
    peer = tone_peer(pj_peers, tmp_path)
    call_id = call_peer(client, peer)
    time.sleep(1.5)
    talking = pulse.capture("spk.monitor", tmp_path / "talking.wav", 1.5)
    client.request("call.hold", {"call_id": call_id})
    time.sleep(0.5)
    held = pulse.capture("spk.monitor", tmp_path / "held.wav", 2.5)
    hang_up(client, call_id)
    sent = peer_recording(peer)
    held_sent = tmp_path / "held-sent.wav"
    _tail(sent, held_sent, seconds=2.0)
    assert tone_share(talking, PEER_HZ) > 0.3
    assert tone_level(held, PEER_HZ, skip_s=0.0) < tone_level(talking, PEER_HZ) / 1000
    assert tone_level(held_sent, MIC_HZ, skip_s=0.0) < tone_level(sent, MIC_HZ, how="max") / 1000


def wait_state(client: DaemonClient, key: str, value: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        state = client.request("audio.devices")["state"]
        if state[key] == value:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"audio state never had {key}={value}: {state}")
        time.sleep(0.2)


def test_switching_the_speaker_mid_call_keeps_the_call_audio(
    pulse: PulseServer,
    client: DaemonClient,
    pj_peers: list[PjsuaPeer],
    tmp_path: Path,
    audio_daemon: RunningDaemon,
):
    wait_devices(client)
    peer = tone_peer(pj_peers, tmp_path)
    call_id = call_peer(client, peer)
    time.sleep(1.0)
    before = pulse.capture("spk.monitor", tmp_path / "before.wav", 1.5)
    client.request("audio.set", {"output": "spk2"})
    wait_state(client, "output", "spk2")
    time.sleep(0.5)
    moved = tmp_path / "moved.wav"
    old = tmp_path / "old.wav"
    recorders = [pulse.record("spk2.monitor", moved), pulse.record("spk.monitor", old)]
    pulse.wait_recorded(moved, seconds=2.5)
    for recorder in recorders:
        pulse.finish(recorder)
    calls = client.request("calls.list")["calls"]
    assert any(c["id"] == call_id and c["state"] == "confirmed" for c in calls)
    hang_up(client, call_id)
    assert tone_share(before, PEER_HZ) > 0.3
    assert tone_share(moved, PEER_HZ) > 0.3
    assert tone_level(old, PEER_HZ) < tone_level(moved, PEER_HZ) / 1000
    saved = (audio_daemon.home.config_dir / "audio.json").read_text()
    assert '"output": "spk2"' in saved  # remembered by name


def test_inbound_call_rings_the_ringer_before_it_is_answered(
    pulse: PulseServer,
    client: DaemonClient,
    pj_peers: list[PjsuaPeer],
    tmp_path: Path,
):
    wait_devices(client)
    client.request("audio.set", {"ringer": "ringer"})
    accounts = client.request("account.list")["accounts"]
    local = next(a for a in accounts if a["config"]["id"] == "local")
    peer = PjsuaPeer(auto_answer="none")
    pj_peers.append(peer)
    peer.start()
    peer.call(local["config"]["uri"])
    ringing = wait_event(client, "call.updated", lambda p: p["call"]["direction"] == "inbound")
    assert ringing["call"]["state"] == "ringing"
    time.sleep(0.5)
    ringer = tmp_path / "ringer.wav"
    speaker = tmp_path / "speaker.wav"
    recorders = [pulse.record("ringer.monitor", ringer), pulse.record("spk.monitor", speaker)]
    pulse.wait_recorded(ringer, seconds=3.5)
    for recorder in recorders:
        pulse.finish(recorder)
    call_id = ringing["call"]["id"]
    client.request("call.answer", {"call_id": call_id})
    wait_call(client, call_id, "confirmed")
    time.sleep(0.5)
    after = pulse.capture("ringer.monitor", tmp_path / "answered.wav", 1.5)
    hang_up(client, call_id)
    ring_level = tone_level(ringer, 660.0, skip_s=0.0, how="max")
    # The whole take: the cadence is mostly pauses, which carry no energy either way.
    shares = [tone_share(ringer, hz, skip_s=0.0, window_s=None) for hz in (660.0, 880.0)]
    assert sum(shares) > 0.3
    assert tone_level(speaker, 660.0, skip_s=0.0) < ring_level / 1000  # not on the speaker
    # Stops once answered. The ringer's stream closes with the ring, and a null sink with
    # nothing playing may hand its monitor no frames at all: a take without frames is a
    # ringer that played nothing.
    with wave.open(str(after), "rb") as take:
        after_frames = take.getnframes()
    after_level = tone_level(after, 660.0, skip_s=0.0) if after_frames else 0.0
    assert after_level < ring_level / 1000


FAR_SPEECH = (
    "Thanks for calling about the platform. We read the proposal last week and the team "
    "liked the reporting part. Before we sign, legal wants to see the data processing terms, "
    "and our finance lead asks whether the second year can be paid quarterly."
)


def echo_power(path: Path) -> float:
    """The mean power of a take outside the user's tone (±2 % of `MIC_HZ`): what of the far
    end's speech came back through the microphone."""
    rate, pieces = _windows(path, 0.0, None)
    band, total = _band_powers(rate, pieces[0], MIC_HZ)
    return total - band


def test_echo_canceller_removes_the_far_end_looped_into_the_microphone(
    pulse: PulseServer,
    client: DaemonClient,
    pj_peers: list[PjsuaPeer],
    tmp_path: Path,
):
    """The far end speaks (espeak-ng speech, the signal a canceller is built for); it leaves
    the speaker and comes back through the microphone (a loopback from the speaker's monitor
    into the microphone feed). With the canceller on, what we send back once the user is
    quiet holds that speech ≥ 20 dB weaker than with it off; the user's own voice (a tone
    into the microphone for the call's first 3 s, over the far end's speech) still gets
    through."""
    from support.speech import VOICES, speak, write_wav

    wait_devices(client)
    far = tmp_path / "far.wav"
    write_wav(far, speak(FAR_SPEECH, VOICES["far"], tmp_path, "far-raw"))
    pulse.pactl(
        "load-module", "module-loopback", "source=spk.monitor", "sink=micfeed", "latency_msec=40"
    )
    (tmp_path / "peer").mkdir()
    peer = PjsuaPeer(play=far, record=tmp_path / "peer")
    pj_peers.append(peer)
    peer.start()
    levels: dict[bool, float] = {}
    voice: dict[bool, float] = {}
    for on in (False, True):
        client.request("audio.set", {"echo_cancellation": on})
        call_id = call_peer(client, peer)
        pulse.play("micfeed", write_sine(tmp_path / "say.wav", MIC_HZ, 3.0, level=0.1))
        time.sleep(8.0)  # the speech lasts about 12 s, the user's tone the first 3
        hang_up(client, call_id)
        recording = peer_recording(peer)
        tail = tmp_path / f"tail-{on}.wav"
        _tail(recording, tail, seconds=4.0)  # the user is quiet; the canceller has converged
        levels[on] = echo_power(tail)
        voice[on] = tone_level(recording, MIC_HZ, skip_s=0.5, window_s=2.0, how="max")
    attenuation = 10 * math.log10(levels[False] / max(levels[True], 1e-9))
    kept = 10 * math.log10(voice[True] / max(voice[False], 1e-9))
    print(f"echo: off {levels[False]:.1f}, on {levels[True]:.1f}: {attenuation:.1f} dB less;")
    print(f"voice: off {voice[False]:.1f}, on {voice[True]:.1f}: {kept:.1f} dB")
    assert levels[False] > 2000  # the echo path is real: off, the far end hears itself
    assert attenuation >= 20
    # The user is still heard. The far end speaks while the user's tone goes on, so this is
    # double talk (before the canceller has converged), where it lowers the near end by
    # design. A canceller that took the user's voice out would show -40 dB.
    assert kept > -15


def rolecall_cli(home: Home, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rolecall", *args],
        env=rolecall_env(home),
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_cli_lists_sets_and_tests_devices(
    pulse: PulseServer, client: DaemonClient, audio_daemon: RunningDaemon, tmp_path: Path
):
    wait_devices(client)
    home = audio_daemon.home
    listed = rolecall_cli(home, "audio", "devices", "--json")
    assert listed.returncode == 0, listed.stderr
    devices = json.loads(listed.stdout)["devices"]
    names = {d["name"] for d in devices if d["host_api"] == "PulseAudio"}
    assert {"spk", "spk2", "ringer", "mic"} <= names
    assert next(d for d in devices if d["name"] == "spk")["default_output"]
    chosen = rolecall_cli(home, "audio", "set", "--output", "spk2", "--noise-suppression", "on")
    assert chosen.returncode == 0, chosen.stderr
    assert "noise suppression on" in chosen.stdout
    wait_state(client, "output", "spk2")
    pulse.play("micfeed", write_sine(tmp_path / "say.wav", MIC_HZ, 2.0), loop=True)
    recorder = pulse.record("spk2.monitor", tmp_path / "test-tone.wav")
    pulse.wait_recorded(tmp_path / "test-tone.wav", seconds=0.1)  # on before the test plays
    tested = rolecall_cli(home, "audio", "test", "--seconds", "2", "--json")
    pulse.finish(recorder)
    assert tested.returncode == 0, tested.stderr
    result = json.loads(tested.stdout)
    assert result["output"] == "spk2" and result["input"] == "default"
    assert result["mic_level_dbfs"] > -20  # the 0.3-of-full-scale tone: about -10.5 dBFS
    assert tone_share(tmp_path / "test-tone.wav", 1000.0, skip_s=0.0) > 0.3
    back = rolecall_cli(home, "audio", "set", "--output", "default")
    assert back.returncode == 0 and "speaker:    default" in back.stdout


def test_a_speaker_unplugged_mid_call_falls_back_to_the_default_and_says_so(
    pulse: PulseServer,
    client: DaemonClient,
    pj_peers: list[PjsuaPeer],
    tmp_path: Path,
):
    wait_devices(client)
    client.request("audio.set", {"output": "spk2"})
    wait_state(client, "output", "spk2")
    peer = tone_peer(pj_peers, tmp_path)
    call_id = call_peer(client, peer)
    time.sleep(1.0)
    module = next(
        line.split("\t")[0]
        for line in pulse.pactl("list", "short", "modules").splitlines()
        if "sink_name=spk2" in line
    )
    pulse.pactl("unload-module", module)  # the headset is pulled out
    event = wait_event(client, "audio.state", lambda p: p["output"] == "default", timeout=15.0)
    assert "stopped" in event["reason"]
    time.sleep(1.0)
    heard = pulse.capture("spk.monitor", tmp_path / "fallback.wav", 2.5)
    calls = client.request("calls.list")["calls"]
    assert any(c["id"] == call_id and c["state"] == "confirmed" for c in calls)
    hang_up(client, call_id)
    assert tone_share(heard, PEER_HZ) > 0.3
    chosen = client.request("audio.devices")["chosen"]
    assert chosen["output"] == "spk2"  # still remembered: plugging it back brings it back
