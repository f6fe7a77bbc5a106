"""`context.get` answers from a cache under load; the cache must never serve stale data.

It is dropped whenever the daemon's own connection changes a row (a role set, a note,
a call logged) or another process commits to the database file (`rolecall import`).
"""

from __future__ import annotations

from pathlib import Path

from rolecall.context.service import ContextService
from rolecall.protocol.context import ContextParams
from rolecall.protocol.records import Account, Contact, ContactRole, Dataset, Opportunity, Role
from rolecall.store.store import Store


def deal(name: str) -> Dataset:
    return Dataset(
        accounts=[Account(id="acc-1", name="Acme")],
        contacts=[Contact(id="c-1", account_id="acc-1", last_name="Lima")],
        opportunities=[Opportunity(id="opp-1", account_id="acc-1", name=name)],
        roles=[ContactRole(opportunity_id="opp-1", contact_id="c-1", role=Role.EVALUATOR)],
    )


def test_cached_context_follows_every_change(tmp_path: Path) -> None:
    path = tmp_path / "rolecall.db"
    store = Store(path)
    store.load(deal("First name"))
    service = ContextService(store)
    params = ContextParams(opportunity_id="opp-1")
    first = service.get(params)
    assert service.get(params) is first  # served from the cache
    assert first.context is not None and first.context.opportunity.name == "First name"

    store.set_role(
        ContactRole(opportunity_id="opp-1", contact_id="c-1", role=Role.DECISION_MAKER)
    )  # a change through the daemon's own connection
    after_role = service.get(params)
    assert after_role.context is not None
    assert [g.role for g in after_role.context.groups] == [Role.DECISION_MAKER]

    other = Store(path)  # another process's connection, as `rolecall import` has
    other.load(deal("Renamed elsewhere"))
    other.close()
    renamed = service.get(params)
    assert renamed.context is not None and renamed.context.opportunity.name == "Renamed elsewhere"

    paged = service.get(ContextParams(opportunity_id="opp-1", page_size=1))
    assert paged is not renamed  # other params, other entry
    store.close()
