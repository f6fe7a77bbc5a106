"""`rolecall autostart enable|disable|status`: start the daemon at login, if the user wants.

Without it the daemon starts when a browser first connects; with it, calls and inbound
call pops work from the moment the user logs in. One entry per OS, all per user:
- Linux: a systemd user unit `$XDG_CONFIG_HOME/systemd/user/rolecall.service` (default
  `~/.config`), enabled by the `default.target.wants/` link `systemctl --user enable`
  makes;
- macOS: a launchd agent `~/Library/LaunchAgents/app.rolecall.daemon.plist`;
- Windows: the value `Rolecall` under `HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run`.

Each runs `rolecall daemon` from this installation (the bundle, or this interpreter),
with `ROLECALL_HOME` pinned when it is set. A daemon that finds another one already
running exits with status 3; the unit and agent do not restart it then. `enable` and
`disable` then tell the service manager (`systemctl --user daemon-reload` and `start`
or `stop`, `launchctl bootstrap`/`bootout`) unless `--no-activate` is given, which
tests use with a temporary config directory.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import plistlib
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from rolecall.atomic_file import atomic_write
from rolecall.daemon_link import EXIT_ALREADY_RUNNING
from rolecall.install.registry import Registry, system_registry
from rolecall.install.table import OSName, current_os
from rolecall.invocation import rolecall_command
from rolecall.paths import ENV_HOME

UNIT_NAME = "rolecall.service"
AGENT_LABEL = "app.rolecall.daemon"
RUN_KEY = "Software\\Microsoft\\Windows\\CurrentVersion\\Run"
RUN_VALUE = "Rolecall"
MARKER = "written by `rolecall autostart enable`"


@dataclass(frozen=True)
class Entry:
    """Where this OS's autostart entry lives."""

    os: OSName
    path: Path | None
    """The unit or agent file (None on Windows: a registry value)."""
    link: Path | None = None
    """systemd: the `default.target.wants/` link that enables the unit."""


def entry_for(os_name: OSName, home: Path, xdg_config_home: Path | None = None) -> Entry:
    if os_name == "linux":
        units = (xdg_config_home or home / ".config") / "systemd" / "user"
        return Entry(os_name, units / UNIT_NAME, units / "default.target.wants" / UNIT_NAME)
    if os_name == "darwin":
        return Entry(os_name, home / "Library" / "LaunchAgents" / f"{AGENT_LABEL}.plist")
    return Entry(os_name, None)


def current_entry() -> Entry:
    xdg = os.environ.get("XDG_CONFIG_HOME", "")
    config = Path(xdg) if xdg and Path(xdg).is_absolute() else None
    return entry_for(current_os(), Path.home(), config)


def daemon_command() -> list[str]:
    return rolecall_command("daemon")


def _pinned_home() -> str | None:
    return os.environ.get(ENV_HOME) or None


def systemd_unit(command: list[str], rolecall_home: str | None) -> str:
    lines = [
        f"# Rolecall daemon at login; {MARKER}.",
        "[Unit]",
        "Description=Rolecall daemon (click-to-call from CRM pages)",
        "",
        "[Service]",
        "Type=simple",
        "ExecStart=" + " ".join(shlex.quote(part) for part in command),
    ]
    if rolecall_home is not None:
        lines.append(f'Environment="{ENV_HOME}={rolecall_home}"')
    lines += [
        "Restart=on-failure",
        "RestartSec=5",
        f"SuccessExitStatus={EXIT_ALREADY_RUNNING}",
        f"RestartPreventExitStatus={EXIT_ALREADY_RUNNING}",
        "",
        "[Install]",
        "WantedBy=default.target",
    ]
    return "\n".join(lines) + "\n"


def launchd_plist(command: list[str], rolecall_home: str | None, log_dir: Path) -> bytes:
    agent: dict[str, object] = {
        "Label": AGENT_LABEL,
        "ProgramArguments": command,
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "StandardErrorPath": str(log_dir / "launchd-daemon.log"),
        "Comment": f"Rolecall daemon at login; {MARKER}.",
    }
    if rolecall_home is not None:
        agent["EnvironmentVariables"] = {ENV_HOME: rolecall_home}
    return plistlib.dumps(agent, sort_keys=True)


def windows_run_value(command: list[str]) -> str:
    return " ".join(f'"{part}"' for part in command)


def _activate(args: list[list[str]], say: list[str]) -> None:
    """Runs service-manager commands; a failure is reported, not fatal (the files stand)."""
    for argv in args:
        if shutil.which(argv[0]) is None:
            say.append(f"{argv[0]} not found: the change applies at the next login")
            return
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            say.append(f"`{shlex.join(argv)}` failed: {done.stderr.strip()}")
            return
        say.append(f"ran {shlex.join(argv)}")


