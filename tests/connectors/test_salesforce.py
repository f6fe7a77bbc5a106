"""Salesforce connector contract: SOQL/SOSL reads, Task and Note write-back, roles, escaping."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from connectors.fake_server import Reply
from connectors.fakes import SOQL_LITERAL, FakeSalesforce, soql_like, soql_literals
from rolecall.crm.connectors.base import ConnectorError, ContactNote
from rolecall.crm.connectors.salesforce import (
    SalesforceConnector,
    soql_like_suffix,
    soql_quote,
    sosl_escape,
)
from rolecall.protocol.calllog import CallLogEntry
from rolecall.protocol.records import ContactRole, Role

SF = tuple[FakeSalesforce, SalesforceConnector]
OPP = FakeSalesforce.OPPORTUNITY
ANN, BEN, CARA, DANA = (
    "003Dn00000C1aaaIAA",
    "003Dn00000C1bbbIAB",
    "003Dn00000C1cccIAC",
    "003Dn00000C1dddIAD",
)
API = FakeSalesforce.API


def entry(**changes: object) -> CallLogEntry:
    values: dict[str, object] = {
        "call_id": "0123456789abcdef0123456789abcdef",
        "idempotency_key": "call:0123456789abcdef",
        "direction": "outbound",
        "number": "+14155550101",
        "contact_id": ANN,
        "opportunity_id": OPP,
        "subject": "Pricing follow-up",
        "started_at": datetime(2025, 6, 4, 7, 55, tzinfo=UTC),
        "answered_at": datetime(2025, 6, 4, 7, 55, 20, tzinfo=UTC),
        "ended_at": datetime(2025, 6, 4, 8, 0, 20, tzinfo=UTC),
        "duration_s": 300,
        "end_cause": "normal_clearing",
        "disposition": "Interested",
        "notes": "Wants the EU price list.",
        "documents_presented": ["069Dn00000E1aaaIAA"],
    }
    values.update(changes)
    return CallLogEntry.model_validate(values)


def queries(fake: FakeSalesforce) -> list[str]:
    return [r.param("q") or "" for r in fake.server.matching("GET", f"{API}/query$")]


def test_opportunity_reads_roles_relationships_and_documents(salesforce: SF) -> None:
    fake, connector = salesforce
    data = connector.opportunity(OPP)

    (opp,) = data.opportunities
    assert (opp.id, opp.name, opp.stage) == (OPP, "Acme - 500 Widgets", "Proposal/Price Quote")
    assert (opp.amount, opp.currency, opp.close_date) == (125000.0, "EUR", date(2025, 9, 30))
    assert opp.owner == "Olivia Owner" and opp.account_id == "001Dn00000B2c3dIAC"
    (account,) = data.accounts
    assert (account.name, account.industry, account.phone and account.phone.e164) == (
        "Acme Corporation",
        "Manufacturing",
        "+14155550100",
    )

    roles = {r.contact_id: r for r in data.roles}
    assert set(roles) == {ANN, BEN, CARA, DANA}  # both pages of OpportunityContactRole
    assert roles[ANN].role is Role.ECONOMIC_BUYER and roles[ANN].is_primary
    assert roles[ANN].source_role == "Economic Buyer"
    assert roles[BEN].role is Role.TECHNICAL_BUYER and not roles[BEN].is_primary
    assert roles[CARA].role is Role.EVALUATOR
    assert roles[DANA].role is Role.DECISION_MAKER

    assert {(r.from_contact_id, r.to_contact_id, r.kind) for r in data.relationships} == {
        (ANN, DANA, "reports_to"),
        (BEN, DANA, "reports_to"),
        (CARA, BEN, "reports_to"),
    }
    ann = next(c for c in data.contacts if c.id == ANN)
    assert (ann.first_name, ann.last_name, ann.title) == ("Ann", "Alvarez", "CFO")
    assert [(p.kind, p.e164) for p in ann.phones] == [
        ("work", "+14155550101"),
        ("mobile", "+14155550199"),
    ]

    docs = {d.id: d for d in data.documents}
    proposal = docs["069Dn00000E1aaaIAA"]
    assert (proposal.title, proposal.doc_type, proposal.size_bytes) == (
        "Acme proposal v3",
        "pdf",
        482133,
    )
    assert proposal.url == f"{fake.server.url}/lightning/r/ContentDocument/069Dn00000E1aaaIAA/view"
    assert proposal.owner == "Olivia Owner"
    assert proposal.modified_at == datetime(2025, 6, 2, 14, 5, 31, tzinfo=UTC)

    # The second page was fetched from nextRecordsUrl, on the same host, with the token.
    (page2,) = fake.server.matching("GET", r"/query/01gDn00000I1aaaIAA-2$")
    assert page2.headers["authorization"].startswith("Bearer ")
    assert any(
        "CurrencyIsoCode FROM Opportunity WHERE Id = '006Dn00000A1b2cIAB'" in q
        for q in queries(fake)
    )


def test_single_currency_org_falls_back_to_the_org_currency(salesforce: SF) -> None:
    fake, connector = salesforce
    fake.multicurrency = False
    (opp,) = connector.opportunity(OPP).opportunities
    assert opp.currency == "GBP"
    assert opp.description == ""
    opportunity_queries = [q for q in queries(fake) if "FROM Opportunity WHERE" in q]
    assert len(opportunity_queries) == 2 and "CurrencyIsoCode" not in opportunity_queries[1]
    connector.opportunity(OPP)  # remembered: no second failing query
    assert len([q for q in queries(fake) if "FROM Opportunity WHERE" in q]) == 3


def test_unknown_opportunity_is_not_retryable(salesforce: SF) -> None:
    _, connector = salesforce
    with pytest.raises(ConnectorError) as caught:
        connector.opportunity("006Dn00000ZZZZZIAB")
    assert not caught.value.retryable and caught.value.status == 404


def test_find_by_phone_uses_sosl_and_keeps_only_real_matches(salesforce: SF) -> None:
    fake, connector = salesforce
    data = connector.find_by_phone("+14155550101")
    (search,) = fake.server.matching("GET", f"{API}/search$")
    assert search.param("q") == (
        "FIND {14155550101 OR 4155550101} IN PHONE FIELDS RETURNING Contact(Id, FirstName, "
        "LastName, Title, Email, Phone, MobilePhone, AccountId, ReportsToId LIMIT 200)"
    )
    assert [c.id for c in data.contacts] == [ANN]  # Eve's (212) 555-0101 is dropped
    assert [(r.opportunity_id, r.contact_id, r.role) for r in data.roles] == [
        (OPP, ANN, Role.ECONOMIC_BUYER)
    ]
    assert [o.id for o in data.opportunities] == [OPP]
    assert [a.id for a in data.accounts] == ["001Dn00000B2c3dIAC"]
    assert data.relationships == []  # Dana is not among the results


def test_write_call_log_creates_one_call_task(salesforce: SF) -> None:
    fake, connector = salesforce
    task_id = connector.write_call_log(entry())
    (create,) = fake.server.matching("POST", r"/sobjects/Task/$")
    assert create.body == {
        "Subject": "Pricing follow-up",
        "TaskSubtype": "Call",
        "CallType": "Outbound",
        "CallDurationInSeconds": 300,
        "CallDisposition": "Interested",
        "Description": "Wants the EU price list.\n\nDocuments presented: 069Dn00000E1aaaIAA",
        "Status": "Completed",
        "ActivityDate": "2025-06-04",
        "CallObject": "call:0123456789abcdef",
        "WhoId": ANN,
        "WhatId": OPP,
    }
    assert list(fake.tasks) == [task_id]
    assert "SELECT Id FROM Task WHERE CallObject = 'call:0123456789abcdef' LIMIT 1" in queries(fake)

    # Writing the same entry again finds the task instead of creating another.
    assert connector.write_call_log(entry()) == task_id
    assert len(fake.server.matching("POST", r"/sobjects/Task/$")) == 1


def test_inbound_call_without_disposition_uses_the_end_cause(salesforce: SF) -> None:
    fake, connector = salesforce
    connector.write_call_log(entry(direction="inbound", disposition="", contact_id=None))
    (create,) = fake.server.matching("POST", r"/sobjects/Task/$")
    assert create.body["CallType"] == "Inbound"
    assert create.body["CallDisposition"] == "normal_clearing"
    assert "WhoId" not in create.body


def test_retry_after_503_on_create_finds_the_first_task(salesforce: SF) -> None:
    fake, connector = salesforce
    # The CRM creates the task but the answer is lost behind a 503.
    fake.server.fail(
        "POST",
        r"/sobjects/Task/$",
        Reply(503, [{"message": "busy", "errorCode": "SERVER_UNAVAILABLE"}]),
        after_handler=True,
    )
    task_id = connector.write_call_log(entry())
    assert list(fake.tasks) == [task_id]
    assert len(fake.server.matching("POST", r"/sobjects/Task/$")) == 1
    lookups = [q for q in queries(fake) if "FROM Task" in q]
    assert len(lookups) == 2  # before the create, and again after the ambiguous failure


NOTE_KEY = "note:7:0a1b2c3d4e5f"


def note(**changes: object) -> ContactNote:
    values: dict[str, object] = {
        "contact_id": ANN,
        "opportunity_id": OPP,
        "body": "Prefers calls after 3pm.\nAsk about the EU rollout before pricing.",
        "created_at": datetime(2025, 6, 4, 8, 4, 59, 123456, tzinfo=UTC),
    }
    values.update(changes)
    return ContactNote.model_validate(values)


def test_write_contact_note_creates_one_note_on_the_contact(salesforce: SF) -> None:
    fake, connector = salesforce
    note_id = connector.write_contact_note(note(), NOTE_KEY)
    (create,) = fake.server.matching("POST", r"/sobjects/Note/$")
    assert create.body == {
        "ParentId": ANN,
        "Title": "Prefers calls after 3pm. (rc:note:7:0a1b2c3d4e5f)",
        "Body": "Prefers calls after 3pm.\nAsk about the EU rollout before pricing.",
    }
    assert list(fake.notes) == [note_id] and note_id.startswith("002")
    assert (
        f"SELECT Id, Title FROM Note WHERE ParentId = '{ANN}' "
        "AND Title LIKE '%(rc:note:7:0a1b2c3d4e5f)' LIMIT 10"
    ) in queries(fake)

    # Sending the same note again finds it instead of creating another.
    assert connector.write_contact_note(note(), NOTE_KEY) == note_id
    assert len(fake.server.matching("POST", r"/sobjects/Note/$")) == 1
    # Another note (another key) on the same contact is a second record.
    other = connector.write_contact_note(note(body="Second thought."), "note:8:ffeeddccbbaa")
    assert other != note_id and len(fake.notes) == 2


@pytest.mark.parametrize("reached", [True, False], ids=["answer-lost", "refused"])
def test_retry_after_503_on_note_create_makes_exactly_one(salesforce: SF, reached: bool) -> None:
    fake, connector = salesforce
    fake.server.fail(
        "POST",
        r"/sobjects/Note/$",
        Reply(503, [{"message": "busy", "errorCode": "SERVER_UNAVAILABLE"}]),
        after_handler=reached,
    )
    note_id = connector.write_contact_note(note(), NOTE_KEY)
    assert list(fake.notes) == [note_id]
    # The create is not repeated blindly: it is looked up again first.
    assert len(fake.server.matching("POST", r"/sobjects/Note/$")) == (1 if reached else 2)
    assert len([q for q in queries(fake) if "FROM Note" in q]) == 2


def test_note_title_is_the_first_line_clipped_to_fit_the_marker(salesforce: SF) -> None:
    fake, connector = salesforce
    long_line = "Budget " * 30
    connector.write_contact_note(note(body=f"\n  {long_line}\nsecond line"), NOTE_KEY)
    (create,) = fake.server.matching("POST", r"/sobjects/Note/$")
    title = create.body["Title"]
    assert len(title) <= 80 and title.endswith(" (rc:note:7:0a1b2c3d4e5f)")
    assert title.startswith("Budget Budget") and "second line" not in title
    assert create.body["Body"] == f"\n  {long_line}\nsecond line"  # the text as written


def test_note_for_a_contact_id_that_is_not_salesforce_is_refused(salesforce: SF) -> None:
    fake, connector = salesforce
    with pytest.raises(ConnectorError) as caught:
        connector.write_contact_note(note(contact_id="c-eng"), NOTE_KEY)
    assert not caught.value.retryable
    assert fake.server.requests == []


@pytest.mark.parametrize("value", ["(rc:a%b_c)", "x' OR Title LIKE '%", "back\\slash_%'"])
def test_soql_like_suffix_matches_the_value_literally(value: str) -> None:
    soql = f"SELECT Id FROM Note WHERE Title LIKE {soql_like_suffix(value)} LIMIT 10"
    (raw,) = SOQL_LITERAL.findall(soql)  # one literal: nothing escapes it
    assert soql.endswith("' LIMIT 10")
    pattern = soql_like(raw)
    assert pattern.fullmatch("Any title " + value)
    assert not pattern.fullmatch("Any title " + value.replace("%", "Z").replace("_", "Y"))
    assert not pattern.fullmatch(value + " and more")


def test_update_contact_role_patches_the_existing_role(salesforce: SF) -> None:
    fake, connector = salesforce
    connector.update_contact_role(
        ContactRole(opportunity_id=OPP, contact_id=BEN, role=Role.DECISION_MAKER, is_primary=True)
    )
    (patch,) = fake.server.matching("PATCH", r"/sobjects/OpportunityContactRole/")
    assert patch.path.endswith("/00KDn00000D1bbbIAB")
    assert patch.body == {"Role": "Decision Maker", "IsPrimary": True}
    assert fake.server.matching("POST", r"/sobjects/OpportunityContactRole/") == []


def test_update_contact_role_creates_a_missing_role_with_the_crm_wording(salesforce: SF) -> None:
    fake, connector = salesforce
    other_contact = "003Dn00000C1zzzIAZ"
    connector.update_contact_role(
        ContactRole(
            opportunity_id=OPP,
            contact_id=other_contact,
            role=Role.INFLUENCER,
            source_role="Champion",
        )
    )
    (create,) = fake.server.matching("POST", r"/sobjects/OpportunityContactRole/")
    assert create.body == {
        "OpportunityId": OPP,
        "ContactId": other_contact,
        "Role": "Champion",
        "IsPrimary": False,
    }


@pytest.mark.parametrize(
    "bad_id",
    ["006' OR Name LIKE '%", "006Dn00000A1b2cIAB' OR Id != '", "006{x}", "../sobjects/User"],
)
def test_ids_that_could_inject_soql_are_refused_before_any_request(
    salesforce: SF, bad_id: str
) -> None:
    fake, connector = salesforce
    with pytest.raises(ConnectorError) as caught:
        connector.opportunity(bad_id)
    assert not caught.value.retryable
    with pytest.raises(ConnectorError):
        connector.update_contact_role(ContactRole(opportunity_id=OPP, contact_id="003{x}:y"))
    assert fake.server.requests == []


@pytest.mark.parametrize(
    "number",
    ["+1415} IN ALL FIELDS RETURNING User(Id", "4155550101' OR '1'='1", "+1 (415) 555-0101", ""],
)
def test_phone_numbers_that_could_inject_sosl_are_refused(salesforce: SF, number: str) -> None:
    fake, connector = salesforce
    with pytest.raises(ConnectorError):
        connector.find_by_phone(number)
    assert fake.server.requests == []


@pytest.mark.parametrize(
    "value",
    [
        "O'Brien",
        "x' OR Name != '",
        "back\\slash' OR '1'='1",
        "\\' OR Id != '",
        'line\nbreak\ttab "quoted"',
    ],
)
def test_soql_quote_keeps_any_value_inside_one_literal(value: str) -> None:
    soql = f"SELECT Id FROM Task WHERE CallObject = {soql_quote(value)} LIMIT 1"
    assert soql_literals(soql) == [value]  # one literal, equal to the value: no escape
    assert soql.endswith("' LIMIT 1")


def test_sosl_escape_escapes_every_reserved_character() -> None:
    reserved = "?&|!{}[]()^~*:\\\"'+-"
    escaped = sosl_escape(f"a{reserved}b")
    assert escaped == "a" + "".join("\\" + c for c in reserved) + "b"
    attacks = ["1} IN ALL FIELDS RETURNING User(Id)", "1\\} IN ALL FIELDS", "\\\\}"]
    assert [unescaped_braces(a) for a in attacks] == [1, 0, 1]  # raw: two would close FIND
    assert [unescaped_braces(sosl_escape(a)) for a in attacks] == [0, 0, 0]


def unescaped_braces(term: str) -> int:
    """How many `}` a SOSL lexer would take as the end of the FIND clause."""
    count, i = 0, 0
    while i < len(term):
        if term[i] == "\\":
            i += 2
            continue
        count += term[i] == "}"
        i += 1
    return count


def test_expired_token_is_a_clear_non_retryable_error(salesforce: SF) -> None:
    fake, connector = salesforce
    fake.server.fail(
        "GET",
        r"/query$",
        Reply(401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]),
    )
    with pytest.raises(ConnectorError) as caught:
        connector.opportunity(OPP)
    assert not caught.value.retryable and caught.value.status == 401
    assert "wrong or expired" in caught.value.message and "crm:salesforce" in caught.value.message
    assert "Session expired or invalid" in caught.value.message
