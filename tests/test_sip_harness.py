"""The SIP test harness proves itself with real traffic on 127.0.0.1.

Every SIPp scenario in tests/sip/scenarios runs against a real peer (SIPp's own UAC, or the
pjsua2 peer process, which is what the daemon uses too), so a scenario bug shows up here.
Kamailio is checked as registrar and proxy with two pjsua2 peers, with tshark watching.
Every process is started through a fixture and stopped by pid in its teardown, also when
the test fails.
"""

from __future__ import annotations

import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest

from support.processes import pid_alive
from support.sip import group_pids
from support.sip.capture import LoopbackCapture
from support.sip.kamailio import PASSWORD, KamailioProxy
from support.sip.peer_client import PeerError, PjsuaPeer
from support.sip.ports import bound_addresses, free_ports, port_is_free, udp_bound
from support.sip.sipp import SippPeer, parse_messages

MakeSipp = Callable[..., SippPeer]
MakePeer = Callable[..., PjsuaPeer]
MakeCapture = Callable[..., LoopbackCapture]


class Stoppable(Protocol):
    def cleanup(self) -> None: ...


@pytest.fixture
def stop_afterwards() -> Iterator[list[Stoppable]]:
    """Everything appended here is stopped by pid (and its files removed) at teardown."""
    started: list[Stoppable] = []
    yield started
    for thing in reversed(started):
        thing.cleanup()


@pytest.fixture
def sipp(stop_afterwards: list[Stoppable]) -> MakeSipp:
    """Start SIPp: `sipp("uas_answer", rtp_echo=True)`."""

    def make(scenario: str, **options: Any) -> SippPeer:
        peer = SippPeer(scenario, **options)
        stop_afterwards.append(peer)
        return peer.start()

    return make


@pytest.fixture
def pjsua_peer(stop_afterwards: list[Stoppable]) -> MakePeer:
    """Start a pjsua2 peer process: `pjsua_peer(account=..., registrar=..., password=...)`."""

    def make(**options: Any) -> PjsuaPeer:
        peer = PjsuaPeer(**options)
        stop_afterwards.append(peer)
        return peer.start()

    return make


@pytest.fixture
def capture(stop_afterwards: list[Stoppable]) -> MakeCapture:
    """Start tshark on lo: `capture(ports=[...], port_ranges=[(low, high)])`."""

    def make(**options: Any) -> LoopbackCapture:
        cap = LoopbackCapture(**options)
        stop_afterwards.append(cap)
        return cap.start()

    return make


@pytest.fixture(scope="module")
def pjsua_module() -> Iterator[PjsuaPeer]:
    peer = PjsuaPeer(log_level=5).start()  # a noisy log: stdout must still be only JSON
    try:
        yield peer
    finally:
        peer.cleanup()


@pytest.fixture
def pjsua(pjsua_module: PjsuaPeer) -> Iterator[PjsuaPeer]:
    """A pjsua2 peer without an account (sip:peer@127.0.0.1:port), answering with 200."""
    yield pjsua_module
    pjsua_module.command("hangup_all")
    pjsua_module.command("auto_answer", code="200")


def sip_target(uas: SippPeer, user: str = "alice") -> str:
    return f"sip:{user}@{uas.address}"


# Ports and the message-trace parser.


def test_free_ports_are_distinct_and_free_on_udp_and_tcp() -> None:
    ports = free_ports(20)
    block = free_ports(8, consecutive=True)
    assert len(set(ports + block)) == 28
    assert block == list(range(block[0], block[0] + 8))
    assert all(port_is_free(p) for p in ports + block)


def test_message_trace_parser_reads_headers_and_bodies() -> None:
    trace = (
        "----------------------------------------------- 2026-01-01 00:00:00.000000\n"
        "UDP message received [99] bytes :\n\n"
        "REFER sip:sipp@127.0.0.1:5062 SIP/2.0\n"
        "r: <sip:carol@rolecall.test>\n"
        "CSeq: 2 REFER\n"
        "Content-Length: 2\n\nhi\n\n"
        "----------------------------------------------- 2026-01-01 00:00:00.000001\n"
        "UDP message sent (42 bytes):\n\n"
        "SIP/2.0 202 Accepted\nCSeq: 2 REFER\n\n"
    )
    refer, accepted = parse_messages(trace)
    assert (refer.direction, refer.method, refer.request_uri) == (
        "received",
        "REFER",
        "sip:sipp@127.0.0.1:5062",
    )
    assert (refer.header("Refer-To") or "").strip("<>") == "sip:carol@rolecall.test"
    assert refer.body == "hi"
    assert (accepted.status, accepted.method, accepted.is_request) == (202, "REFER", False)
    assert 0 < refer.time < accepted.time


