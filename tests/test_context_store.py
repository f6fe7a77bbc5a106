"""The embedded store and the context service, on real SQLite files."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rolecall.context.service import ContextService
from rolecall.protocol.context import ContextParams, PageSnapshot, SnapshotContact
from rolecall.protocol.errors import ProtocolError
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
from rolecall.store.migrations import LATEST, migrate, version
from rolecall.store.store import Store


def person(cid: str, first: str, last: str, *numbers: str, account: str = "acc-1") -> Contact:
    return Contact(
        id=cid,
        account_id=account,
        first_name=first,
        last_name=last,
        phones=[Phone(raw=n, e164=n) for n in numbers],
    )


def role(opp: str, cid: str, which: Role, primary: bool = False) -> ContactRole:
    return ContactRole(
        opportunity_id=opp, contact_id=cid, role=which, source_role=which.value, is_primary=primary
    )


def small_dataset() -> Dataset:
    return Dataset(
        accounts=[Account(id="acc-1", name="Müller Maschinenbau GmbH")],
        contacts=[
            person("c-ceo", "Zoë", "Müller", "+493012345678"),
            person("c-cto", "王", "伟", "+8613800138000"),
            person("c-eng", "José", "Álvarez", "+14155550132"),
            person("c-sw1", "Anna", "Schmidt", "+493099999999"),
            person("c-sw2", "Ben", "Schmidt", "+493099999999"),  # shares the switchboard
        ],
        opportunities=[
            Opportunity(id="opp-1", account_id="acc-1", name="Line 4 retrofit", stage="Proposal"),
            Opportunity(id="opp-2", account_id="acc-1", name="Service contract"),
        ],
        roles=[
            role("opp-1", "c-eng", Role.EVALUATOR),
            role("opp-1", "c-cto", Role.TECHNICAL_BUYER),
            role("opp-1", "c-ceo", Role.DECISION_MAKER, primary=True),
            role("opp-1", "c-sw1", Role.NONE),
            role("opp-2", "c-eng", Role.INFLUENCER),  # one contact, two opportunities
        ],
        relationships=[
            Relationship(from_contact_id="c-cto", to_contact_id="c-ceo", kind="reports_to")
        ],
        documents=[
            Document(
                id="doc-1",
                opportunity_id="opp-1",
                title="Proposal v3",
                doc_type="pdf",
                size_bytes=48213,
                url="https://crm.example/doc-1",
                modified_at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
            )
        ],
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store(tmp_path / "rolecall.db")
    opened.load(small_dataset())
    return opened


def test_migrates_an_empty_file_and_uses_wal(tmp_path: Path) -> None:
    opened = Store(tmp_path / "fresh.db")
    assert version(opened.db) == LATEST
    assert opened.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in opened.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"contacts", "opportunity_contact_roles", "documents", "calls", "outbox"} <= tables


@pytest.mark.parametrize("start", range(1, LATEST))
def test_migrates_from_each_earlier_version_keeping_data(tmp_path: Path, start: int) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)
    assert migrate(old, target=start) == start
    old.execute("INSERT INTO accounts (id, name) VALUES ('acc-9', 'Kept GmbH')")
    old.close()
    upgraded = Store(path)
    assert version(upgraded.db) == LATEST
    assert upgraded.account("acc-9").name == "Kept GmbH"  # type: ignore[union-attr]


def test_refuses_a_database_from_a_newer_version(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    newer = sqlite3.connect(path)
    newer.execute(f"PRAGMA user_version = {LATEST + 1}")
    newer.close()
    with pytest.raises(RuntimeError, match="newer"):
        Store(path)


def test_people_are_grouped_by_role_in_a_fixed_order(store: Store) -> None:
    context = ContextService(store).get(ContextParams(opportunity_id="opp-1")).context
    assert context is not None
    assert [g.role for g in context.groups] == [
        Role.DECISION_MAKER,
        Role.TECHNICAL_BUYER,
        Role.EVALUATOR,
        Role.NONE,
    ]
    decider = context.groups[0].contacts[0]
    assert decider.contact.name == "Zoë Müller" and decider.is_primary
    assert decider.account_name == "Müller Maschinenbau GmbH"
    cto = context.groups[1].contacts[0]
    assert [(r.kind, r.direction, r.name) for r in cto.relations] == [
        ("reports_to", "to", "Zoë Müller")
    ]
    assert context.missing_roles == [Role.ECONOMIC_BUYER]
    assert [d.title for d in context.documents] == ["Proposal v3"]


def test_contact_on_the_page_but_not_in_the_store_is_merged_in(store: Store) -> None:
    snapshot = PageSnapshot(
        crm="salesforce",
        record_id="opp-1",
        contacts=[
            SnapshotContact(name="Zoë Müller", phones=["+49 30 12345678"]),  # known: no copy
            SnapshotContact(
                name="Priya Natarajan", role="Economic Buyer", phones=["+91 98765 43210"]
            ),
        ],
    )
    context = (
        ContextService(store).get(ContextParams(opportunity_id="opp-1", snapshot=snapshot)).context
    )
    assert context is not None
    buyers = next(g for g in context.groups if g.role == Role.ECONOMIC_BUYER).contacts
    assert [(c.contact.name, c.source) for c in buyers] == [("Priya Natarajan", "page")]
    assert buyers[0].contact.phones[0].e164 == "+919876543210"
    assert context.missing_roles == []
    assert context.total_contacts == 5


def test_same_number_on_two_contacts_is_two_matches_and_no_guess(store: Store) -> None:
    result = ContextService(store).get(ContextParams(phone="+49 30 99999999"))
    assert sorted(m.contact.name for m in result.matches) == ["Anna Schmidt", "Ben Schmidt"]
    assert result.context is not None  # only Anna is on a deal: that one opportunity
    assert result.context.opportunity.id == "opp-1"


def test_contact_in_two_opportunities_needs_a_pick(store: Store) -> None:
    result = ContextService(store).get(ContextParams(phone="(415) 555-0132"))
    assert sorted(m.opportunity_id or "" for m in result.matches) == ["opp-1", "opp-2"]
    assert result.context is None


def test_unknown_opportunity_and_bad_phone_are_typed_errors(store: Store) -> None:
    with pytest.raises(ProtocolError) as missing:
        ContextService(store).get(ContextParams(opportunity_id="opp-404"))
    assert missing.value.code == "not_found"
    with pytest.raises(ProtocolError) as bad:
        ContextService(store).get(ContextParams(phone="2024-01-15"))
    assert bad.value.code == "invalid_target"


def test_role_and_primary_changes_are_stored(store: Store, tmp_path: Path) -> None:
    store.set_role(role("opp-1", "c-eng", Role.ECONOMIC_BUYER, primary=True))
    store.add_note("prefers calls after 3pm", "c-eng", "opp-1")
    store.close()
    reopened = Store(tmp_path / "rolecall.db")
    roles = {r.contact_id: r for r in reopened.roles("opp-1")}
    assert roles["c-eng"].role == Role.ECONOMIC_BUYER and roles["c-eng"].is_primary
    assert not roles["c-ceo"].is_primary  # one primary per opportunity
    assert reopened.notes("c-eng") == ["prefers calls after 3pm"]


def test_a_big_opportunity_comes_back_in_pages_that_fit_a_frame(tmp_path: Path) -> None:
    store = Store(tmp_path / "big.db")
    roles_cycle = list(Role)
    contacts = [
        person(f"c-{n}", f"Person{n}", f"Family{n}", f"+1415555{n:04d}") for n in range(1000)
    ]
    store.load(
        Dataset(
            accounts=[Account(id="acc-1", name="Big Co")],
            contacts=contacts,
            opportunities=[Opportunity(id="opp-big", account_id="acc-1", name="Enterprise")],
            roles=[
                role("opp-big", c.id, roles_cycle[n % len(roles_cycle)])
                for n, c in enumerate(contacts)
            ],
            documents=[
                Document(
                    id=f"d-{n}", opportunity_id="opp-big", title=f"Document {n}",
                    doc_type="pdf", size_bytes=n * 100, url=f"https://crm.example/d/{n}",
                )
                for n in range(2000)
            ],
        )
    )  # fmt: skip
    service = ContextService(store)
    seen_contacts, seen_documents = 0, 0
    params = ContextParams(opportunity_id="opp-big", page_size=200)
    while True:
        context = service.get(params).context
        assert context is not None
        assert len(json.dumps(context.model_dump(mode="json")).encode()) < 1024 * 1024
        seen_contacts += sum(len(g.contacts) for g in context.groups)
        seen_documents += len(context.documents)
        if context.next_contacts_offset is None and context.next_documents_offset is None:
            break
        params = params.model_copy(
            update={
                "contacts_offset": context.next_contacts_offset or 10**9,
                "documents_offset": context.next_documents_offset or 10**9,
            }
        )
    assert (seen_contacts, seen_documents) == (1000, 2000)


def test_a_contact_record_leads_to_their_deal_or_a_pick(store: Store) -> None:
    service = ContextService(store)
    one = service.get(ContextParams(contact_id="c-cto"))
    assert one.context is not None and one.context.opportunity.id == "opp-1"
    assert [m.role for m in one.matches] == [Role.TECHNICAL_BUYER]
    two = service.get(ContextParams(contact_id="c-eng"))
    assert two.context is None
    assert sorted(m.opportunity_id or "" for m in two.matches) == ["opp-1", "opp-2"]
    with pytest.raises(ProtocolError) as missing:
        service.get(ContextParams(contact_id="c-nobody"))
    assert missing.value.code == "not_found"
