"""`rolecall install` / `uninstall` run as the real CLI against a temporary HOME and home.

Nothing here touches the real home directory: HOME, ROLECALL_HOME and XDG variables are
set for each subprocess. System-wide installs are never run (they write to /etc).
Flatpak browsers are fake app directories under the temporary `~/.var/app/`: no Flatpak
runtime is installed on this machine, so whether a sandboxed browser really starts the
copied host is not tested here.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

import pytest

from rolecall.identity import CHROMIUM_EXTENSION_ID, GECKO_EXTENSION_ID, HOST_NAME
from rolecall.install.manifests import (
    build_manifest,
    install_target,
    targets_for,
    uninstall_target,
)
from rolecall.install.registry import MemoryRegistry
from rolecall.install.sandbox import install_host, remove_host
from rolecall.install.table import Context

REPO = Path(__file__).resolve().parent.parent
ROLECALL = REPO / ".venv" / "bin" / "rolecall"
EXTRA_ID = "abcdefghijklmnopabcdefghijklmnop"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX launcher and paths")


@dataclass
class Sandbox:
    home: Path
    rc_home: Path
    env: dict[str, str]

    def run(self, *args: str, expect: int | None = 0) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(ROLECALL), *args], env=self.env, capture_output=True, text=True, timeout=60
        )
        if expect is not None:
            assert result.returncode == expect, result.stdout + result.stderr
        return result

    @property
    def launcher(self) -> Path:
        return self.rc_home / "bin" / "rolecall-native-host"


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "ROLECALL_"))}
    return {**env, **extra}


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    home = tmp_path / "home"
    home.mkdir()
    rc_home = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))
    try:
        yield Sandbox(home, rc_home, _clean_env(HOME=str(home), ROLECALL_HOME=str(rc_home)))
    finally:
        shutil.rmtree(rc_home, ignore_errors=True)


def _interpreter() -> str:
    """The Python the `rolecall` script runs under: its #! line."""
    first = ROLECALL.read_text().splitlines()[0]
    assert first.startswith("#!")
    return first[2:].strip()


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def _expected(family: str, launcher: Path, ids: list[str]) -> dict[str, object]:
    manifest: dict[str, object] = {
        "name": HOST_NAME,
        "description": "Rolecall native messaging host",
        "path": str(launcher),
        "type": "stdio",
    }
    if family == "firefox":
        manifest["allowed_extensions"] = [GECKO_EXTENSION_ID]
    else:
        manifest["allowed_origins"] = [f"chrome-extension://{i}/" for i in ids]
    return manifest


def test_user_install_then_uninstall_leaves_nothing(sandbox: Sandbox) -> None:
    out = sandbox.run("install", "--browser", "chromium", "--browser", "firefox").stdout
    chromium = sandbox.home / ".config/chromium/NativeMessagingHosts" / f"{HOST_NAME}.json"
    firefox = sandbox.home / ".mozilla/native-messaging-hosts" / f"{HOST_NAME}.json"
    assert json.loads(chromium.read_text()) == _expected(
        "chromium", sandbox.launcher, [CHROMIUM_EXTENSION_ID]
    )
    assert json.loads(firefox.read_text()) == _expected("firefox", sandbox.launcher, [])
    assert stat.S_IMODE(chromium.stat().st_mode) == 0o644
    # one line per file written, naming it
    assert out.splitlines() == [
        f"wrote launcher {sandbox.launcher}",
        f"wrote manifest {chromium} (for chromium, user)",
        f"wrote manifest {firefox} (for firefox, user)",
    ]
    # only the launcher goes into the Rolecall home; no temporary files anywhere
    assert _tree(sandbox.rc_home) == ["bin", "bin/rolecall-native-host"]
    assert os.listdir(chromium.parent) == [chromium.name]

    out = sandbox.run("uninstall", "--browser", "chromium", "--browser", "firefox").stdout
    assert f"removed manifest {chromium} (for chromium, user)" in out
    assert f"removed launcher {sandbox.launcher}" in out
    assert _tree(sandbox.home) == []
    assert not sandbox.rc_home.exists()  # it held only our launcher


def test_launcher_execs_this_interpreter_and_pins_the_home(sandbox: Sandbox) -> None:
    sandbox.run("install", "--browser", "chrome")
    launcher = sandbox.launcher
    assert stat.S_IMODE(launcher.stat().st_mode) == 0o755
    assert os.access(launcher, os.X_OK)
    lines = launcher.read_text().splitlines()
    assert lines[0] == "#!/bin/sh"
    assert f"ROLECALL_HOME={shlex.quote(str(sandbox.rc_home))}" in lines
    assert "export ROLECALL_HOME" in lines
    assert lines[-1] == f'exec {shlex.quote(_interpreter())} -m rolecall native-host "$@"'
    # the shell accepts it as written
    assert subprocess.run(["sh", "-n", str(launcher)], check=False).returncode == 0


