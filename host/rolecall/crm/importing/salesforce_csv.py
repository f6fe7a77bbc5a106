"""Reads a Salesforce data export (CSV files, a directory or its .zip) into candidates.

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
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

from pydantic import TypeAdapter, ValidationError

from rolecall.crm.importing.records import (
    Candidates,
    ImportResult,
    Kind,
    Origin,
    PhoneKind,
    Report,
    RowProblem,
    assemble,
    describe,
    first_region,
    parse_phone,
    result,
)
from rolecall.phones import is_region
from rolecall.protocol.records import (
    Account,
    Contact,
    ContactRole,
    Document,
    Opportunity,
    Phone,
    RecordId,
    Relationship,
    normalize_role,
)

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
        raise RowProblem(f"{column} {value[:80]!r} is not a valid record id") from None


def _record_id(row: dict[str, str], column: str) -> str:
    value = _optional_id(row, column)
    if value is None:
        raise RowProblem(f"{column} is empty")
    return value


def _required(row: dict[str, str], column: str) -> str:
    value = row.get(column, "")
    if not value:
        raise RowProblem(f"{column} is empty")
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
        raise RowProblem(f"{column} {value[:40]!r} is not a date (YYYY-MM-DD)") from None


def _datetime(row: dict[str, str], column: str) -> datetime | None:
    value = row.get(column, "")
    if not value:
        return None
    try:
        if not _DATETIME_RE.fullmatch(value):
            raise ValueError(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise RowProblem(
            f"{column} {value[:40]!r} is not a time (2024-01-15T10:30:00.000Z)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _amount(row: dict[str, str], column: str) -> float | None:
    value = row.get(column, "")
    if not value:
        return None
    if not _AMOUNT_RE.fullmatch(value):
        raise RowProblem(f"{column} {value[:40]!r} is not a number")
    number = float(value)
    if abs(number) == float("inf"):
        raise RowProblem(f"{column} {value[:40]!r} is out of range")
    return number


def _size(row: dict[str, str], column: str) -> int | None:
    value = row.get(column, "")
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 15:
        raise RowProblem(f"{column} {value[:40]!r} is not a size in bytes")
    return int(value)


def _bool(row: dict[str, str], column: str) -> bool:
    value = row.get(column, "").lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise RowProblem(f"{column} {value[:40]!r} is not true or false")


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

    def __init__(self, source: Path, report: Report) -> None:
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
    name: str, data: bytes, encoding: str, report: Report, read: dict[str, int]
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
    report: Report = field(default_factory=Report)
    read: dict[str, int] = field(default_factory=dict)
    found: Candidates = field(
        default_factory=lambda: Candidates(
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
            except RowProblem as exc:
                del self.report.warnings[warned:]  # the row is skipped: its warnings are moot
                self.reject(kind, row, origin, str(exc))
            except ValidationError as exc:
                del self.report.warnings[warned:]
                self.reject(kind, row, origin, describe(exc, _COLUMNS.get(name)))

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
        region = first_region(row.get("BillingCountryCode", ""), row.get("BillingCountry", ""))
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
            first_region(row.get("MailingCountryCode", ""), row.get("MailingCountry", ""))
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
            raise RowProblem(f"CurrencyIsoCode {currency[:20]!r} is not an ISO 4217 code")
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
                raise RowProblem("Title is empty")
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
    report = Report()
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
    dataset = assemble(job.found, report)
    return result(dataset, report, job.read, tuple(_REQUIRED_COLUMNS))
