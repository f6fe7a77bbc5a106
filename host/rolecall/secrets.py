"""Secrets (SIP passwords, later CRM tokens) in the OS keyring, never in our own files.

`ROLECALL_KEYRING=file` selects a file backend under `$ROLECALL_HOME/config/` instead;
it exists for tests and the demo, whose machines have no keyring service, and says so
in its name. Anything else uses the `keyring` package's choice for this OS, except a
backend that keeps secrets in a plain file (keyring's `PlaintextKeyring`, the
`keyrings.alt` file backends): those are refused unless the user sets
`ROLECALL_ALLOW_PLAINTEXT_KEYRING=1`. With no keyring at all, the error names what to
install for this OS.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import fail

from rolecall.atomic_file import atomic_write_text
from rolecall.paths import Home

SERVICE = "rolecall"
ENV_BACKEND = "ROLECALL_KEYRING"
ENV_ALLOW_PLAINTEXT = "ROLECALL_ALLOW_PLAINTEXT_KEYRING"
PLAINTEXT_MODULES = ("keyrings.alt.file", "keyrings.alt.file_base")
PLAINTEXT_CLASSES = frozenset({"PlaintextKeyring", "EncryptedKeyring"})


def install_hint() -> str:
    """What to install so this OS has a keyring."""
    if sys.platform == "darwin":
        return "the macOS Keychain (unlock it with your login)"
    if sys.platform == "win32":
        return "Windows Credential Manager"
    return "a Secret Service keyring: GNOME Keyring (gnome-keyring) or KWallet, unlocked"


def is_plaintext(backend: keyring.backend.KeyringBackend) -> bool:
    """True for backends that write secrets to a file of their own."""
    module = type(backend).__module__
    return type(backend).__name__ in PLAINTEXT_CLASSES or module.startswith(PLAINTEXT_MODULES)


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
        atomic_write_text(self._path, json.dumps(data))

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
            self._refusal: str | None = None
        else:
            self._backend = keyring.get_keyring()
            self._refusal = self._refuse(self._backend)

    @staticmethod
    def _refuse(backend: keyring.backend.KeyringBackend) -> str | None:
        """Why this backend may not hold passwords, or None when it may."""
        if isinstance(backend, fail.Keyring):
            return f"no OS keyring is available to keep passwords; install {install_hint()}"
        if is_plaintext(backend) and os.environ.get(ENV_ALLOW_PLAINTEXT) != "1":
            return (
                f"the keyring backend {type(backend).__name__} keeps passwords in a plain "
                f"file; install {install_hint()}, or set {ENV_ALLOW_PLAINTEXT}=1 to accept it"
            )
        return None

    def _usable(self) -> keyring.backend.KeyringBackend:
        if self._refusal is not None:
            raise SecretStoreUnavailable(self._refusal)
        return self._backend

    @property
    def backend_name(self) -> str:
        return type(self._backend).__name__

    def get(self, name: str) -> str | None:
        try:
            return self._usable().get_password(SERVICE, name)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreUnavailable(f"the keyring could not be read: {exc}") from None

    def set(self, name: str, secret: str) -> None:
        try:
            self._usable().set_password(SERVICE, name, secret)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreUnavailable(
                f"no OS keyring is available to keep the password ({exc}); install {install_hint()}"
            ) from None

    def delete(self, name: str) -> None:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            try:
                self._usable().delete_password(SERVICE, name)
            except keyring.errors.KeyringError as exc:
                raise SecretStoreUnavailable(f"the keyring could not be changed: {exc}") from None