def test_launcher_without_rolecall_home_exports_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".local/share").mkdir(parents=True)  # as in any real home
    box = Sandbox(home, home / ".local/share/rolecall", _clean_env(HOME=str(home)))
    box.run("install", "--browser", "chromium")
    text = box.launcher.read_text()
    assert "ROLECALL_HOME" not in text
    assert text.splitlines()[-1].endswith('-m rolecall native-host "$@"')
    box.run("uninstall", "--browser", "chromium")
    assert _tree(home) == [".local", ".local/share"]


def test_user_data_dir_install_and_uninstall(sandbox: Sandbox, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)  # a browser profile holds its own files
    sandbox.run(
        "install", "--browser", "chromium", "--user-data-dir", str(profile),
        "--extension-id", EXTRA_ID, "--extension-id", EXTRA_ID,
    )  # fmt: skip
    manifest = profile / "NativeMessagingHosts" / f"{HOST_NAME}.json"
    assert json.loads(manifest.read_text()) == _expected(
        "chromium", sandbox.launcher, [CHROMIUM_EXTENSION_ID, EXTRA_ID]
    )
    assert _tree(sandbox.home) == []  # nothing in the regular per-user location
    out = sandbox.run("uninstall", "--user-data-dir", str(profile)).stdout
    assert f"removed manifest {manifest}" in out
    assert _tree(profile) == ["Default"]
    assert not sandbox.launcher.exists()


def test_uninstall_keeps_the_launcher_while_a_manifest_uses_it(sandbox: Sandbox) -> None:
    sandbox.run("install", "--browser", "chromium", "--browser", "firefox")
    out = sandbox.run("uninstall", "--browser", "firefox").stdout
    assert f"kept launcher {sandbox.launcher}" in out
    assert sandbox.launcher.is_file()
    assert (sandbox.home / ".config/chromium/NativeMessagingHosts" / f"{HOST_NAME}.json").is_file()
    assert not (sandbox.home / ".mozilla").exists()


def test_all_means_the_browsers_found(sandbox: Sandbox) -> None:
    for own in (".config/chromium", ".mozilla/firefox"):
        (sandbox.home / own).mkdir(parents=True)
        (sandbox.home / own / "Local State").write_text("{}")
    sandbox.run("install")  # --browser all is the default
    written = sorted(str(p.relative_to(sandbox.home)) for p in sandbox.home.rglob("*.json"))
    assert written == [
        f".config/chromium/NativeMessagingHosts/{HOST_NAME}.json",
        f".mozilla/native-messaging-hosts/{HOST_NAME}.json",
    ]
    sandbox.run("uninstall")
    assert _tree(sandbox.home) == [
        ".config",
        ".config/chromium",
        ".config/chromium/Local State",
        ".mozilla",
        ".mozilla/firefox",
        ".mozilla/firefox/Local State",
    ]


def test_refusals(sandbox: Sandbox, tmp_path: Path) -> None:
    none_found = sandbox.run("install", expect=2).stderr
    assert "no browser found" in none_found and "--browser" in none_found
    firefox_dir = sandbox.run(
        "install", "--browser", "firefox", "--user-data-dir", str(tmp_path / "p"), expect=2
    ).stderr
    assert "Chromium-family" in firefox_dir
    bad_id = sandbox.run("install", "--browser", "chrome", "--extension-id", "xyz", expect=2)
    assert "not a Chromium extension id" in bad_id.stderr
    assert _tree(sandbox.home) == [] and _tree(sandbox.rc_home) == []
    assert "nothing of Rolecall's was found" in sandbox.run("uninstall").stdout