# SIPp against SIPp.


def test_sipp_uac_against_uas_answer(sipp: MakeSipp) -> None:
    uas = sipp("uas_answer", rtp_echo=True, timeout=10)
    uac = sipp("uac", remote=uas.address, service="alice", pause_ms=0, timeout=10)
    assert uac.wait(10) == 0, uac.report()
    assert uas.wait(10) == 0, uas.report()
    assert uas.request("INVITE").request_uri == sip_target(uas)
    assert [m.method for m in uas.received()] == ["INVITE", "ACK", "BYE"]
    answer = uas.sent("INVITE")[-1]
    assert answer.status == 200
    assert "a=rtpmap:101 telephone-event/8000" in answer.body
    assert f"m=audio {uas.media_port} " in answer.body


def test_sipp_stops_by_pid_and_binds_only_loopback(sipp: MakeSipp) -> None:
    uas = sipp("uas_answer", timeout=30)
    assert udp_bound(uas.port)
    listening = Path("/proc/net/udp").read_text()
    assert f"00000000:{uas.control_port:04X}" not in listening  # SIPp's default is 0.0.0.0
    assert f"0100007F:{uas.control_port:04X}" in listening
    uas.stop()
    assert not pid_alive(uas.pid)
    assert not udp_bound(uas.port)


# The pjsua2 peer calling each SIPp UAS scenario.


@pytest.mark.parametrize(
    ("scenario", "code"),
    [("uas_busy", 486), ("uas_not_found", 404), ("uas_decline_603", 603)],
)
def test_refusals(sipp: MakeSipp, pjsua: PjsuaPeer, scenario: str, code: int) -> None:
    uas = sipp(scenario, timeout=10)
    call = pjsua.call(sip_target(uas))
    assert pjsua.wait_state(call, "DISCONNECTED")["code"] == code
    assert uas.wait(10) == 0, uas.report()
    assert uas.received()[-1].method == "ACK"


def test_no_answer_then_cancel(sipp: MakeSipp, pjsua: PjsuaPeer) -> None:
    uas = sipp("uas_no_answer", timeout=10)
    call = pjsua.call(sip_target(uas))
    assert pjsua.wait_state(call, "EARLY")["code"] == 180
    pjsua.command("hangup", call=call)
    assert pjsua.wait_state(call, "DISCONNECTED")["code"] == 487
    assert uas.wait(10) == 0, uas.report()
    assert [m.method for m in uas.received()] == ["INVITE", "CANCEL", "ACK"]


def test_answer_echo_and_rfc2833_seen_by_tshark(
    sipp: MakeSipp, pjsua: PjsuaPeer, capture: MakeCapture
) -> None:
    uas = sipp("uas_answer", rtp_echo=True, timeout=10)
    cap = capture(
        ports=[uas.port, pjsua.port],
        port_ranges=[(uas.media_port, uas.media_port + 3), (pjsua.rtp_port, pjsua.rtp_port + 15)],
    )
    call = pjsua.call(sip_target(uas))
    pjsua.wait_state(call, "CONFIRMED")
    pjsua.command("dtmf", call=call, digits="159")
    time.sleep(1.0)  # three digits of RFC 2833 events, echoed back
    pjsua.command("hangup", call=call)
    media = pjsua.wait_for("media", lambda e: e["call"] == call)
    assert uas.wait(10) == 0, uas.report()
    cap.stop()
    assert media["tx_packets"] > 10 and media["rx_packets"] > 10, media
    assert cap.sip_requests("INVITE") == [sip_target(uas)]
    assert {"INVITE", "ACK", "BYE"} <= set(cap.sip_methods())
    assert cap.rtp_event_digits() == ["1", "5", "9"]
    assert cap.rtp_count(101) > 0
    towards_sipp = {s.payload_type for s in cap.rtp_streams() if s.dst_port == uas.media_port}
    assert towards_sipp == {0, 101}  # PCMU and telephone-event
    assert len({s.src for s in cap.rtp_streams()}) == 2  # sent and echoed
    assert not [e for e in pjsua.events if e["event"] == "garbage"], "non-JSON on the peer's stdout"


