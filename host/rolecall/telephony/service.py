"""The call service: accounts, calls and their state, on the asyncio side of the stack.

It turns protocol requests into stack commands (after the dial plan has vetted every
target), keeps each call's current state for clients that connect later, and turns
stack events into protocol events. It owns the no-answer timer and the digits dialled
after answer (a number's extension).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rolecall.paths import Home
from rolecall.protocol.errors import ErrorCode, ProtocolError
from rolecall.protocol.page import PageRecord
from rolecall.protocol.telephony import (
    AccountConfig,
    AccountStatus,
    CallInfo,
    CallState,
    EndCause,
    RegistrationState,
    RtpStats,
)
from rolecall.secrets import SecretStore, SecretStoreUnavailable
from rolecall.telephony.accounts import LOCAL_ACCOUNT_ID, AccountStore, secret_name
from rolecall.telephony.dialplan import DialError, DialPlan, DialTarget, parse_target
from rolecall.telephony.registration_advice import advice_for
from rolecall.telephony.stack import (
    AccountSpec,
    BuddyChanged,
    CallMediaChanged,
    CallMessageReceived,
    CallStateChanged,
    DtmfReceived,
    IncomingCall,
    MediaLost,
    PagerReceived,
    PagerStatus,
    RegistrationChanged,
    SipStack,
    StackError,
    StackEvent,
    StackInfo,
    TransferProgress,
    TransferRequested,
)

log = logging.getLogger(__name__)

Emit = Callable[[str, dict[str, Any] | BaseModel], int]
POSTDIAL_DELAY_S = 1.5
READY_TIMEOUT_S = 20.0
"""How long a request waits for the SIP stack and saved accounts at start-up."""
"""Pause between answer and an extension's digits, as a person would."""
INBOUND_RING_S = 60
"""How long an incoming call rings when its account is unknown (else the account's
`no_answer_timeout_s`)."""

_STATE = {
    "calling": CallState.DIALING,
    "incoming": CallState.RINGING,
    "early": CallState.RINGING,
    "connecting": CallState.CONNECTING,
    "confirmed": CallState.CONFIRMED,
    "disconnected": CallState.DISCONNECTED,
}
_HOST = re.compile(r"^sips?:(?:[^@]+@)?([^;?>]+)")


def end_cause(status_code: int, answered: bool) -> EndCause:
    """Why a call ended, from its last SIP status."""
    if answered:
        return EndCause.NORMAL
    if status_code in (486, 600):
        return EndCause.BUSY
    if status_code in (404, 484, 604):
        return EndCause.NOT_FOUND
    if status_code in (408, 480):
        return EndCause.NO_ANSWER
    if status_code in (403, 603):
        return EndCause.REJECTED
    if status_code == 487:
        return EndCause.CANCELLED
    if status_code in (502, 503, 504) or status_code >= 700 or status_code == 0:
        return EndCause.NETWORK
    return EndCause.FAILED


@dataclass
class CallRecord:
    """The daemon's view of one call; `info()` is what clients see."""

    id: str
    account_id: str
    direction: str
    dialed: str = ""
    e164: str | None = None
    remote_uri: str = ""
    remote_display: str = ""
    state: CallState = CallState.DIALING
    held: bool = False
    remote_held: bool = False
    muted: bool = False
    recording: str | None = None
    conference: set[str] = field(default_factory=set)
    created_at: float = field(default_factory=time.time)
    answered_at: float | None = None
    ended_at: float | None = None
    status_code: int | None = None
    reason: str = ""
    end_cause: EndCause | None = None
    rtp: RtpStats | None = None
    extension: str | None = None
    page: PageRecord | None = None
    timers: list[asyncio.TimerHandle] = field(default_factory=list)

    def info(self) -> CallInfo:
        return CallInfo(
            id=self.id,
            account_id=self.account_id,
            direction="inbound" if self.direction == "inbound" else "outbound",
            state=self.state,
            remote_uri=self.remote_uri[:512],
            remote_display=self.remote_display[:200],
            dialed=self.dialed,
            e164=self.e164,
            held=self.held,
            remote_held=self.remote_held,
            muted=self.muted,
            recording=self.recording,
            conference=sorted(self.conference),
            created_at=self.created_at,
            answered_at=self.answered_at,
            ended_at=self.ended_at,
            status_code=self.status_code,
            reason=self.reason[:200],
            end_cause=self.end_cause,
            rtp=self.rtp,
            record=self.page,
        )


