"""Salesforce over its REST API: SOQL and SOSL reads, Task call logs, contact roles.

Reads go through `/services/data/vXX.X/query?q=SOQL` (following `nextRecordsUrl`) and
`/search?q=SOSL`. Every value placed in a query is either an id checked against the
15/18-character id pattern, an E.164 number reduced to digits, or a string literal
escaped by `soql_quote` (SOQL) or `sosl_escape` (SOSL's FIND braces): nothing a caller
or a CRM record holds can change a query's structure.

A call is logged as a Task (`TaskSubtype = 'Call'`) whose `CallObject` holds the
idempotency key; a retry finds it with `SELECT Id FROM Task WHERE CallObject = '<key>'`.
A contact note is a (classic) `Note` on the contact whose `Title` ends in `(rc:<key>)`;
a retry finds it with `Title LIKE '%(rc:<key>)'` (the Body cannot be filtered on).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rolecall.crm.connectors.base import ConnectorError, ContactNote
from rolecall.crm.connectors.common import (
    call_description,
    call_subject,
    chunks,
    clip,
    create_once,
    currency,
    digits_match,
    key_marker,
    make_phone,
    marked_title,
    parse_amount,
    parse_date,
    parse_datetime,
    phones,
    require_e164,
    role_label,
    unique,
)
from rolecall.crm.connectors.config import SalesforceConfig
from rolecall.crm.connectors.http import CrmHttpError, HttpClient, HttpOptions, TokenSource
from rolecall.phones import national_digits
from rolecall.protocol.calllog import CallLogEntry
from rolecall.protocol.records import (
    Account,
    Contact,
    ContactRole,
    Dataset,
    Document,
    Opportunity,
    Relationship,
    normalize_role,
)

SF_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
SOSL_RESERVED = frozenset("?&|!{}[]()^~*:\\\"'+-")
_SOQL_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}

OPPORTUNITY_FIELDS = "Id, Name, StageName, Amount, CloseDate, AccountId, Owner.Name, Description"
CONTACT_FIELDS = "Id, FirstName, LastName, Title, Email, Phone, MobilePhone, AccountId, ReportsToId"
ACCOUNT_FIELDS = "Id, Name, Industry, Website, Phone"
ROLE_FIELDS = "Id, OpportunityId, ContactId, Role, IsPrimary"
DOCUMENT_FIELDS = (
    "ContentDocumentId, ContentDocument.Title, ContentDocument.FileExtension, "
    "ContentDocument.ContentSize, ContentDocument.LastModifiedDate, ContentDocument.Owner.Name"
)
IDS_PER_QUERY = 100
NOTE_TITLE_MAX = 80
NOTE_BODY_MAX = 32_000


def _soql_escape(value: str, extra: dict[str, str] | None = None) -> str:
    out = []
    escapes = {**_SOQL_ESCAPES, **(extra or {})}
    for char in str(value):
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            continue  # other control characters have no SOQL escape; drop them
        else:
            out.append(char)
    return "".join(out)


def soql_quote(value: str) -> str:
    """`value` as a SOQL string literal: quotes, backslashes and controls escaped."""
    return "'" + _soql_escape(value) + "'"


def soql_like_suffix(value: str) -> str:
    """A LIKE pattern literal matching any text that ends with `value`, taken literally.

    Besides `soql_quote`'s escapes, LIKE's wildcards `%` and `_` in `value` are
    backslash-escaped; only the leading `%` is a wildcard.
    """
    return "'%" + _soql_escape(value, {"%": "\\%", "_": "\\_"}) + "'"


def sosl_escape(term: str) -> str:
    """`term` safe inside SOSL's `FIND {…}`: every reserved character backslash-escaped."""
    return "".join("\\" + c if c in SOSL_RESERVED else c for c in term if c.isprintable())


def sf_id(value: str | None, what: str = "record") -> str:
    """`value` if it is a Salesforce id; otherwise a non-retryable error (nothing is sent)."""
    if not isinstance(value, str) or not SF_ID.match(value):
        raise ConnectorError(f"not a Salesforce {what} id: {value!r}", retryable=False)
    return value


def _id_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and SF_ID.match(value) else None


def _id_list(ids: Iterable[str]) -> str:
    return "(" + ", ".join(soql_quote(sf_id(i)) for i in ids) + ")"