def test_windows_registry_writes_are_symmetric(tmp_path: Path) -> None:
    """The Windows rows through the in-memory registry; files go to a temp dir."""
    ctx = Context(
        os="win32",
        home=PurePath("C:/Users/ann"),
        rolecall_home=PurePath("C:/rc"),
        program_data=PurePath("C:/ProgramData"),
    )
    registry = MemoryRegistry()
    said: list[str] = []
    (chrome,) = targets_for(ctx, "chrome", "user", probe_disk=False)
    (brave,) = targets_for(ctx, "brave", "user", probe_disk=False)
    chrome = replace(chrome, manifest_path=tmp_path / "m" / "x.json", anchor=tmp_path)
    brave = replace(brave, manifest_path=chrome.manifest_path, anchor=tmp_path)
    manifest = build_manifest("chromium", "C:\\rc\\bin\\rolecall-native-host.bat", ["a" * 32])
    install_target(chrome, manifest, registry, said.append)
    key = ("HKCU", f"Software\\Google\\Chrome\\NativeMessagingHosts\\{HOST_NAME}")
    assert registry.values == {key: str(tmp_path / "m" / "x.json")}
    assert said[-1] == f"set registry HKCU\\{key[1]} = {tmp_path / 'm' / 'x.json'}"
    # Brave reads Chrome's key: removing it for Brave removes the shared registration
    assert uninstall_target(brave, registry, said.append)
    assert registry.values == {}
    assert _tree(tmp_path) == []
    # a value that points at someone else's file is left alone
    registry.write_default(*key, "D:\\other\\host.json")
    assert not uninstall_target(chrome, registry, said.append)
    assert registry.values == {key: "D:\\other\\host.json"}
    assert said[-1].startswith("left registry")


# Flatpak browsers: fake app directories as Flatpak leaves them after a first run.
FLATPAK_APPS = {
    "chromium-flatpak": ("org.chromium.Chromium", "config/chromium/NativeMessagingHosts"),
    "edge-flatpak": ("com.microsoft.Edge", "config/microsoft-edge/NativeMessagingHosts"),
    "firefox-flatpak": ("org.mozilla.firefox", ".mozilla/native-messaging-hosts"),
}


def _fake_flatpak_app(home: Path, app_id: str, *own: str) -> Path:
    """`~/.var/app/<id>/` with Flatpak's config/, data/, cache/ and the browser's files."""
    app = home / ".var/app" / app_id
    for sub in ("config", "data", "cache"):
        (app / sub).mkdir(parents=True)
    for relative in own:
        (app / relative).parent.mkdir(parents=True, exist_ok=True)
        (app / relative).write_text("{}")
    return app


def _flatpak_manifest(home: Path, browser: str) -> Path:
    app_id, directory = FLATPAK_APPS[browser]
    return home / ".var/app" / app_id / directory / f"{HOST_NAME}.json"


def _assert_host_inside_app(manifest: Path, app: Path) -> Path:
    host = Path(json.loads(manifest.read_text())["path"])
    assert host.is_absolute()
    assert app.resolve() in host.resolve().parents  # the sandbox sees nothing else
    assert host.is_file() and os.access(host, os.X_OK)
    return host


def test_flatpak_install_then_uninstall_leaves_nothing(sandbox: Sandbox) -> None:
    home = sandbox.home
    chromium = _fake_flatpak_app(home, "org.chromium.Chromium", "config/chromium/Local State")
    firefox = _fake_flatpak_app(home, "org.mozilla.firefox", ".mozilla/firefox/profiles.ini")
    edge = home / ".var/app/com.microsoft.Edge"
    edge.mkdir(parents=True)  # an app directory with nothing in it yet
    before = _tree(home)
    names = ["--browser", "chromium-flatpak", "--browser", "firefox-flatpak"]
    out = sandbox.run("install", *names, "--browser", "edge-flatpak").stdout

    for browser, app in (("chromium-flatpak", chromium), ("firefox-flatpak", firefox)):
        manifest = _flatpak_manifest(home, browser)
        host = _assert_host_inside_app(manifest, app)
        assert host == app / "data/rolecall/host/rolecall-native-host"
        family = "firefox" if browser == "firefox-flatpak" else "chromium"
        assert json.loads(manifest.read_text()) == _expected(family, host, [CHROMIUM_EXTENSION_ID])
        assert f"wrote manifest {manifest} (for {browser}, user)" in out
        # the copied launcher pins no home: a path outside the app would not exist inside
        text = host.read_text()
        assert "ROLECALL_HOME" not in text
        assert text.splitlines()[-1] == (
            f'exec {shlex.quote(_interpreter())} -m rolecall native-host "$@"'
        )
        assert subprocess.run(["sh", "-n", str(host)], check=False).returncode == 0
    _assert_host_inside_app(_flatpak_manifest(home, "edge-flatpak"), edge)
    assert "note: that launcher runs" in out  # a Python install cannot promise the sandbox
    assert _tree(sandbox.rc_home) == []  # no regular launcher: no regular manifest uses one

    out = sandbox.run("uninstall", *names, "--browser", "edge-flatpak").stdout
    assert f"removed host copy {chromium / 'data/rolecall/host'}" in out
    assert _tree(home) == before  # Flatpak's own config/ and data/ stay; ours is gone


