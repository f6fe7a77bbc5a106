"""Secrets (SIP passwords, later CRM tokens) in the OS keyring, never in our own files.

`ROLECALL_KEYRING=file` selects a file backend under `$ROLECALL_HOME/config/` instead;
it exists for tests and the demo, whose machines have no keyring service, and says so
in its name. Anything else uses the `keyring` package's choice for this OS.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors

from rolecall.paths import Home

SERVICE = "rolecall"
ENV_BACKEND = "ROLECALL_KEYRING"


class SecretStoreUnavailable(Exception):
    """No usable keyring on this machine."""


class TestOnlyFileKeyring(keyring.backend.KeyringBackend):
    """Secrets in one JSON file (mode 0600); for tests and the demo only."""

    priority = 0  # never chosen on its own

    def __init__(self, path: Path) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._path = path

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self._path.read_text())
        except FileNotFoundError:
            return {}
        return {str(k): str(v) for k, v in data.items()}

    def _save(self, data: dict[str, str]) -> None:
        temp = self._path.with_suffix(".tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(data, out)
        temp.replace(self._path)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\0{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\0{username}", None) is None:
            raise keyring.errors.PasswordDeleteError(username)
        self._save(data)


class SecretStore:
    """Get, set and delete one secret per name, under the `rolecall` service."""

    def __init__(self, home: Home) -> None:
        if os.environ.get(ENV_BACKEND) == "file":
            home.config_dir.mkdir(parents=True, exist_ok=True)
            self._backend: keyring.backend.KeyringBackend = TestOnlyFileKeyring(
                home.config_dir / "test-only-secrets.json"
            )
        else:
            self._backend = keyring.get_keyring()

    @property
    def backend_name(self) -> str:
        return type(self._backend).__name__

    def get(self, name: str) -> str | None:
        try:
            return self._backend.get_password(SERVICE, name)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreUnavailable(f"the keyring could not be read: {exc}") from None

    def set(self, name: str, secret: str) -> None:
        try:
            self._backend.set_password(SERVICE, name, secret)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreUnavailable(
                f"no OS keyring is available to keep the password ({exc}); "
                "install and unlock one (e.g. GNOME Keyring or KWallet)"
            ) from None

    def delete(self, name: str) -> None:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            try:
                self._backend.delete_password(SERVICE, name)
            except keyring.errors.KeyringError as exc:
                raise SecretStoreUnavailable(f"the keyring could not be changed: {exc}") from None
