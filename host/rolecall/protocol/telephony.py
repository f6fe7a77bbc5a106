"""Protocol v1's telephony part: accounts, calls, messages and presence.

Calls are named by a daemon-assigned id (32 hex digits) that stays the same for the
call's whole life and is the key of its log entry. Every change of a call reaches
every client as one `call.updated` event carrying the call's full, current state.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from rolecall.protocol.base import Params, Sent
from rolecall.protocol.context import PageSnapshot
from rolecall.protocol.page import PageRecord

CallId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", description="Daemon-assigned.")]
AccountId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
Target = Annotated[
    str, Field(min_length=1, max_length=256, description="A phone number or tel:/sip: URI.")
]
SipUri = Annotated[str, Field(min_length=5, max_length=256, pattern=r"^sips?:[^\s<>\"]+$")]
Note = Annotated[str, Field(max_length=500)]


class CallState(StrEnum):
    DIALING = "dialing"
    """Outbound INVITE sent, nothing back beyond 100 Trying yet."""
    RINGING = "ringing"
    """Outbound: the far end rings (180). Inbound: waiting for the user to answer."""
    EARLY = "early"
    """Early media (183) is flowing."""
    CONNECTING = "connecting"
    """Answered, waiting for the ACK."""
    CONFIRMED = "confirmed"
    """Talking."""
    DISCONNECTED = "disconnected"


class EndCause(StrEnum):
    NORMAL = "normal"
    BUSY = "busy"
    NOT_FOUND = "not_found"
    NO_ANSWER = "no_answer"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    NETWORK = "network"
    TRANSFERRED = "transferred"
    INTERRUPTED = "interrupted"
    """The daemon stopped (or died) while the call was up."""
    FAILED = "failed"


class RtpStats(Sent):
    """Media counters of the call's audio stream, taken as it ended."""

    tx_packets: int
    rx_packets: int
    rx_lost: int
    rx_jitter_ms: float
    codec: str


class CallInfo(Sent):
    """Everything a client needs to show one call."""

    id: CallId
    account_id: AccountId
    direction: Literal["outbound", "inbound"]
    state: CallState
    remote_uri: str = Field(max_length=512)
    remote_display: str = Field(max_length=200)
    dialed: str = Field(max_length=256, description="What was dialled, as given; '' inbound.")
    e164: str | None = Field(description="The remote party's number in E.164, when known.")
    held: bool
    remote_held: bool
    muted: bool
    recording: str | None = Field(description="The WAV file being written, if recording.")
    conference: list[CallId] = Field(description="Calls whose audio is bridged with this one.")
    created_at: float
    answered_at: float | None
    ended_at: float | None
    status_code: int | None = Field(description="The last SIP status code seen.")
    reason: str = Field(max_length=200, description="The last SIP reason phrase, or ours.")
    end_cause: EndCause | None
    rtp: RtpStats | None
    record: PageRecord | None = Field(
        default=None, description="The CRM record the call was placed from, if any."
    )


class CallResult(Sent):
    call: CallInfo


class CallsResult(Sent):
    calls: list[CallInfo]


class CallRef(Params):
    call_id: CallId


class CallPage(Params):
    """The CRM page a call was placed from."""

    record: PageRecord | None = Field(
        default=None, description="The CRM record in view where the call was placed."
    )
    snapshot: PageSnapshot | None = Field(
        default=None, description="What that page showed: the deal, people, documents."
    )


class PlaceCallParams(CallPage):
    target: Target
    account_id: AccountId | None = Field(default=None, description="Default: the first one.")
    region: str | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="Region for numbers with no + prefix."
    )


class CallPageParams(CallPage):
    """The page a call was placed from, sent just after the call so reading the page
    does not delay the INVITE."""

    call_id: CallId


class DeclineParams(Params):
    call_id: CallId
    code: Literal[486, 603] = 486


class DtmfParams(Params):
    call_id: CallId
    digits: str = Field(pattern=r"^[0-9A-Da-d*#]{1,32}$")
    method: Literal["auto", "rfc2833", "info"] = "auto"


