"""The launcher: the one executable that every host manifest's `path` names.

A manifest's `path` must be a single absolute executable that takes no fixed
arguments, so `install` writes a tiny script that runs this interpreter (or this
PyInstaller bundle) as `rolecall native-host`, passing on whatever the browser gives.
It pins `ROLECALL_HOME` only for a per-user install made with that variable set, so
tests and demos keep their own home. Installed from the bundle without a pinned home,
the manifests name the bundle's executable itself and no launcher is written.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from rolecall.atomic_file import atomic_write
from rolecall.install.table import LAUNCHER_NAME, OSName
from rolecall.invocation import rolecall_command
from rolecall.paths import ENV_HOME

MARKER = "Rolecall native messaging host launcher, written by `rolecall install`."
"""The launcher's second line; uninstall removes a launcher only when it carries it."""


def bundle_executable() -> Path | None:
    """The PyInstaller bundle's executable when this runs from one (`dist/rolecall/rolecall`).

    A manifest can name it directly: it takes no fixed arguments, because a browser
    launch (`chrome-extension://…`, or a Firefox manifest path and add-on id) is
    recognised as the native host. The launcher script is then needed only to pin
    `ROLECALL_HOME`.
    """
    if getattr(sys, "frozen", False) and sys.executable:
        return Path(sys.executable)
    return None


def launcher_command() -> list[str]:
    """How to run `rolecall native-host` from this interpreter or frozen bundle."""
    return rolecall_command("native-host")


def launcher_file(directory: Path, os_name: OSName) -> Path:
    return directory / (LAUNCHER_NAME + (".bat" if os_name == "win32" else ""))


def posix_script(command: list[str], rolecall_home: str | None) -> str:
    lines = ["#!/bin/sh", f"# {MARKER}"]
    if rolecall_home is not None:
        lines += [f"{ENV_HOME}={shlex.quote(rolecall_home)}", f"export {ENV_HOME}"]
    lines.append("exec " + " ".join(shlex.quote(part) for part in command) + ' "$@"')
    return "\n".join(lines) + "\n"


def _bat_quote(text: str) -> str:
    """Windows paths cannot hold `"`; `%` must be doubled inside a batch file."""
    if '"' in text or "\n" in text or "\r" in text:
        raise ValueError(f"cannot put {text!r} in a batch file")
    return text.replace("%", "%%")


def windows_script(command: list[str], rolecall_home: str | None) -> str:
    lines = ["@echo off", f"rem {MARKER}"]
    if rolecall_home is not None:
        lines.append(f'set "{ENV_HOME}={_bat_quote(rolecall_home)}"')
    lines.append(" ".join(f'"{_bat_quote(part)}"' for part in command) + " %*")
    return "\r\n".join(lines) + "\r\n"


def script_for(os_name: OSName, rolecall_home: str | None) -> str:
    command = launcher_command()
    if os_name == "win32":
        return windows_script(command, rolecall_home)
    return posix_script(command, rolecall_home)


def write_launcher(directory: Path, os_name: OSName, rolecall_home: str | None) -> Path:
    """Writes (or rewrites) the launcher in `directory`; its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = launcher_file(directory, os_name)
    atomic_write(path, script_for(os_name, rolecall_home).encode("utf-8"), 0o755)
    return path


def launcher_target(path: Path) -> str | None:
    """The program a POSIX launcher execs (an interpreter or a bundle), or None."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("exec "):
            try:
                return shlex.split(line)[1]
            except (ValueError, IndexError):
                return None
    return None


def is_ours(path: Path) -> bool:
    """True when `path` is a launcher that `install` wrote."""
    try:
        with path.open("rb") as script:
            head = script.read(512).decode("utf-8", "replace")
    except OSError:
        return False
    return MARKER in head
