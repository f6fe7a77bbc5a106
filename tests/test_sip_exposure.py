"""Nobody but the account's own servers reaches the SIP stack or gets the password.

Real peers only: Kamailio is alice's registrar on 127.0.0.1; SIPp plays a stranger from
127.0.0.2 (another loopback address, so the source address differs from the
registrar's) and a foreign callee that asks for the password.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest

from rolecall.client import DaemonClient, DaemonError
from rolecall.doctor import registration_checks
from rolecall.paths import Home
from rolecall.telephony.sip_exposure import (
    bind_address_for,
    realm_for,
    realm_of_challenge,
    source_rule,
    uri_host_port,
)
from support.calls import place, wait_event
from support.daemons import RunningDaemon, rolecall_env, start_daemon, stop_daemon
from support.sip.kamailio import KamailioProxy
from support.sip.sipp import SippPeer

STRANGER = "127.0.0.2"
DOMAIN = "rolecall.test"


@pytest.fixture
def kamailio() -> Iterator[KamailioProxy]:
    proxy = KamailioProxy().start()
    try:
        yield proxy
    finally:
        proxy.cleanup()


@pytest.fixture
def sipp_peers() -> Iterator[list[SippPeer]]:
    peers: list[SippPeer] = []
    yield peers
    for peer in peers:
        peer.cleanup()


def alice_account(kamailio: KamailioProxy, **extra: object) -> dict[str, object]:
    return {
        "id": "alice",
        "uri": kamailio.aor("alice"),
        "registrar": kamailio.registrar,
        "username": "alice",
        **extra,
    }


@pytest.fixture
def alice(daemon: RunningDaemon, kamailio: KamailioProxy) -> Iterator[DaemonClient]:
    """The daemon's client with alice registered at Kamailio (realm rolecall.test)."""
    with DaemonClient.open(daemon.home, start=False, name="sip-exposure-test") as client:
        client.request("account.set", {"account": alice_account(kamailio), "password": "secret"})
        registered = wait_event(
            client, "account.registration", lambda p: p["account_id"] == "alice"
        )
        assert registered["state"] == "registered", registered
        yield client


def alice_status(client: DaemonClient) -> dict[str, object]:
    accounts = client.request("account.list")["accounts"]
    found: dict[str, object] = next(a for a in accounts if a["config"]["id"] == "alice")
    return found


def listen_address(client: DaemonClient) -> str:
    """ "127.0.0.1:PORT" where alice's transport listens (`listen` is "udp ADDR:PORT")."""
    listen = alice_status(client).get("listen")
    assert listen, "the account status does not say where it listens"
    return str(listen).split()[-1]


