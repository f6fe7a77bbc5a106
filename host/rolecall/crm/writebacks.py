"""Every write-back to a CRM is queued here: a call ended, a role changed, a note added.

Each goes into the outbox once per configured connector (the call log) or for the one
CRM the user named (roles, notes), under an idempotency key, and wakes the outbox
worker. The call log waits for the wrap-up time so notes typed after hang-up go with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from rolecall.crm.connectors.base import Connector, ContactNote
from rolecall.crm.outbox import Outbox, note_key
from rolecall.protocol.calllog import CallLogEntry
from rolecall.protocol.records import ContactRole


class WriteBacks:
    """Queues write-backs into `outbox` for `connectors`, poking the worker after each."""

    def __init__(
        self,
        outbox: Outbox,
        connectors: Mapping[str, Connector],
        poke: Callable[[], None] = lambda: None,
        wrapup_end: Callable[[CallLogEntry], datetime] = lambda entry: datetime.now(UTC),
    ) -> None:
        self.outbox = outbox
        self.connectors = connectors
        self._poke = poke
        self._wrapup_end = wrapup_end

    def call_ended(self, entry: CallLogEntry, *, final: bool = False) -> None:
        """Queues (or refreshes) the call's log for every connector.

        It is due once the wrap-up is over; `final` makes it due now.
        """
        for name in self.connectors:  # pending write-backs carry the latest text
            self.outbox.enqueue(
                name,
                "call_log",
                entry.idempotency_key,
                entry.model_dump(mode="json"),
                not_before=None if final else self._wrapup_end(entry),
            )
        if final:
            self.outbox.release(entry.idempotency_key, datetime.now(UTC))
        if self.connectors:
            self._poke()

    def role_changed(self, crm: str, changed: ContactRole) -> None:
        """Queues a contact's new role on an opportunity for `crm`."""
        # the change itself is the key: repeating it is one write, a new one another
        key = (
            f"role:{changed.opportunity_id}:{changed.contact_id}:"
            f"{changed.role.value}:{int(changed.is_primary)}"
        )
        self.outbox.enqueue(crm, "contact_role", key, changed.model_dump(mode="json"))
        self._poke()

    def note_added(self, crm: str, note_id: int, note: ContactNote) -> None:
        """Queues the stored note `note_id` for `crm`; call it in the note's transaction."""
        self.outbox.enqueue(
            crm, "contact_note", note_key(note_id, note), note.model_dump(mode="json")
        )
        self._poke()
