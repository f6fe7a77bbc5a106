"""The telephony facade the daemon holds: the stack's life, its events, messages, presence.

It starts the stack and loads the accounts (requests wait in `ready` until then), routes
each stack event to the account or call service that owns it (or straight to clients),
sends pager messages and manages presence (within `presence_watch.py`'s rules).
Accounts live in `account_service.py`, calls in `call_service.py`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from rolecall.paths import Home
from rolecall.protocol.errors import ErrorCode, ProtocolError
from rolecall.protocol.telephony import CallInfo
from rolecall.secrets import SecretStore
from rolecall.telephony.account_service import AccountService, Emit, dial_target
from rolecall.telephony.call_service import CallService
from rolecall.telephony.failures import stack_failure
from rolecall.telephony.presence_watch import PresenceWatch
from rolecall.telephony.stack import (
    BuddyChanged,
    CallMediaChanged,
    CallMessageReceived,
    CallStateChanged,
    DtmfReceived,
    IncomingCall,
    MediaLost,
    PagerReceived,
    PagerStatus,
    PresenceState,
    RegistrationChanged,
    SipStack,
    StackError,
    StackEvent,
    StackInfo,
    TransferProgress,
    TransferRequested,
)

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 20.0
"""How long a request waits for the SIP stack and saved accounts at start-up."""


class TelephonyService:
    """Accounts, calls, messages and presence for every client of the daemon."""

    def __init__(
        self,
        home: Home,
        stack: SipStack,
        emit: Emit,
        secrets: SecretStore,
        observer: Callable[[CallInfo], None] | None = None,
    ) -> None:
        self._stack = stack
        self._emit = emit
        self._started = asyncio.Event()
        self.accounts = AccountService(home, stack, emit, secrets)
        self.calls = CallService(stack, self.accounts, emit, home.data_dir / "recordings", observer)
        self.info: StackInfo | None = None
        self.presence = PresenceWatch()

    # ---- life -----------------------------------------------------------------------------

    async def start(self) -> None:
        try:
            self.info = await self._stack.start(self._on_event)
            await self.accounts.add_local_and_saved(self._local_host())
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
        self.calls.cancel_timers()
        await self._stack.stop()
        self.calls.interrupt_all()

    # ---- messages and presence ------------------------------------------------------------

    async def send_message(self, to: str, text: str, account_id: str | None) -> str:
        account = self.accounts.pick(account_id)
        target = dial_target(to, account, None)
        try:
            return await self._stack.send_pager(account.config.id, target.uri, text)
        except StackError as exc:
            raise stack_failure(exc) from None

    async def subscribe_presence(self, account_id: str | None, uri: str) -> None:
        record = self.accounts.pick(account_id)
        self.presence.admit(record, uri)  # dial plan, own domain, at most 50
        account = record.config.id
        try:
            await self._stack.subscribe_presence(account, uri)
        except StackError as exc:
            raise stack_failure(exc) from None
        self.presence.added(account, uri)

    async def unsubscribe_presence(self, account_id: str | None, uri: str) -> None:
        account = self.accounts.pick(account_id).config.id
        self.presence.removed(account, uri)
        try:
            await self._stack.unsubscribe_presence(account, uri)
        except StackError as exc:
            raise stack_failure(exc) from None

    async def set_presence(self, account_id: str | None, status: PresenceState, note: str) -> None:
        account = self.accounts.pick(account_id).config.id
        try:
            await self._stack.set_presence(account, status, note)
        except StackError as exc:
            raise stack_failure(exc) from None

    # ---- events from the stack ----------------------------------------------------------------

    def _on_event(self, event: StackEvent) -> None:
        try:
            self._route(event)
        except Exception:
            log.exception("stack event %s not handled", type(event).__name__)

    def _route(self, event: StackEvent) -> None:
        calls = self.calls
        if isinstance(event, CallStateChanged):
            calls.on_call_state(event)
        elif isinstance(event, IncomingCall):
            calls.on_incoming(event)
        elif isinstance(event, CallMediaChanged):
            calls.on_media(event)
        elif isinstance(event, RegistrationChanged):
            self.accounts.on_registration(event)
        elif isinstance(event, TransferProgress):
            calls.on_transfer_progress(event)
        elif isinstance(event, TransferRequested):
            calls.on_transfer_requested(event)
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
            calls.on_media_lost(event)
