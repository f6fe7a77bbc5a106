"""Which manifest files a command works on, from `--browser`, `--user-data-dir`, `--system`.

Shared by `install`, `uninstall` and `doctor`. `--browser all` (the default) means:
for `install`, every browser whose own per-user directory exists (every browser in the
table with `--system`); for `uninstall`, every browser in the table; for `doctor`, the
browsers found plus any location holding a Rolecall manifest. A Flatpak browser's own
directory is its app directory `~/.var/app/<id>/`; `install` skips one named with
`--browser` when that does not exist, rather than make it.
"""

from __future__ import annotations

import argparse
import os
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rolecall.install.manifests import Target, targets_for, user_data_dir_target
from rolecall.install.table import (
    BROWSERS,
    LAUNCHER_PLACES,
    Context,
    Scope,
    browsers_for,
    expand,
    location,
)
from rolecall.paths import ENV_HOME, resolve_home

Purpose = Literal["install", "uninstall", "doctor"]


class SelectionError(Exception):
    """The options do not name anything we can work on; the message says why."""


@dataclass(frozen=True)
class Selection:
    ctx: Context
    scope: Scope
    targets: tuple[Target, ...]
    user_data_dir: Path | None
    launcher_dir: Path
    launcher_anchor: Path
    pinned_home: str | None
    """`ROLECALL_HOME` for the launcher to export, when it was set for a user install."""
    looked_for: tuple[str, ...] = ()
    """The browser directories checked for `all`, for messages when none was found."""
    skipped: tuple[str, ...] = ()
    """Why named browsers were left out (a Flatpak browser without its app directory)."""

    def install_command(self, browser: str) -> str:
        """The `rolecall install …` that would fix a missing or broken `browser` target."""
        command = f"rolecall install --browser {browser}"
        if self.user_data_dir is not None:
            command += f" --user-data-dir {shlex.quote(str(self.user_data_dir))}"
        if self.scope == "system":
            command += " --system"
        return command


def add_selectors(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--browser",
        action="append",
        choices=[*BROWSERS, "all"],
        help="a browser to work on (repeatable; default: all)",
    )
    parser.add_argument(
        "--user-data-dir",
        type=Path,
        metavar="DIR",
        help="a Chromium-family profile started with --user-data-dir DIR: "
        "use DIR/NativeMessagingHosts/ (Linux and macOS)",
    )
    parser.add_argument(
        "--system",
        action="store_true",
        help="every user of this machine (needs root or administrator rights)",
    )


def detected(ctx: Context, scope: Scope) -> tuple[list[str], list[str]]:
    """Browsers whose per-user directory exists, and every directory looked at."""
    found: list[str] = []
    looked: list[str] = []
    for name in browsers_for(ctx.os, scope):
        directory = str(expand(location(ctx.os, name, scope).config_dir, ctx))
        looked.append(directory)
        if Path(directory).is_dir():
            found.append(name)
    return found, looked


def select(args: argparse.Namespace, purpose: Purpose, ctx: Context | None = None) -> Selection:
    """The targets and launcher place that the parsed options name."""
    home = resolve_home()
    ctx = ctx or Context.current(home.root)
    scope: Scope = "system" if args.system else "user"
    place = LAUNCHER_PLACES[(ctx.os, scope)]
    pinned = str(home.root) if scope == "user" and os.environ.get(ENV_HOME) else None

    def make(
        targets: list[Target], udd: Path | None, looked: list[str], skipped: list[str]
    ) -> Selection:
        return Selection(
            ctx,
            scope,
            tuple(targets),
            udd,
            Path(str(expand(place.directory, ctx))),
            Path(str(expand(place.anchor, ctx))),
            pinned,
            tuple(looked),
            tuple(skipped),
        )

    user_data_dir: Path | None = args.user_data_dir
    if user_data_dir is not None:
        target = _user_data_dir_target(args, ctx, scope, user_data_dir)
        return make([target], user_data_dir.expanduser().absolute(), [], [])
    names: list[str] = args.browser or ["all"]
    _check_table_has(ctx, scope, [n for n in names if n != "all"])
    looked: list[str] = []
    if "all" in names:
        named = [n for n in names if n != "all"]
        found, looked = detected(ctx, scope)
        if purpose == "uninstall" or (purpose == "install" and scope == "system"):
            names = browsers_for(ctx.os, scope)
        elif purpose == "install":
            if not found and not named:
                raise SelectionError(
                    "no browser found (looked for " + ", ".join(looked) + "); "
                    "name one with --browser"
                )
            names = found + named
        else:
            names = [
                n for n in browsers_for(ctx.os, scope) if n in found or _has_manifest(ctx, n, scope)
            ] + named
    targets: dict[str, Target] = {}
    skipped: list[str] = []
    for name in dict.fromkeys(names):
        for target in targets_for(ctx, name, scope):
            app_dir = target.sandbox_dir
            if purpose == "install" and app_dir is not None and not Path(str(app_dir)).is_dir():
                skipped.append(
                    f"skipped {name}: {app_dir} does not exist "
                    f"(install {BROWSERS[name].flatpak_id} from Flatpak and start it once)"
                )
                continue
            targets.setdefault(str(target.manifest_path), target)
    return make(list(targets.values()), None, looked, skipped)


def _check_table_has(ctx: Context, scope: Scope, names: list[str]) -> None:
    """Refuses browsers the table has no row for here (Flatpak: Linux, per user)."""
    for name in names:
        if name not in browsers_for(ctx.os, scope):
            raise SelectionError(
                f"{name} is a Flatpak browser: per user on Linux only"
                if BROWSERS[name].flatpak_id
                else f"no {scope} location for {name} on {ctx.os}"
            )


def _user_data_dir_target(
    args: argparse.Namespace, ctx: Context, scope: Scope, user_data_dir: Path
) -> Target:
    if scope == "system":
        raise SelectionError("--user-data-dir and --system do not go together")
    if ctx.os == "win32":
        raise SelectionError(
            "--user-data-dir works on Linux and macOS only: on Windows browsers find "
            "hosts through the registry"
        )
    names: list[str] = args.browser or ["chromium"]
    if (
        len(set(names)) != 1
        or names[0] == "all"
        or BROWSERS[names[0]].family != "chromium"
        or BROWSERS[names[0]].flatpak_id is not None
    ):
        raise SelectionError(
            "--user-data-dir goes with one Chromium-family browser "
            "(chrome, chromium, edge, brave or vivaldi)"
        )
    return user_data_dir_target(names[0], user_data_dir)


def _has_manifest(ctx: Context, browser: str, scope: Scope) -> bool:
    return any(Path(str(t.manifest_path)).exists() for t in targets_for(ctx, browser, scope))
