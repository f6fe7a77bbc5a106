"""`rolecall memory`: what Rolecall remembers of CRM pages, per site; forget it; on/off."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rolecall.cli_context import shown


def _request(method: str, payload: dict[str, Any]) -> dict[str, Any]:
    from rolecall.client import DaemonClient
    from rolecall.paths import resolve_home

    with DaemonClient.open(resolve_home()) as client:
        return client.request(method, payload)


def _cmd_list(args: argparse.Namespace) -> int:
    result = _request("memory.sites", {})
    print(f"page memory is {'on' if result['page_memory'] else 'off'}")
    if not result["sites"]:
        print("nothing remembered")
    for site in result["sites"]:
        print(
            f"{shown(site['origin'])}  {site['deals']} deals, {site['people']} people, "
            f"{site['documents']} documents; last read {site['last_seen_at'][:19]}"
        )
    return 0


def _cmd_forget(args: argparse.Namespace) -> int:
    from rolecall.client import DaemonError
    from rolecall.protocol.page import page_origin

    origin = page_origin(args.origin)
    if origin is None:
        print(f"rolecall: not a site (http or https): {args.origin}", file=sys.stderr)
        return 2
    try:
        gone = _request("memory.forget", {"origin": origin})["deals"]
    except DaemonError as exc:
        print(f"rolecall: {exc.message}", file=sys.stderr)
        return 1
    print(f"forgot {gone} deal(s) read on {origin}")
    return 0


def _cmd_switch(args: argparse.Namespace) -> int:
    on = args.action == "on"
    result = _request("memory.settings", {"page_memory": on})
    print(
        "page memory is on"
        if result["page_memory"]
        else "page memory is off; everything it held is forgotten"
    )
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `memory list | forget ORIGIN | on | off` to the `rolecall` command."""
    memory = commands.add_parser("memory", help="deals remembered from CRM pages, per site")
    actions = memory.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", help="the sites remembered, with counts").set_defaults(
        func=_cmd_list
    )
    forget = actions.add_parser("forget", help="forget everything read on one site")
    forget.add_argument("origin", help="the site, e.g. https://crm.example.com")
    forget.set_defaults(func=_cmd_forget)
    actions.add_parser("on", help="remember deals read on CRM pages").set_defaults(func=_cmd_switch)
    actions.add_parser("off", help="stop remembering, and forget everything").set_defaults(
        func=_cmd_switch
    )