def run_from(peers: list[SippPeer], local_ip: str, scenario: str, remote: str) -> SippPeer:
    """Runs a UAC scenario for alice@rolecall.test to the end, SIPp's sockets on `local_ip`."""
    peer = SippPeer(
        scenario,
        remote=remote,
        service="alice",
        keys={"domain": DOMAIN},
        extra_args=["-i", local_ip, "-mi", local_ip, "-ci", local_ip],
    )
    peers.append(peer)
    with peer.screen_file.open("wb") as screen:
        peer.process = subprocess.Popen(
            peer.args, cwd=peer.workdir, stdin=subprocess.DEVNULL, stdout=screen,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    assert peer.wait() == 0, peer.report()
    return peer


def inbound_calls(client: DaemonClient) -> list[dict[str, object]]:
    return [c for c in client.request("calls.list")["calls"] if c["direction"] == "inbound"]


def test_invite_message_subscribe_from_a_stranger_are_refused_and_never_reach_the_user(
    alice: DaemonClient, sipp_peers: list[SippPeer]
) -> None:
    address = listen_address(alice)
    assert address.startswith("127.0.0.1:")
    invite = run_from(sipp_peers, STRANGER, "uac_invite_domain", address)
    assert [m.status for m in invite.received_responses("INVITE")] in ([403], [100, 403])
    others = run_from(sipp_peers, STRANGER, "uac_stranger_message", address)
    assert [m.status for m in others.received_responses("SUBSCRIBE")] == [403]
    # Nothing reached the user: no call, no message (a ping fences the event stream).
    assert alice.request("ping", {"echo": "fence"})["echo"] == "fence"
    assert inbound_calls(alice) == []
    with pytest.raises(TimeoutError):
        wait_event(alice, "message.received", timeout=1.0)
    with pytest.raises(TimeoutError):
        wait_event(alice, "call.updated", lambda p: p["call"]["direction"] == "inbound", 0.5)


def test_invite_from_the_registrars_address_rings(
    alice: DaemonClient, sipp_peers: list[SippPeer]
) -> None:
    address = listen_address(alice)
    peer = SippPeer("uac_invite_domain", remote=address, service="alice", keys={"domain": DOMAIN})
    sipp_peers.append(peer)
    peer.start()  # from 127.0.0.1: Kamailio's address
    ringing = wait_event(alice, "call.updated", lambda p: p["call"]["direction"] == "inbound")[
        "call"
    ]
    assert ringing["state"] == "ringing" and ringing["account_id"] == "alice"
    alice.request("call.decline", {"call_id": ringing["id"], "code": 603})
    assert peer.wait() == 0, peer.report()
    assert [m.status for m in peer.received_responses("INVITE")][-2:] == [180, 603]


def test_password_answers_only_the_registrars_realm(
    alice: DaemonClient, sipp_peers: list[SippPeer]
) -> None:
    foreign = SippPeer("uas_foreign_challenge", keys={"realm": "elsewhere.test"})
    sipp_peers.append(foreign)
    foreign.start()
    call = place(alice, foreign.uri("bob"), account_id="alice")
    ended = wait_event(
        alice,
        "call.updated",
        lambda p: p["call"]["id"] == call["id"] and p["call"]["state"] == "disconnected",
    )["call"]
    assert foreign.wait() == 1, foreign.report()  # 1: no INVITE came back with credentials
    invites = foreign.received("INVITE")
    assert len(invites) == 1, foreign.report()
    for invite in invites:
        assert invite.header("Proxy-Authorization") is None, invite.text
        assert invite.header("Authorization") is None, invite.text
    assert ended["state"] == "disconnected"
    assert alice_status(alice).get("realm") == "rolecall.test"


def _listeners(pid: int) -> list[str]:
    """ "proto local-address:port" of every UDP/TCP socket the process listens on."""
    out = subprocess.run(
        ["ss", "-H", "-l", "-n", "-u", "-t", "-p"], capture_output=True, text=True, check=True
    ).stdout
    return [
        f"{line.split()[0]} {line.split()[4]}" for line in out.splitlines() if f"pid={pid}," in line
    ]


def test_by_default_nothing_listens_on_every_interface() -> None:
    root = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))
    home = Home(root)
    home.config_dir.mkdir(parents=True)
    (home.config_dir / "telephony.json").write_text("{}")  # every default
    running = start_daemon(home)
    try:
        with DaemonClient.open(home, start=False, name="sip-exposure-test") as client:
            accounts = client.request("account.list")["accounts"]
            listeners = _listeners(running.pid)
        local = next(a for a in accounts if a["config"]["id"] == "local")
        assert local["listen"].startswith("udp 127.0.0.1:"), local
        assert local["accepts_from"] == "only this machine (loopback)"
        assert listeners, "ss found no socket of the daemon"
        for listener in listeners:
            address = listener.split()[1]
            assert not address.startswith(("0.0.0.0:", "*:", "[::]:")), listeners
        # What `rolecall doctor` (and its --json) says of it, asked of the same daemon.
        checks = {c.check: asdict(c) for c in registration_checks(home)}
        exposure = checks["SIP account local: exposure"]
        assert exposure["ok"] and "udp 127.0.0.1:" in exposure["detail"], exposure
        assert "only this machine" in exposure["detail"]
        # No TLS account, no TLS listener: one TCP listener (SIP over TCP) and no more.
        assert sum(listener.startswith("tcp") for listener in listeners) == 1, listeners
        # An explicit bind address gets a transport of its own, there and nowhere else.
        with DaemonClient.open(home, start=False, name="sip-exposure-test") as client:
            desk = {"id": "desk", "uri": "sip:desk@127.0.0.3", "bind_address": "127.0.0.3"}
            status = client.request("account.set", {"account": desk})["account"]
        assert status["listen"].startswith("udp 127.0.0.3:"), status
        port = status["listen"].rsplit(":", 1)[1]
        assert f"udp 127.0.0.3:{port}" in _listeners(running.pid)
        with DaemonClient.open(home, start=False, name="sip-exposure-test") as client:
            desk6 = {"id": "desk6", "uri": "sip:desk@[::1]", "bind_address": "::1"}
            status = client.request("account.set", {"account": desk6})["account"]
        assert status["listen"].startswith("udp [::1]:"), status
    finally:
        stop_daemon(running)
        shutil.rmtree(root, ignore_errors=True)


