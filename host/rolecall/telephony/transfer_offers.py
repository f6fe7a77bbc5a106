"""Transfers a far end asks for (REFER), offered to the user and never obeyed on its own.

The stack has declined every REFER with 603 before this module hears of it, so nothing
is ever dialled here without a user's `call.transfer_accept`. A request whose target
fails the account's dial plan, whose Refer-To carries headers other than `Replaces`, or
whose `Replaces` names a dialog that is not one of our calls is refused at once
(`call.transfer_refused`). Any other becomes an offer (`call.transfer_requested`) that
lasts `OFFER_TIMEOUT_S`; accepting places the call through the normal dial path (dial
plan, call log) and hangs up the call that asked once the new one is answered.
Declining, the offer's time running out, or the asking call ending end it
(`call.transfer_ended`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from rolecall.protocol.errors import ProtocolError
from rolecall.protocol.telephony import CallInfo, CallState, EndCause
from rolecall.telephony.account_service import AccountService, Emit, dial_target
from rolecall.telephony.failures import not_found
from rolecall.telephony.refer import Replaces, parse_refer_to
from rolecall.telephony.stack import TransferRequested

log = logging.getLogger(__name__)

OFFER_TIMEOUT_S = 30.0
"""How long the user has to accept a transfer the far end asked for."""


class CallView(Protocol):
    """What an offer needs of one call (`call_service.CallRecord`)."""

    id: str
    state: CallState
    remote_uri: str
    remote_display: str
    e164: str | None
    end_cause: EndCause | None
    reason: str


class Calls(Protocol):
    """What offers need of the call service (`call_service.CallService`)."""

    @property
    def records(self) -> Mapping[str, CallView]: ...
    def live(self, call_id: str) -> object: ...
    def hang_up_later(self, call_id: str) -> None: ...
    async def place(
        self,
        text: str,
        account_id: str | None,
        region: str | None,
        *,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> CallInfo: ...


@dataclass
class TransferOffer:
    request_id: str
    call_id: str
    account_id: str
    text: str
    """The Refer-To's URI, dialled through the dial plan again on accept."""
    replaces: Replaces | None
    shown: dict[str, Any]
    """`call.transfer_requested`'s payload."""
    expires_at: float
    """On the event loop's clock."""
    timer: asyncio.TimerHandle | None = None


