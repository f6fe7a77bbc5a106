"""`make demo`'s headless run: the scripted tour, checked against what each part recorded.

The demo runs twice into the same output directory: the first is stopped with Ctrl-C
once the first call is up, the second must start clean and tour to the end. The tour
places real calls from the demo CRM page in Chromium to the demo callees (pjsua2
processes behind Kamailio). The checks read the callees' own records (their JSON-lines
files: what their SIP stacks saw), the daemon's call log, and what the tour read off
the side panel, against the demo dataset built independently here. Every process a
run started must be gone by pid when it exits.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Playwright

from rolecall.demo.browser import ExtensionBrowser, launch, register_host
from rolecall.demo.dataset import demo_dataset
from rolecall.demo.processes import pids_with_argument
from rolecall.demo.sound import SILENCE_DBFS
from rolecall.demo.stack import DemoStack
from rolecall.demo.tour import Tour
from rolecall.paths import Home
from rolecall.protocol.records import ROLE_ORDER
from support.processes import pid_alive

pytestmark = pytest.mark.e2e

OPPORTUNITY = "opp-acme-platform"
PROPOSAL = "doc-acme-platform-proposal"
PANEL_MISSING = "the side panel has no [data-testid=panel] yet"


def run_demo(output: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "rolecall.demo", "--headless", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def callee_events(output: Path) -> list[dict[str, Any]]:
    """The callee processes' own records, read straight from their files."""
    events = []
    for path in sorted((output / "callees").glob("*.events.jsonl")):
        events += [json.loads(line) for line in path.read_text().splitlines() if line]
    return sorted(events, key=lambda e: e["t"])


def expected_people_and_documents(tmp: Path) -> tuple[list[dict[str, Any]], list[str]]:
    data = demo_dataset(tmp)
    by_role: dict[str, list[str]] = defaultdict(list)
    for role in data.roles:
        if role.opportunity_id == OPPORTUNITY:
            by_role[role.role.value].append(role.contact_id)
    groups = [
        {"role": role.value, "contacts": sorted(by_role[role.value])}
        for role in ROLE_ORDER
        if by_role[role.value]
    ]
    documents = {d.id for d in data.documents if d.opportunity_id == OPPORTUNITY}
    return groups, sorted(documents)


