"""A CRM sign-in's tokens and who they belong to, kept in the OS keyring only.

`TokenSet` is what one sign-in holds (refresh token, access token, expiry, the user and
the org they name); `TokenVault` reads, writes and deletes it as one keyring entry
(`crm:<kind>:oauth`, JSON). Nothing here writes a file or logs a token.
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rolecall.secrets import SecretStore


class TokenSet(BaseModel):
    """One CRM sign-in. `expires_at` None: the vendor does not say (Salesforce)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    access_token: str = Field(min_length=1)
    refresh_token: str | None = None
    expires_at: float | None = None
    """Unix time, seconds."""
    user: str = ""
    """Who signed in (user name or e-mail), for status lines."""
    org: str = ""
    """Which org: the Salesforce org id, the Dynamics org URL, the HubSpot hub id."""
    instance_url: str | None = None
    """Salesforce: the org's API host from the token response."""
    signed_out: str | None = None
    """Why the CRM stopped accepting this sign-in, once it has."""

    def expires_in(self, now: float | None = None) -> float | None:
        if self.expires_at is None:
            return None
        return self.expires_at - (time.time() if now is None else now)

    def __repr__(self) -> str:  # never show a token
        return f"TokenSet(user={self.user!r}, org={self.org!r}, expires_at={self.expires_at!r})"

    __str__ = __repr__


def expiry(response: dict[str, Any], now: float | None = None) -> float | None:
    """`expires_at` from a token response (`expires_at`, else `expires_in`), or None."""
    if response.get("expires_at") is not None:
        return float(response["expires_at"])
    if response.get("expires_in") is not None:
        return (time.time() if now is None else now) + float(response["expires_in"])
    return None


class TokenVault:
    """The keyring entries of CRM sign-ins."""

    def __init__(self, secrets: SecretStore) -> None:
        self._secrets = secrets

    @staticmethod
    def name(kind: str) -> str:
        return f"crm:{kind}:oauth"

    def load(self, kind: str) -> TokenSet | None:
        raw = self._secrets.get(self.name(kind))
        if not raw:
            return None
        try:
            return TokenSet.model_validate_json(raw)
        except ValidationError:
            return None  # an unreadable entry is no sign-in; connecting again replaces it

    def save(self, kind: str, tokens: TokenSet) -> None:
        self._secrets.set(self.name(kind), tokens.model_dump_json(exclude_none=True))

    def delete(self, kind: str) -> None:
        self._secrets.delete(self.name(kind))
