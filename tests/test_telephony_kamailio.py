"""The daemon as one of three parties behind Kamailio (registrar and proxy with digest auth).

Bob and Carol are second pjsua2 endpoints in their own processes. What is asserted is
what they report (calls, REFERs, DTMF, messages, recordings), not only our own state.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rolecall.client import DaemonClient
from support.audio import tone_power
from support.calls import place, wait_call, wait_ended, wait_event
from support.daemons import RunningDaemon
from support.sip.kamailio import KamailioProxy
from support.sip.peer_client import PjsuaPeer

TONE_HZ = 440.0


@pytest.fixture
def kamailio() -> Iterator[KamailioProxy]:
    proxy = KamailioProxy().start()
    try:
        yield proxy
    finally:
        proxy.cleanup()


@pytest.fixture
def peers() -> Iterator[list[PjsuaPeer]]:
    started: list[PjsuaPeer] = []
    yield started
    for peer in started:
        peer.cleanup()


def peer(
    peers: list[PjsuaPeer], kamailio: KamailioProxy, user: str, **options: object
) -> PjsuaPeer:
    started = PjsuaPeer(
        account=kamailio.aor(user),
        registrar=kamailio.registrar,
        password="secret",
        **options,  # type: ignore[arg-type]
    ).start()
    peers.append(started)
    started.wait_for("registered", lambda e: e["code"] == 200)
    return started


@pytest.fixture
def alice(daemon: RunningDaemon, kamailio: KamailioProxy) -> Iterator[DaemonClient]:
    """The daemon's client, with account alice registered at Kamailio."""
    with DaemonClient.open(daemon.home, start=False, name="kamailio-test") as client:
        account = {
            "id": "alice",
            "uri": kamailio.aor("alice"),
            "registrar": kamailio.registrar,
            "proxy": f"{kamailio.registrar};lr",
            "username": "alice",
        }
        client.request("account.set", {"account": account, "password": "secret"})
        registered = wait_event(
            client, "account.registration", lambda p: p["account_id"] == "alice"
        )
        assert registered["state"] == "registered", registered
        assert registered["status_code"] == 200 and registered["expires_s"]
        yield client


def test_wrong_password_is_a_failed_registration(daemon: RunningDaemon, kamailio: KamailioProxy):
    with DaemonClient.open(daemon.home, start=False) as client:
        account = {
            "id": "mallory",
            "uri": kamailio.aor("alice"),
            "registrar": kamailio.registrar,
            "username": "alice",
        }
        status = client.request("account.set", {"account": account, "password": "nope"})
        assert status["account"]["has_password"] is True
        failed = wait_event(client, "account.registration", lambda p: p["account_id"] == "mallory")
        assert failed["state"] == "failed" and failed["status_code"] in (401, 403), failed
        listed = {a["config"]["id"]: a for a in client.request("account.list")["accounts"]}
        assert listed["mallory"]["registration"] == "failed"
        assert "nope" not in (daemon.home.config_dir / "accounts.json").read_text()


def test_call_through_the_proxy_with_dtmf_and_messages(
    alice: DaemonClient, kamailio: KamailioProxy, peers: list[PjsuaPeer]
):
    bob = peer(peers, kamailio, "bob")
    call = place(alice, kamailio.aor("bob"))
    wait_call(alice, call["id"], "confirmed")
    alice.request("call.dtmf", {"call_id": call["id"], "digits": "19#"})
    digits = [bob.wait_for("dtmf")["digit"] for _ in range(3)]
    assert digits == ["1", "9", "#"]
    alice.request("call.message", {"call_id": call["id"], "text": "slides: https://x.test/d/7"})
    in_call = bob.wait_for("message")
    assert in_call["in_call"] and in_call["body"] == "slides: https://x.test/d/7"
    time.sleep(1.0)
    alice.request("call.hangup", {"call_id": call["id"]})
    ended = wait_call(alice, call["id"], "disconnected")
    media = bob.wait_for("media")
    assert media["rx_packets"] > 30 and media["tx_packets"] > 30
    assert ended["rtp"]["rx_packets"] > 30

    sent = alice.request("message.send", {"to": kamailio.aor("bob"), "text": "call me back"})
    status = wait_event(alice, "message.status", lambda p: p["message_id"] == sent["message_id"])
    assert status["ok"] and status["status_code"] == 200
    pager = bob.wait_for("message", lambda e: not e["in_call"])
    assert pager["body"] == "call me back"
    bob.command("message", to=kamailio.aor("alice"), body="on my way")
    received = wait_event(alice, "message.received", lambda p: p["text"] == "on my way")
    assert "bob" in received["from_uri"]


