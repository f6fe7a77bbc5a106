"""`rolecall call`, `rolecall calls` and `rolecall account`: telephony at a terminal.

Each talks to the daemon (starting it when needed) over the same protocol as the
extension. `rolecall call` exits 0 when the call was answered (or, without
`--wait-answer`, placed) and with a code that says why otherwise; a call it stops
waiting for (time out, Ctrl-C) is hung up, not left ringing.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import sys
import time
from typing import Any

EXIT_CODES = {
    "invalid_target": 2,
    "busy": 3,
    "not_found": 4,
    "no_answer": 5,
    "rejected": 6,
    "cancelled": 7,
    "network": 8,
}
"""Exit status of `rolecall call` by error code or end cause; anything else is 1."""


def _client() -> Any:
    from rolecall.client import DaemonClient
    from rolecall.paths import resolve_home

    return DaemonClient.open(resolve_home())


def _describe(call: dict[str, Any]) -> str:
    who = call.get("remote_display") or call.get("e164") or call.get("remote_uri")
    parts = [f"{call['state']:<12}", str(who)]
    if call.get("status_code"):
        parts.append(f"{call['status_code']} {call.get('reason', '')}".strip())
    if call.get("end_cause"):
        parts.append(f"({call['end_cause']})")
    return "  ".join(parts)


def _wait_for(client: Any, call_id: str, states: set[str], timeout: float) -> dict[str, Any]:
    """Prints each change of the call until it reaches one of `states` (or ends)."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        event = client.next_event()
        if event.get("type") != "call.updated":
            continue
        call: dict[str, Any] = event["payload"]["call"]
        if call["id"] != call_id:
            continue
        line = _describe(call)
        if line != last:
            print(line, flush=True)
            last = line
        if call["state"] in states or call["state"] == "disconnected":
            return call
    raise TimeoutError(f"the call did not reach {'/'.join(sorted(states))} in {timeout:.0f} s")


def _cmd_call(args: argparse.Namespace) -> int:
    from rolecall.client import DaemonError

    with _client() as client:
        try:
            placed = client.request(
                "call.place",
                {"target": args.target, "account_id": args.account, "region": args.region},
            )["call"]
        except DaemonError as exc:
            print(f"rolecall: {exc.message}", file=sys.stderr)
            return EXIT_CODES.get(exc.code, 1)
        call_id = placed["id"]
        print(f"call {call_id} to {placed['remote_uri']}", flush=True)
        if not args.wait_answer and args.hangup_after is None:
            return 0
        try:
            call = _wait_for(client, call_id, {"confirmed"}, args.timeout)
        except (TimeoutError, KeyboardInterrupt):
            _give_up(client, call_id)
            raise
        if call["state"] != "confirmed":
            cause = call.get("end_cause") or "failed"
            print(f"rolecall: not answered: {call.get('reason') or cause}", file=sys.stderr)
            return EXIT_CODES.get(cause, 1)
        if args.hangup_after is not None:
            time.sleep(args.hangup_after)
            client.request("call.hangup", {"call_id": call_id})
            ended = _wait_for(client, call_id, {"disconnected"}, 15)
            rtp = ended.get("rtp")
            if rtp:
                print(
                    f"audio: {rtp['tx_packets']} RTP packets sent, {rtp['rx_packets']} received, "
                    f"{rtp['rx_lost']} lost ({rtp['codec']})"
                )
        return 0


def _give_up(client: Any, call_id: str) -> None:
    """Hangs up a call nobody waits for any more (it would go on ringing otherwise)."""
    from rolecall.client import DaemonError

    with contextlib.suppress(DaemonError):  # it ended meanwhile
        client.request("call.hangup", {"call_id": call_id})


def _cmd_calls(args: argparse.Namespace) -> int:
    with _client() as client:
        calls = client.request("calls.list")["calls"]
    if args.json:
        print(json.dumps(calls, indent=2))
        return 0
    live = [c for c in calls if c["state"] != "disconnected" or args.all]
    if not live:
        print("no calls")
    for call in live:
        print(f"{call['id'][:8]}  {call['direction']:<8}  {_describe(call)}")
    return 0


def _cmd_account_list(args: argparse.Namespace) -> int:
    with _client() as client:
        accounts = client.request("account.list")["accounts"]
    if args.json:
        print(json.dumps(accounts, indent=2))
        return 0
    for account in accounts:
        config = account["config"]
        state = account["registration"]
        detail = (
            f" ({account['status_code']} {account['reason']})" if account["status_code"] else ""
        )
        print(f"{config['id']:<12} {config['uri']:<40} {state}{detail}")
    return 0


