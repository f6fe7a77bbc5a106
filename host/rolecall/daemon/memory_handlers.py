"""Protocol handlers for page memory: the sites remembered, forgetting, on and off.

Only the user's own clients reach these (the extension's options page, the CLI); a
web page has no way to call them, and the page a call is placed from can only add to
its own site's memory.
"""

from __future__ import annotations

from typing import Any

from rolecall.context.page_deals import PageDeals
from rolecall.daemon.dispatch import Caller, Handler
from rolecall.protocol import context as ctx
from rolecall.protocol.methods import Empty


def memory_handlers(page_deals: PageDeals) -> dict[str, Handler]:
    memory = page_deals.memory

    async def sites(caller: Caller, params: Empty) -> ctx.MemorySitesResult:
        return ctx.MemorySitesResult(
            sites=[
                ctx.MemorySite(
                    origin=s.origin,
                    deals=s.deals,
                    people=s.people,
                    documents=s.documents,
                    last_seen_at=s.last_seen_at,
                )
                for s in memory.sites()
            ],
            page_memory=page_deals.on,
        )

    async def forget(caller: Caller, params: ctx.MemoryForgetParams) -> ctx.MemoryForgetResult:
        gone = memory.forget_all() if params.origin is None else memory.forget(params.origin)
        return ctx.MemoryForgetResult(deals=gone)

    async def settings(
        caller: Caller, params: ctx.MemorySettingsParams
    ) -> ctx.MemorySettingsResult:
        if params.page_memory is not None and params.page_memory != page_deals.on:
            page_deals.set_on(params.page_memory)
        elif params.page_memory is False:
            memory.forget_all()  # off means nothing kept, whatever slipped in
        return ctx.MemorySettingsResult(page_memory=page_deals.on)

    handlers: dict[str, Any] = {
        "memory.sites": sites,
        "memory.forget": forget,
        "memory.settings": settings,
    }
    return handlers
