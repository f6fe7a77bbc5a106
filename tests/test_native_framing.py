"""Native-messaging framing against byte fixtures: every way a frame can be wrong."""

from __future__ import annotations

import base64
import io
import json
import struct

import pytest

from rolecall.framing.errors import FrameError, FrameTooLarge, InvalidJson, TruncatedFrame
from rolecall.framing.native import (
    CHUNK_SLICE,
    MAX_FRAME,
    MAX_MESSAGE,
    ChunkJoiner,
    decode_json,
    encode_frame,
    encode_json,
    read_frame,
    split_message,
)

NATIVE = "=I"


def frame(body: bytes) -> bytes:
    return struct.pack(NATIVE, len(body)) + body


def test_reads_frames_in_sequence_then_clean_eof() -> None:
    stream = io.BytesIO(frame(b'{"a":1}') + frame(b"[]"))
    assert read_frame(stream) == b'{"a":1}'
    assert read_frame(stream) == b"[]"
    assert read_frame(stream) is None


def test_header_is_native_byte_order() -> None:
    assert encode_frame(b"xyz")[:4] == struct.pack(NATIVE, 3)


@pytest.mark.parametrize("header", [b"", b"\x05", b"\x05\x00", b"\x05\x00\x00"])
def test_short_header(header: bytes) -> None:
    stream = io.BytesIO(header)
    if not header:
        assert read_frame(stream) is None
    else:
        with pytest.raises(TruncatedFrame) as info:
            read_frame(stream)
        assert info.value.fatal


def test_eof_mid_frame() -> None:
    stream = io.BytesIO(struct.pack(NATIVE, 10) + b'{"a":')
    with pytest.raises(TruncatedFrame, match="5 of 10"):
        read_frame(stream)


def test_zero_length_frame_is_read_and_fails_as_json() -> None:
    body = read_frame(io.BytesIO(frame(b"")))
    assert body == b""
    with pytest.raises(InvalidJson):
        decode_json(body)


def test_one_mib_boundary() -> None:
    exact = b'"' + b"x" * (MAX_FRAME - 2) + b'"'
    assert len(exact) == MAX_FRAME
    assert read_frame(io.BytesIO(frame(exact))) == exact
    assert len(encode_frame(exact)) == MAX_FRAME + 4
    with pytest.raises(FrameTooLarge):
        encode_frame(exact + b" ")


def test_oversize_frame_is_skipped_and_stream_stays_in_step() -> None:
    big = b"y" * (MAX_FRAME + 1)
    stream = io.BytesIO(frame(big) + frame(b'{"after":true}'))
    with pytest.raises(FrameTooLarge) as info:
        read_frame(stream)
    assert info.value.code == "frame_too_large"
    assert not info.value.fatal
    assert info.value.length == MAX_FRAME + 1
    assert read_frame(stream) == b'{"after":true}'


def test_oversize_frame_cut_short_is_fatal() -> None:
    stream = io.BytesIO(struct.pack(NATIVE, MAX_FRAME * 4) + b"z" * 1000)
    with pytest.raises(TruncatedFrame):
        read_frame(stream)


def test_huge_length_from_stray_bytes() -> None:
    # stray text where a header should be: "junk" read as a length
    stream = io.BytesIO(b"junk")
    with pytest.raises(TruncatedFrame):
        read_frame(stream)


def test_non_ascii_round_trip() -> None:
    message = {"name": "王小明", "note": "Müller — ☎ +49 30 901820", "rtl": "\u202eevil"}
    body = encode_json(message)
    assert len(body) > len(json.dumps(message, ensure_ascii=False))  # bytes, not characters
    stream = io.BytesIO(encode_frame(body))
    assert decode_json(read_frame(stream) or b"") == message
    assert struct.unpack(NATIVE, encode_frame(body)[:4])[0] == len(body)


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe{}",
        b"{'single': 1}",
        b'{"a":',
        b"\x00\x00",
        '{"a": "\ud800"}'.encode("utf-8", "surrogatepass"),
    ],
)
def test_invalid_json_is_typed(body: bytes) -> None:
    with pytest.raises(InvalidJson) as info:
        decode_json(body)
    assert info.value.code == "invalid_json"


def test_deep_nesting_is_typed() -> None:
    with pytest.raises(InvalidJson):
        decode_json(b"[" * 100_000 + b"]" * 100_000)


def test_encode_refuses_nan() -> None:
    with pytest.raises(ValueError):
        encode_json({"x": float("nan")})


def test_small_message_is_one_frame() -> None:
    frames = split_message(b'{"v":1}', "c1")
    assert frames == [encode_frame(b'{"v":1}')]


@pytest.mark.parametrize("size", [MAX_FRAME + 1, CHUNK_SLICE * 3, CHUNK_SLICE * 3 + 1, 5_000_000])
def test_split_and_join_round_trip(size: int) -> None:
    payload = ("é" * size).encode()[:size]
    frames = split_message(payload, "c7")
    assert all(len(f) - 4 <= MAX_FRAME for f in frames)
    joiner = ChunkJoiner()
    results = []
    stream = io.BytesIO(b"".join(frames))
    while (body := read_frame(stream)) is not None:
        chunk = decode_json(body)
        assert chunk["kind"] == "chunk" and chunk["id"] == "c7"
        results.append(joiner.feed(chunk))
    assert results[:-1] == [None] * (len(results) - 1)
    assert results[-1] == payload


def test_split_refuses_over_16_mib() -> None:
    with pytest.raises(FrameTooLarge):
        split_message(b"x" * (MAX_MESSAGE + 1), "c1")


def _chunk(index: int, count: int, data: bytes, chunk_id: str = "c1") -> dict[str, object]:
    return {
        "v": 1,
        "kind": "chunk",
        "id": chunk_id,
        "index": index,
        "count": count,
        "data": base64.b64encode(data).decode(),
    }


def test_join_out_of_order_drops_message_then_recovers() -> None:
    joiner = ChunkJoiner()
    assert joiner.feed(_chunk(0, 3, b"ab")) is None
    with pytest.raises(FrameError, match="out of order"):
        joiner.feed(_chunk(2, 3, b"ef"))
    assert joiner.feed(_chunk(0, 2, b"12", "c2")) is None
    assert joiner.feed(_chunk(1, 2, b"34", "c2")) == b"1234"


def test_join_rejects_mixed_ids_bad_base64_and_bad_counts() -> None:
    joiner = ChunkJoiner()
    joiner.feed(_chunk(0, 2, b"ab", "c1"))
    with pytest.raises(FrameError):
        joiner.feed(_chunk(1, 2, b"cd", "other"))
    with pytest.raises(FrameError, match="base64"):
        joiner.feed({**_chunk(0, 2, b""), "data": "!!!"})
    for count in (1, 65, "2"):
        with pytest.raises(FrameError):
            joiner.feed({**_chunk(0, 2, b"x"), "count": count})


def test_join_enforces_total_cap() -> None:
    joiner = ChunkJoiner()
    slab = b"z" * (MAX_MESSAGE // 2 + 1)
    joiner.feed(_chunk(0, 3, slab))
    with pytest.raises(FrameTooLarge):
        joiner.feed(_chunk(1, 3, slab))
