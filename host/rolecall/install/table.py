"""Where native-messaging host manifests go: one table per OS, browser and scope.

This module is data plus the expansion of its templates; nothing here touches the disk.
`~` is the user's home directory, `{rolecall_home}` the Rolecall home and
`{program_data}` Windows' `%ProgramData%`; `expand` fills them from a `Context`, so
tests point them at temporary directories. `docs/INSTALL.md` lists the same table.

Sources (read in stored copies; the project notes on native messaging agree):
- Chrome, "Native messaging", section "Native messaging host location"
  (developer.chrome.com/docs/extensions/develop/concepts/native-messaging): the Chrome
  and Chromium directories on Linux and macOS, and the Windows registry keys.
- Chromium `chrome/common/chrome_paths.cc` (`DIR_NATIVE_MESSAGING`): the system-wide
  directory is `/etc/opt/chrome/…` and `/Library/Google/Chrome/…` for Google-branded
  builds, `/etc/chromium/…` and `/Library/Application Support/Chromium/…` for every other
  build; the per-user one is always `<user data dir>/NativeMessagingHosts`.
- Chromium `chrome/browser/extensions/api/messaging/native_process_launcher_win.cc`: a
  Chromium-branded build reads `Software\\Chromium\\NativeMessagingHosts`, then falls back
  to `Software\\Google\\Chrome\\NativeMessagingHosts`; every build reads the Chrome key.
- Microsoft Edge, "Native messaging" (learn.microsoft.com/microsoft-edge/extensions/
  developer-guide/native-messaging): `Software\\Microsoft\\Edge\\NativeMessagingHosts`,
  `/Library/Microsoft/Edge/NativeMessagingHosts`,
  `~/Library/Application Support/Microsoft Edge/NativeMessagingHosts`.
- MDN, "Native manifests": Firefox's `~/.mozilla/native-messaging-hosts`,
  `/usr/lib{,64}/mozilla/native-messaging-hosts`, `~/Library/Application Support/Mozilla/…`,
  `/Library/Application Support/Mozilla/…` and `Software\\Mozilla\\NativeMessagingHosts`.

Not verified against a running browser (no Brave or Vivaldi on this machine):
- Brave and Vivaldi per user use their own user data dir (`~/.config/BraveSoftware/
  Brave-Browser`, `~/.config/vivaldi`, and the macOS equivalents), as Chromium does.
- Their system-wide directories: brave-core does not patch `DIR_NATIVE_MESSAGING`, so we
  rely on upstream Chromium's non-Google one, shared with Chromium.
- On Windows neither has a documented key of its own; Vivaldi is known to read Chrome's
  key (keepassxc-browser issue 48), and every Chromium build falls back to it, so both
  use Chrome's key and manifest file. Uninstalling one of the browsers that share a
  location removes it for all of them; install and uninstall say which are shared.

Flatpak browsers (Linux, per user only; their own keys, `chromium-flatpak` and so on):
- Flatpak sets `XDG_CONFIG_HOME` to `~/.var/app/<app id>/config` inside the sandbox
  (Flatpak's sandbox documentation; flatpak issue 1214), so a Chromium-family Flatpak's
  user data dir, and its `NativeMessagingHosts/`, is `~/.var/app/<id>/config/<its usual
  directory name>/` (as seen for `com.google.Chrome` in codex issue 42953).
- Flathub's Firefox keeps `~/.mozilla` in `~/.var/app/org.mozilla.firefox/.mozilla`
  (a persisted directory), so it reads `…/.mozilla/native-messaging-hosts/`; the same
  layout is reported working for a Firefox-based Flatpak in pywalfox issue 144.
- A sandbox sees `~/.var/app/<id>` at the same absolute path but not the rest of the
  home directory or the host's `/usr`, so the host a manifest names must be a copy
  inside that directory (`sandbox_dir`; see `install/sandbox.py`).
- An app directory exists once the Flatpak has run; Flatpak makes its `config/`,
  `data/` and `cache/` then, so those are the anchors uninstall stops below.
Not verified against a running Flatpak browser (none on this machine).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import Literal

from rolecall.identity import HOST_NAME

OSName = Literal["linux", "darwin", "win32"]
Scope = Literal["user", "system"]
Family = Literal["chromium", "firefox"]

OSES: tuple[OSName, ...] = ("linux", "darwin", "win32")
SCOPES: tuple[Scope, ...] = ("user", "system")
MANIFEST_FILE = f"{HOST_NAME}.json"
LAUNCHER_NAME = "rolecall-native-host"
"""The launcher's file name; `.bat` is added on Windows."""
FLATPAK_APPS = "~/.var/app"
"""Where Flatpak keeps each app's per-user directory, `<app id>/` below it."""


