"""The embedded store: one SQLite file (WAL) under `$ROLECALL_HOME/data/rolecall.db`.

It holds the CRM data the views show (the default context provider), the call log
and the outbox. Writes of the call log are committed before they return, so a call's
end is on disk before anyone is told about it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rolecall.protocol.calllog import CallLogEntry
from rolecall.protocol.page import PageRef
from rolecall.protocol.records import (
    Account,
    Contact,
    ContactRole,
    Dataset,
    Document,
    Opportunity,
    Phone,
    Relationship,
    Role,
)
from rolecall.store.migrations import migrate
from rolecall.store.transactions import immediate


def _in_chunks(ids: Iterable[str], size: int = 500) -> Iterator[tuple[list[str], str]]:
    """Ids in chunks SQLite's parameter limit allows, each with its `?,?,…` placeholder."""
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), size):
        chunk = unique[start : start + size]
        yield chunk, ",".join("?" * len(chunk))


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class Store:
    """Reads and writes the embedded database. One per thread (sqlite3 connections are)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, timeout=10)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = FULL")
        self.db.execute("PRAGMA foreign_keys = ON")
        migrate(self.db)

    def close(self) -> None:
        self.db.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate(self.db)

    # ---- CRM data -------------------------------------------------------------------------

    def load(self, dataset: Dataset) -> None:
        """Adds or replaces every record of `dataset`, all or nothing."""
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO accounts VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (a.id, a.name, a.industry, a.website, a.phone.raw if a.phone else None,
                     a.phone.e164 if a.phone else None)
                    for a in dataset.accounts
                ],
            )  # fmt: skip
            db.executemany(
                "INSERT OR REPLACE INTO contacts VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (c.id, c.account_id, c.first_name, c.last_name, c.title, c.email, c.sip_uri)
                    for c in dataset.contacts
                ],
            )
            db.executemany(
                "DELETE FROM contact_phones WHERE contact_id = ?",
                [(c.id,) for c in dataset.contacts],
            )
            db.executemany(
                "INSERT INTO contact_phones VALUES (?, ?, ?, ?, ?)",
                [
                    (c.id, position, phone.kind, phone.raw, phone.e164)
                    for c in dataset.contacts
                    for position, phone in enumerate(c.phones)
                ],
            )
            db.executemany(
                "INSERT OR REPLACE INTO opportunities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (o.id, o.account_id, o.name, o.stage, o.amount, o.currency,
                     o.close_date.isoformat() if o.close_date else None, o.owner, o.description)
                    for o in dataset.opportunities
                ],
            )  # fmt: skip
            db.executemany(
                "INSERT OR REPLACE INTO opportunity_contact_roles VALUES (?, ?, ?, ?, ?)",
                [
                    (r.opportunity_id, r.contact_id, r.role.value, r.source_role, int(r.is_primary))
                    for r in dataset.roles
                ],
            )
            db.executemany(
                "INSERT OR REPLACE INTO relationships VALUES (?, ?, ?)",
                [(r.from_contact_id, r.to_contact_id, r.kind) for r in dataset.relationships],
            )
            db.executemany(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (d.id, d.opportunity_id, d.title, d.doc_type, d.size_bytes, d.url,
                     d.local_path, d.owner, _iso(d.modified_at))
                    for d in dataset.documents
                ],
            )  # fmt: skip

    def dataset(self) -> Dataset:
        """Everything the store holds of CRM data, for export."""
        opportunity_ids = [row[0] for row in self.db.execute("SELECT id FROM opportunities")]
        contact_ids = [row[0] for row in self.db.execute("SELECT id FROM contacts")]
        account_ids = [row[0] for row in self.db.execute("SELECT id FROM accounts")]
        contacts = self.contacts(contact_ids)
        return Dataset(
            accounts=[a for a in map(self.account, account_ids) if a is not None],
            contacts=[contacts[c] for c in contact_ids if c in contacts],
            opportunities=[o for o in map(self.opportunity, opportunity_ids) if o is not None],
            roles=[r for o in opportunity_ids for r in self.roles(o)],
            relationships=self.relationships(contact_ids),
            documents=[d for o in opportunity_ids for d in self.documents(o)],
        )

    def opportunity(self, opportunity_id: str) -> Opportunity | None:
        row = self.db.execute("SELECT * FROM opportunities WHERE id = ?", (opportunity_id,))
        found = row.fetchone()
        if found is None:
            return None
        return Opportunity(
            id=found["id"],
            account_id=found["account_id"],
            name=found["name"],
            stage=found["stage"],
            amount=found["amount"],
            currency=found["currency"],
            close_date=found["close_date"],
            owner=found["owner"],
            description=found["description"],
        )

    def account(self, account_id: str | None) -> Account | None:
        if account_id is None:
            return None
        found = self.db.execute("SELECT * FROM accounts WHERE id = ?", (account_id,)).fetchone()
        if found is None:
            return None
        phone = (
            Phone(raw=found["phone_raw"], e164=found["phone_e164"]) if found["phone_raw"] else None
        )
        return Account(
            id=found["id"],
            name=found["name"],
            industry=found["industry"],
            website=found["website"],
            phone=phone,
        )

    def contacts(self, contact_ids: Iterable[str]) -> dict[str, Contact]:
        """Contacts by id, with their phones, in one pass per 500 ids."""
        found: dict[str, Contact] = {}
        for chunk, marks in _in_chunks(contact_ids):
            phones: dict[str, list[Phone]] = {}
            for row in self.db.execute(
                f"SELECT * FROM contact_phones WHERE contact_id IN ({marks}) "  # noqa: S608
                "ORDER BY contact_id, position",
                chunk,
            ):
                phones.setdefault(row["contact_id"], []).append(
                    Phone(kind=row["kind"], raw=row["raw"], e164=row["e164"])
                )
            for row in self.db.execute(
                f"SELECT * FROM contacts WHERE id IN ({marks})",  # noqa: S608
                chunk,
            ):
                found[row["id"]] = Contact(
                    id=row["id"],
                    account_id=row["account_id"],
                    first_name=row["first_name"],
                    last_name=row["last_name"],
                    title=row["title"],
                    email=row["email"],
                    sip_uri=row["sip_uri"],
                    phones=phones.get(row["id"], []),
                )
        return found

    def roles(self, opportunity_id: str) -> list[ContactRole]:
        return [
            ContactRole(
                opportunity_id=row["opportunity_id"],
                contact_id=row["contact_id"],
                role=Role(row["role"]),
                source_role=row["source_role"],
                is_primary=bool(row["is_primary"]),
            )
            for row in self.db.execute(
                "SELECT * FROM opportunity_contact_roles WHERE opportunity_id = ? "
                "ORDER BY is_primary DESC, contact_id",
                (opportunity_id,),
            )
        ]

    def relationships(self, contact_ids: Iterable[str]) -> list[Relationship]:
        found: list[Relationship] = []
        for chunk, marks in _in_chunks(contact_ids):
            found += [
                Relationship(
                    from_contact_id=row["from_contact_id"],
                    to_contact_id=row["to_contact_id"],
                    kind=row["kind"],
                )
                for row in self.db.execute(
                    f"SELECT * FROM relationships WHERE from_contact_id IN ({marks})",  # noqa: S608
                    chunk,
                )
            ]
        return found

    def documents(self, opportunity_id: str, offset: int = 0, limit: int = -1) -> list[Document]:
        """The opportunity's documents, newest first; a page of them with offset/limit."""
        return [
            Document(
                id=row["id"],
                opportunity_id=row["opportunity_id"],
                title=row["title"],
                doc_type=row["doc_type"],
                size_bytes=row["size_bytes"],
                url=row["url"],
                local_path=row["local_path"],
                owner=row["owner"],
                modified_at=_time(row["modified_at"]),
            )
            for row in self.db.execute(
                "SELECT * FROM documents WHERE opportunity_id = ? "
                "ORDER BY modified_at DESC, id LIMIT ? OFFSET ?",
                (opportunity_id, limit, offset),
            )
        ]

    def count_documents(self, opportunity_id: str) -> int:
        row = self.db.execute(
            "SELECT COUNT(*) FROM documents WHERE opportunity_id = ?", (opportunity_id,)
        ).fetchone()
        return int(row[0])

    def names(self, contact_ids: Iterable[str]) -> dict[str, str]:
        """Display names by contact id (no phones, no models: cheap for many)."""
        found: dict[str, str] = {}
        for chunk, marks in _in_chunks(contact_ids):
            for row in self.db.execute(
                f"SELECT id, first_name, last_name FROM contacts WHERE id IN ({marks})",  # noqa: S608
                chunk,
            ):
                found[row[0]] = f"{row[1]} {row[2]}".strip()
        return found

    def numbers(self, contact_ids: Iterable[str]) -> set[str]:
        """Every E.164 number those contacts have."""
        found: set[str] = set()
        for chunk, marks in _in_chunks(contact_ids):
            found |= {
                row[0]
                for row in self.db.execute(
                    f"SELECT e164 FROM contact_phones WHERE e164 IS NOT NULL "  # noqa: S608
                    f"AND contact_id IN ({marks})",
                    chunk,
                )
            }
        return found

    def contacts_by_phone(self, e164: str) -> list[str]:
        """Ids of contacts with this number (indexed: fast with 100,000 contacts)."""
        return [
            row[0]
            for row in self.db.execute(
                "SELECT DISTINCT contact_id FROM contact_phones WHERE e164 = ?", (e164,)
            )
        ]

    def opportunities_of(self, contact_ids: Iterable[str]) -> list[tuple[str, str]]:
        """(contact id, opportunity id) for every role those contacts have."""
        ids = list(contact_ids)
        marks = ",".join("?" * len(ids))
        if not ids:
            return []
        return [
            (row[0], row[1])
            for row in self.db.execute(
                "SELECT contact_id, opportunity_id FROM opportunity_contact_roles "  # noqa: S608
                f"WHERE contact_id IN ({marks})",
                ids,
            )
        ]

    def set_role(self, role: ContactRole) -> None:
        with self.transaction() as db:
            if role.is_primary:
                db.execute(
                    "UPDATE opportunity_contact_roles SET is_primary = 0 WHERE opportunity_id = ?",
                    (role.opportunity_id,),
                )
            db.execute(
                "INSERT OR REPLACE INTO opportunity_contact_roles VALUES (?, ?, ?, ?, ?)",
                (role.opportunity_id, role.contact_id, role.role.value, role.source_role,
                 int(role.is_primary)),
            )  # fmt: skip

    def add_note(self, body: str, contact_id: str | None, opportunity_id: str | None) -> int:
        cursor = self.db.execute(
            "INSERT INTO notes (contact_id, opportunity_id, body, created_at) VALUES (?, ?, ?, ?)",
            (contact_id, opportunity_id, body, _iso(datetime.now(UTC))),
        )
        return int(cursor.lastrowid or 0)

    def notes(self, contact_id: str) -> list[str]:
        return self.notes_of([contact_id]).get(contact_id, [])

    def notes_of(self, contact_ids: Iterable[str]) -> dict[str, list[str]]:
        """Each contact's notes, oldest first."""
        found: dict[str, list[str]] = {}
        for chunk, marks in _in_chunks(contact_ids):
            for row in self.db.execute(
                f"SELECT contact_id, body FROM notes WHERE contact_id IN ({marks}) ORDER BY id",  # noqa: S608
                chunk,
            ):
                found.setdefault(row[0], []).append(row[1])
        return found

    def open_deals_by_account_phone(self, e164: str) -> list[tuple[Account, Opportunity]]:
        """An account's open deals, for a call from its main number (its switchboard)."""
        found = []
        for row in self.db.execute(
            "SELECT o.id, a.id FROM accounts a JOIN opportunities o ON o.account_id = a.id "
            "WHERE a.phone_e164 = ? AND o.stage NOT LIKE 'Closed%' ORDER BY o.name LIMIT 50",
            (e164,),
        ):
            account, opportunity = self.account(row[1]), self.opportunity(row[0])
            if account is not None and opportunity is not None:
                found.append((account, opportunity))
        return found

    # ---- call log -------------------------------------------------------------------------

    def call_started(self, entry: CallLogEntry, *, keep_wrap_up: bool = False) -> None:
        """Records a call that is up (so an interrupted one is known after a crash).

        With `keep_wrap_up`, notes, disposition, documents presented and the deal the
        user picked, already stored, stay where the entry has none (the call's own
        updates never carry them).
        """
        self._write_call(entry, "live", keep_wrap_up)

    def call_ended(self, entry: CallLogEntry, *, keep_wrap_up: bool = False) -> None:
        """Records the finished call; committed (fsync'd) when this returns."""
        self._write_call(entry, "ended", keep_wrap_up)

    def _write_call(self, entry: CallLogEntry, state: str, keep_wrap_up: bool) -> None:
        replace = int(not keep_wrap_up)
        record = entry.record
        self.db.execute(
            "INSERT INTO calls (call_id, idempotency_key, direction, number, contact_id, "
            "opportunity_id, account_id, subject, started_at, answered_at, ended_at, "
            "duration_s, end_cause, disposition, notes, documents_presented, recording_path, "
            "state, record_origin, record_type, record_id, record_url) VALUES "
            "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
            "?20, ?21, ?22, ?23) "
            "ON CONFLICT(call_id) DO UPDATE SET "
            "idempotency_key = excluded.idempotency_key, direction = excluded.direction, "
            "number = excluded.number, "
            "contact_id = CASE WHEN ?19 THEN excluded.contact_id "
            "ELSE COALESCE(excluded.contact_id, calls.contact_id) END, "
            "opportunity_id = CASE WHEN ?19 THEN excluded.opportunity_id "
            "ELSE COALESCE(excluded.opportunity_id, calls.opportunity_id) END, "
            "account_id = CASE WHEN ?19 THEN excluded.account_id "
            "ELSE COALESCE(excluded.account_id, calls.account_id) END, "
            "subject = excluded.subject, started_at = excluded.started_at, "
            "answered_at = excluded.answered_at, ended_at = excluded.ended_at, "
            "duration_s = excluded.duration_s, end_cause = excluded.end_cause, "
            "disposition = CASE WHEN ?19 OR excluded.disposition != '' "
            "THEN excluded.disposition ELSE calls.disposition END, "
            "notes = CASE WHEN ?19 OR excluded.notes != '' "
            "THEN excluded.notes ELSE calls.notes END, "
            "documents_presented = CASE WHEN ?19 OR excluded.documents_presented != '[]' "
            "THEN excluded.documents_presented ELSE calls.documents_presented END, "
            "recording_path = CASE WHEN ?19 THEN excluded.recording_path "
            "ELSE COALESCE(excluded.recording_path, calls.recording_path) END, "
            "record_origin = COALESCE(excluded.record_origin, calls.record_origin), "
            "record_type = COALESCE(excluded.record_type, calls.record_type), "
            "record_id = COALESCE(excluded.record_id, calls.record_id), "
            "record_url = COALESCE(excluded.record_url, calls.record_url), "
            "state = excluded.state",
            (
                entry.call_id, entry.idempotency_key, entry.direction, entry.number,
                entry.contact_id, entry.opportunity_id, entry.account_id, entry.subject,
                _iso(entry.started_at), _iso(entry.answered_at), _iso(entry.ended_at),
                entry.duration_s, entry.end_cause, entry.disposition, entry.notes,
                json.dumps(entry.documents_presented), entry.recording_path, state, replace,
                record.origin if record else None, record.record_type if record else None,
                record.record_id if record else None, record.url if record else None,
            ),
        )  # fmt: skip

    def call(self, call_id: str) -> tuple[CallLogEntry, str] | None:
        row = self.db.execute("SELECT * FROM calls WHERE call_id = ?", (call_id,)).fetchone()
        return (self._entry(row), row["state"]) if row is not None else None

    def calls(
        self,
        *,
        opportunity_id: str | None = None,
        limit: int = 20,
        state: str | None = None,
        record: PageRef | None = None,
    ) -> list[tuple[CallLogEntry, str]]:
        """Logged calls, newest first, with their state (`live` or `ended`); with
        `record`, those placed from that CRM record's page."""
        where: list[str] = []
        args: list[object] = []
        if record is not None:
            where.append("record_origin = ? AND record_type = ? AND record_id = ?")
            args += [record.origin, record.record_type, record.record_id]
        if opportunity_id is not None:
            where.append("opportunity_id = ?")
            args.append(opportunity_id)
        if state is not None:
            where.append("state = ?")
            args.append(state)
        sql = "SELECT * FROM calls"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started_at DESC LIMIT ?"
        return [(self._entry(row), row["state"]) for row in self.db.execute(sql, [*args, limit])]

    @staticmethod
    def _entry(row: sqlite3.Row) -> CallLogEntry:
        data: dict[str, Any] = {key: row[key] for key in row.keys() if key != "state"}  # noqa: SIM118
        data["documents_presented"] = json.loads(data["documents_presented"])
        data["ended_at"] = data["ended_at"] or data["started_at"]
        origin, kind, record_id, url = (
            data.pop(key) for key in ("record_origin", "record_type", "record_id", "record_url")
        )
        if origin:
            data["record"] = PageRef(
                origin=origin, record_type=kind or "", record_id=record_id or "", url=url or ""
            )
        return CallLogEntry.model_validate(data)
