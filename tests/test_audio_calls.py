"""The user's own audio through a real daemon, a real PulseAudio server and real calls.

PulseAudio runs with null sinks (`spk`, `spk2`, `ringer`) and a virtual microphone fed by
the `micfeed` sink; what the user "says" is played into `micfeed`, what they hear is
recorded from a sink's monitor, and a Goertzel filter tells which tone got where.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rolecall.client import DaemonClient
from rolecall.paths import Home
from support.audio import tone_power
from support.audio.pulse import PulseServer, write_sine
from support.calls import place, wait_call
from support.daemons import RunningDaemon, start_daemon, stop_daemon
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
    client.request("audio.set", {"echo_cancellation": False})
    pulse.play("micfeed", write_sine(tmp_path / "say.wav", MIC_HZ, 2.0), loop=True)
    _, call_id = echo_call(client, sipp_peers)
    time.sleep(1.0)
    heard = pulse.capture("spk.monitor", tmp_path / "heard.wav", 3.0)
    hang_up(client, call_id)
    assert tone_power(heard, MIC_HZ) > 0.3
    assert tone_power(heard, CONTROL_HZ) < 0.02
    quiet = pulse.capture("spk.monitor", tmp_path / "after.wav", 1.5)
    assert tone_power(quiet, MIC_HZ) < 0.05  # the call is over: the loop is gone


def test_without_any_sound_server_calls_connect_and_say_what_is_missing(
    rc_home: Home, sipp_peers: list[SippPeer], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
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