def test_in_dialog_message(sipp: MakeSipp, pjsua: PjsuaPeer) -> None:
    uas = sipp("uas_message", timeout=10)
    call = pjsua.call(sip_target(uas))
    pjsua.wait_state(call, "CONFIRMED")
    pjsua.command("message", call=call, body="Opportunity 42: renewal")
    assert pjsua.wait_for("message_status", lambda e: e["call"] == call)["code"] == 200
    pjsua.command("hangup", call=call)
    assert uas.wait(10) == 0, uas.report()
    message = uas.request("MESSAGE")
    assert message.body == "Opportunity 42: renewal"
    assert (message.header("Content-Type") or "").startswith("text/plain")


def test_info_dtmf_when_the_answer_has_no_telephone_event(sipp: MakeSipp, pjsua: PjsuaPeer) -> None:
    uas = sipp("uas_info_dtmf", timeout=10)
    call = pjsua.call(sip_target(uas))
    pjsua.wait_state(call, "CONFIRMED")
    with pytest.raises(PeerError):  # RFC 2833 is impossible without telephone-event
        pjsua.command("dtmf", call=call, digits="4")
    pjsua.command("dtmf", call=call, digits="4", method="info")
    pjsua.command("dtmf", call=call, digits="2", method="info")
    time.sleep(0.3)  # let both INFOs be answered before the BYE
    pjsua.command("hangup", call=call)
    assert uas.wait(10) == 0, uas.report()
    infos = uas.received("INFO")
    assert [i.header("Content-Type") for i in infos] == ["application/dtmf-relay"] * 2
    assert ["Signal=4" in infos[0].body, "Signal=2" in infos[1].body] == [True, True]


def test_hold_and_resume(sipp: MakeSipp, pjsua: PjsuaPeer) -> None:
    uas = sipp("uas_hold", timeout=10)
    call = pjsua.call(sip_target(uas))
    pjsua.wait_state(call, "CONFIRMED")
    pjsua.command("hold", call=call)
    held = pjsua.wait_for("media_state", lambda e: e["call"] == call and e["audio"] != ["ACTIVE"])
    assert held["audio"] == ["LOCAL_HOLD"]
    pjsua.command("unhold", call=call)
    pjsua.wait_for("media_state", lambda e: e["call"] == call and e["audio"] == ["ACTIVE"])
    pjsua.command("hangup", call=call)
    assert uas.wait(10) == 0, uas.report()
    hold, resume = uas.received("INVITE")[1:]
    assert "a=sendonly" in hold.body
    assert "a=sendrecv" in resume.body


def test_blind_transfer(sipp: MakeSipp, pjsua: PjsuaPeer) -> None:
    uas = sipp("uas_refer", timeout=10)
    call = pjsua.call(sip_target(uas))
    pjsua.wait_state(call, "CONFIRMED")
    pjsua.command("transfer", call=call, to="sip:carol@rolecall.test")
    status = pjsua.wait_for("transfer_status", lambda e: e["call"] == call and e["final"])
    assert status["code"] == 200
    pjsua.command("hangup", call=call)  # what a transferor does after the final NOTIFY
    assert uas.wait(10) == 0, uas.report()
    refer = uas.request("REFER")
    assert (refer.header("Refer-To") or "").strip("<>") == "sip:carol@rolecall.test"
    notify = uas.sent("NOTIFY")[0]
    assert notify.header("Event") == "refer" and notify.body == "SIP/2.0 200 OK"


def test_blind_transfer_sipp_hangs_up_when_the_transferor_does_not(
    sipp: MakeSipp, pjsua: PjsuaPeer
) -> None:
    uas = sipp("uas_refer", timeout=10)
    call = pjsua.call(sip_target(uas))
    pjsua.wait_state(call, "CONFIRMED")
    pjsua.command("transfer", call=call, to="sip:dave@rolecall.test")
    assert pjsua.wait_state(call, "DISCONNECTED", timeout=6)["code"] == 200
    assert uas.wait(10) == 0, uas.report()
    assert uas.sent("BYE") and uas.received_responses("BYE")[0].status == 200


