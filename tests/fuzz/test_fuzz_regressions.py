"""Inputs the fuzzers found that once broke a parser, kept as plain regression tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fuzz.targets import DecoderHarness, check_snapshot


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
