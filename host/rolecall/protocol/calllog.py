"""One finished call, as it is logged locally and written back to a CRM."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rolecall.protocol.page import PageRef
from rolecall.protocol.records import RecordId


class CallLogEntry(BaseModel):
    """Written to SQLite before the call's end is acknowledged; then queued for the CRM.

    `idempotency_key` is the same for every attempt to write this entry anywhere, so a
    retry finds the record an earlier attempt created instead of making a second one.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    call_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    idempotency_key: str = Field(min_length=8, max_length=80, pattern=r"^[A-Za-z0-9:_-]+$")
    direction: Literal["outbound", "inbound"]
    number: str = Field(max_length=256, description="E.164 when known, else the URI dialled.")
    contact_id: RecordId | None = None
    opportunity_id: RecordId | None = None
    account_id: RecordId | None = None
    subject: str = Field(default="", max_length=255)
    started_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime
    duration_s: int = Field(ge=0, description="Talk time: answer to end; 0 if never answered.")
    end_cause: str = Field(max_length=32)
    disposition: str = Field(default="", max_length=100)
    notes: str = Field(default="", max_length=32_000)
    documents_presented: list[RecordId] = Field(default_factory=list)
    recording_path: str | None = Field(default=None, max_length=1024)
    record: PageRef | None = Field(
        default=None,
        description="The CRM record the call was placed from (site, type, id, URL), if any.",
    )
