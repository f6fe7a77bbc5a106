"""What both importers share: the result, row problems, and assembling the rows into a `Dataset`.

Rows that parsed are collected as candidates with where they came from; `assemble` keeps
the first of each id, drops what refers to a skipped or missing record (an error) or a
droppable link (a warning), so the result only refers to what it holds. Phones get
`e164` by `parse_phone`: exactly when the dial plan would dial them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from rolecall.phones import is_region
from rolecall.phones.dialplan import DialError, DialPlan, parse_target
from rolecall.protocol.records import (
    Account,
    Contact,
    ContactRole,
    Dataset,
    Document,
    Opportunity,
    Phone,
    Relationship,
)

JSON_FORMAT: Final = "rolecall-dataset"
JSON_VERSION: Final = 1

PhoneKind = Literal["work", "mobile", "home", "fax", "other"]
Origin = tuple[str, int]
"""The file and line a record came from."""


@dataclass(frozen=True)
class RowError:
    """A problem with one row: `line` is 1-based (the header is line 1); 0 means the file
    itself (it could not be read)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class ImportResult:
    """What an import found: the good rows, and what was skipped (`errors`) or kept with
    something dropped (`warnings`)."""

    dataset: Dataset
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=dict)
    """Data rows (or JSON records) seen per file."""

    @property
    def counts(self) -> dict[str, int]:
        """Records imported, per kind."""
        return {
            "accounts": len(self.dataset.accounts),
            "contacts": len(self.dataset.contacts),
            "opportunities": len(self.dataset.opportunities),
            "roles": len(self.dataset.roles),
            "relationships": len(self.dataset.relationships),
            "documents": len(self.dataset.documents),
        }

    @property
    def ok(self) -> bool:
        return not self.errors


# --- phones ---------------------------------------------------------------------------

_PHONE_DOMAIN: Final = "import.invalid"
"""Only for the dial plan's sake: the import wants `e164`, never a SIP URI."""


def parse_phone(raw: str, kind: PhoneKind = "work", region: str = "US") -> Phone | None:
    """`raw` as a `Phone`, with `e164` if the dial plan reads it as a valid number in
    `region`; None if `raw` is empty or longer than a phone field can hold (64).

    An imported number gets an E.164 form exactly when clicking it would dial it: the
    dial plan's reading of the text (extensions split off, letters refused) and then
    `rolecall.phones` with strictness "valid"."""
    text = raw.strip()
    if not text or len(text) > 64:
        return None
    try:
        target = parse_target(text, DialPlan(default_region=region, domain=_PHONE_DOMAIN))
    except DialError:
        return Phone(kind=kind, raw=text)
    return Phone(kind=kind, raw=text, e164=target.e164)


def first_region(*candidates: str) -> str | None:
    for candidate in candidates:
        code = candidate.strip().upper()
        if is_region(code):
            return code
    return None


# --- reporting and assembling ---------------------------------------------------------


class RowProblem(Exception):
    """A row cannot be imported; the message says why."""


@dataclass
class Report:
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    def error(self, origin: Origin, message: str) -> None:
        self.errors.append(RowError(origin[0], origin[1], message))

    def warn(self, origin: Origin, message: str) -> None:
        self.warnings.append(RowError(origin[0], origin[1], message))


Kind = Literal["account", "contact", "opportunity"]


@dataclass
class Candidates:
    """Rows that parsed, with where they came from, before references are checked."""

    sources: dict[Kind, str]
    """Where each kind of record is read from, for messages: "Contact.csv"."""
    accounts: list[tuple[Account, Origin]] = field(default_factory=list)
    contacts: list[tuple[Contact, Origin]] = field(default_factory=list)
    opportunities: list[tuple[Opportunity, Origin]] = field(default_factory=list)
    roles: list[tuple[ContactRole, Origin]] = field(default_factory=list)
    relationships: list[tuple[Relationship, Origin, bool]] = field(default_factory=list)
    """The flag: a field of a contact's row (dropping it is a warning, not an error)."""
    documents: list[tuple[Document, Origin]] = field(default_factory=list)
    rejected: dict[Kind, dict[str, Origin]] = field(
        default_factory=lambda: {"account": {}, "contact": {}, "opportunity": {}}
    )
    """Ids of rows that were skipped, and where they were."""

    def missing(self, kind: Kind, record_id: str) -> str:
        where = self.rejected[kind].get(record_id)
        if where is not None:
            return f"{kind} {record_id} was skipped ({where[0]} line {where[1]})"
        return f"{kind} {record_id} is not in {self.sources[kind]}"


_T = TypeVar("_T", bound=BaseModel)


