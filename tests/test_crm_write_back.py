"""A finished call (or a note) reaches the CRM once, through the outbox, even when the CRM fails.

The CRM is the replaying Salesforce of tests/connectors (documented response shapes on
a loopback HTTP server); the daemon, the SIP call and the SQLite outbox are real.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from connectors.fake_server import FakeServer, Reply
from connectors.fakes import FakeSalesforce
from rolecall.client import DaemonClient, DaemonError
from rolecall.crm.connectors.base import ContactNote
from rolecall.crm.outbox import note_key
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


def test_a_note_reaches_salesforce_once_although_the_first_answer_is_lost(
    daemon_with_crm: RunningDaemon, crm: tuple[FakeServer, FakeSalesforce]
) -> None:
    server, salesforce = crm
    opportunity = FakeSalesforce.OPPORTUNITY
    body = "Prefers calls after 3pm.\nAsk about the EU rollout before pricing."
    # Salesforce creates the note, but its answer is lost behind a 503.
    server.fail(
        "POST",
        "/sobjects/Note/",
        Reply(503, [{"errorCode": "SERVER_UNAVAILABLE"}]),
        after_handler=True,
    )
    with DaemonClient.open(daemon_with_crm.home, start=False) as client:
        fetched = client.request(
            "context.get", {"opportunity_id": opportunity, "crm": "salesforce"}
        )["context"]
        contact = fetched["groups"][0]["contacts"][0]["contact"]["id"]
        client.request(
            "context.add_note",
            {"contact_id": contact, "opportunity_id": opportunity, "body": body,
             "crm": "salesforce"},
        )  # fmt: skip
        synced = wait_event(
            client,
            "calllog.sync",
            lambda p: p["item"]["kind"] == "contact_note" and p["item"]["state"] != "pending",
            timeout=30,
        )["item"]
        status = client.request("calllog.sync_status", {})["items"]
        cards = client.request("context.get", {"opportunity_id": opportunity})["context"]
    (created,) = salesforce.notes.items()  # one note, although the create "failed"
    note_id, fields = created
    assert len(server.matching("POST", "/sobjects/Note/")) == 1
    assert fields["ParentId"] == contact and fields["Body"] == body
    assert fields["Title"] == f"Prefers calls after 3pm. (rc:{synced['idempotency_key']})"
    assert synced["state"] == "done" and synced["remote_id"] == note_id
    assert synced["idempotency_key"].startswith("note:")
    assert [(i["kind"], i["state"], i["remote_id"]) for i in status] == [
        ("contact_note", "done", note_id)
    ]
    card = next(c for g in cards["groups"] for c in g["contacts"] if c["contact"]["id"] == contact)
    assert card["notes"] == [body]  # kept locally as well


def test_a_note_for_a_crm_that_is_not_configured_is_refused_and_not_kept(
    daemon_with_crm: RunningDaemon, crm: tuple[FakeServer, FakeSalesforce]
) -> None:
    server, salesforce = crm
    opportunity = FakeSalesforce.OPPORTUNITY
    with DaemonClient.open(daemon_with_crm.home, start=False) as client:
        fetched = client.request(
            "context.get", {"opportunity_id": opportunity, "crm": "salesforce"}
        )["context"]
        contact = fetched["groups"][0]["contacts"][0]["contact"]["id"]
        refused = {}
        for crm_name in ("hubspot", "zoho"):
            with pytest.raises(DaemonError) as caught:
                client.request(
                    "context.add_note",
                    {"contact_id": contact, "body": "Not for here.", "crm": crm_name},
                )
            refused[crm_name] = caught.value.code
        status = client.request("calllog.sync_status", {})["items"]
        cards = client.request("context.get", {"opportunity_id": opportunity})["context"]
    assert refused == {"hubspot": "unavailable", "zoho": "invalid_message"}
    assert status == [] and salesforce.notes == {}
    assert not server.matching("POST", "/sobjects/Note/")
    assert all(c["notes"] == [] for g in cards["groups"] for c in g["contacts"])


def test_note_keys_are_stable_and_differ_between_installs() -> None:
    note = ContactNote(
        contact_id="003Dn00000C1aaaIAA",
        body="Prefers calls after 3pm.",
        created_at=datetime(2025, 6, 4, 8, 4, 59, 123456, tzinfo=UTC),
    )
    key = note_key(7, note)
    assert key == note_key(7, note) and key.startswith("note:7:")
    # The same row id in another store (another note) is another key.
    elsewhere = note.model_copy(update={"created_at": datetime(2025, 6, 5, tzinfo=UTC)})
    assert note_key(7, elsewhere) != key
    assert note_key(7, note.model_copy(update={"body": "Other."})) != key
