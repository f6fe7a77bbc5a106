"""`installer/install.sh` with the real bundle, for a user whose HOME is a temporary
directory with three browsers "used" (their own directories exist): install copies the
bundle, links `~/.local/bin/rolecall`, registers every browser found with manifests that
name the installed bundle, and the host answers; uninstall stops the daemon and leaves
nothing but the Rolecall home's data, which it keeps on purpose.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from rolecall.identity import HOST_NAME
from rolecall.paths import Home
from support.bundle import REPO, clean_env, require_bundle
from support.processes import daemon_pid, pid_alive, stop_pid

SCRIPT = REPO / "installer" / "install.sh"
BROWSER_DIRS = (".config/chromium", ".config/google-chrome", ".mozilla/firefox")


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture
def user_home() -> Iterator[Path]:
    home = Path(tempfile.mkdtemp(prefix="rc-user-", dir="/tmp"))  # socket paths stay short
    try:
        yield home
    finally:
        pid = daemon_pid(Home(home / ".local/share/rolecall"))
        if pid and pid_alive(pid):
            stop_pid(pid)
        shutil.rmtree(home, ignore_errors=True)


def _script(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(HOME=str(home), ROLECALL_KEYRING="file")
    return subprocess.run(
        ["sh", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=180
    )


def test_script_is_posix_sh() -> None:
    assert subprocess.run(["sh", "-n", str(SCRIPT)], capture_output=True).returncode == 0


def test_install_then_uninstall_with_the_bundle(user_home: Path) -> None:
    require_bundle()
    for directory in BROWSER_DIRS:  # a browser that has run keeps files there
        (user_home / directory).mkdir(parents=True)
        (user_home / directory / "profiles.ini").write_text("[General]\n")
    before = _tree(user_home)

    installed = _script(user_home)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    app = user_home / ".local/lib/rolecall/rolecall"
    assert app.is_file() and (user_home / ".local/bin/rolecall").resolve() == app
    manifests = {
        "chromium": user_home / ".config/chromium/NativeMessagingHosts",
        "chrome": user_home / ".config/google-chrome/NativeMessagingHosts",
        "firefox": user_home / ".mozilla/native-messaging-hosts",
    }
    for directory in manifests.values():
        manifest = json.loads((directory / f"{HOST_NAME}.json").read_text())
        assert manifest["path"] == str(app)
    assert not (user_home / ".config/microsoft-edge").exists()  # not found: not registered

    env = clean_env(HOME=str(user_home), ROLECALL_KEYRING="file")
    doctor = subprocess.run(
        [str(user_home / ".local/bin/rolecall"), "doctor", "--json"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    checks = {c["check"]: c for c in json.loads(doctor.stdout)}
    for browser in manifests:
        assert checks[f"{browser} (user): host answers"]["ok"], checks
    daemon = daemon_pid(Home(user_home / ".local/share/rolecall"))
    assert daemon is not None and pid_alive(daemon)

    removed = _script(user_home, "--uninstall")
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert not pid_alive(daemon)
    left = {p for p in _tree(user_home) if not p.startswith(".local/share")}
    assert left == before | {".local"}, left ^ before
    assert not (user_home / ".local/lib").exists() and not (user_home / ".local/bin").exists()
