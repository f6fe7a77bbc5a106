"""The `rolecall` command: native host, daemon, install, uninstall, doctor, autostart and friends.

Browsers launch the host as `rolecall native-host <origin>` (through the launcher
that `install` writes) or with the origin as the first argument; that path is
checked before anything else is imported, so the shim starts fast.
"""

from __future__ import annotations

import os
import sys

from rolecall import __version__

TYPE_CHECKING = False  # not `typing`'s: importing typing costs a browser launch ~4 ms
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence


def _is_browser_launch(args: Sequence[str]) -> bool:
    """Chrome passes `chrome-extension://…/`; Firefox the manifest path and the add-on id."""
    if not args:
        return False
    first = args[0]
    return first.startswith("chrome-extension://") or (
        len(args) == 2 and first.endswith(".json") and "@" in args[1]
    )


def _cmd_daemon(args: argparse.Namespace) -> int:
    from rolecall.daemon.main import run_daemon
    from rolecall.paths import resolve_home

    return run_daemon(resolve_home())


def _cmd_status(args: argparse.Namespace) -> int:
    from rolecall.client import DaemonClient
    from rolecall.paths import resolve_home

    home = resolve_home()
    try:
        with DaemonClient.open(home, start=False) as client:
            status = client.request("daemon.status")
    except OSError:
        print(f"no daemon is running for {home.root}", file=sys.stderr)
        return 1
    if args.json:
        import json

        print(json.dumps(status, indent=2))
    else:
        print(
            f"rolecall daemon {status['version']}, pid {status['pid']}, "
            f"up {status['uptime_s']:.0f} s, {status['clients']} client(s), home {home.root}"
        )
    return 0


def _cmd_stop(args: argparse.Namespace) -> int:
    from rolecall.client import DaemonClient
    from rolecall.paths import resolve_home

    home = resolve_home()
    try:
        with DaemonClient.open(home, start=False) as client:
            client.request("daemon.stop", {"reason": "rolecall stop"})
    except OSError:
        print(f"no daemon is running for {home.root}", file=sys.stderr)
        return 1
    print("daemon stopping")
    return 0


def build_parser() -> argparse.ArgumentParser:
    import argparse  # not at the top: a browser launch never parses a command line

    from rolecall.autostart import register as register_autostart
    from rolecall.cli_audio import register as register_audio
    from rolecall.cli_context import register as register_context
    from rolecall.cli_crm import register as register_crm
    from rolecall.cli_memory import register as register_memory
    from rolecall.cli_telephony import register as register_telephony
    from rolecall.cli_transcript import register as register_transcript
    from rolecall.doctor import register as register_doctor
    from rolecall.install.commands import register as register_install

    parser = argparse.ArgumentParser(
        prog="rolecall",
        description="Rolecall: CRM opportunities in your phone calls. "
        "State lives in $ROLECALL_HOME, else your user data directory.",
    )
    parser.add_argument("--version", action="version", version=f"rolecall {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    host = commands.add_parser("native-host", help="the native messaging host browsers launch")
    host.add_argument("caller", nargs="*", help="what the browser passes (origin or manifest)")
    host.set_defaults(func=lambda args: _native_host(args.caller))

    daemon = commands.add_parser("daemon", help="run the daemon in the foreground")
    daemon.set_defaults(func=_cmd_daemon)

    status = commands.add_parser("status", help="show the running daemon")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(func=_cmd_status)

    stop = commands.add_parser("stop", help="stop the running daemon")
    stop.set_defaults(func=_cmd_stop)

    register_telephony(commands)
    register_audio(commands)
    register_context(commands)
    register_memory(commands)
    register_crm(commands)
    register_install(commands)
    register_doctor(commands)
    register_autostart(commands)
    register_transcript(commands)
    return parser


def _native_host(caller: list[str]) -> int:
    from rolecall.native_host import main as native_main

    return native_main(caller)


def _private_umask() -> None:
    """Files and directories this process makes are the user's alone (0600 / 0700)."""
    os.umask(0o077)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    _private_umask()
    if _is_browser_launch(args):
        return _native_host(args)
    if args[:1] == ["native-host"]:
        return _native_host(args[1:])
    if args[:2] == ["transcript", "work"]:  # the daemon's transcription worker
        from rolecall.transcript.worker import main as work

        return work(args[2:])
    from rolecall.cli_transcript import normalize

    parsed = build_parser().parse_args(normalize(args))
    from rolecall.cli_faults import run_guarded

    return run_guarded(lambda: int(parsed.func(parsed)))
