"""A call placed from a CRM page with a real daemon and a SIPp peer: the page deal is
the call's context, its log entry names the record, a later caller from the page pops
the deal, and `rolecall memory` / `rolecall log` show and forget it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from rolecall.client import DaemonClient, DaemonError
from rolecall.paths import Home
from rolecall.store.store import Store
from support.calls import place, wait_call
from support.daemons import RunningDaemon, rolecall_env
from support.sip.sipp import SippPeer
from test_context_store import small_dataset

SITE = "http://127.0.0.1:8123"
RECORD = {
    "crm": "generic",
    "instance": "127.0.0.1:8123",
    "object_type": "deal",
    "record_id": "deal-77",
    "name": "Umbrella expansion",
    "url": f"{SITE}/#/deals/deal-77",
}
SNAPSHOT = {
    "crm": "generic",
    "object_type": "deal",
    "record_id": "deal-77",
    "opportunity_name": "Umbrella expansion",
    "contacts": [
        {"name": "Ines Roth", "role": "Economic Buyer", "phones": ["+1 650 555 0141"]},
        {"name": "Jun Park", "role": "Technical buyer", "phones": ["+1 650 555 0142"]},
    ],
    "documents": [{"title": "Pricing.pdf", "url": f"{SITE}/files/pricing.pdf"}],
}


@pytest.fixture
def peers() -> Iterator[list[SippPeer]]:
    started: list[SippPeer] = []
    yield started
    for peer in started:
        peer.cleanup()


def rolecall(daemon: RunningDaemon, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rolecall", *args],
        env=rolecall_env(daemon.home),
        capture_output=True,
        text=True,
        timeout=60,
    )


def dial_through(client: DaemonClient, peer: SippPeer) -> None:
    """The daemon's account "pbx" dials numbers at `peer`."""
    account = {"id": "pbx", "uri": "sip:rolecall@127.0.0.1", "dial_plan": {"domain": peer.address}}
    client.request("account.set", {"account": account})


def call_from_the_page(
    client: DaemonClient, peer: SippPeer, record: dict[str, str] = RECORD
) -> dict[str, Any]:
    dial_through(client, peer)
    call: dict[str, Any] = place(
        client, "+1 650 555 0142", account_id="pbx", record=record, snapshot=SNAPSHOT
    )
    return call


def test_a_call_from_a_crm_page_shows_logs_and_remembers_its_deal(
    daemon: RunningDaemon, peers: list[SippPeer]
) -> None:
    peer = SippPeer("uas_answer", rtp_echo=True).start()
    peers.append(peer)
    with DaemonClient.open(daemon.home, start=False) as client:
        call = call_from_the_page(client, peer)
        context = client.request("context.get", {"call_id": call["id"]})["context"]
        assert context["source"] == "page" and context["opportunity"]["name"] == RECORD["name"]
        people = {
            c["contact"]["last_name"]: (g["role"], c["is_called"])
            for g in context["groups"]
            for c in g["contacts"]
        }
        assert people == {"Roth": ("economic_buyer", False), "Park": ("technical_buyer", True)}
        assert [d["title"] for d in context["documents"]] == ["Pricing.pdf"]
        wait_call(client, call["id"], "confirmed")
        client.request("call.hangup", {"call_id": call["id"]})
        wait_call(client, call["id"], "disconnected")
        entry = client.request("calllog.list", {"limit": 1})["calls"][0]["entry"]
        assert entry["record"] == {
            "origin": SITE,
            "record_type": "deal",
            "record_id": "deal-77",
            "url": RECORD["url"],
        }
        assert entry["opportunity_id"] is None  # a page deal is never a CRM record here
        history = client.request("calllog.list", {"opportunity_id": context["opportunity"]["id"]})
        assert [c["entry"]["call_id"] for c in history["calls"]] == [call["id"]]
        later = client.request("context.get", {"phone": "(650) 555-0141"})
        assert later["context"]["opportunity"]["name"] == RECORD["name"]
        assert later["matches"][0]["contact"]["last_name"] == "Roth"
    assert peer.wait() == 0

    logged = rolecall(daemon, "log", "--limit", "1")
    assert f"open in CRM: {RECORD['url']}" in logged.stdout, logged.stderr
    shown = rolecall(daemon, "context", "--phone", "+16505550141")
    assert "Umbrella expansion" in shown.stdout and "Economic buyers" in shown.stdout
    listed = rolecall(daemon, "memory", "list")
    assert "page memory is on" in listed.stdout
    assert f"{SITE}  1 deals, 2 people, 1 documents" in listed.stdout
    assert rolecall(daemon, "memory", "forget", "https://elsewhere.example").returncode == 0
    assert SITE in rolecall(daemon, "memory", "list").stdout  # another site: untouched
    forgot = rolecall(daemon, "memory", "forget", SITE + "/any/path")
    assert "forgot 1 deal(s)" in forgot.stdout
    assert "nothing remembered" in rolecall(daemon, "memory", "list").stdout


