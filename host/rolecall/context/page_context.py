"""A page deal as the panel shows a deal: people grouped by role, documents, fields.

The page deal comes from page memory or straight from the snapshot of the page a call
was placed from; it is marked `source: "page"` with the record and site it came from.
Everything here is text from a web page: it is carried as text only, and only http(s)
documents are offered.
"""

from __future__ import annotations

import re
from datetime import date

from rolecall.protocol.context import (
    CallerMatch,
    ContactCard,
    ContextParams,
    OpportunityContext,
    RoleGroup,
)
from rolecall.protocol.records import (
    KEY_ROLES,
    ROLE_ORDER,
    Account,
    Contact,
    Document,
    Opportunity,
    Phone,
    Role,
)
from rolecall.store.page_memory import PageDeal, PagePerson, person_id

_AMOUNT = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def _amount(text: str) -> float | None:
    found = _AMOUNT.search(text.replace("\u00a0", "").replace(" ", ""))
    try:
        return float(found.group().replace(",", "")) if found else None
    except ValueError:
        return None


def _close_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def page_contact(deal: PageDeal, person: PagePerson) -> Contact:
    first, _, last = person.name.strip().rpartition(" ")
    phones = [Phone(raw=e164, e164=e164) for e164 in person.phones] or [
        Phone(raw=raw) for raw in person.raw_phones[:10]
    ]
    return Contact(
        id=person_id(deal.key, person.key),
        first_name=first,
        last_name=last or person.name or "?",
        title=person.title,
        email=person.email,
        phones=phones[:10],
    )


def page_opportunity(deal: PageDeal) -> Opportunity:
    fields = deal.fields
    currency = fields.get("currency", "").upper()
    return Opportunity(
        id=deal.key,
        account_id=f"{deal.key}.account" if fields.get("account") else None,
        name=deal.name or "?",
        stage=fields.get("stage", ""),
        amount=_amount(fields.get("amount", "")),
        currency=currency if re.fullmatch(r"[A-Z]{3}", currency) else "USD",
        close_date=_close_date(fields.get("close_date", "")),
        owner=fields.get("owner", ""),
    )


def page_deal_context(
    deal: PageDeal, params: ContextParams, called: str | None = None
) -> OpportunityContext:
    """The page deal as a deal view; the person with number `called` is marked."""
    ordered = sorted(deal.people, key=lambda p: (ROLE_ORDER.index(p.role), not p.is_primary))
    start, size = params.contacts_offset, params.page_size
    account_name = deal.fields.get("account", "")
    cards = [
        ContactCard(
            contact=page_contact(deal, person),
            role=person.role,
            source_role=person.source_role,
            is_primary=person.is_primary,
            account_name=account_name,
            relations=[],
            notes=list(person.notes),
            source="page",
            is_called=called is not None and called in person.phones,
        )
        for person in ordered[start : start + size]
    ]
    offered = [d for d in deal.documents if d.url.startswith(("https://", "http://"))]
    documents = [
        Document(
            id=f"{deal.key}.d{index}",
            opportunity_id=deal.key,
            title=doc.title,
            doc_type=doc.doc_type,
            size_bytes=doc.size_bytes,
            url=doc.url,
        )
        for index, doc in enumerate(offered)
    ][params.documents_offset : params.documents_offset + size]
    present = {p.role for p in deal.people}
    opportunity = page_opportunity(deal)
    next_contacts = start + size
    next_documents = params.documents_offset + size
    return OpportunityContext(
        opportunity=opportunity,
        account=Account(id=opportunity.account_id, name=account_name)
        if opportunity.account_id
        else None,
        groups=[
            RoleGroup(role=role, contacts=[c for c in cards if c.role == role])
            for role in ROLE_ORDER
            if any(c.role == role for c in cards)
        ],
        missing_roles=[r for r in KEY_ROLES if r not in present],
        documents=documents,
        recent_calls=[],
        total_contacts=len(ordered),
        total_documents=len(offered),
        next_contacts_offset=next_contacts if next_contacts < len(ordered) else None,
        next_documents_offset=next_documents if next_documents < len(offered) else None,
        source="page",
        page=deal.ref,
        fields=deal.fields,
    )


def page_match(deal: PageDeal, person: PagePerson) -> CallerMatch:
    """A caller found among a page deal's people."""
    return CallerMatch(
        contact=page_contact(deal, person),
        account_name=deal.fields.get("account", ""),
        opportunity_id=deal.key,
        opportunity_name=deal.name,
        role=person.role,
        source="page",
    )


def switchboard_match(deal: PageDeal, e164: str) -> CallerMatch:
    """An account's main line: the page deal is offered, with the account as the caller."""
    account = deal.fields.get("account", "") or deal.name
    return CallerMatch(
        contact=Contact(
            id=f"{deal.key}.account",
            last_name=account[:200] or "?",
            phones=[Phone(raw=e164, e164=e164)],
        ),
        account_name=account,
        opportunity_id=deal.key,
        opportunity_name=deal.name,
        role=Role.NONE,
        via="switchboard",
        source="page",
    )