@dataclass(frozen=True)
class Browser:
    """One browser we register with."""

    name: str
    label: str
    family: Family
    flatpak_id: str | None = None
    """The Flatpak app id, for a browser installed from Flatpak; None otherwise."""


BROWSERS: dict[str, Browser] = {
    b.name: b
    for b in (
        Browser("chrome", "Google Chrome", "chromium"),
        Browser("chromium", "Chromium", "chromium"),
        Browser("edge", "Microsoft Edge", "chromium"),
        Browser("brave", "Brave", "chromium"),
        Browser("vivaldi", "Vivaldi", "chromium"),
        Browser("firefox", "Firefox", "firefox"),
        Browser("chrome-flatpak", "Google Chrome (Flatpak)", "chromium", "com.google.Chrome"),
        Browser("chromium-flatpak", "Chromium (Flatpak)", "chromium", "org.chromium.Chromium"),
        Browser("edge-flatpak", "Microsoft Edge (Flatpak)", "chromium", "com.microsoft.Edge"),
        Browser("brave-flatpak", "Brave (Flatpak)", "chromium", "com.brave.Browser"),
        Browser("vivaldi-flatpak", "Vivaldi (Flatpak)", "chromium", "com.vivaldi.Vivaldi"),
        Browser("firefox-flatpak", "Firefox (Flatpak)", "firefox", "org.mozilla.firefox"),
    )
}


@dataclass(frozen=True)
class Location:
    """Where one browser, on one OS and scope, looks for our manifest.

    `manifest_dir` is the directory the manifest file goes in (on Windows: where we keep
    it; the browser finds it through `registry_key`). `anchor` is the directory above
    which uninstall never removes empty directories. `config_dir` is the browser's own
    per-user directory, whose presence means "installed and used by this user".
    `also_dirs` are further manifest directories written only when their anchor exists
    (Firefox reads `/usr/lib64/…` instead of `/usr/lib/…` on some distributions).
    `sandbox_dir`, for a Flatpak browser, is its app directory `~/.var/app/<id>`: the
    only part of the home directory the sandbox sees, where the host is copied to.
    """

    os: OSName
    browser: str
    scope: Scope
    manifest_dir: str
    anchor: str
    config_dir: str
    registry_key: str | None = None
    also_dirs: tuple[tuple[str, str], ...] = ()
    sandbox_dir: str | None = None

    @property
    def registry_hive(self) -> str | None:
        """`HKCU` for a user install, `HKLM` for a system one; None off Windows."""
        if self.registry_key is None:
            return None
        return "HKCU" if self.scope == "user" else "HKLM"


def _reg(vendor_path: str) -> str:
    return f"Software\\{vendor_path}\\NativeMessagingHosts\\{HOST_NAME}"


_AS = "~/Library/Application Support"
_WIN_USER = "{rolecall_home}\\manifests"
_WIN_SYSTEM = "{program_data}\\Rolecall\\manifests"


def _linux() -> list[Location]:
    user = [
        ("chrome", "~/.config/google-chrome"),
        ("chromium", "~/.config/chromium"),
        ("edge", "~/.config/microsoft-edge"),
        ("brave", "~/.config/BraveSoftware/Brave-Browser"),
        ("vivaldi", "~/.config/vivaldi"),
    ]
    rows = [
        Location("linux", name, "user", f"{cfg}/NativeMessagingHosts", "~", cfg)
        for name, cfg in user
    ]
    rows.append(
        Location(
            "linux",
            "firefox",
            "user",
            "~/.mozilla/native-messaging-hosts",
            "~",
            "~/.mozilla/firefox",
        )
    )
    system = [
        ("chrome", "/etc/opt/chrome/native-messaging-hosts", "/etc/opt"),
        ("chromium", "/etc/chromium/native-messaging-hosts", "/etc"),
        ("edge", "/etc/opt/edge/native-messaging-hosts", "/etc/opt"),
        ("brave", "/etc/chromium/native-messaging-hosts", "/etc"),
        ("vivaldi", "/etc/chromium/native-messaging-hosts", "/etc"),
    ]
    configs = dict(user)
    rows += [
        Location("linux", name, "system", path, anchor, configs[name])
        for name, path, anchor in system
    ]
    rows.append(
        Location(
            "linux",
            "firefox",
            "system",
            "/usr/lib/mozilla/native-messaging-hosts",
            "/usr/lib",
            "~/.mozilla/firefox",
            also_dirs=(("/usr/lib64/mozilla/native-messaging-hosts", "/usr/lib64"),),
        )
    )
    return rows + _linux_flatpak()


