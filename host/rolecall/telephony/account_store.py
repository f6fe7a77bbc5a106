"""The SIP accounts the user configured: kept in `config/accounts.json`, passwords aside.

The file holds each `AccountConfig` (never a password: those are in the keyring under
`sip:<account id>`). Writes are atomic and the file is private to the user.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import TypeAdapter

from rolecall.atomic_file import atomic_write_text
from rolecall.protocol.telephony import AccountConfig

LOCAL_ACCOUNT_ID = "local"
"""The account that exists with no configuration: no registrar, dials SIP URIs directly."""

_LIST = TypeAdapter(list[AccountConfig])


def secret_name(account_id: str) -> str:
    return f"sip:{account_id}"


class AccountStore:
    """Reads and writes the account list."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def load(self) -> list[AccountConfig]:
        try:
            return _LIST.validate_json(self._path.read_bytes())
        except FileNotFoundError:
            return []

    def save(self, accounts: list[AccountConfig]) -> None:
        data = [a.model_dump(mode="json") for a in accounts]
        atomic_write_text(self._path, json.dumps(data, indent=2))
