"""Hypothesis runs of the fuzz targets (`tests/fuzz/targets.py`), short enough for `make test`.

The same targets run for millions of inputs under atheris (`tests/fuzz/run.sh`); here
each gets a few hundred generated inputs, random bytes and inputs shaped like the real
thing (frames, envelopes, snapshots, CSV rows), so a regression shows up in every run.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.targets import (
    CSV_FILES,
    CsvHarness,
    DecoderHarness,
    check_chunk_round_trip,
    check_csv_export,
    check_dial,
    check_dispatch,
    check_native_stream,
    check_snapshot,
    check_socket_frame,
    msgpack_of,
)
from rolecall.protocol.methods import METHODS

EXAMPLES = int(os.environ.get("ROLECALL_FUZZ_EXAMPLES", "200"))
"""Inputs per property; raise it for a longer local search."""
FAST = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def decoder() -> Iterator[DecoderHarness]:
    harness = DecoderHarness()
    yield harness
    harness.close()


@pytest.fixture(scope="module")
def csv_harness() -> Iterator[CsvHarness]:
    harness = CsvHarness()
    yield harness
    harness.close()


# ---- values shaped like protocol messages ---------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=80),
    st.binary(max_size=40),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=6),
        st.dictionaries(st.text(max_size=12), inner, max_size=6),
    ),
    max_leaves=30,
)
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**53), max_value=2**53),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=60),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=25,
)
request_ids = st.one_of(
    st.from_regex(r"[A-Za-z0-9._:-]{1,64}", fullmatch=True), st.text(max_size=70), values
)
method_names = st.one_of(st.sampled_from(sorted(METHODS)), st.text(max_size=70))


@st.composite
def envelopes(draw: st.DrawFn) -> Any:
    message: dict[str, Any] = {
        "v": draw(st.one_of(st.just(1), st.sampled_from([0, 2, True, 1.0, "1", None]))),
        "kind": draw(st.sampled_from(["request", "response", "event", "chunk", "x"])),
        "id": draw(request_ids),
        "type": draw(method_names),
        "payload": draw(st.one_of(st.dictionaries(st.text(max_size=16), values), values)),
    }
    for key in draw(st.lists(st.sampled_from(sorted(message)), max_size=2)):
        message.pop(key, None)
    if draw(st.booleans()):
        message[draw(st.text(max_size=8))] = draw(values)
    return message


# ---- native messaging framing ---------------------------------------------------------------


def _frame(body: bytes) -> bytes:
    return struct.pack("=I", len(body)) + body


@st.composite
def native_streams(draw: st.DrawFn) -> bytes:
    """Frames with good and broken bodies and headers, chunks in and out of order."""
    parts: list[bytes] = []
    for _ in range(draw(st.integers(0, 6))):
        choice = draw(st.integers(0, 5))
        if choice == 0:
            parts.append(draw(st.binary(max_size=64)))
        elif choice == 1:
            parts.append(_frame(draw(st.binary(max_size=64))))
        elif choice == 2:
            parts.append(_frame(json.dumps(draw(json_values)).encode()))
        elif choice == 3:
            chunk = {
                "v": 1,
                "kind": "chunk",
                "id": draw(st.sampled_from(["a", "b"])),
                "index": draw(st.integers(-1, 3)),
                "count": draw(st.integers(0, 70)),
                "data": draw(st.sampled_from(["", "e30=", "!!", "eyJhIjox", "fQ=="])),
            }
            parts.append(_frame(json.dumps(chunk).encode()))
        elif choice == 4:
            parts.append(struct.pack("=I", draw(st.integers(0, 2**32 - 1))))
        else:
            parts.append(_frame(b'{"a":' * draw(st.integers(1, 3000)) + b"1"))
    return b"".join(parts)


@FAST
@given(st.binary(max_size=512))
def test_native_stream_of_random_bytes(data: bytes) -> None:
    check_native_stream(data)


@FAST
@given(native_streams())
def test_native_stream_of_frames(data: bytes) -> None:
    check_native_stream(data)


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=0, max_size=64), st.integers(0, 3 * 1024 * 1024))
def test_chunked_messages_come_back_whole(seed: bytes, size: int) -> None:
    body = (seed or b"x") * (size // max(len(seed), 1) + 1)
    check_chunk_round_trip(body[:size])


# ---- socket frames and the dispatcher -------------------------------------------------------


@FAST
@given(st.binary(max_size=256))
def test_socket_frame_of_random_bytes(decoder: DecoderHarness, body: bytes) -> None:
    check_socket_frame(decoder, body)


@FAST
@given(values)
def test_socket_frame_of_any_msgpack_value(decoder: DecoderHarness, value: Any) -> None:
    check_socket_frame(decoder, msgpack_of(value))


@FAST
@given(envelopes(), st.booleans())
def test_dispatch_of_envelopes(decoder: DecoderHarness, message: Any, greeted: bool) -> None:
    check_dispatch(decoder, message, greeted=greeted)


@FAST
@given(st.sampled_from(sorted(METHODS)), st.dictionaries(st.text(max_size=16), values))
def test_dispatch_of_every_method_with_random_params(
    decoder: DecoderHarness, method: str, payload: dict[str, Any]
) -> None:
    request = {"v": 1, "kind": "request", "id": "q1", "type": method, "payload": payload}
    check_dispatch(decoder, request)


# ---- dial plan ------------------------------------------------------------------------------

dial_texts = st.one_of(
    st.text(max_size=300),
    st.from_regex(r"(tel:|sip:|sips:|callto:|)\+?[0-9 ()./x;=@%-]{0,40}", fullmatch=True),
    st.builds(
        lambda scheme, user, host, tail: f"{scheme}{user}@{host}{tail}",
        st.sampled_from(["sip:", "sips:", "SIP:", "tel:", "callto://", ""]),
        st.text(max_size=20),
        st.text(max_size=20),
        st.text(max_size=20),
    ),
)
plans = st.fixed_dictionaries(
    {},
    optional={
        "default_region": st.one_of(st.sampled_from(["US", "GB", "DE", "FR", "JP"]), st.text()),
        "outbound_prefix": st.from_regex(r"[0-9]{0,7}", fullmatch=True),
        "keep_plus": st.booleans(),
        "domain": st.one_of(
            st.none(), st.sampled_from(["pbx.example.com", "127.0.0.1:5060", "[::1]"]), st.text()
        ),
        "international_prefix": st.one_of(st.none(), st.from_regex(r"[0-9]{0,5}", fullmatch=True)),
    },
)


@FAST
@given(dial_texts, st.one_of(st.none(), st.sampled_from(["us", "GB", "XX", "001"])), plans)
def test_dial_plan(text: str, region: str | None, plan: dict[str, Any]) -> None:
    check_dial(text, region, plan)


# ---- CSV importer ---------------------------------------------------------------------------

HEADERS = {
    "Account.csv": "Id,Name,Industry,Website,Phone,BillingCountryCode",
    "Contact.csv": "Id,AccountId,FirstName,LastName,Title,Email,Phone,MobilePhone,ReportsToId,"
    "MailingCountryCode",
    "Opportunity.csv": "Id,AccountId,Name,StageName,Amount,CloseDate,OwnerId,Description",
    "OpportunityContactRole.csv": "OpportunityId,ContactId,Role,IsPrimary",
    "User.csv": "Id,Name",
    "ContentVersion.csv": "Id,ContentDocumentId,Title,FileExtension,ContentSize,"
    "LastModifiedDate,OwnerId,FirstPublishLocationId,IsLatest",
    "ContentDocumentLink.csv": "ContentDocumentId,LinkedEntityId",
}
ids = st.sampled_from(
    ["001A", "001B", "003A", "003B", "006A", "068A", "069A", "", "x" * 80, "003A\n"]
)
cells = st.one_of(
    ids,
    st.text(max_size=30),
    st.sampled_from(["true", "false", "2024-01-15", "2024-01-15T10:30:00.000Z", "1e400", "-0"]),
    st.sampled_from(["+1 415 555 0132", "020 7946 0018", "GB", "ZZ", '"', '""', "\r", "\x00"]),
)


@st.composite
def csv_files(draw: st.DrawFn) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for name in draw(st.lists(st.sampled_from(CSV_FILES), unique=True, max_size=5)):
        header = HEADERS[name]
        if draw(st.booleans()):
            rows = [
                ",".join(draw(cells) for _ in header.split(","))
                for _ in range(draw(st.integers(0, 5)))
            ]
            text = "\n".join([header, *rows])
            data = text.encode("utf-8", "surrogatepass")
        else:
            data = header.encode() + b"\n" + draw(st.binary(max_size=200))
        files[name] = data
    return files


@settings(max_examples=EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csv_files())
def test_csv_import(csv_harness: CsvHarness, files: dict[str, bytes]) -> None:
    check_csv_export(csv_harness, files)


# ---- page record and snapshot ---------------------------------------------------------------

page_strings = st.one_of(
    st.text(max_size=40),
    st.text(max_size=40),
    st.sampled_from(
        ["salesforce", "generic", "006A", "https://x.example/a", "javascript:alert(1)", "A" * 300]
    ),
)
snapshot_contacts = st.fixed_dictionaries(
    {"name": page_strings},
    optional={
        "title": page_strings,
        "role": st.sampled_from(["Decision Maker", "Economic Buyer", "", "Влиятельный", "x" * 120]),
        "phones": st.lists(
            st.one_of(page_strings, st.sampled_from(["+1 415 555 0132", "+44 20 7946 0018"])),
            max_size=12,
        ),
        "email": page_strings,
    },
)
snapshots = st.fixed_dictionaries(
    {"crm": st.one_of(st.sampled_from(["salesforce", "generic", "hubspot"]), page_strings)},
    optional={
        "object_type": page_strings,
        "record_id": st.one_of(
            st.sampled_from(["006A", "", "{2f1c-9}", "a b", "../x", "006A\n"]), page_strings
        ),
        "opportunity_name": page_strings,
        "contacts": st.lists(snapshot_contacts, max_size=6),
        "documents": st.lists(
            st.fixed_dictionaries(
                {
                    "title": page_strings,
                    "url": st.one_of(st.just("https://crm.example/d/1"), page_strings),
                }
            ),
            max_size=4,
        ),
    },
)
records = st.fixed_dictionaries(
    {"crm": page_strings},
    optional={"record_id": page_strings, "url": page_strings, "name": page_strings},
)


@FAST
@given(
    st.fixed_dictionaries(
        {"target": st.one_of(dial_texts, values)},
        optional={
            "record": st.one_of(records, values),
            "snapshot": st.one_of(snapshots, snapshots, snapshots, values),
            "region": st.one_of(st.sampled_from(["US", "us", "GBR"]), values),
        },
    )
)
def test_page_snapshot_and_record(decoder: DecoderHarness, params: dict[str, Any]) -> None:
    check_snapshot(decoder, params)
