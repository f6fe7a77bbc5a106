"""The shared HTTP layer: retries, backoff, Retry-After, typed errors, paging, TLS, secrecy."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from connectors.conftest import TOKEN, Sleeps, fast_options
from connectors.fake_server import FakeServer, Reply
from rolecall.crm.connectors.base import ConnectorError
from rolecall.crm.connectors.http import (
    CrmHttpError,
    HttpClient,
    HttpOptions,
    RetryPolicy,
    _retry_after,
)


def client(server: FakeServer, sleeps: Sleeps, **retry: float) -> HttpClient:
    return HttpClient("testcrm", server.url + "/api/", TOKEN, options=fast_options(sleeps, **retry))


def test_retries_5xx_with_growing_jittered_backoff(server: FakeServer, sleeps: Sleeps) -> None:
    server.route("GET", "/api/thing", Reply(body={"ok": True}))
    server.fail("GET", "/api/thing", Reply(503, {"message": "busy"}), times=2)
    http = client(server, sleeps)
    assert http.get("thing") == {"ok": True}
    assert len(server.matching("GET", "/api/thing")) == 3
    # base 0.1 s doubling, half jittered with rng=0.5: 0.075 then 0.15
    assert sleeps == [pytest.approx(0.075), pytest.approx(0.15)]


def test_backoff_is_capped_and_jitter_stays_in_the_upper_half() -> None:
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=4.0)
    assert policy.backoff(1, lambda: 0.0) == 0.5
    assert policy.backoff(1, lambda: 1.0) == 1.0
    assert policy.backoff(10, lambda: 1.0) == 4.0
    assert policy.backoff(10, lambda: 0.0) == 2.0


def test_429_honours_retry_after_seconds(server: FakeServer, sleeps: Sleeps) -> None:
    server.route("GET", "/api/thing", Reply(body={"ok": True}))
    server.fail("GET", "/api/thing", Reply(429, {"message": "slow down"}, {"Retry-After": "1"}))
    assert client(server, sleeps).get("thing") == {"ok": True}
    assert sleeps == [1.0]
    assert len(server.matching("GET", "/api/thing")) == 2


def test_retry_after_longer_than_the_cap_gives_up_at_once(
    server: FakeServer, sleeps: Sleeps
) -> None:
    server.route("GET", "/api/thing", Reply(body={"ok": True}))
    server.fail("GET", "/api/thing", Reply(429, {}, {"Retry-After": "120"}))
    with pytest.raises(CrmHttpError) as caught:
        client(server, sleeps, max_total_wait_s=5).get("thing")
    assert caught.value.retryable and caught.value.status == 429
    assert caught.value.retry_after_s == 120
    assert sleeps == []
    assert len(server.matching("GET", "/api/thing")) == 1


def test_real_waits_are_short_and_honour_retry_after(server: FakeServer) -> None:
    server.route("GET", "/api/thing", Reply(body={"ok": True}))
    server.fail("GET", "/api/thing", Reply(503, {}, {"Retry-After": "0.2"}))
    options = HttpOptions(retry=RetryPolicy(max_total_wait_s=1.0))
    http = HttpClient("testcrm", server.url + "/api/", TOKEN, options=options)
    started = datetime.now(UTC)
    assert http.get("thing") == {"ok": True}
    assert timedelta(seconds=0.2) <= datetime.now(UTC) - started < timedelta(seconds=1)


def test_gives_up_after_max_attempts_with_a_retryable_error(
    server: FakeServer, sleeps: Sleeps
) -> None:
    server.route("GET", "/api/thing", Reply(503, {"message": "down for maintenance"}))
    with pytest.raises(CrmHttpError) as caught:
        client(server, sleeps, max_attempts=3).get("thing")
    assert caught.value.retryable and caught.value.status == 503
    assert "down for maintenance" in caught.value.message
    assert len(server.matching("GET", "/api/thing")) == 3
    assert len(sleeps) == 2


def test_total_wait_is_capped(server: FakeServer, sleeps: Sleeps) -> None:
    server.route("GET", "/api/thing", Reply(503, {}))
    http = client(
        server, sleeps, max_attempts=10, base_delay_s=1, max_delay_s=1, max_total_wait_s=2.5
    )
    with pytest.raises(CrmHttpError):
        http.get("thing")
    assert sum(sleeps) <= 2.5
    assert len(server.matching("GET", "/api/thing")) == len(sleeps) + 1 < 10


@pytest.mark.parametrize(
    ("status", "words"),
    [(401, "wrong or expired"), (403, "wrong or expired"), (404, "not found"), (400, "HTTP 400")],
)
def test_client_errors_are_not_retried(
    server: FakeServer, sleeps: Sleeps, status: int, words: str
) -> None:
    server.route("GET", "/api/thing", Reply(status, {"message": "nope", "category": "X"}))
    with pytest.raises(CrmHttpError) as caught:
        client(server, sleeps).get("thing")
    assert not caught.value.retryable
    assert caught.value.status == status
    assert words in caught.value.message
    assert TOKEN not in caught.value.message
    assert len(server.matching("GET", "/api/thing")) == 1
    assert sleeps == []


def test_malformed_json_is_not_retryable(server: FakeServer, sleeps: Sleeps) -> None:
    server.route(
        "GET",
        "/api/thing",
        Reply(200, raw=b'{"records": [1, 2', headers={"Content-Type": "application/json"}),
    )
    with pytest.raises(CrmHttpError) as caught:
        client(server, sleeps).get("thing")
    assert not caught.value.retryable
    assert "malformed JSON" in caught.value.message
    assert len(server.matching("GET", "/api/thing")) == 1


def test_timeouts_are_retried_then_reported_retryable(server: FakeServer, sleeps: Sleeps) -> None:
    server.route("GET", "/api/slow", Reply(body={"late": True}, delay=0.6))
    http = client(server, sleeps, max_attempts=2, read_s=0.15)
    with pytest.raises(CrmHttpError) as caught:
        http.get("slow")
    assert caught.value.retryable
    assert "timed out" in caught.value.message
    assert len(server.matching("GET", "/api/slow")) == 2


def test_create_is_not_repeated_after_an_ambiguous_failure(
    server: FakeServer, sleeps: Sleeps
) -> None:
    server.route("POST", "/api/things", Reply(201, {"id": "1"}))
    server.fail("POST", "/api/things", Reply(503, {}))
    with pytest.raises(CrmHttpError) as caught:
        client(server, sleeps).post("things", json={"a": 1}, idempotent=False)
    assert caught.value.retryable
    assert len(server.matching("POST", "/api/things")) == 1
    assert sleeps == []


def test_create_is_repeated_after_429_because_nothing_was_done(
    server: FakeServer, sleeps: Sleeps
) -> None:
    server.route("POST", "/api/things", Reply(201, {"id": "1"}))
    server.fail("POST", "/api/things", Reply(429, {}, {"Retry-After": "0"}))
    response = client(server, sleeps).post("things", json={"a": 1}, idempotent=False)
    assert response.status == 201 and response.body == {"id": "1"}
    assert len(server.matching("POST", "/api/things")) == 2


def test_connection_refused_is_retryable_even_for_creates(sleeps: Sleeps) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    http = HttpClient(
        "testcrm", f"http://127.0.0.1:{port}/", TOKEN, options=fast_options(sleeps, max_attempts=3)
    )
    with pytest.raises(CrmHttpError) as caught:
        http.post("things", json={}, idempotent=False)
    assert caught.value.retryable
    assert len(sleeps) == 2  # never reached the server, so repeating is safe


def test_next_links_to_another_host_are_refused(server: FakeServer, sleeps: Sleeps) -> None:
    server.route(
        "GET",
        "/api/items",
        Reply(body={"value": [1], "next": "https://evil.example/api/items?p=2"}),
    )
    http = client(server, sleeps)
    pages = http.paginate("items", lambda page: (page["next"], None) if page.get("next") else None)
    assert next(pages) == {"value": [1], "next": "https://evil.example/api/items?p=2"}
    with pytest.raises(ConnectorError) as caught:
        next(pages)
    assert not caught.value.retryable and "another host" in caught.value.message


def test_paging_follows_links_and_stops_on_a_repeated_page(
    server: FakeServer, sleeps: Sleeps
) -> None:
    server.route("GET", "/api/items", lambda r: Reply(body={"n": int(r.param("p") or 1)}))
    http = client(server, sleeps)
    pages = list(
        http.paginate("items", lambda b: ("items", {"p": b["n"] + 1}) if b["n"] < 3 else None)
    )
    assert pages == [{"n": 1}, {"n": 2}, {"n": 3}]
    looping = http.paginate("items", lambda b: ("items", {"p": 2}))
    with pytest.raises(ConnectorError, match="same page twice"):
        list(looping)


def test_token_is_sent_as_bearer_and_never_logged(
    server: FakeServer, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    server.route("GET", "/api/thing", Reply(body={}))
    server.fail("GET", "/api/thing", Reply(503, {"message": "busy"}), times=2)
    caplog.set_level(logging.DEBUG)
    http = client(server, sleeps)
    http.get("thing", params={"q": "+14155550101"})
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in server.requests)
    ours = [r for r in caplog.records if r.name.startswith("rolecall")]
    assert len(ours) == 2, "each retry is logged"
    assert all(TOKEN not in r.getMessage() for r in caplog.records)  # httpx's own lines too
    assert all("14155550101" not in r.getMessage() for r in ours)  # no query in our logs
    assert TOKEN not in repr(http)


def test_tls_verification_cannot_be_switched_off() -> None:
    with pytest.raises(ValueError, match="cannot be switched off"):
        HttpOptions(verify=False)  # type: ignore[arg-type]


def test_retry_after_accepts_an_http_date() -> None:
    later = datetime.now(UTC) + timedelta(seconds=30)
    assert 25 < (_retry_after(format_datetime(later, usegmt=True)) or 0) <= 30
    assert _retry_after("2.5") == 2.5
    assert _retry_after("soon") is None


def test_tls_is_verified_against_the_system_store_or_a_given_ca(tmp_path: Path) -> None:
    ssl_helpers = pytest.importorskip("connectors.tls")
    ca_file, context = ssl_helpers.self_signed(tmp_path)
    tls_server = FakeServer(ssl_context=context).start()
    try:
        tls_server.route("GET", "/api/thing", Reply(body={"secure": True}))
        strict = HttpClient("testcrm", tls_server.url + "/api/", TOKEN)
        with pytest.raises(CrmHttpError) as caught:
            strict.get("thing")
        assert not caught.value.retryable and "certificate" in caught.value.message
        trusting = HttpClient(
            "testcrm", tls_server.url + "/api/", TOKEN, options=HttpOptions(verify=str(ca_file))
        )
        assert trusting.get("thing") == {"secure": True}
    finally:
        tls_server.stop()
