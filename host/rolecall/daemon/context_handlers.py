"""Protocol handlers for context and the call log, over the context service and store."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from datetime import datetime
from typing import Any

from rolecall.context.api_deal import api_deal_id, fill_from_page
from rolecall.context.page_context import page_deal_context
from rolecall.context.page_deals import PageDeals
from rolecall.context.service import ContextService
from rolecall.crm.connectors.base import Connector, ConnectorError, ContactNote
from rolecall.crm.outbox import sync_item
from rolecall.crm.writebacks import WriteBacks
from rolecall.daemon.dispatch import Caller, Handler
from rolecall.protocol import context as ctx
from rolecall.protocol.errors import ErrorCode, ProtocolError
from rolecall.protocol.methods import Empty
from rolecall.protocol.records import ContactRole
from rolecall.store.call_pages import CallPages
from rolecall.store.page_memory import (
    DEAL_PREFIX,
    PageDeal,
    page_deal_from_snapshot,
    split_person_id,
)
from rolecall.transcript.store import TranscriptStore

log = logging.getLogger("rolecall.context")


def context_handlers(
    service: ContextService,
    write_backs: WriteBacks,
    call_pages: CallPages | None = None,
    page_deals: PageDeals | None = None,
) -> dict[str, Handler]:
    """Handlers bound to one context service, the write-backs (the outbox and the
    configured CRMs) and the pages recent calls were placed from."""
    store = service.store
    outbox = write_backs.outbox
    connectors = write_backs.connectors
    if page_deals is not None:
        call_pages = page_deals.call_pages

    def connector(name: str) -> Connector:
        found = connectors.get(name)
        if found is None:
            raise ProtocolError(ErrorCode.UNAVAILABLE, f"no {name} connector is configured")
        return found

    fetched_calls: OrderedDict[str, str | None] = OrderedDict()

    async def api_deal(call_id: str) -> str | None:
        """Once per call: the page's deal fetched through its CRM's API into the store,
        when the page is a deal page of a connected CRM; the deal's id, or None."""
        if call_id in fetched_calls:
            return fetched_calls[call_id]
        page = call_pages.get(call_id) if call_pages is not None else None
        record = page.record if page is not None else None
        trusted = page_deals is None or page_deals.may_name_records(record)
        found = api_deal_id(record, connectors, trusted)
        if found is not None and record is not None:
            try:
                store.load(await asyncio.to_thread(connectors[record.crm].opportunity, found))
            except ConnectorError as exc:
                log.warning("%s deal from the page not fetched: %s", record.crm, exc.message)
                found = None
        fetched_calls[call_id] = found
        while len(fetched_calls) > 256:
            fetched_calls.popitem(last=False)
        return found

    def with_page_fields(
        result: ctx.ContextResult, call_id: str, deal_id: str
    ) -> ctx.ContextResult:
        """The API's deal, its empty fields filled from the page deal."""
        page = call_pages.get(call_id) if call_pages is not None else None
        if result.context is None or result.context.opportunity.id != deal_id or page is None:
            return result
        region = page_deals.region if page_deals is not None else "US"
        deal = page_deal_from_snapshot(page.record, page.snapshot, region)
        return result.model_copy(update={"context": fill_from_page(result.context, deal)})

    async def get(caller: Caller, params: ctx.ContextParams) -> ctx.ContextResult:
        if params.call_id is not None and params.opportunity_id is None:
            deal_id = await api_deal(params.call_id)
            if deal_id is not None:
                call_id = params.call_id
                return with_page_fields(
                    service.get(params.model_copy(update={"opportunity_id": deal_id})),
                    call_id,
                    deal_id,
                )
        if params.call_id is not None:
            params, deal, called = from_call_page(params)
            if deal is not None:
                return ctx.ContextResult(
                    context=page_deal_context(deal, params, called), matches=[]
                )
            if not (params.opportunity_id or params.contact_id or params.snapshot):
                return ctx.ContextResult(context=None, matches=[])
        if not (params.opportunity_id or params.contact_id or params.phone or params.snapshot):
            raise ProtocolError(
                ErrorCode.INVALID_MESSAGE,
                "give an opportunity_id, a contact_id, a phone or a snapshot",
            )
        if params.crm is not None and params.opportunity_id is not None:
            crm = connector(params.crm)
            try:
                fetched = await asyncio.to_thread(crm.opportunity, params.opportunity_id)
            except ConnectorError as exc:
                if store.opportunity(params.opportunity_id) is None:
                    raise ProtocolError(
                        ErrorCode.UNAVAILABLE,
                        f"{params.crm}: {exc.message}",
                        {"status": exc.status},
                    ) from None
            else:
                store.load(fetched)  # the store keeps the CRM's latest view
        return service.get(params)

    def from_call_page(
        params: ctx.ContextParams,
    ) -> tuple[ctx.ContextParams, PageDeal | None, str | None]:
        """The page the call came from fills in what the request leaves out: a stored
        record it may name, else its page deal (with the number called)."""
        page = call_pages.get(params.call_id or "") if call_pages is not None else None
        if page is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no page is known for call {params.call_id}")
        changes: dict[str, object] = {}
        record = page.record
        trusted = page_deals is None or page_deals.may_name_records(record)
        if trusted and record is not None and record.record_id and params.opportunity_id is None:
            if store.opportunity(record.record_id) is not None:
                changes["opportunity_id"] = record.record_id
            elif store.contacts([record.record_id]) and params.contact_id is None:
                changes["contact_id"] = record.record_id
        named = params.opportunity_id or params.contact_id or changes
        if page_deals is not None and not named:
            deal = page_deals.deal_of(params.call_id or "")
            if deal is not None:
                return params, deal, page.number
        if trusted and page.snapshot is not None and params.snapshot is None:
            changes["snapshot"] = page.snapshot
        return params.model_copy(update=changes), None, None

    def page_person(contact_id: str, opportunity_id: str | None) -> tuple[str, str] | None:
        """(deal, person) when the edit is about a page deal's person: kept in page
        memory, never written to a CRM."""
        found = split_person_id(contact_id)
        if found is None and not (opportunity_id or "").startswith(DEAL_PREFIX):
            return None
        if page_deals is None or not page_deals.on:
            raise ProtocolError(
                ErrorCode.UNAVAILABLE, "page memory is off: edits on page deals are not kept"
            )
        if found is None or (opportunity_id is not None and opportunity_id != found[0]):
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no page person {contact_id}")
        return found

    async def set_role(caller: Caller, params: ctx.SetRoleParams) -> Empty:
        on_page = page_person(params.contact_id, params.opportunity_id)
        if on_page is not None and page_deals is not None:
            if not page_deals.memory.set_person(*on_page, params.role, params.is_primary):
                raise ProtocolError(ErrorCode.NOT_FOUND, f"no page person {params.contact_id}")
            return Empty()
        if store.opportunity(params.opportunity_id) is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no opportunity {params.opportunity_id}")
        if not store.contacts([params.contact_id]):
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no contact {params.contact_id}")
        current = next(
            (r for r in store.roles(params.opportunity_id) if r.contact_id == params.contact_id),
            None,
        )
        changed = ContactRole(
            opportunity_id=params.opportunity_id,
            contact_id=params.contact_id,
            role=params.role,
            # the CRM's own wording stays only while the role is the one it names
            source_role=current.source_role if current and current.role == params.role else "",
            is_primary=params.is_primary,
        )
        if params.crm is not None:
            connector(params.crm)  # refuse before storing anything if it is not configured
        store.set_role(changed)
        if params.crm is not None:
            write_backs.role_changed(params.crm, changed)
        return Empty()

    async def add_note(caller: Caller, params: ctx.AddNoteParams) -> Empty:
        on_page = page_person(params.contact_id, params.opportunity_id)
        if on_page is not None and page_deals is not None:
            if not page_deals.memory.add_note(*on_page, params.body):
                raise ProtocolError(ErrorCode.NOT_FOUND, f"no page person {params.contact_id}")
            return Empty()
        if not store.contacts([params.contact_id]):
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no contact {params.contact_id}")
        if params.crm is None:
            store.add_note(params.body, params.contact_id, params.opportunity_id)
            return Empty()
        connector(params.crm)  # refuse before storing anything if it is not configured
        with store.transaction() as db:  # the note and its write-back, or neither
            note_id = store.add_note(params.body, params.contact_id, params.opportunity_id)
            (created_at,) = db.execute(
                "SELECT created_at FROM notes WHERE id = ?", (note_id,)
            ).fetchone()
            note = ContactNote(
                contact_id=params.contact_id,
                opportunity_id=params.opportunity_id,
                body=params.body,
                created_at=datetime.fromisoformat(created_at),
            )
            write_backs.note_added(params.crm, note_id, note)
        return Empty()

    async def calllog(caller: Caller, params: ctx.CallLogParams) -> ctx.CallLogResult:
        if (params.opportunity_id or "").startswith(DEAL_PREFIX):  # a page deal's calls
            deal = page_deals.memory.deal(params.opportunity_id or "") if page_deals else None
            rows = store.calls(record=deal.ref, limit=params.limit) if deal else []
            found = TranscriptStore(store.db).summaries(entry.call_id for entry, _ in rows)
            return ctx.CallLogResult(
                calls=[
                    ctx.LoggedCall(entry=entry, state=state, summary=found.get(entry.call_id, ""))  # type: ignore[arg-type]
                    for entry, state in rows
                ]
            )
        rows = store.calls(opportunity_id=params.opportunity_id, limit=params.limit)
        summaries = TranscriptStore(store.db).summaries(entry.call_id for entry, _ in rows)
        return ctx.CallLogResult(
            calls=[
                ctx.LoggedCall(entry=entry, state=state, summary=summaries.get(entry.call_id, ""))  # type: ignore[arg-type]
                for entry, state in rows
            ]
        )

    async def sync_status(caller: Caller, params: ctx.SyncListParams) -> ctx.SyncListResult:
        items = outbox.items(state=params.state, limit=params.limit)
        return ctx.SyncListResult.model_validate({"items": [sync_item(i) for i in items]})

    async def calllog_update(caller: Caller, params: ctx.CallLogUpdateParams) -> ctx.LoggedCall:
        found = store.call(params.call_id)
        if found is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no logged call {params.call_id}")
        entry, state = found
        changes = {
            name: value
            for name in ("disposition", "notes", "documents_presented")
            if (value := getattr(params, name)) is not None
        }
        if params.opportunity_id is not None and params.opportunity_id.startswith(DEAL_PREFIX):
            # a page deal the user picked: the entry names its record, no CRM deal
            deal = page_deals.memory.deal(params.opportunity_id) if page_deals else None
            if deal is None:
                raise ProtocolError(ErrorCode.NOT_FOUND, f"no page deal {params.opportunity_id}")
            changes["record"] = deal.ref
        elif params.opportunity_id is not None:
            opportunity = store.opportunity(params.opportunity_id)
            if opportunity is None:
                raise ProtocolError(ErrorCode.NOT_FOUND, f"no opportunity {params.opportunity_id}")
            changes["opportunity_id"] = opportunity.id
            changes["account_id"] = opportunity.account_id or entry.account_id
        entry = entry.model_copy(update=changes)
        if state == "ended":
            store.call_ended(entry)
            write_backs.call_ended(entry, final=params.final)
        else:
            store.call_started(entry)
        return ctx.LoggedCall(entry=entry, state=state)  # type: ignore[arg-type]

    handlers: dict[str, Any] = {
        "calllog.update": calllog_update,
        "calllog.sync_status": sync_status,
        "context.get": get,
        "context.set_role": set_role,
        "context.add_note": add_note,
        "calllog.list": calllog,
    }
    return handlers
