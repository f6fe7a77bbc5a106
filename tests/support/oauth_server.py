"""A local OAuth 2.0 authorization server for the CRM sign-in tests, on authlib's server side.

Run as a program (`python -m support.oauth_server --vendor salesforce`): it listens on
127.0.0.1, prints `PORT <n>` once ready, and serves one vendor's documented endpoint
paths, token response fields and error shapes:

- salesforce: `/services/oauth2/authorize|token|revoke`; the token response has
  `instance_url`, `id` (`…/id/<org>/<user>`), `issued_at`, `signature` and no
  `expires_in`; errors are OAuth's `{"error": "invalid_grant", …}`.
- dynamics (Entra v2.0): `/<tenant>/oauth2/v2.0/authorize|token`; `expires_in`,
  `ext_expires_in`, `scope`, an `id_token` naming the user; no revocation.
- hubspot: `/oauth/authorize`, `/oauth/v1/token`, `GET|DELETE /oauth/v1/refresh-tokens/<t>`;
  a confidential client (client secret); a bad refresh token answers
  `{"status": "BAD_REFRESH_TOKEN", "message": …}`.

The authorization code grant requires PKCE (S256); the refresh token grant keeps the
refresh token. The authorize page is a login form (user `ada@example.com`, password
`correct horse`). Test controls: `POST /_test/revoke` revokes every refresh token,
`GET /_test/stats` counts the token requests by grant type, `POST /_test/reset`
forgets every code, token and count (form field `instance_url`: the Salesforce org's
API host from now on), so one server serves a whole test module.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import urlsplit

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, Response, jsonify, request
from werkzeug.serving import make_server

USER = "ada@example.com"
PASSWORD = "correct horse"
CLIENT_ID = "rolecall-test-client"
HUBSPOT_SECRET = "hubspot-test-secret"
SF_ORG = "00D000000000001AAA"
SF_USER = "005000000000001AAA"
HUB_ID = 4242


@dataclass
class Client:
    client_id: str
    secret: str | None

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        parts = urlsplit(redirect_uri)  # RFC 8252: any port on the loopback
        return (
            parts.scheme == "http" and parts.hostname == "127.0.0.1" and parts.path == "/callback"
        )

    def check_client_secret(self, client_secret: str) -> bool:
        return self.secret is not None and client_secret == self.secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == ("client_secret_post" if self.secret else "none")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass
class Token:
    client_id: str
    access_token: str
    refresh_token: str | None
    scope: str
    expires_in: int
    issued_at: float = field(default_factory=time.time)
    revoked: bool = False

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> str:
        return USER

    def get_client(self) -> Client:
        return STATE.clients[self.client_id]


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.tokens: list[Token] = []
        self.stats: dict[str, int] = {"authorization_code": 0, "refresh_token": 0, "revoke": 0}

    def by_refresh(self, refresh_token: str) -> Token | None:
        return next((t for t in self.tokens if t.refresh_token == refresh_token), None)


STATE = State()


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["none", "client_secret_post"]  # noqa: RUF012

    def save_authorization_code(self, code: str, req: Any) -> None:
        data = req.payload.data
        STATE.codes[code] = Code(
            code,
            req.client.client_id,
            req.payload.redirect_uri,
            req.scope or "",
            data.get("code_challenge"),
            data.get("code_challenge_method"),
        )

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        found = STATE.codes.get(code)
        return found if found and found.client_id == client.client_id else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        STATE.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: Code) -> str:
        return USER


class RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["none", "client_secret_post"]  # noqa: RUF012

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        token = STATE.by_refresh(refresh_token)
        return token if token is not None and not token.revoked else None

    def authenticate_user(self, refresh_token: Token) -> str:
        return USER

    def revoke_old_credential(self, refresh_token: Token) -> None:
        return  # the refresh token stays good (as Salesforce and HubSpot keep it)


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["none", "client_secret_post"]  # noqa: RUF012

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return STATE.by_refresh(token_string) or next(
            (t for t in STATE.tokens if t.access_token == token_string), None
        )

    def revoke_token(self, token: Token, req: Any) -> None:
        token.revoked = True
        STATE.stats["revoke"] += 1


def _jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.sig"


def make_app(vendor: str, expires_in: int, instance_url: str = "") -> Flask:
    instance = {"value": instance_url}
    app = Flask(__name__)
    app.config["OAUTH2_REFRESH_TOKEN_GENERATOR"] = True
    app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {
        "authorization_code": expires_in,
        "refresh_token": expires_in,
    }
    secret = HUBSPOT_SECRET if vendor == "hubspot" else None
    STATE.clients[CLIENT_ID] = Client(CLIENT_ID, secret)

    def save_token(token: dict[str, Any], req: Any) -> None:
        STATE.tokens.append(
            Token(
                req.client.client_id,
                token["access_token"],
                token.get("refresh_token")
                or (
                    req.refresh_token.refresh_token if getattr(req, "refresh_token", None) else None
                ),
                token.get("scope", ""),
                int(token.get("expires_in", expires_in)),
            )
        )

    server = AuthorizationServer(app, query_client=STATE.clients.get, save_token=save_token)
    server.register_grant(CodeGrant, [CodeChallenge(required=True)])
    server.register_grant(RefreshGrant)
    server.register_endpoint(Revocation)
    origin = {"value": ""}

    def authorize() -> Any:
        if request.method == "GET":
            try:
                server.get_consent_grant(end_user=None)
            except Exception as exc:  # an invalid request is shown, never redirected
                return Response(f"<p>bad request: {escape(str(exc))}</p>", 400)
            return Response(
                "<!doctype html><title>Sign in</title><form method=post>"
                "<label>Username <input name=username id=username></label>"
                "<label>Password <input name=password id=password type=password></label>"
                "<button id=login type=submit>Log In</button></form>",
                200,
                {"Content-Type": "text/html"},
            )
        if request.form.get("username") != USER or request.form.get("password") != PASSWORD:
            return Response("<p>wrong password</p>", 401, {"Content-Type": "text/html"})
        return server.create_authorization_response(grant_user=USER)

    def token() -> Any:
        grant = request.form.get("grant_type", "")
        with STATE.lock:
            STATE.stats[grant] = STATE.stats.get(grant, 0) + 1
            response = server.create_token_response()
        body = response.get_json(silent=True) or {}
        if response.status_code != 200:
            if vendor == "hubspot" and body.get("error") == "invalid_grant":
                return jsonify(
                    status="BAD_REFRESH_TOKEN",
                    message="missing or unknown refresh token",
                    correlationId="0f6b2c1e-test",
                ), 400
            return response
        if vendor == "salesforce":
            body.pop("expires_in", None)
            body.pop("expires_at", None)
            body.update(
                instance_url=instance["value"] or origin["value"],
                id=f"{origin['value']}/id/{SF_ORG}/{SF_USER}",
                issued_at=str(int(time.time() * 1000)),
                signature="c2lnbmF0dXJl",
            )
        elif vendor == "dynamics":
            body["ext_expires_in"] = body.get("expires_in")
            body["id_token"] = _jwt({"preferred_username": USER, "name": "Ada Lovelace"})
        return jsonify(body)

    def refresh_token_info(token_value: str) -> Any:
        found = STATE.by_refresh(token_value)
        if found is None or found.revoked:
            return jsonify(status="NOT_FOUND", message="refresh token not found"), 404
        if request.method == "DELETE":
            found.revoked = True
            STATE.stats["revoke"] += 1
            return Response(status=204)
        return jsonify(
            token=token_value, user=USER, hub_id=HUB_ID, client_id=found.client_id,
            scopes=found.scope.split(), token_type="refresh",
        )  # fmt: skip

    if vendor == "salesforce":
        app.add_url_rule(
            "/services/oauth2/authorize", "authorize", authorize, methods=["GET", "POST"]
        )
        app.add_url_rule("/services/oauth2/token", "token", token, methods=["POST"])
        app.add_url_rule(
            "/services/oauth2/revoke", "revoke",
            lambda: server.create_endpoint_response("revocation"), methods=["POST"],
        )  # fmt: skip
    elif vendor == "dynamics":
        app.add_url_rule(
            "/<tenant>/oauth2/v2.0/authorize",
            "authorize",
            lambda tenant: authorize(),
            methods=["GET", "POST"],
        )
        app.add_url_rule(
            "/<tenant>/oauth2/v2.0/token", "token", lambda tenant: token(), methods=["POST"]
        )
    else:
        app.add_url_rule("/oauth/authorize", "authorize", authorize, methods=["GET", "POST"])
        app.add_url_rule("/oauth/v1/token", "token", token, methods=["POST"])
        app.add_url_rule(
            "/oauth/v1/refresh-tokens/<token_value>", "refresh_info", refresh_token_info,
            methods=["GET", "DELETE"],
        )  # fmt: skip

    @app.post("/_test/revoke")
    def revoke_all() -> Any:
        for t in STATE.tokens:
            t.revoked = True
        return jsonify(revoked=len(STATE.tokens))

    @app.post("/_test/reset")
    def reset() -> Any:
        with STATE.lock:
            STATE.codes.clear()
            STATE.tokens.clear()
            STATE.stats = {"authorization_code": 0, "refresh_token": 0, "revoke": 0}
        instance["value"] = request.form.get("instance_url", instance["value"])
        return jsonify(reset=True)

    @app.get("/_test/stats")
    def stats() -> Any:
        return jsonify(STATE.stats)

    app.config["ORIGIN"] = origin
    return app


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vendor", choices=("salesforce", "dynamics", "hubspot"), required=True)
    parser.add_argument("--expires-in", type=int, default=3600)
    parser.add_argument("--instance-url", default="", help="Salesforce: the org's API host")
    args = parser.parse_args()
    app = make_app(args.vendor, args.expires_in, args.instance_url)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # request lines hold codes
    warnings.simplefilter("ignore", DeprecationWarning)
    http = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["ORIGIN"]["value"] = f"http://127.0.0.1:{http.server_port}"
    print(f"PORT {http.server_port}", flush=True)
    http.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
