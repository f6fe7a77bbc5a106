"""`rolecall context` and `rolecall log`: a deal's people and documents, the call log."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any


def _request(method: str, payload: dict[str, Any]) -> dict[str, Any]:
    from rolecall.client import DaemonClient
    from rolecall.paths import resolve_home

    with DaemonClient.open(resolve_home()) as client:
        return client.request(method, payload)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def shown(text: str) -> str:
    """Text from a web page, safe to print: no control or bidi characters."""
    return _CONTROL.sub(" ", text)


def crm_link(url: str) -> str | None:
    """A record's URL when it may be opened (http or https only)."""
    return shown(url) if url.startswith(("https://", "http://")) else None


def _print_context(context: dict[str, Any]) -> None:
    if context.get("source") == "page":
        _print_page_deal(context)
        return
    from rolecall.protocol.records import ROLE_GROUP_LABELS

    opportunity = context["opportunity"]
    account = context.get("account") or {}
    amount = opportunity.get("amount")
    money = f", {amount:,.0f} {opportunity['currency']}" if amount is not None else ""
    print(f"{opportunity['name']} ({opportunity.get('stage') or 'no stage'}{money})")
    if account:
        print(f"  account: {account['name']}")
    for group in context["groups"]:
        print(f"\n{ROLE_GROUP_LABELS.get(group['role'], group['role'])}")
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


def _print_page_deal(context: dict[str, Any]) -> None:
    """A deal read off a CRM page: everything in it is the page's text."""
    from rolecall.protocol.records import ROLE_GROUP_LABELS

    page = context.get("page") or {}
    print(shown(context["opportunity"]["name"]))
    print(f"  from the page at {shown(page.get('origin', '?'))} (page memory)")
    for name in ("stage", "amount", "currency", "close_date", "owner", "account"):
        if value := context.get("fields", {}).get(name):
            print(f"  {name.replace('_', ' ')}: {shown(value)}")
    if link := crm_link(page.get("url", "")):
        print(f"  open in CRM: {link}")
    for group in context["groups"]:
        print(f"\n{ROLE_GROUP_LABELS.get(group['role'], group['role'])}")
        for card in group["contacts"]:
            contact = card["contact"]
            name = shown(f"{contact['first_name']} {contact['last_name']}".strip())
            wording = f" [{shown(card['source_role'])}]" if card["source_role"] else ""
            called = "  <- this call" if card.get("is_called") else ""
            phones = ", ".join(p["e164"] or shown(p["raw"]) for p in contact["phones"])
            print(f"  {name}{wording}  {phones}{called}")
    if context["documents"]:
        print(f"\nDocuments ({context['total_documents']})")
        for document in context["documents"]:
            print(f"  {shown(document['title'])}  {crm_link(document['url'] or '') or ''}")


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
        record = entry.get("record") or {}
        if link := crm_link(record.get("url", "")):
            kind = shown(f"{record.get('record_type') or 'record'} {record.get('record_id', '')}")
            print(f"    {kind.strip()} at {shown(record['origin'])}, open in CRM: {link}")
        if call.get("summary"):
            print(f"    summary: {shown(call['summary'])}")
    return 0


def _open_store() -> Any:
    from rolecall.paths import resolve_home
    from rolecall.store.store import Store

    home = resolve_home()
    home.ensure()
    return Store(home.data_dir / "rolecall.db")


def _cmd_import(args: argparse.Namespace) -> int:
    from rolecall.crm.importing import import_json, import_salesforce_csv

    path = Path(args.path)
    use_json = args.format == "json" or (args.format == "auto" and path.suffix == ".json")
    result = (
        import_json(path) if use_json else import_salesforce_csv(path, default_region=args.region)
    )
    for problem in [*result.errors, *result.warnings]:
        print(str(problem), file=sys.stderr)
    store = _open_store()
    try:
        store.load(result.dataset)
    finally:
        store.close()
    counts = ", ".join(f"{n} {kind}" for kind, n in result.counts.items())
    print(f"imported {counts}; {len(result.errors)} row(s) skipped")
    return 0 if not result.errors else 3


def _cmd_export(args: argparse.Namespace) -> int:
    from rolecall.crm.exporting import export_json, export_salesforce_csv

    store = _open_store()
    try:
        dataset = store.dataset()
    finally:
        store.close()
    target = Path(args.output)
    if args.format == "json":
        export_json(dataset, target)
    else:
        export_salesforce_csv(dataset, target)
    print(
        f"exported {len(dataset.contacts)} contacts, {len(dataset.opportunities)} "
        f"opportunities to {target}"
    )
    return 0


def _cmd_demo_data(args: argparse.Namespace) -> int:
    from rolecall.demo.dataset import demo_dataset
    from rolecall.paths import resolve_home

    documents = resolve_home().data_dir / "documents"
    dataset = demo_dataset(documents)
    store = _open_store()
    try:
        store.load(dataset)
    finally:
        store.close()
    print(
        f"demo data loaded: {len(dataset.accounts)} accounts, "
        f"{len(dataset.opportunities)} opportunities, {len(dataset.contacts)} contacts, "
        f"{len(dataset.documents)} documents in {documents}"
    )
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `context`, `log`, `import`, `export` and `demo-data` to the `rolecall` command."""
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

    imports = commands.add_parser("import", help="load CRM data into the embedded store")
    imports.add_argument("path", help="a Salesforce data export (folder or .zip) or our .json")
    imports.add_argument("--format", choices=["auto", "salesforce-csv", "json"], default="auto")
    imports.add_argument("--region", default="US", help="region for numbers without +")
    imports.set_defaults(func=_cmd_import)

    export = commands.add_parser("export", help="write the embedded store's CRM data out")
    export.add_argument("--format", choices=["csv", "json"], required=True)
    export.add_argument("output", help="a folder (csv) or a file (json)")
    export.set_defaults(func=_cmd_export)

    demo = commands.add_parser("demo-data", help="the demo dataset")
    demo_actions = demo.add_subparsers(dest="action", required=True, metavar="ACTION")
    load = demo_actions.add_parser("load", help="load it (and write its documents)")
    load.set_defaults(func=_cmd_demo_data)
