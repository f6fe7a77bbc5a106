"""Real calls from the daemon to SIPp peers on loopback, checked on the wire (SIPp's trace)."""

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
from support.browser_side import BrowserSide
from support.calls import place, wait_call, wait_event
from support.daemons import RunningDaemon, rolecall_env, start_daemon, stop_daemon
from support.sip.capture import LoopbackCapture
from support.sip.ports import free_port
from support.sip.sipp import SippPeer


@pytest.fixture
def client(daemon: RunningDaemon) -> Iterator[DaemonClient]:
    with DaemonClient.open(daemon.home, start=False, name="telephony-test") as opened:
        yield opened


@pytest.fixture
def sipp_peers() -> Iterator[list[SippPeer]]:
    """SIPp processes a test starts; each is stopped by pid afterwards."""
    peers: list[SippPeer] = []
    yield peers
    for peer in peers:
        peer.cleanup()


def start(peers: list[SippPeer], scenario: str, **options: object) -> SippPeer:
    peer = SippPeer(scenario, **options)  # type: ignore[arg-type]
    peers.append(peer)
    return peer.start()


def pbx_account(client: DaemonClient, domain: str, **extra: object) -> None:
    """An account without a registrar that sends numbers to `domain` (a SIPp peer)."""
    account = {
        "id": "pbx",
        "uri": "sip:rolecall@127.0.0.1",
        "dial_plan": {"domain": domain, **extra.pop("dial_plan", {})},  # type: ignore[dict-item]
        **extra,
    }
    client.request("account.set", {"account": account})


def test_answered_call_carries_rtp_both_ways(client: DaemonClient, sipp_peers: list[SippPeer]):
    peer = start(sipp_peers, "uas_answer", rtp_echo=True)
    call = place(client, peer.uri("alice"))
    # SIPp answers at once: on a busy machine the 200 OK can be in before the dial's reply
    assert call["state"] in ("dialing", "ringing", "confirmed") and call["direction"] == "outbound"
    confirmed = wait_call(client, call["id"], "confirmed")
    assert confirmed["answered_at"] is not None and confirmed["status_code"] == 200
    time.sleep(1.0)
    client.request("call.hangup", {"call_id": call["id"]})
    ended = wait_call(client, call["id"], "disconnected")
    assert ended["end_cause"] == "normal"
    assert ended["rtp"]["tx_packets"] >= 30  # 20 ms packets for a second and more
    assert ended["rtp"]["rx_packets"] >= 30  # echoed back by SIPp
    assert ended["rtp"]["codec"]
    assert peer.wait() == 0
    assert peer.request("INVITE").request_uri == peer.uri("alice")
    assert peer.received("BYE")


def test_number_is_dialled_as_e164_to_the_account_domain(
    client: DaemonClient, sipp_peers: list[SippPeer]
):
    peer = start(sipp_peers, "uas_busy")
    pbx_account(client, peer.address, dial_plan={"default_region": "GB"})
    call = place(client, "020 7946 0018", account_id="pbx")
    assert call["e164"] == "+442079460018"
    ended = wait_call(client, call["id"], "disconnected")
    assert ended["end_cause"] == "busy" and ended["status_code"] == 486
    assert peer.wait() == 0
    assert peer.request("INVITE").request_uri == f"sip:+442079460018@{peer.address}"


def test_extension_digits_go_after_answer_as_sip_info(
    client: DaemonClient, sipp_peers: list[SippPeer]
):
    peer = start(sipp_peers, "uas_info_dtmf")  # offers no telephone-event: INFO it must be
    pbx_account(client, peer.address)
    call = place(client, "+1 415-555-0132 x42", account_id="pbx")
    wait_call(client, call["id"], "confirmed")
    deadline = time.monotonic() + 10
    while len(peer.received("INFO")) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    signals = [info.body for info in peer.received("INFO")]
    assert any("Signal=4" in body for body in signals), signals
    assert any("Signal=2" in body for body in signals), signals
    client.request("call.hangup", {"call_id": call["id"]})
    assert peer.wait() == 0


