"""The CRM connections of one Rolecall home: connect, status, disconnect, token sources.

It owns the glue between `config/crm.json` (which CRMs, with which OAuth client id), the
keyring (token sets, a HubSpot app's client secret) and the outbox (what waits for a
CRM). One `OAuthTokens` per CRM is kept, so the daemon's connectors and a new sign-in
share it: after a sign-in it reloads, and the outbox's items for that CRM are due again.

Threads: `wait` blocks (run it in a worker thread); everything touching the outbox
(`complete`, `status`, …) runs on the thread that owns the store.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import cast

from rolecall.crm.connectors.base import ConnectorError
from rolecall.crm.connectors.config import (
    CrmConfigFile,
    DynamicsConfig,
    HubSpotConfig,
    OAuthSettings,
    SalesforceConfig,
    load_config,
    save_config,
)
from rolecall.crm.oauth.client import OAuthProtocol
from rolecall.crm.oauth.session import REFRESH_MARGIN_S, OAuthTokens
from rolecall.crm.oauth.sign_in import SIGN_IN_TIMEOUT_S, PendingSignIn, begin, finish
from rolecall.crm.oauth.tokens import TokenSet, TokenVault
from rolecall.crm.oauth.vendors import (
    KINDS,
    SALESFORCE_LOGIN,
    AnyConfig,
    endpoints,
    redirect_port,
)
from rolecall.crm.outbox import Outbox
from rolecall.paths import Home
from rolecall.protocol.crm import ConnectionState, CrmConnection, CrmKind
from rolecall.secrets import SecretStore

Listener = Callable[[str], object]
"""Told the kind of a connection that changed; may be called from any thread."""


def client_secret_name(kind: str) -> str:
    """The keyring entry of an OAuth app's client secret (HubSpot apps need one)."""
    return f"crm:{kind}:client-secret"


