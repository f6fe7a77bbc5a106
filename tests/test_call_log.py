"""Every call ends in one log entry, on disk before anyone hears the call ended."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from rolecall.client import DaemonClient, DaemonError
from rolecall.paths import Home
from rolecall.store.store import Store
from support.calls import place, wait_call, wait_event
from support.daemons import RunningDaemon, rolecall_env, start_daemon, stop_daemon
from support.sip.sipp import SippPeer
from test_context_store import small_dataset


@pytest.fixture
def peers() -> Iterator[list[SippPeer]]:
    started: list[SippPeer] = []
    yield started
    for peer in started:
        peer.cleanup()


def load_deal(home: Home) -> None:
    store = Store(home.data_dir / "rolecall.db")
    store.load(small_dataset())
    store.close()


def call_the_cto(client: DaemonClient, peer: SippPeer) -> dict[str, object]:
    """Dials Wang Wei's number (the CTO on opp-1) to a SIPp peer standing in for his phone."""
    account = {"id": "pbx", "uri": "sip:rolecall@127.0.0.1", "dial_plan": {"domain": peer.address}}
    client.request("account.set", {"account": account})
    return place(client, "+86 138 0013 8000", account_id="pbx")


def test_finished_call_is_logged_against_the_contact_and_deal(
    daemon: RunningDaemon, peers: list[SippPeer]
):
    load_deal(daemon.home)
    peer = SippPeer("uas_answer", rtp_echo=True).start()
    peers.append(peer)
    with DaemonClient.open(daemon.home, start=False) as client:
        call = call_the_cto(client, peer)
        wait_call(client, call["id"], "confirmed")  # type: ignore[arg-type]
        live = client.request("calllog.list", {"limit": 5})["calls"]
        assert [(c["entry"]["call_id"], c["state"]) for c in live] == [(call["id"], "live")]
        time.sleep(1.2)
        client.request("call.hangup", {"call_id": call["id"]})
        wait_call(client, call["id"], "disconnected")  # type: ignore[arg-type]
        logged = client.request("calllog.list", {"opportunity_id": "opp-1"})["calls"]
        assert len(logged) == 1 and logged[0]["state"] == "ended"
        entry = logged[0]["entry"]
        assert entry["contact_id"] == "c-cto" and entry["opportunity_id"] == "opp-1"
        assert entry["account_id"] == "acc-1" and entry["number"] == "+8613800138000"
        assert entry["end_cause"] == "normal" and entry["duration_s"] >= 1
        assert entry["idempotency_key"] == f"rolecall:{call['id']}"
        context = client.request("context.get", {"opportunity_id": "opp-1"})["context"]
        assert [c["call_id"] for c in context["recent_calls"]] == [call["id"]]
    assert peer.wait() == 0


def test_notes_and_documents_added_during_the_call_survive_its_end(
    daemon: RunningDaemon, peers: list[SippPeer]
):
    load_deal(daemon.home)
    peer = SippPeer("uas_answer", rtp_echo=True).start()
    peers.append(peer)
    with DaemonClient.open(daemon.home, start=False) as client:
        call = call_the_cto(client, peer)
        wait_call(client, call["id"], "confirmed")  # type: ignore[arg-type]
        update = {"call_id": call["id"], "notes": "asked for a pilot"}
        client.request("calllog.update", {**update, "documents_presented": ["doc-1"]})
        client.request("call.hangup", {"call_id": call["id"]})
        wait_call(client, call["id"], "disconnected")  # type: ignore[arg-type]
        entry = client.request("calllog.list", {"opportunity_id": "opp-1"})["calls"][0]["entry"]
        assert entry["notes"] == "asked for a pilot"
        assert entry["documents_presented"] == ["doc-1"]
        assert entry["end_cause"] == "normal"
        # The user can still clear what they wrote.
        client.request("calllog.update", {"call_id": call["id"], "notes": ""})
        entry = client.request("calllog.list", {"opportunity_id": "opp-1"})["calls"][0]["entry"]
        assert entry["notes"] == "" and entry["documents_presented"] == ["doc-1"]


def test_the_deal_the_user_picks_for_a_caller_on_two_deals_is_logged(
    daemon: RunningDaemon, peers: list[SippPeer]
):
    load_deal(daemon.home)
    peer = SippPeer("uas_answer", rtp_echo=True).start()
    peers.append(peer)
    with DaemonClient.open(daemon.home, start=False) as client:
        account = {
            "id": "pbx",
            "uri": "sip:rolecall@127.0.0.1",
            "dial_plan": {"domain": peer.address},
        }
        client.request("account.set", {"account": account})
        call = place(client, "+14155550132", account_id="pbx")  # José: on opp-1 and opp-2
        wait_call(client, call["id"], "confirmed")  # type: ignore[arg-type]
        with pytest.raises(DaemonError) as missing:
            client.request("calllog.update", {"call_id": call["id"], "opportunity_id": "opp-9"})
        assert missing.value.code == "not_found"
        client.request("calllog.update", {"call_id": call["id"], "opportunity_id": "opp-2"})
        client.request("call.hangup", {"call_id": call["id"]})
        wait_call(client, call["id"], "disconnected")  # type: ignore[arg-type]
        logged = client.request("calllog.list", {"opportunity_id": "opp-2"})["calls"]
        assert [c["entry"]["call_id"] for c in logged] == [call["id"]]
        assert logged[0]["entry"]["contact_id"] == "c-eng"
        assert logged[0]["entry"]["account_id"] == "acc-1"


