"""Answers "what is this call about?": the opportunity, its people by role, its documents.

Sources are merged: the page snapshot (what the CRM page in view shows) and the
embedded store. Contacts are matched across sources by E.164 number, then by name;
groups follow `ROLE_ORDER` (unknown roles last); the key roles a deal lacks are named.
Long lists are paged so that every reply fits one native-messaging frame.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from pydantic import TypeAdapter, ValidationError

from rolecall.context.page_context import page_deal_context, page_match, switchboard_match
from rolecall.phones import to_e164
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
from rolecall.protocol.records import (
    KEY_ROLES,
    ROLE_ORDER,
    Contact,
    ContactRole,
    Opportunity,
    Phone,
    RecordId,
    Role,
    normalize_role,
)
from rolecall.store.page_memory import DEAL_PREFIX, PageMemory
from rolecall.store.store import Store

_RECORD_ID: TypeAdapter[str] = TypeAdapter(RecordId)


def _record_id(text: str) -> str | None:
    """The page's record id when it can name a record here; pages may show anything."""
    try:
        return _RECORD_ID.validate_python(text)
    except ValidationError:
        return None


class ContextService:
    """Context for calls, over one store (used on the daemon's event loop thread)."""

    CACHE_SIZE = 64

    def __init__(
        self,
        store: Store,
        default_region: str = "US",
        memory: PageMemory | None = None,
        memory_on: Callable[[], bool] = lambda: True,
    ) -> None:
        self.store = store
        self.region = default_region
        self.memory = memory
        """Deals read off CRM pages; asked only while `memory_on()`."""
        self.memory_on = memory_on
        self._cache: OrderedDict[tuple[object, ...], ContextResult] = OrderedDict()
        self._cache_changes: tuple[int, int] = (-1, -1)

    def get(self, params: ContextParams) -> ContextResult:
        """The context for `params`. Results without a page snapshot depend only on the
        store, so they are kept until the store next changes (a panel asks for the same
        deal again and again; each answer costs about 1 ms to build)."""
        if params.snapshot is not None:
            return self._compute(params)
        db = self.store.db
        # Rows changed here, or commits by another process (the CLI's import).
        changes = (db.total_changes, db.execute("PRAGMA data_version").fetchone()[0])
        if changes != self._cache_changes:
            self._cache.clear()
            self._cache_changes = changes
        key = (
            params.call_id, params.opportunity_id, params.contact_id, params.crm, params.phone,
            params.contacts_offset, params.documents_offset, params.page_size,
        )  # fmt: skip
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._compute(params)
            while len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
        return found

    def _compute(self, params: ContextParams) -> ContextResult:
        matches: list[CallerMatch] = []
        opportunity_id = params.opportunity_id
        e164: str | None = None
        if params.phone is not None:
            e164 = to_e164(params.phone, self.region, strictness="valid")
            if e164 is None:
                raise ProtocolError(ErrorCode.INVALID_TARGET, "not a phone number", {})
            matches = self.callers(e164)
            if opportunity_id is None:
                ids = {m.opportunity_id for m in matches if m.opportunity_id}
                opportunity_id = ids.pop() if len(ids) == 1 else None
        if params.contact_id is not None:
            matches += self.deals_of(params.contact_id)
            if opportunity_id is None:
                ids = {m.opportunity_id for m in matches if m.opportunity_id}
                opportunity_id = ids.pop() if len(ids) == 1 else None
        if opportunity_id is None and params.snapshot is not None:
            opportunity_id = _record_id(params.snapshot.record_id)
        if opportunity_id is not None and opportunity_id.startswith(DEAL_PREFIX):
            deal = self._page_memory().deal(opportunity_id)
            if deal is None:
                raise ProtocolError(ErrorCode.NOT_FOUND, f"no page deal {opportunity_id}")
            return ContextResult(context=page_deal_context(deal, params, e164), matches=matches)
        context = (
            self.opportunity_context(opportunity_id, params) if opportunity_id is not None else None
        )
        return ContextResult(context=context, matches=matches)

    def _page_memory(self) -> PageMemory:
        if self.memory is None or not self.memory_on():
            raise ProtocolError(ErrorCode.UNAVAILABLE, "page memory is off")
        return self.memory

    def callers(self, e164: str) -> list[CallerMatch]:
        """Every contact with this number, once per opportunity they are on: stored
        contacts, then people seen on CRM pages (while page memory is on); when no person
        has the number, the open deals of the account whose main number it is."""
        found = self._matches(self.store.contacts_by_phone(e164))
        memory = self.memory if self.memory is not None and self.memory_on() else None
        if memory is not None:
            # A page that showed a stored deal is that deal: offered once, from the store.
            # (By id only: two deals of one name on different sites are different deals.)
            stored = {m.opportunity_id for m in found}
            for key, person in memory.deals_with_person_phone(e164)[:50]:
                deal = memory.deal(key)
                seen = next((p for p in deal.people if p.key == person), None) if deal else None
                if deal is None or seen is None:
                    continue
                if deal.ref.record_id in stored:
                    continue
                found.append(page_match(deal, seen))
        if found:
            return found
        found = [
            CallerMatch(
                contact=Contact(id=account.id, last_name=account.name or "?", phones=[]),
                account_name=account.name,
                opportunity_id=opportunity.id,
                opportunity_name=opportunity.name,
                role=Role.NONE,
                via="switchboard",
            )
            for account, opportunity in self.store.open_deals_by_account_phone(e164)
        ]
        if memory is not None:
            found += [switchboard_match(d, e164) for d in memory.open_deals_of_switchboard(e164)]
        return found

    def deals_of(self, contact_id: str) -> list[CallerMatch]:
        """The contact, once per opportunity they are on (once with none if on none)."""
        if not self.store.contacts([contact_id]):
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no contact {contact_id}")
        return self._matches([contact_id])

    def _matches(self, ids: list[str]) -> list[CallerMatch]:
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
            opportunity = Opportunity(
                id=opportunity_id, name=snapshot.opportunity_name or snapshot.record_id or "?"
            )
        roles = self.store.roles(opportunity_id)
        extra: list[ContactCard] = []
        if snapshot is not None:
            ids = [r.contact_id for r in roles]
            known_names = {n.casefold() for n in self.store.names(ids).values()}
            extra = self._page_only_cards(snapshot, self.store.numbers(ids), known_names)
        # Order everything by role and primary flag, then build cards for one page only.
        entries: list[tuple[int, bool, ContactRole | ContactCard]] = [
            (ROLE_ORDER.index(r.role), not r.is_primary, r) for r in roles
        ] + [(ROLE_ORDER.index(c.role), not c.is_primary, c) for c in extra]
        entries.sort(key=lambda e: (e[0], e[1]))
        start, size = params.contacts_offset, params.page_size
        page = [e[2] for e in entries[start : start + size]]
        cards = self._cards([r for r in page if isinstance(r, ContactRole)])
        shown: list[ContactCard] = []
        for entry in page:
            card = cards[entry.contact_id] if isinstance(entry, ContactRole) else entry
            if card is not None:
                shown.append(card)
        total_documents = self.store.count_documents(opportunity_id)
        documents = self.store.documents(opportunity_id, params.documents_offset, size)
        present = {r.role for r in roles} | {c.role for c in extra}
        next_contacts = start + size
        next_documents = params.documents_offset + size
        return OpportunityContext(
            opportunity=opportunity,
            account=self.store.account(opportunity.account_id),
            groups=[
                RoleGroup(role=role, contacts=[c for c in shown if c.role == role])
                for role in ROLE_ORDER
                if any(c.role == role for c in shown)
            ],
            missing_roles=[r for r in KEY_ROLES if r not in present],
            documents=documents,
            recent_calls=self._recent_calls(opportunity_id),
            total_contacts=len(entries),
            total_documents=total_documents,
            next_contacts_offset=next_contacts if next_contacts < len(entries) else None,
            next_documents_offset=next_documents if next_documents < total_documents else None,
        )

    def _cards(self, roles: list[ContactRole]) -> dict[str, ContactCard | None]:
        """Full cards for these roles' contacts, in a few queries."""
        contacts = self.store.contacts(r.contact_id for r in roles)
        relations = self._relations(list(contacts))
        notes = self.store.notes_of(contacts)
        accounts = {
            account_id: self._account_name(account_id)
            for account_id in {c.account_id for c in contacts.values()}
        }
        cards: dict[str, ContactCard | None] = {}
        for role in roles:
            contact = contacts.get(role.contact_id)
            cards[role.contact_id] = (
                ContactCard(
                    contact=contact,
                    role=role.role,
                    source_role=role.source_role,
                    is_primary=role.is_primary,
                    account_name=accounts[contact.account_id],
                    relations=relations.get(role.contact_id, []),
                    notes=notes.get(role.contact_id, []),
                    source="store",
                )
                if contact is not None
                else None
            )
        return cards

    def _recent_calls(self, opportunity_id: str) -> list[CallSummary]:
        return [
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
            for entry, state in self.store.calls(opportunity_id=opportunity_id, limit=10)
            if state == "ended"
        ]

    def _relations(self, ids: list[str]) -> dict[str, list[Relation]]:
        """Reporting lines and the like, both ways, for these contacts."""
        links = self.store.relationships(ids)
        names = self.store.names({r.to_contact_id for r in links} | set(ids))
        found: dict[str, list[Relation]] = {}
        for rel in links:
            found.setdefault(rel.from_contact_id, []).append(
                Relation(
                    kind=rel.kind,
                    direction="to",
                    contact_id=rel.to_contact_id,
                    name=names.get(rel.to_contact_id, ""),
                )
            )
            if rel.to_contact_id in ids:
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
        self, snapshot: PageSnapshot, numbers: set[str], names: set[str]
    ) -> list[ContactCard]:
        """Contacts the page shows that the store does not have (matched by number, name)."""
        cards = []
        for index, seen in enumerate(snapshot.contacts):
            phones = [
                Phone(raw=raw[:64], e164=to_e164(raw, self.region, strictness="valid"))
                for raw in seen.phones
            ]
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
