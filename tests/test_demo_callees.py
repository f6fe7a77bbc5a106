"""The demo's callees without Kamailio (reached directly), driven through the real daemon.

The demo stack runs with `direct=True`: one callee process holds everyone, matched by
the number in the request, the catch-all as its default account. Calls go through the
daemon with the demo account; the checks read the callee process's own record. Also:
the generated voice (what callees say where espeak-ng is missing) is real audio.
"""

from __future__ import annotations

import math
import struct
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from rolecall.client import DaemonError
from rolecall.demo import voice
from rolecall.demo.cast import COLLEAGUE_EXTENSION, cast_of
from rolecall.demo.dataset import demo_dataset
from rolecall.demo.stack import DemoStack
from rolecall.paths import Home
from support.processes import pid_alive


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStack]:
    root = tmp_path_factory.mktemp("demo")
    demo = DemoStack(Home(root / "home"), root / "out", direct=True)
    try:
        demo.start(log=lambda *_: None)
        yield demo
    finally:
        demo.stop()


def wait_call(
    stack: DemoStack, call_id: str, check: Callable[[dict[str, Any]], bool], timeout: float = 10
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        with stack.client() as client:
            call = next(c for c in client.request("calls.list")["calls"] if c["id"] == call_id)
        if check(call) or time.monotonic() > deadline:
            return call
        time.sleep(0.1)


def place(stack: DemoStack, target: str) -> str:
    with stack.client() as client:
        try:
            call_id: str = client.request("call.place", {"target": target})["call"]["id"]
        except DaemonError as exc:
            log = (stack.home.log_dir / "demo-daemon.out").read_text(errors="replace")[-3000:]
            raise AssertionError(f"{exc}\n{log}") from exc
    return call_id


def events_of(stack: DemoStack, person: str) -> list[dict[str, Any]]:
    assert stack.callees is not None
    return [e for e in stack.callees.events() if e["person"] == person]


def test_without_a_pbx_one_process_holds_everyone(stack: DemoStack) -> None:
    assert stack.registrar is None
    assert stack.callees is not None and len(stack.callees.processes) == 1


def test_anna_answers_speaks_and_is_transferred_to_the_colleague(stack: DemoStack) -> None:
    call_id = place(stack, "(415) 555-0147")
    call = wait_call(stack, call_id, lambda c: c["state"] == "confirmed")
    assert call["state"] == "confirmed", call
    with stack.client() as client:
        client.request("call.transfer", {"call_id": call_id, "target": "2001"})
    ended = wait_call(stack, call_id, lambda c: c["state"] == "disconnected")
    assert ended["end_cause"] == "transferred", ended
    assert stack.callees is not None
    stack.callees.wait(
        lambda evs: any(e["person"] == "sam" and e.get("state") == "CONFIRMED" for e in evs), 10
    )
    anna = events_of(stack, "anna")
    assert any(e["event"] == "speaking" for e in anna)
    assert any(e["event"] == "transfer_request" and e["to"].startswith("sip:2001@") for e in anna)


def test_busy_and_a_number_nobody_has_reaches_the_catch_all(stack: DemoStack) -> None:
    busy = wait_call(stack, place(stack, "+1 415 555 0110"), lambda c: c["state"] == "disconnected")
    assert busy["end_cause"] == "busy" and busy["status_code"] == 486
    # Zoë Müller at Kessler is nobody in the cast: the catch-all answers her number.
    other = place(stack, "+49 711 123456-210")
    assert wait_call(stack, other, lambda c: c["state"] == "confirmed")["state"] == "confirmed"
    with stack.client() as client:
        client.request("call.hangup", {"call_id": other})
    incoming = [e for e in events_of(stack, "switchboard") if e["event"] == "incoming"]
    assert incoming and "+49711123456210" in incoming[-1]["to"]


def test_tom_rings_back_after_a_missed_call(stack: DemoStack) -> None:
    missed = wait_call(
        stack, place(stack, "(628) 555-0175"), lambda c: c["state"] == "disconnected", 20
    )
    assert missed["status_code"] == 480, missed
    deadline = time.monotonic() + 15
    inbound: list[dict[str, Any]] = []
    while not inbound and time.monotonic() < deadline:
        with stack.client() as client:
            inbound = [
                c for c in client.request("calls.list")["calls"] if c["direction"] == "inbound"
            ]
        time.sleep(0.1)
    assert inbound and "+16285550175" in inbound[0]["remote_uri"], inbound
    with stack.client() as client:
        client.request("call.decline", {"call_id": inbound[0]["id"]})


def test_stopping_ends_every_process(tmp_path: Path) -> None:
    demo = DemoStack(Home(tmp_path / "home"), tmp_path / "out", direct=True)
    try:
        demo.start(log=lambda *_: None)
        pids = [c.process.pid for c in demo.children.started]
        assert pids and all(pid_alive(pid) for pid in pids)
    finally:
        demo.stop()
    assert not any(pid_alive(pid) for pid in pids)


def test_generated_voice_is_speech_like_audio_then_silence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(voice, "espeak_available", lambda: False)
    path = tmp_path / "v.wav"
    assert (
        voice.speech_wav("Hello, this is Anna. Can you hear me?", path, pause_s=2.0) == "generated"
    )
    with wave.open(str(path), "rb") as wav:
        rate, frames = wav.getframerate(), wav.readframes(wav.getnframes())
    samples = struct.unpack(f"<{len(frames) // 2}h", frames)
    tail = samples[-rate * 2 :]
    head = samples[: -rate * 2]
    assert max(map(abs, tail)) == 0
    assert len(head) > rate  # over a second of speech
    rms = math.sqrt(sum(s * s for s in head) / len(head))
    assert rms > 1000
    # Syllables and pauses: the loudness changes over time, unlike a steady tone.
    window = rate // 20
    levels = [max(map(abs, head[i : i + window])) for i in range(0, len(head) - window, window)]
    assert min(levels) < 0.1 * max(levels)


def test_behind_kamailio_every_number_reaches_someone_and_priya_never_answers(
    tmp_path: Path,
) -> None:
    demo = DemoStack(Home(tmp_path / "home"), tmp_path / "out")
    try:
        demo.start(log=lambda *_: None)
        assert demo.registrar is not None, "Kamailio is in the Makefile's SYSTEM_TOOLS"
        assert demo.callees is not None and len(demo.callees.processes) == 3
        # A number nobody registered: Kamailio hands it to the catch-all.
        other = place(demo, "+49 711 123456-210")
        assert wait_call(demo, other, lambda c: c["state"] == "confirmed")["state"] == "confirmed"
        # The colleague's extension.
        colleague = place(demo, "2001")
        assert (
            wait_call(demo, colleague, lambda c: c["state"] == "confirmed")["state"] == "confirmed"
        )
        # Priya lets it ring.
        priya = place(demo, "(628) 555-0181")
        assert wait_call(demo, priya, lambda c: c["state"] == "ringing")["state"] == "ringing"
        time.sleep(2.5)  # longer than anyone else takes to pick up
        assert wait_call(demo, priya, lambda c: False, timeout=0)["state"] == "ringing"
        with demo.client() as client:
            for call_id in (other, colleague, priya):
                client.request("call.hangup", {"call_id": call_id})
        assert any(
            e["event"] == "incoming" and "+49711123456210" in e["to"]
            for e in events_of(demo, "switchboard")
        )
        assert any(e.get("state") == "CONFIRMED" for e in events_of(demo, "sam"))
        priya_states = {e.get("state") for e in events_of(demo, "priya")}
        assert "EARLY" in priya_states and "CONFIRMED" not in priya_states
    finally:
        demo.stop()


def test_the_cast_takes_every_number_of_its_people_from_the_dataset(tmp_path: Path) -> None:
    data = demo_dataset(tmp_path)
    cast = cast_of(data)
    numbers = {p.e164 for c in data.contacts for p in c.phones if p.e164}
    users = [u for person in cast for u in person.users]
    assert len(users) == len(set(users)), "a number reaches one person only"
    assert {u for u in users if u.startswith("+")} <= numbers
    by_key = {p.key: p for p in cast}
    assert by_key["anna"].users == ("+14155550147", "+14155550198")
    assert by_key["priya"].users == ("+14155550163", "+16285550181")
    assert by_key["sam"].users == (COLLEAGUE_EXTENSION,)
    assert [p.key for p in cast if p.catch_all] == ["switchboard"] == [cast[-1].key]
    assert {p.behaviour for p in cast} == {"answer", "busy", "no_answer", "call_back", "colleague"}
