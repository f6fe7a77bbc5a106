"""`rolecall context` and `rolecall log`: a deal's people and documents, the call log."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

ROLE_LABELS = {
    "decision_maker": "Decision makers",
    "economic_buyer": "Economic buyers",
    "executive_sponsor": "Executive sponsors",
    "technical_buyer": "Technical buyers",
    "evaluator": "Evaluators",
    "influencer": "Influencers",
    "business_user": "Business users",
    "other": "Other roles",
    "none": "No role",
}


def _request(method: str, payload: dict[str, Any]) -> dict[str, Any]:
    from rolecall.client import DaemonClient
    from rolecall.paths import resolve_home

    with DaemonClient.open(resolve_home()) as client:
        return client.request(method, payload)


def _print_context(context: dict[str, Any]) -> None:
    opportunity = context["opportunity"]
    account = context.get("account") or {}
    amount = opportunity.get("amount")
    money = f", {amount:,.0f} {opportunity['currency']}" if amount is not None else ""
    print(f"{opportunity['name']} ({opportunity.get('stage') or 'no stage'}{money})")
    if account:
        print(f"  account: {account['name']}")
    for group in context["groups"]:
        print(f"\n{ROLE_LABELS.get(group['role'], group['role'])}")
        for card in group["contacts"]:
            contact = card["contact"]
            primary = " (primary)" if card["is_primary"] else ""
            phones = ", ".join(p["e164"] or p["raw"] for p in contact["phones"])
            title = f", {contact['title']}" if contact.get("title") else ""
            name = f"{contact['first_name']} {contact['last_name']}".strip()
            print(f"  {name}{title}{primary}  {phones}")
            for relation in card["relations"]:
                arrow = "reports to" if relation["direction"] == "to" else "has report"
                if relation["kind"] == "reports_to":
                    print(f"      {arrow} {relation['name']}")
    for role in context["missing_roles"]:
        print(f"\n! no {role.replace('_', ' ')} on this deal")
    if context["documents"]:
        print(f"\nDocuments ({context['total_documents']})")
        for document in context["documents"]:
            print(f"  {document['title']} [{document['doc_type']}, {document['size_bytes']:,} B]")
    if context["recent_calls"]:
        print("\nRecent calls")
        for call in context["recent_calls"]:
            print(
                f"  {call['started_at'][:16]}  {call['direction']:<8} {call['number']}  "
                f"{call['duration_s']} s  {call['end_cause']}"
            )


def _cmd_context(args: argparse.Namespace) -> int:
    from rolecall.client import DaemonError

    payload: dict[str, Any] = {"page_size": 500}
    if args.opportunity:
        payload["opportunity_id"] = args.opportunity
    if args.phone:
        payload["phone"] = args.phone
    try:
        result = _request("context.get", payload)
    except DaemonError as exc:
        print(f"rolecall: {exc.message}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    if len(result["matches"]) > 1 and result["context"] is None:
        print("Several deals match this number:")
        for match in result["matches"]:
            contact = match["contact"]
            print(
                f"  {contact['first_name']} {contact['last_name']} ({match['account_name']}): "
                f"{match['opportunity_name'] or 'no deal'} [{match['opportunity_id'] or '-'}]"
            )
        return 0
    if result["context"] is None:
        print("no matching deal")
        return 1
    _print_context(result["context"])
    return 0


def _cmd_log(args: argparse.Namespace) -> int:
    payload: dict[str, Any] = {"limit": args.limit}
    if args.opportunity:
        payload["opportunity_id"] = args.opportunity
    calls = _request("calllog.list", payload)["calls"]
    if args.json:
        print(json.dumps(calls, indent=2, ensure_ascii=False))
        return 0
    if not calls:
        print("no calls logged")
    for call in calls:
        entry = call["entry"]
        deal = entry["opportunity_id"] or "-"
        print(
            f"{entry['started_at'][:19]}  {entry['direction']:<8} {entry['number']:<16} "
            f"{entry['duration_s']:>5} s  {entry['end_cause'] or call['state']:<12} deal {deal}"
        )
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `context` and `log` to the `rolecall` command."""
    context = commands.add_parser("context", help="a deal's people by role, documents, calls")
    which = context.add_mutually_exclusive_group(required=True)
    which.add_argument("--opportunity", metavar="ID")
    which.add_argument("--phone", metavar="NUMBER", help="find the caller's deal")
    context.add_argument("--json", action="store_true")
    context.set_defaults(func=_cmd_context)

    log = commands.add_parser("log", help="recent calls from the call log")
    log.add_argument("--opportunity", metavar="ID")
    log.add_argument("--limit", type=int, default=20)
    log.add_argument("--json", action="store_true")
    log.set_defaults(func=_cmd_log)
