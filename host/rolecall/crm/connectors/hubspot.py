"""HubSpot over the CRM v3 objects API and the v4 associations API.

A deal's people are its contact associations; their labels ("Decision maker", a
"Primary" label) give the role and the primary flag. Contacts and companies are read in
batches; files attached to the deal's notes (`hs_attachment_ids`) are its documents.
`find_by_phone` uses the contacts search API (`phone`/`mobilephone` EQ the number),
paging with `after`.

A call is a call engagement (`POST /crm/v3/objects/calls`) associated with the deal
and the contact in the same request. Its `hs_call_external_id` holds the idempotency
key, and a retry searches calls for it before creating. HubSpot's search index lags
writes by a few seconds, so a retry made at once may miss a record the previous attempt
created; the outbox's backoff (1 s, 2 s, 4 s…) leaves it time to appear.

A contact note is a note engagement (`POST /crm/v3/objects/notes`) associated with the
contact (and the deal). Notes have no external-id property, so the body ends with
`(rc:<key>)`; a retry searches notes whose `hs_timestamp` is the note's creation time
(to the millisecond) and takes the one whose body holds that marker.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
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
    key_marker,
    make_phone,
    parse_amount,
    parse_date,
    parse_datetime,
    phones,
    require_e164,
    role_label,
    unique,
)
from rolecall.crm.connectors.config import HubSpotConfig
from rolecall.crm.connectors.http import HttpClient, HttpOptions, Params, TokenSource
from rolecall.protocol.calllog import CallLogEntry
from rolecall.protocol.records import (
    Account,
    Contact,
    ContactRole,
    Dataset,
    Document,
    Opportunity,
    Role,
    normalize_role,
)

log = logging.getLogger(__name__)

HS_ID = re.compile(r"^[0-9]{1,20}$")
DEAL_PROPERTIES = (
    "dealname,dealstage,pipeline,amount,closedate,hubspot_owner_id,description,deal_currency_code"
)
CONTACT_PROPERTIES = [
    "firstname",
    "lastname",
    "jobtitle",
    "email",
    "phone",
    "mobilephone",
    "associatedcompanyid",
]
COMPANY_PROPERTIES = ["name", "industry", "domain", "website", "phone"]

# HUBSPOT_DEFINED association type ids (developers.hubspot.com, associations v4 guide).
CALL_TO_CONTACT = 194
CALL_TO_COMPANY = 182
CALL_TO_DEAL = 206
NOTE_TO_CONTACT = 202
NOTE_TO_DEAL = 214
NOTE_BODY_MAX = 65_536
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DEAL_TO_CONTACT = 3
DEAL_TO_COMPANY_PRIMARY = 5
BATCH_SIZE = 100
MAX_NOTES = 100
MAX_FILES = 50


def hs_id(value: str | None, what: str = "record") -> str:
    """`value` if it is a HubSpot record id (digits); otherwise a non-retryable error."""
    if not isinstance(value, str) or not HS_ID.match(value):
        raise ConnectorError(f"not a HubSpot {what} id: {value!r}", retryable=False)
    return value


def _id_or_none(value: Any) -> str | None:
    text = str(value) if isinstance(value, int | str) else ""
    return text if HS_ID.match(text) else None


def _is_primary(label: str) -> bool:
    return "primary" in label.lower()


def role_from_labels(labels: Iterable[str]) -> tuple[Role, str, bool]:
    """Role, the label it came from, and whether a "primary" label is among `labels`."""
    texts = [label for label in labels if label]
    primary = any(_is_primary(t) for t in texts)
    candidates = [t for t in texts if not _is_primary(t)]
    chosen = next(
        (t for t in candidates if normalize_role(t) not in (Role.OTHER, Role.NONE)),
        candidates[0] if candidates else "",
    )
    return normalize_role(chosen), chosen, primary


class HubSpotConnector:
    """One HubSpot account, reached with a private app (or OAuth) access token."""

    name = "hubspot"

    def __init__(
        self, config: HubSpotConfig, token: str | TokenSource, *, options: HttpOptions | None = None
    ) -> None:
        self.config = config
        self.http = HttpClient("hubspot", config.base_url + "/", token, options=options)
        self._owners: dict[str, str] = {}

    def close(self) -> None:
        self.http.close()

    def record_url(self, object_type_id: str, record_id: str) -> str | None:
        if not self.config.portal_id:
            return None
        return (
            f"https://app.hubspot.com/contacts/{self.config.portal_id}/record/"
            f"{object_type_id}/{record_id}"
        )

    # -- reads ------------------------------------------------------------------------

    def associations(self, from_type: str, from_id: str, to_type: str) -> list[dict[str, Any]]:
        """Every v4 association from one record to `to_type`, with its types and labels."""
        path = f"crm/v4/objects/{from_type}/{hs_id(from_id)}/associations/{to_type}"

        def next_page(page: Any) -> tuple[str, Params] | None:
            after = _after(page)
            return (path, {"limit": 500, "after": after}) if after else None

        rows: list[dict[str, Any]] = []
        for page in self.http.paginate(path, next_page, params={"limit": 500}):
            rows.extend(r for r in _results(page) if _id_or_none(r.get("toObjectId")))
        return rows

    def batch_read(
        self, object_type: str, ids: list[str], properties: list[str]
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for part in chunks(unique(ids), BATCH_SIZE):
            body = {"properties": properties, "inputs": [{"id": i} for i in part]}
            response = self.http.post(
                f"crm/v3/objects/{object_type}/batch/read", json=body, idempotent=True
            )
            rows.extend(r for r in _results(response.body) if _id_or_none(r.get("id")))
        return rows

    def search(
        self, object_type: str, filter_groups: list[dict[str, Any]], properties: list[str]
    ) -> list[dict[str, Any]]:
        """Every result of a CRM search, paging with `after`."""
        path = f"crm/v3/objects/{object_type}/search"

        def body(params: Params | None) -> dict[str, Any]:
            request: dict[str, Any] = {
                "filterGroups": filter_groups,
                "properties": properties,
                "limit": 100,
            }
            if params and params.get("after"):
                request["after"] = str(params["after"])
            return request

        def next_page(page: Any) -> tuple[str, Params] | None:
            after = _after(page)
            return (path, {"after": after}) if after else None

        rows: list[dict[str, Any]] = []
        for page in self.http.paginate(path, next_page, method="POST", json=body):
            rows.extend(r for r in _results(page) if _id_or_none(r.get("id")))
        return rows

    def _owner(self, owner_id: Any) -> str:
        oid = _id_or_none(owner_id)
        if oid is None:
            return ""
        if oid not in self._owners:
            self._owners[oid] = self._fetch_owner(oid)
        return self._owners[oid]

    def _fetch_owner(self, oid: str) -> str:
        try:
            owner = self.http.get(f"crm/v3/owners/{oid}")
        except ConnectorError as exc:
            if exc.retryable:
                raise
            return ""  # an owner we may not read does not hide the deal
        if not isinstance(owner, dict):
            return ""
        return clip(f"{owner.get('firstName') or ''} {owner.get('lastName') or ''}", 200)

    def _documents(self, deal_id: str) -> list[Document]:
        note_ids = [str(a["toObjectId"]) for a in self.associations("deals", deal_id, "notes")]
        notes = self.batch_read("notes", note_ids[:MAX_NOTES], ["hs_attachment_ids"])
        file_ids = unique(
            f
            for n in notes
            for f in str((n.get("properties") or {}).get("hs_attachment_ids") or "").split(";")
            if _id_or_none(f.strip())
        )
        documents: list[Document] = []
        for file_id in file_ids[:MAX_FILES]:
            try:
                meta = self.http.get(f"files/v3/files/{file_id.strip()}")
            except ConnectorError as exc:
                if exc.retryable:
                    raise
                continue  # deleted or not readable: skip that file
            if not isinstance(meta, dict) or meta.get("archived"):
                continue
            documents.append(
                Document(
                    id=file_id.strip(),
                    opportunity_id=deal_id,
                    title=clip(meta.get("name"), 200) or "(untitled)",
                    doc_type=clip(meta.get("extension"), 16).lower(),
                    size_bytes=max(0, int(meta.get("size") or 0)),
                    url=self.record_url("0-3", deal_id) or clip(meta.get("url"), 2000) or None,
                    modified_at=parse_datetime(meta.get("updatedAt")),
                )
            )
        return documents

    # -- mapping ----------------------------------------------------------------------

    def _opportunity(self, deal: dict[str, Any], account_id: str | None) -> Opportunity:
        p = deal.get("properties") or {}
        return Opportunity(
            id=hs_id(str(deal.get("id")), "deal"),
            account_id=account_id,
            name=clip(p.get("dealname"), 200),
            stage=clip(p.get("dealstage"), 200),
            amount=parse_amount(p.get("amount")),
            currency=currency(p.get("deal_currency_code")),
            close_date=parse_date(p.get("closedate")),
            owner=self._owner(p.get("hubspot_owner_id")),
            description=clip(p.get("description"), 32_000),
        )

    def _contact(self, row: dict[str, Any]) -> Contact:
        p = row.get("properties") or {}
        return Contact(
            id=str(row["id"]),
            account_id=_id_or_none(p.get("associatedcompanyid")),
            first_name=clip(p.get("firstname"), 200),
            last_name=clip(p.get("lastname"), 200),
            title=clip(p.get("jobtitle"), 200),
            email=clip(p.get("email"), 320),
            phones=phones(
                [(p.get("phone"), "work"), (p.get("mobilephone"), "mobile")],
                self.config.default_region,
            ),
        )

    def _account(self, row: dict[str, Any]) -> Account:
        p = row.get("properties") or {}
        return Account(
            id=str(row["id"]),
            name=clip(p.get("name"), 200),
            industry=clip(p.get("industry"), 200),
            website=clip(p.get("website") or p.get("domain"), 500),
            phone=make_phone(p.get("phone"), "work", self.config.default_region),
        )

    def _companies(self, ids: Iterable[str | None]) -> list[Account]:
        wanted = unique(i for i in ids if i)
        return [self._account(r) for r in self.batch_read("companies", wanted, COMPANY_PROPERTIES)]

    # -- Connector --------------------------------------------------------------------

    def opportunity(self, opportunity_id: str) -> Dataset:
        deal_id = hs_id(opportunity_id, "deal")
        deal = self.http.get(
            f"crm/v3/objects/deals/{deal_id}", params={"properties": DEAL_PROPERTIES}
        )
        if not isinstance(deal, dict):
            raise ConnectorError("unexpected HubSpot response for a deal", retryable=False)
        companies = self.associations("deals", deal_id, "companies")
        primary_company = next(
            (
                c
                for c in companies
                if any(t.get("typeId") == DEAL_TO_COMPANY_PRIMARY for t in _types(c))
            ),
            companies[0] if companies else None,
        )
        company_id = str(primary_company["toObjectId"]) if primary_company else None
        links = self.associations("deals", deal_id, "contacts")
        roles: list[ContactRole] = []
        for link in links:
            role, label, primary = role_from_labels(str(t.get("label") or "") for t in _types(link))
            roles.append(
                ContactRole(
                    opportunity_id=deal_id,
                    contact_id=str(link["toObjectId"]),
                    role=role,
                    source_role=clip(label, 200),
                    is_primary=primary,
                )
            )
        contacts = [
            self._contact(r)
            for r in self.batch_read("contacts", [r.contact_id for r in roles], CONTACT_PROPERTIES)
        ]
        known = {c.id for c in contacts}
        return Dataset(
            accounts=self._companies([company_id, *(c.account_id for c in contacts)]),
            contacts=contacts,
            opportunities=[self._opportunity(deal, company_id)],
            roles=[r for r in roles if r.contact_id in known],
            documents=self._documents(deal_id),
        )

    def find_by_phone(self, e164: str) -> Dataset:
        number = require_e164(e164)
        groups = [
            {"filters": [{"propertyName": prop, "operator": "EQ", "value": number}]}
            for prop in ("phone", "mobilephone")
        ]
        contacts = [self._contact(r) for r in self.search("contacts", groups, CONTACT_PROPERTIES)]
        contacts = list({c.id: c for c in contacts}.values())
        roles: list[ContactRole] = []
        for contact in contacts:
            for link in self.associations("contacts", contact.id, "deals"):
                role, label, primary = role_from_labels(
                    str(t.get("label") or "") for t in _types(link)
                )
                roles.append(
                    ContactRole(
                        opportunity_id=str(link["toObjectId"]),
                        contact_id=contact.id,
                        role=role,
                        source_role=clip(label, 200),
                        is_primary=primary,
                    )
                )
        deals = self.batch_read(
            "deals", [r.opportunity_id for r in roles], DEAL_PROPERTIES.split(",")
        )
        return Dataset(
            accounts=self._companies(c.account_id for c in contacts),
            contacts=contacts,
            opportunities=[self._opportunity(d, None) for d in deals],
            roles=roles,
        )

    def write_call_log(self, entry: CallLogEntry) -> str:
        key = entry.idempotency_key
        outbound = entry.direction == "outbound"
        outcome = self._outcome(entry.disposition)
        extra = f"Outcome: {entry.disposition}" if entry.disposition and not outcome else ""
        notes = call_description(entry)
        properties: dict[str, str] = {
            "hs_timestamp": entry.started_at.isoformat().replace("+00:00", "Z"),
            "hs_call_title": clip(call_subject(entry), 255),
            "hs_call_body": "\n\n".join(p for p in (notes, extra) if p)[:65_536],
            "hs_call_duration": str(entry.duration_s * 1000),
            "hs_call_direction": "OUTBOUND" if outbound else "INBOUND",
            "hs_call_status": "COMPLETED",
            "hs_call_external_id": key,
            "hs_call_to_number" if outbound else "hs_call_from_number": clip(entry.number, 256),
        }
        if outcome:
            properties["hs_call_disposition"] = outcome
        associations = []
        for record_id, type_id, what in (
            (entry.opportunity_id, CALL_TO_DEAL, "deal"),
            (entry.contact_id, CALL_TO_CONTACT, "contact"),
            (entry.account_id, CALL_TO_COMPANY, "company"),
        ):
            if record_id:
                associations.append(
                    {
                        "to": {"id": hs_id(record_id, what)},
                        "types": [
                            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}
                        ],
                    }
                )
        body = {"properties": properties, "associations": associations}

        def lookup() -> str | None:
            groups = [
                {
                    "filters": [
                        {"propertyName": "hs_call_external_id", "operator": "EQ", "value": key}
                    ]
                }
            ]
            for row in self.search("calls", groups, ["hs_call_external_id"]):
                if (row.get("properties") or {}).get("hs_call_external_id") == key:
                    return str(row["id"])
            return None

        def create() -> str:
            created = self.http.post("crm/v3/objects/calls", json=body, idempotent=False).body
            found = _id_or_none((created or {}).get("id") if isinstance(created, dict) else None)
            if found is None:
                raise ConnectorError("HubSpot did not return the new call's id", retryable=False)
            return found

        return create_once(self.http, lookup, create)

    def write_contact_note(self, note: ContactNote, key: str) -> str:
        marker = key_marker(key)
        millis = _millis(note.created_at)
        text = note.body.strip()[: NOTE_BODY_MAX - len(marker) - 2]
        associations = [
            {
                "to": {"id": hs_id(record_id, what)},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}],
            }
            for record_id, type_id, what in (
                (note.contact_id, NOTE_TO_CONTACT, "contact"),
                (note.opportunity_id, NOTE_TO_DEAL, "deal"),
            )
            if record_id
        ]
        body = {
            "properties": {
                "hs_timestamp": _iso_millis(millis),
                "hs_note_body": f"{text}\n\n{marker}",
            },
            "associations": associations,
        }

        def lookup() -> str | None:
            groups = [
                {
                    "filters": [
                        {"propertyName": "hs_timestamp", "operator": "EQ", "value": str(millis)}
                    ]
                }
            ]
            for row in self.search("notes", groups, ["hs_note_body"]):
                if marker in str((row.get("properties") or {}).get("hs_note_body") or ""):
                    return str(row["id"])
            return None

        def create() -> str:
            created = self.http.post("crm/v3/objects/notes", json=body, idempotent=False).body
            found = _id_or_none((created or {}).get("id") if isinstance(created, dict) else None)
            if found is None:
                raise ConnectorError("HubSpot did not return the new note's id", retryable=False)
            return found

        return create_once(self.http, lookup, create)

    def _outcome(self, disposition: str) -> str | None:
        """The call outcome GUID: given as one, or configured for this wording."""
        text = disposition.strip()
        if GUID.match(text):
            return text
        by_label = {k.strip().lower(): v for k, v in self.config.call_outcomes.items()}
        found = by_label.get(text.lower())
        return found if found and GUID.match(found) else None

    def update_contact_role(self, role: ContactRole) -> None:
        deal_id = hs_id(role.opportunity_id, "deal")
        contact_id = hs_id(role.contact_id, "contact")
        definitions = _results(self.http.get("crm/v4/associations/deals/contacts/labels"))
        default = next(
            (
                d
                for d in definitions
                if d.get("category") == "HUBSPOT_DEFINED" and not d.get("label")
            ),
            {"category": "HUBSPOT_DEFINED", "typeId": DEAL_TO_CONTACT},
        )
        labelled = [d for d in definitions if d.get("label")]
        wanted = role_label(role.role, role.source_role)
        target = None
        if wanted:
            target = next(
                (d for d in labelled if str(d["label"]).lower() == wanted.lower()),
                next(
                    (
                        d
                        for d in labelled
                        if not _is_primary(str(d["label"]))
                        and normalize_role(d["label"]) == role.role
                    ),
                    None,
                ),
            )
            if target is None:
                raise ConnectorError(
                    f"HubSpot has no deal-contact association label for {wanted!r}",
                    retryable=False,
                )
        primary = next((d for d in labelled if _is_primary(str(d["label"]))), None)
        desired = [
            default,
            *([target] if target else []),
            *([primary] if role.is_primary and primary else []),
        ]
        desired_keys = {_type_key(d) for d in desired}

        current = next(
            (
                _types(a)
                for a in self.associations("deals", deal_id, "contacts")
                if str(a["toObjectId"]) == contact_id
            ),
            [],
        )
        self.http.put(
            f"crm/v4/objects/deals/{deal_id}/associations/contacts/{contact_id}",
            json=[
                {"associationCategory": d["category"], "associationTypeId": d["typeId"]}
                for d in desired
            ],
        )
        stale = [t for t in current if t.get("label") and _type_key(t) not in desired_keys]
        if stale:
            self.http.post(
                "crm/v4/associations/deals/contacts/batch/labels/archive",
                json={
                    "inputs": [
                        {
                            "from": {"id": deal_id},
                            "to": {"id": contact_id},
                            "types": [
                                {
                                    "associationCategory": t["category"],
                                    "associationTypeId": t["typeId"],
                                }
                                for t in stale
                            ],
                        }
                    ]
                },
                idempotent=True,
            )
        if role.is_primary and primary is None:
            raise ConnectorError(
                "the role was set, but HubSpot has no 'Primary' deal-contact label, so the "
                "contact could not be marked primary",
                retryable=False,
            )


def _results(page: Any) -> list[dict[str, Any]]:
    if not isinstance(page, dict) or not isinstance(page.get("results", []), list):
        raise ConnectorError("unexpected HubSpot response: no 'results' list", retryable=False)
    return [r for r in page.get("results", []) if isinstance(r, dict)]


def _after(page: Any) -> str | None:
    after = (
        ((page.get("paging") or {}).get("next") or {}).get("after")
        if isinstance(page, dict)
        else None
    )
    return str(after) if after else None


def _types(association: dict[str, Any]) -> list[dict[str, Any]]:
    types = association.get("associationTypes")
    return [t for t in types if isinstance(t, dict)] if isinstance(types, list) else []


def _type_key(t: dict[str, Any]) -> tuple[str, int]:
    return str(t.get("category")), int(t.get("typeId") or 0)


def _millis(value: datetime) -> int:
    """`value` as Unix milliseconds (a naive time is taken as UTC)."""
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(milliseconds=1)


def _iso_millis(millis: int) -> str:
    """Unix milliseconds as a UTC time to the millisecond: `2025-06-04T07:55:00.123Z`."""
    moment = EPOCH + timedelta(milliseconds=millis)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"