@pytest.mark.parametrize(
    ("scenario", "cause", "code", "exit_code"),
    [
        ("uas_busy", "busy", 486, 3),
        ("uas_not_found", "not_found", 404, 4),
        ("uas_decline_603", "rejected", 603, 6),
    ],
)
def test_failed_calls_say_why_in_events_and_cli_exit_codes(
    daemon: RunningDaemon,
    client: DaemonClient,
    sipp_peers: list[SippPeer],
    scenario: str,
    cause: str,
    code: int,
    exit_code: int,
):
    peer = start(sipp_peers, scenario, calls=2)
    call = place(client, peer.uri())
    ended = wait_call(client, call["id"], "disconnected")
    assert (ended["end_cause"], ended["status_code"]) == (cause, code)
    result = subprocess.run(
        [sys.executable, "-m", "rolecall", "call", peer.uri(), "--wait-answer"],
        env=rolecall_env(daemon.home),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == exit_code, result.stdout + result.stderr
    assert "not answered" in result.stderr
    assert peer.wait() == 0
    assert len(peer.received("INVITE")) == 2


def test_unanswered_call_is_cancelled_after_the_account_timeout(
    client: DaemonClient, sipp_peers: list[SippPeer]
):
    peer = start(sipp_peers, "uas_no_answer")
    pbx_account(client, peer.address, no_answer_timeout_s=5)
    call = place(client, peer.uri(), account_id="pbx")
    wait_call(client, call["id"], "ringing")
    ended = wait_call(client, call["id"], "disconnected", timeout=15)
    assert ended["end_cause"] == "no_answer"
    assert ended["ended_at"] - ended["created_at"] >= 4.5
    assert peer.wait() == 0
    assert peer.received("CANCEL")


def test_blind_transfer_sends_refer_and_ends_our_leg(
    client: DaemonClient, sipp_peers: list[SippPeer]
):
    peer = start(sipp_peers, "uas_refer")
    call = place(client, peer.uri())
    wait_call(client, call["id"], "confirmed")
    client.request("call.transfer", {"call_id": call["id"], "target": "sip:carol@127.0.0.1:5999"})
    ended = wait_call(client, call["id"], "disconnected")
    assert ended["end_cause"] == "transferred"
    assert peer.wait() == 0
    assert "sip:carol@127.0.0.1:5999" in (peer.request("REFER").header("Refer-To") or "")


def test_in_call_message_reaches_the_peer(client: DaemonClient, sipp_peers: list[SippPeer]):
    peer = start(sipp_peers, "uas_message")
    call = place(client, peer.uri())
    wait_call(client, call["id"], "confirmed")
    text = "Proposal v3: https://crm.example.com/docs/42 — 见附件"
    client.request("call.message", {"call_id": call["id"], "text": text})
    deadline = time.monotonic() + 5
    while not peer.received("MESSAGE") and time.monotonic() < deadline:
        time.sleep(0.1)
    client.request("call.hangup", {"call_id": call["id"]})
    assert peer.wait() == 0
    assert text in peer.request("MESSAGE").body


def test_dtmf_falls_back_to_info_when_no_telephone_event(
    client: DaemonClient, sipp_peers: list[SippPeer]
):
    peer = start(sipp_peers, "uas_info_dtmf")
    call = place(client, peer.uri())
    wait_call(client, call["id"], "confirmed")
    client.request("call.dtmf", {"call_id": call["id"], "digits": "7#"})
    with pytest.raises(DaemonError) as refused:
        client.request("call.dtmf", {"call_id": call["id"], "digits": "1", "method": "rfc2833"})
    assert refused.value.code == "sip_error"
    deadline = time.monotonic() + 5
    while len(peer.received("INFO")) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    client.request("call.hangup", {"call_id": call["id"]})
    assert peer.wait() == 0
    bodies = [info.body for info in peer.received("INFO")]
    assert any("Signal=7" in b for b in bodies) and any("Signal=#" in b for b in bodies)


def test_hold_and_resume_renegotiate_media(client: DaemonClient, sipp_peers: list[SippPeer]):
    peer = start(sipp_peers, "uas_hold")
    call = place(client, peer.uri())
    wait_call(client, call["id"], "confirmed")
    with pytest.raises(DaemonError) as early:
        client.request("call.resume", {"call_id": "0" * 32})
    assert early.value.code == "not_found"
    held = client.request("call.hold", {"call_id": call["id"]})["call"]
    assert held["held"] is True
    time.sleep(0.5)
    resumed = client.request("call.resume", {"call_id": call["id"]})["call"]
    assert resumed["held"] is False
    time.sleep(0.5)
    client.request("call.hangup", {"call_id": call["id"]})
    assert peer.wait() == 0
    reinvites = peer.received("INVITE")[1:]
    assert "a=sendonly" in reinvites[0].body and "a=sendrecv" in reinvites[1].body


def test_ringing_call_refuses_what_needs_an_answer(
    client: DaemonClient, sipp_peers: list[SippPeer]
):
    peer = start(sipp_peers, "uas_no_answer")
    call = place(client, peer.uri())
    wait_call(client, call["id"], "ringing")
    for method, extra in (
        ("call.hold", {}),
        ("call.message", {"text": "hi"}),
        ("call.transfer", {"target": "sip:x@127.0.0.1"}),
        ("call.answer", {}),  # our own outbound call
    ):
        with pytest.raises(DaemonError) as refused:
            client.request(method, {"call_id": call["id"], **extra})
        assert refused.value.code == "invalid_state", method
    client.request("call.hangup", {"call_id": call["id"]})  # a CANCEL, while ringing
    assert wait_call(client, call["id"], "disconnected")["end_cause"] == "cancelled"
    assert peer.wait() == 0
    assert peer.received("CANCEL")


def test_mute_and_record(client: DaemonClient, sipp_peers: list[SippPeer], daemon):
    peer = start(sipp_peers, "uas_answer", rtp_echo=True)
    call = place(client, peer.uri())
    wait_call(client, call["id"], "confirmed")
    assert client.request("call.mute", {"call_id": call["id"]})["call"]["muted"] is True
    assert client.request("call.unmute", {"call_id": call["id"]})["call"]["muted"] is False
    recording = client.request("call.record", {"call_id": call["id"], "on": True})["call"]
    path = recording["recording"]
    assert path.startswith(str(daemon.home.data_dir / "recordings"))
    time.sleep(1.0)
    client.request("call.record", {"call_id": call["id"], "on": False})
    client.request("call.hangup", {"call_id": call["id"]})
    wait_call(client, call["id"], "disconnected")
    assert os.path.getsize(path) > 16_000  # a second of 16 kHz audio, and more
    assert peer.wait() == 0


def local_address(client: DaemonClient) -> str:
    """host:port where the daemon's built-in account receives calls (account requests
    wait for the SIP stack at start-up, so it is there from the first answer)."""
    accounts = client.request("account.list")["accounts"]
    local = next(a for a in accounts if a["config"]["id"] == "local")
    return str(local["config"]["uri"].split("@", 1)[1])


HOSTILE = [
    "+14155550132\r\nVia: SIP/2.0/UDP evil",
    "sip:alice@127.0.0.1;transport=tcp",
    "sip:alice@127.0.0.1?Subject=x",
    "<sip:alice@127.0.0.1>",
    'sip:"alice"@127.0.0.1',
    "sip:alice@127.0.0.1>",
    "javascript:alert(1)",
    "1-800-FLOWERS",
    "+1 415\u202e555 0132",
    "+1 415\u200b555 0132",
    "9" * 300,
    "2024-01-15",
]


def test_hostile_targets_never_reach_the_wire(client: DaemonClient, sipp_peers: list[SippPeer]):
    peer = start(sipp_peers, "uas_busy")
    pbx_account(client, peer.address)
    for text in HOSTILE:
        for account in (None, "pbx"):
            with pytest.raises(DaemonError) as refused:
                place(client, text, account_id=account)
            if len(text) > 256:  # over the protocol's limit: refused before the dial plan
                assert refused.value.code == "invalid_message", text
            else:
                assert refused.value.code == "invalid_target", text
                assert refused.value.details["reason"]
    time.sleep(0.5)
    assert peer.messages().strip() == ""  # SIPp saw no SIP at all
    peer.stop()


def test_call_outlives_the_shim_and_a_new_client_sees_it(
    daemon: RunningDaemon, sipp_peers: list[SippPeer]
):
    peer = start(sipp_peers, "uas_answer", rtp_echo=True)
    shim = BrowserSide(
        [sys.executable, "-m", "rolecall", "chrome-extension://hffpmcdddcflcdlikecihfpofnnogjni/"],
        rolecall_env(daemon.home),
    )
    assert shim.hello()["ok"]
    placed = shim.request("p1", "call.place", {"target": peer.uri()})["result"]["call"]
    with DaemonClient.open(daemon.home, start=False) as watcher:
        wait_call(watcher, placed["id"], "confirmed")
    os.kill(shim.process.pid, signal.SIGKILL)
    shim.process.wait(5)
    time.sleep(1.0)
    with DaemonClient.open(daemon.home, start=False) as later:
        calls = {c["id"]: c for c in later.request("calls.list")["calls"]}
        assert calls[placed["id"]]["state"] == "confirmed"
        assert not peer.received("BYE")
        later.request("call.hangup", {"call_id": placed["id"]})
        ended = wait_call(later, placed["id"], "disconnected")
    assert ended["rtp"]["rx_packets"] > 30  # media flowed while the shim was gone
    assert peer.wait() == 0


def test_inbound_call_rings_and_is_answered(client: DaemonClient, sipp_peers: list[SippPeer]):
    address = local_address(client)
    peer = start(sipp_peers, "uac_inbound", remote=address, service="rolecall", rtp_echo=True)
    ringing = wait_event(client, "call.updated", lambda p: p["call"]["direction"] == "inbound")
    call = ringing["call"]
    assert call["state"] == "ringing" and "sipp" in call["remote_uri"]
    client.request("call.answer", {"call_id": call["id"]})
    ended = wait_call(client, call["id"], "disconnected", timeout=15)
    assert ended["answered_at"] is not None and ended["end_cause"] == "normal"
    assert peer.wait() == 0


def test_inbound_call_can_be_declined(client: DaemonClient, sipp_peers: list[SippPeer]):
    address = local_address(client)
    peer = start(sipp_peers, "uac_inbound_declined", remote=address, service="rolecall")
    ringing = wait_event(client, "call.updated", lambda p: p["call"]["direction"] == "inbound")
    client.request("call.decline", {"call_id": ringing["call"]["id"], "code": 603})
    assert peer.wait() == 0
    assert peer.received_responses("INVITE")[-1].status == 603


def test_registrar_digest_accepts_the_right_password_and_refuses_a_wrong_one(
    client: DaemonClient, sipp_peers: list[SippPeer]
):
    for password, state, exit_code in (("secret", "registered", 0), ("wrong", "failed", 1)):
        peer = start(sipp_peers, "registrar_auth", keys={"user": "alice", "password": "secret"})
        account = {
            "id": "office",
            "uri": "sip:alice@rolecall.test",
            "registrar": f"sip:{peer.address}",
            "username": "alice",
        }
        client.request("account.set", {"account": account, "password": password})
        registration = wait_event(
            client, "account.registration", lambda p: p["state"] in ("registered", "failed")
        )
        assert registration["state"] == state, registration
        client.request("account.remove", {"account_id": "office"})  # unREGISTERs if registered
        assert peer.wait() == exit_code, peer.report()
        assert peer.received("REGISTER")[1].header("Authorization")


def test_rfc2833_dtmf_goes_in_the_media_when_telephone_event_is_offered(
    client: DaemonClient, sipp_peers: list[SippPeer]
):
    peer = start(sipp_peers, "uas_answer", rtp_echo=True)  # its SDP offers telephone-event/8000
    capture = LoopbackCapture(
        ports=[peer.port], port_ranges=[(peer.media_port, peer.media_port + 3)]
    )
    capture.start()
    try:
        call = place(client, peer.uri())
        wait_call(client, call["id"], "confirmed")
        client.request("call.dtmf", {"call_id": call["id"], "digits": "905*", "method": "rfc2833"})
        time.sleep(2.0)
        client.request("call.hangup", {"call_id": call["id"]})
        wait_call(client, call["id"], "disconnected")
        assert peer.wait() == 0
    finally:
        capture.stop()
    try:
        assert capture.rtp_event_digits()[:4] == ["9", "0", "5", "*"]
        assert not peer.received("INFO")  # in the media, not in SIP
    finally:
        capture.cleanup()


def test_registrar_that_does_not_answer_is_a_visible_failure(client: DaemonClient):
    silent = free_port()  # nothing listens there
    account = {
        "id": "offline",
        "uri": "sip:alice@rolecall.test",
        "registrar": f"sip:127.0.0.1:{silent};transport=tcp",
        "username": "alice",
        "transport": "tcp",
    }
    client.request("account.set", {"account": account, "password": "secret"})
    failed = wait_event(client, "account.registration", lambda p: p["account_id"] == "offline")
    assert failed["state"] == "failed"
    assert failed["status_code"] in (408, 502, 503), failed
    assert failed["reason"]


def test_requests_at_start_up_wait_for_the_saved_accounts(
    rc_home: Home, sipp_peers: list[SippPeer]
):
    """The socket answers before the SIP stack is up; account and call requests wait for it."""
    peer = start(sipp_peers, "uas_answer", rtp_echo=True, calls=3)
    first = start_daemon(rc_home)
    try:
        with DaemonClient.open(rc_home, start=False) as client:
            pbx_account(client, peer.address)
    finally:
        stop_daemon(first)
    for _ in range(3):  # the window is short: look at it more than once
        again = start_daemon(rc_home)  # returns as soon as the socket exists
        try:
            with DaemonClient.open(rc_home, start=False) as client:
                ids = [a["config"]["id"] for a in client.request("account.list")["accounts"]]
                assert sorted(ids) == ["local", "pbx"], ids
                call = place(client, "+14155550132", account_id="pbx")
                wait_call(client, call["id"], "confirmed")
                client.request("call.hangup", {"call_id": call["id"]})
                wait_call(client, call["id"], "disconnected")
        finally:
            stop_daemon(again)
