"""`context.get` for a call from a CRM page: the page deal when the store has none, the
stored deal when it has one; callers matched from pages and account main lines; edits
on a page deal's people kept in page memory; the memory.* methods."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from rolecall.context.page_deals import PageDeals
from rolecall.context.service import ContextService
from rolecall.crm.outbox import Outbox
from rolecall.crm.writebacks import WriteBacks
from rolecall.daemon.context_handlers import context_handlers
from rolecall.daemon.memory_handlers import memory_handlers
from rolecall.protocol.calllog import CallLogEntry
from rolecall.protocol.context import PageSnapshot, SnapshotContact, SnapshotDocument
from rolecall.protocol.errors import ProtocolError
from rolecall.protocol.methods import METHODS
from rolecall.protocol.page import PageDeal, PageRecord
from rolecall.protocol.records import Account, Dataset, Opportunity, Phone, Role
from rolecall.store.page_memory import PageMemory
from rolecall.store.page_settings import ContextSettings
from rolecall.store.store import Store
from test_context_store import small_dataset

CRM = "https://crm.example.com"
OTHER = "https://evil.example.net"
CALL = "a" * 32
LATER = "b" * 32


class Session:
    """The context and memory handlers over one store, called as the daemon calls them."""

    def __init__(self, store: Store, settings: ContextSettings | None = None) -> None:
        self.saved: list[ContextSettings] = []
        self.deals = PageDeals(
            PageMemory(store.db),
            settings or ContextSettings(),
            self.saved.append,
            stored_record=lambda rid: store.opportunity(rid) is not None,
        )
        service = ContextService(store, memory=self.deals.memory, memory_on=lambda: self.deals.on)
        self.handlers = {
            **context_handlers(service, WriteBacks(Outbox(store), {}), page_deals=self.deals),
            **memory_handlers(self.deals),
        }

    def __call__(self, method: str, **params: Any) -> dict[str, Any]:
        spec = METHODS[method]
        call = self.handlers[method](None, spec.params.model_validate(params))  # type: ignore[arg-type]
        result: BaseModel = asyncio.run(call)  # type: ignore[arg-type]
        dumped: dict[str, Any] = result.model_dump(mode="json")
        return dumped


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "rolecall.db")
    yield opened
    opened.close()


def page(origin: str = CRM, record_id: str = "d-7") -> PageRecord:
    return PageRecord(
        crm="generic",
        instance=origin.split("//")[1],
        object_type="deal",
        record_id=record_id,
        url=f"{origin}/deals/{record_id}",
    )


def shown(name: str = "Globex renewal") -> PageSnapshot:
    return PageSnapshot(
        crm="generic",
        object_type="deal",
        record_id="d-7",
        opportunity_name=name,
        contacts=[
            SnapshotContact(name="Ana Lima", role="Decision Maker", phones=["+1 415 555 0101"]),
            SnapshotContact(name="Bo Chen", role="Champion", phones=["+1 415 555 0102"]),
            SnapshotContact(name="Cy <b>Doe</b>", title="<img src=x onerror=alert(1)>"),
        ],
        documents=[SnapshotDocument(title="Quote.pdf", url=f"{CRM}/files/quote.pdf")],
    )


def test_the_page_deal_answers_when_the_store_has_no_deal(store: Store) -> None:
    rc = Session(store)
    rc.deals.placed(CALL, page(), shown(), "+14155550102")
    context = rc("context.get", call_id=CALL)["context"]
    assert context["source"] == "page" and context["opportunity"]["name"] == "Globex renewal"
    assert context["page"]["origin"] == CRM and context["page"]["record_id"] == "d-7"
    groups = {
        g["role"]: [c["contact"]["last_name"] for c in g["contacts"]] for g in context["groups"]
    }
    assert groups == {"decision_maker": ["Lima"], "influencer": ["Chen"], "none": ["<b>Doe</b>"]}
    called = [c for g in context["groups"] for c in g["contacts"] if c["is_called"]]
    assert [c["contact"]["last_name"] for c in called] == ["Chen"]
    assert [d["url"] for d in context["documents"]] == [f"{CRM}/files/quote.pdf"]
    assert context["missing_roles"] == ["economic_buyer"]


def test_the_stored_deal_wins_when_the_page_names_one(store: Store) -> None:
    store.load(small_dataset())
    rc = Session(store)
    rc.deals.placed(CALL, page(record_id="opp-1"), shown(), None)
    context = rc("context.get", call_id=CALL)["context"]
    assert context["source"] == "store" and context["opportunity"]["id"] == "opp-1"
    # ... and is not remembered a second time as a page deal: a later caller from that
    # page is offered the stored deal once, not a copy of it beside it.
    assert rc("memory.sites")["sites"] == []


def test_a_site_not_trusted_for_records_cannot_attach_a_call_to_a_stored_deal(
    store: Store,
) -> None:
    store.load(small_dataset())
    rc = Session(store, ContextSettings(record_origins=[CRM]))
    rc.deals.placed(CALL, page(OTHER, "opp-1"), shown(), None)
    context = rc("context.get", call_id=CALL)["context"]
    assert context["source"] == "page" and context["page"]["origin"] == OTHER
    rc.deals.placed(LATER, page(CRM, "opp-1"), shown(), None)
    assert rc("context.get", call_id=LATER)["context"]["opportunity"]["id"] == "opp-1"


def test_a_later_caller_seen_on_the_page_pops_the_page_deal(store: Store) -> None:
    rc = Session(store)
    rc.deals.placed(CALL, page(), shown(), "+14155550102")
    result = rc("context.get", phone="(415) 555-0101")
    assert [m["contact"]["last_name"] for m in result["matches"]] == ["Lima"]
    assert result["matches"][0]["source"] == "page"
    assert result["context"]["source"] == "page"
    assert result["context"]["opportunity"]["name"] == "Globex renewal"
    lima = [c for g in result["context"]["groups"] for c in g["contacts"] if c["is_called"]]
    assert [c["contact"]["last_name"] for c in lima] == ["Lima"]


def test_with_the_memory_off_nothing_is_kept_and_no_caller_matches(store: Store) -> None:
    rc = Session(store)
    rc.deals.placed(CALL, page(), shown(), None)
    assert rc("memory.settings", page_memory=False) == {"page_memory": False}
    assert rc.saved[-1].page_memory is False
    assert rc("memory.sites")["sites"] == []
    rc.deals.placed(LATER, page(), shown(), None)
    assert rc("memory.sites")["sites"] == []
    # the call's own page still shows its deal, read off the page
    assert rc("context.get", call_id=LATER)["context"]["source"] == "page"
    assert rc("context.get", phone="+14155550101") == {"context": None, "matches": []}


def test_a_switchboard_number_offers_the_accounts_open_deals(store: Store) -> None:
    main = Phone(raw="+1 212 555 0100", e164="+12125550100")
    store.load(
        Dataset(
            accounts=[Account(id="acc-9", name="Initech", phone=main)],
            opportunities=[
                Opportunity(id="o-open", account_id="acc-9", name="Initech seats"),
                Opportunity(id="o-2", account_id="acc-9", name="Initech support", stage="Qualify"),
                Opportunity(id="o-won", account_id="acc-9", name="Old", stage="Closed Won"),
            ],
        )
    )
    result = Session(store)("context.get", phone="212-555-0100")
    assert sorted(m["opportunity_id"] for m in result["matches"]) == ["o-2", "o-open"]
    assert {m["via"] for m in result["matches"]} == {"switchboard"}
    assert result["context"] is None  # two deals: the user picks


def test_a_call_from_the_main_line_a_page_showed_offers_the_page_deal(store: Store) -> None:
    rc = Session(store)
    deal = PageDeal(account="Globex", account_phone="+1 (415) 555-0199", stage="Qualify")
    snapshot = shown().model_copy(update={"deal": deal})
    rc.deals.placed(CALL, page(), snapshot, None)
    result = rc("context.get", phone="415.555.0199")
    assert [m["via"] for m in result["matches"]] == ["switchboard"]
    assert result["matches"][0]["source"] == "page"
    assert result["context"]["opportunity"]["name"] == "Globex renewal"
    # nobody on the deal is the caller: the main line is the account's, not a person's
    assert not [c for g in result["context"]["groups"] for c in g["contacts"] if c["is_called"]]
    # once the deal is closed on the page, its main line offers it no more
    closed = PageDeal(account="Globex", account_phone="+14155550199", stage="Closed Won")
    snapshot = snapshot.model_copy(update={"deal": closed})
    rc.deals.placed(LATER, page(), snapshot, None)
    assert rc("context.get", phone="+14155550199")["matches"] == []


def test_without_page_memory_the_main_line_matches_nothing(store: Store) -> None:
    rc = Session(store)
    rc("memory.settings", page_memory=False)
    snapshot = shown().model_copy(update={"deal": PageDeal(account_phone="+14155550199")})
    rc.deals.placed(CALL, page(), snapshot, None)
    assert rc("context.get", phone="+14155550199") == {"context": None, "matches": []}


def test_edits_on_page_people_stay_with_the_page_deal(store: Store) -> None:
    rc = Session(store)
    rc.deals.placed(CALL, page(), shown(), None)
    context = rc("context.get", call_id=CALL)["context"]
    chen = next(
        c for g in context["groups"] for c in g["contacts"] if "Chen" in c["contact"]["last_name"]
    )
    deal_id, contact_id = context["opportunity"]["id"], chen["contact"]["id"]
    rc("context.set_role", opportunity_id=deal_id, contact_id=contact_id, role="economic_buyer",
       is_primary=True, crm="salesforce")  # fmt: skip
    rc("context.add_note", contact_id=contact_id, opportunity_id=deal_id, body="signs off")
    rc.deals.placed(LATER, page(), shown(), None)  # the page read again
    again = rc("context.get", opportunity_id=deal_id)["context"]
    buyers = next(g for g in again["groups"] if g["role"] == "economic_buyer")["contacts"]
    assert [c["contact"]["id"] for c in buyers] == [contact_id]
    assert buyers[0]["is_primary"] and buyers[0]["notes"] == ["signs off"]
    assert store.dataset().roles == [] and store.notes(contact_id) == []  # not CRM data
    (queued,) = store.db.execute("SELECT COUNT(*) FROM outbox").fetchone()
    assert queued == 0  # never written back to a CRM
    rc("memory.settings", page_memory=False)
    with pytest.raises(ProtocolError):
        rc("context.set_role", opportunity_id=deal_id, contact_id=contact_id, role=Role.EVALUATOR)


def test_forgetting_a_site_is_only_that_site(store: Store) -> None:
    rc = Session(store)
    rc.deals.placed(CALL, page(CRM), shown(), None)
    rc.deals.placed(LATER, page(OTHER), shown(), None)
    sites = rc("memory.sites")
    assert sites["page_memory"] and [s["origin"] for s in sites["sites"]] == [OTHER, CRM]
    assert rc("memory.forget", origin=OTHER) == {"deals": 1}
    assert [s["origin"] for s in rc("memory.sites")["sites"]] == [CRM]
    assert rc("context.get", phone="+14155550101")["context"]["page"]["origin"] == CRM


def test_a_page_deal_picked_for_a_call_names_its_record_in_the_log(store: Store) -> None:
    rc = Session(store)
    rc.deals.placed(CALL, page(), shown(), None)
    deal_id = rc("context.get", phone="+14155550101")["context"]["opportunity"]["id"]
    now = datetime.now(UTC)
    store.call_started(
        CallLogEntry(
            call_id=LATER, idempotency_key=f"rolecall:{LATER}", direction="inbound",
            number="+14155550101", started_at=now, ended_at=now, end_cause="", duration_s=0,
        )
    )  # fmt: skip
    logged = rc("calllog.update", call_id=LATER, opportunity_id=deal_id)["entry"]
    assert logged["record"]["origin"] == CRM and logged["record"]["record_id"] == "d-7"
    assert logged["opportunity_id"] is None
    with pytest.raises(ProtocolError):
        rc("calllog.update", call_id=LATER, opportunity_id="page.000000000000000000000000")