def enable(entry: Entry, registry: Registry, *, activate: bool) -> list[str]:
    """Writes the entry; the lines to print."""
    said: list[str] = []
    command, pinned = daemon_command(), _pinned_home()
    if entry.os == "win32":
        registry.write_value("HKCU", RUN_KEY, RUN_VALUE, windows_run_value(command))
        return [f"set registry HKCU\\{RUN_KEY}\\{RUN_VALUE}"]
    assert entry.path is not None
    entry.path.parent.mkdir(parents=True, exist_ok=True)
    if entry.os == "linux":
        atomic_write(entry.path, systemd_unit(command, pinned).encode(), 0o644)
        said.append(f"wrote unit {entry.path}")
        assert entry.link is not None
        entry.link.parent.mkdir(parents=True, exist_ok=True)
        if entry.link.is_symlink() or entry.link.exists():
            entry.link.unlink()
        entry.link.symlink_to(entry.path)
        said.append(f"enabled it: {entry.link}")
        if activate:
            _activate(
                [
                    ["systemctl", "--user", "daemon-reload"],
                    ["systemctl", "--user", "start", UNIT_NAME],
                ],
                said,
            )
        return said
    from rolecall.paths import resolve_home

    log_dir = resolve_home().log_dir
    atomic_write(entry.path, launchd_plist(command, pinned, log_dir), 0o644)
    said.append(f"wrote agent {entry.path}")
    if activate:
        _activate([["launchctl", "bootstrap", f"gui/{os.getuid()}", str(entry.path)]], said)
    return said


def disable(entry: Entry, registry: Registry, *, activate: bool) -> list[str]:
    """Removes the entry (only one we wrote); the lines to print."""
    said: list[str] = []
    if entry.os == "win32":
        if registry.read_value("HKCU", RUN_KEY, RUN_VALUE) is not None:
            registry.delete_value("HKCU", RUN_KEY, RUN_VALUE)
            said.append(f"removed registry HKCU\\{RUN_KEY}\\{RUN_VALUE}")
        return said or ["autostart was not enabled"]
    assert entry.path is not None
    if activate and entry.path.is_file():
        if entry.os == "linux":
            _activate([["systemctl", "--user", "stop", UNIT_NAME]], said)
        else:
            _activate([["launchctl", "bootout", f"gui/{os.getuid()}/{AGENT_LABEL}"]], said)
    if entry.link is not None and entry.link.is_symlink():
        entry.link.unlink()
        said.append(f"removed {entry.link}")
        _prune(entry.link.parent)
    if entry.path.is_file():
        if MARKER not in entry.path.read_text(encoding="utf-8", errors="replace"):
            return [*said, f"left {entry.path}: it was not written by rolecall"]
        entry.path.unlink()
        said.append(f"removed {entry.path}")
        _prune(entry.path.parent)
        if entry.os == "linux":
            _prune(entry.path.parent.parent)  # systemd/, when user/ was all it held
    if activate and entry.os == "linux" and said:
        _activate([["systemctl", "--user", "daemon-reload"]], said)
    return said or ["autostart was not enabled"]


def _prune(directory: Path) -> None:
    """Removes `directory` if it is empty (a wants/ or LaunchAgents/ we may have made)."""
    with contextlib.suppress(OSError):
        directory.rmdir()


def status(entry: Entry, registry: Registry) -> tuple[bool, str]:
    """Whether autostart is on, and a line saying what runs."""
    if entry.os == "win32":
        value = registry.read_value("HKCU", RUN_KEY, RUN_VALUE)
        return (value is not None, f"HKCU\\{RUN_KEY}\\{RUN_VALUE} = {value}" if value else "off")
    assert entry.path is not None
    on = entry.path.is_file() and (entry.link is None or entry.link.is_symlink())
    return on, (f"on: {entry.path}" if on else "off")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `autostart` to the `rolecall` command."""
    parser = subparsers.add_parser(
        "autostart",
        help="start the daemon at login (systemd user unit, launchd agent, Windows Run key)",
        description="Optional: start the Rolecall daemon when you log in. Without it, the "
        "daemon starts when a browser first connects.",
    )
    parser.add_argument("action", choices=["enable", "disable", "status"])
    parser.add_argument(
        "--no-activate",
        action="store_true",
        help="only write or remove the entry; do not tell the service manager",
    )
    parser.set_defaults(func=run_autostart)


def run_autostart(args: argparse.Namespace) -> int:
    entry, registry = current_entry(), system_registry()
    if args.action == "status":
        on, line = status(entry, registry)
        print(f"autostart {line}")
        return 0 if on else 1
    action = enable if args.action == "enable" else disable
    try:
        said = action(entry, registry, activate=not args.no_activate)
    except OSError as exc:
        print(f"rolecall: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for line in said:
        print(line)
    return 0