def test_srtp_without_tls_is_refused_naming_tls(daemon: RunningDaemon) -> None:
    with DaemonClient.open(daemon.home, start=False, name="sip-exposure-test") as client:
        for transport in ("udp", "tcp"):
            for srtp in ("optional", "mandatory"):
                account = {
                    "id": "carol", "uri": "sip:carol@127.0.0.1", "srtp": srtp,
                    "transport": transport,
                }  # fmt: skip
                with pytest.raises(DaemonError) as refused:
                    client.request("account.set", {"account": account})
                assert refused.value.code == "invalid_message"
                assert "SRTP needs TLS" in refused.value.message
                assert refused.value.details["reason"] == "srtp_needs_tls"
        added = subprocess.run(
            [sys.executable, "-m", "rolecall", "account", "add", "carol",
             "--uri", "sip:carol@127.0.0.1", "--srtp", "optional"],
            env=rolecall_env(daemon.home), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert added.returncode == 1 and "SRTP needs TLS" in added.stderr, added
        ids = [a["config"]["id"] for a in client.request("account.list")["accounts"]]
        assert "carol" not in ids


def test_presence_only_within_the_accounts_domain_and_at_most_fifty(alice: DaemonClient) -> None:
    alice.request("presence.subscribe", {"uri": "sip:bob@rolecall.test", "account_id": "alice"})
    for uri in ("sip:bob@attacker.example", "sip:bob@203.0.113.9:5060"):
        with pytest.raises(DaemonError) as refused:
            alice.request("presence.subscribe", {"uri": uri, "account_id": "alice"})
        assert refused.value.code == "invalid_target", uri
        assert refused.value.details["reason"] == "foreign_domain"
    for n in range(49):  # 49 more people: 50 watched in all
        alice.request("presence.subscribe", {"uri": f"sip:p{n}@rolecall.test"})
    with pytest.raises(DaemonError) as full:
        alice.request("presence.subscribe", {"uri": "sip:one-too-many@rolecall.test"})
    assert full.value.code == "invalid_state" and full.value.details["limit"] == 50
    # Stop watching one and there is room again.
    alice.request("presence.unsubscribe", {"uri": "sip:p0@rolecall.test"})
    alice.request("presence.subscribe", {"uri": "sip:one-too-many@rolecall.test"})


def test_the_registrars_own_realm_is_learnt_from_its_challenge(
    daemon: RunningDaemon, sipp_peers: list[SippPeer]
) -> None:
    """A registrar whose realm is not the address's host: the first 401 cannot be answered
    (our credentials are for rolecall.test, never `*`); its realm is taken and the second
    registration answers for it."""
    keys = {"realm": "PBX-Realm", "user": "alice", "password": "secret"}
    registrar = SippPeer("registrar_other_realm", keys=keys, calls=2)
    sipp_peers.append(registrar)
    registrar.start()
    with DaemonClient.open(daemon.home, start=False, name="sip-exposure-test") as client:
        account = {
            "id": "alice",
            "uri": "sip:alice@rolecall.test",
            "registrar": f"sip:{registrar.address}",
            "username": "alice",
        }
        client.request("account.set", {"account": account, "password": "secret"})
        registered = wait_event(
            client, "account.registration", lambda p: p["account_id"] == "alice"
        )
        assert registered["state"] == "registered", registered
        assert alice_status(client)["realm"] == "PBX-Realm"
    registers = registrar.received("REGISTER")
    assert registers[0].header("Authorization") is None
    answered = [r.header("Authorization") or "" for r in registers[1:]]
    assert any('realm="PBX-Realm"' in a for a in answered), registrar.report()


def test_the_rules_themselves() -> None:
    # Where an account listens: explicit wins, else the route to its server, else default.
    assert bind_address_for(None, None, None, "127.0.0.1") == "127.0.0.1"
    assert bind_address_for("sip:127.0.0.1:5070", None, None, "10.9.9.9") == "127.0.0.1"
    assert bind_address_for("sip:127.0.0.1", None, "127.0.0.3", "127.0.0.1") == "127.0.0.3"
    # Who may send requests.
    registered = source_rule("sip:127.0.0.1:5070", "sip:127.0.0.4;lr", None)
    assert registered.allows("127.0.0.1:5070") and registered.allows("127.0.0.4:1")
    assert not registered.allows("127.0.0.2:5060")
    direct = source_rule(None, None, None)
    assert direct.allows("127.0.0.2:5060") and direct.allows("[::1]:5060")
    assert not direct.allows("192.0.2.7:5060")
    assert source_rule(None, None, "192.0.2.1").allows("192.0.2.7:5060")
    # The server that answered REGISTER 200 (wherever DNS led) is trusted from then on.
    moved = registered.also_trusting("127.0.0.9:5060")
    assert moved.allows("127.0.0.9:40000") and not moved.allows("127.0.0.2:5060")
    assert direct.also_trusting("192.0.2.7:5060") == direct
    # Which realm the password answers: never "*".
    assert realm_for("*", "sip:alice@pbx.example.com:5061") == "pbx.example.com"
    assert realm_for("asterisk", "sip:alice@pbx.example.com") == "asterisk"
    challenge = 'SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest nonce="n", realm="PBX"\r\n'
    assert realm_of_challenge(challenge) == "PBX"
    assert realm_of_challenge("SIP/2.0 401 Unauthorized\r\n\r\n") is None
    assert uri_host_port("sip:bob@[::1]:5080;transport=tcp") == ("::1", 5080)