class CrmConnections:
    """Every CRM connection of one home."""

    def __init__(
        self,
        home: Home,
        secrets: SecretStore,
        outbox: Outbox | None = None,
        *,
        on_change: Listener = lambda kind: None,
        verify: ssl.SSLContext | None = None,
        refresh_margin_s: float | None = None,
    ) -> None:
        self.home = home
        self.secrets = secrets
        self.vault = TokenVault(secrets)
        self.outbox = outbox
        self.listener = on_change
        """Told of every change; the daemon sets it once it can emit events."""
        self._verify = verify
        self._margin = refresh_margin_s
        self._sources: dict[str, OAuthTokens] = {}
        self._pending: dict[str, PendingSignIn] = {}
        self._errors: dict[str, str] = {}
        self._lock = threading.Lock()

    # -- configuration ----------------------------------------------------------------

    def config(self, kind: str) -> AnyConfig | None:
        return next((c for c in load_config(self.home).connectors if c.kind == kind), None)

    def _prepare(
        self, kind: str, client_id: str | None, org_url: str | None, authority: str | None
    ) -> AnyConfig:
        """The config to sign in with: the stored one with these OAuth settings applied."""
        current = self.config(kind)
        old = current.oauth if current is not None else None
        client = client_id or (old.client_id if old else None)
        if not client:
            raise ConnectorError(
                f"no OAuth client id for {kind}: give the organisation's client id "
                "(docs/CONNECTORS.md says how to register one)",
                retryable=False,
            )
        settings = OAuthSettings(
            client_id=client,
            authority=authority or (old.authority if old else None),
            tenant=old.tenant if old else "organizations",
            redirect_port=old.redirect_port if old else None,
        )
        if kind == "salesforce":
            if isinstance(current, SalesforceConfig):
                return current.model_copy(update={"oauth": settings})
            # the org's own host comes back in the token response
            return SalesforceConfig(
                instance_url=settings.authority or SALESFORCE_LOGIN, oauth=settings
            )
        if kind == "dynamics":
            if org_url is None and isinstance(current, DynamicsConfig):
                return current.model_copy(update={"oauth": settings})
            if org_url is None:
                raise ConnectorError(
                    "Dynamics needs the org URL (https://<org>.crm.dynamics.com)", retryable=False
                )
            base = current.model_dump() if isinstance(current, DynamicsConfig) else {}
            return DynamicsConfig.model_validate({**base, "org_url": org_url, "oauth": settings})
        if isinstance(current, HubSpotConfig):
            return current.model_copy(update={"oauth": settings})
        return HubSpotConfig(oauth=settings)

    def _store_config(self, config: AnyConfig) -> None:
        whole = load_config(self.home)
        others = [c for c in whole.connectors if c.kind != config.kind]
        save_config(
            self.home,
            CrmConfigFile.model_validate(
                {**whole.model_dump(), "connectors": [*others, config]},
            ),
        )

    def protocol(self, config: AnyConfig) -> OAuthProtocol:
        if config.oauth is None:
            raise ConnectorError(f"{config.kind} has no OAuth client configured", retryable=False)
        return OAuthProtocol(
            endpoints(config, config.oauth),
            config.oauth.client_id,
            client_secret=self.secrets.get(client_secret_name(config.kind)),
            verify=self._verify,
        )

    # -- token sources ----------------------------------------------------------------

    def tokens(self, config: AnyConfig) -> OAuthTokens | None:
        """The self-refreshing token source for `config`, if it has a sign-in."""
        if config.oauth is None:
            return None
        with self._lock:
            source = self._sources.get(config.kind)
            if source is None:
                if self.vault.load(config.kind) is None:
                    return None
                source = OAuthTokens(
                    config.kind,
                    self.vault,
                    self.protocol(config),
                    on_change=lambda kind, _tokens: self.listener(kind),
                    margin_s=REFRESH_MARGIN_S if self._margin is None else self._margin,
                )
                self._sources[config.kind] = source
            return source

    # -- connect ----------------------------------------------------------------------

    def begin(
        self,
        kind: str,
        *,
        client_id: str | None = None,
        org_url: str | None = None,
        authority: str | None = None,
    ) -> PendingSignIn:
        """Starts a sign-in: the loopback listens and the URL is ready to open."""
        if kind not in KINDS:
            raise ConnectorError(f"unknown CRM {kind!r}", retryable=False)
        config = self._prepare(kind, client_id, org_url, authority)
        assert config.oauth is not None
        with self._lock:  # first: a fixed loopback port can serve one sign-in at a time
            previous = self._pending.pop(kind, None)
        if previous is not None:
            previous.cancel()
        pending = begin(
            kind,
            self.protocol(config),
            port=redirect_port(config, config.oauth),
            org_url=config.org_url if isinstance(config, DynamicsConfig) else "",
        )
        pending.config = config
        with self._lock:
            self._pending[kind] = pending
            self._errors.pop(kind, None)
        self.listener(kind)
        return pending

    def wait(self, pending: PendingSignIn, timeout_s: float = SIGN_IN_TIMEOUT_S) -> TokenSet:
        """Blocks until the browser comes back and the code is traded for tokens."""
        try:
            return finish(pending, timeout_s)
        except ConnectorError as exc:
            with self._lock:
                if self._pending.get(pending.kind) is pending:
                    del self._pending[pending.kind]
                    self._errors[pending.kind] = exc.message
            self.listener(pending.kind)
            raise

    def complete(self, pending: PendingSignIn, tokens: TokenSet) -> CrmConnection:
        """Keeps the new sign-in and makes the CRM's waiting write-backs due."""
        kind = pending.kind
        config = pending.config
        if isinstance(config, SalesforceConfig) and tokens.instance_url:
            config = config.model_copy(update={"instance_url": tokens.instance_url})
        self.vault.save(kind, tokens)
        self._store_config(config)
        with self._lock:
            if self._pending.get(kind) is pending:
                del self._pending[kind]
            source = self._sources.get(kind)
        if source is not None:
            source.reload(pending.protocol)
        if self.outbox is not None:
            self.outbox.resume(kind, datetime.now(UTC))
        self.listener(kind)
        return self.status(kind)

    def finish(self, pending: PendingSignIn, timeout_s: float = SIGN_IN_TIMEOUT_S) -> CrmConnection:
        """`wait`, then `complete`, on this thread."""
        return self.complete(pending, self.wait(pending, timeout_s))

    def cancel_all(self) -> None:
        """Stops every sign-in still waiting for its browser (the daemon is stopping)."""
        with self._lock:
            pending, self._pending = list(self._pending.values()), {}
        for one in pending:
            one.cancel()

    # -- disconnect -------------------------------------------------------------------

    def disconnect(self, kind: str) -> str:
        """Revokes the sign-in where the CRM allows it and removes every secret of it;
        why revoking failed ("" when it did not). Blocks on the network."""
        config = self.config(kind)
        tokens = self.vault.load(kind)
        revoke_error = ""
        if config is not None and config.oauth is not None and tokens is not None:
            token = tokens.refresh_token or tokens.access_token
            try:
                self.protocol(config).revoke(token)
            except ConnectorError as exc:
                revoke_error = exc.message  # the secrets go anyway
        for name in (self.vault.name(kind), f"crm:{kind}"):
            if self.secrets.get(name) is not None:  # deleting a missing entry is an error
                self.secrets.delete(name)
        with self._lock:
            source = self._sources.get(kind)
            pending = self._pending.pop(kind, None)
            self._errors[kind] = revoke_error
        if pending is not None:
            pending.cancel()
        if source is not None:
            source.reload()
        self.listener(kind)
        return revoke_error

    # -- status -----------------------------------------------------------------------

    def status(self, kind: str) -> CrmConnection:
        config = self.config(kind)
        tokens = self.vault.load(kind)
        with self._lock:
            connecting = kind in self._pending
            error = self._errors.get(kind, "")
        state: ConnectionState
        if connecting:
            state = "connecting"
        elif tokens is not None and tokens.signed_out is None:
            state = "signed_in"
        elif tokens is not None:
            state = "signed_out"
            error = tokens.signed_out or error
        elif config is not None and self.secrets.get(f"crm:{kind}"):
            state = "token"
        else:
            state = "not_connected"
        last, pending = (None, 0) if self.outbox is None else self.outbox.summary(kind)
        return CrmConnection(
            crm=cast(CrmKind, kind),
            state=state,
            user=tokens.user if tokens else "",
            org=(tokens.org if tokens else "") or _org_of(config),
            expires_at=tokens.expires_at if tokens else None,
            last_write_back=last.isoformat() if last else None,
            pending=pending,
            client_id=config.oauth.client_id if config is not None and config.oauth else None,
            detail=error,
        )

    def statuses(self) -> list[CrmConnection]:
        """Every CRM that is configured or signed in, in a fixed order."""
        configured = {c.kind for c in load_config(self.home).connectors}
        return [
            self.status(kind)
            for kind in KINDS
            if kind in configured or kind in self._pending or self.vault.load(kind) is not None
        ]


def _org_of(config: AnyConfig | None) -> str:
    if isinstance(config, SalesforceConfig):
        return config.instance_url
    if isinstance(config, DynamicsConfig):
        return config.org_url
    if isinstance(config, HubSpotConfig):
        return config.portal_id or ""
    return ""
