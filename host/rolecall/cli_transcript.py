"""`rolecall transcript`: a call's transcript, the consent settings, the speech model.

`rolecall transcript CALL` prints who said what; `settings` turns recording and
transcription on or off and sets the model and retention; `install-model` fetches the
model ahead of the first call (from its official source at a pinned revision, or from a
folder with `--from`); `delete CALL` deletes a call's recording and its transcript.
`transcript work` (the worker the daemon starts after a call) is run by `cli.main`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rolecall.cli_context import shown

LABELS = {"user": "You", "far": "They"}


def _request(method: str, payload: dict[str, Any]) -> dict[str, Any]:
    from rolecall.client import DaemonClient
    from rolecall.paths import resolve_home

    with DaemonClient.open(resolve_home()) as client:
        return client.request(method, payload)


def _call_id(text: str) -> str | None:
    """A full call id, or the one logged call whose id starts with `text`."""
    if len(text) == 32:
        return text.lower()
    calls = _request("calllog.list", {"limit": 500})["calls"]
    found = [c["entry"]["call_id"] for c in calls if c["entry"]["call_id"].startswith(text)]
    return found[0] if len(found) == 1 else None


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60):02d}:{seconds % 60:04.1f}"


def _cmd_show(args: argparse.Namespace) -> int:
    call_id = _call_id(args.call)
    if call_id is None:
        print(f"rolecall: no single logged call matches {args.call}", file=sys.stderr)
        return 1
    transcript = _request("transcript.get", {"call_id": call_id})["transcript"]
    if transcript is None:
        print(f"call {call_id} has no transcript")
        return 1
    if transcript["state"] != "done":
        reason = f": {transcript['error']}" if transcript["error"] else ""
        print(f"the transcript of call {call_id} is {transcript['state']}{reason}")
        return 0 if transcript["state"] in ("queued", "running") else 1
    for turn in transcript["turns"]:
        print(f"[{_clock(turn['start_s'])}] {LABELS[turn['speaker']]}: {shown(turn['text'])}")
    print()
    print(f"Summary: {shown(transcript['summary'])}")
    for item in transcript["action_items"]:
        print(f"  - {shown(item)}")
    return 0


def _switch(value: str | None) -> bool | None:
    return None if value is None else value == "on"


def _cmd_settings(args: argparse.Namespace) -> int:
    payload: dict[str, Any] = {}
    if (record := _switch(args.record)) is not None:
        payload["record_calls"] = record
    if (transcribe := _switch(args.transcribe)) is not None:
        payload["transcribe"] = transcribe
    if args.model:
        payload["model"] = args.model
    if args.retention_days is not None:
        payload["retention_days"] = args.retention_days
    result = _request("transcript.settings", payload)
    settings = result["settings"]
    retention = settings["retention_days"]
    print(f"record every call: {'on' if settings['record_calls'] else 'off'}")
    print(f"transcribe recorded calls: {'on' if settings['transcribe'] else 'off'}")
    installed = "installed" if result["model_installed"] else "not installed yet"
    print(f"model: {settings['model']} ({installed})")
    print(f"keep recordings and transcripts: {f'{retention} days' if retention else 'always'}")
    return 0


def _cmd_install_model(args: argparse.Namespace) -> int:
    from pathlib import Path

    from rolecall.paths import resolve_home
    from rolecall.transcript import models

    home = resolve_home()
    home.ensure()
    source = models.FolderSource(Path(args.source)) if args.source else None
    shown_at = [-1]

    def progress(done: int, total: int) -> None:
        percent = int(100 * done / total) if total else 0
        if percent // 10 != shown_at[0]:
            shown_at[0] = percent // 10
            print(f"  {percent:3d} %  {done / 1e6:.1f} of {total / 1e6:.1f} MB", flush=True)

    try:
        folder = models.install(home, args.model, source, progress)
    except (models.ModelError, OSError) as exc:
        print(f"rolecall: {exc}", file=sys.stderr)
        return 1
    print(f"model {args.model} installed and verified in {folder}")
    return 0


def _cmd_delete(args: argparse.Namespace) -> int:
    call_id = _call_id(args.call)
    if call_id is None:
        print(f"rolecall: no single logged call matches {args.call}", file=sys.stderr)
        return 1
    result = _request("transcript.delete", {"call_id": call_id})
    gone = "and its transcript " if result["deleted_transcript"] else ""
    print(f"deleted {result['deleted_files']} recording file(s) {gone}of call {call_id}")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `transcript CALL | settings | install-model | delete CALL` to `rolecall`."""
    transcript = commands.add_parser(
        "transcript", help="call transcripts made on this computer, and their settings"
    )
    actions = transcript.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="print a call's transcript (also: transcript CALL)")
    show.add_argument("call", help="the call id (or its first characters)")
    show.set_defaults(func=_cmd_show)
    settings = actions.add_parser("settings", help="recording and transcription consent")
    settings.add_argument("--record", choices=("on", "off"), help="record every call")
    settings.add_argument("--transcribe", choices=("on", "off"), help="transcribe recordings")
    settings.add_argument("--model", choices=("tiny.en", "base"))
    settings.add_argument(
        "--retention-days", type=int, metavar="N", help="delete after N days (0: keep)"
    )
    settings.set_defaults(func=_cmd_settings)
    install = actions.add_parser("install-model", help="fetch and verify the speech model now")
    install.add_argument("--model", choices=("tiny.en", "base"), default="tiny.en")
    install.add_argument("--from", dest="source", metavar="DIR", help="a folder with its files")
    install.set_defaults(func=_cmd_install_model)
    delete = actions.add_parser("delete", help="delete a call's recording and transcript")
    delete.add_argument("call")
    delete.set_defaults(func=_cmd_delete)


ACTIONS = ("show", "settings", "install-model", "delete", "work", "-h", "--help")


def normalize(argv: list[str]) -> list[str]:
    """`rolecall transcript CALL` means `rolecall transcript show CALL`."""
    if len(argv) >= 2 and argv[0] == "transcript" and argv[1] not in ACTIONS:
        return ["transcript", "show", *argv[1:]]
    return argv
