"""Fake Salesforce, Dynamics and HubSpot APIs on a `FakeServer`, replaying the fixtures.

Reads answer with the fixture files; writes (tasks, phone calls, call engagements,
notes, roles, connections, association labels) go to in-memory stores that later
lookups search, so idempotency can be tested the way the real CRMs would behave.
"""

from __future__ import annotations

import copy
import itertools
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.fake_server import FakeServer, Recorded, Reply, load_fixture

SOQL_LITERAL = re.compile(r"'((?:[^'\\]|\\.)*)'")
ODATA_LITERAL = re.compile(r"'((?:[^']|'')*)'")
GUID_RX = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def soql_literals(soql: str) -> list[str]:
    """The string literals of a SOQL statement, unescaped as Salesforce's lexer would."""
    escapes = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
    return [
        re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), raw)
        for raw in SOQL_LITERAL.findall(soql)
    ]


def odata_literals(expression: str) -> list[str]:
    return [raw.replace("''", "'") for raw in ODATA_LITERAL.findall(expression)]


def soql_like(raw: str) -> re.Pattern[str]:
    """A SOQL LIKE pattern literal (as written, escapes and all) as Salesforce matches it.

    `%` is any text, `_` one character, a backslash-escaped character itself; case is ignored.
    """
    escapes = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
    out, i = [], 0
    while i < len(raw):
        char = raw[i]
        if char == "\\" and i + 1 < len(raw):
            out.append(re.escape(escapes.get(raw[i + 1], raw[i + 1])))
            i += 2
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def endswith_suffix(expression: str) -> str:
    """The text a Dataverse `endswith(subject,'…')` looks for (LIKE's [x] escapes undone)."""
    match = re.match(r"endswith\(subject,'((?:[^']|'')*)'\)", expression)
    assert match, expression
    return re.sub(r"\[(.)\]", r"\1", match.group(1).replace("''", "'"))


# -- Salesforce -------------------------------------------------------------------------


