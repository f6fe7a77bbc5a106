"""Page memory: the deals, people and documents read off CRM pages, per site.

A call placed from a CRM page brings a snapshot of what the page shows; the deal it
describes is remembered here under (origin, record type, record id), refreshed each
time a page is read, so a later call (or a caller's number) finds it again. These
tables are apart from imported and connector data and nothing here is ever written
to a CRM. Each site (origin) and the whole memory are capped; the least recently seen
deals go first. The user's edits (role, primary, notes) on a page deal's people are
kept beside it and outlive refreshes of the page.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from rolecall.phones import to_e164
from rolecall.protocol.context import PageSnapshot
from rolecall.protocol.page import PageRecord, PageRef, page_origin
from rolecall.protocol.records import Role, normalize_role
from rolecall.store.transactions import immediate

DEAL_PREFIX = "page."
PERSON_PREFIX = "pp."
MAX_PEOPLE_PER_DEAL = 500
MAX_DOCUMENTS_PER_DEAL = 500
MAX_NOTES_PER_PERSON = 100
DEAL_FIELDS = ("stage", "amount", "currency", "close_date", "owner", "account")


@dataclass(frozen=True)
class PagePerson:
    key: str
    name: str
    title: str = ""
    role: Role = Role.NONE
    source_role: str = ""
    phones: tuple[str, ...] = ()
    """E.164 numbers."""
    raw_phones: tuple[str, ...] = ()
    email: str = ""
    is_primary: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageDocument:
    title: str
    url: str
    doc_type: str = ""
    size_bytes: int = 0


@dataclass(frozen=True)
class PageDeal:
    ref: PageRef
    name: str
    fields: dict[str, str] = field(default_factory=dict)
    account_phone: str | None = None
    is_open: bool = True
    people: tuple[PagePerson, ...] = ()
    documents: tuple[PageDocument, ...] = ()

    @property
    def key(self) -> str:
        return deal_key(self.ref)


@dataclass(frozen=True)
class SiteCounts:
    origin: str
    deals: int
    people: int
    documents: int
    last_seen_at: str


def deal_key(ref: PageRef) -> str:
    """The page deal's id: stable for (origin, type, id), opaque, a valid record id."""
    digest = hashlib.sha256(f"{ref.origin}\0{ref.record_type}\0{ref.record_id}".encode())
    return DEAL_PREFIX + digest.hexdigest()[:24]


def person_id(key: str, person: str) -> str:
    """A page person's contact id, naming their deal: `pp.<deal>.<person>`."""
    return f"{PERSON_PREFIX}{key.removeprefix(DEAL_PREFIX)}.{person}"


def split_person_id(contact_id: str) -> tuple[str, str] | None:
    """(deal key, person key) of a page person's contact id; None for any other id."""
    parts = contact_id.split(".")
    if len(parts) != 3 or parts[0] + "." != PERSON_PREFIX:
        return None
    return DEAL_PREFIX + parts[1], parts[2]


def _e164(text: str, region: str) -> str | None:
    return to_e164(text, region, strictness="valid")


def _person_key(name: str, phones: tuple[str, ...], email: str) -> str:
    basis = f"{' '.join(name.casefold().split())}\0{phones[0] if phones else email.casefold()}"
    return hashlib.sha256(basis.encode()).hexdigest()[:12]


def _doc_type(url: str, given: str) -> str:
    if given:
        return given.lower()[:16]
    suffix = PurePosixPath(urlsplit(url).path).suffix.lstrip(".").lower()
    return suffix[:16] if suffix.isalnum() else ""


def _text(value: object, limit: int = 200) -> str:
    return str(value).strip()[:limit] if value not in (None, "") else ""