def test_call_placed_from_a_deal_page_is_logged_against_that_deal(
    daemon: RunningDaemon, peers: list[SippPeer]
):
    """José is on two deals: his number alone cannot say which; the page in view can."""
    load_deal(daemon.home)
    peer = SippPeer("uas_busy").start()
    peers.append(peer)
    record = {
        "crm": "salesforce",
        "instance": "acme.lightning.force.com",
        "object_type": "opportunity",
        "record_id": "opp-2",
        "name": "Service contract",
        "url": "https://acme.lightning.force.com/lightning/r/Opportunity/opp-2/view",
    }
    snapshot = {"crm": "salesforce", "record_id": "opp-2", "opportunity_name": "Service contract"}
    with DaemonClient.open(daemon.home, start=False) as client:
        account = {
            "id": "pbx",
            "uri": "sip:rolecall@127.0.0.1",
            "dial_plan": {"domain": peer.address},
        }
        client.request("account.set", {"account": account})
        call = place(client, "+1 415 555 0132", account_id="pbx", record=record, snapshot=snapshot)
        assert call["record"] == record
        ended = wait_call(client, call["id"], "disconnected")  # type: ignore[arg-type]
        assert ended["record"] == record
        # The side panel asks for the call's context: the deal of the page it came from.
        context = client.request("context.get", {"call_id": call["id"]})["context"]
        assert context["opportunity"]["id"] == "opp-2"
        with pytest.raises(DaemonError) as unknown:
            client.request("context.get", {"call_id": "0" * 32})
        assert unknown.value.code == "not_found"
        with pytest.raises(DaemonError) as refused:  # not a page record: nothing is dialled
            client.request(
                "call.place",
                {"target": "+14155550132", "record": {"crm": "<b>", "url": "javascript:x"}},
            )
        assert refused.value.code == "invalid_message"
        assert len(client.request("calls.list", {})["calls"]) <= 1
        logged = client.request("calllog.list", {"opportunity_id": "opp-2"})["calls"]
        assert [c["entry"]["call_id"] for c in logged] == [call["id"]]
        entry = logged[0]["entry"]
        assert (entry["contact_id"], entry["opportunity_id"], entry["account_id"]) == (
            "c-eng",
            "opp-2",
            "acc-1",
        )
    assert peer.wait() == 0


def test_log_entry_survives_kill_9_right_after_the_call_ends(
    daemon: RunningDaemon, peers: list[SippPeer]
):
    load_deal(daemon.home)
    peer = SippPeer("uas_busy").start()
    peers.append(peer)
    with DaemonClient.open(daemon.home, start=False) as client:
        call = call_the_cto(client, peer)
        wait_event(
            client,
            "call.updated",
            lambda p: p["call"]["id"] == call["id"] and p["call"]["state"] == "disconnected",
        )
        os.kill(daemon.pid, signal.SIGKILL)  # the moment the end was published
    daemon.process.wait(5)
    restarted = start_daemon(daemon.home)
    try:
        with DaemonClient.open(daemon.home, start=False) as client:
            logged = client.request("calllog.list", {})["calls"]
        assert [(c["entry"]["call_id"], c["state"], c["entry"]["end_cause"]) for c in logged] == [
            (call["id"], "ended", "busy")
        ]
    finally:
        stop_daemon(restarted)


def test_call_cut_by_a_daemon_crash_is_logged_as_interrupted(
    daemon: RunningDaemon, peers: list[SippPeer]
):
    load_deal(daemon.home)
    peer = SippPeer("uas_answer", rtp_echo=True, timeout=30).start()
    peers.append(peer)
    with DaemonClient.open(daemon.home, start=False) as client:
        call = call_the_cto(client, peer)
        wait_call(client, call["id"], "confirmed")  # type: ignore[arg-type]
    os.kill(daemon.pid, signal.SIGKILL)
    daemon.process.wait(5)
    restarted = start_daemon(daemon.home)
    try:
        with DaemonClient.open(daemon.home, start=False) as client:
            logged = client.request("calllog.list", {})["calls"]
        assert len(logged) == 1
        assert logged[0]["state"] == "ended"
        assert logged[0]["entry"]["end_cause"] == "interrupted"
        assert logged[0]["entry"]["contact_id"] == "c-cto"
    finally:
        stop_daemon(restarted)


def test_cli_shows_the_deal_by_role_and_the_log(daemon: RunningDaemon):
    load_deal(daemon.home)
    shown = run_cli(daemon, "context", "--opportunity", "opp-1")
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert text.index("Decision makers") < text.index("Technical buyers") < text.index("No role")
    assert "Zoë Müller (primary)" in text and "reports to Zoë Müller" in text
    assert "! no economic buyer on this deal" in text
    assert "Proposal v3 [pdf, 48,213 B]" in text
    several = run_cli(daemon, "context", "--phone", "+1 415 555 0132")
    assert "Several deals match" in several.stdout and "[opp-2]" in several.stdout
    assert run_cli(daemon, "log").stdout.strip() == "no calls logged"
    unknown = run_cli(daemon, "context", "--opportunity", "opp-404")
    assert unknown.returncode == 1 and "no opportunity" in unknown.stderr


def run_cli(daemon: RunningDaemon, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rolecall", *args],
        env=rolecall_env(daemon.home),
        capture_output=True,
        text=True,
        timeout=60,
    )
