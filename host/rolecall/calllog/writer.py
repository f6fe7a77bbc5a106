"""Turns the telephony service's call updates into call log entries in the store.

A call is written as `live` when first seen and as `ended` when it disconnects, before
the disconnect is published to any client; a daemon killed mid-call leaves a `live`
row behind, which the next start marks as interrupted. The contact and opportunity are
those of the CRM record the call was placed from, when the store knows it (and the
page's site may name its records), else those
the caller's number matches when the match is unambiguous. An entry that cannot be
written (a full disk) is reported through `on_write_failed`, never dropped silently.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from rolecall.protocol.calllog import CallLogEntry
from rolecall.protocol.page import PageRecord, record_ref
from rolecall.protocol.telephony import CallInfo, CallState
from rolecall.store.store import Store

log = logging.getLogger(__name__)


def _when(timestamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp is not None else None


class CallLogger:
    """Keeps the call log in step with the calls."""

    def __init__(
        self,
        store: Store,
        on_ended: Callable[[CallLogEntry], None] = lambda entry: None,
        may_name: Callable[[PageRecord], bool] = lambda record: True,
        on_write_failed: Callable[[str, str], object] = lambda call_id, reason: None,
    ) -> None:
        self._store = store
        self._on_write_failed = on_write_failed
        """Told (call id, reason) when an entry could not be written, so the user hears of it."""
        self._may_name = may_name
        """Whether a page's record may name a stored record (the origin rule)."""
        self._on_ended = on_ended
        """Told of each finished call once it is on disk (it queues the CRM write-backs)."""
        self._links: dict[str, tuple[str | None, str | None, str | None]] = {}
        self._recordings: dict[str, str] = {}
        self._paged: set[str] = set()
        """Calls whose link was decided with their page's record."""
        self._written: dict[str, tuple[object, ...]] = {}

    def recover(self) -> list[CallLogEntry]:
        """Marks calls still `live` from a previous run as interrupted; those entries."""
        stale = self._store.calls(state="live", limit=500)
        ended = []
        for entry, _ in stale:
            finished = entry.model_copy(
                update={"end_cause": "interrupted", "ended_at": entry.ended_at}
            )
            self._store.call_ended(finished)
            ended.append(finished)
        return ended

    def _link(self, call: CallInfo) -> tuple[str | None, str | None, str | None]:
        """(contact, opportunity, account) of the call; decided once the number is known.

        The CRM record the call was placed from wins when the store knows it; otherwise
        the number decides, when it matches exactly one contact.
        """
        if call.id in self._links and (call.record is None or call.id in self._paged):
            return self._links[call.id]
        if call.record is not None:  # the page may be told after the call was placed
            self._paged.add(call.id)
        contact = opportunity = account = None
        if call.e164:
            ids = self._store.contacts_by_phone(call.e164)
            page = call.record if call.record is not None and self._may_name(call.record) else None
            if page is not None and page.record_id and self._store.contacts([page.record_id]):
                ids = [page.record_id]
            if page is not None and page.record_id and self._store.opportunity(page.record_id):
                opportunity = page.record_id
                on_deal = {r.contact_id for r in self._store.roles(opportunity)}
                ids = [i for i in ids if i in on_deal]
            if len(ids) == 1:
                contact = ids[0]
                account = self._store.contacts(ids)[contact].account_id
                if opportunity is None:
                    opportunities = {o for _, o in self._store.opportunities_of(ids)}
                    opportunity = opportunities.pop() if len(opportunities) == 1 else None
            if opportunity is not None and account is None:
                found = self._store.opportunity(opportunity)
                account = found.account_id if found else None
            self._links[call.id] = (contact, opportunity, account)
        return (contact, opportunity, account)

    def entry(self, call: CallInfo) -> CallLogEntry:
        contact, opportunity, account = self._link(call)
        started = _when(call.created_at) or datetime.now(UTC)
        ended = _when(call.ended_at) or datetime.now(UTC)
        answered = _when(call.answered_at)
        talk = int((ended - answered).total_seconds()) if answered and call.ended_at else 0
        return CallLogEntry(
            call_id=call.id,
            idempotency_key=f"rolecall:{call.id}",
            direction=call.direction,
            number=call.e164 or call.remote_uri[:256],
            contact_id=contact,
            opportunity_id=opportunity,
            account_id=account,
            subject=f"{'Call to' if call.direction == 'outbound' else 'Call from'} "
            f"{call.remote_display or call.e164 or call.remote_uri}"[:255],
            started_at=started,
            answered_at=answered,
            ended_at=ended,
            duration_s=max(talk, 0),
            end_cause=call.end_cause.value if call.end_cause else "",
            recording_path=call.recording or self._recordings.get(call.id),
            record=record_ref(call.record),
        )

    def update(self, call: CallInfo) -> None:
        """Called with every call change, before it is published; a failed write is reported."""
        try:
            self._update(call)
        except (sqlite3.Error, OSError) as exc:
            reason = str(exc) or type(exc).__name__
            log.error("the call log could not record call %s: %s", call.id, reason)
            self._on_write_failed(call.id, reason)

    def _update(self, call: CallInfo) -> None:
        if call.recording:
            self._recordings[call.id] = call.recording
        if call.state == CallState.DISCONNECTED:
            self._store.call_ended(self.entry(call), keep_wrap_up=True)
            stored = self._store.call(call.id)  # with what was added while it was up
            finished = stored[0] if stored is not None else self.entry(call)
            self._on_ended(finished)
            for known in (self._links, self._recordings, self._written):
                known.pop(call.id, None)
            self._paged.discard(call.id)
            return
        written = (*self._link(call), call.record)
        if self._written.get(call.id) != written:  # first sight, the number or page known
            self._store.call_started(self.entry(call), keep_wrap_up=True)
            self._written[call.id] = written
