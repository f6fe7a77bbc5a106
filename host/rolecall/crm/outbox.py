"""The outbox: write-backs to CRMs that survive restarts and retry with backoff.

Each item is one write (a call log entry, a role change, a contact note) to one
connector, keyed by its idempotency key: enqueueing the same write twice keeps one
item, and connectors use the key to find what an earlier attempt created, so a retry
never duplicates.
Items wait in SQLite until done; a retryable failure moves `next_attempt_at` out
(1 s, 2 s, 4 s … at most an hour); a final failure stays visible with its error.
A CRM that signed the user out (`SignedOut`) costs its items no attempt: they wait,
pending, until `resume` after the user signs in again. A done item's `next_attempt_at`
is when it was done.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rolecall.crm.connectors.base import Connector, ConnectorError, ContactNote, SignedOut
from rolecall.protocol.calllog import CallLogEntry
from rolecall.protocol.records import ContactRole
from rolecall.store.store import Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
MAX_DELAY_S = 3600.0
SIGNED_OUT_WAIT = timedelta(hours=1)
"""A signed-out CRM's items are looked at again this often (and at once on `resume`)."""


@dataclass(frozen=True)
class OutboxItem:
    id: int
    connector: str
    kind: str
    idempotency_key: str
    payload: dict[str, Any]
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    remote_id: str | None


def sync_item(item: OutboxItem) -> dict[str, Any]:
    """The item as the protocol's `SyncItem` (no payload: it may hold call notes)."""
    return {
        "connector": item.connector,
        "kind": item.kind,
        "idempotency_key": item.idempotency_key,
        "state": item.state,
        "attempts": item.attempts,
        "next_attempt_at": item.next_attempt_at.isoformat(),
        "last_error": item.last_error,
        "remote_id": item.remote_id,
    }


def note_key(note_id: int, note: ContactNote) -> str:
    """The idempotency key of a stored note: `note:<row id>:<digest>`.

    The row id alone repeats across Rolecall installs (and after a store is rebuilt), so
    a digest of the note's contact, time and text keeps two installs' notes apart.
    """
    digest = hashlib.sha256(
        "\x1f".join((note.contact_id, note.created_at.isoformat(), note.body)).encode()
    ).hexdigest()
    return f"note:{note_id}:{digest[:12]}"


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure."""
    return timedelta(seconds=min(2.0 ** max(attempts - 1, 0), MAX_DELAY_S))


class Outbox:
    """The `outbox` table."""

    def __init__(self, store: Store) -> None:
        self._db = store.db

    def enqueue(
        self,
        connector: str,
        kind: str,
        key: str,
        payload: dict[str, Any],
        not_before: datetime | None = None,
    ) -> None:
        """Adds the write, or updates its payload while it has not been done."""
        when = (not_before or datetime.now(UTC)).isoformat()
        self._db.execute(
            "INSERT INTO outbox (connector, kind, idempotency_key, payload, state, "
            "next_attempt_at) VALUES (?, ?, ?, ?, 'pending', ?) "
            "ON CONFLICT (connector, kind, idempotency_key) DO UPDATE SET "
            "payload = excluded.payload WHERE state = 'pending'",
            (connector, kind, key, json.dumps(payload), when),
        )

    def release(self, key: str, when: datetime) -> None:
        """Makes every pending item with this key due at `when` (e.g. wrap-up is over)."""
        self._db.execute(
            "UPDATE outbox SET next_attempt_at = ? WHERE idempotency_key = ? AND state = 'pending'",
            (when.isoformat(), key),
        )

    def items(self, *, state: str | None = None, limit: int = 100) -> list[OutboxItem]:
        sql = "SELECT * FROM outbox"
        args: list[object] = []
        if state is not None:
            sql += " WHERE state = ?"
            args.append(state)
        rows = self._db.execute(sql + " ORDER BY id DESC LIMIT ?", [*args, limit])
        return [self._item(row) for row in rows]

    def due(self, now: datetime) -> list[OutboxItem]:
        rows = self._db.execute(
            "SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id",
            (now.isoformat(),),
        )
        return [self._item(row) for row in rows]

    def done(self, item: OutboxItem, remote_id: str, now: datetime | None = None) -> None:
        self._db.execute(
            "UPDATE outbox SET state = 'done', remote_id = ?, attempts = attempts + 1, "
            "last_error = '', next_attempt_at = ? WHERE id = ?",
            (remote_id, (now or datetime.now(UTC)).isoformat(), item.id),
        )

    def resume(self, connector: str, now: datetime) -> int:
        """Makes `connector`'s pending items due now (the user signed in again); how many."""
        cursor = self._db.execute(
            "UPDATE outbox SET next_attempt_at = ? WHERE connector = ? AND state = 'pending'",
            (now.isoformat(), connector),
        )
        return int(cursor.rowcount)

    def summary(self, connector: str) -> tuple[datetime | None, int]:
        """When a write-back to `connector` last succeeded, and how many are pending."""
        row = self._db.execute(
            "SELECT MAX(CASE WHEN state = 'done' THEN next_attempt_at END) AS last, "
            "SUM(state = 'pending') AS pending FROM outbox WHERE connector = ?",
            (connector,),
        ).fetchone()
        last = datetime.fromisoformat(row["last"]) if row and row["last"] else None
        return last, int(row["pending"] or 0) if row else 0

    def failed(self, item: OutboxItem, error: ConnectorError, now: datetime) -> None:
        if isinstance(error, SignedOut):  # not the item's fault: it waits for a new sign-in
            self._db.execute(
                "UPDATE outbox SET last_error = ?, next_attempt_at = ? WHERE id = ?",
                (error.message[:1000], (now + SIGNED_OUT_WAIT).isoformat(), item.id),
            )
            return
        attempts = item.attempts + 1
        final = not error.retryable or attempts >= MAX_ATTEMPTS
        self._db.execute(
            "UPDATE outbox SET state = ?, attempts = ?, last_error = ?, next_attempt_at = ? "
            "WHERE id = ?",
            (
                "failed" if final else "pending",
                attempts,
                error.message[:1000],
                (now + backoff(attempts)).isoformat(),
                item.id,
            ),
        )

    @staticmethod
    def _item(row: Any) -> OutboxItem:
        return OutboxItem(
            id=row["id"],
            connector=row["connector"],
            kind=row["kind"],
            idempotency_key=row["idempotency_key"],
            payload=json.loads(row["payload"]),
            state=row["state"],
            attempts=row["attempts"],
            next_attempt_at=datetime.fromisoformat(row["next_attempt_at"]),
            last_error=row["last_error"],
            remote_id=row["remote_id"],
        )