def test_dtmf_from_the_far_end_reaches_clients(
    alice: DaemonClient, kamailio: KamailioProxy, peers: list[PjsuaPeer]
):
    bob = peer(peers, kamailio, "bob")
    call = place(alice, kamailio.aor("bob"))
    wait_call(alice, call["id"], "confirmed")
    bob_call = bob.wait_for("incoming")["call"]
    bob.command("dtmf", call=bob_call, digits="42")
    got = [wait_event(alice, "call.dtmf_received")["digit"] for _ in range(2)]
    assert got == ["4", "2"]
    alice.request("call.hangup", {"call_id": call["id"]})


def test_attended_transfer_connects_the_other_two(
    alice: DaemonClient, kamailio: KamailioProxy, peers: list[PjsuaPeer]
):
    bob = peer(peers, kamailio, "bob")
    carol = peer(peers, kamailio, "carol")
    first = place(alice, kamailio.aor("bob"))
    wait_call(alice, first["id"], "confirmed")
    alice.request("call.hold", {"call_id": first["id"]})
    consult = place(alice, kamailio.aor("carol"))
    wait_call(alice, consult["id"], "confirmed")
    alice.request(
        "call.transfer_attended", {"call_id": first["id"], "consult_call_id": consult["id"]}
    )
    refer = bob.wait_for("transfer_request", timeout=15)
    assert "carol" in refer["to"] and "Replaces" in refer["to"]
    bob.wait_state(refer["new_call"], "CONFIRMED", timeout=15)
    ended = wait_ended(alice, [first["id"], consult["id"]])
    assert ended[first["id"]]["end_cause"] == "transferred"
    replaced = carol.wait_for("replaced", lambda e: "bob" in e["from"], timeout=15)
    carol.wait_state(replaced["new_call"], "CONFIRMED", timeout=15)
    bob.command("hangup_all")


def test_blind_transfer_through_the_proxy(
    alice: DaemonClient, kamailio: KamailioProxy, peers: list[PjsuaPeer]
):
    bob = peer(peers, kamailio, "bob")
    carol = peer(peers, kamailio, "carol")
    call = place(alice, kamailio.aor("bob"))
    wait_call(alice, call["id"], "confirmed")
    alice.request("call.transfer", {"call_id": call["id"], "target": kamailio.aor("carol")})
    refer = bob.wait_for("transfer_request", timeout=15)
    assert refer["to"].startswith("<sip:carol@") or "sip:carol@" in refer["to"]
    assert wait_call(alice, call["id"], "disconnected", timeout=15)["end_cause"] == "transferred"
    incoming = carol.wait_for("incoming", lambda e: "bob" in e["from"], timeout=15)
    carol.wait_state(incoming["call"], "CONFIRMED", timeout=15)
    bob.command("hangup_all")


def test_added_participant_hears_the_first_party(
    alice: DaemonClient, kamailio: KamailioProxy, peers: list[PjsuaPeer], tmp_path: Path
):
    peer(peers, kamailio, "bob", tone_hz=TONE_HZ)  # heard only through alice's bridge
    carol = peer(peers, kamailio, "carol", record=tmp_path)
    call = place(alice, kamailio.aor("bob"))
    wait_call(alice, call["id"], "confirmed")
    added = alice.request(
        "call.add_participant", {"call_id": call["id"], "target": kamailio.aor("carol")}
    )["call"]
    assert added["conference"] == [call["id"]]
    wait_call(alice, added["id"], "confirmed")
    time.sleep(4.0)  # carol records what the bridge sends her: bob's tone, through alice
    alice.request("call.hangup", {"call_id": added["id"]})
    alice.request("call.hangup", {"call_id": call["id"]})
    recording = Path(carol.wait_for("media", timeout=15)["recording"])
    heard = tone_power(recording, TONE_HZ)
    control = tone_power(recording, 1000.0)
    # the tone stands far above another frequency (silent stretches lower its share)
    assert heard > 0.05 and heard > 1000 * control, (heard, control)


def test_presence_of_a_contact(
    alice: DaemonClient, kamailio: KamailioProxy, peers: list[PjsuaPeer]
):
    bob = peer(peers, kamailio, "bob")
    alice.request("presence.subscribe", {"uri": kamailio.aor("bob")})
    bob.command("online", note="at my desk")
    online = wait_event(alice, "presence.updated", lambda p: p["status"] == "online", timeout=15)
    assert online["uri"] == kamailio.aor("bob") and online["note"] == "at my desk"
    bob.command("busy", note="in a meeting")
    busy = wait_event(alice, "presence.updated", lambda p: p["status"] == "busy", timeout=15)
    assert busy["note"] == "in a meeting"
    bob.command("offline")
    wait_event(alice, "presence.updated", lambda p: p["status"] == "offline", timeout=15)
