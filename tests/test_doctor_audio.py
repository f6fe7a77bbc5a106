"""`rolecall doctor`'s sound checks against a real daemon and a private PulseAudio server:
the devices in use open and the microphone's level shows; a silent microphone, a chosen
device that is gone fail with a fix; no sound device at all is a warning (calls still
connect), a failure only when audio is required.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rolecall.client import DaemonClient
from rolecall.doctor_audio import audio_findings
from rolecall.paths import Home
from support.audio.pulse import PulseServer, write_sine
from support.daemons import RunningDaemon, rolecall_env, start_daemon, stop_daemon

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="PulseAudio")


@pytest.fixture
def pulse(monkeypatch: pytest.MonkeyPatch) -> Iterator[PulseServer]:
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
        server.stop()


@pytest.fixture
def audio_daemon(pulse: PulseServer, rc_home: Home) -> Iterator[RunningDaemon]:
    running = start_daemon(rc_home)
    try:
        yield running
    finally:
        stop_daemon(running)
        print(rc_home.daemon_log.read_text(errors="replace")[-4000:])


def by_check(
    findings: list[tuple[str, bool, str, str, bool]],
) -> dict[str, tuple[bool, str, str]]:
    return {check: (ok, detail, fix) for check, ok, detail, fix, _ in findings}


def wait_devices(home: Home, timeout: float = 10.0) -> None:
    """Until the daemon has both a microphone and a speaker open."""
    deadline = time.monotonic() + timeout
    with DaemonClient.open(home, start=False, name="doctor-test") as client:
        while True:
            state = client.request("audio.devices")["state"]
            if not state["no_microphone"] and not state["no_speaker"]:
                return
            assert time.monotonic() < deadline, f"no devices: {state}"
            time.sleep(0.2)


def doctor_json(home: Home) -> dict[str, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "rolecall", "doctor", "--json"],
        env=rolecall_env(home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return {c["check"]: c for c in json.loads(done.stdout)}


def test_doctor_shows_the_devices_in_use_and_the_microphone_level(
    pulse: PulseServer, audio_daemon: RunningDaemon, tmp_path: Path
) -> None:
    wait_devices(audio_daemon.home)
    pulse.play("micfeed", write_sine(tmp_path / "voice.wav", 700.0, 1.0), loop=True)
    time.sleep(0.5)  # paplay connects
    checks = doctor_json(audio_daemon.home)
    assert checks["microphone"]["ok"], checks["microphone"]
    assert "system default" in checks["microphone"]["detail"]
    assert checks["speaker"]["ok"], checks["speaker"]
    level = checks["microphone level"]
    assert level["ok"], level
    dbfs = float(level["detail"].split(" peaked at ")[1].split(" dBFS")[0])
    assert -40 < dbfs <= 0


def test_a_silent_microphone_and_a_missing_speaker_say_what_to_fix(
    pulse: PulseServer, audio_daemon: RunningDaemon
) -> None:
    wait_devices(audio_daemon.home)
    with DaemonClient.open(audio_daemon.home, start=False, name="doctor-test") as client:
        client.request("audio.set", {"output": "No Such Speaker"})
    found = by_check(audio_findings(audio_daemon.home))
    ok, detail, fix = found["microphone level"]
    assert not ok and "silence" in detail and "unmute" in fix
    ok, detail, fix = found["speaker"]
    assert not ok, detail
    assert "'No Such Speaker' did not open; default is used instead" in detail
    assert "rolecall audio set --output" in fix
    assert found["microphone"][0]


def test_without_a_sound_server_the_doctor_says_no_microphone_and_no_speaker(
    rc_home: Home, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ROLECALL_AUDIO", "on")
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path}/none")
    running = start_daemon(rc_home)
    try:
        findings = audio_findings(rc_home)
        required = by_check(audio_findings(rc_home, required=True))
    finally:
        stop_daemon(running)
    found = by_check(findings)
    ok, detail, fix = found["microphone"]
    assert ok and "no microphone could be opened" in detail  # a warning: the call goes on
    assert "calls still connect" in detail and "nobody hears you" in detail
    assert "sound server" in fix
    assert found["speaker"][0] and "you hear nothing" in found["speaker"][1]
    assert {check for check, *_, warning in findings if warning} == {"microphone", "speaker"}
    assert "microphone level" not in found
    # Audio required: the same findings fail.
    assert not required["microphone"][0] and not required["speaker"][0]


def test_no_daemon_no_sound_checks(rc_home: Home) -> None:
    assert audio_findings(rc_home) == []