def _perform(connector: Connector, item: OutboxItem) -> str:
    if item.kind == "call_log":
        return connector.write_call_log(CallLogEntry.model_validate(item.payload))
    if item.kind == "contact_role":
        connector.update_contact_role(ContactRole.model_validate(item.payload))
        return ""
    if item.kind == "contact_note":
        note = ContactNote.model_validate(item.payload)
        return connector.write_contact_note(note, item.idempotency_key)
    raise ConnectorError(f"unknown outbox item kind {item.kind}", retryable=False)


class OutboxWorker:
    """Works the outbox off on the event loop, running connectors in a worker thread."""

    def __init__(
        self,
        outbox: Outbox,
        connectors: Mapping[str, Connector],
        on_change: Callable[[OutboxItem], object] = lambda item: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._outbox = outbox
        self._connectors = connectors
        self._on_change = on_change
        self._clock = clock
        self._wake = asyncio.Event()

    def poke(self) -> None:
        """Something was enqueued: look now rather than at the next tick."""
        self._wake.set()

    async def run_once(self) -> int:
        """Attempts every due item once; how many were attempted."""
        due = self._outbox.due(self._clock())
        for item in due:
            connector = self._connectors.get(item.connector)
            try:
                if connector is None:
                    raise ConnectorError(
                        f"no {item.connector} connector is configured", retryable=True
                    )
                remote_id = await asyncio.to_thread(_perform, connector, item)
            except ConnectorError as exc:
                log.warning("outbox %s %s: %s", item.connector, item.idempotency_key, exc.message)
                self._outbox.failed(item, exc, self._clock())
            except Exception as exc:
                log.exception("outbox item %d failed", item.id)
                self._outbox.failed(item, ConnectorError(str(exc), retryable=True), self._clock())
            else:
                self._outbox.done(item, remote_id, self._clock())
            self._on_change(next(i for i in self._outbox.items(limit=500) if i.id == item.id))
        return len(due)

    async def run(self, tick_s: float = 5.0) -> None:
        """Forever: work the outbox whenever poked or every `tick_s` seconds."""
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("outbox pass failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), tick_s)
