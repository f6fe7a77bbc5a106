"""Protocol v1's context part: what a call is about, and the call log.

`context.get` answers with the opportunity, its contacts grouped by role in a fixed
order (unknown roles last), the key roles it lacks, its documents and recent calls;
long lists come back a page at a time so every reply fits one frame.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from rolecall.protocol.base import Params, Sent
from rolecall.protocol.calllog import CallLogEntry
from rolecall.protocol.page import PageDeal, PageRef
from rolecall.protocol.records import Account, Contact, Document, Opportunity, RecordId, Role

PageSize = Annotated[int, Field(ge=1, le=500)]


class SnapshotContact(Params):
    """A person as the CRM page shows them near a phone number."""

    name: str = Field(max_length=200)
    title: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=100, description="The page's role wording.")
    canonical_role: Role | None = Field(
        default=None, description="`role` as one of ours, when the extension could tell."
    )
    phones: list[str] = Field(default_factory=list, max_length=10)
    email: str = Field(default="", max_length=320)


class SnapshotDocument(Params):
    title: str = Field(max_length=200)
    url: str = Field(max_length=2000, pattern=r"^https?://")
    kind: str = Field(
        default="", max_length=16, pattern=r"^[a-z0-9]*$", description="e.g. pdf, docx, xlsx."
    )
    size: str = Field(default="", max_length=32, description="As shown, e.g. '1.2 MB'.")


class PageSnapshot(Params):
    """What the extension read off the CRM page in view."""

    crm: str = Field(max_length=32, pattern=r"^[a-z0-9_]+$")
    object_type: str = Field(default="", max_length=64)
    record_id: str = Field(default="", max_length=64)
    opportunity_name: str = Field(default="", max_length=200)
    contacts: list[SnapshotContact] = Field(default_factory=list, max_length=500)
    documents: list[SnapshotDocument] = Field(default_factory=list, max_length=500)
    is_deal: bool | None = Field(
        default=None,
        description="The page shows one deal (not a list); absent: the page reader did not say.",
    )
    page_key: str = Field(
        default="",
        max_length=2000,
        description="Stable across reloads and in-app navigation: the record's identity.",
    )
    deal: PageDeal | None = None


class ContextParams(Params):
    call_id: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{32}$",
        description="The context of a call placed from a CRM page: its record and snapshot.",
    )
    opportunity_id: RecordId | None = None
    contact_id: RecordId | None = Field(
        default=None, description="A contact's record: their deal, or a pick among them."
    )
    crm: str | None = Field(
        default=None,
        pattern=r"^(salesforce|dynamics|hubspot)$",
        description="Fetch the opportunity from this configured CRM (kept in the store).",
    )
    phone: str | None = Field(default=None, max_length=64, description="Caller lookup.")
    snapshot: PageSnapshot | None = None
    contacts_offset: int = Field(default=0, ge=0)
    documents_offset: int = Field(default=0, ge=0)
    page_size: PageSize = 200


class Relation(Sent):
    kind: str
    direction: Literal["to", "from"]
    contact_id: str
    name: str


class ContactCard(Sent):
    contact: Contact
    role: Role
    source_role: str
    is_primary: bool
    account_name: str
    relations: list[Relation]
    notes: list[str]
    source: Literal["store", "page"]
    is_called: bool = Field(default=False, description="This is the person the call is with.")


class RoleGroup(Sent):
    role: Role
    contacts: list[ContactCard]


class CallSummary(Sent):
    call_id: str
    direction: str
    number: str
    started_at: str
    duration_s: int
    end_cause: str
    disposition: str
    notes: str


class OpportunityContext(Sent):
    opportunity: Opportunity
    account: Account | None
    groups: list[RoleGroup]
    missing_roles: list[Role]
    documents: list[Document]
    recent_calls: list[CallSummary]
    total_contacts: int
    total_documents: int
    next_contacts_offset: int | None
    next_documents_offset: int | None
    source: Literal["store", "page"] = Field(
        default="store",
        description="`page`: a deal read off a CRM page (page memory), not imported data.",
    )
    page: PageRef | None = Field(default=None, description="The page deal's record and site.")
    fields: dict[str, str] = Field(
        default_factory=dict,
        description="A page deal's fields as the page words them: stage, amount, currency, "
        "close_date, owner, account.",
    )


class CallerMatch(Sent):
    contact: Contact
    account_name: str
    opportunity_id: str | None
    opportunity_name: str
    role: Role
    via: Literal["contact", "switchboard"] = Field(
        default="contact",
        description="`switchboard`: the number is the account's main line, not the person's.",
    )
    source: Literal["store", "page"] = "store"


class ContextResult(Sent):
    context: OpportunityContext | None
    matches: list[CallerMatch] = Field(description="Contacts whose number matched `phone`.")


class SetRoleParams(Params):
    opportunity_id: RecordId
    contact_id: RecordId
    role: Role
    is_primary: bool = False
    crm: str | None = Field(
        default=None,
        pattern=r"^(salesforce|dynamics|hubspot)$",
        description="Also write the change back to this configured CRM (through the outbox).",
    )


class AddNoteParams(Params):
    contact_id: RecordId
    opportunity_id: RecordId | None = None
    body: str = Field(min_length=1, max_length=10_000)
    crm: str | None = Field(
        default=None,
        pattern=r"^(salesforce|dynamics|hubspot)$",
        description="Also write the note to this configured CRM (through the outbox).",
    )


class CallLogParams(Params):
    opportunity_id: RecordId | None = None
    limit: int = Field(default=20, ge=1, le=500)


class CallLogUpdateParams(Params):
    """Wrap-up: what the user adds to a call's log entry once it has ended (or while up)."""

    call_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    disposition: str | None = Field(default=None, max_length=100)
    notes: str | None = Field(default=None, max_length=32_000)
    documents_presented: list[RecordId] | None = Field(default=None, max_length=200)
    opportunity_id: RecordId | None = Field(
        default=None,
        description="The deal the call was about, when the user picked it (a caller on several).",
    )
    final: bool = Field(default=False, description="Wrap-up is done: write it to the CRMs now.")


