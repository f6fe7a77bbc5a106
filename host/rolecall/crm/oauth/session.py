"""Access tokens that refresh themselves: the `TokenSource` behind an OAuth connector.

The token set lives in the keyring (`TokenVault`); this keeps a copy in memory and:

- refreshes before expiry: a token with less than `margin_s` left is refreshed before
  it is handed out (Salesforce does not say when its tokens expire: those are
  refreshed on a 401 only);
- refreshes on a 401, once per rejected token: when several requests are rejected
  together, the first refreshes and the others get the new token;
- on `invalid_grant` marks the sign-in signed out (kept in the keyring, so a restart
  remembers), calls `on_change`, and raises `SignedOut` from then on without asking
  the CRM, until `reload` finds a new sign-in.

A rotated refresh token (Salesforce may rotate, Entra does) replaces the old one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from rolecall.crm.connectors.base import ConnectorError, SignedOut
from rolecall.crm.oauth.client import OAuthProtocol
from rolecall.crm.oauth.tokens import TokenSet, TokenVault, expiry

log = logging.getLogger(__name__)

REFRESH_MARGIN_S = 120.0


class OAuthTokens:
    """One CRM's current access token, refreshed as needed; thread-safe."""

    def __init__(
        self,
        kind: str,
        vault: TokenVault,
        protocol: OAuthProtocol,
        *,
        margin_s: float = REFRESH_MARGIN_S,
        on_change: Callable[[str, TokenSet | None], object] = lambda kind, tokens: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.kind = kind
        self._vault = vault
        self._protocol = protocol
        self._margin_s = margin_s
        self._on_change = on_change
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = vault.load(kind)
        self.refreshes = 0
        """How many refreshes this source made (for status and tests)."""

    def __repr__(self) -> str:
        return f"OAuthTokens({self.kind!r})"

    @property
    def tokens(self) -> TokenSet | None:
        return self._tokens

    def reload(self, protocol: OAuthProtocol | None = None) -> None:
        """Reads the keyring again (after a new sign-in or a disconnect), with the new
        sign-in's client (its id or endpoints may have changed)."""
        with self._lock:
            self._tokens = self._vault.load(self.kind)
            if protocol is not None:
                self._protocol = protocol

    def _usable(self) -> TokenSet:
        tokens = self._tokens
        if tokens is None:
            raise SignedOut(self.kind, "not signed in")
        if tokens.signed_out is not None:
            raise SignedOut(self.kind, tokens.signed_out)
        return tokens

    def access_token(self) -> str:
        with self._lock:
            tokens = self._usable()
            left = tokens.expires_in(self._clock())
            if left is not None and left < self._margin_s and tokens.refresh_token:
                log.info("%s access token expires in %.0f s: refreshing", self.kind, left)
                tokens = self._refresh(tokens)
            return tokens.access_token

    def rejected(self, token: str) -> str | None:
        with self._lock:
            tokens = self._usable()
            if tokens.access_token != token:
                return tokens.access_token  # another request refreshed it meanwhile
            if not tokens.refresh_token:
                return None
            log.info("%s rejected the access token: refreshing", self.kind)
            return self._refresh(tokens).access_token

    def _refresh(self, tokens: TokenSet) -> TokenSet:
        assert tokens.refresh_token is not None
        try:
            response = self._protocol.refresh(tokens.refresh_token)
        except SignedOut as exc:
            signed_out = tokens.model_copy(update={"signed_out": exc.message[:300]})
            self._tokens = signed_out
            self._vault.save(self.kind, signed_out)
            log.warning("%s: %s", self.kind, exc.message)
            self._on_change(self.kind, signed_out)
            raise
        except ConnectorError:
            raise
        fresh = tokens.model_copy(
            update={
                "access_token": str(response["access_token"]),
                "refresh_token": str(response.get("refresh_token") or tokens.refresh_token),
                "expires_at": expiry(response, self._clock()),
                "instance_url": response.get("instance_url") or tokens.instance_url,
            }
        )
        self._tokens = fresh
        self._vault.save(self.kind, fresh)
        self.refreshes += 1
        self._on_change(self.kind, fresh)
        return fresh
