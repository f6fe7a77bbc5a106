"""Fault: the CRM stops answering (a request hangs past the connector's read timeout, set
to 3 s here through `crm.json`'s `read_timeout_s`; 20 s by default).

The call is not held up by it: it is placed, answered, ended and logged locally at
once, and the daemon answers other requests while the write-back hangs (connectors run
off the event loop). The write-back waits in the outbox with the timeout as its error
and is retried with backoff; when the CRM answers again it lands exactly once.
"""

from __future__ import annotations

import json
import time
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

TOKEN = "00Dtest!AQ8AQ.fault-token"
READ_TIMEOUT_S = 3.0
HANG_S = 6.0  # longer than the connector's read timeout


@pytest.fixture
def crm() -> Iterator[tuple[FakeServer, FakeSalesforce]]:
    server = FakeServer().start()
    try:
        yield server, FakeSalesforce(server)
    finally:
        server.stop()


@pytest.fixture
def daemon_with_crm(
    rc_home: Home, crm: tuple[FakeServer, FakeSalesforce]
) -> Iterator[RunningDaemon]:
    rc_home.config_dir.mkdir(parents=True, exist_ok=True)
    connectors = [
        {"kind": "salesforce", "instance_url": crm[0].url, "read_timeout_s": READ_TIMEOUT_S}
    ]
    (rc_home.config_dir / "crm.json").write_text(json.dumps({"connectors": connectors}))
    SecretStore(rc_home).set("crm:salesforce", TOKEN)
    running = start_daemon(rc_home)
    try:
        yield running
    finally:
        stop_daemon(running)


def test_crm_timeout_holds_up_nothing_and_the_write_back_waits_in_the_outbox(
    daemon_with_crm: RunningDaemon, crm: tuple[FakeServer, FakeSalesforce]
) -> None:
    server, salesforce = crm
    server.fail("POST", "/sobjects/Task/", Reply(201, {"id": "00Tlate"}, delay=HANG_S))
    peer = SippPeer("uas_answer", rtp_echo=True).start()
    try:
        with DaemonClient.open(daemon_with_crm.home, start=False, name="crm-fault") as client:
            call = place(client, peer.uri("alice"))
            wait_call(client, call["id"], "confirmed")
            client.request("call.hangup", {"call_id": call["id"]})
            ended = wait_call(client, call["id"], "disconnected")
            assert ended["end_cause"] == "normal"
            ended_at = time.monotonic()
            logged = client.request("calllog.list", {})["calls"]
            assert logged[0]["entry"]["call_id"] == call["id"] and logged[0]["state"] == "ended"

            while not server.matching("POST", "/sobjects/Task/"):  # the CRM now hangs
                assert time.monotonic() - ended_at < 15, "the write-back never started"
                time.sleep(0.1)
            started = time.monotonic()
            assert client.request("ping", {"echo": "x"})["echo"] == "x"
            assert time.monotonic() - started < 1.0, "the daemon waited for the CRM"
            pending = client.request("calllog.sync_status", {"state": "pending"})["items"]
            assert [i["idempotency_key"] for i in pending] == [f"rolecall:{call['id']}"]

            key = f"rolecall:{call['id']}"
            retried = wait_event(
                client,
                "calllog.sync",
                lambda p: p["item"]["idempotency_key"] == key and p["item"]["attempts"] >= 1,
                timeout=HANG_S + 15,
            )["item"]
            assert retried["state"] in ("pending", "done"), retried
            if retried["state"] == "pending":
                assert "timed out" in retried["last_error"].lower(), retried
                done = wait_event(
                    client,
                    "calllog.sync",
                    lambda p: p["item"]["idempotency_key"] == key and p["item"]["state"] == "done",
                    timeout=30,
                )["item"]
            else:
                done = retried
        assert peer.wait() == 0
    finally:
        peer.cleanup()
    assert done["remote_id"].startswith("00T")
    tasks = [t for t in salesforce.tasks.values() if t.get("CallObject") == key]
    assert len(tasks) == 1, tasks  # the timed-out attempt created nothing twice


def test_a_keyring_that_cannot_be_read_leaves_the_daemon_up_with_the_crm_waiting(
    rc_home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CRM signed in with OAuth, and no keyring to read its tokens from (locked, or none
    installed): the daemon still starts and answers; only that CRM's write-backs wait."""
    monkeypatch.delenv("ROLECALL_KEYRING", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    rc_home.config_dir.mkdir(parents=True, exist_ok=True)
    connector = {
        "kind": "salesforce",
        "instance_url": "https://acme.my.salesforce.com",
        "oauth": {"client_id": "3MVG9.rolecall", "redirect_port": 0},
    }
    (rc_home.config_dir / "crm.json").write_text(json.dumps({"connectors": [connector]}))
    running = start_daemon(rc_home)
    try:
        with DaemonClient.open(rc_home, start=False, name="keyring-fault") as client:
            assert client.request("ping", {"echo": "up"})["echo"] == "up"
        assert "keyring cannot be read" in rc_home.daemon_log.read_text()
    finally:
        stop_daemon(running)
