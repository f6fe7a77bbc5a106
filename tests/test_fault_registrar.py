"""Fault: the registrar goes away and comes back (Kamailio stopped and started by pid).

The account's state is visible to every client as `account.registration` events: it
goes `failed` with the reason when the registrar is gone, is retried with backoff (a
first retry after `register_retry_first_s`, later ones `register_retry_s` apart, with
jitter), and is `registered` again soon after the registrar returns, without any client
doing anything.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from rolecall.client import DaemonClient
from rolecall.paths import Home
from support.daemons import RunningDaemon, prepare_home, start_daemon, stop_daemon
from support.sip.kamailio import KamailioProxy

FIRST_RETRY_S = 3
RETRY_S = 8


@pytest.fixture
def daemon_with_fast_retry(rc_home: Home) -> Iterator[RunningDaemon]:
    prepare_home(rc_home, register_retry_first_s=FIRST_RETRY_S, register_retry_s=RETRY_S)
    running = start_daemon(rc_home)
    try:
        yield running
    finally:
        stop_daemon(running)
        print(rc_home.daemon_log.read_text(errors="replace")[-4000:])


def registrations(client: DaemonClient, seconds: float, until: str | None = None) -> list[Any]:
    """`account.registration` payloads (with their arrival time) for `seconds`, or until
    one with state `until` arrives."""
    found: list[Any] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        client._sock.settimeout(max(0.05, min(0.5, deadline - time.monotonic())))
        try:
            event = client.next_event()
        except TimeoutError:
            continue
        if event["type"] == "account.registration":
            found.append((time.monotonic(), event["payload"]))
            if until is not None and event["payload"]["state"] == until:
                break
    return found


def test_registrar_down_then_up_reregisters_with_backoff(
    daemon_with_fast_retry: RunningDaemon,
) -> None:
    kamailio = KamailioProxy().start()
    try:
        with DaemonClient.open(daemon_with_fast_retry.home, start=False, name="fault") as client:
            account = {
                "id": "office",
                "uri": kamailio.aor("alice"),
                "registrar": kamailio.registrar,
                "proxy": f"{kamailio.registrar};transport=tcp",
                "username": "alice",
                "transport": "tcp",  # a dropped connection is noticed at once
            }
            client.request("account.set", {"account": account, "password": "secret"})
            first = registrations(client, 15, until="registered")
            assert first and first[-1][1]["state"] == "registered", first

            port = kamailio.port
            kamailio.cleanup()
            down_at = time.monotonic()
            failed = registrations(client, 20, until="failed")
            assert failed and failed[-1][1]["state"] == "failed", failed
            assert failed[-1][1]["status_code"] in (408, 503), failed
            assert failed[-1][1]["reason"]
            # While the registrar stays away, retries are spaced out, not a storm.
            more = registrations(client, FIRST_RETRY_S + 6)
            attempts = [p for _, p in more if p["state"] == "failed"]
            assert len(attempts) <= 2, more
            status = client.request("account.list")["accounts"]
            office = next(a for a in status if a["config"]["id"] == "office")
            assert office["registration"] == "failed"

            kamailio = KamailioProxy(port=port).start()
            up_at = time.monotonic()
            back = registrations(client, RETRY_S + FIRST_RETRY_S + 15, until="registered")
            assert back and back[-1][1]["state"] == "registered", back
            took = back[-1][0] - up_at
            assert took <= RETRY_S + 5 + 10, f"re-registered {took:.1f} s after the registrar"
            print(f"down {up_at - down_at:.1f} s; registered again {took:.1f} s after restart")
            status = client.request("account.list")["accounts"]
            office = next(a for a in status if a["config"]["id"] == "office")
            assert office["registration"] == "registered" and office["status_code"] == 200
    finally:
        kamailio.cleanup()
