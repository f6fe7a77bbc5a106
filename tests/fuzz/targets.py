"""Fuzz targets shared by the hypothesis properties (`make test`) and the atheris runs.

Each `check_*` function feeds one input to one of the host's parsers of untrusted data
and asserts the contract: the input is accepted, or refused with the parser's typed
error; nothing else may escape, and whatever is produced is well formed. A target
that raises anything else has found a bug.

Targets:
- `check_native_stream`: native-messaging frames read off a byte stream, their JSON, and
  the chunk joiner, as the shim does it.
- `check_socket_frame`: a daemon socket frame body (msgpack) and what the daemon's
  dispatcher makes of the value: always exactly one well-formed response.
- `check_dispatch`: a message value straight into the dispatcher (the protocol decoder).
- `check_dial`: the dial plan on any text, region and plan.
- `check_csv_export`: the Salesforce CSV importer on any file contents.
- `check_snapshot`: `call.place` / `context.get` params carrying a page record and
  snapshot, validated and (when valid) merged into a context by the context service.
"""

from __future__ import annotations

import asyncio
import io
import json
import math
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgpack
from pydantic import BaseModel, ValidationError

from rolecall.context.service import ContextService
from rolecall.crm.importing import ImportResult, import_salesforce_csv
from rolecall.crm.outbox import Outbox
from rolecall.crm.writebacks import WriteBacks
from rolecall.daemon.context_handlers import context_handlers
from rolecall.daemon.core_handlers import core_handlers
from rolecall.daemon.dispatch import Dispatcher, Handler
from rolecall.daemon.server import DaemonServer
from rolecall.framing.errors import FrameError, TruncatedFrame
from rolecall.framing.native import (
    MAX_FRAME,
    ChunkJoiner,
    decode_json,
    encode_json,
    read_frame,
    split_message,
)
from rolecall.framing.socket_frames import MAX_SOCKET_FRAME, pack, unpack
from rolecall.paths import Home
from rolecall.phones.dialplan import SAFE_URI_PATTERN, DialError, DialPlan, parse_target
from rolecall.protocol.context import ContextParams, PageSnapshot
from rolecall.protocol.envelope import MESSAGE_ADAPTER, ErrorResponse, OkResponse
from rolecall.protocol.errors import ErrorCode
from rolecall.protocol.methods import METHODS, Empty
from rolecall.protocol.page import PageRecord
from rolecall.protocol.telephony import PlaceCallParams
from rolecall.store.call_pages import CallPages
from rolecall.store.store import Store

# ---- native messaging framing ---------------------------------------------------------------


def check_native_stream(data: bytes) -> int:
    """Reads `data` as the shim reads stdin; how many messages came out whole.

    Every frame is read, refused with a `FrameError`, or ends the stream (a fatal one);
    a refused frame never takes the stream out of step (reading goes on).
    """
    stream = io.BytesIO(data)
    joiner = ChunkJoiner()
    messages = 0
    for _ in range(len(data) + 1):  # each pass consumes at least the 4-byte header
        position = stream.tell()
        try:
            body = read_frame(stream, limit=MAX_FRAME)
            if body is None:
                assert stream.tell() == len(data)
                return messages
            message = decode_json(body)
            if isinstance(message, dict) and message.get("kind") == "chunk":
                whole = joiner.feed(message)
                if whole is None:
                    continue
                message = decode_json(whole)
            encode_json(_json_safe(message))
            messages += 1
        except TruncatedFrame as exc:
            assert exc.fatal and exc.code == "bad_frame"
            return messages
        except FrameError as exc:
            assert not exc.fatal, exc
            assert exc.code in {c.value for c in ErrorCode}
        assert stream.tell() > position, "a frame was read without consuming the stream"
    raise AssertionError("the stream never ended")


