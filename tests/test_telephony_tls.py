"""TLS signalling verifies the server's certificate by default; a CA file makes it trusted.
SRTP (SDES over TLS) is negotiated when the account asks for it.

The far end is a pjsua2 peer with a TLS listener whose certificate this test makes
(self-signed, for 127.0.0.1) with openssl.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rolecall.client import DaemonClient
from support.calls import place, wait_call
from support.daemons import RunningDaemon
from support.sip.peer_client import PjsuaPeer
from support.sip.ports import free_port


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def start_tls_peer(certificate: tuple[Path, Path], *, srtp: bool) -> tuple[PjsuaPeer, int]:
    port = free_port()
    # a sips: identity, or pjsua answers a sips: INVITE with 480 SIPS Required
    peer = PjsuaPeer(
        account=f"sips:peer@127.0.0.1:{port}", tls=(port, *certificate), srtp_mandatory=srtp
    )
    return peer.start(), port


@pytest.fixture
def tls_peer(certificate: tuple[Path, Path]) -> Iterator[tuple[PjsuaPeer, int]]:
    peer, port = start_tls_peer(certificate, srtp=False)
    try:
        yield peer, port
    finally:
        peer.cleanup()


@pytest.fixture
def srtp_peer(certificate: tuple[Path, Path]) -> Iterator[tuple[PjsuaPeer, int]]:
    peer, port = start_tls_peer(certificate, srtp=True)
    try:
        yield peer, port
    finally:
        peer.cleanup()


@pytest.fixture
def client(daemon: RunningDaemon) -> Iterator[DaemonClient]:
    with DaemonClient.open(daemon.home, start=False) as opened:
        yield opened


def tls_account(client: DaemonClient, account_id: str, **extra: object) -> None:
    account = {"id": account_id, "uri": "sips:alice@127.0.0.1", "transport": "tls", **extra}
    client.request("account.set", {"account": account})


def test_unknown_certificate_is_refused_by_default(
    client: DaemonClient, tls_peer: tuple[PjsuaPeer, int]
):
    peer, port = tls_peer
    tls_account(client, "strict")
    call = place(client, f"sips:peer@127.0.0.1:{port}", account_id="strict")
    ended = wait_call(client, call["id"], "disconnected")
    assert ended["answered_at"] is None and ended["end_cause"] == "network", ended
    assert "verification" in ended["reason"], ended["reason"]
    assert not any(e["event"] == "incoming" for e in peer.events)  # no INVITE got through


def test_certificate_signed_by_the_given_ca_is_trusted(
    client: DaemonClient, tls_peer: tuple[PjsuaPeer, int], certificate: tuple[Path, Path]
):
    peer, port = tls_peer
    tls_account(client, "trusting", ca_file=str(certificate[0]))
    call = place(client, f"sips:peer@127.0.0.1:{port}", account_id="trusting")
    wait_call(client, call["id"], "confirmed")
    assert peer.wait_for("incoming")["from"].startswith("<sips:alice@")
    client.request("call.hangup", {"call_id": call["id"]})
    wait_call(client, call["id"], "disconnected")


def test_srtp_mandatory_calls_need_srtp_on_our_side(
    client: DaemonClient, srtp_peer: tuple[PjsuaPeer, int], certificate: tuple[Path, Path]
):
    peer, port = srtp_peer
    target = f"sips:peer@127.0.0.1:{port}"
    tls_account(client, "plain", ca_file=str(certificate[0]))
    refused = wait_call(client, place(client, target, account_id="plain")["id"], "disconnected")
    assert refused["answered_at"] is None and refused["status_code"] == 488, refused
    tls_account(client, "secure", ca_file=str(certificate[0]), srtp="mandatory")
    call = place(client, target, account_id="secure")
    wait_call(client, call["id"], "confirmed")
    time.sleep(1.0)
    client.request("call.hangup", {"call_id": call["id"]})
    ended = wait_call(client, call["id"], "disconnected")
    assert ended["rtp"]["rx_packets"] > 30 and ended["rtp"]["tx_packets"] > 30
    assert peer.wait_for("media")["rx_packets"] > 30
