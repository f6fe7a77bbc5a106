"""A transfer the far end asks for (REFER) is offered to the user, never obeyed on its own.

The far end is SIPp (`refer_offer.xml`): it answers our call, REFERs us to a target and
waits for our BYE. The would-be target is a second SIPp (`uas_answer.xml`) that the
test account's dial plan sends numbers to; it must see an INVITE only after the user
accepted. The REFER itself is always answered 603.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rolecall.client import DaemonClient, DaemonError
from rolecall.telephony.refer import Replaces, parse_refer_to
from support.calls import place, wait_call, wait_ended, wait_event
from support.daemons import RunningDaemon
from support.sip.sipp import SippPeer, scenario_path

ACCOUNT = "pbx"


@pytest.mark.parametrize(
    ("value", "uri", "replaces", "problem"),
    [
        ("<sip:carol@pbx.example>", "sip:carol@pbx.example", None, None),
        ('"Carol" <sip:carol@pbx.example>;x=1', "sip:carol@pbx.example", None, None),
        ("tel:+19005550100", "tel:+19005550100", None, None),
        ("sip:a@b;method=BYE", "sip:a@b;method=BYE", None, None),  # the dial plan refuses it
        (
            "<sip:c@h?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>",
            "sip:c@h",
            Replaces("abc@h", "1", "2"),
            None,
        ),
        ("<sip:c@h?Call-Info=%3Chttp://x%3E>", "sip:c@h", None, "foreign_header"),
        (
            "<sip:c@h?Replaces=a%3Bto-tag%3D1%3Bfrom-tag%3D2&Subject=x>",
            "sip:c@h",
            None,
            "foreign_header",
        ),
        ("<sip:c@h?Replaces=only-a-call-id>", "sip:c@h", None, "malformed"),
        ("sip:c@h>x<", "", None, "malformed"),
        ("", "", None, "malformed"),
        ("<sip:" + "a" * 1100 + "@h>", "", None, "malformed"),
    ],
)
def test_refer_to_is_split_into_what_the_dial_plan_judges_and_replaces(
    value: str, uri: str, replaces: Replaces | None, problem: str | None
) -> None:
    parsed = parse_refer_to(value)
    assert (parsed.uri, parsed.replaces, parsed.problem) == (uri, replaces, problem)


@pytest.fixture
def client(daemon: RunningDaemon) -> Iterator[DaemonClient]:
    with DaemonClient.open(daemon.home, start=False, name="refer-offer-test") as opened:
        yield opened


@pytest.fixture
def peers() -> Iterator[list[SippPeer]]:
    started: list[SippPeer] = []
    yield started
    for peer in started:
        peer.cleanup()


@pytest.fixture
def target(peers: list[SippPeer]) -> SippPeer:
    """Where the account sends numbers: it answers whatever reaches it."""
    peer = SippPeer("uas_answer", timeout=60)
    peers.append(peer)
    return peer.start()


def use_account(client: DaemonClient, target: SippPeer) -> None:
    """The test account: no registrar, numbers go to `target`."""
    plan = {"domain": target.address}
    account = {"id": ACCOUNT, "uri": "sip:me@127.0.0.1", "dial_plan": plan}
    client.request("account.set", {"account": account})


def asking_far_end(
    client: DaemonClient, peers: list[SippPeer], target: SippPeer, refer_to: str
) -> tuple[SippPeer, dict[str, Any]]:
    """An account whose numbers go to `target`; a confirmed call to a far end that REFERs."""
    use_account(client, target)
    far = SippPeer("refer_offer", keys={"refer_to": refer_to}, timeout=40)
    peers.append(far)
    far.start()
    call = place(client, far.uri("anna"), account_id=ACCOUNT)
    wait_call(client, call["id"], "confirmed")
    return far, call


def refer_answers(far: SippPeer, timeout: float = 5.0) -> list[int | None]:
    """The answers SIPp got to its REFER, once it has logged one (the offer's event can
    reach the test before the 603 is on the wire: PJSIP sends it after the callback)."""
    deadline = time.monotonic() + timeout
    while not far.received_responses("REFER") and time.monotonic() < deadline:
        time.sleep(0.05)
    return [m.status for m in far.received_responses("REFER")]


def hang_up_and_finish(client: DaemonClient, far: SippPeer, call: dict[str, Any]) -> None:
    client.request("call.hangup", {"call_id": call["id"]})
    wait_call(client, call["id"], "disconnected")
    assert far.wait() == 0, far.report()
    assert [m.status for m in far.received_responses("REFER")] == [603]


def assert_nothing_dialled(client: DaemonClient, target: SippPeer, call: dict[str, Any]) -> None:
    assert target.received("INVITE") == [], target.messages()
    calls = client.request("calls.list")["calls"]
    assert [c["id"] for c in calls] == [call["id"]], calls


@pytest.mark.parametrize(
    ("refer_to", "reason"),
    [
        ("<tel:+1900555>", "invalid_number"),
        ("<sip:+19005550100@{target};method=INVITE>", "unsupported_parameter"),
        ("<sip:carol@{target}?Call-Info=%3Chttp://x%3E>", "foreign_header"),
        (
            "<sip:carol@{target}?Replaces=nosuchcall%40elsewhere%3Bto-tag%3Da%3Bfrom-tag%3Db>",
            "unknown_replaces",
        ),
    ],
    ids=["number-the-dial-plan-refuses", "uri-parameter", "foreign-header", "unknown-replaces"],
)
def test_a_refused_target_gets_603_a_notice_and_no_invite_anywhere(
    client: DaemonClient, peers: list[SippPeer], target: SippPeer, refer_to: str, reason: str
) -> None:
    far, call = asking_far_end(client, peers, target, refer_to.format(target=target.address))
    refused = wait_event(client, "call.transfer_refused", lambda p: p["call_id"] == call["id"])
    assert refused["reason"] == reason, refused
    assert "anna" in refused["by"]["uri"]
    hang_up_and_finish(client, far, call)
    assert_nothing_dialled(client, target, call)


def test_an_allowed_target_is_offered_and_declining_dials_nothing(
    client: DaemonClient, peers: list[SippPeer], target: SippPeer
) -> None:
    far, call = asking_far_end(client, peers, target, "<tel:+19005550100>")
    offer = wait_event(client, "call.transfer_requested", lambda p: p["call_id"] == call["id"])
    assert offer["target"] == "+19005550100"
    assert offer["target_uri"] == f"sip:+19005550100@{target.address}"
    assert offer["attended"] is False and offer["expires_in_s"] == 30
    assert "anna" in offer["by"]["uri"]
    assert refer_answers(far) == [603]  # already, before the user said anything
    pending = client.request("calls.transfer_offers")["offers"]
    assert [o["request_id"] for o in pending] == [offer["request_id"]]  # for a late panel
    assert pending[0]["target"] == offer["target"] and 0 < pending[0]["expires_in_s"] <= 30
    client.request("call.transfer_decline", {"request_id": offer["request_id"]})
    ended = wait_event(client, "call.transfer_ended", lambda p: p["call_id"] == call["id"])
    assert ended["outcome"] == "declined" and ended["new_call_id"] is None
    assert client.request("calls.transfer_offers")["offers"] == []
    with pytest.raises(DaemonError) as late:
        client.request("call.transfer_accept", {"request_id": offer["request_id"]})
    assert late.value.code == "not_found"
    hang_up_and_finish(client, far, call)
    assert_nothing_dialled(client, target, call)


def test_accepting_places_the_call_and_hangs_up_the_one_that_asked(
    client: DaemonClient, peers: list[SippPeer], target: SippPeer
) -> None:
    far, call = asking_far_end(client, peers, target, f"<sip:carol@{target.address}>")
    offer = wait_event(client, "call.transfer_requested", lambda p: p["call_id"] == call["id"])
    assert target.received("INVITE") == []  # nothing before the user's word
    placed = client.request("call.transfer_accept", {"request_id": offer["request_id"]})["call"]
    assert placed["dialed"] == f"sip:carol@{target.address}"
    assert placed["account_id"] == ACCOUNT
    ended = wait_ended(client, [call["id"]], timeout=20)[call["id"]]
    assert ended["end_cause"] == "transferred", ended
    assert far.wait() == 0, far.report()  # our BYE, once the target answered
    assert [m.status for m in far.received_responses("REFER")] == [603]
    assert target.request("INVITE").request_uri == f"sip:carol@{target.address}"
    new = wait_call(client, placed["id"], "confirmed")
    client.request("call.hangup", {"call_id": new["id"]})
    wait_call(client, new["id"], "disconnected")
    assert target.wait() == 0, target.report()


def test_an_offer_ends_with_the_call_that_asked(
    client: DaemonClient, peers: list[SippPeer]
) -> None:
    """`hostile_refer.xml` REFERs to a SIP URI (the dial plan allows it) and hangs up."""
    far = SippPeer("hostile_refer")
    peers.append(far)
    far.start()
    call = place(client, far.uri("anna"))
    offer = wait_event(client, "call.transfer_requested", lambda p: p["call_id"] == call["id"])
    assert offer["target"] == "sip:19005550100@127.0.0.1:5999"
    ended = wait_event(client, "call.transfer_ended", lambda p: p["call_id"] == call["id"])
    assert ended["outcome"] == "call_ended"
    assert far.wait() == 0, far.report()
    with pytest.raises(DaemonError):
        client.request("call.transfer_accept", {"request_id": offer["request_id"]})
    calls = client.request("calls.list")["calls"]
    assert [c["id"] for c in calls] == [call["id"]], calls


def test_an_attended_transfer_replacing_our_own_call_is_offered_and_carries_replaces(
    client: DaemonClient, peers: list[SippPeer], target: SippPeer, tmp_path: Path
) -> None:
    """A `Replaces` naming a dialog we have (here the asking call's own) is honoured: the
    offer says `attended`, and on accept the INVITE carries the `Replaces` header."""
    replaces = "[call_id]%3Bto-tag%3Dtheirs%3Bfrom-tag%3Dours"  # SIPp fills in its Call-ID
    scenario = tmp_path / "refer_replaces.xml"
    scenario.write_text(
        scenario_path("refer_offer")
        .read_text()
        .replace("[refer_to]", f"<sip:carol@{target.address}?Replaces={replaces}>")
    )
    use_account(client, target)
    far = SippPeer(scenario, timeout=40)
    peers.append(far)
    far.start()
    call = place(client, far.uri("anna"), account_id=ACCOUNT)
    offer = wait_event(client, "call.transfer_requested", lambda p: p["call_id"] == call["id"])
    assert offer["attended"] is True
    assert offer["target_uri"] == f"sip:carol@{target.address}"
    placed = client.request("call.transfer_accept", {"request_id": offer["request_id"]})["call"]
    wait_ended(client, [call["id"]], timeout=20)
    assert far.wait() == 0, far.report()
    sip_call_id = far.request("INVITE").header("Call-ID")
    assert target.request("INVITE").header("Replaces") == (
        f"{sip_call_id};to-tag=theirs;from-tag=ours"
    )
    client.request("call.hangup", {"call_id": placed["id"]})
    wait_call(client, placed["id"], "disconnected")
    assert target.wait() == 0, target.report()


def test_a_second_request_while_one_is_offered_is_refused(
    client: DaemonClient, peers: list[SippPeer], target: SippPeer, tmp_path: Path
) -> None:
    """A far end cannot stack offers (or swap the target under the user's click): while
    one is pending, its next REFER is refused with `pending`."""
    text = scenario_path("refer_offer").read_text()
    start = text.index('  <send retrans="500">\n    <![CDATA[\n      REFER')
    end = text.index('  <recv response="603"/>\n', start) + len('  <recv response="603"/>\n')
    again = text[start:end].replace("CSeq: 1 REFER", "CSeq: 2 REFER")
    again = again.replace("[refer_to]", f"<sip:mallory@{target.address}>")
    scenario = tmp_path / "refer_twice.xml"
    scenario.write_text(text[:end] + again + text[end:])
    use_account(client, target)
    far = SippPeer(scenario, keys={"refer_to": "<tel:+19005550100>"}, timeout=40)
    peers.append(far)
    far.start()
    call = place(client, far.uri("anna"), account_id=ACCOUNT)
    offer = wait_event(client, "call.transfer_requested", lambda p: p["call_id"] == call["id"])
    assert offer["target"] == "+19005550100"
    refused = wait_event(client, "call.transfer_refused", lambda p: p["call_id"] == call["id"])
    assert refused["reason"] == "pending" and "mallory" in refused["target"]
    offers = client.request("calls.transfer_offers")["offers"]
    assert [o["target"] for o in offers] == ["+19005550100"]
    client.request("call.transfer_decline", {"request_id": offer["request_id"]})
    client.request("call.hangup", {"call_id": call["id"]})
    wait_call(client, call["id"], "disconnected")
    assert far.wait() == 0, far.report()
    assert [m.status for m in far.received_responses("REFER")] == [603, 603]
    assert_nothing_dialled(client, target, call)
