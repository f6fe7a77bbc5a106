"""Fixtures for the connector tests: a fake CRM server per test and fast HTTP options."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from connectors.fake_server import FakeServer
from connectors.fakes import FakeDynamics, FakeHubSpot, FakeSalesforce
from rolecall.crm.connectors.config import DynamicsConfig, HubSpotConfig, SalesforceConfig
from rolecall.crm.connectors.dynamics import DynamicsConnector
from rolecall.crm.connectors.http import HttpOptions, RetryPolicy
from rolecall.crm.connectors.hubspot import HubSpotConnector
from rolecall.crm.connectors.salesforce import SalesforceConnector
from rolecall.crm.factory import build_connector

TOKEN = "00Dtest!AQ8AQ.secret-token-value"
SYSTEM_TLS = ssl.create_default_context()
"""Built once: each httpx client would otherwise load the CA store again (~60 ms)."""


class Sleeps(list[float]):
    """Stands in for time.sleep: records each wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fast_options(sleeps: Sleeps, **retry: float) -> HttpOptions:
    policy = RetryPolicy(
        max_attempts=int(retry.pop("max_attempts", 4)),
        base_delay_s=retry.pop("base_delay_s", 0.1),
        max_delay_s=retry.pop("max_delay_s", 1.0),
        max_total_wait_s=retry.pop("max_total_wait_s", 5.0),
    )
    return HttpOptions(
        timeout=httpx.Timeout(retry.pop("read_s", 2.0), connect=1.0),
        retry=policy,
        sleep=sleeps,
        rng=lambda: 0.5,
        verify=SYSTEM_TLS,
    )


@pytest.fixture
def server() -> Iterator[FakeServer]:
    running = FakeServer().start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def salesforce(
    server: FakeServer, sleeps: Sleeps
) -> Iterator[tuple[FakeSalesforce, SalesforceConnector]]:
    fake = FakeSalesforce(server)
    config = SalesforceConfig(instance_url=server.url, default_region="US")
    connector = build_connector(config, TOKEN, options=fast_options(sleeps))
    yield fake, connector
    connector.close()


@pytest.fixture
def dynamics(
    server: FakeServer, sleeps: Sleeps
) -> Iterator[tuple[FakeDynamics, DynamicsConnector]]:
    fake = FakeDynamics(server)
    config = DynamicsConfig(org_url=server.url, default_region="GB")
    connector = build_connector(config, TOKEN, options=fast_options(sleeps))
    yield fake, connector
    connector.close()


@pytest.fixture
def hubspot(server: FakeServer, sleeps: Sleeps) -> Iterator[tuple[FakeHubSpot, HubSpotConnector]]:
    fake = FakeHubSpot(server)
    config = HubSpotConfig(
        base_url=server.url,
        portal_id="123456",
        default_region="CA",
        call_outcomes={"Connected": "f240bbac-87c9-4f6e-bf70-924b57d47db7"},
    )
    connector = build_connector(config, TOKEN, options=fast_options(sleeps))
    yield fake, connector
    connector.close()
