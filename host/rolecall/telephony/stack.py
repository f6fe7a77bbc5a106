"""The SIP stack as the rest of the daemon sees it: commands, events and settings.

Nothing outside `pjsua2_stack.py` and `pjsua2_objects.py` imports pjsua2, so another
SIP stack can replace them by implementing `SipStack`. Events are plain frozen
dataclasses delivered on the asyncio loop; commands are typed coroutines (one method
per command, so mypy checks every argument) that run on the stack's own thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

DtmfMethod = Literal["auto", "rfc2833", "info"]
"""`auto`: RFC 2833 events, or SIP INFO when the far end negotiated none."""
PresenceState = Literal["online", "away", "busy", "offline"]


class StackError(Exception):
    """The stack refused a command; `status` is a SIP or PJSIP status when known."""

    def __init__(self, message: str, status: int | None = None, *, kind: str = "sip") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.kind = kind
        """`sip`, `not_found`, `state` or `too_many_calls`."""


@dataclass(frozen=True)
class StackSettings:
    """Daemon-wide SIP settings (the endpoint is created once with them)."""

    bind_address: str = "127.0.0.1"
    """Where the daemon's own transports listen (accounts with a registrar or their own
    bind address get transports of their own; see `sip_exposure.py`)."""
    udp_port: int = 0
    tcp_port: int = 0
    tls_port: int | None = None
    """The port of TLS transports, created only once a TLS account needs one (None: any)."""
    ca_file: str | None = None
    stun_servers: tuple[str, ...] = ()
    user_agent: str = "Rolecall"
    capture_wav: Path | None = None
    """Where no microphone exists, this WAV (looped) is the voice sent into calls."""
    recordings_dir: Path = Path("recordings")
    presence_server: bool = False
    """Answer other parties' SUBSCRIBEs for our presence. Off: they get 403."""
    max_calls: int = 4
    log_level: int = 3
    register_retry_first_s: int = 5
    """After a failed (re-)registration: the first retry comes this soon …"""
    register_retry_s: int = 30
    """… later ones this far apart, each moved by up to 5 s of random jitter."""
    media_timeout_s: int = 30
    """A call whose audio should flow but from which no RTP has come for this long is
    hung up as lost (the network to the far end is gone). 0: never."""


@dataclass(frozen=True)
class AccountSpec:
    """An account as the stack needs it (the password arrives separately)."""

    account_id: str
    uri: str
    registrar: str | None
    proxy: str | None
    username: str | None
    realm: str
    transport: Literal["udp", "tcp", "tls"]
    verify_server: bool
    ca_file: str | None
    srtp: Literal["off", "optional", "mandatory"]
    use_stun: bool
    register: bool
    bind_address: str | None = None
    """Explicit listening address; None: loopback, or the route to the registrar."""


@dataclass(frozen=True)
class AccountExposure:
    """Where an account listens and whom it takes requests from (for `rolecall doctor`)."""

    listen: str
    """e.g. "udp 127.0.0.1:5062"."""
    accepts_from: str
    """e.g. "only 127.0.0.1 (its registrar/outbound proxy)"."""
    realm: str
    """The digest realm its password answers ('' without credentials)."""


# ---- events -------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationChanged:
    account_id: str
    active: bool
    status_code: int
    reason: str
    expires_s: int
    realm: str | None = None
    """The realm the registrar challenged with, once learnt."""


@dataclass(frozen=True)
class IncomingCall:
    call_id: str
    account_id: str
    remote_uri: str
    remote_display: str


@dataclass(frozen=True)
class RtpCounters:
    tx_packets: int
    rx_packets: int
    rx_lost: int
    rx_jitter_ms: float
    codec: str


@dataclass(frozen=True)
class CallStateChanged:
    call_id: str
    state: Literal["calling", "incoming", "early", "connecting", "confirmed", "disconnected"]
    status_code: int
    reason: str
    remote_uri: str
    remote_display: str
    rtp: RtpCounters | None = None


@dataclass(frozen=True)
class CallMediaChanged:
    call_id: str
    active: bool
    local_hold: bool
    remote_hold: bool


@dataclass(frozen=True)
class DtmfReceived:
    call_id: str
    digit: str


@dataclass(frozen=True)
class CallMessageReceived:
    call_id: str
    from_uri: str
    text: str
    content_type: str


@dataclass(frozen=True)
class TransferProgress:
    call_id: str
    status_code: int
    reason: str
    final: bool


@dataclass(frozen=True)
class TransferRequested:
    """The far end asked us (REFER) to call `refer_to` (the header value as received).

    The stack has already declined the REFER with 603 and dialled nothing; whether the
    user is offered the transfer is the call service's decision. `replaces_known`: the
    Refer-To's `Replaces` names the SIP dialog of one of our own calls. `account_id`
    is the call's account (the call service may not have filled in its record yet)."""

    call_id: str
    account_id: str
    refer_to: str
    replaces_known: bool = False


@dataclass(frozen=True)
class PagerReceived:
    account_id: str
    from_uri: str
    to_uri: str
    text: str
    content_type: str


@dataclass(frozen=True)
class PagerStatus:
    message_id: str
    status_code: int
    reason: str


@dataclass(frozen=True)
class BuddyChanged:
    account_id: str
    uri: str
    status: Literal["online", "away", "busy", "offline", "unknown"]
    note: str


@dataclass(frozen=True)
class MediaLost:
    """No RTP from the far end for `silent_s` seconds; the stack is hanging the call up."""

    call_id: str
    silent_s: int


StackEvent = (
    RegistrationChanged
    | IncomingCall
    | CallStateChanged
    | CallMediaChanged
    | DtmfReceived
    | CallMessageReceived
    | TransferProgress
    | TransferRequested
    | PagerReceived
    | PagerStatus
    | BuddyChanged
    | MediaLost
)


@dataclass
class StackInfo:
    """What the running stack reports about itself."""

    version: str
    transports: dict[str, int] = field(default_factory=dict)
    """Transport name → local port."""


class SipStack(Protocol):
    """What the call service needs from a SIP stack."""

    async def start(self, on_event: Callable[[StackEvent], None]) -> StackInfo: ...
    async def stop(self) -> None: ...
    async def add_account(self, spec: AccountSpec, password: str | None) -> AccountExposure: ...
    async def remove_account(self, account_id: str) -> None: ...
    async def make_call(
        self, account_id: str, uri: str, headers: tuple[tuple[str, str], ...] = ()
    ) -> str: ...
    async def answer(self, call_id: str) -> None: ...
    async def hangup(self, call_id: str, status_code: int | None = None) -> None: ...
    async def hold(self, call_id: str) -> None: ...
    async def resume(self, call_id: str) -> None: ...
    async def set_muted(self, call_id: str, muted: bool) -> None: ...
    async def send_dtmf(self, call_id: str, digits: str, method: DtmfMethod) -> None: ...
    async def transfer(self, call_id: str, uri: str) -> None: ...
    async def transfer_replaces(self, call_id: str, consult_call_id: str) -> None: ...
    async def bridge(self, call_id: str, other_call_id: str) -> None: ...
    async def send_call_message(self, call_id: str, text: str) -> None: ...
    async def start_recording(self, call_id: str, path: Path) -> None: ...
    async def stop_recording(self, call_id: str) -> None: ...
    async def send_pager(self, account_id: str, uri: str, text: str) -> str: ...
    async def subscribe_presence(self, account_id: str, uri: str) -> None: ...
    async def unsubscribe_presence(self, account_id: str, uri: str) -> None: ...
    async def set_presence(self, account_id: str, status: PresenceState, note: str) -> None: ...
