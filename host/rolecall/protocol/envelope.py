"""The envelope of protocol v1: requests, replies, events and chunks.

Every message on every hop (native messaging as JSON, the daemon socket as msgpack)
is one of these four kinds, told apart by `kind`. Payloads are plain objects here;
`rolecall.protocol.methods` validates them per method.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from rolecall.protocol.errors import ErrorCode

PROTOCOL_VERSION: Literal[1] = 1
"""The version this build speaks. A message with another `v` gets `unsupported_version`."""

RequestId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
MethodName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.]*$")]


class _Message(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )

    v: Literal[1] = Field(description="Protocol version of this message.")


class Request(_Message):
    """A client asks the daemon to do something; exactly one reply follows."""

    kind: Literal["request"] = "request"
    id: RequestId = Field(description="Chosen by the client, unique among its pending requests.")
    type: MethodName = Field(description="The method, e.g. `hello`.")
    payload: dict[str, Any] = Field(default_factory=dict, description="The method's params.")


class ErrorInfo(BaseModel):
    """What went wrong, in a form a program can act on."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )

    code: ErrorCode
    message: str = Field(max_length=2000, description="For people; never parse it.")
    details: dict[str, Any] = Field(default_factory=dict)


class OkResponse(_Message):
    """The request succeeded."""

    kind: Literal["response"] = "response"
    id: RequestId
    ok: Literal[True] = True
    result: dict[str, Any] = Field(default_factory=dict)


class ErrorResponse(_Message):
    """The request failed. `id` is null when the request itself could not be read."""

    kind: Literal["response"] = "response"
    id: RequestId | None
    ok: Literal[False] = False
    error: ErrorInfo


Response = Annotated[OkResponse | ErrorResponse, Field(discriminator="ok")]


class Event(_Message):
    """Pushed by the daemon to every client that said `hello`."""

    kind: Literal["event"] = "event"
    seq: int = Field(ge=1, description="Daemon-wide, increasing by one per event.")
    type: MethodName
    payload: dict[str, Any] = Field(default_factory=dict)


class Chunk(_Message):
    """One slice of a message too large for one native-messaging frame.

    `data` is base64 of a slice of the UTF-8 JSON of the whole message; slices are
    sent in order, `index` from 0 to `count - 1`, all with the same `id`.
    """

    kind: Literal["chunk"] = "chunk"
    id: RequestId
    index: int = Field(ge=0)
    count: int = Field(ge=2, le=64)
    data: str


Message = Annotated[Request | Response | Event | Chunk, Field(discriminator="kind")]
"""Any message of protocol v1."""

MESSAGE_ADAPTER: TypeAdapter[Request | OkResponse | ErrorResponse | Event | Chunk] = TypeAdapter(
    Message
)
