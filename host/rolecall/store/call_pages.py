"""The CRM page each placed call came from: its record and the snapshot read off it.

Kept in memory for the most recent calls only; the record also travels in the call's
state and its log entry links, so nothing lasting depends on this.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from rolecall.protocol.context import PageSnapshot
from rolecall.protocol.page import PageRecord


@dataclass(frozen=True)
class CallPage:
    record: PageRecord | None
    snapshot: PageSnapshot | None
    number: str | None = None
    """The number called, in E.164, when known."""


class CallPages:
    """Call id to the page it was placed from, for the last `limit` calls."""

    def __init__(self, limit: int = 256) -> None:
        self._limit = limit
        self._pages: OrderedDict[str, CallPage] = OrderedDict()

    def remember(
        self,
        call_id: str,
        record: PageRecord | None,
        snapshot: PageSnapshot | None,
        number: str | None = None,
    ) -> None:
        if record is None and snapshot is None:
            return
        self._pages[call_id] = CallPage(record, snapshot, number)
        self._pages.move_to_end(call_id)
        while len(self._pages) > self._limit:
            self._pages.popitem(last=False)

    def get(self, call_id: str) -> CallPage | None:
        return self._pages.get(call_id)

    def __len__(self) -> int:
        return len(self._pages)