class SalesforceConnector:
    """One Salesforce org, reached with an OAuth access token."""

    name = "salesforce"

    def __init__(
        self,
        config: SalesforceConfig,
        token: str | TokenSource,
        *,
        options: HttpOptions | None = None,
    ) -> None:
        self.config = config
        root = f"{config.instance_url}/services/data/{config.api_version}/"
        self.http = HttpClient("salesforce", root, token, options=options)
        self._multicurrency: bool | None = None
        self._org_currency: str | None = None

    def close(self) -> None:
        self.http.close()

    # -- queries ----------------------------------------------------------------------

    def query(self, soql: str) -> list[dict[str, Any]]:
        """All records of a SOQL query, following `nextRecordsUrl`."""
        records: list[dict[str, Any]] = []
        for page in self.http.paginate("query", _next_records, params={"q": soql}):
            records.extend(_records(page, "records"))
        return records

    def select(self, fields: str, sobject: str, where: str, tail: str = "") -> list[dict[str, Any]]:
        """`SELECT fields FROM sobject WHERE where tail`.

        Callers build `where` only from `soql_quote`d literals and checked ids; `fields`,
        `sobject` and `tail` are constants of this module.
        """
        soql = f"SELECT {fields} FROM {sobject} WHERE {where}"  # noqa: S608 - see docstring
        return self.query(f"{soql} {tail}".strip())

    def _opportunities(self, where: str) -> list[dict[str, Any]]:
        fields = OPPORTUNITY_FIELDS
        if self._multicurrency is not False:
            fields += ", CurrencyIsoCode"
        try:
            records = self.select(fields, "Opportunity", where)
        except CrmHttpError as exc:
            if (
                self._multicurrency is None
                and exc.error_code == "INVALID_FIELD"
                and "CurrencyIsoCode" in exc.message
            ):
                self._multicurrency = False  # not a multi-currency org
                return self._opportunities(where)
            raise
        if self._multicurrency is None:
            self._multicurrency = "CurrencyIsoCode" in fields
        return records

    def _default_currency(self) -> str:
        if self._org_currency is None:
            try:
                rows = self.query("SELECT DefaultCurrencyIsoCode FROM Organization LIMIT 1")
                self._org_currency = currency(rows[0].get("DefaultCurrencyIsoCode") if rows else "")
            except ConnectorError as exc:
                if exc.retryable:
                    raise
                self._org_currency = "USD"
        return self._org_currency

    def _by_ids(self, fields: str, sobject: str, key: str, ids: list[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for part in chunks(ids, IDS_PER_QUERY):
            out.extend(self.select(fields, sobject, f"{key} IN {_id_list(part)}"))
        return out

    # -- mapping ----------------------------------------------------------------------

    def _opportunity(self, r: dict[str, Any]) -> Opportunity:
        code = r.get("CurrencyIsoCode")
        return Opportunity(
            id=sf_id(r.get("Id"), "opportunity"),
            account_id=_id_or_none(r.get("AccountId")),
            name=clip(r.get("Name"), 200),
            stage=clip(r.get("StageName"), 200),
            amount=parse_amount(r.get("Amount")),
            currency=currency(code) if code else self._default_currency(),
            close_date=parse_date(r.get("CloseDate")),
            owner=clip((r.get("Owner") or {}).get("Name"), 200),
            description=clip(r.get("Description"), 32_000),
        )

    def _contact(self, r: dict[str, Any]) -> Contact:
        region = self.config.default_region
        return Contact(
            id=sf_id(r.get("Id"), "contact"),
            account_id=_id_or_none(r.get("AccountId")),
            first_name=clip(r.get("FirstName"), 200),
            last_name=clip(r.get("LastName"), 200),
            title=clip(r.get("Title"), 200),
            email=clip(r.get("Email"), 320),
            phones=phones([(r.get("Phone"), "work"), (r.get("MobilePhone"), "mobile")], region),
        )

    def _account(self, r: dict[str, Any]) -> Account:
        return Account(
            id=sf_id(r.get("Id"), "account"),
            name=clip(r.get("Name"), 200),
            industry=clip(r.get("Industry"), 200),
            website=clip(r.get("Website"), 500),
            phone=make_phone(r.get("Phone"), "work", self.config.default_region),
        )

    def _document(self, opportunity_id: str, r: dict[str, Any]) -> Document | None:
        doc_id = _id_or_none(r.get("ContentDocumentId"))
        doc = r.get("ContentDocument") or {}
        if doc_id is None:
            return None
        return Document(
            id=doc_id,
            opportunity_id=opportunity_id,
            title=clip(doc.get("Title"), 200) or "(untitled)",
            doc_type=clip(doc.get("FileExtension"), 16).lower(),
            size_bytes=max(0, int(doc.get("ContentSize") or 0)),
            url=f"{self.config.instance_url}/lightning/r/ContentDocument/{doc_id}/view",
            owner=clip((doc.get("Owner") or {}).get("Name"), 200),
            modified_at=parse_datetime(doc.get("LastModifiedDate")),
        )

    @staticmethod
    def _roles(records: list[dict[str, Any]]) -> list[ContactRole]:
        """One role per (opportunity, contact): Salesforce allows duplicates; merge them."""
        merged: dict[tuple[str, str], ContactRole] = {}
        for r in records:
            opp, contact = _id_or_none(r.get("OpportunityId")), _id_or_none(r.get("ContactId"))
            if opp is None or contact is None:
                continue
            role = ContactRole(
                opportunity_id=opp,
                contact_id=contact,
                role=normalize_role(r.get("Role")),
                source_role=clip(r.get("Role"), 200),
                is_primary=bool(r.get("IsPrimary")),
            )
            previous = merged.get((opp, contact))
            if previous is not None:
                keep = previous if previous.source_role else role
                role = keep.model_copy(
                    update={"is_primary": previous.is_primary or role.is_primary}
                )
            merged[(opp, contact)] = role
        return list(merged.values())

    def _dataset(
        self,
        opportunities: list[dict[str, Any]],
        roles: list[dict[str, Any]],
        contacts: list[dict[str, Any]],
        documents: list[Document],
    ) -> Dataset:
        contact_models = [self._contact(c) for c in contacts]
        known = {c.id for c in contact_models}
        relationships = [
            Relationship(from_contact_id=c["Id"], to_contact_id=c["ReportsToId"], kind="reports_to")
            for c in contacts
            if _id_or_none(c.get("ReportsToId")) in known and c.get("ReportsToId") != c["Id"]
        ]
        opportunity_models = [self._opportunity(o) for o in opportunities]
        account_ids = unique(
            a
            for a in [o.account_id for o in opportunity_models]
            + [c.account_id for c in contact_models]
            if a is not None
        )
        accounts = self._by_ids(ACCOUNT_FIELDS, "Account", "Id", account_ids)
        return Dataset(
            accounts=[self._account(a) for a in accounts],
            contacts=contact_models,
            opportunities=opportunity_models,
            roles=[r for r in self._roles(roles) if r.contact_id in known],
            relationships=relationships,
            documents=documents,
        )

    # -- Connector --------------------------------------------------------------------

    def opportunity(self, opportunity_id: str) -> Dataset:
        oid = sf_id(opportunity_id, "opportunity")
        opportunities = self._opportunities(f"Id = {soql_quote(oid)}")
        if not opportunities:
            raise ConnectorError(f"no Salesforce opportunity {oid}", retryable=False, status=404)
        roles = self.select(
            ROLE_FIELDS, "OpportunityContactRole", f"OpportunityId = {soql_quote(oid)}"
        )
        contact_ids = unique(c for r in roles if (c := _id_or_none(r.get("ContactId"))))
        contacts = self._by_ids(CONTACT_FIELDS, "Contact", "Id", contact_ids)
        links = self.select(
            DOCUMENT_FIELDS, "ContentDocumentLink", f"LinkedEntityId = {soql_quote(oid)}"
        )
        documents = [d for link in links if (d := self._document(oid, link)) is not None]
        return self._dataset(opportunities, roles, contacts, documents)

    def find_by_phone(self, e164: str) -> Dataset:
        number = require_e164(e164)
        terms = unique([number[1:], national_digits(number)])
        find = " OR ".join(sosl_escape(t) for t in terms)
        sosl = f"FIND {{{find}}} IN PHONE FIELDS RETURNING Contact({CONTACT_FIELDS} LIMIT 200)"
        body = self.http.get("search", params={"q": sosl})
        found = body if isinstance(body, list) else _records(body, "searchRecords")
        contacts = [
            c
            for c in found
            if (c.get("attributes") or {}).get("type", "Contact") == "Contact"
            and _id_or_none(c.get("Id"))
            and (digits_match(c.get("Phone"), number) or digits_match(c.get("MobilePhone"), number))
        ]
        if not contacts:
            return Dataset()
        roles = self._by_ids(
            ROLE_FIELDS, "OpportunityContactRole", "ContactId", unique(c["Id"] for c in contacts)
        )
        opportunity_ids = unique(o for r in roles if (o := _id_or_none(r.get("OpportunityId"))))
        opportunities: list[dict[str, Any]] = []
        for part in chunks(opportunity_ids, IDS_PER_QUERY):
            opportunities.extend(self._opportunities(f"Id IN {_id_list(part)}"))
        return self._dataset(opportunities, roles, contacts, [])

    def write_call_log(self, entry: CallLogEntry) -> str:
        key = entry.idempotency_key
        task: dict[str, Any] = {
            "Subject": clip(call_subject(entry), 255),
            "TaskSubtype": "Call",
            "CallType": "Outbound" if entry.direction == "outbound" else "Inbound",
            "CallDurationInSeconds": entry.duration_s,
            "CallDisposition": clip(entry.disposition or entry.end_cause, 255),
            "Description": clip(call_description(entry), 32_000),
            "Status": "Completed",
            "ActivityDate": entry.started_at.date().isoformat(),
            "CallObject": key,
        }
        if entry.contact_id:
            task["WhoId"] = sf_id(entry.contact_id, "contact")
        what = entry.opportunity_id or entry.account_id
        if what:
            task["WhatId"] = sf_id(what, "opportunity or account")

        def lookup() -> str | None:
            rows = self.select("Id", "Task", f"CallObject = {soql_quote(key)}", "LIMIT 1")
            return _id_or_none(rows[0].get("Id")) if rows else None

        def create() -> str:
            return _created_id(self.http.post("sobjects/Task/", json=task, idempotent=False).body)

        return create_once(self.http, lookup, create)

    def update_contact_role(self, role: ContactRole) -> None:
        opp = sf_id(role.opportunity_id, "opportunity")
        contact = sf_id(role.contact_id, "contact")
        fields = {"Role": role_label(role.role, role.source_role), "IsPrimary": role.is_primary}

        def lookup() -> str | None:
            rows = self.select(
                "Id",
                "OpportunityContactRole",
                f"OpportunityId = {soql_quote(opp)} AND ContactId = {soql_quote(contact)}",
                "ORDER BY CreatedDate LIMIT 1",
            )
            return _id_or_none(rows[0].get("Id")) if rows else None

        existing = lookup()
        if existing is not None:
            self.http.patch(f"sobjects/OpportunityContactRole/{existing}", json=fields)
            return

        def create() -> str:
            body = {"OpportunityId": opp, "ContactId": contact, **fields}
            response = self.http.post(
                "sobjects/OpportunityContactRole/", json=body, idempotent=False
            )
            return _created_id(response.body)

        create_once(self.http, lookup, create)

    def write_contact_note(self, note: ContactNote, key: str) -> str:
        contact = sf_id(note.contact_id, "contact")
        marker = key_marker(key)
        fields = {
            "ParentId": contact,
            "Title": marked_title(note.body, key, NOTE_TITLE_MAX),
            "Body": note.body[:NOTE_BODY_MAX],
        }

        def lookup() -> str | None:
            rows = self.select(
                "Id, Title",
                "Note",
                f"ParentId = {soql_quote(contact)} AND Title LIKE {soql_like_suffix(marker)}",
                "LIMIT 10",
            )
            return next(
                (
                    found
                    for r in rows
                    if str(r.get("Title", "")).endswith(marker)
                    and (found := _id_or_none(r.get("Id")))
                ),
                None,
            )

        def create() -> str:
            return _created_id(self.http.post("sobjects/Note/", json=fields, idempotent=False).body)

        return create_once(self.http, lookup, create)


def _next_records(page: Any) -> tuple[str, None] | None:
    if not isinstance(page, dict) or page.get("done", True):
        return None
    link = page.get("nextRecordsUrl")
    return (link, None) if isinstance(link, str) and link.startswith("/services/") else None


def _records(page: Any, key: str) -> list[dict[str, Any]]:
    if not isinstance(page, dict) or not isinstance(page.get(key, []), list):
        raise ConnectorError(f"unexpected Salesforce response: no '{key}' list", retryable=False)
    return [r for r in page.get(key, []) if isinstance(r, dict)]


def _created_id(body: Any) -> str:
    if isinstance(body, dict) and body.get("success", True) and _id_or_none(body.get("id")):
        return str(body["id"])
    raise ConnectorError(
        f"Salesforce did not return the new record's id: {body!r}"[:500], retryable=False
    )
