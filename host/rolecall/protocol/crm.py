"""Protocol models of CRM connections: signing in, status, signing out (`crm.*`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from rolecall.protocol.base import Params, Sent

CrmKind = Literal["salesforce", "dynamics", "hubspot"]
ConnectionState = Literal["signed_in", "signed_out", "token", "not_connected", "connecting"]


class CrmConnection(Sent):
    """One CRM connection as a person reads it. No token is ever in it."""

    crm: CrmKind
    state: ConnectionState = Field(
        description="`signed_in` (OAuth, refreshing itself), `signed_out` (the CRM revoked "
        "the sign-in: sign in again), `token` (a fixed token in the keyring), "
        "`not_connected`, `connecting` (waiting for the browser)."
    )
    user: str = Field(description="Who signed in, when known.")
    org: str = Field(description="Which org: Salesforce org id, Dynamics org URL, HubSpot hub id.")
    expires_at: float | None = Field(
        description="When the access token expires (Unix s), if known."
    )
    last_write_back: str | None = Field(description="When a write-back last succeeded (ISO 8601).")
    pending: int = Field(description="Write-backs waiting in the outbox for this CRM.")
    client_id: str | None = Field(description="The organisation's OAuth client id in use.")
    detail: str = Field(description="Why it is signed out, or what failed; empty otherwise.")


class CrmConnectParams(Params):
    crm: CrmKind
    client_id: str | None = Field(
        default=None, max_length=300, description="Default: the one configured before."
    )
    org_url: str | None = Field(
        default=None, max_length=300, description="Dynamics: https://<org>.crm.dynamics.com."
    )


class CrmConnectResult(Sent):
    authorization_url: str = Field(
        description="Open it in a browser; the host's loopback listener catches the redirect "
        "and `crm.connection` tells the outcome."
    )
    connection: CrmConnection


class CrmRef(Params):
    crm: CrmKind


class CrmStatusResult(Sent):
    connections: list[CrmConnection]


class CrmConnectionPayload(Sent):
    """`crm.connection`: a connection signed in, refreshed, signed out or failed to connect."""

    connection: CrmConnection