# SIPp calling the pjsua2 peer.


def test_inbound_call_answered(sipp: MakeSipp, pjsua: PjsuaPeer) -> None:
    uac = sipp(
        "uac_inbound",
        remote=f"127.0.0.1:{pjsua.port}",
        service="alice",
        rtp_echo=True,
        pause_ms=500,
        timeout=10,
    )
    assert uac.wait(10) == 0, uac.report()
    incoming = pjsua.wait_for("incoming")
    assert "sip:sipp@127.0.0.1" in incoming["from"]
    pjsua.wait_state(incoming["call"], "CONFIRMED")
    media = pjsua.wait_for("media", lambda e: e["call"] == incoming["call"])
    assert media["rx_packets"] > 0 and media["tx_packets"] > 0  # echoed by SIPp
    assert [r.status for r in uac.received_responses("INVITE")][-1] == 200


@pytest.mark.parametrize("code", ["486", "603"])
def test_inbound_call_declined(sipp: MakeSipp, pjsua: PjsuaPeer, code: str) -> None:
    pjsua.command("auto_answer", code=code)
    uac = sipp(
        "uac_inbound_declined", remote=f"127.0.0.1:{pjsua.port}", service="alice", timeout=10
    )
    assert uac.wait(10) == 0, uac.report()
    assert uac.received_responses("INVITE")[-1].status == int(code)


# SIPp as a registrar with digest authentication.


@pytest.mark.parametrize(("password", "code", "exit_code"), [("secret", 200, 0), ("nope", 403, 1)])
def test_registrar_checks_the_digest(
    sipp: MakeSipp, pjsua_peer: MakePeer, password: str, code: int, exit_code: int
) -> None:
    registrar = sipp("registrar_auth", keys={"user": "alice", "password": "secret"}, timeout=10)
    alice = pjsua_peer(
        account="sip:alice@rolecall.test", registrar=f"sip:{registrar.address}", password=password
    )
    assert alice.wait_for("registered")["code"] == code
    alice.stop()  # unREGISTERs after a 200
    assert registrar.wait(10) == exit_code, registrar.report()
    authorized = registrar.received("REGISTER")[1]
    assert 'username="alice"' in (authorized.header("Authorization") or "")


# Kamailio as registrar and proxy.


@pytest.fixture(scope="module")
def kamailio() -> Iterator[KamailioProxy]:
    proxy = KamailioProxy().start()
    try:
        yield proxy
    finally:
        proxy.cleanup()


def registered(kamailio: KamailioProxy, user: str, **options: Any) -> PjsuaPeer:
    peer = PjsuaPeer(
        account=kamailio.aor(user), registrar=kamailio.registrar, password=PASSWORD, **options
    ).start()
    try:
        assert peer.wait_for("registered")["code"] == 200
    except BaseException:
        peer.cleanup()
        raise
    return peer


@pytest.fixture(scope="module")
def bob(kamailio: KamailioProxy) -> Iterator[PjsuaPeer]:
    peer = registered(kamailio, "bob", tone_hz=440)
    try:
        yield peer
    finally:
        peer.cleanup()


@pytest.fixture(scope="module")
def carol(kamailio: KamailioProxy, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PjsuaPeer]:
    peer = registered(
        kamailio, "carol", tone_hz=880, record=tmp_path_factory.mktemp("carol-recordings")
    )
    try:
        yield peer
    finally:
        peer.cleanup()


def test_kamailio_listens_on_loopback_only_and_refuses_a_wrong_password(
    kamailio: KamailioProxy, pjsua_peer: MakePeer
) -> None:
    for table in ("udp", "tcp"):
        text = Path(f"/proc/net/{table}").read_text()
        assert f"0100007F:{kamailio.port:04X}" in text
        assert f"00000000:{kamailio.port:04X}" not in text
    dave = pjsua_peer(account=kamailio.aor("dave"), registrar=kamailio.registrar, password="wrong")
    assert dave.wait_for("registered")["code"] == 403


