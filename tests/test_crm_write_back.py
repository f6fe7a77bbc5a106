"""A finished call reaches the CRM once, through the outbox, even when the CRM fails first.

The CRM is the replaying Salesforce of tests/connectors (documented response shapes on
a loopback HTTP server); the daemon, the SIP call and the SQLite outbox are real.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from connectors.fake_server import FakeServer, Reply
from connectors.fakes import FakeSalesforce
from rolecall.client import DaemonClient
from rolecall.paths import Home
from rolecall.secrets import SecretStore
from support.calls import place, wait_call, wait_event
from support.daemons import RunningDaemon, start_daemon, stop_daemon
from support.sip.sipp import SippPeer

TOKEN = "00Dtest!AQ8AQ.daemon-token"


@pytest.fixture
def crm() -> Iterator[tuple[FakeServer, FakeSalesforce]]:
    server = FakeServer().start()
    try:
        yield server, FakeSalesforce(server)
    finally:
        server.stop()


def start_with_crm(home: Home, server: FakeServer, **settings: object) -> RunningDaemon:
    home.config_dir.mkdir(parents=True, exist_ok=True)
    connectors = [{"kind": "salesforce", "instance_url": server.url}]
    (home.config_dir / "crm.json").write_text(json.dumps({"connectors": connectors, **settings}))
    SecretStore(home).set("crm:salesforce", TOKEN)
    return start_daemon(home)


@pytest.fixture
def daemon_with_crm(
    rc_home: Home, crm: tuple[FakeServer, FakeSalesforce]
) -> Iterator[RunningDaemon]:
    running = start_with_crm(rc_home, crm[0])
    try:
        yield running
    finally:
        stop_daemon(running)


def test_call_log_reaches_salesforce_once_after_failures(
    daemon_with_crm: RunningDaemon, crm: tuple[FakeServer, FakeSalesforce]
) -> None:
    server, salesforce = crm
    server.fail(
        "POST", "/sobjects/Task/", Reply(503, [{"errorCode": "SERVER_UNAVAILABLE"}]), times=2
    )
    peer = SippPeer("uas_busy").start()
    try:
        with DaemonClient.open(daemon_with_crm.home, start=False) as client:
            call = place(client, peer.uri())
            wait_call(client, call["id"], "disconnected")
            key = f"rolecall:{call['id']}"
            synced = wait_event(
                client,
                "calllog.sync",
                lambda p: p["item"]["idempotency_key"] == key and p["item"]["state"] == "done",
                timeout=30,
            )["item"]
            status = client.request("calllog.sync_status", {})["items"]
        assert peer.wait() == 0
    finally:
        peer.cleanup()
    assert synced["remote_id"].startswith("00T")
    assert len(server.matching("POST", "/sobjects/Task/")) == 3  # two refused, one created
    assert [(i["idempotency_key"], i["state"]) for i in status] == [(key, "done")]
    tasks = [t for t in salesforce.tasks.values() if t.get("CallObject") == key]
    assert len(tasks) == 1  # two failures, one record
    assert tasks[0]["TaskSubtype"] == "Call" and tasks[0]["CallType"] == "Outbound"
    assert all(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in server.requests)


def test_context_comes_from_the_crm_and_role_changes_go_back(
    daemon_with_crm: RunningDaemon, crm: tuple[FakeServer, FakeSalesforce]
) -> None:
    server, salesforce = crm
    opportunity = FakeSalesforce.OPPORTUNITY
    with DaemonClient.open(daemon_with_crm.home, start=False) as client:
        fetched = client.request(
            "context.get", {"opportunity_id": opportunity, "crm": "salesforce"}
        )["context"]
        assert fetched["opportunity"]["id"] == opportunity
        people = [c for g in fetched["groups"] for c in g["contacts"]]
        assert people and all(c["source"] == "store" for c in people)
        target = people[-1]["contact"]["id"]
        client.request(
            "context.set_role",
            {"opportunity_id": opportunity, "contact_id": target, "role": "economic_buyer",
             "is_primary": False, "crm": "salesforce"},
        )  # fmt: skip
        wait_event(
            client,
            "calllog.sync",
            lambda p: p["item"]["kind"] == "contact_role" and p["item"]["state"] == "done",
            timeout=30,
        )
        again = client.request("context.get", {"opportunity_id": opportunity})["context"]
    buyers = next(g for g in again["groups"] if g["role"] == "economic_buyer")["contacts"]
    assert target in [c["contact"]["id"] for c in buyers]
    roles = [r for r in salesforce.roles.values() if r.get("ContactId") == target]
    assert roles and roles[-1]["Role"] == "Economic Buyer"
    assert server.matching("GET", "/query")  # it was read from the CRM


def test_wrap_up_notes_and_disposition_go_with_the_call(
    rc_home: Home, crm: tuple[FakeServer, FakeSalesforce]
) -> None:
    server, salesforce = crm
    daemon = start_with_crm(rc_home, server, wrapup_s=600)  # waits for the user's wrap-up
    peer = SippPeer("uas_busy").start()
    try:
        with DaemonClient.open(daemon.home, start=False) as client:
            call = place(client, peer.uri())
            wait_call(client, call["id"], "disconnected")
            key = f"rolecall:{call['id']}"
            waiting = client.request("calllog.sync_status", {"state": "pending"})["items"]
            assert [i["idempotency_key"] for i in waiting] == [key]
            assert not server.matching("POST", "/sobjects/Task/")  # not before wrap-up
            updated = client.request(
                "calllog.update",
                {"call_id": call["id"], "disposition": "Left voicemail",
                 "notes": "Asked for the Q3 pricing sheet.", "final": True},
            )  # fmt: skip
            assert updated["entry"]["notes"] == "Asked for the Q3 pricing sheet."
            wait_event(
                client,
                "calllog.sync",
                lambda p: p["item"]["idempotency_key"] == key and p["item"]["state"] == "done",
                timeout=30,
            )
            logged = client.request("calllog.list", {})["calls"][0]["entry"]
        assert peer.wait() == 0
    finally:
        peer.cleanup()
        stop_daemon(daemon)
    (task,) = [t for t in salesforce.tasks.values() if t.get("CallObject") == key]
    assert task["CallDisposition"] == "Left voicemail"
    assert "Asked for the Q3 pricing sheet." in task["Description"]
    assert logged["disposition"] == "Left voicemail"
