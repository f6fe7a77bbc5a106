"""The side panel's sound devices in Debian's Chromium with the real host and daemon.

With a private PulseAudio server (null sinks `spk`, `spk2`; a virtual microphone) and the
daemon's audio on, the panel shows the devices in use, and choosing `spk2` as the speaker
in the panel mid-call moves the call's audio there (both sinks' monitors are recorded).
With no sound server at all, the panel says there is no microphone and the call still
connects. Every process started here is stopped by its pid.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Playwright, expect

from rolecall.client import DaemonClient
from rolecall.demo.browser import launch, register_host
from rolecall.paths import Home
from support.audio import tone_power
from support.audio.pulse import PulseServer
from support.calls import place, wait_call
from support.daemons import prepare_home
from support.processes import daemon_pid, stop_pid
from support.sip.peer_client import PjsuaPeer

pytestmark = pytest.mark.e2e

PEER_HZ = 1100.0


def open_panel(playwright: Playwright, env: dict[str, str]) -> Iterator[tuple[Page, Home]]:
    root = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))
    profile = Path(tempfile.mkdtemp(prefix="rc-profile-"))
    home = prepare_home(Home(root))
    browser = None
    try:
        register_host(home.root, profile)
        browser = launch(playwright, profile, home=home.root, extra_env=env)
        page = browser.context.new_page()
        page.set_viewport_size({"width": 420, "height": 1000})
        page.goto(browser.panel_url)
        expect(page.get_by_test_id("host-status")).to_have_text("connected", timeout=20_000)
        yield page, home
    finally:
        if browser is not None:
            browser.close()
        pid = daemon_pid(home)
        if pid:
            stop_pid(pid)
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def peer(tmp_path: Path) -> Iterator[PjsuaPeer]:
    (tmp_path / "peer").mkdir()
    started = PjsuaPeer(tone_hz=PEER_HZ, record=tmp_path / "peer").start()
    try:
        yield started
    finally:
        started.cleanup()


def test_panel_shows_the_devices_and_switching_the_speaker_moves_the_call(
    playwright: Playwright, peer: PjsuaPeer, tmp_path: Path
) -> None:
    pulse = PulseServer().start()
    try:
        env = {**pulse.env, "ROLECALL_AUDIO": "on"}
        for page, home in open_panel(playwright, env):
            expect(page.get_by_test_id("audio-input-in-use")).to_contain_text(
                "default", timeout=15_000
            )
            expect(page.get_by_test_id("audio-output-in-use")).to_contain_text("default")
            expect(page.get_by_test_id("audio-no-microphone")).to_have_count(0)
            with DaemonClient.open(home, start=False) as client:
                call = place(client, peer.uri)
                wait_call(client, call["id"], "confirmed")
                expect(page.get_by_test_id("call-card")).to_have_attribute(
                    "data-state", "confirmed"
                )
                time.sleep(1.0)
                before = pulse.capture("spk.monitor", tmp_path / "before.wav", 1.5)
                page.get_by_test_id("audio-choose").click()
                page.get_by_test_id("audio-output").select_option("spk2")
                expect(page.get_by_test_id("audio-output-in-use")).to_contain_text(
                    "spk2", timeout=10_000
                )
                time.sleep(0.5)
                moved, old = tmp_path / "moved.wav", tmp_path / "old.wav"
                recorders = [pulse.record("spk2.monitor", moved), pulse.record("spk.monitor", old)]
                pulse.wait_recorded(moved, seconds=2.5)
                for recorder in recorders:
                    pulse.finish(recorder)
                client.request("call.hangup", {"call_id": call["id"]})
                wait_call(client, call["id"], "disconnected")
            shares = {wav.name: tone_power(wav, PEER_HZ) for wav in (before, moved, old)}
            assert shares["before.wav"] > 0.3, shares
            assert shares["moved.wav"] > 0.3, shares
            assert shares["old.wav"] < 0.05, shares
    finally:
        pulse.stop()


def test_without_a_sound_server_the_panel_says_no_microphone_and_the_call_connects(
    playwright: Playwright, peer: PjsuaPeer, tmp_path: Path
) -> None:
    env = {"ROLECALL_AUDIO": "on", "PULSE_SERVER": f"unix:{tmp_path}/none"}
    for page, home in open_panel(playwright, env):
        expect(page.get_by_test_id("audio-no-microphone")).to_have_text(
            "No microphone: the call goes on, they can't hear you.", timeout=15_000
        )
        expect(page.get_by_test_id("audio-no-speaker")).to_be_visible()
        with DaemonClient.open(home, start=False) as client:
            call = place(client, peer.uri)
            wait_call(client, call["id"], "confirmed")
            expect(page.get_by_test_id("call-card")).to_have_attribute("data-state", "confirmed")
            client.request("call.hangup", {"call_id": call["id"]})
            wait_call(client, call["id"], "disconnected")
