"""Dynamics 365 Sales over the Dataverse Web API (`/api/data/v9.2/`).

Stakeholders are `connections` whose `record1id` is the opportunity and whose
`record2id` is a contact; the connection role's name (`record2roleid`) is mapped with
`normalize_role`. The opportunity's `parentcontactid` (its primary contact) sets the
primary flag. Notes with attachments (`annotations`, `isdocument eq true`) are the
documents. Collections follow `@odata.nextLink`.

Ids are GUIDs, checked by pattern before they are placed in a URL or a `$filter`;
strings in a `$filter` are OData literals with single quotes doubled, and in
`contains/endswith` the SQL wildcards `%`, `_` and `[` are bracketed as well.

A call is a `phonecall` activity regarding the opportunity. Dataverse has no column
meant for an external key, so the idempotency key ends the subject as `(rc:<key>)`;
a retry searches `endswith(subject, '(rc:<key>)')` before creating. The activity is
then marked completed (statecode 1). A contact note is an `annotation` on the contact,
its subject ending in the same kind of marker.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from rolecall.crm.connectors.base import ConnectorError, ContactNote
from rolecall.crm.connectors.common import (
    GUID,
    call_description,
    call_subject,
    chunks,
    clip,
    create_once,
    currency,
    digits_match,
    extension,
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
from rolecall.crm.connectors.config import DynamicsConfig
from rolecall.crm.connectors.http import HttpClient, HttpOptions, Params, TokenSource
from rolecall.phones import variants as phone_variants
from rolecall.protocol.calllog import CallLogEntry
from rolecall.protocol.records import (
    Account,
    Contact,
    ContactRole,
    Dataset,
    Document,
    Opportunity,
    normalize_role,
)

FORMATTED = "@OData.Community.Display.V1.FormattedValue"
LOGICAL_NAME = "@Microsoft.Dynamics.CRM.lookuplogicalname"
PAGE_SIZE = 500
LIST_HEADERS = {"Prefer": f'odata.include-annotations="*",odata.maxpagesize={PAGE_SIZE}'}
IDS_PER_FILTER = 50
SUBJECT_MAX = 200
DESCRIPTION_MAX = 2000

ACCOUNT_SELECT = "accountid,name,websiteurl,telephone1,industrycode"
OPPORTUNITY_SELECT = (
    "opportunityid,name,stepname,estimatedvalue,estimatedclosedate,description,"
    "_customerid_value,_parentaccountid_value,_parentcontactid_value,_ownerid_value"
)
OPPORTUNITY_EXPAND = (
    f"customerid_account($select={ACCOUNT_SELECT}),"
    f"parentaccountid($select={ACCOUNT_SELECT}),"
    "transactioncurrencyid($select=isocurrencycode)"
)
CONTACT_SELECT = (
    "contactid,firstname,lastname,jobtitle,emailaddress1,telephone1,mobilephone,"
    "_parentcustomerid_value"
)
CONNECTION_SELECT = "connectionid,_record1id_value,_record2id_value,_record2roleid_value"
DOCUMENT_SELECT = "annotationid,subject,filename,filesize,mimetype,modifiedon,_ownerid_value"


def guid(value: str | None, what: str = "record") -> str:
    """`value` (lower case) if it is a GUID; otherwise a non-retryable error."""
    text = (value or "").strip("{}") if isinstance(value, str) else ""
    if not GUID.match(text):
        raise ConnectorError(f"not a Dynamics {what} id (GUID): {value!r}", retryable=False)
    return text.lower()


def _guid_or_none(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) and GUID.match(value) else None


def odata_string(value: str) -> str:
    """`value` as an OData string literal: single quotes doubled."""
    return "'" + str(value).replace("'", "''") + "'"


def like_escape(value: str) -> str:
    """`value` matched literally by contains/startswith/endswith (Dataverse uses LIKE)."""
    return re.sub(r"([%_\[])", r"[\1]", value)


def _any_of(field: str, ids: Iterable[str]) -> str:
    return "(" + " or ".join(f"{field} eq {guid(i)}" for i in ids) + ")"


class DynamicsConnector:
    """One Dynamics 365 organisation, reached with an Entra ID access token."""

    name = "dynamics"

    def __init__(
        self,
        config: DynamicsConfig,
        token: str | TokenSource,
        *,
        options: HttpOptions | None = None,
    ) -> None:
        self.config = config
        root = f"{config.org_url}/api/data/{config.api_version}/"
        headers = {
            "OData-MaxVersion": "4.0",
            "OData-Version": "4.0",
            "Prefer": 'odata.include-annotations="*"',
        }
        self.http = HttpClient("dynamics", root, token, headers=headers, options=options)

    def close(self) -> None:
        self.http.close()

    def record_url(self, entity: str, record_id: str) -> str:
        return f"{self.config.org_url}/main.aspx?pagetype=entityrecord&etn={entity}&id={record_id}"

    # -- queries ----------------------------------------------------------------------

    def collect(self, entity_set: str, params: Params) -> list[dict[str, Any]]:
        """Every row of a collection query, following `@odata.nextLink`."""
        rows: list[dict[str, Any]] = []
        for page in self.http.paginate(entity_set, _next_link, params=params, headers=LIST_HEADERS):
            if not isinstance(page, dict) or not isinstance(page.get("value"), list):
                raise ConnectorError(
                    "unexpected Dynamics response: no 'value' list", retryable=False
                )
            rows.extend(r for r in page["value"] if isinstance(r, dict))
        return rows

    def _by_ids(
        self, entity_set: str, key: str, ids: list[str], select: str, expand: str | None = None
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for part in chunks(ids, IDS_PER_FILTER):
            params: dict[str, str] = {"$select": select, "$filter": _any_of(key, part)}
            if expand:
                params["$expand"] = expand
            rows.extend(self.collect(entity_set, params))
        return rows

    def _stakeholders(self, side: str, ids: list[str]) -> list[dict[str, Any]]:
        """Active connections whose `side` (`_record1id_value`/`_record2id_value`) is in ids."""
        rows: list[dict[str, Any]] = []
        for part in chunks(ids, IDS_PER_FILTER):
            rows.extend(
                self.collect(
                    "connections",
                    {
                        "$select": CONNECTION_SELECT,
                        "$filter": f"{_any_of(side, part)} and statecode eq 0",
                        "$expand": "record2roleid($select=name)",
                    },
                )
            )
        return [
            r
            for r in rows
            if r.get(f"_record1id_value{LOGICAL_NAME}") == "opportunity"
            and r.get(f"_record2id_value{LOGICAL_NAME}") == "contact"
            and _guid_or_none(r.get("_record1id_value"))
            and _guid_or_none(r.get("_record2id_value"))
        ]

    # -- mapping ----------------------------------------------------------------------

    def _account(self, r: dict[str, Any]) -> Account | None:
        account_id = _guid_or_none(r.get("accountid"))
        if account_id is None:
            return None
        return Account(
            id=account_id,
            name=clip(r.get("name"), 200),
            industry=clip(r.get(f"industrycode{FORMATTED}"), 200),
            website=clip(r.get("websiteurl"), 500),
            phone=make_phone(r.get("telephone1"), "work", self.config.default_region),
        )

    def _opportunity(self, r: dict[str, Any]) -> tuple[Opportunity, Account | None]:
        account_row = r.get("customerid_account") or r.get("parentaccountid") or {}
        account = self._account(account_row) if isinstance(account_row, dict) else None
        account_id = (
            account.id
            if account
            else (
                _guid_or_none(r.get("_parentaccountid_value"))
                or (
                    _guid_or_none(r.get("_customerid_value"))
                    if r.get(f"_customerid_value{LOGICAL_NAME}") == "account"
                    else None
                )
            )
        )
        opportunity = Opportunity(
            id=guid(r.get("opportunityid"), "opportunity"),
            account_id=account_id,
            name=clip(r.get("name"), 200),
            stage=clip(r.get("stepname"), 200),
            amount=parse_amount(r.get("estimatedvalue")),
            currency=currency((r.get("transactioncurrencyid") or {}).get("isocurrencycode")),
            close_date=parse_date(r.get("estimatedclosedate")),
            owner=clip(r.get(f"_ownerid_value{FORMATTED}"), 200),
            description=clip(r.get("description"), 32_000),
        )
        return opportunity, account

    def _contact(self, r: dict[str, Any]) -> Contact:
        parent = r.get("_parentcustomerid_value")
        is_account = r.get(f"_parentcustomerid_value{LOGICAL_NAME}") == "account"
        return Contact(
            id=guid(r.get("contactid"), "contact"),
            account_id=_guid_or_none(parent) if is_account else None,
            first_name=clip(r.get("firstname"), 200),
            last_name=clip(r.get("lastname"), 200),
            title=clip(r.get("jobtitle"), 200),
            email=clip(r.get("emailaddress1"), 320),
            phones=phones(
                [(r.get("telephone1"), "work"), (r.get("mobilephone"), "mobile")],
                self.config.default_region,
            ),
        )

    def _document(self, opportunity_id: str, r: dict[str, Any]) -> Document | None:
        doc_id = _guid_or_none(r.get("annotationid"))
        if doc_id is None:
            return None
        return Document(
            id=doc_id,
            opportunity_id=opportunity_id,
            title=clip(r.get("filename") or r.get("subject"), 200) or "(untitled)",
            doc_type=extension(r.get("filename")),
            size_bytes=max(0, int(r.get("filesize") or 0)),
            url=self.record_url("opportunity", opportunity_id),
            owner=clip(r.get(f"_ownerid_value{FORMATTED}"), 200),
            modified_at=parse_datetime(r.get("modifiedon")),
        )

    @staticmethod
    def _role(connection: dict[str, Any], primary: dict[str, str | None]) -> ContactRole:
        opp = str(connection["_record1id_value"]).lower()
        contact = str(connection["_record2id_value"]).lower()
        name = (connection.get("record2roleid") or {}).get("name") or connection.get(
            f"_record2roleid_value{FORMATTED}"
        )
        return ContactRole(
            opportunity_id=opp,
            contact_id=contact,
            role=normalize_role(name),
            source_role=clip(name, 200),
            is_primary=primary.get(opp) == contact,
        )

    def _dataset(
        self,
        opportunity_rows: list[dict[str, Any]],
        connections: list[dict[str, Any]],
        contact_rows: list[dict[str, Any]],
        documents: list[Document],
    ) -> Dataset:
        accounts: dict[str, Account] = {}
        opportunities: list[Opportunity] = []
        primary: dict[str, str | None] = {}
        for row in opportunity_rows:
            opportunity, account = self._opportunity(row)
            opportunities.append(opportunity)
            primary[opportunity.id] = _guid_or_none(row.get("_parentcontactid_value"))
            if account is not None:
                accounts[account.id] = account
        contacts = [self._contact(c) for c in contact_rows]
        known = {c.id for c in contacts}
        roles: dict[tuple[str, str], ContactRole] = {}
        for connection in connections:
            role = self._role(connection, primary)
            if role.contact_id in known and (role.opportunity_id, role.contact_id) not in roles:
                roles[(role.opportunity_id, role.contact_id)] = role
        for opp, contact in primary.items():  # the primary contact, even without a connection
            if contact in known and (opp, contact) not in roles:
                roles[(opp, contact)] = ContactRole(
                    opportunity_id=opp, contact_id=contact, is_primary=True
                )
        missing = unique(
            a
            for a in [o.account_id for o in opportunities] + [c.account_id for c in contacts]
            if a is not None and a not in accounts
        )
        for row in self._by_ids("accounts", "accountid", missing, ACCOUNT_SELECT):
            if (account := self._account(row)) is not None:
                accounts[account.id] = account
        return Dataset(
            accounts=list(accounts.values()),
            contacts=contacts,
            opportunities=opportunities,
            roles=list(roles.values()),
            documents=documents,
        )

    # -- Connector --------------------------------------------------------------------

    def opportunity(self, opportunity_id: str) -> Dataset:
        oid = guid(opportunity_id, "opportunity")
        row = self.http.get(
            f"opportunities({oid})",
            params={"$select": OPPORTUNITY_SELECT, "$expand": OPPORTUNITY_EXPAND},
        )
        if not isinstance(row, dict):
            raise ConnectorError("unexpected Dynamics response for an opportunity", retryable=False)
        connections = self._stakeholders("_record1id_value", [oid])
        contact_ids = unique(str(c["_record2id_value"]).lower() for c in connections)
        primary = _guid_or_none(row.get("_parentcontactid_value"))
        if primary and primary not in contact_ids:
            contact_ids.append(primary)
        contacts = self._by_ids("contacts", "contactid", contact_ids, CONTACT_SELECT)
        annotations = self.collect(
            "annotations",
            {
                "$select": DOCUMENT_SELECT,
                "$filter": f"_objectid_value eq {oid} and isdocument eq true",
            },
        )
        documents = [d for a in annotations if (d := self._document(oid, a)) is not None]
        return self._dataset([row], connections, contacts, documents)

    def find_by_phone(self, e164: str) -> Dataset:
        number = require_e164(e164)
        clauses = [
            f"{field} eq {odata_string(variant)}"
            for field in ("telephone1", "mobilephone")
            for variant in phone_variants(number)
        ]
        rows = self.collect(
            "contacts", {"$select": CONTACT_SELECT, "$filter": " or ".join(clauses)}
        )
        contacts = [
            c
            for c in rows
            if _guid_or_none(c.get("contactid"))
            and (
                digits_match(c.get("telephone1"), number)
                or digits_match(c.get("mobilephone"), number)
            )
        ]
        if not contacts:
            return Dataset()
        contact_ids = unique(str(c["contactid"]).lower() for c in contacts)
        connections = self._stakeholders("_record2id_value", contact_ids)
        opportunity_ids = unique(str(c["_record1id_value"]).lower() for c in connections)
        opportunities = self._by_ids(
            "opportunities",
            "opportunityid",
            opportunity_ids,
            OPPORTUNITY_SELECT,
            OPPORTUNITY_EXPAND,
        )
        return self._dataset(opportunities, connections, contacts, [])

    def write_call_log(self, entry: CallLogEntry) -> str:
        key = entry.idempotency_key
        marker = f"(rc:{key})"
        subject = clip(call_subject(entry), SUBJECT_MAX - len(marker) - 1) + " " + marker
        outbound = entry.direction == "outbound"
        extra = f"Outcome: {entry.disposition}\n\n" if entry.disposition else ""
        description = extra + call_description(entry, marker=f"Rolecall call {key}")
        body: dict[str, Any] = {
            "subject": subject,
            "description": description[:DESCRIPTION_MAX],
            "directioncode": outbound,
            "actualdurationminutes": math.ceil(entry.duration_s / 60),
            "actualstart": _iso(entry.answered_at or entry.started_at),
            "actualend": _iso(entry.ended_at),
            "phonenumber": clip(entry.number, 200),
        }
        opp = guid(entry.opportunity_id, "opportunity") if entry.opportunity_id else None
        if opp:
            body["regardingobjectid_opportunity@odata.bind"] = f"/opportunities({opp})"
        elif entry.account_id:
            body["regardingobjectid_account@odata.bind"] = f"/accounts({guid(entry.account_id)})"
        if entry.contact_id:
            body["phonecall_activity_parties"] = [
                {
                    "partyid_contact@odata.bind": f"/contacts({guid(entry.contact_id, 'contact')})",
                    "participationtypemask": 2 if outbound else 1,  # 2 = To, 1 = From
                }
            ]
        completed = {"statecode": 1, "statuscode": 2 if outbound else 4}  # Made / Received

        def lookup() -> str | None:
            condition = f"endswith(subject,{odata_string(like_escape(marker))})"
            if opp:
                condition += f" and _regardingobjectid_value eq {opp}"
            rows = self.collect(
                "phonecalls", {"$select": "activityid,subject,statecode", "$filter": condition}
            )
            for row in rows:
                found = _guid_or_none(row.get("activityid"))
                if found and str(row.get("subject", "")).endswith(marker):
                    if row.get("statecode") == 0:  # created but not yet completed
                        self.http.patch(f"phonecalls({found})", json=completed)
                    return found
            return None

        def create() -> str:
            response = self.http.post("phonecalls", json=body, idempotent=False)
            created = _entity_id(response.headers.get("OData-EntityId"), response.body)
            self.http.patch(f"phonecalls({created})", json=completed)
            return created

        return create_once(self.http, lookup, create)

    def update_contact_role(self, role: ContactRole) -> None:
        opp = guid(role.opportunity_id, "opportunity")
        contact = guid(role.contact_id, "contact")
        label = role_label(role.role, role.source_role)
        role_id = self._connection_role(label) if label else None

        def lookup() -> str | None:
            rows = self.collect(
                "connections",
                {
                    "$select": CONNECTION_SELECT,
                    "$filter": f"_record1id_value eq {opp} and _record2id_value eq {contact} "
                    "and statecode eq 0",
                },
            )
            return next((c for r in rows if (c := _guid_or_none(r.get("connectionid")))), None)

        existing = lookup()
        if existing is not None:
            if role_id:
                self.http.patch(
                    f"connections({existing})",
                    json={"record2roleid@odata.bind": f"/connectionroles({role_id})"},
                )
            else:
                self.http.delete(f"connections({existing})/record2roleid/$ref")
        else:
            body = {
                "record1id_opportunity@odata.bind": f"/opportunities({opp})",
                "record2id_contact@odata.bind": f"/contacts({contact})",
            }
            if role_id:
                body["record2roleid@odata.bind"] = f"/connectionroles({role_id})"

            def create() -> str:
                response = self.http.post("connections", json=body, idempotent=False)
                return _entity_id(response.headers.get("OData-EntityId"), response.body)

            create_once(self.http, lookup, create)
        self._set_primary(opp, contact, role.is_primary)

    def write_contact_note(self, note: ContactNote, key: str) -> str:
        contact = guid(note.contact_id, "contact")
        marker = key_marker(key)
        body = {
            "subject": marked_title(note.body, key, SUBJECT_MAX),
            "notetext": note.body,
            "objectid_contact@odata.bind": f"/contacts({contact})",
        }

        def lookup() -> str | None:
            rows = self.collect(
                "annotations",
                {
                    "$select": "annotationid,subject",
                    "$filter": f"endswith(subject,{odata_string(like_escape(marker))}) "
                    f"and _objectid_value eq {contact}",
                },
            )
            return next(
                (
                    found
                    for row in rows
                    if str(row.get("subject", "")).endswith(marker)
                    and (found := _guid_or_none(row.get("annotationid")))
                ),
                None,
            )

        def create() -> str:
            response = self.http.post("annotations", json=body, idempotent=False)
            return _entity_id(response.headers.get("OData-EntityId"), response.body)

        return create_once(self.http, lookup, create)

    def _connection_role(self, label: str) -> str:
        rows = self.collect(
            "connectionroles",
            {
                "$select": "connectionroleid,name",
                "$filter": f"name eq {odata_string(label)} and statecode eq 0",
            },
        )
        found = next((r for r in rows if str(r.get("name", "")).lower() == label.lower()), None)
        role_id = _guid_or_none(found.get("connectionroleid")) if found else None
        if role_id is None:
            raise ConnectorError(
                f"Dynamics has no active connection role named {label!r}", retryable=False
            )
        return role_id

    def _set_primary(self, opp: str, contact: str, primary: bool) -> None:
        row = self.http.get(f"opportunities({opp})", params={"$select": "_parentcontactid_value"})
        current = _guid_or_none((row or {}).get("_parentcontactid_value"))
        if primary and current != contact:
            self.http.patch(
                f"opportunities({opp})",
                json={"parentcontactid@odata.bind": f"/contacts({contact})"},
            )
        elif not primary and current == contact:
            self.http.delete(f"opportunities({opp})/parentcontactid/$ref")


def _next_link(page: Any) -> tuple[str, None] | None:
    link = page.get("@odata.nextLink") if isinstance(page, dict) else None
    return (link, None) if isinstance(link, str) and link else None


def _entity_id(header: str | None, body: Any) -> str:
    """The new record's GUID from `OData-EntityId` (204) or the representation (201)."""
    match = re.search(r"\(([0-9a-fA-F-]{36})\)\s*$", header or "")
    if match and GUID.match(match.group(1)):
        return match.group(1).lower()
    if isinstance(body, dict):
        for key in ("activityid", "connectionid", "annotationid"):
            if (found := _guid_or_none(body.get(key))) is not None:
                return found
    raise ConnectorError("Dynamics did not return the new record's id", retryable=False)


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
