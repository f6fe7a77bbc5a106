"""Who signed in and to which org, read from each vendor's token response.

- Salesforce: `id` is `https://login…/id/<org id>/<user id>`; `instance_url` is the org.
- Dynamics (Entra): the `id_token`'s `preferred_username` (or `upn`, `name`); the org is
  the configured org URL. The id token comes straight from the token endpoint over TLS,
  so its claims are read for display without checking its signature (OpenID Connect
  Core 3.1.3.7); nothing is authorised on them.
- HubSpot: `user` and `hub_id` from `GET /oauth/v1/refresh-tokens/{token}`.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlsplit


def salesforce_identity(response: dict[str, Any]) -> tuple[str, str]:
    """(user id, org id) from the `id` URL."""
    path = urlsplit(str(response.get("id", ""))).path.strip("/").split("/")
    if len(path) >= 3 and path[-3] == "id":
        return path[-1], path[-2]
    return "", ""


def id_token_claims(id_token: str) -> dict[str, Any]:
    """The payload of a JWT, undecoded on failure ({})."""
    parts = id_token.split(".")
    if len(parts) != 3:
        return {}
    padded = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def entra_user(response: dict[str, Any]) -> str:
    claims = id_token_claims(str(response.get("id_token", "")))
    for key in ("preferred_username", "upn", "email", "name"):
        if claims.get(key):
            return str(claims[key])[:200]
    return ""


def hubspot_identity(info: dict[str, Any]) -> tuple[str, str]:
    """(user, hub id) from HubSpot's refresh-token information."""
    return str(info.get("user", ""))[:200], str(info.get("hub_id", ""))[:40]
