"""Builds CRM connectors from their config: the one place that knows every connector class.

`build_connector` takes the token directly (tests hand it one); `make_connector` reads it
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
from rolecall.crm.connectors.http import HttpOptions
from rolecall.crm.connectors.hubspot import HubSpotConnector
from rolecall.crm.connectors.salesforce import SalesforceConnector
from rolecall.paths import Home
from rolecall.secrets import SecretStore, SecretStoreUnavailable

AnyConfig = SalesforceConfig | DynamicsConfig | HubSpotConfig


@overload
def build_connector(
    config: SalesforceConfig, token: str, *, options: HttpOptions | None = None
) -> SalesforceConnector: ...
@overload
def build_connector(
    config: DynamicsConfig, token: str, *, options: HttpOptions | None = None
) -> DynamicsConnector: ...
@overload
def build_connector(
    config: HubSpotConfig, token: str, *, options: HttpOptions | None = None
) -> HubSpotConnector: ...
def build_connector(
    config: AnyConfig, token: str, *, options: HttpOptions | None = None
) -> SalesforceConnector | DynamicsConnector | HubSpotConnector:
    """The connector `config` describes, authenticated with `token`."""
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
) -> Connector:
    """The connector for `config`, with its token read from the keyring."""
    try:
        token = secrets.get(config.token_name)
    except SecretStoreUnavailable as exc:
        raise ConnectorError(
            f"cannot read the {config.name} token from the keyring: {exc}", retryable=False
        ) from None
    if not token:
        raise ConnectorError(
            f"no {config.name} token in the keyring: store an API access token under the "
            f"name '{config.token_name}' (service 'rolecall')",
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
