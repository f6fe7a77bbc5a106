"""Reads a Salesforce data export (CSV files) or Rolecall's own JSON into one `Dataset`.

This module owns turning untrusted files into the shared models, row by row: a bad row
is reported (`RowError`: file, 1-based line with the header on line 1, message) and
skipped, never raised. What cannot exist without a skipped row (a role, a document) is
skipped and reported too; a link that can be dropped (`AccountId`, `ReportsToId`) is
dropped with a warning. So the result only refers to what it holds, and the caller
loads `ImportResult.dataset` (only the good rows) in one transaction.

Salesforce export (Setup > Data Export; a directory or the .zip it comes in), read by
the API field names in each file's header; other columns are ignored:

- `User.csv` (optional): `Id`, `Name` or `FirstName` + `LastName`, to show owners by name
  (without it, an `OwnerId` is kept as it is).
- `Account.csv`: `Id`, `Name`, `Industry`, `Website`, `Phone`, `BillingCountryCode`.
- `Contact.csv`: `Id`, `AccountId`, `FirstName`, `LastName`, `Title`, `Email`, `Phone`,
  `MobilePhone`, `HomePhone`, `OtherPhone`, `Fax`, `ReportsToId`, `MailingCountryCode`,
  and the custom field `SIP_URI__c` if the org has one.
- `Opportunity.csv`: `Id`, `AccountId`, `Name`, `StageName`, `Amount`, `CloseDate`,
  `CurrencyIsoCode` (multi-currency orgs only; otherwise `default_currency`), `OwnerId`,
  `Description`.
- `OpportunityContactRole.csv`: `OpportunityId`, `ContactId`, `Role`, `IsPrimary`.
- `ContentVersion.csv`: `Id`, `ContentDocumentId`, `Title`, `FileExtension`,
  `ContentSize`, `LastModifiedDate`, `OwnerId`, `FirstPublishLocationId`, `ContentUrl`,
  `PathOnClient`, `IsLatest` (older versions are left out). A file becomes a `Document`
  of each opportunity it is published to or linked to by `ContentDocumentLink.csv`
  (optional: `ContentDocumentId`, `LinkedEntityId`), with the id `<Id>` on the first and
  `<Id>:<OpportunityId>` on the others; files on no opportunity in the export (a user's
  library, an account) are left out with a warning. The file's bytes are used
  (`local_path`) if the export has them as `ContentVersion/<Id>`.

Values: UTF-8 (a byte order mark is fine; other encodings by `encoding`), `true`/`false`,
dates `2024-01-15`, times `2024-01-15T10:30:00.000Z`, plain decimal amounts. Rows with
`IsDeleted` true are left out. Phones keep `raw` as written and get `e164` when the dial
plan accepts them, read in the contact's `MailingCountryCode`, else its account's
`BillingCountryCode`, else `default_region`; a phone that does not parse is no error.

Errors (the row is skipped): a missing required value (`Id`, `Account.Name`,
`Contact.LastName`, `Opportunity.Name`, a role's `OpportunityId`/`ContactId`), an invalid
id, a bad date, time, amount, boolean or currency, a value too long, a duplicate `Id` (the
first is kept), a row with the wrong number of fields, a role or file on an opportunity
or contact that is missing or was skipped. Warnings (the row is kept): an `AccountId` or
`ReportsToId` pointing at a record that is not in the export (a partial export is
normal; the link is dropped, so the store's foreign keys hold), a file on no
opportunity, a phone longer than 64 characters (dropped).

Rolecall JSON (`import_json`): `{"format": "rolecall-dataset", "version": 1, "accounts":
[...], "contacts": [...], "opportunities": [...], "roles": [...], "relationships":
[...], "documents": [...]}`, each record the model's JSON form; the same checks apply,
and a relationship to a missing contact is an error there.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from rolecall.phones import is_region
from rolecall.protocol.records import (
    Account,
    Contact,
    ContactRole,
    Dataset,
    Document,
    Opportunity,
    Phone,
    RecordId,
    Relationship,
    normalize_role,
)
from rolecall.telephony.dialplan import DialError, DialPlan, parse_target

__all__ = [
    "JSON_FORMAT",
    "JSON_VERSION",
    "ImportResult",
    "RowError",
    "import_json",
    "import_salesforce_csv",
    "parse_phone",
]

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


def _region(*candidates: str) -> str | None:
    for candidate in candidates:
        code = candidate.strip().upper()
        if is_region(code):
            return code
    return None


# --- reporting and assembling ---------------------------------------------------------


class _RowProblem(Exception):
    """A row cannot be imported; the message says why."""


@dataclass
class _Report:
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    def error(self, origin: Origin, message: str) -> None:
        self.errors.append(RowError(origin[0], origin[1], message))

    def warn(self, origin: Origin, message: str) -> None:
        self.warnings.append(RowError(origin[0], origin[1], message))


Kind = Literal["account", "contact", "opportunity"]


@dataclass
class _Candidates:
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
    items: list[tuple[_T, Origin]], key: Callable[[_T], object], what: str, report: _Report
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


def _assemble(found: _Candidates, report: _Report) -> Dataset:
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


def _describe(error: ValidationError, columns: dict[str, str] | None = None) -> str:
    """A pydantic error in a sentence, naming CSV columns instead of model fields."""
    parts = []
    for item in error.errors(include_url=False):
        location = [str(part) for part in item["loc"]]
        if columns and location and location[0] in columns:
            location[0] = columns[location[0]]
        where = ".".join(location)
        parts.append(f"{where}: {item['msg']}" if where else str(item["msg"]))
    return "; ".join(parts)


# --- CSV values -----------------------------------------------------------------------

_RECORD_ID: Final = TypeAdapter(RecordId)
_DATE_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME_RE: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?",
    re.ASCII,
)
_AMOUNT_RE: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)
_CURRENCY_RE: Final = re.compile(r"[A-Z]{3}", re.ASCII)
_TRUE: Final = frozenset({"true", "1", "yes"})
_FALSE: Final = frozenset({"false", "0", "no", ""})


def _optional_id(row: dict[str, str], column: str) -> str | None:
    value = row.get(column, "")
    if not value:
        return None
    try:
        return _RECORD_ID.validate_python(value)
    except ValidationError:
        raise _RowProblem(f"{column} {value[:80]!r} is not a valid record id") from None


def _record_id(row: dict[str, str], column: str) -> str:
    value = _optional_id(row, column)
    if value is None:
        raise _RowProblem(f"{column} is empty")
    return value


def _required(row: dict[str, str], column: str) -> str:
    value = row.get(column, "")
    if not value:
        raise _RowProblem(f"{column} is empty")
    return value


def _date(row: dict[str, str], column: str) -> date | None:
    value = row.get(column, "")
    if not value:
        return None
    try:
        if not _DATE_RE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise _RowProblem(f"{column} {value[:40]!r} is not a date (YYYY-MM-DD)") from None


def _datetime(row: dict[str, str], column: str) -> datetime | None:
    value = row.get(column, "")
    if not value:
        return None
    try:
        if not _DATETIME_RE.fullmatch(value):
            raise ValueError(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _RowProblem(
            f"{column} {value[:40]!r} is not a time (2024-01-15T10:30:00.000Z)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _amount(row: dict[str, str], column: str) -> float | None:
    value = row.get(column, "")
    if not value:
        return None
    if not _AMOUNT_RE.fullmatch(value):
        raise _RowProblem(f"{column} {value[:40]!r} is not a number")
    number = float(value)
    if abs(number) == float("inf"):
        raise _RowProblem(f"{column} {value[:40]!r} is out of range")
    return number


def _size(row: dict[str, str], column: str) -> int | None:
    value = row.get(column, "")
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 15:
        raise _RowProblem(f"{column} {value[:40]!r} is not a size in bytes")
    return int(value)


def _bool(row: dict[str, str], column: str) -> bool:
    value = row.get(column, "").lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _RowProblem(f"{column} {value[:40]!r} is not true or false")


# --- CSV files ------------------------------------------------------------------------

_REQUIRED_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "User.csv": ("Id",),
    "Account.csv": ("Id", "Name"),
    "Contact.csv": ("Id", "LastName"),
    "Opportunity.csv": ("Id", "Name"),
    "OpportunityContactRole.csv": ("OpportunityId", "ContactId"),
    "ContentDocumentLink.csv": ("ContentDocumentId", "LinkedEntityId"),
    "ContentVersion.csv": ("Id", "Title"),
}
_UNSTRIPPED: Final = frozenset({"Description"})
_CONTACT_PHONES: Final[tuple[tuple[str, PhoneKind], ...]] = (
    ("Phone", "work"),
    ("MobilePhone", "mobile"),
    ("HomePhone", "home"),
    ("OtherPhone", "other"),
    ("Fax", "fax"),
)
_COLUMNS: Final[dict[str, dict[str, str]]] = {
    "Account.csv": {"id": "Id", "name": "Name", "industry": "Industry", "website": "Website"},
    "Contact.csv": {
        "id": "Id",
        "account_id": "AccountId",
        "first_name": "FirstName",
        "last_name": "LastName",
        "title": "Title",
        "email": "Email",
        "sip_uri": "SIP_URI__c",
    },
    "Opportunity.csv": {
        "id": "Id",
        "account_id": "AccountId",
        "name": "Name",
        "stage": "StageName",
        "amount": "Amount",
        "currency": "CurrencyIsoCode",
        "close_date": "CloseDate",
        "owner": "OwnerId",
        "description": "Description",
    },
    "OpportunityContactRole.csv": {"source_role": "Role"},
    "ContentVersion.csv": {
        "id": "Id",
        "title": "Title",
        "doc_type": "FileExtension",
        "size_bytes": "ContentSize",
        "url": "ContentUrl",
        "owner": "OwnerId",
        "modified_at": "LastModifiedDate",
    },
}


class _Export:
    """The files of one Salesforce export, from a directory or a .zip."""

    def __init__(self, source: Path, report: _Report) -> None:
        self.source = source
        self.report = report
        self.files: dict[str, bytes] = {}
        self.directory: Path | None = None
        try:
            if source.is_dir():
                self.directory = source
                names = {p.name.lower(): p for p in source.iterdir() if p.is_file()}
                for name in _REQUIRED_COLUMNS:
                    path = names.get(name.lower())
                    if path is not None:
                        self.files[name] = path.read_bytes()
            else:
                with zipfile.ZipFile(source) as archive:
                    members = {Path(n).name.lower(): n for n in archive.namelist()}
                    for name in _REQUIRED_COLUMNS:
                        member = members.get(name.lower())
                        if member is not None:
                            self.files[name] = archive.read(member)
        except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError) as exc:
            report.error((source.name, 0), f"cannot read the export: {exc}")
        except (ValueError, RuntimeError, NotImplementedError) as exc:  # e.g. encrypted members
            report.error((source.name, 0), f"cannot read the export: {exc}")
        if not self.files and not report.errors:
            report.error((source.name, 0), "no Salesforce export files (Account.csv, ...) here")

    def content_file(self, version_id: str) -> Path | None:
        """The bytes of a file version, if the export has them as ContentVersion/<Id>."""
        if self.directory is None:
            return None
        path = self.directory / "ContentVersion" / version_id
        return path if path.is_file() else None


def _rows(
    name: str, data: bytes, encoding: str, report: _Report, read: dict[str, int]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row by column name) for every data row; problems go to `report`."""
    read[name] = 0
    try:
        text = data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        report.error(
            (name, line),
            f"not {encoding} text (byte {exc.start}); nothing read from this file. Export "
            "with UTF-8 encoding, or give the export's encoding",
        )
        return
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    header: list[str] | None = None
    previous = 0
    while True:
        line = previous + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            previous = max(reader.line_num, line)
            report.error((name, line), f"unreadable CSV ({exc}); skipped")
            continue
        previous = reader.line_num
        if not fields or fields == [""]:
            continue
        if header is None:
            header = [column.strip() for column in fields]
            missing = [c for c in _REQUIRED_COLUMNS[name] if c not in header]
            if missing:
                report.error((name, line), f"no {', '.join(missing)} column; file skipped")
                return
            continue
        read[name] += 1
        if len(fields) != len(header):
            report.error(
                (name, line), f"{len(fields)} fields where the header has {len(header)}; skipped"
            )
            continue
        row: dict[str, str] = {}
        for column, value in zip(header, fields, strict=True):
            row.setdefault(column, value if column in _UNSTRIPPED else value.strip())
        yield line, row
    if header is None:
        report.error((name, 1), "empty file: no header row")


