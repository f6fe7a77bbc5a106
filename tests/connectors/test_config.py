"""`config/crm.json`, the keyring token names, and the connector factory."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from connectors.conftest import TOKEN, Sleeps, fast_options
from connectors.fake_server import FakeServer
from connectors.fakes import FakeHubSpot
from rolecall.crm.connectors.base import ConnectorError
from rolecall.crm.connectors.config import (
    CrmConfigFile,
    DynamicsConfig,
    HubSpotConfig,
    SalesforceConfig,
    config_path,
    load_config,
    save_config,
)
from rolecall.crm.connectors.dynamics import DynamicsConnector
from rolecall.crm.connectors.hubspot import HubSpotConnector
from rolecall.crm.connectors.salesforce import SalesforceConnector
from rolecall.crm.factory import make_connector, make_connectors
from rolecall.paths import Home
from rolecall.secrets import SecretStore


def test_defaults_and_token_names() -> None:
    sf = SalesforceConfig(instance_url="https://acme.my.salesforce.com/")
    dy = DynamicsConfig(org_url="https://contoso.crm4.dynamics.com")
    hs = HubSpotConfig()
    assert (sf.instance_url, sf.api_version, sf.token_name) == (
        "https://acme.my.salesforce.com",
        "v60.0",
        "crm:salesforce",
    )
    assert (dy.api_version, dy.token_name) == ("v9.2", "crm:dynamics")
    assert (hs.base_url, hs.token_name, hs.name) == (
        "https://api.hubapi.com",
        "crm:hubspot",
        "hubspot",
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://acme.my.salesforce.com",
        "ftp://acme.example",
        "https://user:pw@acme.my.salesforce.com",
        "https://acme.my.salesforce.com?x=1",
    ],
)
def test_urls_must_be_plain_https(url: str) -> None:
    with pytest.raises(ValidationError):
        SalesforceConfig(instance_url=url)


def test_plain_http_is_allowed_for_loopback_only() -> None:
    assert (
        SalesforceConfig(instance_url="http://127.0.0.1:8080").instance_url
        == "http://127.0.0.1:8080"
    )


def test_config_file_is_a_discriminated_list_with_one_entry_per_kind(rc_home: Home) -> None:
    assert load_config(rc_home).connectors == []
    config_path(rc_home).write_text(
        json.dumps(
            {
                "connectors": [
                    {"kind": "salesforce", "instance_url": "https://acme.my.salesforce.com"},
                    {"kind": "dynamics", "org_url": "https://contoso.crm.dynamics.com"},
                    {"kind": "hubspot", "portal_id": "123"},
                ]
            }
        )
    )
    kinds = [type(c) for c in load_config(rc_home).connectors]
    assert kinds == [SalesforceConfig, DynamicsConfig, HubSpotConfig]
    with pytest.raises(ValidationError, match="once"):
        CrmConfigFile.model_validate({"connectors": [{"kind": "hubspot"}, {"kind": "hubspot"}]})
    with pytest.raises(ValidationError):
        CrmConfigFile.model_validate({"connectors": [{"kind": "hubspot", "token": "secret"}]})
    config_path(rc_home).write_text("{not json")
    with pytest.raises(ConnectorError) as caught:
        load_config(rc_home)
    assert not caught.value.retryable


def test_saved_file_holds_only_what_differs_from_the_defaults(rc_home: Home) -> None:
    config = CrmConfigFile(
        connectors=[
            SalesforceConfig(instance_url="https://acme.my.salesforce.com"),
            HubSpotConfig(portal_id="42", read_timeout_s=5),
        ]
    )
    save_config(rc_home, config)
    written = json.loads(config_path(rc_home).read_text())
    # An older host that knows no `read_timeout_s` still loads a file that never changed it.
    assert written == {
        "connectors": [
            {"kind": "salesforce", "instance_url": "https://acme.my.salesforce.com"},
            {"kind": "hubspot", "portal_id": "42", "read_timeout_s": 5},
        ]
    }
    assert load_config(rc_home) == config


def test_factory_reads_the_token_from_the_keyring(rc_home: Home) -> None:
    secrets = SecretStore(rc_home)
    secrets.set("crm:salesforce", "sf-token")
    secrets.set("crm:dynamics", "dy-token")
    secrets.set("crm:hubspot", "hs-token")
    sf = make_connector(SalesforceConfig(instance_url="https://acme.my.salesforce.com"), secrets)
    dy = make_connector(DynamicsConfig(org_url="https://contoso.crm.dynamics.com"), secrets)
    hs = make_connector(HubSpotConfig(), secrets)
    assert isinstance(sf, SalesforceConnector) and sf.name == "salesforce"
    assert isinstance(dy, DynamicsConnector) and dy.name == "dynamics"
    assert isinstance(hs, HubSpotConnector) and hs.name == "hubspot"
    assert sf.http.api_root == "https://acme.my.salesforce.com/services/data/v60.0/"
    assert dy.http.api_root == "https://contoso.crm.dynamics.com/api/data/v9.2/"
    assert "sf-token" not in repr(sf.http)


def test_missing_token_is_a_clear_error(rc_home: Home) -> None:
    with pytest.raises(ConnectorError) as caught:
        make_connector(HubSpotConfig(), SecretStore(rc_home))
    assert not caught.value.retryable
    assert "crm:hubspot" in caught.value.message and "keyring" in caught.value.message


def test_configured_connectors_use_the_stored_token(
    rc_home: Home, server: FakeServer, sleeps: Sleeps
) -> None:
    FakeHubSpot(server)
    config_path(rc_home).write_text(
        json.dumps({"connectors": [{"kind": "hubspot", "base_url": server.url}]})
    )
    SecretStore(rc_home).set("crm:hubspot", TOKEN)
    connectors = make_connectors(rc_home, SecretStore(rc_home), options=fast_options(sleeps))
    assert list(connectors) == ["hubspot"]
    data = connectors["hubspot"].opportunity(FakeHubSpot.DEAL)
    assert [o.id for o in data.opportunities] == [FakeHubSpot.DEAL]
    assert {r.headers["authorization"] for r in server.requests} == {f"Bearer {TOKEN}"}
