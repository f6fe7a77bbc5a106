"""The page deal of a call: which deal a CRM page shows, remembered or read off it.

Owns the rules between pages and deals: a call placed from a page refreshes page
memory (while it is on); a page may name a stored or connector deal only when its site
is trusted for that (`origin_may_name_records`); otherwise the call's deal is the page
deal, from memory (with the user's edits) or straight from the snapshot.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable

from rolecall.protocol.context import PageSnapshot
from rolecall.protocol.page import PageRecord, page_origin
from rolecall.store.call_pages import CallPages
from rolecall.store.page_memory import PageDeal, PageMemory, page_deal_from_snapshot
from rolecall.store.page_settings import ContextSettings, origin_may_name_records

log = logging.getLogger("rolecall.context")
READ_DEALS = 64
"""Page deals kept as read, for the most recent calls."""


class PageDeals:
    """Page memory, its setting, and the pages recent calls were placed from."""

    def __init__(
        self,
        memory: PageMemory,
        settings: ContextSettings,
        save: Callable[[ContextSettings], None] = lambda settings: None,
        connector_origins: list[str] | None = None,
        call_pages: CallPages | None = None,
        region: str = "US",
        stored_record: Callable[[str], bool] = lambda record_id: False,
    ) -> None:
        self.memory = memory
        self.settings = settings
        self._save = save
        self.connector_origins = [
            o for o in (page_origin(u) for u in connector_origins or []) if o is not None
        ]
        self.call_pages = call_pages if call_pages is not None else CallPages()
        self.region = region
        self._stored_record = stored_record
        """Is this id a record of the store (an opportunity or a contact)?"""
        self._read_deals: OrderedDict[str, PageDeal | None] = OrderedDict()

    @property
    def on(self) -> bool:
        return self.settings.page_memory

    def set_on(self, on: bool) -> int:
        """Turns page memory on or off; off forgets everything. How many deals went."""
        self.settings = self.settings.model_copy(update={"page_memory": on})
        self._save(self.settings)
        return 0 if on else self.memory.forget_all()

    def placed(
        self,
        call_id: str,
        record: PageRecord | None,
        snapshot: PageSnapshot | None,
        number: str | None,
    ) -> None:
        """A call was placed from a page: keep its page; its deal is read and remembered
        just after the call is under way (off the click's path), or when first asked."""
        self.call_pages.remember(call_id, record, snapshot, number)
        if snapshot is None:
            return
        try:
            asyncio.get_running_loop().call_soon(self._read, call_id)
        except RuntimeError:  # no event loop (tests, tools): now
            self._read(call_id)

    def _read(self, call_id: str) -> PageDeal | None:
        """The call's page deal as read, once per call; remembered while memory is on."""
        if call_id in self._read_deals:
            return self._read_deals[call_id]
        page = self.call_pages.get(call_id)
        deal = page_deal_from_snapshot(page.record, page.snapshot, self.region) if page else None
        if page is not None and self.names_stored_record(page.record):
            deal = None  # the stored deal answers for this page: no second copy of it
        self._read_deals[call_id] = deal
        while len(self._read_deals) > READ_DEALS:
            self._read_deals.popitem(last=False)
        if deal is not None and self.on:
            try:
                self.memory.remember(deal)
            except Exception:  # the call goes on without memory; say why
                log.exception("page memory: could not remember %s", deal.ref.origin)
        return deal

    def names_stored_record(self, record: PageRecord | None) -> bool:
        """Does this page name a stored record, and may it?"""
        return (
            record is not None
            and bool(record.record_id)
            and self._stored_record(record.record_id)
            and self.may_name_records(record)
        )

    def may_name_records(self, record: PageRecord | None) -> bool:
        """May this page name a record of the store or a configured CRM?"""
        origin = page_origin(record.url) if record is not None else None
        return origin_may_name_records(origin, self.settings.record_origins, self.connector_origins)

    def deal_of(self, call_id: str) -> PageDeal | None:
        """The page deal of a call: remembered (with the user's edits), else as read."""
        deal = self._read(call_id)
        if deal is None:
            return None
        if self.on and self.memory.has_edits(deal.key):
            remembered = self.memory.deal(deal.key)
            if remembered is not None:
                return remembered
        return deal