def _unique(
    items: list[tuple[_T, Origin]], key: Callable[[_T], object], what: str, report: Report
) -> dict[object, tuple[_T, Origin]]:
    kept: dict[object, tuple[_T, Origin]] = {}
    for item, origin in items:
        found = kept.get(key(item))
        if found is None:
            kept[key(item)] = (item, origin)
        else:
            report.error(origin, f"duplicate {what} (first on line {found[1][1]}); skipped")
    return kept


def _forget(rejected: dict[str, Origin], kept: dict[object, Any]) -> None:
    for record_id in [record_id for record_id in rejected if record_id in kept]:
        del rejected[record_id]


def assemble(found: Candidates, report: Report) -> Dataset:
    accounts = _unique(found.accounts, lambda a: a.id, "account Id", report)
    contacts = _unique(found.contacts, lambda c: c.id, "contact Id", report)
    opportunities = _unique(found.opportunities, lambda o: o.id, "opportunity Id", report)
    # A skipped row whose id a good row also has (a duplicate) does not make it missing.
    _forget(found.rejected["account"], accounts)
    _forget(found.rejected["contact"], contacts)
    _forget(found.rejected["opportunity"], opportunities)

    def without_dangling_account(record: _T, origin: Origin, account_id: str | None) -> _T:
        if account_id is None or account_id in accounts:
            return record
        report.warn(origin, f"AccountId: {found.missing('account', account_id)}; link dropped")
        return record.model_copy(update={"account_id": None})

    dataset_contacts = [
        without_dangling_account(c, origin, c.account_id) for c, origin in contacts.values()
    ]
    dataset_opportunities = [
        without_dangling_account(o, origin, o.account_id) for o, origin in opportunities.values()
    ]
    roles: list[ContactRole] = []
    seen_roles: dict[tuple[str, str], Origin] = {}
    for role, origin in found.roles:
        problems = []
        if role.opportunity_id not in opportunities:
            problems.append(found.missing("opportunity", role.opportunity_id))
        if role.contact_id not in contacts:
            problems.append(found.missing("contact", role.contact_id))
        pair = (role.opportunity_id, role.contact_id)
        if problems:
            report.error(origin, "; ".join(problems) + "; role skipped")
        elif pair in seen_roles:
            first = seen_roles[pair][1]
            report.error(origin, f"contact already on this opportunity (line {first}); skipped")
        else:
            seen_roles[pair] = origin
            roles.append(role)
    relationships: list[Relationship] = []
    seen_relationships: set[tuple[str, str, str]] = set()
    for relationship, origin, part_of_row in found.relationships:
        start, end = relationship.from_contact_id, relationship.to_contact_id
        if part_of_row and (start not in contacts or contacts[start][1] != origin):
            continue  # the row it belongs to was skipped, and reported
        problems = [found.missing("contact", c) for c in (start, end) if c not in contacts]
        key = (start, end, relationship.kind)
        if start == end:
            problems.append("a contact cannot relate to itself")
        if problems and part_of_row:
            report.warn(origin, f"ReportsToId: {'; '.join(problems)}; reporting line dropped")
        elif problems:
            report.error(origin, "; ".join(problems) + "; relationship skipped")
        elif key not in seen_relationships:
            seen_relationships.add(key)
            relationships.append(relationship)
    documents = _unique(found.documents, lambda d: d.id, "document Id", report)
    dataset_documents = []
    for document, origin in documents.values():
        if document.opportunity_id in opportunities:
            dataset_documents.append(document)
        else:
            missing = found.missing("opportunity", document.opportunity_id)
            report.error(origin, f"{missing}; document skipped")
    return Dataset(
        accounts=[account for account, _ in accounts.values()],
        contacts=dataset_contacts,
        opportunities=dataset_opportunities,
        roles=roles,
        relationships=relationships,
        documents=dataset_documents,
    )


def describe(error: ValidationError, columns: dict[str, str] | None = None) -> str:
    """A pydantic error in a sentence, naming CSV columns instead of model fields."""
    parts = []
    for item in error.errors(include_url=False):
        location = [str(part) for part in item["loc"]]
        if columns and location and location[0] in columns:
            location[0] = columns[location[0]]
        where = ".".join(location)
        parts.append(f"{where}: {item['msg']}" if where else str(item["msg"]))
    return "; ".join(parts)


def result(
    dataset: Dataset, report: Report, read: dict[str, int], file_order: Sequence[str] = ()
) -> ImportResult:
    """The result, with problems in the order of the files as read, then by line."""
    order = {name: rank for rank, name in enumerate(file_order)}

    def position(problem: RowError) -> tuple[int, str, int]:
        return (order.get(problem.file, len(order)), problem.file, problem.line)

    return ImportResult(
        dataset, sorted(report.errors, key=position), sorted(report.warnings, key=position), read
    )