def test_with_the_memory_off_a_later_caller_is_not_matched(
    daemon: RunningDaemon, peers: list[SippPeer]
) -> None:
    off = rolecall(daemon, "memory", "off")
    assert "page memory is off" in off.stdout, off.stderr
    peer = SippPeer("uas_answer", rtp_echo=True).start()
    peers.append(peer)
    with DaemonClient.open(daemon.home, start=False) as client:
        call = call_from_the_page(client, peer)
        context = client.request("context.get", {"call_id": call["id"]})["context"]
        assert context["source"] == "page"  # the call's own page still shows its deal
        wait_call(client, call["id"], "confirmed")
        client.request("call.hangup", {"call_id": call["id"]})
        wait_call(client, call["id"], "disconnected")
        assert client.request("memory.sites", {})["sites"] == []
        later = client.request("context.get", {"phone": "+16505550141"})
        assert later == {"context": None, "matches": []}
    assert peer.wait() == 0
    assert (daemon.home.config_dir / "context.json").read_text().count('"page_memory": false')
    assert "page memory is on" in rolecall(daemon, "memory", "on").stdout


@pytest.fixture
def trusting_one_other_site(rc_home: Home) -> None:
    """Only https://crm.trusted.example may name the store's records."""
    rc_home.config_dir.mkdir(parents=True, exist_ok=True)
    (rc_home.config_dir / "context.json").write_text(
        json.dumps({"record_origins": ["https://crm.trusted.example"]})
    )


def test_a_page_of_another_site_cannot_attach_a_call_to_a_stored_deal(
    trusting_one_other_site: None, daemon: RunningDaemon, peers: list[SippPeer]
) -> None:
    store = Store(daemon.home.data_dir / "rolecall.db")
    store.load(small_dataset())
    store.close()
    peer = SippPeer("uas_answer", rtp_echo=True).start()
    peers.append(peer)
    naming = {**RECORD, "record_id": "opp-1"}  # a stored deal's id, on an untrusted site
    with DaemonClient.open(daemon.home, start=False) as client:
        call = call_from_the_page(client, peer, naming)  # a number the store does not have
        context = client.request("context.get", {"call_id": call["id"]})["context"]
        assert context["source"] == "page" and context["page"]["origin"] == SITE
        wait_call(client, call["id"], "confirmed")
        client.request("call.hangup", {"call_id": call["id"]})
        wait_call(client, call["id"], "disconnected")
        entry = client.request("calllog.list", {"limit": 1})["calls"][0]["entry"]
    assert entry["record"]["record_id"] == "opp-1" and entry["record"]["origin"] == SITE
    assert entry["opportunity_id"] is None and entry["account_id"] is None
    assert peer.wait() == 0


def test_a_page_told_after_the_call_shows_and_logs_its_deal_as_if_sent_with_it(
    daemon: RunningDaemon, peers: list[SippPeer]
) -> None:
    """The extension dials first and reads the page while the INVITE goes out."""
    peer = SippPeer("uas_answer", rtp_echo=True).start()
    peers.append(peer)
    with DaemonClient.open(daemon.home, start=False) as client:
        dial_through(client, peer)
        call = place(client, "+1 650 555 0142", account_id="pbx")
        assert call["record"] is None
        wait_call(client, call["id"], "confirmed")  # logged by number before the page came
        told = client.request(
            "call.page", {"call_id": call["id"], "record": RECORD, "snapshot": SNAPSHOT}
        )["call"]
        assert told["record"]["record_id"] == "deal-77"
        context = client.request("context.get", {"call_id": call["id"]})["context"]
        assert context["source"] == "page" and context["opportunity"]["name"] == RECORD["name"]
        with pytest.raises(DaemonError) as again:  # a call keeps the page it was given
            client.request("call.page", {"call_id": call["id"], "record": RECORD})
        assert again.value.code == "invalid_state"
        with pytest.raises(DaemonError) as unknown:
            client.request("call.page", {"call_id": "0" * 32, "record": RECORD})
        assert unknown.value.code == "not_found"
        with pytest.raises(DaemonError) as bad:
            client.request("call.page", {"call_id": call["id"], "record": "deal-77"})
        assert bad.value.code == "invalid_message"
        client.request("call.hangup", {"call_id": call["id"]})
        wait_call(client, call["id"], "disconnected")
        entry = client.request("calllog.list", {"limit": 1})["calls"][0]["entry"]
        assert entry["record"] == {
            "origin": SITE,
            "record_type": "deal",
            "record_id": "deal-77",
            "url": RECORD["url"],
        }
    assert peer.wait() == 0


def test_a_call_refused_before_its_page_came_is_logged_with_the_page_record(
    daemon: RunningDaemon, peers: list[SippPeer]
) -> None:
    """A busy line answers within milliseconds, before the extension has read the page."""
    peer = SippPeer("uas_busy").start()
    peers.append(peer)
    with DaemonClient.open(daemon.home, start=False) as client:
        dial_through(client, peer)
        call = place(client, "+1 650 555 0142", account_id="pbx")
        wait_call(client, call["id"], "disconnected")
        assert client.request("calllog.list", {"limit": 1})["calls"][0]["entry"]["record"] is None
        told = client.request("call.page", {"call_id": call["id"], "record": RECORD})["call"]
        assert told["state"] == "disconnected" and told["record"]["record_id"] == "deal-77"
        entry = client.request("calllog.list", {"limit": 1})["calls"][0]["entry"]
        assert entry["call_id"] == call["id"] and entry["record"]["record_id"] == "deal-77"
        assert entry["end_cause"] == "busy"