@dataclass
class AccountRecord:
    config: AccountConfig
    has_password: bool
    registration: RegistrationState
    status_code: int | None = None
    reason: str = ""
    expires_s: int | None = None

    def status(self) -> AccountStatus:
        return AccountStatus(
            config=self.config,
            has_password=self.has_password,
            registration=self.registration,
            status_code=self.status_code,
            reason=self.reason,
            expires_s=self.expires_s,
            advice=self.advice(),
        )

    def advice(self) -> str:
        return advice_for(
            self.registration.value,
            self.status_code,
            self.config.id,
            has_password=self.has_password,
        )


def _host_of(uri: str | None) -> str | None:
    match = _HOST.match(uri or "")
    return match.group(1) if match else None


def _not_found(what: str) -> ProtocolError:
    return ProtocolError(ErrorCode.NOT_FOUND, f"no {what}")


def _stack_failure(exc: StackError) -> ProtocolError:
    code = {
        "not_found": ErrorCode.NOT_FOUND,
        "too_many_calls": ErrorCode.TOO_MANY_CALLS,
        "unavailable": ErrorCode.UNAVAILABLE,
        "state": ErrorCode.INVALID_STATE,
    }.get(exc.kind, ErrorCode.SIP_ERROR)
    return ProtocolError(code, exc.message, {"status": exc.status})


