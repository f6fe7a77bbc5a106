"""The OAuth 2.0 protocol steps against one CRM, through authlib's httpx client.

Authorization URL with PKCE (S256) and `state`, the code exchange, the refresh, the
revocation, and HubSpot's refresh-token lookup. Errors become `ConnectorError`s:
`invalid_grant` (and HubSpot's `BAD_REFRESH_TOKEN`) is `SignedOut`; transport failures
and 5xx are retryable; any other error answer is not. A public client (no secret) is
the default: Salesforce connected apps with PKCE, Entra public clients. HubSpot apps
also need their client secret, passed in from the keyring.
"""

from __future__ import annotations

import functools
import importlib
import secrets
import ssl
import warnings
from dataclasses import dataclass
from typing import Any

from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError

with warnings.catch_warnings():  # authlib warns about a future httpx package on import
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import OAuth2Client

from rolecall._version import __version__
from rolecall.crm.connectors.base import ConnectorError, SignedOut
from rolecall.crm.oauth.vendors import Endpoints


def _authlib_http() -> Any:
    """The HTTP package authlib's client runs on: httpx2 where installed, else httpx.

    Timeouts, errors and responses must come from that same package; an `httpx.Timeout`
    handed to an httpx2 client fails at connect time.
    """
    try:
        return importlib.import_module("httpx2")
    except ImportError:
        return importlib.import_module("httpx")


_http = _authlib_http()
TIMEOUT = _http.Timeout(20.0, connect=5.0)
SIGNED_OUT_CODES = frozenset({"invalid_grant", "BAD_REFRESH_TOKEN"})


@dataclass(frozen=True)
class Authorization:
    """One sign-in attempt: the URL to open and what must come back with its code."""

    url: str
    state: str
    code_verifier: str
    redirect_uri: str


class OAuthProtocol:
    """One CRM's endpoints with one client id (and, for HubSpot, its secret)."""

    def __init__(
        self,
        endpoints: Endpoints,
        client_id: str,
        *,
        client_secret: str | None = None,
        verify: ssl.SSLContext | None = None,
    ) -> None:
        self.endpoints = endpoints
        self._client_id = client_id
        self._client_secret = client_secret
        self._verify = verify

    def _client(self, redirect_uri: str | None = None) -> OAuth2Client:
        kwargs: dict[str, Any] = {
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "token_endpoint_auth_method": ("client_secret_post" if self._client_secret else "none"),
            "scope": self.endpoints.scope,
            "code_challenge_method": "S256",
            "redirect_uri": redirect_uri,
            "timeout": TIMEOUT,
            "follow_redirects": False,
            "headers": {"User-Agent": f"rolecall/{__version__}"},
        }
        kwargs["verify"] = self._verify if self._verify is not None else _system_tls()
        client = OAuth2Client(**kwargs)
        client.register_compliance_hook("refresh_token_response", _hubspot_error)
        client.register_compliance_hook("access_token_response", _hubspot_error)
        return client

    def authorization(self, redirect_uri: str) -> Authorization:
        """A new authorization URL with a fresh `state` and PKCE verifier."""
        verifier = generate_token(64)
        state = secrets.token_urlsafe(24)
        with self._client(redirect_uri) as client:
            url, _ = client.create_authorization_url(
                self.endpoints.authorize_url, state=state, code_verifier=verifier
            )
        return Authorization(str(url), state, verifier, redirect_uri)

    def exchange(self, code: str, auth: Authorization) -> dict[str, Any]:
        """The token response for an authorization code."""
        with self._client(auth.redirect_uri) as client:
            return self._call(
                lambda: client.fetch_token(
                    self.endpoints.token_url,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=auth.code_verifier,
                )
            )

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        """A new token response for `refresh_token`; `SignedOut` when it is no longer good."""
        with self._client() as client:
            return self._call(
                lambda: client.refresh_token(self.endpoints.token_url, refresh_token=refresh_token)
            )

    def revoke(self, token: str) -> None:
        """Revokes the refresh token where the CRM allows it (not Dynamics: Entra has no
        revocation endpoint for a public client's tokens)."""
        url = self.endpoints.revoke_url
        if url is None:
            return
        with self._client() as client:
            try:
                if self.endpoints.revoke_by_delete:
                    response = client.request("DELETE", f"{url}/{token}", withhold_token=True)
                else:
                    response = client.revoke_token(
                        url,
                        token=token,
                        token_type_hint="refresh_token",  # noqa: S106
                    )
            except _http.HTTPError as exc:
                raise ConnectorError(
                    f"{self.endpoints.kind}: revoking failed: {type(exc).__name__}", retryable=True
                ) from None
        if response.status_code >= 400 and response.status_code != 404:
            raise ConnectorError(
                f"{self.endpoints.kind}: revoking failed (HTTP {response.status_code})",
                retryable=response.status_code >= 500,
            )

    def refresh_token_info(self, refresh_token: str) -> dict[str, Any]:
        """HubSpot: who the refresh token belongs to (`user`, `hub_id`)."""
        url = self.endpoints.refresh_info_url
        if url is None:
            return {}
        with self._client() as client:
            try:
                response = client.request("GET", f"{url}/{refresh_token}", withhold_token=True)
            except _http.HTTPError:
                return {}
        if response.status_code != 200:
            return {}
        body = response.json()
        return body if isinstance(body, dict) else {}

    def _call(self, step: Any) -> dict[str, Any]:
        kind = self.endpoints.kind
        try:
            token = step()
        except OAuthError as exc:
            if exc.error in SIGNED_OUT_CODES:
                raise SignedOut(kind, str(exc.description or exc.error)[:200]) from None
            raise ConnectorError(
                f"{kind} refused the sign-in: {exc.error}: {str(exc.description or '')[:200]}",
                retryable=False,
            ) from None
        except _http.HTTPStatusError as exc:
            status = exc.response.status_code
            raise ConnectorError(
                f"{kind} token endpoint answered HTTP {status}",
                retryable=status >= 500,
                status=status,
            ) from None
        except _http.HTTPError as exc:
            raise ConnectorError(
                f"{kind} token endpoint unreachable: {type(exc).__name__}", retryable=True
            ) from None
        if not isinstance(token, dict) or not token.get("access_token"):
            raise ConnectorError(f"{kind} token response holds no access token", retryable=False)
        return dict(token)


@functools.cache
def _system_tls() -> ssl.SSLContext:
    """The system's trust store, loaded once (each new client would load it again)."""
    return ssl.create_default_context()


def _hubspot_error(response: Any) -> Any:
    """HubSpot answers a bad refresh token with `{"status": "BAD_REFRESH_TOKEN", …}`
    rather than OAuth's `{"error": …}`: rewrite it so authlib raises the usual error."""
    if response.status_code < 400:
        return response
    try:
        body = response.json()
    except ValueError:
        return response
    if isinstance(body, dict) and "error" not in body and isinstance(body.get("status"), str):
        fixed = {"error": body["status"], "error_description": str(body.get("message", ""))}
        return _http.Response(
            response.status_code, json=fixed, request=response.request, headers={}
        )
    return response
