"""The SIP accounts the user configured: kept in `config/accounts.json`, passwords aside.

The file holds each `AccountConfig` (never a password: those are in the keyring under
`sip:<account id>`). Writes are atomic and the file is private to the user.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import TypeAdapter

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
        self._path.parent.mkdir(parents=True, exist_ok=True)
        temp = self._path.with_suffix(".tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump([a.model_dump(mode="json") for a in accounts], out, indent=2)
        temp.replace(self._path)