class TelephonyService:
    """Accounts and calls for every client of the daemon."""

    def __init__(
        self,
        home: Home,
        stack: SipStack,
        emit: Emit,
        secrets: SecretStore,
        observer: Callable[[CallInfo], None] | None = None,
    ) -> None:
        self._observer = observer
        self._started = asyncio.Event()
        """Sees every call change before clients do (the call log is written there)."""
        self._home = home
        self._stack = stack
        self._emit = emit
        self._secrets = secrets
        self._store = AccountStore(home.config_dir / "accounts.json")
        self.accounts: dict[str, AccountRecord] = {}
        self.calls: dict[str, CallRecord] = {}
        self.info: StackInfo | None = None
        self._ended: list[str] = []

    @property
    def recordings_dir(self) -> Path:
        return self._home.data_dir / "recordings"

    # ---- life -----------------------------------------------------------------------------

    async def start(self) -> None:
        try:
            self.info = await self._stack.start(self._on_event)
            local = AccountConfig(
                id=LOCAL_ACCOUNT_ID,
                uri=f"sip:rolecall@{self._local_host()}",
                display_name="Rolecall",
            )
            await self._add(local, None)
            for config in self._store.load():
                try:
                    await self._add(config, self._password(config.id))
                except (ProtocolError, StackError) as exc:
                    log.error("account %s could not be added: %s", config.id, exc)
        finally:
            self._started.set()  # ready, or failed for good: either way nobody waits longer

    async def ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Returns once `start` has finished: the saved accounts are in the stack.

        The socket answers before that (a browser's `hello` should not wait for SIP),
        so a request that needs the accounts waits here instead of racing their load.
        """
        try:
            await asyncio.wait_for(asyncio.shield(self._started.wait()), timeout)
        except TimeoutError:
            raise ProtocolError(
                ErrorCode.UNAVAILABLE, "the SIP stack is still starting; try again"
            ) from None

    def _local_host(self) -> str:
        port = self.info.transports.get("udp") if self.info else None
        settings_host = getattr(self._stack, "settings", None)
        address = getattr(settings_host, "bind_address", "127.0.0.1")
        host = "127.0.0.1" if address in ("0.0.0.0", "") else address  # noqa: S104
        return f"{host}:{port}" if port else host

    async def stop(self) -> None:
        for record in self.calls.values():
            for timer in record.timers:
                timer.cancel()
        await self._stack.stop()
        for record in list(self.calls.values()):
            if record.state != CallState.DISCONNECTED:
                record.state = CallState.DISCONNECTED
                record.ended_at = time.time()
                record.end_cause = EndCause.INTERRUPTED
                record.reason = "the Rolecall daemon stopped"
                self._publish(record)

    def _password(self, account_id: str) -> str | None:
        try:
            return self._secrets.get(secret_name(account_id))
        except SecretStoreUnavailable as exc:
            log.warning("password for %s unavailable: %s", account_id, exc)
            return None

    # ---- accounts -------------------------------------------------------------------------

    def _spec(self, config: AccountConfig) -> AccountSpec:
        return AccountSpec(
            account_id=config.id,
            uri=config.uri,
            registrar=config.registrar,
            proxy=config.proxy,
            username=config.username,
            realm=config.realm,
            transport=config.transport,
            verify_server=config.verify_server,
            ca_file=config.ca_file,
            srtp=config.srtp,
            use_stun=config.stun_server is not None,
            register=config.auto_register,
        )

    async def _add(self, config: AccountConfig, password: str | None) -> AccountRecord:
        registering = config.registrar is not None and config.auto_register
        record = AccountRecord(
            config=config,
            has_password=password is not None,
            registration=(RegistrationState.REGISTERING if registering else RegistrationState.NONE),
        )
        self.accounts[config.id] = record
        try:
            await self._stack.add_account(self._spec(config), password)
        except StackError as exc:
            del self.accounts[config.id]
            raise _stack_failure(exc) from None
        return record

    async def set_account(self, config: AccountConfig, password: str | None) -> AccountStatus:
        if config.id == LOCAL_ACCOUNT_ID:
            raise ProtocolError(
                ErrorCode.INVALID_MESSAGE, f"'{LOCAL_ACCOUNT_ID}' is built in; pick another id"
            )
        try:
            if password is not None:
                self._secrets.set(secret_name(config.id), password)
            else:
                password = self._secrets.get(secret_name(config.id))
        except SecretStoreUnavailable as exc:
            raise ProtocolError(ErrorCode.UNAVAILABLE, str(exc)) from None
        record = await self._add(config, password)
        stored = [a for a in self._store.load() if a.id != config.id]
        self._store.save([*stored, config])
        if record.registration == RegistrationState.NONE:
            # No registrar, so no registration event will follow: other clients learn of
            # the account from this one (accounts that register announce their result).
            self._emit_registration(record)
        return record.status()

    async def remove_account(self, account_id: str) -> None:
        """Removes the account from the stack, the account file and the keyring.

        An account that is saved but could not be loaded (e.g. a CA file gone) is
        removable too, so its password never outlives it.
        """
        saved = self._store.load()
        known = account_id in self.accounts or any(a.id == account_id for a in saved)
        if account_id == LOCAL_ACCOUNT_ID or not known:
            raise _not_found(f"removable account {account_id!r}")
        record = self.accounts.get(account_id)
        if record is not None:
            try:
                await self._stack.remove_account(account_id)
            except StackError as exc:
                raise _stack_failure(exc) from None
            del self.accounts[account_id]
        self._store.save([a for a in saved if a.id != account_id])
        try:
            self._secrets.delete(secret_name(account_id))
        except SecretStoreUnavailable as exc:
            # The account is gone; the password could not be: say so loudly, never quietly.
            log.error("password of %s could not be deleted from the keyring: %s", account_id, exc)
            raise ProtocolError(
                ErrorCode.UNAVAILABLE,
                f"account {account_id} was removed, but its password is still in the keyring: "
                f"{exc}",
            ) from None
        if record is not None:
            record.registration = RegistrationState.UNREGISTERED
            record.status_code = None
            record.reason = "removed"
            record.expires_s = None
            self._emit_registration(record)

    def account_list(self) -> list[AccountStatus]:
        return [record.status() for record in self.accounts.values()]

    def _account(self, account_id: str | None) -> AccountRecord:
        if not self.accounts:
            raise ProtocolError(ErrorCode.UNAVAILABLE, "the SIP stack is not running")
        if account_id is None:
            configured = [a for a in self.accounts.values() if a.config.id != LOCAL_ACCOUNT_ID]
            return configured[0] if configured else self.accounts[LOCAL_ACCOUNT_ID]
        record = self.accounts.get(account_id)
        if record is None:
            raise _not_found(f"account {account_id!r}")
        return record

    # ---- dialling -------------------------------------------------------------------------

    def resolve(self, text: str, account: AccountRecord, region: str | None) -> DialTarget:
        """The dial plan's verdict on `text`: a target, or `invalid_target`."""
        config = account.config
        plan = config.dial_plan
        domain = plan.domain or _host_of(config.registrar)
        if config.id != LOCAL_ACCOUNT_ID:  # the local account's own host is this machine
            domain = domain or _host_of(config.uri)
        try:
            return parse_target(
                text,
                DialPlan(
                    default_region=plan.default_region,
                    outbound_prefix=plan.outbound_prefix,
                    keep_plus=plan.keep_plus,
                    domain=domain,
                    international_prefix=plan.international_prefix,
                ),
                region=region,
            )
        except DialError as exc:
            raise ProtocolError(
                ErrorCode.INVALID_TARGET, str(exc), {"reason": exc.reason}
            ) from None

    async def place(
        self,
        text: str,
        account_id: str | None,
        region: str | None,
        page: PageRecord | None = None,
        placed: Callable[[CallInfo], None] | None = None,
    ) -> CallInfo:
        """Dials `text` (a number or URI); `page` is the CRM record it was dialled from.

        `placed` hears of the call before the first update that carries `page` is
        published, so what it records is there for anyone reacting to that update.
        """
        account = self._account(account_id)
        target = self.resolve(text, account, region)
        try:
            call_id = await self._stack.make_call(account.config.id, target.uri)
        except StackError as exc:
            raise _stack_failure(exc) from None
        record = self.calls.get(call_id) or CallRecord(call_id, account.config.id, "outbound")
        self.calls[call_id] = record
        record.account_id = account.config.id
        record.dialed = target.original
        record.e164 = target.e164
        record.extension = target.extension
        record.page = page
        if not record.remote_uri:
            record.remote_uri = target.uri
        loop = asyncio.get_running_loop()
        record.timers.append(
            loop.call_later(account.config.no_answer_timeout_s, self._no_answer, call_id)
        )
        if record.extension and record.answered_at is not None:
            # Answered before make_call returned (an auto-attendant answers at once): the
            # answer found no extension to send, so the digits are scheduled from here.
            record.timers.append(loop.call_later(POSTDIAL_DELAY_S, self._postdial, call_id))
        if placed is not None:
            placed(record.info())
        self._publish(record)
        return record.info()

    def _no_answer(self, call_id: str) -> None:
        record = self.calls.get(call_id)
        if record is None or record.answered_at is not None or record.ended_at is not None:
            return
        record.end_cause = EndCause.NO_ANSWER
        record.reason = "no answer"
        asyncio.get_running_loop().create_task(self._hangup_quietly(call_id))

    async def _hangup_quietly(self, call_id: str, status_code: int | None = None) -> None:
        try:
            await self._stack.hangup(call_id, status_code)
        except StackError as exc:
            log.info("hang-up of %s: %s", call_id, exc.message)

    def _postdial(self, call_id: str) -> None:
        record = self.calls.get(call_id)
        if record is None or not record.extension or record.state != CallState.CONFIRMED:
            return
        digits, record.extension = record.extension, None
        asyncio.get_running_loop().create_task(self._stack_quietly(call_id, digits))

    async def _stack_quietly(self, call_id: str, digits: str) -> None:
        try:
            await self._stack.send_dtmf(call_id, digits, "auto")
        except StackError as exc:
            log.warning("extension digits for %s not sent: %s", call_id, exc.message)

    # ---- call control ---------------------------------------------------------------------

    def live(self, call_id: str) -> CallRecord:
        record = self.calls.get(call_id)
        if record is None or record.state == CallState.DISCONNECTED:
            raise _not_found(f"live call {call_id}")
        return record

    def _require(self, record: CallRecord, *states: CallState) -> None:
        if record.state not in states:
            raise ProtocolError(
                ErrorCode.INVALID_STATE,
                f"the call is {record.state.value}; this needs it "
                + " or ".join(s.value for s in states),
                {"state": record.state.value},
            )

    async def command(self, call_id: str, action: str, **kwargs: Any) -> CallInfo:
        """Runs one call control action and returns the call's state after it."""
        record = self.live(call_id)
        try:
            await self._dispatch(record, action, **kwargs)
        except StackError as exc:
            raise _stack_failure(exc) from None
        self._publish(record)
        return record.info()

    async def _dispatch(self, record: CallRecord, action: str, **kwargs: Any) -> None:
        stack = self._stack
        talking = (CallState.CONFIRMED,)
        if action == "answer":
            self._inbound_ringing(record)
            await stack.answer(record.id)
        elif action == "decline":
            self._inbound_ringing(record)
            record.end_cause = EndCause.REJECTED
            await stack.hangup(record.id, kwargs["code"])
        elif action == "hangup":
            await stack.hangup(record.id)
        elif action == "hold":
            self._require(record, *talking)
            await stack.hold(record.id)
            record.held = True
        elif action == "resume":
            self._require(record, *talking)
            await stack.resume(record.id)
            record.held = False
        elif action in ("mute", "unmute"):
            await stack.set_muted(record.id, action == "mute")
            record.muted = action == "mute"
        elif action == "dtmf":
            self._require(record, CallState.CONFIRMED, CallState.CONNECTING)
            await stack.send_dtmf(record.id, kwargs["digits"], kwargs["method"])
        elif action == "transfer":
            self._require(record, *talking)
            account = self.accounts[record.account_id]
            target = self.resolve(kwargs["target"], account, None)
            await stack.transfer(record.id, target.uri)
        elif action == "transfer_attended":
            self._require(record, *talking)
            consult = self.live(kwargs["consult_call_id"])
            self._require(consult, *talking)
            await stack.transfer_replaces(record.id, consult.id)
        elif action == "message":
            self._require(record, *talking)
            await stack.send_call_message(record.id, kwargs["text"])
        elif action == "record":
            await self._record(record, kwargs["on"])
        else:
            raise ValueError(f"unknown action {action}")

    def _inbound_ringing(self, record: CallRecord) -> None:
        if record.direction != "inbound":
            raise ProtocolError(ErrorCode.INVALID_STATE, "only an incoming call can be answered")
        self._require(record, CallState.RINGING)

    async def _record(self, record: CallRecord, on: bool) -> None:
        if on and record.recording is None:
            self.recordings_dir.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime())
            path = self.recordings_dir / f"{stamp}-{record.id[:8]}.wav"
            await self._stack.start_recording(record.id, path)
            record.recording = str(path)
        elif not on and record.recording is not None:
            await self._stack.stop_recording(record.id)
            record.recording = None

    async def add_participant(self, call_id: str, text: str) -> CallInfo:
        """Calls `text` and, once it answers, bridges it with `call_id` (3-way)."""
        record = self.live(call_id)
        self._require(record, CallState.CONFIRMED)
        added = await self.place(text, record.account_id, None)
        new = self.calls[added.id]
        try:
            await self._stack.bridge(record.id, new.id)
        except StackError as exc:
            raise _stack_failure(exc) from None
        record.conference.add(new.id)
        new.conference.add(record.id)
        self._publish(record)
        self._publish(new)
        return new.info()

    async def send_message(self, to: str, text: str, account_id: str | None) -> str:
        account = self._account(account_id)
        target = self.resolve(to, account, None)
        try:
            return await self._stack.send_pager(account.config.id, target.uri, text)
        except StackError as exc:
            raise _stack_failure(exc) from None

    async def presence(self, action: str, account_id: str | None, **kwargs: Any) -> None:
        account = self._account(account_id).config.id
        try:
            if action == "subscribe":
                await self._stack.subscribe_presence(account, kwargs["uri"])
            elif action == "unsubscribe":
                await self._stack.unsubscribe_presence(account, kwargs["uri"])
            else:
                await self._stack.set_presence(account, kwargs["status"], kwargs["note"])
        except StackError as exc:
            raise _stack_failure(exc) from None

    # ---- events from the stack ----------------------------------------------------------------

    def _publish(self, record: CallRecord) -> None:
        info = record.info()
        if self._observer is not None:
            try:
                self._observer(info)
            except Exception:
                log.exception("the call log could not record call %s", record.id)
        self._emit("call.updated", {"call": info.model_dump(mode="json")})

    def _on_event(self, event: StackEvent) -> None:
        try:
            self._handle(event)
        except Exception:
            log.exception("stack event %s not handled", type(event).__name__)

    def _handle(self, event: StackEvent) -> None:
        if isinstance(event, CallStateChanged):
            self._call_state(event)
        elif isinstance(event, IncomingCall):
            self._incoming(event)
        elif isinstance(event, CallMediaChanged):
            self._media(event)
        elif isinstance(event, RegistrationChanged):
            self._registration(event)
        elif isinstance(event, TransferProgress):
            self._transfer_progress(event)
        elif isinstance(event, TransferRequested):
            self._transfer_requested(event)
        elif isinstance(event, DtmfReceived):
            self._emit("call.dtmf_received", {"call_id": event.call_id, "digit": event.digit})
        elif isinstance(event, CallMessageReceived):
            self._emit("call.message_received", dict(event.__dict__))
        elif isinstance(event, PagerReceived):
            self._emit("message.received", dict(event.__dict__))
        elif isinstance(event, PagerStatus):
            payload = dict(event.__dict__, ok=200 <= event.status_code < 300)
            self._emit("message.status", payload)
        elif isinstance(event, BuddyChanged):
            self._emit("presence.updated", dict(event.__dict__))
        elif isinstance(event, MediaLost):
            record = self.calls.get(event.call_id)
            if record is not None:
                record.end_cause = EndCause.NETWORK
                record.reason = f"no audio from the far end for {event.silent_s} s"

    def _incoming(self, event: IncomingCall) -> None:
        record = CallRecord(event.call_id, event.account_id, "inbound")
        record.state = CallState.RINGING
        record.remote_uri = event.remote_uri
        record.remote_display = event.remote_display
        record.e164 = _e164_of(event.remote_uri)
        self.calls[event.call_id] = record
        # A caller that never cancels (or a forged INVITE) must not ring for ever and
        # hold one of the stack's few call slots: unanswered, it is refused with 480.
        account = self.accounts.get(event.account_id)
        timeout = account.config.no_answer_timeout_s if account else INBOUND_RING_S
        record.timers.append(
            asyncio.get_running_loop().call_later(timeout, self._unanswered, event.call_id)
        )
        self._publish(record)

    def _unanswered(self, call_id: str) -> None:
        record = self.calls.get(call_id)
        if record is None or record.state != CallState.RINGING:
            return
        record.end_cause = EndCause.NO_ANSWER
        record.reason = "no answer"
        asyncio.get_running_loop().create_task(self._hangup_quietly(call_id, 480))

    def _media(self, event: CallMediaChanged) -> None:
        record = self.calls.get(event.call_id)
        if record is not None:
            record.held = event.local_hold
            record.remote_held = event.remote_hold
            self._publish(record)

    def _transfer_progress(self, event: TransferProgress) -> None:
        record = self.calls.get(event.call_id)
        if record is not None and event.final and 200 <= event.status_code < 300:
            record.end_cause = EndCause.TRANSFERRED
            record.reason = "transferred"

    def _transfer_requested(self, event: TransferRequested) -> None:
        parent = self.calls.get(event.call_id)
        account_id = parent.account_id if parent else LOCAL_ACCOUNT_ID
        record = CallRecord(event.new_call_id, account_id, "outbound")
        record.dialed = record.remote_uri = event.target
        record.e164 = _e164_of(event.target)
        self.calls.setdefault(event.new_call_id, record)
        self._publish(self.calls[event.new_call_id])

    def _call_state(self, event: CallStateChanged) -> None:
        record = self.calls.get(event.call_id)
        if record is None:  # placed a moment ago: `place` fills in what it dialled
            record = CallRecord(event.call_id, LOCAL_ACCOUNT_ID, "outbound")
            self.calls[event.call_id] = record
        record.state = _STATE[event.state]
        record.status_code = event.status_code or record.status_code
        if event.reason and record.end_cause not in (EndCause.NO_ANSWER, EndCause.NETWORK):
            record.reason = event.reason
        if event.remote_uri:
            record.remote_uri = event.remote_uri
        if event.remote_display:
            record.remote_display = event.remote_display
        if record.state == CallState.CONFIRMED and record.answered_at is None:
            record.answered_at = time.time()
            if record.extension:
                record.timers.append(
                    asyncio.get_running_loop().call_later(
                        POSTDIAL_DELAY_S, self._postdial, record.id
                    )
                )
        if record.state == CallState.DISCONNECTED:
            record.ended_at = time.time()
            record.held = record.remote_held = False
            record.recording = None
            if record.end_cause is None:
                record.end_cause = end_cause(event.status_code, record.answered_at is not None)
            if event.rtp is not None:
                record.rtp = RtpStats(**event.rtp.__dict__)
            for timer in record.timers:
                timer.cancel()
            record.timers.clear()
            for partner in record.conference:
                other = self.calls.get(partner)
                if other is not None:
                    other.conference.discard(record.id)
            self._forget_later(record.id)
        self._publish(record)

    def add_interrupted(
        self, call_id: str, direction: str, number: str, started_at: float, ended_at: float
    ) -> None:
        """A call that was up when the daemon last died: listed as ended (interrupted), so
        a client that shows it can tell what became of it."""
        record = CallRecord(call_id, LOCAL_ACCOUNT_ID, direction)
        record.state = CallState.DISCONNECTED
        record.remote_uri = number if number.startswith(("sip:", "sips:")) else ""
        record.e164 = number if number.startswith("+") else None
        record.dialed = number if direction == "outbound" else ""
        record.created_at, record.ended_at = started_at, ended_at
        record.end_cause = EndCause.INTERRUPTED
        record.reason = "the Rolecall daemon stopped during the call"
        self.calls.setdefault(call_id, record)
        self._forget_later(call_id)

    def _forget_later(self, call_id: str) -> None:
        """Keeps the last 50 ended calls for late clients; older ones are dropped."""
        self._ended.append(call_id)
        while len(self._ended) > 50:
            self.calls.pop(self._ended.pop(0), None)

    def _registration(self, event: RegistrationChanged) -> None:
        record = self.accounts.get(event.account_id)
        if record is None:
            return
        if event.active and 200 <= event.status_code < 300:
            state = RegistrationState.REGISTERED
        elif 200 <= event.status_code < 300:
            state = RegistrationState.UNREGISTERED
        else:
            state = RegistrationState.FAILED
        record.registration = state
        record.status_code = event.status_code
        record.reason = event.reason
        record.expires_s = event.expires_s if event.active else None
        self._emit_registration(record)

    def _emit_registration(self, record: AccountRecord) -> None:
        self._emit(
            "account.registration",
            {
                "account_id": record.config.id,
                "state": record.registration.value,
                "status_code": record.status_code,
                "reason": record.reason,
                "expires_s": record.expires_s,
                "advice": record.advice(),
            },
        )


def _e164_of(uri: str) -> str | None:
    """The caller's number when the URI's user part is one in E.164."""
    match = re.search(r"sips?:(\+[1-9][0-9]{6,14})@", uri)
    return match.group(1) if match else None