@dataclass
class _CsvImport:
    export: _Export
    encoding: str
    default_region: str
    default_currency: str
    report: _Report = field(default_factory=_Report)
    read: dict[str, int] = field(default_factory=dict)
    found: _Candidates = field(
        default_factory=lambda: _Candidates(
            {"account": "Account.csv", "contact": "Contact.csv", "opportunity": "Opportunity.csv"}
        )
    )
    users: dict[str, str] = field(default_factory=dict)
    account_regions: dict[str, str] = field(default_factory=dict)

    def each(
        self, name: str, parse: Callable[[dict[str, str], Origin], None], kind: Kind | None = None
    ) -> None:
        data = self.export.files.get(name)
        if data is None:
            return
        for line, row in _rows(name, data, self.encoding, self.report, self.read):
            if _bool_or_false(row.get("IsDeleted", "")):
                continue
            origin = (name, line)
            warned = len(self.report.warnings)
            try:
                parse(row, origin)
            except _RowProblem as exc:
                del self.report.warnings[warned:]  # the row is skipped: its warnings are moot
                self.reject(kind, row, origin, str(exc))
            except ValidationError as exc:
                del self.report.warnings[warned:]
                self.reject(kind, row, origin, _describe(exc, _COLUMNS.get(name)))

    def reject(self, kind: Kind | None, row: dict[str, str], origin: Origin, why: str) -> None:
        self.report.error(origin, f"{why}; row skipped")
        record_id = row.get("Id", "")
        if kind is not None and record_id:
            self.found.rejected[kind].setdefault(record_id, origin)

    def owner(self, row: dict[str, str]) -> str:
        owner_id = row.get("OwnerId", "")
        return self.users.get(owner_id, owner_id)

    def user(self, row: dict[str, str], origin: Origin) -> None:
        user_id = _required(row, "Id")
        name = row.get("Name") or f"{row.get('FirstName', '')} {row.get('LastName', '')}".strip()
        self.users[user_id] = name

    def account(self, row: dict[str, str], origin: Origin) -> None:
        region = _region(row.get("BillingCountryCode", ""), row.get("BillingCountry", ""))
        account = Account(
            id=_record_id(row, "Id"),
            name=_required(row, "Name"),
            industry=row.get("Industry", ""),
            website=row.get("Website", ""),
            phone=self.phone(row, "Phone", "work", region or self.default_region, origin),
        )
        if region:
            self.account_regions.setdefault(account.id, region)
        self.found.accounts.append((account, origin))

    def phone(
        self, row: dict[str, str], column: str, kind: PhoneKind, region: str, origin: Origin
    ) -> Phone | None:
        raw = row.get(column, "")
        phone = parse_phone(raw, kind, region)
        if phone is None and raw:
            self.report.warn(origin, f"{column} is longer than 64 characters; dropped")
        return phone

    def contact(self, row: dict[str, str], origin: Origin) -> None:
        contact_id = _record_id(row, "Id")
        account_id = _optional_id(row, "AccountId")
        region = (
            _region(row.get("MailingCountryCode", ""), row.get("MailingCountry", ""))
            or self.account_regions.get(account_id or "")
            or self.default_region
        )
        phones = [self.phone(row, column, kind, region, origin) for column, kind in _CONTACT_PHONES]
        reports_to = _optional_id(row, "ReportsToId")
        contact = Contact(
            id=contact_id,
            account_id=account_id,
            first_name=row.get("FirstName", ""),
            last_name=_required(row, "LastName"),
            title=row.get("Title", ""),
            email=row.get("Email", ""),
            phones=[phone for phone in phones if phone is not None],
            sip_uri=row.get("SIP_URI__c") or None,
        )
        self.found.contacts.append((contact, origin))
        if reports_to is not None:
            relationship = Relationship(
                from_contact_id=contact.id, to_contact_id=reports_to, kind="reports_to"
            )
            self.found.relationships.append((relationship, origin, True))

    def opportunity(self, row: dict[str, str], origin: Origin) -> None:
        currency = row.get("CurrencyIsoCode", "").upper() or self.default_currency
        if not _CURRENCY_RE.fullmatch(currency):
            raise _RowProblem(f"CurrencyIsoCode {currency[:20]!r} is not an ISO 4217 code")
        opportunity = Opportunity(
            id=_record_id(row, "Id"),
            account_id=_optional_id(row, "AccountId"),
            name=_required(row, "Name"),
            stage=row.get("StageName", ""),
            amount=_amount(row, "Amount"),
            currency=currency,
            close_date=_date(row, "CloseDate"),
            owner=self.owner(row),
            description=row.get("Description", ""),
        )
        self.found.opportunities.append((opportunity, origin))

    def role(self, row: dict[str, str], origin: Origin) -> None:
        text = row.get("Role", "")
        role = ContactRole(
            opportunity_id=_record_id(row, "OpportunityId"),
            contact_id=_record_id(row, "ContactId"),
            role=normalize_role(text),
            source_role=text,
            is_primary=_bool(row, "IsPrimary"),
        )
        self.found.roles.append((role, origin))

    def versions(self) -> None:
        links: dict[str, list[str]] = {}

        def link(row: dict[str, str], origin: Origin) -> None:
            document = _required(row, "ContentDocumentId")
            links.setdefault(document, []).append(_required(row, "LinkedEntityId"))

        self.each("ContentDocumentLink.csv", link)
        opportunities = {o.id for o, _ in self.found.opportunities}
        opportunities |= set(self.found.rejected["opportunity"])

        def version(row: dict[str, str], origin: Origin) -> None:
            if row.get("IsLatest", "") and not _bool(row, "IsLatest"):
                return  # an older version of the file
            version_id = _record_id(row, "Id")
            targets = [row.get("FirstPublishLocationId", "")]
            targets += links.get(row.get("ContentDocumentId", ""), [])
            on = list(dict.fromkeys(t for t in targets if t in opportunities))
            title = row.get("Title") or Path(row.get("PathOnClient", "")).stem
            if not title:
                raise _RowProblem("Title is empty")
            extension = row.get("FileExtension") or Path(row.get("PathOnClient", "")).suffix
            url = row.get("ContentUrl") or None
            local = self.export.content_file(version_id)
            size = _size(row, "ContentSize")
            if size is None:
                size = local.stat().st_size if local is not None else 0
            fields: dict[str, Any] = {
                "title": title,
                "doc_type": (extension.lstrip(".") or ("link" if url else "")).lower(),
                "size_bytes": size,
                "url": url,
                "local_path": str(local) if local is not None else None,
                "owner": self.owner(row),
                "modified_at": _datetime(row, "LastModifiedDate"),
            }
            documents = [
                Document(
                    id=version_id if index == 0 else f"{version_id}:{opportunity_id}",
                    opportunity_id=opportunity_id,
                    **fields,
                )
                for index, opportunity_id in enumerate(on)
            ]
            if not documents:
                self.report.warn(origin, "the file is on no opportunity in the export; left out")
            self.found.documents += [(document, origin) for document in documents]

        self.each("ContentVersion.csv", version)


