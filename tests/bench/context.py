"""Context benchmarks: `context.get` for a small and a large deal, caller lookup at scale."""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from rolecall.context.service import ContextService
from rolecall.protocol.context import ContextParams
from rolecall.protocol.records import (
    Account,
    Contact,
    ContactRole,
    Dataset,
    Document,
    Opportunity,
    Phone,
    Role,
)
from rolecall.store.store import Store

Line = dict[str, object]
ROLES = list(Role)


def _dataset(contacts: int, deals: dict[str, tuple[int, int]]) -> Dataset:
    """`contacts` people on one account; each deal takes its first N of them and M documents."""
    people = [
        Contact(
            id=f"c-{n}",
            account_id="acc-1",
            first_name=f"First{n}",
            last_name=f"Last{n}",
            title="Engineer",
            phones=[Phone(raw=f"+1 212 555 {n % 10000:04d}", e164=f"+1{2122000000 + n}")],
        )
        for n in range(contacts)
    ]
    roles = [
        ContactRole(opportunity_id=deal, contact_id=f"c-{n}", role=ROLES[n % len(ROLES)])
        for deal, (size, _) in deals.items()
        for n in range(size)
    ]
    documents = [
        Document(
            id=f"{deal}-d{n}", opportunity_id=deal, title=f"Document {n}", doc_type="pdf",
            size_bytes=1000 + n, url=f"https://crm.example/{deal}/{n}",
        )
        for deal, (_, count) in deals.items()
        for n in range(count)
    ]  # fmt: skip
    return Dataset(
        accounts=[Account(id="acc-1", name="Bench Corp")],
        contacts=people,
        opportunities=[Opportunity(id=d, account_id="acc-1", name=d) for d in deals],
        roles=roles,
        documents=documents,
    )


def _median_ms(action: object, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _import_rate(directory: Path, contacts: int) -> tuple[float, float]:
    """(rows/s through the CSV importer alone, rows/s importer + store) for `contacts` rows."""
    from rolecall.crm.exporting import export_salesforce_csv
    from rolecall.crm.importing import import_salesforce_csv

    source = directory / "export"
    export_salesforce_csv(_dataset(contacts, {"opp-1": (10, 1)}), source)
    started = time.perf_counter()
    result = import_salesforce_csv(source, default_region="US")
    parsed = time.perf_counter() - started
    if len(result.dataset.contacts) != contacts:
        raise RuntimeError(f"imported {len(result.dataset.contacts)} of {contacts} contacts")
    store = Store(directory / "import.db")
    store.load(result.dataset)
    total = time.perf_counter() - started
    store.close()
    return contacts / parsed, contacts / total


def run() -> list[Line]:
    directory = Path(tempfile.mkdtemp(prefix="rc-bench-ctx-"))
    try:
        store = Store(directory / "rolecall.db")
        dataset = _dataset(100_000, {"opp-20": (20, 10), "opp-1000": (1000, 2000)})
        started = time.perf_counter()
        store.load(dataset)
        load_s = time.perf_counter() - started
        service = ContextService(store)
        small = _median_ms(lambda: service.get(ContextParams(opportunity_id="opp-20")), 50)
        large = _median_ms(
            lambda: service.get(ContextParams(opportunity_id="opp-1000", page_size=500)), 10
        )
        lookup = _median_ms(lambda: store.contacts_by_phone("+12122054321"), 200)
        caller = _median_ms(lambda: service.get(ContextParams(phone="+1 212 205 4321")), 100)
        store.close()
        parse_rate, import_rate = _import_rate(directory, 100_000)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return [
        {"name": "context_get_20_contacts_median", "value": round(small, 2), "unit": "ms"},
        {"name": "context_get_1000_contacts_median", "value": round(large, 2), "unit": "ms",
         "note": "first page of 500 contacts and 500 of 2,000 documents"},
        {"name": "caller_lookup_100k_contacts_median", "value": round(lookup, 3), "unit": "ms",
         "goal": 5},
        {"name": "caller_context_100k_contacts_median", "value": round(caller, 2), "unit": "ms",
         "note": "number parse + lookup + the caller's deals"},
        {"name": "store_load_100k_contacts", "value": round(len(dataset.contacts) / load_s),
         "unit": "contacts/s", "note": "one transaction, with roles and documents"},
        {"name": "csv_import_100k_contacts", "value": round(import_rate), "unit": "rows/s",
         "parse_only": round(parse_rate), "note": "Salesforce export CSVs → store"},
    ]  # fmt: skip