class FakeSalesforce:
    API = "/services/data/v60.0"
    OPPORTUNITY = "006Dn00000A1b2cIAB"

    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self.multicurrency = True
        self.tasks: dict[str, dict[str, Any]] = {}
        self.notes: dict[str, dict[str, Any]] = {}
        self.roles: dict[str, dict[str, Any]] = {}
        for page in ("contact_roles_page1.json", "contact_roles_page2.json"):
            for record in load_fixture(f"salesforce/{page}")["records"]:
                self.roles[record["Id"]] = dict(record)
        self._ids = itertools.count(1)
        api = re.escape(self.API)
        server.route("GET", f"{api}/query", self._query)
        server.route(
            "GET",
            f"{api}/query/01gDn00000I1aaaIAA-2",
            Reply(body=load_fixture("salesforce/contact_roles_page2.json")),
        )
        server.route("GET", f"{api}/search", self._search)
        server.route("POST", f"{api}/sobjects/Task/", self._create_task)
        server.route("POST", f"{api}/sobjects/Note/", self._create_note)
        server.route("POST", f"{api}/sobjects/OpportunityContactRole/", self._create_role)
        server.route(
            "PATCH", f"{api}/sobjects/OpportunityContactRole/(?P<id>[A-Za-z0-9]+)", self._patch_role
        )

    @staticmethod
    def _result(records: list[dict[str, Any]]) -> Reply:
        return Reply(body={"totalSize": len(records), "done": True, "records": records})

    @staticmethod
    def _filtered(fixture: str, ids: list[str], key: str = "Id") -> Reply:
        records = [r for r in load_fixture(fixture)["records"] if r[key] in ids]
        return FakeSalesforce._result(records)

    def _query(self, request: Recorded) -> Reply:
        q = request.param("q") or ""
        literals = soql_literals(q)
        if "FROM Opportunity WHERE" in q:
            if "CurrencyIsoCode" in q and not self.multicurrency:
                return Reply(400, load_fixture("salesforce/error_invalid_field.json"))
            name = "opportunity.json" if self.multicurrency else "opportunity_single_currency.json"
            return self._filtered(f"salesforce/{name}", literals)
        if "FROM Organization" in q:
            return Reply(body=load_fixture("salesforce/organization.json"))
        if "FROM OpportunityContactRole WHERE OpportunityId" in q and "AND ContactId" in q:
            opp, contact = literals
            found = [
                {"attributes": {"type": "OpportunityContactRole"}, "Id": r["Id"]}
                for r in self.roles.values()
                if r["OpportunityId"] == opp and r["ContactId"] == contact
            ]
            return self._result(found[:1])
        if "FROM OpportunityContactRole WHERE OpportunityId" in q:
            return Reply(body=load_fixture("salesforce/contact_roles_page1.json"))
        if "FROM OpportunityContactRole WHERE ContactId IN" in q:
            return self._result([r for r in self.roles.values() if r["ContactId"] in literals])
        if "FROM Contact WHERE Id IN" in q:
            return self._filtered("salesforce/contacts.json", literals)
        if "FROM Account WHERE Id IN" in q:
            return self._filtered("salesforce/account.json", literals)
        if "FROM ContentDocumentLink WHERE LinkedEntityId" in q:
            return Reply(body=load_fixture("salesforce/documents.json"))
        if "FROM Task WHERE CallObject" in q:
            key = literals[0]
            found = [
                {"attributes": {"type": "Task"}, "Id": task_id}
                for task_id, task in self.tasks.items()
                if task.get("CallObject") == key
            ]
            return self._result(found)
        if "FROM Note WHERE ParentId" in q and "AND Title LIKE" in q:
            parent, pattern = SOQL_LITERAL.findall(q)
            title = soql_like(pattern)
            found = [
                {"attributes": {"type": "Note"}, "Id": note_id, "Title": note["Title"]}
                for note_id, note in self.notes.items()
                if note["ParentId"] == parent and title.fullmatch(note["Title"])
            ]
            return self._result(found)
        return Reply(400, [{"message": f"unexpected query {q}", "errorCode": "MALFORMED_QUERY"}])

    def _search(self, request: Recorded) -> Reply:
        return Reply(body=load_fixture("salesforce/search_contacts.json"))

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}Dn00000F{next(self._ids):04d}IAA"

    def _create_task(self, request: Recorded) -> Reply:
        task_id = self._new_id("00T")
        self.tasks[task_id] = dict(request.body)
        return Reply(201, {"id": task_id, "errors": [], "success": True})

    def _create_note(self, request: Recorded) -> Reply:
        if not request.body.get("ParentId"):
            return Reply(
                400,
                [{"message": "Required fields are missing: [ParentId]",
                  "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["ParentId"]}],
            )  # fmt: skip
        note_id = self._new_id("002")
        self.notes[note_id] = dict(request.body)
        return Reply(201, {"id": note_id, "errors": [], "success": True})

    def _create_role(self, request: Recorded) -> Reply:
        role_id = self._new_id("00K")
        self.roles[role_id] = {"Id": role_id, **request.body}
        return Reply(201, {"id": role_id, "errors": [], "success": True})

    def _patch_role(self, request: Recorded) -> Reply:
        role_id = request.path.rsplit("/", 1)[1]
        if role_id not in self.roles:
            return Reply(404, [{"message": "not found", "errorCode": "NOT_FOUND"}])
        self.roles[role_id].update(request.body)
        return Reply(204)


# -- Dynamics ---------------------------------------------------------------------------


class FakeDynamics:
    API = "/api/data/v9.2"
    OPPORTUNITY = "8c3b7f1e-2a4d-4e5f-9a6b-1c2d3e4f5a60"
    CONTACT_A = "c0000000-0000-4000-8000-00000000000a"
    CONTACT_B = "c0000000-0000-4000-8000-00000000000b"
    CONTACT_D = "c0000000-0000-4000-8000-00000000000d"
    ROLE_ECONOMIC_BUYER = "f0000000-0000-4000-8000-000000000005"

    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self.base = server.url
        self.primary_contact: str | None = self.CONTACT_A
        self.phonecalls: dict[str, dict[str, Any]] = {}
        self.annotations: dict[str, dict[str, Any]] = {}
        self.connections: dict[str, dict[str, Any]] = {}
        for page in ("connections_page1.json", "connections_page2.json"):
            for row in self.fixture(page)["value"]:
                self.connections[row["connectionid"]] = {
                    "record1": row["_record1id_value"],
                    "record2": row["_record2id_value"],
                    "role": row["_record2roleid_value"],
                    "record2_type": row[
                        "_record2id_value@Microsoft.Dynamics.CRM.lookuplogicalname"
                    ],
                }
        self._ids = itertools.count(1)
        api = re.escape(self.API)
        g = f"(?P<id>{GUID_RX})"
        server.route("GET", rf"{api}/opportunities\({g}\)", self._opportunity)
        server.route("GET", f"{api}/opportunities", self._opportunities)
        server.route("PATCH", rf"{api}/opportunities\({g}\)", self._patch_opportunity)
        server.route(
            "DELETE", rf"{api}/opportunities\({g}\)/parentcontactid/\$ref", self._unset_primary
        )
        server.route("GET", f"{api}/connections", self._get_connections)
        server.route("POST", f"{api}/connections", self._create_connection)
        server.route("PATCH", rf"{api}/connections\({g}\)", self._patch_connection)
        server.route("DELETE", rf"{api}/connections\({g}\)/record2roleid/\$ref", self._unset_role)
        server.route("GET", f"{api}/contacts", self._contacts)
        server.route("GET", f"{api}/accounts", Reply(body={"value": []}))
        server.route("GET", f"{api}/annotations", self._get_annotations)
        server.route("POST", f"{api}/annotations", self._create_annotation)
        server.route("GET", f"{api}/connectionroles", self._connection_roles)
        server.route("GET", f"{api}/phonecalls", self._get_phonecalls)
        server.route("POST", f"{api}/phonecalls", self._create_phonecall)
        server.route("PATCH", rf"{api}/phonecalls\({g}\)", self._patch_phonecall)

    def fixture(self, name: str) -> Any:
        return load_fixture(f"dynamics/{name}", self.base)

    def _new_id(self) -> str:
        return f"99999999-0000-4000-8000-{next(self._ids):012d}"

    @staticmethod
    def _id(request: Recorded) -> str:
        match = re.search(rf"\(({GUID_RX})\)", request.path)
        assert match
        return match.group(1).lower()

    def _opportunity_row(self) -> dict[str, Any]:
        row = self.fixture("opportunity.json")
        row["_parentcontactid_value"] = self.primary_contact
        return row

    def _opportunity(self, request: Recorded) -> Reply:
        if self._id(request) != self.OPPORTUNITY:
            return Reply(404, {"error": {"code": "0x80040217", "message": "Does Not Exist"}})
        if request.param("$select") == "_parentcontactid_value":
            return Reply(body={"_parentcontactid_value": self.primary_contact})
        return Reply(body=self._opportunity_row())

    def _opportunities(self, request: Recorded) -> Reply:
        wanted = re.findall(GUID_RX, request.param("$filter") or "")
        rows = [self._opportunity_row()] if self.OPPORTUNITY in wanted else []
        return Reply(body={"value": rows})

    def _patch_opportunity(self, request: Recorded) -> Reply:
        bind = request.body.get("parentcontactid@odata.bind", "")
        self.primary_contact = re.findall(GUID_RX, bind)[0]
        return Reply(204)

    def _unset_primary(self, request: Recorded) -> Reply:
        self.primary_contact = None
        return Reply(204)

    def _get_connections(self, request: Recorded) -> Reply:
        flt = request.param("$filter") or ""
        if request.param("$skiptoken"):
            return Reply(body=self.fixture("connections_page2.json"))
        if "_record1id_value eq" in flt and "_record2id_value eq" in flt:
            opp, contact = re.findall(GUID_RX, flt)
            rows = [
                {
                    "connectionid": cid,
                    "_record1id_value": c["record1"],
                    "_record2id_value": c["record2"],
                }
                for cid, c in self.connections.items()
                if c["record1"] == opp and c["record2"] == contact
            ]
            return Reply(body={"value": rows})
        if "_record2id_value eq" in flt:
            wanted = re.findall(GUID_RX, flt)
            rows = [
                r
                for page in ("connections_page1.json", "connections_page2.json")
                for r in self.fixture(page)["value"]
                if r["_record2id_value"] in wanted
            ]
            return Reply(body={"value": rows})
        return Reply(body=self.fixture("connections_page1.json"))

    def _create_connection(self, request: Recorded) -> Reply:
        body = request.body
        cid = self._new_id()
        self.connections[cid] = {
            "record1": re.findall(GUID_RX, body["record1id_opportunity@odata.bind"])[0],
            "record2": re.findall(GUID_RX, body["record2id_contact@odata.bind"])[0],
            "role": (re.findall(GUID_RX, body.get("record2roleid@odata.bind", "")) or [None])[0],
            "record2_type": "contact",
        }
        return Reply(204, headers={"OData-EntityId": f"{self.base}{self.API}/connections({cid})"})

    def _patch_connection(self, request: Recorded) -> Reply:
        role = re.findall(GUID_RX, request.body["record2roleid@odata.bind"])[0]
        self.connections[self._id(request)]["role"] = role
        return Reply(204)

    def _unset_role(self, request: Recorded) -> Reply:
        self.connections[self._id(request)]["role"] = None
        return Reply(204)

    def _contacts(self, request: Recorded) -> Reply:
        flt = request.param("$filter") or ""
        if "telephone1 eq" in flt:
            values = odata_literals(flt)
            rows = self.fixture("contacts_by_phone.json")["value"]
            hits = [r for r in rows if r["telephone1"] in values or r["mobilephone"] in values]
            return Reply(body={"value": hits})
        wanted = re.findall(GUID_RX, flt)
        rows = [r for r in self.fixture("contacts.json")["value"] if r["contactid"] in wanted]
        return Reply(body={"value": rows})

    def _connection_roles(self, request: Recorded) -> Reply:
        names = odata_literals(request.param("$filter") or "")
        rows = [r for r in self.fixture("connectionroles.json")["value"] if r["name"] in names]
        return Reply(body={"value": rows})

    def _get_annotations(self, request: Recorded) -> Reply:
        flt = request.param("$filter") or ""
        if not flt.startswith("endswith(subject,"):
            return Reply(body=self.fixture("annotations.json"))  # documents
        suffix = endswith_suffix(flt)
        objects = re.findall(rf"_objectid_value eq ({GUID_RX})", flt)
        rows = [
            {"annotationid": aid, "subject": a["subject"], "_objectid_value": a["objectid"]}
            for aid, a in self.annotations.items()
            if a["subject"].endswith(suffix) and (not objects or a["objectid"] in objects)
        ]
        return Reply(body={"value": rows})

    def _create_annotation(self, request: Recorded) -> Reply:
        aid = self._new_id()
        bind = request.body.get("objectid_contact@odata.bind", "")
        self.annotations[aid] = {
            **request.body,
            "objectid": (re.findall(GUID_RX, bind) or [None])[0],
            "isdocument": False,
        }
        return Reply(204, headers={"OData-EntityId": f"{self.base}{self.API}/annotations({aid})"})

    def _get_phonecalls(self, request: Recorded) -> Reply:
        flt = request.param("$filter") or ""
        # Dataverse evaluates endswith as SQL LIKE: the [x] escapes of wildcards are undone.
        suffix = endswith_suffix(flt)
        rows = [
            {"activityid": pid, "subject": p["subject"], "statecode": p["statecode"]}
            for pid, p in self.phonecalls.items()
            if p["subject"].endswith(suffix)
        ]
        return Reply(body={"value": rows})

    def _create_phonecall(self, request: Recorded) -> Reply:
        pid = self._new_id()
        self.phonecalls[pid] = {**request.body, "statecode": 0, "statuscode": 1}
        return Reply(204, headers={"OData-EntityId": f"{self.base}{self.API}/phonecalls({pid})"})

    def _patch_phonecall(self, request: Recorded) -> Reply:
        self.phonecalls[self._id(request)].update(request.body)
        return Reply(204)


# -- HubSpot ----------------------------------------------------------------------------


class FakeHubSpot:
    DEAL = "9876543210"
    PAGE = 2

    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self.calls: dict[str, dict[str, Any]] = {}
        self.notes: dict[str, dict[str, Any]] = {}
        self.deal_contacts: dict[str, list[dict[str, Any]]] = {}
        for page in ("deal_contacts_page1.json", "deal_contacts_page2.json"):
            for row in self.fixture(page)["results"]:
                self.deal_contacts[str(row["toObjectId"])] = copy.deepcopy(row["associationTypes"])
        self._ids = itertools.count(4400001)
        d = r"(?P<deal>[0-9]+)"
        server.route("GET", rf"/crm/v3/objects/deals/{d}", self._deal)
        server.route(
            "GET", rf"/crm/v4/objects/deals/{d}/associations/contacts", self._deal_contacts
        )
        server.route(
            "GET",
            rf"/crm/v4/objects/deals/{d}/associations/companies",
            Reply(body=self.fixture("deal_companies.json")),
        )
        server.route(
            "GET",
            rf"/crm/v4/objects/deals/{d}/associations/notes",
            Reply(body=self.fixture("deal_notes.json")),
        )
        server.route(
            "GET", r"/crm/v4/objects/contacts/(?P<c>[0-9]+)/associations/deals", self._contact_deals
        )
        server.route(
            "POST", r"/crm/v3/objects/contacts/batch/read", self._batch("contacts_batch.json")
        )
        server.route(
            "POST", r"/crm/v3/objects/companies/batch/read", self._batch("companies_batch.json")
        )
        server.route("POST", r"/crm/v3/objects/notes/batch/read", self._batch("notes_batch.json"))
        server.route("POST", r"/crm/v3/objects/deals/batch/read", self._batch("deals_batch.json"))
        server.route("GET", r"/files/v3/files/8001", Reply(body=self.fixture("file.json")))
        server.route(
            "GET",
            r"/files/v3/files/8002",
            Reply(
                404,
                {"status": "error", "message": "File not found", "category": "OBJECT_NOT_FOUND"},
            ),
        )
        server.route("GET", r"/crm/v3/owners/31337", Reply(body=self.fixture("owner.json")))
        server.route("POST", r"/crm/v3/objects/contacts/search", self._search_contacts)
        server.route("POST", r"/crm/v3/objects/calls/search", self._search_calls)
        server.route("POST", r"/crm/v3/objects/calls", self._create_call)
        server.route("POST", r"/crm/v3/objects/notes/search", self._search_notes)
        server.route("POST", r"/crm/v3/objects/notes", self._create_note)
        server.route(
            "GET",
            r"/crm/v4/associations/deals/contacts/labels",
            Reply(body=self.fixture("labels.json")),
        )
        server.route(
            "PUT",
            rf"/crm/v4/objects/deals/{d}/associations/contacts/(?P<c>[0-9]+)",
            self._put_labels,
        )
        server.route(
            "POST",
            r"/crm/v4/associations/deals/contacts/batch/labels/archive",
            self._archive_labels,
        )

    @staticmethod
    def fixture(name: str) -> Any:
        return load_fixture(f"hubspot/{name}")

    def _deal(self, request: Recorded) -> Reply:
        if not request.path.endswith(self.DEAL):
            return Reply(
                404,
                {"status": "error", "message": "Object not found", "category": "OBJECT_NOT_FOUND"},
            )
        return Reply(body=self.fixture("deal.json"))

    def _deal_contacts(self, request: Recorded) -> Reply:
        rows = [
            {"toObjectId": int(c), "associationTypes": t} for c, t in self.deal_contacts.items()
        ]
        start = 0 if request.param("after") is None else self.PAGE
        body: dict[str, Any] = {"results": rows[start : start + self.PAGE]}
        if start + self.PAGE < len(rows):
            body["paging"] = {"next": {"after": "MTAy", "link": "?after=MTAy"}}
        return Reply(body=body)

    def _contact_deals(self, request: Recorded) -> Reply:
        if "/contacts/101/" in request.path:
            return Reply(body=self.fixture("contact_deals.json"))
        return Reply(body={"results": []})

    def _batch(self, name: str) -> Any:
        def handler(request: Recorded) -> Reply:
            wanted = {str(i["id"]) for i in request.body["inputs"]}
            body = self.fixture(name)
            body["results"] = [r for r in body["results"] if r["id"] in wanted]
            return Reply(body=body)

        return handler

    def _search_contacts(self, request: Recorded) -> Reply:
        page = (
            "contacts_search_page2.json"
            if request.body.get("after") == "1"
            else "contacts_search_page1.json"
        )
        return Reply(body=self.fixture(page))

    def _search_calls(self, request: Recorded) -> Reply:
        wanted = request.body["filterGroups"][0]["filters"][0]["value"]
        rows = [
            {
                "id": cid,
                "properties": {"hs_call_external_id": c["properties"]["hs_call_external_id"]},
            }
            for cid, c in self.calls.items()
            if c["properties"].get("hs_call_external_id") == wanted
        ]
        return Reply(body={"total": len(rows), "results": rows})

    def _create_call(self, request: Recorded) -> Reply:
        cid = str(next(self._ids))
        self.calls[cid] = request.body
        body = self.fixture("call_created.json")
        body["id"] = cid
        return Reply(201, body)

    def _search_notes(self, request: Recorded) -> Reply:
        (flt,) = request.body["filterGroups"][0]["filters"]
        assert (flt["propertyName"], flt["operator"]) == ("hs_timestamp", "EQ"), flt
        rows = [
            {
                "id": nid,
                "properties": {
                    name: n["properties"].get(name) for name in request.body["properties"]
                },
                "archived": False,
            }
            for nid, n in self.notes.items()
            if epoch_millis(n["properties"]["hs_timestamp"]) == int(flt["value"])
        ]
        return Reply(body={"total": len(rows), "results": rows})

    def _create_note(self, request: Recorded) -> Reply:
        if "hs_timestamp" not in request.body.get("properties", {}):
            return Reply(
                400,
                {"status": "error", "category": "VALIDATION_ERROR",
                 "message": "Property values were not valid: hs_timestamp is required"},
            )  # fmt: skip
        nid = str(next(self._ids))
        self.notes[nid] = request.body
        body = self.fixture("note_created.json")
        body["id"] = body["properties"]["hs_object_id"] = nid
        body["properties"]["hs_timestamp"] = request.body["properties"]["hs_timestamp"]
        return Reply(201, body)

    def _put_labels(self, request: Recorded) -> Reply:
        contact = request.path.rsplit("/", 1)[1]
        labels = {
            (t["category"], t["typeId"]): t.get("label")
            for t in self.fixture("labels.json")["results"]
        }
        current = self.deal_contacts.setdefault(contact, [])
        for t in request.body:
            key = (t["associationCategory"], t["associationTypeId"])
            if all((c["category"], c["typeId"]) != key for c in current):
                current.append({"category": key[0], "typeId": key[1], "label": labels.get(key)})
        return Reply(200, self.fixture("association_put.json"))

    def _archive_labels(self, request: Recorded) -> Reply:
        for item in request.body["inputs"]:
            gone = {(t["associationCategory"], t["associationTypeId"]) for t in item["types"]}
            contact = str(item["to"]["id"])
            self.deal_contacts[contact] = [
                t
                for t in self.deal_contacts.get(contact, [])
                if (t["category"], t["typeId"]) not in gone
            ]
        return Reply(204)


def epoch_millis(value: str) -> int:
    """A HubSpot datetime property (Unix milliseconds, or UTC ISO 8601) as milliseconds."""
    if value.isdigit():
        return int(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
