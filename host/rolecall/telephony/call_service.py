"""Calls on the asyncio side: each call's state machine, call control, end causes, timers.

It dials after the account's dial plan has vetted the target, runs call control as one
typed method per action, keeps each call's current state for clients that connect later
(and the last 50 ended ones), turns the stack's call events into `call.updated`, and
owns the no-answer timer and the digits dialled after answer (a number's extension).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from rolecall import phones
from rolecall.protocol.errors import ErrorCode, ProtocolError
from rolecall.protocol.page import PageRecord
from rolecall.protocol.telephony import CallInfo, CallState, EndCause, RtpStats
from rolecall.telephony.account_service import AccountService, Emit, dial_target
from rolecall.telephony.account_store import LOCAL_ACCOUNT_ID
from rolecall.telephony.failures import not_found, stack_failure
from rolecall.telephony.stack import (
    CallMediaChanged,
    CallStateChanged,
    DtmfMethod,
    IncomingCall,
    MediaLost,
    SipStack,
    StackError,
    TransferProgress,
    TransferRequested,
)
from rolecall.telephony.transfer_offers import TransferOffers

log = logging.getLogger(__name__)

POSTDIAL_DELAY_S = 1.5
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
_TALKING = (CallState.CONFIRMED,)


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


PAGE_LATE_S = 60.0
"""How long after placing a call its page may still be told (`attach_page`)."""


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


def _require(record: CallRecord, *states: CallState) -> None:
    if record.state not in states:
        raise ProtocolError(
            ErrorCode.INVALID_STATE,
            f"the call is {record.state.value}; this needs it "
            + " or ".join(s.value for s in states),
            {"state": record.state.value},
        )


def _inbound_ringing(record: CallRecord) -> None:
    if record.direction != "inbound":
        raise ProtocolError(ErrorCode.INVALID_STATE, "only an incoming call can be answered")
    _require(record, CallState.RINGING)


class CallService:
    """Every call of the daemon, live and recently ended."""

    def __init__(
        self,
        stack: SipStack,
        accounts: AccountService,
        emit: Emit,
        recordings_dir: Path,
        observer: Callable[[CallInfo], None] | None = None,
    ) -> None:
        self._stack = stack
        self._accounts = accounts
        self._emit = emit
        self.recordings_dir = recordings_dir
        self._observer = observer
        """Sees every call change before clients do (the call log is written there)."""
        self.records: dict[str, CallRecord] = {}
        self._ended: list[str] = []
        self.offers = TransferOffers(self, accounts, emit)
        """Transfers far ends ask for, offered to the user."""

    def cancel_timers(self) -> None:
        self.offers.cancel_timers()
        for record in self.records.values():
            for timer in record.timers:
                timer.cancel()

    def interrupt_all(self) -> None:
        """The stack has stopped: every call still up ends as interrupted."""
        for record in list(self.records.values()):
            if record.state != CallState.DISCONNECTED:
                record.state = CallState.DISCONNECTED
                record.ended_at = time.time()
                record.end_cause = EndCause.INTERRUPTED
                record.reason = "the Rolecall daemon stopped"
                self._publish(record)

    def call_list(self) -> list[CallInfo]:
        return [record.info() for record in self.records.values()]

    # ---- dialling -------------------------------------------------------------------------

    async def place(
        self,
        text: str,
        account_id: str | None,
        region: str | None,
        page: PageRecord | None = None,
        placed: Callable[[CallInfo], None] | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> CallInfo:
        """Dials `text` (a number or URI); `page` is the CRM record it was dialled from.

        `placed` hears of the call before the first update that carries `page` is
        published, so what it records is there for anyone reacting to that update.
        `headers` go into the INVITE (an attended transfer's `Replaces`).
        """
        account = self._accounts.pick(account_id)
        target = dial_target(text, account, region)
        try:
            call_id = await self._stack.make_call(account.config.id, target.uri, headers)
        except StackError as exc:
            raise stack_failure(exc) from None
        record = self.records.get(call_id) or CallRecord(call_id, account.config.id, "outbound")
        self.records[call_id] = record
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

    def attach_page(
        self,
        call_id: str,
        page: PageRecord | None,
        placed: Callable[[CallInfo], None] | None = None,
    ) -> CallInfo:
        """The page an outbound call was placed from, told just after placing it (the
        page is read while the INVITE goes out). A call that ended meanwhile (a busy
        line answers within milliseconds) still takes it for `PAGE_LATE_S` after it was
        placed: its log entry and its pending write-back are refreshed with the record.
        A call that already has a page keeps it. `placed` hears of it before the update
        that carries it, as with `place`."""
        record = self.records.get(call_id)
        if (
            record is None
            or record.direction != "outbound"
            or time.time() - record.created_at > PAGE_LATE_S
        ):
            raise not_found(f"outbound call {call_id} placed in the last {PAGE_LATE_S:.0f} s")
        if record.page is not None:
            raise ProtocolError(ErrorCode.INVALID_STATE, "the call already has its page")
        record.page = page
        if placed is not None:
            placed(record.info())
        if page is not None:
            self._publish(record)
        return record.info()

    def _no_answer(self, call_id: str) -> None:
        record = self.records.get(call_id)
        if record is None or record.answered_at is not None or record.ended_at is not None:
            return
        record.end_cause = EndCause.NO_ANSWER
        record.reason = "no answer"
        asyncio.get_running_loop().create_task(self._hangup_quietly(call_id))

    def hang_up_later(self, call_id: str) -> None:
        """Hangs up `call_id` from a callback (failures are only logged)."""
        asyncio.get_running_loop().create_task(self._hangup_quietly(call_id))

    async def _hangup_quietly(self, call_id: str, status_code: int | None = None) -> None:
        try:
            await self._stack.hangup(call_id, status_code)
        except StackError as exc:
            log.info("hang-up of %s: %s", call_id, exc.message)

    def _postdial(self, call_id: str) -> None:
        record = self.records.get(call_id)
        if record is None or not record.extension or record.state != CallState.CONFIRMED:
            return
        digits, record.extension = record.extension, None
        asyncio.get_running_loop().create_task(self._extension_quietly(call_id, digits))

    async def _extension_quietly(self, call_id: str, digits: str) -> None:
        try:
            await self._stack.send_dtmf(call_id, digits, "auto")
        except StackError as exc:
            log.warning("extension digits for %s not sent: %s", call_id, exc.message)

    # ---- call control ---------------------------------------------------------------------

    def live(self, call_id: str) -> CallRecord:
        record = self.records.get(call_id)
        if record is None or record.state == CallState.DISCONNECTED:
            raise not_found(f"live call {call_id}")
        return record

    async def _control(
        self, call_id: str, action: Callable[[CallRecord], Awaitable[None]]
    ) -> CallInfo:
        """Runs one call control action and returns the call's state after it."""
        record = self.live(call_id)
        try:
            await action(record)
        except StackError as exc:
            raise stack_failure(exc) from None
        self._publish(record)
        return record.info()

    async def answer(self, call_id: str) -> CallInfo:
        async def action(record: CallRecord) -> None:
            _inbound_ringing(record)
            await self._stack.answer(record.id)

        return await self._control(call_id, action)

    async def decline(self, call_id: str, status_code: int) -> CallInfo:
        async def action(record: CallRecord) -> None:
            _inbound_ringing(record)
            record.end_cause = EndCause.REJECTED
            await self._stack.hangup(record.id, status_code)

        return await self._control(call_id, action)

    async def hangup(self, call_id: str) -> CallInfo:
        async def action(record: CallRecord) -> None:
            await self._stack.hangup(record.id)

        return await self._control(call_id, action)

    async def hold(self, call_id: str) -> CallInfo:
        async def action(record: CallRecord) -> None:
            _require(record, *_TALKING)
            await self._stack.hold(record.id)
            record.held = True

        return await self._control(call_id, action)

    async def resume(self, call_id: str) -> CallInfo:
        async def action(record: CallRecord) -> None:
            _require(record, *_TALKING)
            await self._stack.resume(record.id)
            record.held = False

        return await self._control(call_id, action)

    async def set_muted(self, call_id: str, muted: bool) -> CallInfo:
        async def action(record: CallRecord) -> None:
            await self._stack.set_muted(record.id, muted)
            record.muted = muted

        return await self._control(call_id, action)

    async def send_dtmf(self, call_id: str, digits: str, method: DtmfMethod) -> CallInfo:
        async def action(record: CallRecord) -> None:
            _require(record, CallState.CONFIRMED, CallState.CONNECTING)
            await self._stack.send_dtmf(record.id, digits, method)

        return await self._control(call_id, action)

    async def transfer(self, call_id: str, target_text: str) -> CallInfo:
        async def action(record: CallRecord) -> None:
            _require(record, *_TALKING)
            account = self._accounts.records[record.account_id]
            target = dial_target(target_text, account, None)
            await self._stack.transfer(record.id, target.uri)

        return await self._control(call_id, action)

    async def transfer_attended(self, call_id: str, consult_call_id: str) -> CallInfo:
        async def action(record: CallRecord) -> None:
            _require(record, *_TALKING)
            consult = self.live(consult_call_id)
            _require(consult, *_TALKING)
            await self._stack.transfer_replaces(record.id, consult.id)

        return await self._control(call_id, action)

    async def send_message(self, call_id: str, text: str) -> CallInfo:
        async def action(record: CallRecord) -> None:
            _require(record, *_TALKING)
            await self._stack.send_call_message(record.id, text)

        return await self._control(call_id, action)

    async def set_recording(self, call_id: str, on: bool) -> CallInfo:
        async def action(record: CallRecord) -> None:
            if on and record.recording is None:
                self.recordings_dir.mkdir(parents=True, exist_ok=True)
                stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime())
                path = self.recordings_dir / f"{stamp}-{record.id[:8]}.wav"
                await self._stack.start_recording(record.id, path)
                record.recording = str(path)
            elif not on and record.recording is not None:
                await self._stack.stop_recording(record.id)
                record.recording = None

        return await self._control(call_id, action)

    async def add_participant(self, call_id: str, text: str) -> CallInfo:
        """Calls `text` and, once it answers, bridges it with `call_id` (3-way)."""
        record = self.live(call_id)
        _require(record, CallState.CONFIRMED)
        added = await self.place(text, record.account_id, None)
        new = self.records[added.id]
        try:
            await self._stack.bridge(record.id, new.id)
        except StackError as exc:
            raise stack_failure(exc) from None
        record.conference.add(new.id)
        new.conference.add(record.id)
        self._publish(record)
        self._publish(new)
        return new.info()

    # ---- events from the stack ----------------------------------------------------------------

    def _publish(self, record: CallRecord) -> None:
        info = record.info()
        if self._observer is not None:
            try:
                self._observer(info)
            except Exception:
                log.exception("the call log could not record call %s", record.id)
        self._emit("call.updated", {"call": info.model_dump(mode="json")})

    def on_incoming(self, event: IncomingCall) -> None:
        record = CallRecord(event.call_id, event.account_id, "inbound")
        record.state = CallState.RINGING
        record.remote_uri = event.remote_uri
        record.remote_display = event.remote_display
        record.e164 = _e164_of(event.remote_uri)
        self.records[event.call_id] = record
        # A caller that never cancels (or a forged INVITE) must not ring for ever and
        # hold one of the stack's few call slots: unanswered, it is refused with 480.
        account = self._accounts.records.get(event.account_id)
        timeout = account.config.no_answer_timeout_s if account else INBOUND_RING_S
        record.timers.append(
            asyncio.get_running_loop().call_later(timeout, self._unanswered, event.call_id)
        )
        self._publish(record)

    def _unanswered(self, call_id: str) -> None:
        record = self.records.get(call_id)
        if record is None or record.state != CallState.RINGING:
            return
        record.end_cause = EndCause.NO_ANSWER
        record.reason = "no answer"
        asyncio.get_running_loop().create_task(self._hangup_quietly(call_id, 480))

    def on_media(self, event: CallMediaChanged) -> None:
        record = self.records.get(event.call_id)
        if record is not None:
            record.held = event.local_hold
            record.remote_held = event.remote_hold
            self._publish(record)

    def on_media_lost(self, event: MediaLost) -> None:
        record = self.records.get(event.call_id)
        if record is not None:
            record.end_cause = EndCause.NETWORK
            record.reason = f"no audio from the far end for {event.silent_s} s"

    def on_transfer_progress(self, event: TransferProgress) -> None:
        record = self.records.get(event.call_id)
        if record is not None and event.final and 200 <= event.status_code < 300:
            record.end_cause = EndCause.TRANSFERRED
            record.reason = "transferred"

    def on_transfer_requested(self, event: TransferRequested) -> None:
        self.offers.on_requested(event)

    def on_call_state(self, event: CallStateChanged) -> None:
        record = self.records.get(event.call_id)
        if record is None:  # placed a moment ago: `place` fills in what it dialled
            record = CallRecord(event.call_id, LOCAL_ACCOUNT_ID, "outbound")
            self.records[event.call_id] = record
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
                other = self.records.get(partner)
                if other is not None:
                    other.conference.discard(record.id)
            self._forget_later(record.id)
        self._publish(record)
        self.offers.on_call(record)

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
        self.records.setdefault(call_id, record)
        self._forget_later(call_id)

    def _forget_later(self, call_id: str) -> None:
        """Keeps the last 50 ended calls for late clients; older ones are dropped."""
        self._ended.append(call_id)
        while len(self._ended) > 50:
            self.records.pop(self._ended.pop(0), None)


def _e164_of(uri: str) -> str | None:
    """The caller's number when the URI's user part is one in E.164."""
    return phones.e164_of_uri(uri)
