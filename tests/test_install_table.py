"""The manifest-location table: complete, right per family, equal to the documented paths.

The expected values below are written out from the native-messaging notes, the
browser vendors' documentation (Chrome, Edge, MDN) and Flatpak's per-app directories,
not computed from the table.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

from rolecall.identity import CHROMIUM_EXTENSION_ID, GECKO_EXTENSION_ID, HOST_NAME
from rolecall.install.manifests import build_manifest, targets_for
from rolecall.install.table import (
    BROWSERS,
    LAUNCHER_PLACES,
    OSES,
    SCOPES,
    TABLE,
    Context,
    browsers_for,
    expand,
    has_location,
    location,
)

CHROMIUM_FAMILY = {"chrome", "chromium", "edge", "brave", "vivaldi"}
FLATPAK_IDS = {
    "chrome-flatpak": "com.google.Chrome",
    "chromium-flatpak": "org.chromium.Chromium",
    "edge-flatpak": "com.microsoft.Edge",
    "brave-flatpak": "com.brave.Browser",
    "vivaldi-flatpak": "com.vivaldi.Vivaldi",
    "firefox-flatpak": "org.mozilla.firefox",
}
REGULAR = sorted(set(BROWSERS) - set(FLATPAK_IDS))
AS = "~/Library/Application Support"

EXPECTED_DIRS = {
    ("linux", "chrome", "user"): "~/.config/google-chrome/NativeMessagingHosts",
    ("linux", "chromium", "user"): "~/.config/chromium/NativeMessagingHosts",
    ("linux", "edge", "user"): "~/.config/microsoft-edge/NativeMessagingHosts",
    ("linux", "brave", "user"): "~/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts",
    ("linux", "vivaldi", "user"): "~/.config/vivaldi/NativeMessagingHosts",
    ("linux", "firefox", "user"): "~/.mozilla/native-messaging-hosts",
    ("linux", "chrome", "system"): "/etc/opt/chrome/native-messaging-hosts",
    ("linux", "chromium", "system"): "/etc/chromium/native-messaging-hosts",
    ("linux", "edge", "system"): "/etc/opt/edge/native-messaging-hosts",
    ("linux", "firefox", "system"): "/usr/lib/mozilla/native-messaging-hosts",
    ("darwin", "chrome", "user"): f"{AS}/Google/Chrome/NativeMessagingHosts",
    ("darwin", "chromium", "user"): f"{AS}/Chromium/NativeMessagingHosts",
    ("darwin", "edge", "user"): f"{AS}/Microsoft Edge/NativeMessagingHosts",
    ("darwin", "brave", "user"): f"{AS}/BraveSoftware/Brave-Browser/NativeMessagingHosts",
    ("darwin", "vivaldi", "user"): f"{AS}/Vivaldi/NativeMessagingHosts",
    ("darwin", "firefox", "user"): f"{AS}/Mozilla/NativeMessagingHosts",
    ("darwin", "chrome", "system"): "/Library/Google/Chrome/NativeMessagingHosts",
    ("darwin", "chromium", "system"): "/Library/Application Support/Chromium/NativeMessagingHosts",
    ("darwin", "edge", "system"): "/Library/Microsoft/Edge/NativeMessagingHosts",
    ("darwin", "firefox", "system"): "/Library/Application Support/Mozilla/NativeMessagingHosts",
    # Flatpak: XDG_CONFIG_HOME is ~/.var/app/<id>/config; Firefox's ~/.mozilla is persisted
    ("linux", "chrome-flatpak", "user"): (
        "~/.var/app/com.google.Chrome/config/google-chrome/NativeMessagingHosts"
    ),
    ("linux", "chromium-flatpak", "user"): (
        "~/.var/app/org.chromium.Chromium/config/chromium/NativeMessagingHosts"
    ),
    ("linux", "edge-flatpak", "user"): (
        "~/.var/app/com.microsoft.Edge/config/microsoft-edge/NativeMessagingHosts"
    ),
    ("linux", "brave-flatpak", "user"): (
        "~/.var/app/com.brave.Browser/config/BraveSoftware/Brave-Browser/NativeMessagingHosts"
    ),
    ("linux", "vivaldi-flatpak", "user"): (
        "~/.var/app/com.vivaldi.Vivaldi/config/vivaldi/NativeMessagingHosts"
    ),
    ("linux", "firefox-flatpak", "user"): (
        "~/.var/app/org.mozilla.firefox/.mozilla/native-messaging-hosts"
    ),
}

EXPECTED_KEYS = {
    "chrome": f"Software\\Google\\Chrome\\NativeMessagingHosts\\{HOST_NAME}",
    "chromium": f"Software\\Chromium\\NativeMessagingHosts\\{HOST_NAME}",
    "edge": f"Software\\Microsoft\\Edge\\NativeMessagingHosts\\{HOST_NAME}",
    # No documented key of their own; they read Chrome's (see table.py).
    "brave": f"Software\\Google\\Chrome\\NativeMessagingHosts\\{HOST_NAME}",
    "vivaldi": f"Software\\Google\\Chrome\\NativeMessagingHosts\\{HOST_NAME}",
    "firefox": f"Software\\Mozilla\\NativeMessagingHosts\\{HOST_NAME}",
}


@pytest.mark.parametrize("os_name", OSES)
@pytest.mark.parametrize("browser", REGULAR)
@pytest.mark.parametrize("scope", SCOPES)
def test_every_os_browser_scope_has_exactly_one_location(
    os_name: str, browser: str, scope: str
) -> None:
    rows = [r for r in TABLE if (r.os, r.browser, r.scope) == (os_name, browser, scope)]
    assert len(rows) == 1
    row = rows[0]
    assert row.manifest_dir and row.anchor and row.config_dir
    if os_name == "win32":
        assert row.registry_key is not None
        assert row.registry_hive == ("HKCU" if scope == "user" else "HKLM")
    else:
        assert row.registry_key is None and row.registry_hive is None
    assert (os_name, scope) in LAUNCHER_PLACES


@pytest.mark.parametrize("browser", sorted(FLATPAK_IDS))
def test_flatpak_browsers_have_one_row_linux_per_user_only(browser: str) -> None:
    rows = [r for r in TABLE if r.browser == browser]
    assert [(r.os, r.scope) for r in rows] == [("linux", "user")]
    (row,) = rows
    app = f"~/.var/app/{FLATPAK_IDS[browser]}"
    assert BROWSERS[browser].flatpak_id == FLATPAK_IDS[browser]
    # found when the app directory exists; the host copy goes inside it
    assert row.config_dir == app and row.sandbox_dir == app
    assert row.manifest_dir.startswith(app + "/")
    # uninstall never prunes what Flatpak itself makes for the app
    assert row.anchor == (f"{app}/.mozilla" if "firefox" in browser else f"{app}/config")
    assert row.registry_key is None and row.also_dirs == ()
    assert not has_location("linux", browser, "system")  # type: ignore[arg-type]
    assert not has_location("darwin", browser, "user")  # type: ignore[arg-type]
    assert browser in browsers_for("linux", "user")
    assert browser not in browsers_for("linux", "system")


def test_regular_rows_have_no_sandbox() -> None:
    assert all(row.sandbox_dir is None for row in TABLE if row.browser in REGULAR)
    assert all(BROWSERS[name].flatpak_id is None for name in REGULAR)


def test_flatpak_rows_ignore_the_hosts_xdg_config_home(tmp_path: Path) -> None:
    ctx = Context(
        os="linux",
        home=tmp_path / "home",
        rolecall_home=tmp_path / "rc",
        program_data=tmp_path,
        xdg_config_home=tmp_path / "xdg",
    )
    (target,) = targets_for(ctx, "vivaldi-flatpak", "user")
    app = tmp_path / "home/.var/app/com.vivaldi.Vivaldi"
    assert target.manifest_path == PurePosixPath(
        app / "config/vivaldi/NativeMessagingHosts" / f"{HOST_NAME}.json"
    )
    assert target.sandbox_dir == PurePosixPath(app)
    assert targets_for(ctx, "vivaldi-flatpak", "system") == []
    assert targets_for(replace(ctx, os="darwin"), "vivaldi-flatpak", "user") == []


def test_families() -> None:
    chromium_family = {n for n, b in BROWSERS.items() if b.family == "chromium"}
    assert chromium_family == CHROMIUM_FAMILY | (set(FLATPAK_IDS) - {"firefox-flatpak"})
    assert BROWSERS["firefox"].family == "firefox"
    assert BROWSERS["firefox-flatpak"].family == "firefox"
    chromium = build_manifest("chromium", "/x/launcher", [CHROMIUM_EXTENSION_ID])
    firefox = build_manifest("firefox", "/x/launcher", [CHROMIUM_EXTENSION_ID])
    assert chromium["allowed_origins"] == [f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"]
    assert "allowed_extensions" not in chromium
    assert firefox["allowed_extensions"] == [GECKO_EXTENSION_ID]
    assert "allowed_origins" not in firefox
    for manifest in (chromium, firefox):
        assert manifest["name"] == HOST_NAME
        assert manifest["type"] == "stdio"
        assert manifest["path"] == "/x/launcher"


@pytest.mark.parametrize(("key", "expected"), sorted(EXPECTED_DIRS.items()))
def test_documented_directories(key: tuple[str, str, str], expected: str) -> None:
    assert location(*key).manifest_dir == expected  # type: ignore[arg-type]


def test_firefox_also_uses_lib64_where_present() -> None:
    row = location("linux", "firefox", "system")
    assert row.also_dirs == (("/usr/lib64/mozilla/native-messaging-hosts", "/usr/lib64"),)


@pytest.mark.parametrize("os_name", ["linux", "darwin"])
def test_brave_and_vivaldi_share_chromium_system_directory(os_name: str) -> None:
    chromium = location(os_name, "chromium", "system").manifest_dir  # type: ignore[arg-type]
    for browser in ("brave", "vivaldi"):
        assert location(os_name, browser, "system").manifest_dir == chromium  # type: ignore[arg-type]


@pytest.mark.parametrize("browser", sorted(EXPECTED_KEYS))
@pytest.mark.parametrize("scope", SCOPES)
def test_windows_registry_keys(browser: str, scope: str) -> None:
    row = location("win32", browser, scope)  # type: ignore[arg-type]
    assert row.registry_key == EXPECTED_KEYS[browser]
    assert row.registry_hive == {"user": "HKCU", "system": "HKLM"}[scope]


def test_windows_manifest_files_live_under_rolecall_home_or_programdata() -> None:
    ctx = Context(
        os="win32",
        home=PureWindowsPath("C:\\Users\\ann"),
        rolecall_home=PureWindowsPath("C:\\Users\\ann\\AppData\\Local\\rolecall"),
        program_data=PureWindowsPath("C:\\ProgramData"),
    )
    (chrome,) = targets_for(ctx, "chrome", "user", probe_disk=False)
    assert chrome.manifest_path == PureWindowsPath(
        f"C:\\Users\\ann\\AppData\\Local\\rolecall\\manifests\\chrome\\{HOST_NAME}.json"
    )
    assert (chrome.registry_hive, chrome.registry_key) == ("HKCU", EXPECTED_KEYS["chrome"])
    assert set(chrome.shared_with) == {"brave", "vivaldi"}
    (firefox,) = targets_for(ctx, "firefox", "system", probe_disk=False)
    assert firefox.manifest_path == PureWindowsPath(
        f"C:\\ProgramData\\Rolecall\\manifests\\firefox\\{HOST_NAME}.json"
    )
    assert firefox.registry_hive == "HKLM"
    assert expand(LAUNCHER_PLACES[("win32", "user")].directory, ctx) == PureWindowsPath(
        "C:\\Users\\ann\\AppData\\Local\\rolecall\\bin"
    )


def test_expansion_uses_the_given_home_never_the_real_one(tmp_path: Path) -> None:
    ctx = Context(os="linux", home=tmp_path, rolecall_home=tmp_path / "rc", program_data=tmp_path)
    (target,) = targets_for(ctx, "chrome", "user")
    assert target.manifest_path == PurePosixPath(
        tmp_path / ".config/google-chrome/NativeMessagingHosts" / f"{HOST_NAME}.json"
    )
    assert target.anchor == PurePosixPath(tmp_path)
    assert expand(LAUNCHER_PLACES[("linux", "user")].directory, ctx) == tmp_path / "rc" / "bin"
    assert expand(LAUNCHER_PLACES[("linux", "user")].anchor, ctx) == tmp_path
    mac = Context(os="darwin", home=tmp_path, rolecall_home=tmp_path, program_data=tmp_path)
    (edge,) = targets_for(mac, "edge", "user")
    assert edge.manifest_path.parent == PurePosixPath(
        tmp_path / "Library/Application Support/Microsoft Edge/NativeMessagingHosts"
    )


def test_xdg_config_home_moves_chromium_family_but_not_firefox(tmp_path: Path) -> None:
    ctx = Context(
        os="linux",
        home=tmp_path / "home",
        rolecall_home=tmp_path / "rc",
        program_data=tmp_path,
        xdg_config_home=tmp_path / "xdg",
    )
    (vivaldi,) = targets_for(ctx, "vivaldi", "user")
    (firefox,) = targets_for(ctx, "firefox", "user")
    assert vivaldi.manifest_path.parent == PurePosixPath(
        tmp_path / "xdg/vivaldi/NativeMessagingHosts"
    )
    assert firefox.manifest_path.parent == PurePosixPath(
        tmp_path / "home/.mozilla/native-messaging-hosts"
    )


def test_install_doc_lists_every_location() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "INSTALL.md").read_text()
    for row in TABLE:
        if row.os == "win32":
            assert f"`{row.registry_key}`" in doc, row
            continue
        assert f"`{row.manifest_dir}`" in doc, row
        for directory, _ in row.also_dirs:
            assert f"`{directory}`" in doc, row