def _json_safe(value: Any) -> Any:
    """`value` with non-finite floats replaced: Python's JSON reader accepts `NaN`."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


def check_chunk_round_trip(body: bytes) -> None:
    """A message split into frames (chunks when big) reads back as the same bytes."""
    frames = b"".join(split_message(body, "c-1"))
    stream = io.BytesIO(frames)
    joiner = ChunkJoiner()
    while (frame := read_frame(stream)) is not None:
        if len(body) <= MAX_FRAME:
            assert frame == body
            return
        whole = joiner.feed(decode_json(frame))
        if whole is not None:
            assert whole == body
            return
    raise AssertionError("message did not come back")


# ---- the daemon's decoder -------------------------------------------------------------------


class _Caller:
    def __init__(self, client_id: int, greeted: bool) -> None:
        self.client_id = client_id
        self.greeted = greeted


class DecoderHarness:
    """A dispatcher with the daemon's real core and context handlers over a scratch home.

    Telephony methods get a stub that only proves validated params reached it (the SIP
    stack is not what is fuzzed here; its inputs are, and they are checked by the
    dispatcher before any handler runs).
    """

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="rc-fuzz-"))
        self.home = Home(self.root)
        self.home.ensure()
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.server = DaemonServer(self.home)
        self.store = Store(self.home.data_dir / "rolecall.db")
        self.call_pages = CallPages()
        handlers: dict[str, Handler] = {name: self._stub(name) for name in METHODS}
        handlers.update(core_handlers(self.server))
        handlers.update(
            context_handlers(
                ContextService(self.store),
                WriteBacks(Outbox(self.store), {}),
                call_pages=self.call_pages,
            )
        )
        self.dispatcher = Dispatcher(handlers)
        self.greeted = _Caller(1, True)
        self.fresh = _Caller(2, False)

    def _stub(self, name: str) -> Handler:
        spec = METHODS[name]

        async def handler(caller: Any, params: BaseModel) -> BaseModel:
            assert isinstance(params, spec.params)
            return Empty()

        return handler

    def reply(self, raw: Any, *, greeted: bool = True) -> dict[str, Any]:
        caller = self.greeted if greeted else self.fresh
        reply = self.loop.run_until_complete(self.dispatcher.reply(caller, raw))
        check_reply(reply)
        return reply

    def close(self) -> None:
        self.store.close()
        self.loop.close()
        shutil.rmtree(self.root, ignore_errors=True)


def check_reply(reply: dict[str, Any]) -> None:
    """A reply is one valid response that both hops can carry."""
    parsed = MESSAGE_ADAPTER.validate_python(reply)
    assert isinstance(parsed, OkResponse | ErrorResponse), reply
    if isinstance(parsed, ErrorResponse):
        assert parsed.error.code in ErrorCode
        assert parsed.error.code != ErrorCode.INTERNAL, reply  # a bug, not a refusal
    frame = pack(reply)
    assert len(frame) <= MAX_SOCKET_FRAME + 4
    assert unpack(frame[4:]) == reply
    encode_json(reply)  # the shim must be able to pass it on


def check_socket_frame(harness: DecoderHarness, body: bytes, *, greeted: bool = True) -> None:
    """A frame body: refused as a frame, or decoded and answered with one response."""
    try:
        value = unpack(body)
    except FrameError as exc:
        assert exc.code == "bad_frame" and not exc.fatal
        return
    harness.reply(value, greeted=greeted)


def check_dispatch(harness: DecoderHarness, raw: Any, *, greeted: bool = True) -> None:
    """Any value as a message: exactly one well-formed response; a request id is echoed."""
    reply = harness.reply(raw, greeted=greeted)
    if reply["ok"]:
        assert isinstance(raw, dict) and raw.get("kind") == "request"
        assert reply["id"] == raw["id"]


# ---- dial plan ------------------------------------------------------------------------------


def check_dial(text: str, region: str | None = None, plan: Mapping[str, Any] | None = None) -> None:
    """A target, or a `DialError` with a known reason; targets are safe SIP URIs."""
    try:
        dial_plan = DialPlan(**(plan or {}))
    except DialError as exc:
        assert exc.reason == "invalid_plan"
        return
    try:
        target = parse_target(text, dial_plan, region=region)
    except DialError as exc:
        assert isinstance(exc.reason, str) and exc.reason and exc.message
        return
    assert SAFE_URI_PATTERN.fullmatch(target.uri), target
    for forbidden in ("<", ">", '"', " ", "\r", "\n", "\x00"):
        assert forbidden not in target.uri, target
    if target.kind == "number" and target.e164 is not None:
        assert target.e164.startswith("+") and target.e164[1:].isdigit()


# ---- CSV importer ---------------------------------------------------------------------------

CSV_FILES = (
    "Account.csv",
    "Contact.csv",
    "Opportunity.csv",
    "OpportunityContactRole.csv",
    "User.csv",
    "ContentVersion.csv",
    "ContentDocumentLink.csv",
)
CSV_SEPARATOR = b"\n%%\n"
"""Between the files of one atheris CSV input, in the order of `CSV_FILES`."""


class CsvHarness:
    """A scratch export directory, rewritten for each input."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="rc-fuzz-csv-"))
        self.export = self.root / "export"
        self.store = Store(self.root / "rolecall.db")

    def run(self, files: Mapping[str, bytes], encoding: str = "utf-8") -> ImportResult:
        shutil.rmtree(self.export, ignore_errors=True)
        self.export.mkdir()
        for name, data in files.items():
            (self.export / name).write_bytes(data)
        result = import_salesforce_csv(self.export, encoding=encoding)
        for error in result.errors:
            assert error.file and error.line >= 0 and error.message
        if result.dataset is not None:
            self.store.load(result.dataset)  # what it kept must satisfy the store's keys
        return result

    def close(self) -> None:
        self.store.close()
        shutil.rmtree(self.root, ignore_errors=True)


def check_csv_export(harness: CsvHarness, files: Mapping[str, bytes]) -> None:
    """Never raises for bad input: problems are `RowError`s, and what is kept loads."""
    harness.run(files)


# ---- page record and snapshot ---------------------------------------------------------------


def check_snapshot(harness: DecoderHarness, raw: Any) -> None:
    """`call.place`/`context.get` params: refused by validation, or usable end to end."""
    try:
        params = PlaceCallParams.model_validate(raw)
    except ValidationError:
        pass
    else:
        if params.record is not None:
            assert isinstance(params.record, PageRecord)
        if params.snapshot is not None:
            _snapshot_context(harness, params.snapshot)
    if isinstance(raw, dict) and "snapshot" in raw:
        try:
            snapshot = PageSnapshot.model_validate(raw["snapshot"])
        except ValidationError:
            return
        _snapshot_context(harness, snapshot)


def _snapshot_context(harness: DecoderHarness, snapshot: PageSnapshot) -> None:
    """The snapshot as `context.get` takes it, through the dispatcher: a good reply."""
    request = {
        "v": 1,
        "kind": "request",
        "id": "s1",
        "type": "context.get",
        "payload": {"snapshot": snapshot.model_dump(mode="json")},
    }
    reply = harness.reply(request)
    if reply["ok"]:
        ContextParams.model_validate(request["payload"])
        json.dumps(reply)


def msgpack_of(value: Any) -> bytes:
    packed: bytes = msgpack.packb(value, use_bin_type=True)
    return packed
