"""Hostile SIP peers against the real daemon: broken messages, huge headers, surprise
re-INVITEs, a BYE in the middle of a transfer, SUBSCRIBEs for our presence.

Each test checks the daemon is still the same process afterwards, still answers on its
socket and on SIP, and that the user's view of calls (`calls.list`, `call.updated`) is
right: no call stuck live, states and end causes as they happened on the wire.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from rolecall.client import DaemonClient
from support.calls import place, wait_call, wait_event
from support.daemons import RunningDaemon
from support.sip.sipp import SippPeer


@pytest.fixture
def client(daemon: RunningDaemon) -> Iterator[DaemonClient]:
    with DaemonClient.open(daemon.home, start=False, name="hostile-sip-test") as opened:
        yield opened


@pytest.fixture
def sipp_peers() -> Iterator[list[SippPeer]]:
    peers: list[SippPeer] = []
    yield peers
    for peer in peers:
        peer.cleanup()


def start(peers: list[SippPeer], scenario: str, **options: object) -> SippPeer:
    peer = SippPeer(scenario, **options)  # type: ignore[arg-type]
    peers.append(peer)
    return peer.start()


def local_address(client: DaemonClient) -> str:
    """host:port where the daemon's built-in account receives calls (account requests
    wait for the SIP stack at start-up, so it is there from the first answer)."""
    accounts = client.request("account.list")["accounts"]
    local = next(a for a in accounts if a["config"]["id"] == "local")
    return str(local["config"]["uri"]).split("@", 1)[1]


def live_calls(client: DaemonClient) -> list[dict[str, object]]:
    return [c for c in client.request("calls.list")["calls"] if c["state"] != "disconnected"]


def assert_daemon_well(daemon: RunningDaemon, client: DaemonClient) -> None:
    """Same process, still answering, no call left live."""
    assert daemon.process.poll() is None, "the daemon died"
    assert client.request("ping", {"echo": "still here"})["echo"] == "still here"
    deadline = time.monotonic() + 10
    while live_calls(client) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert live_calls(client) == []


def test_malformed_messages_are_dropped_or_refused_and_the_daemon_answers_after(
    daemon: RunningDaemon, client: DaemonClient, sipp_peers: list[SippPeer]
) -> None:
    address = local_address(client)
    peer = start(sipp_peers, "hostile_malformed", remote=address, service="rolecall")
    assert peer.wait() == 0, peer.report()
    answers = {
        m.header(
            "Call-ID",
        ): m.status
        for m in peer.received_responses()
    }
    by_probe = {call_id.split("-")[1]: status for call_id, status in answers.items() if call_id}
    assert by_probe.get("5") == 400  # the nonsense SDP: refused, no call rings
    assert by_probe.get("7") == 481  # BYE for no dialog
    assert "1" not in by_probe and "3" not in by_probe  # unparseable: dropped unanswered
    assert_daemon_well(daemon, client)


def test_huge_headers_do_not_hurt(
    daemon: RunningDaemon, client: DaemonClient, sipp_peers: list[SippPeer]
) -> None:
    address = local_address(client)
    vias = "\r\n".join(
        f"Via: SIP/2.0/UDP 10.0.0.{i % 250}:5060;branch=z9hG4bK{i}" for i in range(600)
    )
    keys = {"big": "x" * 60_000, "vias": vias}
    peer = start(sipp_peers, "hostile_huge_headers", remote=address, service="rolecall", keys=keys)
    assert peer.wait() == 0, peer.report()
    # PJSIP reads the first 4,000 bytes of a datagram (PJSIP_MAX_PKT_LEN): the INVITE with
    # the 60 kB Subject arrives cut short but well formed, and rings like any call. The
    # other two are cut inside a header and dropped.
    for call in live_calls(client):
        assert call["direction"] == "inbound" and "hostile" in str(call["remote_uri"]), call
        assert call["state"] == "ringing"
        client.request("call.decline", {"call_id": call["id"], "code": 603})
    assert_daemon_well(daemon, client)


def test_callers_that_ring_and_vanish_do_not_hold_the_lines_for_ever(
    daemon: RunningDaemon, client: DaemonClient, sipp_peers: list[SippPeer]
) -> None:
    """Five INVITEs that are never cancelled: the fifth is busy (the stack's 4 calls), the
    others are refused with 480 once the no-answer time is over, and the lines are free."""
    client.request(
        "account.set",
        {"account": {"id": "local2", "uri": "sip:x@127.0.0.1", "no_answer_timeout_s": 5}},
    )
    address = local_address(client)
    peer = start(
        sipp_peers, "hostile_ring_and_vanish", remote=address, service="x",
        calls=5, timeout=90, extra_args=["-r", "50", "-l", "5"],
    )  # fmt: skip
    ringing = wait_event(client, "call.updated", lambda p: p["call"]["state"] == "ringing")
    assert ringing["call"]["direction"] == "inbound"
    exit_code = peer.wait(120)
    calls = client.request("calls.list")["calls"]
    assert exit_code == 0, f"{calls}\n{peer.report()}"
    statuses = sorted(
        m.status or 0 for m in peer.received_responses("INVITE") if (m.status or 0) >= 300
    )
    assert statuses.count(480) >= 4 and set(statuses) <= {480, 486}, statuses
    assert_daemon_well(daemon, client)


def test_surprise_reinvites_hold_and_resume_and_a_broken_one_changes_nothing(
    daemon: RunningDaemon, client: DaemonClient, sipp_peers: list[SippPeer]
) -> None:
    peer = start(sipp_peers, "hostile_reinvite", pause_ms=1500)
    call = place(client, peer.uri("alice"))
    wait_call(client, call["id"], "confirmed")
    held = wait_event(
        client, "call.updated", lambda p: p["call"]["id"] == call["id"] and p["call"]["remote_held"]
    )["call"]
    assert held["state"] == "confirmed"
    resumed = wait_event(
        client,
        "call.updated",
        lambda p: p["call"]["id"] == call["id"] and not p["call"]["remote_held"],
        timeout=20,
    )["call"]
    assert resumed["state"] == "confirmed"
    answers = [m.status for m in peer.received_responses("INVITE")]
    assert answers[0] == 200 and answers[1] in (400, 415, 488), answers
    client.request("call.hangup", {"call_id": call["id"]})
    ended = wait_call(client, call["id"], "disconnected")
    assert ended["end_cause"] == "normal"
    assert peer.wait() == 0, peer.report()
    assert_daemon_well(daemon, client)


def test_bye_in_the_middle_of_a_transfer_ends_the_call(
    daemon: RunningDaemon, client: DaemonClient, sipp_peers: list[SippPeer]
) -> None:
    peer = start(sipp_peers, "hostile_bye_during_transfer")
    call = place(client, peer.uri("alice"))
    wait_call(client, call["id"], "confirmed")
    client.request("call.transfer", {"call_id": call["id"], "target": "sip:carol@127.0.0.1"})
    ended = wait_call(client, call["id"], "disconnected")
    assert ended["end_cause"] == "normal", ended  # the far end hung up; no transfer was done
    assert peer.wait() == 0, peer.report()
    assert "sip:carol@127.0.0.1" in (peer.request("REFER").header("Refer-To") or "")
    assert_daemon_well(daemon, client)
    follow_up = start(sipp_peers, "uas_answer")  # the next call works as usual
    again = place(client, follow_up.uri("bob"))
    wait_call(client, again["id"], "confirmed")
    client.request("call.hangup", {"call_id": again["id"]})
    wait_call(client, again["id"], "disconnected")
    assert follow_up.wait() == 0


def test_incoming_refer_is_declined_and_dials_nothing(
    daemon: RunningDaemon, client: DaemonClient, sipp_peers: list[SippPeer]
) -> None:
    """A far end that answers and REFERs us to a premium-rate number gets 603; the
    daemon places no call (toll fraud through a transfer nobody asked for)."""
    peer = start(sipp_peers, "hostile_refer")
    call = place(client, peer.uri("alice"))
    wait_call(client, call["id"], "confirmed")
    ended = wait_call(client, call["id"], "disconnected")
    assert peer.wait() == 0, peer.report()
    assert ended["end_cause"] == "normal", ended
    assert [m.status for m in peer.received_responses("REFER")] == [603]
    calls = client.request("calls.list", {})
    assert all(c["id"] == call["id"] for c in calls["calls"]), calls
    assert_daemon_well(daemon, client)


def test_presence_subscriptions_are_refused_including_expires_zero(
    daemon: RunningDaemon, client: DaemonClient, sipp_peers: list[SippPeer]
) -> None:
    """Rolecall is no presence server by default: PJSIP 2.15.1's has a use-after-free on
    SUBSCRIBE with Expires: 0, so every SUBSCRIBE for our presence gets 403."""
    address = local_address(client)
    peer = start(sipp_peers, "hostile_subscribe", remote=address, service="rolecall")
    assert peer.wait() == 0, peer.report()
    assert [m.status for m in peer.received_responses("SUBSCRIBE")] == [403, 403, 489]
    assert not peer.received("NOTIFY")
    assert_daemon_well(daemon, client)
