"""Page memory: deals read off CRM pages, per site, capped, forgettable, refreshed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rolecall.paths import Home
from rolecall.protocol.context import PageSnapshot, SnapshotContact, SnapshotDocument
from rolecall.protocol.page import PageRecord
from rolecall.protocol.records import Role
from rolecall.store.page_memory import (
    PageMemory,
    page_deal_from_snapshot,
    person_id,
    split_person_id,
)
from rolecall.store.page_settings import (
    ContextSettings,
    load_settings,
    origin_may_name_records,
    save_settings,
)
from rolecall.store.store import Store

CRM_A = "https://crm-a.example.com"
CRM_B = "https://crm-b.example.com"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "rolecall.db")
    yield opened
    opened.close()


def record(origin: str = CRM_A, record_id: str = "42", kind: str = "deal") -> PageRecord:
    return PageRecord(
        crm="generic",
        instance=origin.split("//")[1],
        object_type=kind,
        record_id=record_id,
        name=f"Deal {record_id}",
        url=f"{origin}/#/deals/{record_id}",
    )


def snapshot(people: int = 3, documents: int = 2, name: str = "Acme rollout") -> PageSnapshot:
    roles = ["Decision Maker", "Champion", "Technical evaluator", ""]
    return PageSnapshot(
        crm="generic",
        object_type="deal",
        opportunity_name=name,
        contacts=[
            SnapshotContact(
                name=f"Person {i}",
                title="Director",
                role=roles[i % len(roles)],
                phones=[f"+1 415 555 {1000 + i:04d}"],
                email=f"p{i}@acme.example",
            )
            for i in range(people)
        ],
        documents=[
            SnapshotDocument(title=f"Proposal {i}.pdf", url=f"{CRM_A}/files/{i}/proposal.pdf")
            for i in range(documents)
        ],
    )


def remember(memory: PageMemory, origin: str, record_id: str, **shape: int) -> str:
    deal = page_deal_from_snapshot(record(origin, record_id), snapshot(**shape))
    assert deal is not None
    return memory.remember(deal)


def test_a_page_deal_is_read_with_people_roles_phones_and_documents() -> None:
    deal = page_deal_from_snapshot(record(), snapshot())
    assert deal is not None
    assert deal.ref.origin == CRM_A and deal.ref.record_id == "42"
    assert deal.name == "Acme rollout"
    assert [p.role for p in deal.people] == [Role.DECISION_MAKER, Role.INFLUENCER, Role.OTHER]
    assert deal.people[2].source_role == "Technical evaluator"
    assert deal.people[0].phones == ("+14155551000",)
    assert [d.doc_type for d in deal.documents] == ["pdf", "pdf"]


def test_no_deal_without_a_site_or_without_anything_to_show() -> None:
    no_url = record().model_copy(update={"url": ""})
    assert page_deal_from_snapshot(no_url, snapshot()) is None
    assert page_deal_from_snapshot(record(), None) is None
    empty = PageSnapshot(crm="generic")
    assert page_deal_from_snapshot(record(), empty) is None


def test_remembered_deal_comes_back_and_a_new_read_refreshes_it(store: Store) -> None:
    memory = PageMemory(store.db)
    key = remember(memory, CRM_A, "42", people=3)
    assert memory.deal(key) is not None
    assert len(memory.deal(key).people) == 3  # type: ignore[union-attr]
    renamed = page_deal_from_snapshot(record(), snapshot(people=1, name="Acme rollout v2"))
    assert renamed is not None and memory.remember(renamed) == key
    again = memory.deal(key)
    assert again is not None and again.name == "Acme rollout v2" and len(again.people) == 1
    assert memory.deals_with_person_phone("+14155551002") == []  # gone from the page: gone here


def test_edits_outlive_a_refresh_of_the_page(store: Store) -> None:
    memory = PageMemory(store.db)
    key = remember(memory, CRM_A, "42")
    deal = memory.deal(key)
    assert deal is not None
    person = deal.people[1]
    assert memory.set_person(key, person.key, Role.ECONOMIC_BUYER, True)
    assert memory.add_note(key, person.key, "owns the budget")
    remember(memory, CRM_A, "42")
    edited = next(p for p in memory.deal(key).people if p.key == person.key)  # type: ignore[union-attr]
    assert edited.role == Role.ECONOMIC_BUYER and edited.is_primary
    assert edited.notes == ("owns the budget",)
    assert edited.source_role == ""  # the page's wording named another role
    assert not memory.set_person(key, "000000000000", Role.EVALUATOR)
    assert split_person_id(person_id(key, person.key)) == (key, person.key)


def test_sites_are_apart_and_forgetting_one_leaves_the_other(store: Store) -> None:
    memory = PageMemory(store.db)
    a = remember(memory, CRM_A, "42")
    b = remember(memory, CRM_B, "42")  # the same record id on another site: another deal
    assert a != b
    assert {s.origin: (s.deals, s.people, s.documents) for s in memory.sites()} == {
        CRM_A: (1, 3, 2),
        CRM_B: (1, 3, 2),
    }
    assert memory.forget(CRM_A) == 1
    assert memory.deal(a) is None and memory.deal(b) is not None
    assert [s.origin for s in memory.sites()] == [CRM_B]
    assert memory.forget_all() == 1 and memory.sites() == []


def test_caps_per_site_drop_the_least_recently_seen(store: Store) -> None:
    memory = PageMemory(store.db, deals_per_site=5, people_per_site=12)
    keys = [remember(memory, CRM_A, str(i), people=2) for i in range(8)]
    assert [memory.deal(k) is not None for k in keys] == [False] * 3 + [True] * 5
    remember(memory, CRM_A, "3", people=2)  # seen again: now the most recent
    remember(memory, CRM_A, "8", people=2)
    assert memory.deal(keys[3]) is not None and memory.deal(keys[4]) is None
    big = remember(memory, CRM_A, "big", people=10)  # people cap: older deals make room
    counts = {s.origin: (s.deals, s.people) for s in memory.sites()}
    assert counts[CRM_A][1] <= 12 and memory.deal(big) is not None
    other = remember(memory, CRM_B, "x", people=2)
    assert memory.deal(other) is not None  # another site's caps are its own


def test_a_hostile_page_of_maximum_size_repeated_cannot_grow_the_memory(store: Store) -> None:
    memory = PageMemory(store.db, deals_per_site=20, people_per_site=2_000, deals=30)
    for i in range(40):
        remember(memory, CRM_A, f"r{i}", people=500, documents=500)
    site = next(s for s in memory.sites() if s.origin == CRM_A)
    assert site.deals <= 20 and site.people <= 2_000 and site.documents <= 2_000
    for i in range(40):
        remember(memory, f"https://crm-{i}.example.com", "1", people=1, documents=0)
    assert sum(s.deals for s in memory.sites()) <= 30
    (rows,) = store.db.execute("SELECT COUNT(*) FROM page_people").fetchone()
    assert rows <= 20 * 500 + 30


def test_page_memory_is_kept_apart_from_crm_data(store: Store) -> None:
    remember(PageMemory(store.db), CRM_A, "42")
    dataset = store.dataset()
    assert dataset.opportunities == [] and dataset.contacts == [] and dataset.documents == []
    assert store.contacts_by_phone("+14155551000") == []


def test_the_setting_file_and_the_origin_rule(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    assert load_settings(home).page_memory is True
    save_settings(home, ContextSettings(page_memory=False, record_origins=[CRM_A + "/x"]))
    again = load_settings(home)
    assert again.page_memory is False and again.record_origins == [CRM_A]
    assert origin_may_name_records(CRM_A, None, [])  # nothing configured: one site
    assert not origin_may_name_records(None, None, [])
    assert origin_may_name_records(CRM_A, [CRM_A], [])
    assert not origin_may_name_records(CRM_B, [CRM_A], [])
    assert not origin_may_name_records(CRM_B, None, ["https://acme.my.salesforce.com"])
    assert origin_may_name_records(
        "https://acme.lightning.force.com", None, ["https://acme.my.salesforce.com"]
    )