def _cmd_account_add(args: argparse.Namespace) -> int:
    from rolecall.client import DaemonError

    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif args.username and sys.stdin.isatty():
        password = getpass.getpass(f"SIP password for {args.username}: ") or None
    account: dict[str, Any] = {
        "id": args.id,
        "uri": args.uri,
        "display_name": args.display_name,
        "registrar": args.registrar,
        "proxy": args.proxy,
        "username": args.username,
        "transport": args.transport,
        "srtp": args.srtp,
        "bind_address": args.bind,
        "verify_server": not args.no_verify_server,
        "ca_file": args.ca_file,
        "stun_server": args.stun,
        "dial_plan": {
            "default_region": args.region,
            "outbound_prefix": args.outbound_prefix,
            "keep_plus": not args.strip_plus,
            "domain": args.domain,
        },
    }
    with _client() as client:
        try:
            status = client.request("account.set", {"account": account, "password": password})
        except DaemonError as exc:
            print(f"rolecall: {exc.message}", file=sys.stderr)
            return 1
        print(f"account {args.id}: {status['account']['registration']}")
        if args.registrar and args.wait:
            return _wait_registration(client, args.id, args.wait)
    return 0


def _wait_registration(client: Any, account_id: str, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = client.next_event()
        if event.get("type") != "account.registration":
            continue
        payload = event["payload"]
        if payload["account_id"] != account_id:
            continue
        print(f"registration: {payload['state']} ({payload['status_code']} {payload['reason']})")
        if payload["state"] in ("registered", "failed"):
            return 0 if payload["state"] == "registered" else 1
    print("rolecall: no registration result in time", file=sys.stderr)
    return 1


def _cmd_account_remove(args: argparse.Namespace) -> int:
    with _client() as client:
        client.request("account.remove", {"account_id": args.id})
    print(f"account {args.id} removed")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `call`, `calls` and `account` to the `rolecall` command."""
    call = commands.add_parser("call", help="place a call through the daemon")
    call.add_argument("target", help="a phone number, or a tel:/sip: URI")
    call.add_argument("--account", help="account id (default: the first configured)")
    call.add_argument("--region", help="region for numbers without + (e.g. GB)")
    call.add_argument("--wait-answer", action="store_true", help="wait until answered")
    call.add_argument(
        "--hangup-after", type=float, metavar="SECONDS", help="hang up this long after the answer"
    )
    call.add_argument("--timeout", type=float, default=90, help="longest wait for an answer")
    call.set_defaults(func=_cmd_call)

    calls = commands.add_parser("calls", help="list the daemon's calls")
    calls.add_argument("--all", action="store_true", help="also recently ended calls")
    calls.add_argument("--json", action="store_true")
    calls.set_defaults(func=_cmd_calls)

    account = commands.add_parser("account", help="SIP accounts")
    actions = account.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="accounts and their registration")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_cmd_account_list)
    add = actions.add_parser("add", help="add or replace an account (password to the keyring)")
    add.add_argument("id")
    add.add_argument("--uri", required=True, help="e.g. sip:alice@pbx.example.com")
    add.add_argument("--display-name", default="")
    add.add_argument("--registrar", help="e.g. sip:pbx.example.com")
    add.add_argument("--proxy", help="outbound proxy URI")
    add.add_argument("--username", help="digest user name")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument("--transport", choices=["udp", "tcp", "tls"], default="udp")
    add.add_argument(
        "--srtp",
        choices=["off", "optional", "mandatory"],
        default="off",
        help="needs --transport tls (SRTP keys travel in the SIP messages)",
    )
    add.add_argument(
        "--bind",
        metavar="ADDRESS",
        help="listen on this address of this machine (default: loopback, or the address "
        "that routes to the registrar)",
    )
    add.add_argument("--ca-file", help="CA certificates for TLS (default: the system's)")
    add.add_argument(
        "--no-verify-server",
        action="store_true",
        help="TLS without checking the certificate (unsafe)",
    )
    add.add_argument("--stun", help="STUN server host[:port]")
    add.add_argument("--region", default="US", help="default region for numbers")
    add.add_argument("--outbound-prefix", default="", help="digits dialled before numbers")
    add.add_argument("--strip-plus", action="store_true", help="send numbers without +")
    add.add_argument("--domain", help="where numbers are sent (default: the registrar's host)")
    add.add_argument(
        "--wait",
        type=float,
        default=10,
        metavar="SECONDS",
        help="wait this long for the registration result (0: don't)",
    )
    add.set_defaults(func=_cmd_account_add)
    remove = actions.add_parser("remove", help="remove an account and its password")
    remove.add_argument("id")
    remove.set_defaults(func=_cmd_account_remove)