class TransferParams(Params):
    call_id: CallId
    target: Target


class AttendedTransferParams(Params):
    call_id: CallId = Field(description="The call to hand over.")
    consult_call_id: CallId = Field(description="The call with the transfer target.")


class AddParticipantParams(Params):
    call_id: CallId
    target: Target


class CallMessageParams(Params):
    call_id: CallId
    text: str = Field(min_length=1, max_length=4000)


class RecordParams(Params):
    call_id: CallId
    on: bool


class DialPlanConfig(Sent):
    """How numbers become SIP URIs for this account."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_serialization_defaults_required=True,
        json_schema_mode_override="validation",
    )

    default_region: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    outbound_prefix: str = Field(default="", pattern=r"^[0-9]{0,6}$")
    keep_plus: bool = True
    international_prefix: str | None = Field(default=None, pattern=r"^[0-9]{1,4}$")
    domain: str | None = Field(
        default=None,
        max_length=253,
        pattern=r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$",
        description="Where numbers are sent; default: the registrar's or the account's host.",
    )


class AccountConfig(Sent):
    """A SIP account. Its password never appears here: it lives in the OS keyring."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_serialization_defaults_required=True,
        json_schema_mode_override="validation",
    )

    id: AccountId
    uri: SipUri = Field(description="The address of record, e.g. sip:alice@pbx.example.com.")
    display_name: str = Field(default="", max_length=100)
    registrar: SipUri | None = None
    proxy: SipUri | None = None
    username: str | None = Field(default=None, max_length=128, pattern=r"^[^\s\"\\]+$")
    realm: str = Field(default="*", max_length=128, pattern=r"^[^\s\"\\]+$")
    transport: Literal["udp", "tcp", "tls"] = "udp"
    verify_server: bool = Field(default=True, description="TLS: check the server certificate.")
    ca_file: str | None = Field(default=None, max_length=1024)
    srtp: Literal["off", "optional", "mandatory"] = "off"
    stun_server: str | None = Field(
        default=None, max_length=256, pattern=r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$"
    )
    auto_register: bool = Field(default=True, description="Register when a registrar is set.")
    no_answer_timeout_s: int = Field(default=60, ge=5, le=600)
    dial_plan: DialPlanConfig = DialPlanConfig()
    bind_address: str | None = Field(
        default=None,
        max_length=45,
        pattern=r"^[0-9]{1,3}(\.[0-9]{1,3}){3}$|^[0-9A-Fa-f:.]{2,45}$",
        description="Where this account listens (an IP address of this machine). Default: "
        "loopback, or the address that routes to the registrar.",
    )


class RegistrationState(StrEnum):
    NONE = "none"
    """No registrar: calls go straight to the URIs dialled."""
    REGISTERING = "registering"
    REGISTERED = "registered"
    FAILED = "failed"
    UNREGISTERED = "unregistered"


class AccountStatus(Sent):
    config: AccountConfig
    has_password: bool
    registration: RegistrationState
    status_code: int | None
    reason: str
    expires_s: int | None
    advice: str = Field(
        default="", max_length=500, description="What to do when registration failed; '' if fine."
    )
    listen: str = Field(default="", description='Where it listens, e.g. "udp 127.0.0.1:5062".')
    accepts_from: str = Field(
        default="", description="Whose INVITE, MESSAGE and SUBSCRIBE it takes."
    )
    realm: str = Field(default="", description="The digest realm its password answers.")


class AccountSetParams(Params):
    account: AccountConfig
    password: str | None = Field(
        default=None, max_length=256, description="Stored in the keyring; omit to keep."
    )


class AccountResult(Sent):
    account: AccountStatus


class AccountsResult(Sent):
    accounts: list[AccountStatus]


class AccountRef(Params):
    account_id: AccountId


class MessageSendParams(Params):
    to: Target
    text: str = Field(min_length=1, max_length=4000)
    account_id: AccountId | None = None