def check_run(output: Path, result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    tour = json.loads((output / "tour.json").read_text())
    facts = tour["facts"]
    failed = [s for s in tour["steps"] if s["outcome"] == "failed"]
    assert not failed, failed

    # The call was placed from the opportunity page and tied to the store's opportunity.
    assert facts["call_buttons_on_opportunity_page"] >= 5
    assert facts["anna_call_record"]["record_id"] == OPPORTUNITY
    assert facts["anna_call_record"]["object_type"] == "opportunity"
    assert facts["context_opportunity"] == OPPORTUNITY

    # The callees' own records: Anna answered our call, spoke, got the presented document
    # as a SIP MESSAGE inside the call, and was referred to the colleague, who answered.
    events = callee_events(output)
    anna = [e for e in events if e["person"] == "anna"]
    incoming = next(e for e in anna if e["event"] == "incoming")
    assert "+14155550147" in incoming["to"] and "sip:you@" in incoming["from"]
    call = incoming["call"]
    assert any(e.get("state") == "CONFIRMED" and e["call"] == call for e in anna)
    assert any(e["event"] == "speaking" and e["call"] == call for e in anna)
    messages = [e for e in anna if e["event"] == "message"]
    assert messages and messages[0]["in_call"] and messages[0]["call"] == call, messages
    assert "Proposal - Contact Centre Platform v3" in messages[0]["body"]
    refer = next(e for e in anna if e["event"] == "transfer_request")
    assert refer["call"] == call and refer["to"].startswith("sip:2001@")
    sam = [e for e in events if e["person"] == "sam"]
    assert any(e["event"] == "incoming" and "+14155550147" in e["from"] for e in sam), sam
    assert any(e.get("state") == "CONFIRMED" for e in sam)
    media = [e for e in anna if e["event"] == "media" and e["call"] == call]
    assert media and media[0]["rx_packets"] > 0 and media[0]["tx_packets"] > 0, media
    # Voice crossed the call both ways: Anna's phone recorded our phrase, and the demo's
    # speaker recorded Anna (this machine has PulseAudio: the demo's own server).
    voice = next(s for s in tour["steps"] if s["name"].startswith("voice both ways"))
    assert voice["outcome"] == "done", voice
    heard = next(e for e in anna if e["event"] == "heard" and e["call"] == call)
    assert heard["dbfs"] > SILENCE_DBFS and facts["our_speaker_dbfs"] > SILENCE_DBFS, voice
    pids = json.loads((output / "pids.json").read_text())
    assert "pulseaudio" in pids
    # Marcus was busy; Tom missed the call and rang back.
    assert any(e.get("code") == 486 and e.get("state") == "DISCONNECTED" for e in events)
    assert any(e["person"] == "tom" and e["event"] == "calling_back" for e in events)

    # The call log has the call, against the opportunity and Anna.
    log = json.loads((output / "call-log.json").read_text())
    entry = next(item["entry"] for item in log if item["entry"]["call_id"] == facts["anna_call_id"])
    assert entry["opportunity_id"] == OPPORTUNITY
    assert entry["contact_id"] == "con-anna-kowalski"
    assert entry["end_cause"] == "transferred" and entry["answered_at"]
    causes = {item["entry"]["number"]: item["entry"]["end_cause"] for item in log}
    assert causes["+14155550110"] == "busy"
    assert (output / "01-opportunity-page.png").stat().st_size > 10_000

    # Everything the run started is gone, and its throwaway profile too.
    assert {"daemon", "kamailio", "callee people", "callee colleague"} <= set(pids)
    assert [name for name, pid in pids.items() if pid_alive(pid)] == []
    assert not (output / "chromium-profile").exists()
    assert "demo finished; everything it started is stopped" in result.stdout
    return tour


def interrupted_run(output: Path) -> str:
    """A run stopped with Ctrl-C (SIGINT to its whole process group, as a terminal sends
    it) once Anna has answered; returns its output after checking it cleaned up."""
    process = subprocess.Popen(
        [sys.executable, "-m", "rolecall.demo", "--headless", "--output", str(output)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    seen = []
    try:
        for line in process.stdout:
            seen.append(line)
            if "she answers and speaks" in line:
                os.killpg(process.pid, signal.SIGINT)
                break
        seen.append(process.stdout.read())
        assert process.wait(60) == 0, "".join(seen)
    finally:
        if process.poll() is None:
            process.kill()
    text = "".join(seen)
    assert "she answers and speaks" in text and "\nstopping" in text, text
    pids = json.loads((output / "pids.json").read_text())
    assert [name for name, pid in pids.items() if pid_alive(pid)] == [], text
    profile = output / "chromium-profile"
    assert pids_with_argument(f"--user-data-dir={profile}") == []
    assert not profile.exists()
    return text


def test_ctrl_c_stops_everything_and_the_next_run_starts_clean_and_tours(tmp_path: Path) -> None:
    output = tmp_path / "demo-output"
    interrupted_run(output)
    result = run_demo(output)
    second = check_run(output, result)
    # A clean start: the log holds only this run's calls, none left over as interrupted.
    log = json.loads((output / "call-log.json").read_text())
    assert len(log) == second["facts"]["call_log_entries"] == 4, log
    assert all(item["entry"]["end_cause"] != "interrupted" for item in log), log

    # The side panel: people by role and the documents, as the demo dataset has them,
    # and the proposal presented from it.
    steps = {s["name"]: s for s in second["steps"]}
    assert steps["open the side panel"]["outcome"] == "done", steps["open the side panel"]
    groups, documents = expected_people_and_documents(tmp_path / "docs")
    shown = [
        {"role": g["role"], "contacts": sorted(g["contacts"])}
        for g in second["facts"]["panel_role_groups"]
        if g["contacts"]
    ]
    assert shown == groups
    assert sorted(second["facts"]["panel_documents"]) == documents
    assert steps["present the proposal to the people on the call"]["outcome"] == "done"
    anna = next(i["entry"] for i in log if i["entry"]["call_id"] == second["facts"]["anna_call_id"])
    assert anna["documents_presented"] == [PROPOSAL], anna
    assert anna["disposition"] == "connected" and "proposal" in anna["notes"], anna
    not_done = [s["name"] for s in second["steps"] if s["outcome"] != "done"]
    assert not_done == [], not_done


class PanelLess(ExtensionBrowser):
    """The same browser, with a blank page where the side panel would be."""

    @property
    def panel_url(self) -> str:
        return "about:blank"


def test_without_a_panel_the_tour_says_which_steps_it_could_not_do_and_goes_on(
    tmp_path: Path, playwright: Playwright
) -> None:
    stack = DemoStack(Home(tmp_path / "home"), tmp_path / "out")
    profile = tmp_path / "profile"
    try:
        stack.start(log=lambda *_: None)
        register_host(stack.home.root, profile)
        browser = launch(playwright, profile, home=stack.home.root)
        try:
            report = Tour(PanelLess(browser.context, browser.worker, browser.extension_id),
                          stack, tmp_path / "out").run()  # fmt: skip
        finally:
            browser.close()
    finally:
        stack.stop()
    outcomes = {s.name: (s.outcome, s.panel) for s in report.steps}
    panel_steps = [s for s in report.steps if s.panel]
    assert len(panel_steps) >= 10
    assert all(s.outcome == "not done" and s.detail == PANEL_MISSING for s in panel_steps)
    assert report.facts["panel_steps_not_done"] == [s.name for s in panel_steps]
    # What the story needs is done through the daemon, and the callees saw it happen.
    assert outcomes["Anna's phone receives the presented document (SIP MESSAGE)"][0] == "via daemon"
    assert outcomes["Anna is put through to the colleague; our call ends"][0] == "via daemon"
    assert outcomes["the call back from Tom is answered and hung up"][0] == "via daemon"
    assert not [s for s in report.steps if s.outcome == "failed"]
    assert "Proposal - Contact Centre Platform v3" in report.facts["anna_received_message"]
