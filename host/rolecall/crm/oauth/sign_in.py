"""One sign-in through the browser: the loopback listener, the URL, the code exchange.

`begin` opens the listener and makes the authorization URL (PKCE, `state`); the caller
shows or opens the URL; `finish` waits for the redirect (closing the listener after it
or the timeout), exchanges the code and returns the new `TokenSet` with who signed in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from rolecall.crm.connectors.base import ConnectorError
from rolecall.crm.oauth.client import Authorization, OAuthProtocol
from rolecall.crm.oauth.identity import entra_user, hubspot_identity, salesforce_identity
from rolecall.crm.oauth.loopback import LoopbackListener, LoopbackTimeout
from rolecall.crm.oauth.tokens import TokenSet, expiry

SIGN_IN_TIMEOUT_S = 300.0


@dataclass
class PendingSignIn:
    """A sign-in waiting for its redirect."""

    kind: str
    protocol: OAuthProtocol
    authorization: Authorization
    listener: LoopbackListener
    org_url: str = ""
    """Dynamics: the org the token is for (shown as the org)."""
    config: Any = None
    """The CRM's config with the OAuth settings this sign-in uses (kept on success)."""

    @property
    def url(self) -> str:
        return self.authorization.url

    def cancel(self) -> None:
        self.listener.close()


def begin(kind: str, protocol: OAuthProtocol, *, port: int = 0, org_url: str = "") -> PendingSignIn:
    """Starts listening on the loopback and makes the authorization URL."""
    try:
        listener = LoopbackListener(port=port)  # first: the redirect URI holds its port
    except OSError as exc:
        raise ConnectorError(
            f"cannot listen for the {kind} sign-in on 127.0.0.1:{port} ({exc.strerror}); "
            "close what uses that port, or set another `redirect_port`",
            retryable=False,
        ) from None
    try:
        authorization = protocol.authorization(listener.redirect_uri)
        listener.expect_state(authorization.state)
    except Exception:
        listener.close()
        raise
    return PendingSignIn(kind, protocol, authorization, listener, org_url)


def finish(pending: PendingSignIn, timeout_s: float = SIGN_IN_TIMEOUT_S) -> TokenSet:
    """Waits for the redirect and trades its code for tokens; raises `ConnectorError`."""
    try:
        redirect = pending.listener.wait(timeout_s)
    except LoopbackTimeout as exc:
        raise ConnectorError(f"{pending.kind}: {exc}", retryable=False) from None
    if redirect.code is None:
        detail = f": {redirect.error_description}" if redirect.error_description else ""
        raise ConnectorError(
            f"{pending.kind} did not sign in ({redirect.error}{detail})", retryable=False
        )
    response = pending.protocol.exchange(redirect.code, pending.authorization)
    now = time.time()
    user, org = "", ""
    if pending.kind == "salesforce":
        user, org = salesforce_identity(response)
    elif pending.kind == "dynamics":
        user, org = entra_user(response), pending.org_url
    elif response.get("refresh_token"):
        user, org = hubspot_identity(
            pending.protocol.refresh_token_info(str(response["refresh_token"]))
        )
    return TokenSet(
        access_token=str(response["access_token"]),
        refresh_token=response.get("refresh_token"),
        expires_at=expiry(response, now),
        user=user,
        org=org,
        instance_url=response.get("instance_url"),
    )
