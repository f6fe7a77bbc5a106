"""The outbox's bookkeeping on a real SQLite file: idempotent enqueue, backoff, final failure.

The CRM here is a scripted stand-in (the real ones are hosted elsewhere); the
connectors' own retries and idempotency lookups are tested against replayed vendor
responses in tests/connectors/.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rolecall.crm.connectors.base import ConnectorError
from rolecall.crm.outbox import MAX_ATTEMPTS, Outbox, OutboxWorker, backoff
from rolecall.protocol.calllog import CallLogEntry
from rolecall.protocol.records import ContactRole, Dataset
from rolecall.store.store import Store

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class ScriptedCrm:
    """Answers each write with the next scripted outcome; remembers what it created."""

    name = "salesforce"

    def __init__(self, outcomes: list[ConnectorError | None]) -> None:
        self.outcomes = outcomes
        self.created: dict[str, str] = {}
        self.attempts = 0

    def write_call_log(self, entry: CallLogEntry) -> str:
        self.attempts += 1
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        return self.created.setdefault(entry.idempotency_key, f"00T{len(self.created):015d}")

    def opportunity(self, opportunity_id: str) -> Dataset:
        raise NotImplementedError

    def find_by_phone(self, e164: str) -> Dataset:
        raise NotImplementedError

    def update_contact_role(self, role: ContactRole) -> None:
        raise NotImplementedError


def entry(call_id: str = "a" * 32) -> dict[str, object]:
    return CallLogEntry(
        call_id=call_id,
        idempotency_key=f"rolecall:{call_id}",
        direction="outbound",
        number="+14155550132",
        started_at=START,
        ended_at=START + timedelta(minutes=3),
        duration_s=170,
        end_cause="normal",
    ).model_dump(mode="json")


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def test_enqueue_twice_keeps_one_item_with_the_newest_payload(tmp_path: Path) -> None:
    outbox = Outbox(Store(tmp_path / "db.sqlite"))
    outbox.enqueue("salesforce", "call_log", "rolecall:x", {**entry(), "notes": "first"}, START)
    outbox.enqueue("salesforce", "call_log", "rolecall:x", {**entry(), "notes": "second"}, START)
    items = outbox.items()
    assert len(items) == 1 and items[0].payload["notes"] == "second"


def test_retryable_failures_back_off_then_succeed_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite")
    outbox = Outbox(store)
    crm = ScriptedCrm([ConnectorError("503", retryable=True, status=503)] * 3)
    clock = Clock()
    worker = OutboxWorker(outbox, {"salesforce": crm}, clock=clock)
    outbox.enqueue("salesforce", "call_log", "rolecall:" + "a" * 32, entry(), START)
    for attempt in range(1, 4):
        assert asyncio.run(worker.run_once()) == 1
        item = outbox.items()[0]
        assert (item.state, item.attempts) == ("pending", attempt)
        assert item.next_attempt_at == clock.now + backoff(attempt)
        assert asyncio.run(worker.run_once()) == 0  # not due yet
        clock.now = item.next_attempt_at
    asyncio.run(worker.run_once())
    done = outbox.items()[0]
    assert done.state == "done" and done.remote_id == "00T000000000000000"
    assert asyncio.run(worker.run_once()) == 0
    assert crm.attempts == 4 and len(crm.created) == 1
    store.close()
    reopened = Outbox(Store(tmp_path / "db.sqlite"))  # the state is on disk
    assert reopened.items()[0].state == "done"


def test_a_final_failure_stays_visible(tmp_path: Path) -> None:
    outbox = Outbox(Store(tmp_path / "db.sqlite"))
    crm = ScriptedCrm([ConnectorError("the token was refused (401)", retryable=False, status=401)])
    worker = OutboxWorker(outbox, {"salesforce": crm}, clock=Clock())
    outbox.enqueue("salesforce", "call_log", "rolecall:" + "b" * 32, entry("b" * 32), START)
    asyncio.run(worker.run_once())
    failed = outbox.items(state="failed")
    assert len(failed) == 1 and "401" in failed[0].last_error and failed[0].attempts == 1


def test_retries_end_after_the_attempt_limit(tmp_path: Path) -> None:
    outbox = Outbox(Store(tmp_path / "db.sqlite"))
    crm = ScriptedCrm([ConnectorError("timeout", retryable=True)] * (MAX_ATTEMPTS + 5))
    clock = Clock()
    worker = OutboxWorker(outbox, {"salesforce": crm}, clock=clock)
    outbox.enqueue("salesforce", "call_log", "rolecall:" + "c" * 32, entry("c" * 32), START)
    for _ in range(MAX_ATTEMPTS + 3):
        asyncio.run(worker.run_once())
        clock.now += timedelta(hours=2)
    item = outbox.items()[0]
    assert item.state == "failed" and item.attempts == MAX_ATTEMPTS
    assert crm.attempts == MAX_ATTEMPTS


def test_missing_connector_waits_rather_than_losing_the_write(tmp_path: Path) -> None:
    outbox = Outbox(Store(tmp_path / "db.sqlite"))
    worker = OutboxWorker(outbox, {}, clock=Clock())
    outbox.enqueue("hubspot", "call_log", "rolecall:" + "d" * 32, entry("d" * 32), START)
    asyncio.run(worker.run_once())
    item = outbox.items()[0]
    assert item.state == "pending" and "no hubspot connector" in item.last_error