class MessageSendResult(Sent):
    message_id: str


class PresenceStatus(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    BUSY = "busy"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


class PresenceSubscribeParams(Params):
    uri: SipUri
    account_id: AccountId | None = None


class PresenceSetParams(Params):
    status: Literal["online", "away", "busy", "offline"]
    note: Note = ""
    account_id: AccountId | None = None


# ---- events -------------------------------------------------------------------------


class CallUpdatedPayload(Sent):
    """`call.updated`: a call was created or changed; `call` is its whole current state."""

    call: CallInfo


class DtmfReceivedPayload(Sent):
    """`call.dtmf_received`: the far end pressed a key."""

    call_id: CallId
    digit: str


class CallMessageReceivedPayload(Sent):
    """`call.message_received`: an instant message arrived inside a call."""

    call_id: CallId
    from_uri: str
    text: str
    content_type: str


class RegistrationPayload(Sent):
    """`account.registration`: an account's registration changed (also sent when an
    account with no registrar is set, as `none`, and when one is removed, as
    `unregistered` with reason `removed`)."""

    account_id: AccountId
    state: RegistrationState
    status_code: int | None
    reason: str
    expires_s: int | None
    advice: str = Field(
        default="", max_length=500, description="What to do when registration failed; '' if fine."
    )


class PresencePayload(Sent):
    """`presence.updated`: a watched contact's presence changed."""

    account_id: AccountId
    uri: str
    status: PresenceStatus
    note: str


class MessageReceivedPayload(Sent):
    """`message.received`: a pager message outside any call."""

    account_id: AccountId
    from_uri: str
    to_uri: str
    text: str
    content_type: str


class MessageStatusPayload(Sent):
    """`message.status`: the far end's answer to a message we sent."""

    message_id: str
    ok: bool
    status_code: int
    reason: str


# ---- transfers a far end asks for (REFER) -------------------------------------------

TransferRequestId = Annotated[
    str, Field(pattern=r"^[0-9a-f]{32}$", description="Names one transfer offer.")
]


class TransferRequestRef(Params):
    """`call.transfer_accept` / `call.transfer_decline`: the offer being answered."""

    request_id: TransferRequestId


class TransferParty(Sent):
    """Who asked for the transfer: the far end of the call the REFER came in."""

    display: str = Field(max_length=200)
    uri: str = Field(max_length=512)
    e164: str | None


class TransferRequestedPayload(Sent):
    """`call.transfer_requested`: the far end asked us to call someone else, and the
    target passed the dial plan. Nothing is dialled unless the user accepts within
    `expires_in_s` (`call.transfer_accept`); the far end's REFER was declined already."""

    request_id: TransferRequestId
    call_id: CallId
    by: TransferParty
    target: str = Field(max_length=256, description="E.164 for a number, else the SIP URI.")
    target_uri: str = Field(max_length=256, description="The URI that would be called.")
    attended: bool = Field(description="An attended transfer (Replaces one of our calls).")
    expires_in_s: int


class TransferOffersResult(Sent):
    """`calls.transfer_offers`: the offers still waiting for the user (a panel opened late)."""

    offers: list[TransferRequestedPayload]


class TransferRefusedPayload(Sent):
    """`call.transfer_refused`: a far end's transfer request was refused outright (603):
    the target failed the dial plan, carried headers, or replaced a call we do not know."""

    call_id: CallId
    by: TransferParty
    target: str = Field(max_length=256, description="The Refer-To as received (cut short).")
    reason: str = Field(
        max_length=40,
        description="A dial plan refusal (`invalid_number`, …), `malformed`, "
        "`foreign_header`, `unknown_replaces`, `pending` or `no_account`.",
    )


class TransferEndedPayload(Sent):
    """`call.transfer_ended`: an offer is over; `new_call_id` is the call placed on accept."""

    request_id: TransferRequestId
    call_id: CallId
    outcome: Literal["accepted", "declined", "expired", "call_ended", "failed"]
    new_call_id: CallId | None
