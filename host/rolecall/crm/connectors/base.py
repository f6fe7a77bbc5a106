"""What every CRM connector offers the context service and the outbox.

Connectors are synchronous (httpx with timeouts); the daemon runs them in a worker
thread. They raise `ConnectorError`, saying whether a retry could help.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from rolecall.protocol.calllog import CallLogEntry
from rolecall.protocol.records import ContactRole, Dataset, RecordId


class ConnectorError(Exception):
    """A CRM call failed. `retryable`: 429, 5xx, timeouts, connection errors."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status = status


class SignedOut(ConnectorError):
    """The CRM no longer accepts the user's sign-in (its refresh token was revoked or
    expired): nothing is sent until the user signs in again, and nothing is given up."""

    def __init__(self, crm: str, reason: str = "") -> None:
        detail = f" ({reason})" if reason else ""
        super().__init__(
            f"signed out of {crm}{detail}: sign in again with `rolecall crm connect {crm}` "
            "or the options page",
            retryable=True,
            status=401,
        )
        self.crm = crm


class ContactNote(BaseModel):
    """A note written about a contact (on a deal, if given), as it goes to a CRM."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    contact_id: RecordId
    opportunity_id: RecordId | None = None
    body: str = Field(min_length=1, max_length=10_000)
    created_at: datetime


class Connector(Protocol):
    """One CRM instance, reachable with a token from the OS keyring."""

    name: str
    """`salesforce`, `dynamics` or `hubspot`."""

    def opportunity(self, opportunity_id: str) -> Dataset:
        """The opportunity with its account, contacts (with roles), relationships, documents."""
        ...

    def find_by_phone(self, e164: str) -> Dataset:
        """Contacts whose phones match, with the opportunities they have a role on."""
        ...

    def write_call_log(self, entry: CallLogEntry) -> str:
        """Creates the CRM's call activity once; returns its id (an existing one on retry)."""
        ...

    def update_contact_role(self, role: ContactRole) -> None:
        """Sets a contact's role and primary flag on an opportunity."""
        ...

    def write_contact_note(self, note: ContactNote, key: str) -> str:
        """Creates the CRM's note on the contact once per `key`; returns its id."""
        ...
