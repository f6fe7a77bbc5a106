"""A call placed from a deal page of a CRM Rolecall is signed in to: the deal comes
through the CRM's API (all its roles and documents), and the page deal fills in only
what the API left empty (stage, amount, close date, owner, the account's name).

The page names the deal only when it is a deal page of that very CRM (its adapter's
`crm` is the connector's name, its `object_type` a deal type) on a site trusted to name
records (`PageDeals.may_name_records`).
"""

from __future__ import annotations

from collections.abc import Collection

from rolecall.context.page_context import page_opportunity
from rolecall.protocol.context import OpportunityContext
from rolecall.protocol.page import PageRecord
from rolecall.protocol.records import Account
from rolecall.store.page_memory import PageDeal

DEAL_TYPES = frozenset({"opportunity", "deal", "deals", "potential"})
"""Object types the extension's adapters use for a deal page."""


def api_deal_id(record: PageRecord | None, connected: Collection[str], trusted: bool) -> str | None:
    """The deal id to fetch through the API, when the page shows a deal of a connected CRM."""
    if record is None or not trusted or not record.record_id:
        return None
    if record.crm not in connected or record.object_type.lower() not in DEAL_TYPES:
        return None
    return record.record_id


def fill_from_page(context: OpportunityContext, deal: PageDeal | None) -> OpportunityContext:
    """The API's deal view with its empty fields taken from the page deal; never more."""
    if deal is None:
        return context
    api, page = context.opportunity, page_opportunity(deal)
    updates: dict[str, object] = {}
    if not api.stage and page.stage:
        updates["stage"] = page.stage
    if api.amount is None and page.amount is not None:
        updates["amount"] = page.amount
        updates["currency"] = page.currency
    if api.close_date is None and page.close_date is not None:
        updates["close_date"] = page.close_date
    if not api.owner and page.owner:
        updates["owner"] = page.owner
    account = context.account
    name = deal.fields.get("account", "").strip()
    if account is None and name:
        account = Account(id=f"{deal.key}.account", name=name[:200])
    if not updates and account is context.account:
        return context
    return context.model_copy(
        update={"opportunity": api.model_copy(update=updates), "account": account}
    )