def _result(dataset: Dataset, report: _Report, read: dict[str, int]) -> ImportResult:
    """The result, with problems in the order of the files as read, then by line."""
    order = {name: rank for rank, name in enumerate(_REQUIRED_COLUMNS)}

    def position(problem: RowError) -> tuple[int, str, int]:
        return (order.get(problem.file, len(order)), problem.file, problem.line)

    return ImportResult(
        dataset, sorted(report.errors, key=position), sorted(report.warnings, key=position), read
    )


def _bool_or_false(value: str) -> bool:
    return value.strip().lower() in _TRUE


def import_salesforce_csv(
    directory: Path,
    *,
    default_region: str = "US",
    default_currency: str = "USD",
    encoding: str = "utf-8",
) -> ImportResult:
    """Reads a Salesforce data export (a directory of CSV files, or the .zip itself).

    `default_region` (ISO 3166 alpha-2) reads phones written without a country code when
    neither the contact nor its account says which country they are in. Never raises for
    bad input: every problem is a `RowError` in the result. Raises `ValueError` only for
    a bad argument (unknown region, currency or encoding)."""
    if not is_region(default_region.upper()):
        raise ValueError(f"unknown region {default_region!r}")
    if not _CURRENCY_RE.fullmatch(default_currency):
        raise ValueError(f"{default_currency!r} is not an ISO 4217 currency code")
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    report = _Report()
    job = _CsvImport(
        export=_Export(directory, report),
        encoding=codec,
        default_region=default_region.upper(),
        default_currency=default_currency,
        report=report,
    )
    job.each("User.csv", job.user)
    job.each("Account.csv", job.account, "account")
    job.each("Contact.csv", job.contact, "contact")
    job.each("Opportunity.csv", job.opportunity, "opportunity")
    job.each("OpportunityContactRole.csv", job.role)
    job.versions()
    dataset = _assemble(job.found, report)
    return _result(dataset, report, job.read)


