"""The methods and events of protocol v1: each name with its params, result or payload.

`METHODS` and `EVENTS` are the registries the daemon dispatches on and the schema
generator walks; adding a method means adding its two models and one entry here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from rolecall.protocol import audio as aud
from rolecall.protocol import context as ctx
from rolecall.protocol import crm
from rolecall.protocol import telephony as tel
from rolecall.protocol import transcript as trn
from rolecall.protocol.base import Params, Sent

Text = Annotated[str, Field(max_length=200)]


class Empty(Params):
    """No fields."""


class ClientInfo(Params):
    """Who is connecting: the extension in some browser, the CLI, a test."""

    name: Text = Field(description="e.g. `rolecall-extension`, `rolecall-cli`.")
    version: Text
    browser: Text | None = Field(default=None, description="e.g. `chromium 156`, `firefox 128`.")


class HelloParams(Params):
    """The first request on every connection."""

    client: ClientInfo
    protocols: list[int] = Field(
        min_length=1, max_length=16, description="Protocol versions the client speaks."
    )
    capabilities: list[Text] = Field(default_factory=list, max_length=64)


class HostInfo(Sent):
    name: Literal["rolecall"] = "rolecall"
    version: Text


class DaemonInfo(Sent):
    pid: int
    started_at: float = Field(description="Unix time, seconds.")
    home: str = Field(description="The state directory the daemon uses.")


class HelloResult(Sent):
    host: HostInfo
    protocol: int = Field(description="The version both sides will speak.")
    capabilities: list[Text]
    daemon: DaemonInfo
    client_id: int = Field(description="This connection's number, unique while the daemon runs.")
    last_event_seq: int = Field(ge=0, description="Events after this one will reach the client.")


class PingParams(Params):
    echo: str = Field(default="", max_length=65536, description="Returned as it is.")


class PingResult(Sent):
    echo: str
    at: float = Field(description="Daemon's Unix time, seconds.")


class DaemonStatusResult(Sent):
    version: Text
    pid: int
    started_at: float
    uptime_s: float
    clients: int


class DaemonStopParams(Params):
    reason: Text = "requested"


class DaemonClientsPayload(Sent):
    """`daemon.clients`: the number of connected clients changed."""

    clients: int = Field(ge=0)


class DaemonStoppingPayload(Sent):
    """`daemon.stopping`: the daemon is shutting down; connections will close."""

    reason: Text


class MethodSpec(Sent):
    """How one method is called: its params and its result."""

    params: type[BaseModel]
    result: type[BaseModel]
    needs_hello: bool = True


METHODS: dict[str, MethodSpec] = {
    "hello": MethodSpec(params=HelloParams, result=HelloResult, needs_hello=False),
    "ping": MethodSpec(params=PingParams, result=PingResult),
    "daemon.status": MethodSpec(params=Empty, result=DaemonStatusResult),
    "daemon.stop": MethodSpec(params=DaemonStopParams, result=Empty),
    "account.set": MethodSpec(params=tel.AccountSetParams, result=tel.AccountResult),
    "account.list": MethodSpec(params=Empty, result=tel.AccountsResult),
    "account.remove": MethodSpec(params=tel.AccountRef, result=Empty),
    "call.place": MethodSpec(params=tel.PlaceCallParams, result=tel.CallResult),
    "call.page": MethodSpec(params=tel.CallPageParams, result=tel.CallResult),
    "call.answer": MethodSpec(params=tel.CallRef, result=tel.CallResult),
    "call.decline": MethodSpec(params=tel.DeclineParams, result=tel.CallResult),
    "call.hangup": MethodSpec(params=tel.CallRef, result=tel.CallResult),
    "call.hold": MethodSpec(params=tel.CallRef, result=tel.CallResult),
    "call.resume": MethodSpec(params=tel.CallRef, result=tel.CallResult),
    "call.mute": MethodSpec(params=tel.CallRef, result=tel.CallResult),
    "call.unmute": MethodSpec(params=tel.CallRef, result=tel.CallResult),
    "call.dtmf": MethodSpec(params=tel.DtmfParams, result=tel.CallResult),
    "call.transfer": MethodSpec(params=tel.TransferParams, result=tel.CallResult),
    "call.transfer_attended": MethodSpec(params=tel.AttendedTransferParams, result=tel.CallResult),
    "call.transfer_accept": MethodSpec(params=tel.TransferRequestRef, result=tel.CallResult),
    "call.transfer_decline": MethodSpec(params=tel.TransferRequestRef, result=Empty),
    "calls.transfer_offers": MethodSpec(params=Empty, result=tel.TransferOffersResult),
    "call.add_participant": MethodSpec(params=tel.AddParticipantParams, result=tel.CallResult),
    "call.message": MethodSpec(params=tel.CallMessageParams, result=tel.CallResult),
    "call.record": MethodSpec(params=tel.RecordParams, result=tel.CallResult),
    "calls.list": MethodSpec(params=Empty, result=tel.CallsResult),
    "message.send": MethodSpec(params=tel.MessageSendParams, result=tel.MessageSendResult),
    "presence.subscribe": MethodSpec(params=tel.PresenceSubscribeParams, result=Empty),
    "presence.unsubscribe": MethodSpec(params=tel.PresenceSubscribeParams, result=Empty),
    "presence.set": MethodSpec(params=tel.PresenceSetParams, result=Empty),
    "context.get": MethodSpec(params=ctx.ContextParams, result=ctx.ContextResult),
    "context.set_role": MethodSpec(params=ctx.SetRoleParams, result=Empty),
    "context.add_note": MethodSpec(params=ctx.AddNoteParams, result=Empty),
    "calllog.list": MethodSpec(params=ctx.CallLogParams, result=ctx.CallLogResult),
    "calllog.sync_status": MethodSpec(params=ctx.SyncListParams, result=ctx.SyncListResult),
    "calllog.update": MethodSpec(params=ctx.CallLogUpdateParams, result=ctx.LoggedCall),
    "audio.devices": MethodSpec(params=Empty, result=aud.AudioDevicesResult),
    "audio.set": MethodSpec(params=aud.AudioSetParams, result=aud.AudioDevicesResult),
    "audio.test": MethodSpec(params=aud.AudioTestParams, result=aud.AudioTestResult),
    "memory.sites": MethodSpec(params=Empty, result=ctx.MemorySitesResult),
    "memory.forget": MethodSpec(params=ctx.MemoryForgetParams, result=ctx.MemoryForgetResult),
    "memory.settings": MethodSpec(params=ctx.MemorySettingsParams, result=ctx.MemorySettingsResult),
    "crm.connect": MethodSpec(params=crm.CrmConnectParams, result=crm.CrmConnectResult),
    "crm.status": MethodSpec(params=Empty, result=crm.CrmStatusResult),
    "crm.disconnect": MethodSpec(params=crm.CrmRef, result=crm.CrmStatusResult),
    "transcript.settings": MethodSpec(
        params=trn.TranscriptSettingsParams, result=trn.TranscriptSettingsResult
    ),
    "transcript.get": MethodSpec(params=trn.TranscriptRef, result=trn.TranscriptResult),
    "transcript.set_summary": MethodSpec(
        params=trn.TranscriptSummaryParams, result=trn.TranscriptResult
    ),
    "transcript.delete": MethodSpec(params=trn.TranscriptRef, result=trn.TranscriptDeleteResult),
}

EVENTS: dict[str, type[BaseModel]] = {
    "daemon.clients": DaemonClientsPayload,
    "daemon.stopping": DaemonStoppingPayload,
    "call.updated": tel.CallUpdatedPayload,
    "call.dtmf_received": tel.DtmfReceivedPayload,
    "call.message_received": tel.CallMessageReceivedPayload,
    "call.transfer_requested": tel.TransferRequestedPayload,
    "call.transfer_refused": tel.TransferRefusedPayload,
    "call.transfer_ended": tel.TransferEndedPayload,
    "account.registration": tel.RegistrationPayload,
    "presence.updated": tel.PresencePayload,
    "message.received": tel.MessageReceivedPayload,
    "message.status": tel.MessageStatusPayload,
    "calllog.sync": ctx.SyncUpdatedPayload,
    "calllog.write_failed": ctx.CallLogWriteFailedPayload,
    "audio.state": aud.AudioStatePayload,
    "crm.connection": crm.CrmConnectionPayload,
    "transcript.progress": trn.TranscriptProgressPayload,
}

CAPABILITIES: tuple[str, ...] = (
    "events",
    "chunks",
    "calls",
    "accounts",
    "messages",
    "presence",
    "context",
    "calllog",
    "audio",
    "memory",
    "crm",
    "transcript",
)
"""What this daemon offers; later features add theirs (e.g. `calls`, `context`)."""
