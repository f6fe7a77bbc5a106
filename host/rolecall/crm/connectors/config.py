"""Which CRMs Rolecall talks to (`config/crm.json`): the config models and their loading.

Connectors are built from these by `rolecall.crm.factory`; this module imports none of them.

The file holds no secrets: each connector's token lives in the OS keyring under the
name `crm:<kind>` (`crm:salesforce`, `crm:dynamics`, `crm:hubspot`). Example:

    {"connectors": [
      {"kind": "salesforce", "instance_url": "https://acme.my.salesforce.com"},
      {"kind": "hubspot", "portal_id": "12345678"}
    ]}

URLs must be https; plain http is accepted only for loopback hosts (local tests).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rolecall.atomic_file import atomic_write_text
from rolecall.crm.connectors.base import ConnectorError
from rolecall.paths import Home

CONFIG_FILE = "crm.json"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _base_url(value: str) -> str:
    parts = urlsplit(value.strip())
    host = parts.hostname or ""
    if parts.scheme != "https" and not (parts.scheme == "http" and host in LOOPBACK):
        raise ValueError("must be an https URL")
    if not host or parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("must be a plain https://host[/path] URL")
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


class OAuthSettings(BaseModel):
    """How Rolecall signs in to one CRM: the organisation's own OAuth client (no secret)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    client_id: str = Field(min_length=1, max_length=300, pattern=r"^[A-Za-z0-9._~:\-]+$")
    """The Salesforce connected app's consumer key, the Entra app's application id, the
    HubSpot app's client id."""
    authority: str | None = None
    """Replaces every vendor endpoint's origin (e.g. `https://test.salesforce.com` for a
    sandbox, or a local server in tests); None: the vendor's documented endpoints."""
    tenant: str = Field(default="organizations", pattern=r"^[A-Za-z0-9.\-]{1,100}$")
    """Dynamics only: the Entra tenant (id or domain) the org belongs to."""
    redirect_port: int | None = Field(default=None, ge=0, le=65535)
    """The loopback port of the redirect `http://127.0.0.1:<port>/callback`. None: the
    CRM's default (Salesforce and HubSpot match the registered callback URL exactly, so
    a fixed port; Entra accepts any port, so a random one); 0: a random free port."""

    @field_validator("authority")
    @classmethod
    def _check_authority(cls, value: str | None) -> str | None:
        return None if value is None else _base_url(value)


class _CrmBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default_region: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    """Region for phone numbers stored without a country code (e.g. "US")."""
    oauth: OAuthSettings | None = None
    """Set once the user signs in with `rolecall crm connect` or the options page."""
    read_timeout_s: float = Field(default=20.0, ge=1.0, le=120.0)
    """How long one request may wait for the CRM's answer before it counts as failed (and
    the write-back waits in the outbox for its retry). Raise it for a slow on-premises org."""

    @property
    def name(self) -> str:
        """The connector's name, which is also its keyring entry's suffix."""
        return str(type(self).model_fields["kind"].default)

    @property
    def token_name(self) -> str:
        return f"crm:{self.name}"

    @property
    def oauth_token_name(self) -> str:
        """The keyring entry holding the OAuth token set (refresh and access token)."""
        return f"crm:{self.name}:oauth"


class SalesforceConfig(_CrmBase):
    kind: Literal["salesforce"] = "salesforce"
    instance_url: str = Field(description="https://<my-domain>.my.salesforce.com")
    api_version: str = Field(default="v60.0", pattern=r"^v[0-9]{2,3}\.[0-9]$")

    @field_validator("instance_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return _base_url(value)


class DynamicsConfig(_CrmBase):
    kind: Literal["dynamics"] = "dynamics"
    org_url: str = Field(description="https://<org>.crm.dynamics.com")
    api_version: str = Field(default="v9.2", pattern=r"^v9\.[0-9]$")

    @field_validator("org_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return _base_url(value)


class HubSpotConfig(_CrmBase):
    kind: Literal["hubspot"] = "hubspot"
    base_url: str = "https://api.hubapi.com"
    portal_id: str | None = Field(default=None, pattern=r"^[0-9]{1,20}$")
    """The HubSpot account id, for links to records in the HubSpot app."""
    call_outcomes: dict[str, str] = Field(default_factory=dict)
    """Call disposition wording → HubSpot call outcome GUID (`hs_call_disposition`)."""

    @field_validator("base_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return _base_url(value)


CrmConfig = Annotated[
    SalesforceConfig | DynamicsConfig | HubSpotConfig, Field(discriminator="kind")
]


class CrmConfigFile(BaseModel):
    """The whole `config/crm.json`: at most one connector per kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    connectors: list[CrmConfig] = Field(default_factory=list)
    wrapup_s: int = Field(
        default=0,
        ge=0,
        le=3600,
        description="How long a finished call waits for its notes and disposition before it "
        "is written to the CRMs; `calllog.update` with `final` sends it at once.",
    )

    @model_validator(mode="after")
    def _one_per_kind(self) -> CrmConfigFile:
        kinds = [c.kind for c in self.connectors]
        if len(kinds) != len(set(kinds)):
            raise ValueError("each CRM kind may be configured once")
        return self


def config_path(home: Home) -> Path:
    return home.config_dir / CONFIG_FILE


def save_config(home: Home, config: CrmConfigFile) -> None:
    """Writes `config/crm.json` atomically (it holds no secret).

    Only what differs from the defaults is written (and each connector's `kind`), so a
    file saved by this version still loads in an older one that lacks a newer setting,
    as long as that setting was left alone."""
    home.config_dir.mkdir(parents=True, exist_ok=True)
    data = config.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    data["connectors"] = [
        {"kind": connector.kind, **dumped}
        for connector, dumped in zip(config.connectors, data.get("connectors", []), strict=True)
    ]
    atomic_write_text(config_path(home), json.dumps(data, indent=2))


def load_config(home: Home) -> CrmConfigFile:
    """The configured CRMs; none when the file does not exist."""
    path = config_path(home)
    try:
        text = path.read_text()
    except FileNotFoundError:
        return CrmConfigFile()
    try:
        return CrmConfigFile.model_validate(json.loads(text))
    except (ValueError, ValidationError) as exc:
        raise ConnectorError(
            f"{path} is not a valid CRM configuration: {exc}", retryable=False
        ) from None
