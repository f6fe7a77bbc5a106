"""`rolecall crm connect | status | disconnect`: signing in to Salesforce, Dynamics 365 and
HubSpot through the browser, and what each connection is doing.

`connect` asks the daemon (`crm.connect`), prints the authorization URL, opens it with
`webbrowser` and waits for the daemon's `crm.connection` event: the daemon's loopback
listener receives the browser's redirect, so the CLI never sees a code or a token.
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from typing import Any

from rolecall.doctor import connection_line as _line

KINDS = ("salesforce", "dynamics", "hubspot")
WAIT_S = 330.0
"""Longer than the daemon's own wait for the browser (300 s)."""


def connection_line(connection: dict[str, Any]) -> str:
    return f"{connection['crm']}: " + _line(connection).replace("\n", "\n  ")


def _client(timeout: float = 10.0) -> Any:
    from rolecall.client import DaemonClient
    from rolecall.paths import resolve_home

    return DaemonClient.open(resolve_home(), timeout=timeout)


def _cmd_connect(args: argparse.Namespace) -> int:
    from rolecall.client import DaemonError

    if args.client_secret_stdin:
        from rolecall.crm.oauth.connections import client_secret_name
        from rolecall.paths import resolve_home
        from rolecall.secrets import SecretStore

        secret = sys.stdin.readline().strip()
        if not secret:
            print("rolecall: no client secret on standard input", file=sys.stderr)
            return 2
        SecretStore(resolve_home()).set(client_secret_name(args.crm), secret)
    payload = {"crm": args.crm, "client_id": args.client_id, "org_url": args.org_url}
    with _client(WAIT_S) as client:
        try:
            result = client.request("crm.connect", payload)
        except DaemonError as exc:
            print(f"rolecall: {exc.message}", file=sys.stderr)
            return 1
        url = result["authorization_url"]
        print(f"Sign in to {args.crm} in your browser:\n{url}", flush=True)
        if not args.no_browser:
            webbrowser.open(url)
        print("waiting for the browser…", flush=True)
        while True:
            event = client.next_event()
            if event.get("type") != "crm.connection":
                continue
            connection = event["payload"]["connection"]
            if connection["crm"] != args.crm or connection["state"] == "connecting":
                continue
            print(connection_line(connection))
            return 0 if connection["state"] == "signed_in" and not connection["detail"] else 1


def _cmd_status(args: argparse.Namespace) -> int:
    with _client() as client:
        connections = client.request("crm.status", {})["connections"]
    if not connections:
        print("no CRM is connected; run `rolecall crm connect salesforce|dynamics|hubspot`")
    for connection in connections:
        print(connection_line(connection))
    return 0


def _cmd_disconnect(args: argparse.Namespace) -> int:
    with _client(30.0) as client:
        connections = client.request("crm.disconnect", {"crm": args.crm})["connections"]
    gone = next((c for c in connections if c["crm"] == args.crm), None)
    print(f"{args.crm}: signed out; its tokens are removed from the keyring")
    if gone is not None and gone.get("detail"):
        print(f"  {gone['detail']}")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `crm connect | status | disconnect` to the `rolecall` command."""
    crm = commands.add_parser("crm", help="sign in to a CRM, see and end CRM connections")
    actions = crm.add_subparsers(dest="action", required=True, metavar="ACTION")
    connect = actions.add_parser("connect", help="sign in to a CRM through the browser")
    connect.add_argument("crm", choices=KINDS)
    connect.add_argument("--client-id", help="your organisation's OAuth client id")
    connect.add_argument("--org-url", help="Dynamics: https://<org>.crm.dynamics.com")
    connect.add_argument(
        "--client-secret-stdin",
        action="store_true",
        help="read the app's client secret from standard input into the keyring (HubSpot)",
    )
    connect.add_argument("--no-browser", action="store_true", help="only print the URL")
    connect.set_defaults(func=_cmd_connect)
    actions.add_parser("status", help="each CRM connection").set_defaults(func=_cmd_status)
    disconnect = actions.add_parser("disconnect", help="sign out and remove the CRM's tokens")
    disconnect.add_argument("crm", choices=KINDS)
    disconnect.set_defaults(func=_cmd_disconnect)
