"""Each CRM's OAuth 2.0 endpoints, scopes and token-response quirks, as the vendors document them.

- Salesforce: `login.salesforce.com/services/oauth2/authorize`, `…/token`, `…/revoke`;
  scope `api refresh_token`; the token response names the org's `instance_url` and `id`.
- Dynamics 365: `login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize`, `…/token`, no
  revocation; scope `https://{org}/user_impersonation offline_access openid profile`.
- HubSpot: `app.hubspot.com/oauth/authorize`, `api.hubapi.com/oauth/v1/token`, revocation
  by `DELETE …/oauth/v1/refresh-tokens/{token}`; scopes `oauth` and the CRM objects'.

`OAuthSettings.authority` replaces every endpoint's origin (a Salesforce sandbox's
`https://test.salesforce.com`, or a local authorization server in tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from rolecall.crm.connectors.config import (
    DynamicsConfig,
    HubSpotConfig,
    OAuthSettings,
    SalesforceConfig,
)

AnyConfig = SalesforceConfig | DynamicsConfig | HubSpotConfig
KINDS = ("salesforce", "dynamics", "hubspot")

SALESFORCE_LOGIN = "https://login.salesforce.com"
ENTRA_LOGIN = "https://login.microsoftonline.com"
HUBSPOT_APP = "https://app.hubspot.com"
HUBSPOT_API = "https://api.hubapi.com"

FIXED_REDIRECT_PORT = 47671
"""The loopback port for CRMs that match the registered callback URL exactly."""

HUBSPOT_SCOPES = (
    "oauth",
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "crm.objects.deals.read",
    "crm.objects.deals.write",
    "crm.objects.companies.read",
    "crm.objects.owners.read",
    "files",
)


@dataclass(frozen=True)
class Endpoints:
    """Where one CRM signs its users in."""

    kind: str
    authorize_url: str
    token_url: str
    scope: str
    revoke_url: str | None
    """Salesforce: POST `token=…`; HubSpot: DELETE `…/{token}`; Dynamics: none."""
    revoke_by_delete: bool = False
    refresh_info_url: str | None = None
    """HubSpot: GET `…/{refresh token}` tells the user and the hub id."""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def redirect_port(config: AnyConfig, settings: OAuthSettings) -> int:
    """The loopback port to listen on (0: any free port)."""
    if settings.redirect_port is not None:
        return settings.redirect_port
    return 0 if isinstance(config, DynamicsConfig) else FIXED_REDIRECT_PORT


def endpoints(config: AnyConfig, settings: OAuthSettings) -> Endpoints:
    """The endpoints for `config`'s CRM, with `settings.authority` as origin when given."""
    authority = settings.authority
    if isinstance(config, SalesforceConfig):
        base = (authority or SALESFORCE_LOGIN) + "/services/oauth2"
        return Endpoints(
            "salesforce",
            f"{base}/authorize",
            f"{base}/token",
            "api refresh_token",
            f"{base}/revoke",
        )
    if isinstance(config, DynamicsConfig):
        base = f"{authority or ENTRA_LOGIN}/{settings.tenant}/oauth2/v2.0"
        resource = _origin(config.org_url)
        scope = f"{resource}/user_impersonation offline_access openid profile"
        return Endpoints("dynamics", f"{base}/authorize", f"{base}/token", scope, None)
    app = authority or HUBSPOT_APP
    api = authority or HUBSPOT_API
    return Endpoints(
        "hubspot",
        f"{app}/oauth/authorize",
        f"{api}/oauth/v1/token",
        " ".join(HUBSPOT_SCOPES),
        f"{api}/oauth/v1/refresh-tokens",
        revoke_by_delete=True,
        refresh_info_url=f"{api}/oauth/v1/refresh-tokens",
    )
