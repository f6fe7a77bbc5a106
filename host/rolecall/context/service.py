"""Answers "what is this call about?": the opportunity, its people by role, its documents.

Sources are merged: the page snapshot (what the CRM page in view shows) and the
embedded store. Contacts are matched across sources by E.164 number, then by name;
groups follow `ROLE_ORDER` (unknown roles last); the key roles a deal lacks are named.
Long lists are paged so that every reply fits one native-messaging frame.
"""

from __future__ import annotations

import phonenumbers

from rolecall.context.models import (
    KEY_ROLES,
    ROLE_ORDER,
    Account,
    Contact,
    Document,
    Opportunity,
    Phone,
    Role,
    normalize_role,
)
from rolecall.context.store import Store
from rolecall.protocol.context import (
    CallerMatch,
    CallSummary,
    ContactCard,
    ContextParams,
    ContextResult,
    OpportunityContext,
    PageSnapshot,
    Relation,
    RoleGroup,
)
from rolecall.protocol.errors import ErrorCode, ProtocolError


def to_e164(text: str, region: str = "US") -> str | None:
    """The number in E.164, or None when it is not a valid phone number."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


class ContextService:
    """Context for calls, over one store (used on the daemon's event loop thread)."""

    def __init__(self, store: Store, default_region: str = "US") -> None:
        self.store = store
        self.region = default_region

    def get(self, params: ContextParams) -> ContextResult:
        matches: list[CallerMatch] = []
        opportunity_id = params.opportunity_id
        if params.phone is not None:
            e164 = to_e164(params.phone, self.region)
            if e164 is None:
                raise ProtocolError(ErrorCode.INVALID_TARGET, "not a phone number", {})
            matches = self.callers(e164)
            if opportunity_id is None:
                ids = {m.opportunity_id for m in matches if m.opportunity_id}
                opportunity_id = ids.pop() if len(ids) == 1 else None
        if opportunity_id is None and params.snapshot is not None:
            opportunity_id = params.snapshot.record_id or None
        context = (
            self.opportunity_context(opportunity_id, params) if opportunity_id is not None else None
        )
        return ContextResult(context=context, matches=matches)

    def callers(self, e164: str) -> list[CallerMatch]:
        """Every contact with this number, once per opportunity they are on."""
        ids = self.store.contacts_by_phone(e164)
        contacts = self.store.contacts(ids)
        links = self.store.opportunities_of(ids)
        matches: list[CallerMatch] = []
        for contact_id, opportunity_id in links:
            opportunity = self.store.opportunity(opportunity_id)
            role = next(
                (r for r in self.store.roles(opportunity_id) if r.contact_id == contact_id), None
            )
            matches.append(
                CallerMatch(
                    contact=contacts[contact_id],
                    account_name=self._account_name(contacts[contact_id].account_id),
                    opportunity_id=opportunity_id,
                    opportunity_name=opportunity.name if opportunity else "",
                    role=role.role if role else Role.NONE,
                )
            )
        for contact_id in ids:
            if not any(m.contact.id == contact_id for m in matches):
                contact = contacts[contact_id]
                matches.append(
                    CallerMatch(
                        contact=contact,
                        account_name=self._account_name(contact.account_id),
                        opportunity_id=None,
                        opportunity_name="",
                        role=Role.NONE,
                    )
                )
        return matches

    def _account_name(self, account_id: str | None) -> str:
        account = self.store.account(account_id)
        return account.name if account else ""

    def opportunity_context(
        self, opportunity_id: str, params: ContextParams
    ) -> OpportunityContext | None:
        opportunity = self.store.opportunity(opportunity_id)
        snapshot = params.snapshot
        if opportunity is None:
            if snapshot is None:
                raise ProtocolError(ErrorCode.NOT_FOUND, f"no opportunity {opportunity_id}")
            return self._from_snapshot_only(opportunity_id, snapshot, params)
        roles = self.store.roles(opportunity_id)
        contacts = self.store.contacts(r.contact_id for r in roles)
        names = {cid: c.name for cid, c in contacts.items()}
        relations = self._relations(list(contacts), names)
        cards = [
            ContactCard(
                contact=contacts[role.contact_id],
                role=role.role,
                source_role=role.source_role,
                is_primary=role.is_primary,
                account_name=self._account_name(contacts[role.contact_id].account_id),
                relations=relations.get(role.contact_id, []),
                notes=self.store.notes(role.contact_id),
                source="store",
            )
            for role in roles
            if role.contact_id in contacts
        ]
        if snapshot is not None:
            cards += self._page_only_cards(snapshot, cards)
        documents = self.store.documents(opportunity_id)
        return self._assemble(
            opportunity, self.store.account(opportunity.account_id), cards, documents, params
        )

    def _relations(self, ids: list[str], names: dict[str, str]) -> dict[str, list[Relation]]:
        found: dict[str, list[Relation]] = {}
        for rel in self.store.relationships(ids):
            if rel.to_contact_id in names:
                found.setdefault(rel.from_contact_id, []).append(
                    Relation(
                        kind=rel.kind,
                        direction="to",
                        contact_id=rel.to_contact_id,
                        name=names[rel.to_contact_id],
                    )
                )
                found.setdefault(rel.to_contact_id, []).append(
                    Relation(
                        kind=rel.kind,
                        direction="from",
                        contact_id=rel.from_contact_id,
                        name=names.get(rel.from_contact_id, ""),
                    )
                )
        return found

    def _page_only_cards(
        self, snapshot: PageSnapshot, known: list[ContactCard]
    ) -> list[ContactCard]:
        """Contacts the page shows that the store does not have (matched by number, name)."""
        numbers = {p.e164 for card in known for p in card.contact.phones if p.e164}
        names = {card.contact.name.casefold() for card in known}
        cards = []
        for index, seen in enumerate(snapshot.contacts):
            phones = [Phone(raw=raw[:64], e164=to_e164(raw, self.region)) for raw in seen.phones]
            if any(p.e164 in numbers for p in phones if p.e164) or seen.name.casefold() in names:
                continue
            first, _, last = seen.name.strip().rpartition(" ")
            contact = Contact(
                id=f"page-{index}",
                first_name=first,
                last_name=last or seen.name or "?",
                title=seen.title,
                email=seen.email,
                phones=phones,
            )
            cards.append(
                ContactCard(
                    contact=contact,
                    role=normalize_role(seen.role),
                    source_role=seen.role,
                    is_primary=False,
                    account_name="",
                    relations=[],
                    notes=[],
                    source="page",
                )
            )
        return cards

    def _from_snapshot_only(
        self, opportunity_id: str, snapshot: PageSnapshot, params: ContextParams
    ) -> OpportunityContext:
        opportunity = Opportunity(
            id=opportunity_id, name=snapshot.opportunity_name or snapshot.record_id or "?"
        )
        return self._assemble(opportunity, None, self._page_only_cards(snapshot, []), [], params)

    def _assemble(
        self,
        opportunity: Opportunity,
        account: Account | None,
        cards: list[ContactCard],
        documents: list[Document],
        params: ContextParams,
    ) -> OpportunityContext:
        ordered = sorted(cards, key=lambda c: (ROLE_ORDER.index(c.role), not c.is_primary))
        page = ordered[params.contacts_offset : params.contacts_offset + params.page_size]
        groups = [
            RoleGroup(role=role, contacts=[c for c in page if c.role == role])
            for role in ROLE_ORDER
            if any(c.role == role for c in page)
        ]
        present = {c.role for c in cards}
        doc_page = documents[params.documents_offset : params.documents_offset + params.page_size]
        next_contacts = params.contacts_offset + params.page_size
        next_documents = params.documents_offset + params.page_size
        calls = [
            CallSummary(
                call_id=entry.call_id,
                direction=entry.direction,
                number=entry.number,
                started_at=entry.started_at.isoformat(),
                duration_s=entry.duration_s,
                end_cause=entry.end_cause,
                disposition=entry.disposition,
                notes=entry.notes,
            )
            for entry, state in self.store.calls(opportunity_id=opportunity.id, limit=10)
            if state == "ended"
        ]
        return OpportunityContext(
            opportunity=opportunity,
            account=account,
            groups=groups,
            missing_roles=[r for r in KEY_ROLES if r not in present],
            documents=doc_page,
            recent_calls=calls,
            total_contacts=len(cards),
            total_documents=len(documents),
            next_contacts_offset=next_contacts if next_contacts < len(cards) else None,
            next_documents_offset=next_documents if next_documents < len(documents) else None,
        )
