"""Builds CRM connectors from their config: the one place that knows every connector class.

`build_connector` takes the token directly (tests hand it one); `make_connector` uses an
OAuth sign-in's self-refreshing token source when given one, else reads a fixed token
from the keyring under the config's `token_name`; `make_connectors` builds every connector
`config/crm.json` names.
"""

from __future__ import annotations

from typing import overload

from rolecall.crm.connectors.base import Connector, ConnectorError
from rolecall.crm.connectors.config import (
    DynamicsConfig,
    HubSpotConfig,
    SalesforceConfig,
    load_config,
)
from rolecall.crm.connectors.dynamics import DynamicsConnector
from rolecall.crm.connectors.http import HttpOptions, TokenSource, read_timeout
from rolecall.crm.connectors.hubspot import HubSpotConnector
from rolecall.crm.connectors.salesforce import SalesforceConnector
from rolecall.paths import Home
from rolecall.secrets import SecretStore, SecretStoreUnavailable

AnyConfig = SalesforceConfig | DynamicsConfig | HubSpotConfig


@overload
def build_connector(
    config: SalesforceConfig, token: str | TokenSource, *, options: HttpOptions | None = None
) -> SalesforceConnector: ...
@overload
def build_connector(
    config: DynamicsConfig, token: str | TokenSource, *, options: HttpOptions | None = None
) -> DynamicsConnector: ...
@overload
def build_connector(
    config: HubSpotConfig, token: str | TokenSource, *, options: HttpOptions | None = None
) -> HubSpotConnector: ...
def build_connector(
    config: AnyConfig, token: str | TokenSource, *, options: HttpOptions | None = None
) -> SalesforceConnector | DynamicsConnector | HubSpotConnector:
    """The connector `config` describes, authenticated with `token`; without `options`,
    the transport defaults with the config's read timeout."""
    if options is None:
        options = HttpOptions(timeout=read_timeout(config.read_timeout_s))
    if isinstance(config, SalesforceConfig):
        return SalesforceConnector(config, token, options=options)
    if isinstance(config, DynamicsConfig):
        return DynamicsConnector(config, token, options=options)
    return HubSpotConnector(config, token, options=options)


def make_connector(
    config: AnyConfig,
    secrets: SecretStore,
    *,
    options: HttpOptions | None = None,
    tokens: TokenSource | None = None,
) -> Connector:
    """The connector for `config`: with `tokens` (an OAuth sign-in) when given, else
    with the fixed token read from the keyring."""
    if tokens is not None:
        return build_connector(config, tokens, options=options)
    try:
        token = secrets.get(config.token_name)
    except SecretStoreUnavailable as exc:
        raise ConnectorError(
            f"cannot read the {config.name} token from the keyring: {exc}", retryable=False
        ) from None
    if not token:
        raise ConnectorError(
            f"not signed in to {config.name}: run `rolecall crm connect {config.name}` (or "
            f"store an API access token in the keyring as '{config.token_name}', service "
            "'rolecall')",
            retryable=False,
        )
    return build_connector(config, token, options=options)


def make_connectors(
    home: Home, secrets: SecretStore, *, options: HttpOptions | None = None
) -> dict[str, Connector]:
    """Every configured connector by name; raises on the first one that cannot be built."""
    return {
        c.name: make_connector(c, secrets, options=options) for c in load_config(home).connectors
    }