def page_deal_from_snapshot(
    record: PageRecord | None, snapshot: PageSnapshot | None, region: str = "US"
) -> PageDeal | None:
    """The deal a page shows, as page memory keeps it; None when the page names no site
    or no deal. The one place that reads the snapshot: fields a richer snapshot may
    carry (deal fields, document type and size, raw role wording, whether this is a
    deal page) are read here with defaults, so the rest of the code does not change."""
    if record is None or snapshot is None:
        return None
    origin = page_origin(record.url)
    if origin is None:
        return None
    if snapshot.is_deal is False:  # a list, a board, search results, a contact page
        return None
    record_type = record.object_type or snapshot.object_type
    record_id = record.record_id or snapshot.record_id
    if not record_id:  # the page's key (else its path) is all that names the record
        path = snapshot.page_key or urlsplit(record.url).path or "/"
        record_id = path if len(path) <= 64 else hashlib.sha256(path.encode()).hexdigest()
    name = _text(snapshot.opportunity_name or record.name or record_id)
    if not snapshot.contacts and not snapshot.documents and not snapshot.opportunity_name:
        return None  # nothing a deal view could show
    shown = snapshot.deal
    fields = {f: _text(getattr(shown, f, "")) if shown else "" for f in DEAL_FIELDS}
    stage = fields["stage"].casefold()
    people: dict[str, PagePerson] = {}
    for seen in snapshot.contacts:
        raw = tuple(p[:64] for p in seen.phones)
        phones = tuple(dict.fromkeys(e for p in raw if (e := _e164(p, region))))
        wording = _text(seen.role, 100)
        key = _person_key(seen.name, phones, seen.email)
        if key in people or len(people) >= MAX_PEOPLE_PER_DEAL:
            continue
        people[key] = PagePerson(
            key=key,
            name=_text(seen.name) or "?",
            title=_text(seen.title),
            role=seen.canonical_role or normalize_role(seen.role),
            source_role=wording,
            phones=phones,
            raw_phones=raw,
            email=_text(seen.email, 320),
            is_primary=False,
        )
    documents = tuple(
        PageDocument(
            title=_text(doc.title) or doc.url[:200],
            url=doc.url,
            doc_type=_doc_type(doc.url, doc.kind),
            size_bytes=size_in_bytes(doc.size),
        )
        for doc in snapshot.documents[:MAX_DOCUMENTS_PER_DEAL]
        if doc.url.startswith(("https://", "http://"))
    )
    return PageDeal(
        ref=PageRef(origin=origin, record_type=record_type, record_id=record_id, url=record.url),
        name=name,
        fields={k: v for k, v in fields.items() if v},
        # The account's main line, when the page shows one beside the account: an inbound
        # call from that switchboard offers this deal (see `context/page_context.py`).
        account_phone=_e164(_text(getattr(shown, "account_phone", ""), 64), region)
        if shown
        else None,
        is_open=not stage.startswith("closed"),
        people=tuple(people.values()),
        documents=documents,
    )


_SIZE = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*([kmgt]?i?)(?:b|bytes?|o|octets?)?\s*$", re.I)
_UNITS = {"": 1, "k": 1_000, "m": 1_000_000, "g": 1_000_000_000, "t": 1_000_000_000_000}


def size_in_bytes(shown: str) -> int:
    """A size as a page writes it ("1.2 MB", "340 KB", "12 Ko", "2 KiB"), in bytes; 0 if unread."""
    match = _SIZE.match(shown)
    if match is None:
        return 0
    number = float(match.group(1).replace(",", "."))
    unit = match.group(2).lower()
    base = 1024 ** ("kmgt".index(unit[0]) + 1) if unit.endswith("i") else _UNITS[unit[:1]]
    return int(number * base)


