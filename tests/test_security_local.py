"""Local hardening: private state files, a fail-closed peer check, a keyring that is
really a keyring, and faults answered with one line instead of a traceback."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import keyring.backend
import pytest
from keyring.backends import fail

from rolecall.daemon.peer import may_connect
from rolecall.paths import Home, UnsafeHome
from rolecall.secrets import ENV_ALLOW_PLAINTEXT, ENV_BACKEND, SecretStore, SecretStoreUnavailable
from support.daemons import rolecall_env


def test_ensure_makes_every_state_directory_private(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    home.ensure()
    for directory in (home.root, home.config_dir, home.data_dir, home.log_dir, home.run_dir):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory


def test_ensure_refuses_a_group_writable_root(tmp_path: Path) -> None:
    root = tmp_path / "home"
    root.mkdir()
    root.chmod(0o770)
    with pytest.raises(UnsafeHome, match="writable by other users"):
        Home(root).ensure()


def test_ensure_refuses_a_world_writable_config(tmp_path: Path) -> None:
    root = tmp_path / "home"
    (root / "config").mkdir(parents=True)
    root.chmod(0o700)
    (root / "config").chmod(0o777)
    with pytest.raises(UnsafeHome, match="config"):
        Home(root).ensure()


class _Unreadable(socket.socket):
    def getsockopt(self, *args: object) -> bytes:  # type: ignore[override]
        raise OSError("credentials unavailable")


def test_peer_check_fails_closed_when_credentials_cannot_be_read() -> None:
    left, right = socket.socketpair()
    broken = _Unreadable(fileno=os.dup(left.fileno()))
    try:
        assert may_connect(left, os.getuid())
        assert not may_connect(left, os.getuid() + 1)
        assert not may_connect(broken, os.getuid())
    finally:
        for sock in (broken, left, right):
            sock.close()


class _Plaintext(keyring.backend.KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError("a plaintext backend must not receive a password")

    def delete_password(self, service: str, username: str) -> None:
        return None


_Plaintext.__name__ = "PlaintextKeyring"


def _store_with(
    backend: keyring.backend.KeyringBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> SecretStore:
    monkeypatch.delenv(ENV_BACKEND, raising=False)
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    return SecretStore(Home(tmp_path))


def test_plaintext_keyring_is_refused_without_opt_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_ALLOW_PLAINTEXT, raising=False)
    store = _store_with(_Plaintext(), tmp_path, monkeypatch)
    with pytest.raises(SecretStoreUnavailable, match=ENV_ALLOW_PLAINTEXT):
        store.set("sip:alice", "s3cret")


def test_plaintext_keyring_is_used_after_opt_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_ALLOW_PLAINTEXT, "1")
    store = _store_with(_Plaintext(), tmp_path, monkeypatch)
    assert store.get("sip:alice") is None


def test_missing_keyring_names_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store_with(fail.Keyring(), tmp_path, monkeypatch)
    with pytest.raises(SecretStoreUnavailable, match=r"gnome-keyring|Keychain|Credential"):
        store.get("sip:alice")


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rolecall", *args],
        env=rolecall_env(Home(home)),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_answers_an_unusable_home_with_one_line(tmp_path: Path) -> None:
    home = tmp_path / "not-a-directory"
    home.write_text("")
    done = _cli(home, "calls")
    assert done.returncode == 10, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("rolecall: ")
    assert len(done.stderr.strip().splitlines()) == 1


def test_cli_answers_a_bad_argument_without_a_traceback(tmp_path: Path) -> None:
    done = _cli(tmp_path / "home", "call")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_state_files_are_written_through_a_private_temporary(tmp_path: Path) -> None:
    """A fixed `accounts.tmp` planted as a symlink must not redirect the write."""
    from rolecall.protocol.telephony import AccountConfig
    from rolecall.telephony.account_store import AccountStore

    config = tmp_path / "config"
    config.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("untouched")
    (config / "accounts.tmp").symlink_to(victim)
    path = config / "accounts.json"
    AccountStore(path).save([AccountConfig(id="a", uri="sip:a@127.0.0.1")])
    assert victim.read_text() == "untouched"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in config.iterdir() if p.name.endswith(".tmp")] == ["accounts.tmp"]


def test_the_daemon_makes_its_files_private(rc_home: Home) -> None:
    """The entry point's umask: the database the daemon creates is 0600 whatever the
    caller's umask."""
    from support.daemons import start_daemon, stop_daemon

    old = os.umask(0o022)
    try:
        running = start_daemon(rc_home)
    finally:
        os.umask(old)
    try:
        database = rc_home.data_dir / "rolecall.db"
        assert stat.S_IMODE(database.stat().st_mode) == 0o600
    finally:
        stop_daemon(running)