def test_all_includes_the_flatpak_browsers_found_and_skips_the_rest(sandbox: Sandbox) -> None:
    home = sandbox.home
    (home / ".config/chromium").mkdir(parents=True)
    (home / ".config/chromium/Local State").write_text("{}")
    app = _fake_flatpak_app(home, "org.chromium.Chromium", "config/chromium/Local State")
    before = _tree(home)
    sandbox.run("install")  # --browser all: regular Chromium and its Flatpak
    written = sorted(str(p.relative_to(home)) for p in home.rglob(f"{HOST_NAME}.json"))
    assert written == [
        f".config/chromium/NativeMessagingHosts/{HOST_NAME}.json",
        f".var/app/org.chromium.Chromium/config/chromium/NativeMessagingHosts/{HOST_NAME}.json",
    ]
    assert os.listdir(home / ".var/app") == ["org.chromium.Chromium"]  # no other app made
    regular = json.loads((home / written[0]).read_text())["path"]
    assert regular == str(sandbox.launcher)  # the regular one is not pointed into a sandbox
    _assert_host_inside_app(_flatpak_manifest(home, "chromium-flatpak"), app)

    # named without its app directory: skipped, nothing made for it
    out = sandbox.run("install", "--browser", "chromium-flatpak", "--browser", "firefox-flatpak")
    assert "skipped firefox-flatpak: " in out.stdout
    assert not (home / ".var/app/org.mozilla.firefox").exists()
    alone = sandbox.run("install", "--browser", "firefox-flatpak", expect=2)
    assert "skipped firefox-flatpak" in alone.stdout and "nothing to install" in alone.stderr
    assert os.listdir(home / ".var/app") == ["org.chromium.Chromium"]

    sandbox.run("uninstall")
    assert _tree(home) == before
    assert not sandbox.rc_home.exists()


def test_flatpak_refusals(sandbox: Sandbox, tmp_path: Path) -> None:
    system = sandbox.run("install", "--system", "--browser", "chromium-flatpak", expect=2)
    assert "per user on Linux only" in system.stderr
    profile = sandbox.run(
        "install", "--browser", "chromium-flatpak", "--user-data-dir", str(tmp_path / "p"),
        expect=2,
    )  # fmt: skip
    assert "Chromium-family" in profile.stderr
    assert _tree(sandbox.home) == [] and _tree(sandbox.rc_home) == []


def test_flatpak_copy_of_a_bundle_and_its_removal(tmp_path: Path) -> None:
    """From a PyInstaller bundle the whole folder is copied, never hard-linked."""
    bundle_dir = tmp_path / "lib/rolecall"
    (bundle_dir / "_internal").mkdir(parents=True)
    executable = bundle_dir / "rolecall"
    executable.write_text("#!/bin/sh\necho bundle\n")
    executable.chmod(0o755)
    (bundle_dir / "_internal/libpython.so").write_bytes(b"\0" * 64)
    app = tmp_path / "home/.var/app/com.brave.Browser"
    app.mkdir(parents=True)  # nothing inside yet: everything below is install's
    manifest_dir = app / "config/BraveSoftware/Brave-Browser/NativeMessagingHosts"

    host = install_host(app, manifest_dir, "linux", executable)
    assert host == app / "data/rolecall/host/rolecall"
    assert os.access(host, os.X_OK) and host.read_text() == executable.read_text()
    assert (host.parent / "_internal/libpython.so").read_bytes() == b"\0" * 64
    # a copy, not a link: the sandbox writing to its host must not change the bundle
    assert host.stat().st_ino != executable.stat().st_ino and executable.stat().st_nlink == 1
    # again: the earlier copy is replaced, not nested, and no staging directory is left
    assert install_host(app, manifest_dir, "linux", executable) == host
    assert sorted(p.name for p in host.parent.parent.iterdir()) == ["host"]
    manifest_dir.mkdir(parents=True)  # what install_target does next
    (manifest_dir / "x.json").write_text("{}")
    (manifest_dir / "x.json").unlink()  # what uninstall_target does first
    said: list[str] = []
    assert remove_host(app, said.append)
    assert _tree(app) == []  # config/… and data/… were install's; the app dir was not
    assert executable.is_file()  # the bundle itself is untouched
    assert said[0] == f"removed host copy {host.parent}"

    # something at the copy's place that install did not write is left alone
    foreign = app / "data/rolecall/host"
    foreign.mkdir(parents=True)
    (foreign / "mine").write_text("x")
    with pytest.raises(FileExistsError):
        install_host(app, manifest_dir, "linux", executable)
    assert not remove_host(app, said.append)
    assert said[-1].startswith("left ") and (foreign / "mine").is_file()
