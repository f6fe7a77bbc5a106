"""`rolecall audio devices | set | test`: the user's microphone, speaker and ringer.

Talks to the daemon (starting it when needed) like the extension does. Devices are
chosen by name; `default` follows the system default.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def _client() -> Any:
    from rolecall.client import DaemonClient
    from rolecall.paths import resolve_home

    return DaemonClient.open(resolve_home())


def _print_state(state: dict[str, Any]) -> None:
    mic = state["input"] or "none (nobody hears you)"
    speaker = state["output"] or "none (you hear nothing)"
    print(f"microphone: {mic}")
    print(f"speaker:    {speaker}")
    print(
        f"ringer:     {state['ringer'] or 'none'}{' (silenced)' if state['ring_silenced'] else ''}"
    )
    print(
        f"echo cancellation {'on' if state['echo_cancellation'] else 'off'}, "
        f"noise suppression {'on' if state['noise_suppression'] else 'off'}"
    )


def _cmd_devices(args: argparse.Namespace) -> int:
    with _client() as client:
        result = client.request("audio.devices")
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for device in result["devices"]:
        kinds = []
        if device["inputs"]:
            kinds.append("in" + ("*" if device["default_input"] else ""))
        if device["outputs"]:
            kinds.append("out" + ("*" if device["default_output"] else ""))
        print(f"{device['name']:<40} {device['host_api']:<12} {' '.join(kinds)}")
    print("(* the system default)")
    _print_state(result["state"])
    return 0


def _on_off(value: str | None) -> bool | None:
    return None if value is None else value == "on"


def _cmd_set(args: argparse.Namespace) -> int:
    params: dict[str, Any] = {}
    for key in ("input", "output", "ringer"):
        value = getattr(args, key)
        if value is not None:
            params[key] = "" if value == "default" else value
    for key, value in (
        ("echo_cancellation", _on_off(args.echo_cancellation)),
        ("noise_suppression", _on_off(args.noise_suppression)),
        ("ring_silenced", _on_off(args.ring_silenced)),
    ):
        if value is not None:
            params[key] = value
    with _client() as client:
        result = client.request("audio.set", params)
    _print_state(result["state"])
    return 0


def _cmd_test(args: argparse.Namespace) -> int:
    with _client() as client:
        result = client.request("audio.test", {"seconds": args.seconds})
    if args.json:
        print(json.dumps(result))
        return 0
    if result["output"] is None:
        print("no speaker: the test tone played nowhere", file=sys.stderr)
    else:
        print(f"played a tone on {result['output']}")
    if result["input"] is None:
        print("no microphone", file=sys.stderr)
        return 1
    print(f"microphone {result['input']}: peak {result['mic_level_dbfs']:.1f} dBFS")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `audio` to the `rolecall` command."""
    audio = commands.add_parser("audio", help="microphone, speaker and ringer")
    actions = audio.add_subparsers(dest="action", required=True, metavar="ACTION")
    devices = actions.add_parser("devices", help="list devices and show which are in use")
    devices.add_argument("--json", action="store_true")
    devices.set_defaults(func=_cmd_devices)
    chosen = actions.add_parser("set", help="choose devices by name (`default`: the system's)")
    chosen.add_argument("--input", help="the microphone")
    chosen.add_argument("--output", help="the speaker or headset")
    chosen.add_argument("--ringer", help="where calls ring (`default`: the output)")
    for flag in ("echo-cancellation", "noise-suppression", "ring-silenced"):
        chosen.add_argument(f"--{flag}", choices=("on", "off"))
    chosen.set_defaults(func=_cmd_set)
    test = actions.add_parser("test", help="play a tone and measure the microphone")
    test.add_argument("--seconds", type=float, default=1.0)
    test.add_argument("--json", action="store_true")
    test.set_defaults(func=_cmd_test)