class TransferOffers:
    """The pending transfer offers of every call, and the calls placed by accepting one."""

    def __init__(self, calls: Calls, accounts: AccountService, emit: Emit) -> None:
        self._calls = calls
        self._accounts = accounts
        self._emit = emit
        self.pending: dict[str, TransferOffer] = {}
        self._replacing: dict[str, str] = {}
        """A call placed on accept → the call that asked for it (hung up on answer)."""

    # ---- a far end asks -------------------------------------------------------------------

    def on_requested(self, event: TransferRequested) -> None:
        parent = self._calls.records.get(event.call_id)
        if parent is None or parent.state == CallState.DISCONNECTED:
            return
        refer = parse_refer_to(event.refer_to)
        if refer.problem is not None:
            self._refuse(parent, event.refer_to, refer.problem)
            return
        if refer.replaces is not None and not event.replaces_known:
            self._refuse(parent, event.refer_to, "unknown_replaces")
            return
        if any(offer.call_id == parent.id for offer in self.pending.values()):
            self._refuse(parent, event.refer_to, "pending")
            return
        # The stack's word on the account: a call answered at once can ask before `place`
        # has filled in its record.
        account = self._accounts.records.get(event.account_id)
        if account is None:
            self._refuse(parent, event.refer_to, "no_account")
            return
        try:
            target = dial_target(refer.uri, account, None)
        except ProtocolError as exc:
            self._refuse(parent, event.refer_to, str(exc.details.get("reason", "invalid")))
            return
        request_id = uuid.uuid4().hex
        shown = {
            "request_id": request_id,
            "call_id": parent.id,
            "by": _party(parent),
            "target": target.e164 or target.uri,
            "target_uri": target.uri,
            "attended": refer.replaces is not None,
            "expires_in_s": int(OFFER_TIMEOUT_S),
        }
        loop = asyncio.get_running_loop()
        offer = TransferOffer(
            request_id,
            parent.id,
            event.account_id,
            refer.uri,
            refer.replaces,
            shown,
            loop.time() + OFFER_TIMEOUT_S,
        )
        offer.timer = loop.call_later(OFFER_TIMEOUT_S, self._end, request_id, "expired")
        self.pending[request_id] = offer
        log.info("call %s asks to be transferred to %s: offered", parent.id, target.uri)
        self._emit("call.transfer_requested", shown)

    def listed(self) -> list[dict[str, Any]]:
        """The pending offers as `call.transfer_requested` says them, time left updated."""
        now = asyncio.get_running_loop().time()
        return [
            {**offer.shown, "expires_in_s": max(0, round(offer.expires_at - now))}
            for offer in self.pending.values()
        ]

    def _refuse(self, parent: CallView, refer_to: str, reason: str) -> None:
        log.warning("call %s asked for a transfer, refused (%s)", parent.id, reason)
        self._emit(
            "call.transfer_refused",
            {
                "call_id": parent.id,
                "by": _party(parent),
                "target": refer_to[:256],
                "reason": reason[:40],
            },
        )

    # ---- the user answers -----------------------------------------------------------------

    async def accept(self, request_id: str) -> CallInfo:
        offer = self._take(request_id)
        headers: tuple[tuple[str, str], ...] = ()
        if offer.replaces is not None:
            headers = (("Replaces", offer.replaces.header()),)
        try:
            self._calls.live(offer.call_id)
            placed = await self._calls.place(offer.text, offer.account_id, None, headers=headers)
        except ProtocolError:
            self._ended(offer, "failed", None)
            raise
        self._replacing[placed.id] = offer.call_id
        self._ended(offer, "accepted", placed.id)
        record = self._calls.records.get(placed.id)
        if record is not None and record.state != CallState.DIALING:
            # A quick target can answer (or fail) before `place` returns here: its
            # updates went by before the call was known to replace the asking one.
            self.on_call(record)
        return placed

    def decline(self, request_id: str) -> None:
        self._ended(self._take(request_id), "declined", None)

    def _take(self, request_id: str) -> TransferOffer:
        offer = self.pending.pop(request_id, None)
        if offer is None:
            raise not_found(f"transfer request {request_id}")
        if offer.timer is not None:
            offer.timer.cancel()
        return offer

    def _end(self, request_id: str, outcome: str) -> None:
        offer = self.pending.pop(request_id, None)
        if offer is not None:
            if offer.timer is not None:
                offer.timer.cancel()
            self._ended(offer, outcome, None)

    def _ended(self, offer: TransferOffer, outcome: str, new_call_id: str | None) -> None:
        payload: dict[str, Any] = {
            "request_id": offer.request_id,
            "call_id": offer.call_id,
            "outcome": outcome,
            "new_call_id": new_call_id,
        }
        self._emit("call.transfer_ended", payload)

    # ---- calls change ---------------------------------------------------------------------

    def on_call(self, record: CallView) -> None:
        """Withdraws the offers of a call that ended; completes an accepted transfer."""
        if record.state == CallState.DISCONNECTED:
            self._replacing.pop(record.id, None)
            for offer in [o for o in self.pending.values() if o.call_id == record.id]:
                self._end(offer.request_id, "call_ended")
        elif record.state == CallState.CONFIRMED and record.id in self._replacing:
            parent = self._calls.records.get(self._replacing.pop(record.id))
            if parent is not None and parent.state != CallState.DISCONNECTED:
                parent.end_cause = EndCause.TRANSFERRED
                parent.reason = "transferred at the far end's request"
                self._calls.hang_up_later(parent.id)

    def cancel_timers(self) -> None:
        for offer in self.pending.values():
            if offer.timer is not None:
                offer.timer.cancel()


def _party(record: CallView) -> dict[str, Any]:
    return {
        "display": record.remote_display[:200],
        "uri": record.remote_uri[:512],
        "e164": record.e164,
    }