class PageMemory:
    """Page deals in the store's database, with caps per site and in total."""

    def __init__(
        self,
        db: sqlite3.Connection,
        *,
        deals_per_site: int = 200,
        people_per_site: int = 2_000,
        documents_per_site: int = 2_000,
        deals: int = 2_000,
        people: int = 20_000,
    ) -> None:
        self.db = db
        self.deals_per_site = deals_per_site
        self.people_per_site = people_per_site
        self.documents_per_site = documents_per_site
        self.max_deals = deals
        self.max_people = people

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate(self.db)

    # ---- writing ------------------------------------------------------------------------

    def remember(self, deal: PageDeal) -> str:
        """Stores (or refreshes) the deal as the page shows it now; its key. The user's
        edits on its people stay."""
        key = deal.key
        with self._transaction() as db:
            (seen,) = db.execute("SELECT COALESCE(MAX(seen), 0) + 1 FROM page_deals").fetchone()
            db.execute(
                "INSERT INTO page_deals (deal_key, origin, record_type, record_id, name, url, "
                "fields, account_phone_e164, is_open, seen, seen_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(deal_key) DO UPDATE SET name = excluded.name, url = excluded.url, "
                "fields = excluded.fields, account_phone_e164 = excluded.account_phone_e164, "
                "is_open = excluded.is_open, seen = excluded.seen, seen_at = excluded.seen_at",
                (key, deal.ref.origin, deal.ref.record_type, deal.ref.record_id, deal.name,
                 deal.ref.url, json.dumps(deal.fields), deal.account_phone, int(deal.is_open),
                 seen, datetime.now(UTC).isoformat()),
            )  # fmt: skip
            db.execute("DELETE FROM page_people WHERE deal_key = ?", (key,))
            db.execute("DELETE FROM page_documents WHERE deal_key = ?", (key,))
            db.executemany(
                "INSERT INTO page_people VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (key, p.key, position, p.name, p.title, p.role.value, p.source_role,
                     json.dumps(p.raw_phones), p.email, int(p.is_primary))
                    for position, p in enumerate(deal.people)
                ],
            )  # fmt: skip
            db.executemany(
                "INSERT INTO page_phones VALUES (?, ?, ?)",
                [(e164, key, p.key) for p in deal.people for e164 in p.phones],
            )
            db.executemany(
                "INSERT INTO page_documents VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (key, position, d.title, d.url, d.doc_type, d.size_bytes)
                    for position, d in enumerate(deal.documents)
                ],
            )
            self._trim(db, deal.ref.origin, key)
        return key

    def _trim(self, db: sqlite3.Connection, origin: str, newest: str) -> None:
        """Drops the least recently seen deals beyond the caps (never the one just read)."""
        site = "WHERE origin = ?"
        for where, args, table, cap in (
            (site, (origin,), None, self.deals_per_site),
            (site, (origin,), "page_people", self.people_per_site),
            (site, (origin,), "page_documents", self.documents_per_site),
            ("", (), None, self.max_deals),
            ("", (), "page_people", self.max_people),
        ):
            size = (
                f"(SELECT COUNT(*) FROM {table} t WHERE t.deal_key = d.deal_key)"  # noqa: S608
                if table
                else "1"
            )
            over = [
                row[0]
                for row in db.execute(
                    f"SELECT deal_key FROM (SELECT deal_key, SUM({size}) OVER "  # noqa: S608
                    f"(ORDER BY seen DESC ROWS UNBOUNDED PRECEDING) AS running "
                    f"FROM page_deals d {where}) WHERE running > ?",
                    (*args, cap),
                )
                if row[0] != newest
            ]
            db.executemany("DELETE FROM page_deals WHERE deal_key = ?", [(k,) for k in over])

    def forget(self, origin: str) -> int:
        """Forgets everything read on one site; how many deals went."""
        with self._transaction() as db:
            return db.execute("DELETE FROM page_deals WHERE origin = ?", (origin,)).rowcount

    def forget_all(self) -> int:
        with self._transaction() as db:
            return db.execute("DELETE FROM page_deals").rowcount

    def set_person(
        self, key: str, person: str, role: Role | None = None, is_primary: bool | None = None
    ) -> bool:
        """Keeps the user's role or primary flag for a page person; False if unknown."""
        if not self._has_person(key, person):
            return False
        self.db.execute(
            "INSERT INTO page_edits (deal_key, person_key, role, is_primary) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(deal_key, person_key) DO UPDATE SET "
            "role = COALESCE(excluded.role, page_edits.role), "
            "is_primary = COALESCE(excluded.is_primary, page_edits.is_primary)",
            (key, person, role.value if role else None,
             int(is_primary) if is_primary is not None else None),
        )  # fmt: skip
        return True

    def add_note(self, key: str, person: str, body: str) -> bool:
        """Adds the user's note to a page person (the oldest go past the cap); False if
        unknown."""
        if not self._has_person(key, person):
            return False
        with self._transaction() as db:
            row = db.execute(
                "SELECT notes FROM page_edits WHERE deal_key = ? AND person_key = ?",
                (key, person),
            ).fetchone()
            notes = [*(json.loads(row[0]) if row else []), body][-MAX_NOTES_PER_PERSON:]
            db.execute(
                "INSERT INTO page_edits (deal_key, person_key, notes) VALUES (?, ?, ?) "
                "ON CONFLICT(deal_key, person_key) DO UPDATE SET notes = excluded.notes",
                (key, person, json.dumps(notes)),
            )
        return True

    def has_edits(self, key: str) -> bool:
        """Has the user edited any of this deal's people?"""
        found = self.db.execute("SELECT 1 FROM page_edits WHERE deal_key = ? LIMIT 1", (key,))
        return found.fetchone() is not None

    def _has_person(self, key: str, person: str) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM page_people WHERE deal_key = ? AND person_key = ?", (key, person)
            ).fetchone()
            is not None
        )

    # ---- reading ------------------------------------------------------------------------

    def deal(self, key: str) -> PageDeal | None:
        """The remembered deal with the user's edits applied."""
        row = self.db.execute("SELECT * FROM page_deals WHERE deal_key = ?", (key,)).fetchone()
        if row is None:
            return None
        phones: dict[str, list[str]] = {}
        for e164, person in self.db.execute(
            "SELECT e164, person_key FROM page_phones WHERE deal_key = ?", (key,)
        ):
            phones.setdefault(person, []).append(e164)
        edits = {
            r[0]: (r[1], r[2], tuple(json.loads(r[3])))
            for r in self.db.execute(
                "SELECT person_key, role, is_primary, notes FROM page_edits WHERE deal_key = ?",
                (key,),
            )
        }
        people = []
        for p in self.db.execute(
            "SELECT * FROM page_people WHERE deal_key = ? ORDER BY position", (key,)
        ):
            person = PagePerson(
                key=p["person_key"],
                name=p["name"],
                title=p["title"],
                role=Role(p["role"]),
                source_role=p["source_role"],
                phones=tuple(sorted(phones.get(p["person_key"], []))),
                raw_phones=tuple(json.loads(p["phones"])),
                email=p["email"],
                is_primary=bool(p["is_primary"]),
            )
            edit = edits.get(person.key)
            if edit is not None:
                role, primary, notes = edit
                person = replace(
                    person,
                    role=Role(role) if role else person.role,
                    # the page's own wording stays only while the role is the one it names
                    source_role=person.source_role if not role or role == person.role else "",
                    is_primary=bool(primary) if primary is not None else person.is_primary,
                    notes=notes,
                )
            people.append(person)
        documents = tuple(
            PageDocument(title=d[0], url=d[1], doc_type=d[2], size_bytes=d[3])
            for d in self.db.execute(
                "SELECT title, url, doc_type, size_bytes FROM page_documents "
                "WHERE deal_key = ? ORDER BY position",
                (key,),
            )
        )
        return PageDeal(
            ref=PageRef(
                origin=row["origin"],
                record_type=row["record_type"],
                record_id=row["record_id"],
                url=row["url"],
            ),
            name=row["name"],
            fields=json.loads(row["fields"]),
            account_phone=row["account_phone_e164"],
            is_open=bool(row["is_open"]),
            people=tuple(people),
            documents=documents,
        )

    def deals_with_person_phone(self, e164: str) -> list[tuple[str, str]]:
        """(deal key, person key) of every remembered person with this number, most
        recently seen deal first."""
        return [
            (row[0], row[1])
            for row in self.db.execute(
                "SELECT p.deal_key, p.person_key FROM page_phones p "
                "JOIN page_deals d ON d.deal_key = p.deal_key WHERE p.e164 = ? "
                "ORDER BY d.seen DESC",
                (e164,),
            )
        ]

    def open_deals_of_switchboard(self, e164: str) -> list[PageDeal]:
        """Open deals whose account's main number is this one (without people)."""
        keys = [
            row[0]
            for row in self.db.execute(
                "SELECT deal_key FROM page_deals WHERE account_phone_e164 = ? AND is_open = 1 "
                "ORDER BY seen DESC LIMIT 50",
                (e164,),
            )
        ]
        return [d for k in keys if (d := self.deal(k)) is not None]

    def sites(self) -> list[SiteCounts]:
        """Every site with something remembered, most recently seen first."""
        return [
            SiteCounts(origin=r[0], deals=r[1], people=r[2], documents=r[3], last_seen_at=r[4])
            for r in self.db.execute(
                "SELECT origin, COUNT(*), "
                "SUM((SELECT COUNT(*) FROM page_people p WHERE p.deal_key = d.deal_key)), "
                "SUM((SELECT COUNT(*) FROM page_documents c WHERE c.deal_key = d.deal_key)), "
                "MAX(seen_at) FROM page_deals d GROUP BY origin ORDER BY MAX(seen) DESC"
            )
        ]