class LoggedCall(Sent):
    entry: CallLogEntry
    state: Literal["live", "ended"]
    summary: str = Field(
        default="", max_length=8000, description="The call's transcript summary, or ''."
    )


class CallLogResult(Sent):
    calls: list[LoggedCall]


class SyncItem(Sent):
    """One write-back to a CRM and how it is going."""

    connector: str
    kind: str
    idempotency_key: str
    state: Literal["pending", "done", "failed"]
    attempts: int
    next_attempt_at: str
    last_error: str
    remote_id: str | None


class SyncListParams(Params):
    state: Literal["pending", "done", "failed"] | None = None
    limit: int = Field(default=50, ge=1, le=500)


class SyncListResult(Sent):
    items: list[SyncItem]


class SyncUpdatedPayload(Sent):
    """`calllog.sync`: a write-back to a CRM succeeded, failed, or will be retried."""

    item: SyncItem


class CallLogWriteFailedPayload(Sent):
    """`calllog.write_failed`: a call's log entry could not be written (e.g. a full disk)."""

    call_id: str
    reason: str


class MemorySite(Sent):
    """One site's page memory: how much is remembered and when it was last read."""

    origin: str
    deals: int
    people: int
    documents: int
    last_seen_at: str


class MemorySitesResult(Sent):
    sites: list[MemorySite]
    page_memory: bool


class MemoryForgetParams(Params):
    origin: str | None = Field(
        default=None,
        max_length=300,
        pattern=r"^https?://[^/\s]+$",
        description="The site to forget; every site when left out.",
    )


class MemoryForgetResult(Sent):
    deals: int = Field(description="How many page deals were forgotten.")


class MemorySettingsParams(Params):
    page_memory: bool | None = Field(
        default=None,
        description="Turn page memory on or off (off forgets everything); left out: just read.",
    )


class MemorySettingsResult(Sent):
    page_memory: bool