def _linux_flatpak() -> list[Location]:
    """Per-user rows for Flatpak browsers (see the module docstring); no system scope."""
    chromium_dirs = {
        "chrome-flatpak": "google-chrome",
        "chromium-flatpak": "chromium",
        "edge-flatpak": "microsoft-edge",
        "brave-flatpak": "BraveSoftware/Brave-Browser",
        "vivaldi-flatpak": "vivaldi",
    }
    rows: list[Location] = []
    for name, browser in BROWSERS.items():
        if browser.flatpak_id is None:
            continue
        app = f"{FLATPAK_APPS}/{browser.flatpak_id}"
        if browser.family == "firefox":
            manifest_dir, anchor = f"{app}/.mozilla/native-messaging-hosts", f"{app}/.mozilla"
        else:
            manifest_dir = f"{app}/config/{chromium_dirs[name]}/NativeMessagingHosts"
            anchor = f"{app}/config"
        rows.append(Location("linux", name, "user", manifest_dir, anchor, app, sandbox_dir=app))
    return rows


def _darwin() -> list[Location]:
    user = [
        ("chrome", f"{_AS}/Google/Chrome"),
        ("chromium", f"{_AS}/Chromium"),
        ("edge", f"{_AS}/Microsoft Edge"),
        ("brave", f"{_AS}/BraveSoftware/Brave-Browser"),
        ("vivaldi", f"{_AS}/Vivaldi"),
    ]
    rows = [
        Location("darwin", name, "user", f"{cfg}/NativeMessagingHosts", _AS, cfg)
        for name, cfg in user
    ]
    rows.append(
        Location(
            "darwin",
            "firefox",
            "user",
            f"{_AS}/Mozilla/NativeMessagingHosts",
            _AS,
            f"{_AS}/Firefox",
        )
    )
    chromium_sys = "/Library/Application Support/Chromium/NativeMessagingHosts"
    system = [
        ("chrome", "/Library/Google/Chrome/NativeMessagingHosts", "/Library"),
        ("chromium", chromium_sys, "/Library/Application Support"),
        ("edge", "/Library/Microsoft/Edge/NativeMessagingHosts", "/Library"),
        ("brave", chromium_sys, "/Library/Application Support"),
        ("vivaldi", chromium_sys, "/Library/Application Support"),
        (
            "firefox",
            "/Library/Application Support/Mozilla/NativeMessagingHosts",
            "/Library/Application Support",
        ),
    ]
    configs = {**dict(user), "firefox": f"{_AS}/Firefox"}
    rows += [
        Location("darwin", name, "system", path, anchor, configs[name])
        for name, path, anchor in system
    ]
    return rows


def _win32() -> list[Location]:
    # (browser, registry vendor path, manifest sub-directory, per-user config dir)
    local = "~\\AppData\\Local"
    entries = [
        ("chrome", "Google\\Chrome", "chrome", f"{local}\\Google\\Chrome\\User Data"),
        ("chromium", "Chromium", "chromium", f"{local}\\Chromium\\User Data"),
        ("edge", "Microsoft\\Edge", "edge", f"{local}\\Microsoft\\Edge\\User Data"),
        # Brave and Vivaldi: Chrome's key and manifest (see the module docstring).
        ("brave", "Google\\Chrome", "chrome", f"{local}\\BraveSoftware\\Brave-Browser\\User Data"),
        ("vivaldi", "Google\\Chrome", "chrome", f"{local}\\Vivaldi\\User Data"),
        ("firefox", "Mozilla", "firefox", "~\\AppData\\Roaming\\Mozilla\\Firefox"),
    ]
    rows: list[Location] = []
    for name, vendor, sub, cfg in entries:
        rows.append(
            Location(
                "win32",
                name,
                "user",
                f"{_WIN_USER}\\{sub}",
                "{rolecall_home}",
                cfg,
                registry_key=_reg(vendor),
            )
        )
        rows.append(
            Location(
                "win32",
                name,
                "system",
                f"{_WIN_SYSTEM}\\{sub}",
                "{program_data}",
                cfg,
                registry_key=_reg(vendor),
            )
        )
    return rows


