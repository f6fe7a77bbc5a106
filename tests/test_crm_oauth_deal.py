"""Which deal: a call placed from a deal page of a connected CRM gets that deal through
the CRM's API (roles and documents included), and the page deal fills in only what the
API left empty. A page of another CRM, or of a site not trusted to name records, keeps
the page deal."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from connectors.conftest import TOKEN, Sleeps, fast_options
from connectors.fake_server import FakeServer, Reply, load_fixture
from connectors.fakes import FakeSalesforce
from rolecall.context.page_deals import PageDeals
from rolecall.context.service import ContextService
from rolecall.crm.connectors.config import SalesforceConfig
from rolecall.crm.factory import build_connector
from rolecall.crm.outbox import Outbox
from rolecall.crm.writebacks import WriteBacks
from rolecall.daemon.context_handlers import context_handlers
from rolecall.protocol.context import PageSnapshot, SnapshotContact
from rolecall.protocol.methods import METHODS
from rolecall.protocol.page import PageDeal, PageRecord
from rolecall.store.page_memory import PageMemory
from rolecall.store.page_settings import ContextSettings
from rolecall.store.store import Store

OPP = FakeSalesforce.OPPORTUNITY
CALL = "c" * 32


class Rig:
    def __init__(self, store: Store, server: FakeServer) -> None:
        self.server = server
        self.fake = FakeSalesforce(server)
        config = SalesforceConfig(instance_url=server.url, default_region="US")
        self.connector = build_connector(config, TOKEN, options=fast_options(Sleeps()))
        self.deals = PageDeals(
            PageMemory(store.db),
            ContextSettings(),
            connector_origins=[server.url],
            stored_record=lambda rid: store.opportunity(rid) is not None,
        )
        service = ContextService(store, memory=self.deals.memory, memory_on=lambda: self.deals.on)
        writes = WriteBacks(Outbox(store), {"salesforce": self.connector})
        self.handlers = context_handlers(service, writes, page_deals=self.deals)

    def page(self, crm: str = "salesforce", origin: str | None = None) -> PageRecord:
        return PageRecord(
            crm=crm,
            object_type="opportunity",
            record_id=OPP,
            url=f"{origin or self.server.url}/lightning/r/Opportunity/{OPP}/view",
        )

    def context(self) -> dict[str, Any]:
        call = self.handlers["context.get"](
            None,  # type: ignore[arg-type]
            METHODS["context.get"].params.model_validate({"call_id": CALL}),
        )
        result: BaseModel = asyncio.run(call)  # type: ignore[arg-type]
        context: dict[str, Any] = result.model_dump(mode="json")["context"]
        return context


def snapshot(crm: str = "salesforce") -> PageSnapshot:
    return PageSnapshot(
        crm=crm,
        object_type="opportunity",
        record_id=OPP,
        opportunity_name="Acme - 500 Widgets (as the page shows it)",
        contacts=[SnapshotContact(name="Page Person", phones=["+1 415 555 0199"])],
        deal=PageDeal(
            stage="Negotiation",
            amount="$99,000.00",
            currency="USD",
            close_date="2025-10-31",
            owner="Page Owner",
            account="Acme Page Account",
        ),
    )


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    server = FakeServer().start()
    store = Store(tmp_path / "rolecall.db")
    try:
        made = Rig(store, server)
        yield made
        made.connector.close()
    finally:
        store.close()
        server.stop()


def test_a_deal_page_of_the_connected_crm_is_read_through_the_api(rig: Rig) -> None:
    rig.deals.placed(CALL, rig.page(), snapshot(), "+14155550199")
    context = rig.context()
    assert context["source"] == "store"
    opportunity = context["opportunity"]
    assert opportunity["id"] == OPP and opportunity["name"] == "Acme - 500 Widgets"
    assert opportunity["stage"] == "Proposal/Price Quote"  # the API's, not the page's
    assert opportunity["owner"] == "Olivia Owner" and opportunity["amount"] == 125000.0
    people = [c["contact"]["id"] for g in context["groups"] for c in g["contacts"]]
    assert people and "Page Person" not in str(people)  # the CRM's people, with roles
    assert len(rig.server.matching("GET", r"/query")) > 0
    asked = len(rig.server.requests)
    rig.context()  # the panel asks again: the API is not asked again for this call
    assert len(rig.server.requests) == asked


def test_the_page_fills_only_what_the_api_left_empty(rig: Rig) -> None:
    record = load_fixture("salesforce/opportunity.json")["records"][0]
    del record["StageName"], record["Owner"], record["Amount"]
    rig.server.fail(
        "GET", r"/query", Reply(body={"totalSize": 1, "done": True, "records": [record]})
    )
    rig.deals.placed(CALL, rig.page(), snapshot(), None)
    opportunity = rig.context()["opportunity"]
    assert opportunity["name"] == "Acme - 500 Widgets"  # the API had it
    assert opportunity["close_date"] == "2025-09-30"  # the API had it
    assert opportunity["stage"] == "Negotiation"  # the API had none: the page's
    assert opportunity["owner"] == "Page Owner"
    assert opportunity["amount"] == 99000.0


def test_pages_of_another_crm_or_an_untrusted_site_keep_the_page_deal(rig: Rig) -> None:
    rig.deals.placed(CALL, rig.page(crm="hubspot"), snapshot("hubspot"), None)
    assert rig.context()["source"] == "page"
    other = "c" * 31 + "d"
    rig.deals.placed(other, rig.page(origin="https://evil.example.net"), snapshot(), None)
    call = rig.handlers["context.get"](
        None,  # type: ignore[arg-type]
        METHODS["context.get"].params.model_validate({"call_id": other}),
    )
    context = asyncio.run(call).model_dump(mode="json")["context"]  # type: ignore[attr-defined]
    assert context["source"] == "page"
    assert rig.server.requests == []  # neither page reached the CRM's API
