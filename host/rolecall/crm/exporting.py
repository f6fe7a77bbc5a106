"""Writes a `Dataset` as a Salesforce-shaped CSV export, or as Rolecall JSON.

This module owns the inverse of `rolecall.crm.importing`:
`import_json(p)` after `export_json(d, p)` gives back `d`, and `import_salesforce_csv(dir)`
after `export_salesforce_csv(d, dir)` gives back `d` for everything the CSV files carry.
They cannot carry:

- relationships other than `reports_to` (a contact's `ReportsToId`: one manager each);
- more than one phone of each kind (the `Phone`, `MobilePhone`, `HomePhone`,
  `OtherPhone` and `Fax` columns; later ones are left out), nor their order (phones come
  back in that column order); an account phone always comes back as `work`;
- a role with an empty `source_role` comes back with its picklist label ("Decision
  Maker") as `source_role`;
- `local_path`: with `include_files`, the files are copied as `ContentVersion/<Id>` (as
  in Salesforce's own export) and come back pointing there, otherwise as None;
- times finer than a millisecond.

Phones are written as they were (`raw`); so that national numbers read the same again,
each contact and account gets the country of its phones in `MailingCountryCode` /
`BillingCountryCode`. Owners (names here, user ids in Salesforce) go to a `User.csv`.
Files are UTF-8 without a byte order mark, every value quoted, CRLF line ends.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from rolecall.crm.importing import JSON_FORMAT, JSON_VERSION
from rolecall.phones import region_of
from rolecall.protocol.records import ROLE_LABELS, Contact, Dataset, Document, Phone

__all__ = [
    "ACCOUNT_COLUMNS",
    "CONTACT_COLUMNS",
    "CONTENT_VERSION_COLUMNS",
    "OPPORTUNITY_COLUMNS",
    "ROLE_COLUMNS",
    "USER_COLUMNS",
    "export_json",
    "export_salesforce_csv",
]

ACCOUNT_COLUMNS: Final = ("Id", "Name", "Industry", "Website", "Phone", "BillingCountryCode")
CONTACT_COLUMNS: Final = (
    "Id",
    "AccountId",
    "FirstName",
    "LastName",
    "Title",
    "Email",
    "Phone",
    "MobilePhone",
    "HomePhone",
    "OtherPhone",
    "Fax",
    "ReportsToId",
    "MailingCountryCode",
    "SIP_URI__c",
)
OPPORTUNITY_COLUMNS: Final = (
    "Id",
    "AccountId",
    "Name",
    "StageName",
    "Amount",
    "CloseDate",
    "CurrencyIsoCode",
    "OwnerId",
    "Description",
)
ROLE_COLUMNS: Final = ("Id", "OpportunityId", "ContactId", "Role", "IsPrimary")
CONTENT_VERSION_COLUMNS: Final = (
    "Id",
    "ContentDocumentId",
    "Title",
    "FileExtension",
    "ContentSize",
    "LastModifiedDate",
    "OwnerId",
    "FirstPublishLocationId",
    "ContentUrl",
    "PathOnClient",
    "IsLatest",
)
USER_COLUMNS: Final = ("Id", "FirstName", "LastName")

_PHONE_COLUMNS: Final = {
    "work": "Phone",
    "mobile": "MobilePhone",
    "home": "HomePhone",
    "other": "OtherPhone",
    "fax": "Fax",
}


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def _amount(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() else repr(value)


def _time(moment: datetime | None) -> str:
    """Salesforce's form: 2024-01-15T10:30:00.000Z."""
    if moment is None:
        return ""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _country(phones: Iterable[Phone]) -> str:
    """The country to read `phones` in: that of the first one written without a country
    code (so it reads the same again), else of the first one that parsed."""
    found = ""
    for phone in phones:
        if phone.e164 is None:
            continue
        region = region_of(phone.e164)
        if region is None:
            continue
        if not phone.raw.lstrip().startswith(("+", "00")):
            return str(region)
        found = found or str(region)
    return found


def _contact_row(contact: Contact, manager: str) -> list[str]:
    by_kind: dict[str, str] = {}
    for phone in contact.phones:
        by_kind.setdefault(phone.kind, phone.raw)
    return [
        contact.id,
        contact.account_id or "",
        contact.first_name,
        contact.last_name,
        contact.title,
        contact.email,
        *(by_kind.get(kind, "") for kind in _PHONE_COLUMNS),
        manager,
        _country(contact.phones),
        contact.sip_uri or "",
    ]


