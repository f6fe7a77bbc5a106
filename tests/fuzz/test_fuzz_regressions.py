"""Inputs the fuzzers found that once broke a parser, kept as plain regression tests."""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest

from fuzz.targets import DecoderHarness, check_snapshot
from rolecall.client import DaemonClient
from support.daemons import RunningDaemon


@pytest.fixture(scope="module")
def decoder() -> Iterator[DecoderHarness]:
    harness = DecoderHarness()
    yield harness
    harness.close()


def test_snapshot_record_id_that_is_no_record_id(decoder: DecoderHarness) -> None:
    """A page's record id with a space made `context.get` fail with `internal`."""
    check_snapshot(decoder, {"target": "", "snapshot": {"crm": "salesforce", "record_id": "a b"}})
    reply = decoder.reply(
        {
            "v": 1,
            "kind": "request",
            "id": "r1",
            "type": "context.get",
            "payload": {"snapshot": {"crm": "generic", "record_id": "a b", "contacts": []}},
        }
    )
    assert reply["ok"] and reply["result"]["context"] is None


def test_a_frame_holding_nil_is_refused_not_read_as_the_end(daemon: RunningDaemon) -> None:
    """JSON `null` from a browser became a msgpack nil frame, which the daemon read as
    end of stream: it closed the connection, and the shim (and its pending requests)
    went with it."""
    with DaemonClient.open(daemon.home, start=False, name="nil") as client:
        client._sock.sendall(struct.pack(">I", 1) + b"\xc0")  # one msgpack nil
        reply = client.receive()
        while reply["kind"] != "response":
            reply = client.receive()
        assert reply["ok"] is False and reply["error"]["code"] == "invalid_message"
        assert client.request("ping", {"echo": "still"})["echo"] == "still"