# --- JSON -----------------------------------------------------------------------------

_SECTIONS: Final[tuple[tuple[str, type[BaseModel]], ...]] = (
    ("accounts", Account),
    ("contacts", Contact),
    ("opportunities", Opportunity),
    ("roles", ContactRole),
    ("relationships", Relationship),
    ("documents", Document),
)
_SECTION_KINDS: Final[dict[str, Kind]] = {
    "accounts": "account",
    "contacts": "contact",
    "opportunities": "opportunity",
}
_JSON_SPACE: Final = re.compile(r"[ \t\n\r]*")


def _json_lines(text: str) -> dict[str, list[int]]:
    """The line each element of each top-level array starts on (for messages); best
    effort on text that already parsed as JSON."""
    decoder = json.JSONDecoder()
    lines: dict[str, list[int]] = {}
    counted_to, line = 0, 1

    def skip(index: int) -> int:
        found = _JSON_SPACE.match(text, index)
        return found.end() if found else index

    try:
        index = skip(0)
        if text[index] != "{":
            return lines
        index = skip(index + 1)
        while text[index] != "}":
            key, index = decoder.raw_decode(text, index)
            index = skip(skip(index) + 1)  # the colon
            if text[index] == "[":
                starts: list[int] = []
                index = skip(index + 1)
                while text[index] != "]":
                    line += text.count("\n", counted_to, index)
                    counted_to = index
                    starts.append(line)
                    _, index = decoder.raw_decode(text, index)
                    index = skip(index)
                    if text[index] == ",":
                        index = skip(index + 1)
                index += 1
                lines[str(key)] = starts
            else:
                _, index = decoder.raw_decode(text, index)
            index = skip(index)
            if text[index] == ",":
                index = skip(index + 1)
    except (ValueError, IndexError, RecursionError):
        pass
    return lines