def _users(dataset: Dataset) -> dict[str, str]:
    """Owner name -> a user id, in order of first appearance."""
    owners = [o.owner for o in dataset.opportunities] + [d.owner for d in dataset.documents]
    names = dict.fromkeys(owner for owner in owners if owner)
    return {name: f"usr-{index}" for index, name in enumerate(names, start=1)}


def _user_row(name: str, user_id: str) -> list[str]:
    first, _, last = name.rpartition(" ")
    return [user_id, first, last]


def _version_row(document: Document, users: dict[str, str]) -> list[str]:
    return [
        document.id,
        document.id,
        document.title,
        document.doc_type,
        str(document.size_bytes),
        _time(document.modified_at),
        users.get(document.owner, ""),
        document.opportunity_id,
        document.url or "",
        Path(document.local_path).name if document.local_path else "",
        "true",
    ]


def export_salesforce_csv(
    dataset: Dataset, directory: Path, *, include_files: bool = False
) -> list[Path]:
    """Writes `dataset` as Account.csv, Contact.csv, Opportunity.csv,
    OpportunityContactRole.csv, ContentVersion.csv and User.csv in `directory` (created
    if needed; files there are replaced). With `include_files`, each document's local
    file is copied to ContentVersion/<Id>. Returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    users = _users(dataset)
    managers: dict[str, str] = {}
    for relationship in dataset.relationships:
        if relationship.kind == "reports_to":
            managers.setdefault(relationship.from_contact_id, relationship.to_contact_id)
    accounts = [
        [a.id, a.name, a.industry, a.website, a.phone.raw if a.phone else "",
         _country([a.phone] if a.phone else [])]
        for a in dataset.accounts
    ]  # fmt: skip
    opportunities = [
        [o.id, o.account_id or "", o.name, o.stage, _amount(o.amount),
         o.close_date.isoformat() if o.close_date else "", o.currency, users.get(o.owner, ""),
         o.description]
        for o in dataset.opportunities
    ]  # fmt: skip
    roles = [
        [f"ocr-{index}", r.opportunity_id, r.contact_id,
         r.source_role or ROLE_LABELS.get(r.role, ""), "true" if r.is_primary else "false"]
        for index, r in enumerate(dataset.roles, start=1)
    ]  # fmt: skip
    tables: list[tuple[str, Sequence[str], Iterable[Sequence[str]]]] = [
        ("User.csv", USER_COLUMNS, (_user_row(name, uid) for name, uid in users.items())),
        ("Account.csv", ACCOUNT_COLUMNS, accounts),
        ("Contact.csv", CONTACT_COLUMNS, (_contact_row(c, managers.get(c.id, ""))
                                          for c in dataset.contacts)),
        ("Opportunity.csv", OPPORTUNITY_COLUMNS, opportunities),
        ("OpportunityContactRole.csv", ROLE_COLUMNS, roles),
        ("ContentVersion.csv", CONTENT_VERSION_COLUMNS,
         (_version_row(d, users) for d in dataset.documents)),
    ]  # fmt: skip
    written = [_write_csv(directory / name, columns, rows) for name, columns, rows in tables]
    if include_files:
        files = directory / "ContentVersion"
        for document in dataset.documents:
            if document.local_path and Path(document.local_path).is_file():
                files.mkdir(exist_ok=True)
                shutil.copyfile(document.local_path, files / document.id)
    return written


def export_json(dataset: Dataset, path: Path) -> None:
    """Writes `dataset` as Rolecall JSON, one record per line, replacing `path` at once."""
    sections = dataset.model_dump(mode="json")
    lines = ["{", f'  "format": "{JSON_FORMAT}",', f'  "version": {JSON_VERSION},']
    for position, (section, records) in enumerate(sections.items()):
        after = "," if position < len(sections) - 1 else ""
        if not records:
            lines.append(f'  "{section}": []{after}')
            continue
        lines.append(f'  "{section}": [')
        lines += [
            f"    {json.dumps(record, ensure_ascii=False)}{',' if index < len(records) - 1 else ''}"
            for index, record in enumerate(records)
        ]
        lines.append(f"  ]{after}")
    lines.append("}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    partial.replace(path)