def test_kamailio_call_with_media_both_ways(
    kamailio: KamailioProxy, bob: PjsuaPeer, carol: PjsuaPeer, capture: MakeCapture
) -> None:
    cap = capture(
        ports=[kamailio.port, bob.port, carol.port],
        port_ranges=[(bob.rtp_port, bob.rtp_port + 15), (carol.rtp_port, carol.rtp_port + 15)],
    )
    call = bob.call(kamailio.aor("carol"))
    incoming = carol.wait_for("incoming")
    assert "sip:bob@rolecall.test" in incoming["from"]
    bob.wait_state(call, "CONFIRMED")
    carol.wait_state(incoming["call"], "CONFIRMED")
    bob.command("dtmf", call=call, digits="7")
    bob.command("dtmf", call=call, digits="8", method="info")
    dtmf = [carol.wait_for("dtmf"), carol.wait_for("dtmf")]
    time.sleep(1.0)  # a second of media both ways, however loaded the machine is
    bob.command("hangup", call=call)
    sent = bob.wait_for("media", lambda e: e["call"] == call)
    received = carol.wait_for("media", lambda e: e["call"] == incoming["call"])
    carol.wait_state(incoming["call"], "DISCONNECTED")
    cap.stop()

    assert {(e["digit"], e["method"]) for e in dtmf} == {("7", "rfc2833"), ("8", "info")}
    for media in (sent, received):
        assert media["rx_packets"] > 0 and media["tx_packets"] > 0, media
    with wave.open(received["recording"]) as recording:
        assert recording.getframerate() == 16000 and recording.getnframes() > 0
    assert kamailio.aor("carol") in cap.sip_requests("INVITE")
    streams = cap.rtp_streams()
    bob_rtp = range(bob.rtp_port, bob.rtp_port + 16)
    carol_rtp = range(carol.rtp_port, carol.rtp_port + 16)
    assert any(s.src_port in bob_rtp and s.dst_port in carol_rtp for s in streams), streams
    assert any(s.src_port in carol_rtp and s.dst_port in bob_rtp for s in streams), streams


def test_kamailio_relays_a_message(
    kamailio: KamailioProxy, bob: PjsuaPeer, carol: PjsuaPeer
) -> None:
    bob.command("message", to=kamailio.aor("carol"), body="Call me about ACME")
    message = carol.wait_for("message", lambda e: not e["in_call"])
    assert message["body"] == "Call me about ACME"
    assert "sip:bob@rolecall.test" in message["from"]
    assert bob.wait_for("message_status", lambda e: e["call"] is None)["code"] == 200


def test_kamailio_relays_presence(
    kamailio: KamailioProxy, bob: PjsuaPeer, carol: PjsuaPeer
) -> None:
    uri = kamailio.aor("bob")
    carol.command("subscribe", uri=uri)
    bob.command("online", note="At my desk")
    online = carol.wait_for("presence", lambda e: e["uri"] == uri and e["status"] == "online")
    assert online["note"] == "At my desk"
    bob.command("busy", note="In a call")
    busy = carol.wait_for("presence", lambda e: e["uri"] == uri and e["note"] == "In a call")
    assert (busy["status"], busy["activity"]) == ("online", "busy")


def test_every_peer_binds_only_loopback(
    sipp: MakeSipp, pjsua: PjsuaPeer, kamailio: KamailioProxy, bob: PjsuaPeer, carol: PjsuaPeer
) -> None:
    uas = sipp("uas_answer", rtp_echo=True, timeout=10)
    call = pjsua.call(sip_target(uas))
    pjsua.wait_state(call, "CONFIRMED")  # media sockets open too
    pids = [uas.pid, pjsua.pid, bob.pid, carol.pid, *group_pids(kamailio.pid)]
    addresses = bound_addresses(pids)
    assert f"udp 127.0.0.1:{uas.media_port}" in addresses
    assert f"tcp 127.0.0.1:{kamailio.port}" in addresses
    assert {a for a in addresses if not a.split(" ")[1].startswith("127.0.0.1:")} == set()
    pjsua.command("hangup", call=call)
    assert uas.wait(10) == 0, uas.report()


def test_kamailio_stop_leaves_no_process() -> None:
    proxy = KamailioProxy().start()
    try:
        assert len(group_pids(proxy.pid)) > 1  # the main process and its workers
    finally:
        proxy.cleanup()
    assert group_pids(proxy.pid) == []
    assert not pid_alive(proxy.pid)