def _json_document(name: str, path: Path, report: _Report) -> tuple[dict[str, Any], str] | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.error((name, 0), f"cannot read the file: {exc.strerror or exc}")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.error((name, data.count(b"\n", 0, exc.start) + 1), "not UTF-8 text")
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        report.error((name, exc.lineno), f"not JSON: {exc.msg} (column {exc.colno})")
        return None
    except RecursionError:
        report.error((name, 1), "not JSON we can read: nested too deeply")
        return None
    if not isinstance(document, dict) or document.get("format") != JSON_FORMAT:
        report.error((name, 1), f'not a Rolecall dataset: no "format": "{JSON_FORMAT}"')
        return None
    if document.get("version") != JSON_VERSION:
        version = document.get("version")
        report.error((name, 1), f"version {version!r} is not one this Rolecall reads (1)")
        return None
    return document, text


def import_json(path: Path) -> ImportResult:
    """Reads a Rolecall dataset written by `export_json`. Never raises for bad input."""
    name = path.name
    report = _Report()
    found = _Candidates(
        {"account": "the accounts", "contact": "the contacts", "opportunity": "the opportunities"}
    )
    read: dict[str, int] = {}
    loaded = _json_document(name, path, report)
    if loaded is None:
        return ImportResult(Dataset(), report.errors, report.warnings, read)
    document, text = loaded
    lines = _json_lines(text)
    for key in document:
        if key not in ("format", "version") and key not in dict(_SECTIONS):
            report.warn((name, 1), f"unknown section {key!r} ignored")
    read[name] = 0
    for section, model in _SECTIONS:
        items = document.get(section, [])
        starts = lines.get(section, [])
        if not isinstance(items, list):
            report.error((name, 1), f'"{section}" is not a list; section skipped')
            continue
        read[name] += len(items)
        for index, item in enumerate(items):
            origin = (name, starts[index] if index < len(starts) else 1)
            try:
                record = model.model_validate(item)
            except ValidationError as exc:
                report.error(origin, f"{section}[{index}]: {_describe(exc)}; skipped")
                kind = _SECTION_KINDS.get(section)
                if kind and isinstance(item, dict) and isinstance(item.get("id"), str):
                    found.rejected[kind].setdefault(item["id"], origin)
                continue
            _add(found, record, origin)
    return _result(_assemble(found, report), report, read)


def _add(found: _Candidates, record: BaseModel, origin: Origin) -> None:
    if isinstance(record, Account):
        found.accounts.append((record, origin))
    elif isinstance(record, Contact):
        found.contacts.append((record, origin))
    elif isinstance(record, Opportunity):
        found.opportunities.append((record, origin))
    elif isinstance(record, ContactRole):
        found.roles.append((record, origin))
    elif isinstance(record, Relationship):
        found.relationships.append((record, origin, False))
    elif isinstance(record, Document):
        found.documents.append((record, origin))