TABLE: tuple[Location, ...] = (*_linux(), *_darwin(), *_win32())


@dataclass(frozen=True)
class LauncherPlace:
    """Where the launcher goes, per OS and scope, and the prune boundary above it."""

    directory: str
    anchor: str


LAUNCHER_PLACES: dict[tuple[OSName, Scope], LauncherPlace] = {
    ("linux", "user"): LauncherPlace("{rolecall_home}/bin", "{rolecall_home}/.."),
    ("darwin", "user"): LauncherPlace("{rolecall_home}/bin", "{rolecall_home}/.."),
    ("win32", "user"): LauncherPlace("{rolecall_home}\\bin", "{rolecall_home}\\.."),
    # A system-wide manifest must not point into one user's home.
    ("linux", "system"): LauncherPlace("/usr/local/lib/rolecall", "/usr/local/lib"),
    ("darwin", "system"): LauncherPlace(
        "/Library/Application Support/Rolecall", "/Library/Application Support"
    ),
    ("win32", "system"): LauncherPlace("{program_data}\\Rolecall", "{program_data}"),
}


def location(os_name: OSName, browser: str, scope: Scope) -> Location:
    """The table's row; `KeyError` when there is none."""
    for row in TABLE:
        if (row.os, row.browser, row.scope) == (os_name, browser, scope):
            return row
    raise KeyError((os_name, browser, scope))


def has_location(os_name: OSName, browser: str, scope: Scope) -> bool:
    """True when the table has a row: Flatpak browsers have one on Linux, per user only."""
    return any((row.os, row.browser, row.scope) == (os_name, browser, scope) for row in TABLE)


def browsers_for(os_name: OSName, scope: Scope) -> list[str]:
    """The browsers with a row on this OS and scope, in the table's order."""
    return [name for name in BROWSERS if has_location(os_name, name, scope)]


def current_os() -> OSName:
    """This machine in the table's terms; other Unixes are treated as Linux."""
    if sys.platform == "win32":
        return "win32"
    if sys.platform == "darwin":
        return "darwin"
    return "linux"


@dataclass(frozen=True)
class Context:
    """What the templates are expanded against."""

    os: OSName
    home: PurePath
    rolecall_home: PurePath
    program_data: PurePath
    xdg_config_home: PurePath | None = None
    """Chromium-family browsers on Linux honour `$XDG_CONFIG_HOME` instead of `~/.config`."""

    @classmethod
    def current(cls, rolecall_home: PurePath) -> Context:
        xdg = os.environ.get("XDG_CONFIG_HOME", "")
        return cls(
            os=current_os(),
            home=Path.home(),
            rolecall_home=rolecall_home,
            program_data=Path(os.environ.get("PROGRAMDATA", "C:\\ProgramData")),
            xdg_config_home=Path(xdg) if xdg and Path(xdg).is_absolute() else None,
        )

    def pure(self, text: str) -> PurePath:
        return PureWindowsPath(text) if self.os == "win32" else PurePosixPath(text)


def expand(template: str, ctx: Context) -> PurePath:
    """A template made concrete: `~`, `{rolecall_home}` and `{program_data}` filled in."""
    sep = "\\" if ctx.os == "win32" else "/"
    text = template
    xdg = ctx.xdg_config_home
    if xdg is not None and ctx.os == "linux" and text.split("/")[:2] == ["~", ".config"]:
        text = str(xdg) + text[len("~/.config") :]
    if text == "~" or text.startswith("~" + sep):
        text = str(ctx.home) + text[1:]
    text = text.replace("{rolecall_home}", str(ctx.rolecall_home))
    text = text.replace("{program_data}", str(ctx.program_data))
    path = ctx.pure(text)
    if path.name == "..":
        path = path.parent.parent
    return path


def rows_for(os_name: OSName, scope: Scope) -> list[Location]:
    return [row for row in TABLE if row.os == os_name and row.scope == scope]
