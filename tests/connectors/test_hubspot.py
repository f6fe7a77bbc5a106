"""HubSpot connector contract: deals with labelled contacts, call and note engagements, labels."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from connectors.fake_server import Reply
from connectors.fakes import FakeHubSpot
from rolecall.crm.connectors.base import ConnectorError, ContactNote
from rolecall.crm.connectors.hubspot import HubSpotConnector, role_from_labels
from rolecall.protocol.calllog import CallLogEntry
from rolecall.protocol.records import ContactRole, Role

HS = tuple[FakeHubSpot, HubSpotConnector]
DEAL = FakeHubSpot.DEAL
OUTCOME_GUID = "73a0d17f-1163-4015-bdd5-ec830791da20"


def entry(**changes: object) -> CallLogEntry:
    values: dict[str, object] = {
        "call_id": "00112233445566778899aabbccddeeff",
        "idempotency_key": "call:00112233-4455",
        "direction": "outbound",
        "number": "+16045550110",
        "contact_id": "101",
        "opportunity_id": DEAL,
        "subject": "Renewal check-in",
        "started_at": datetime(2025, 6, 4, 7, 55, tzinfo=UTC),
        "answered_at": datetime(2025, 6, 4, 7, 55, 5, tzinfo=UTC),
        "ended_at": datetime(2025, 6, 4, 7, 59, 5, tzinfo=UTC),
        "duration_s": 240,
        "end_cause": "normal_clearing",
        "disposition": OUTCOME_GUID,
        "notes": "Needs two more seats.",
        "documents_presented": ["8001"],
    }
    values.update(changes)
    return CallLogEntry.model_validate(values)


def test_deal_reads_labelled_contacts_company_and_files(hubspot: HS) -> None:
    fake, connector = hubspot
    data = connector.opportunity(DEAL)

    (deal,) = data.opportunities
    assert (deal.id, deal.name, deal.stage, deal.amount) == (
        DEAL,
        "Globex annual plan",
        "presentationscheduled",
        36000.0,
    )
    assert (deal.currency, deal.close_date, deal.owner) == ("CAD", date(2025, 11, 15), "Rita Rep")
    assert deal.account_id == "5001"
    (company,) = data.accounts
    assert (company.id, company.name, company.website) == (
        "5001",
        "Globex Inc.",
        "https://globex.example",
    )

    roles = {r.contact_id: r for r in data.roles}
    assert set(roles) == {"101", "102", "103"}  # 103 came on the second page (after=MTAy)
    assert (roles["101"].role, roles["101"].source_role, roles["101"].is_primary) == (
        Role.DECISION_MAKER,
        "Decision maker",
        True,
    )
    assert roles["102"].role is Role.ECONOMIC_BUYER and not roles["102"].is_primary
    assert (roles["103"].role, roles["103"].source_role) == (Role.NONE, "")

    gina = next(c for c in data.contacts if c.id == "101")
    assert (gina.first_name, gina.last_name, gina.account_id) == ("Gina", "Garcia", "5001")
    assert [(p.kind, p.e164) for p in gina.phones] == [
        ("work", "+16045550110"),
        ("mobile", "+16045550111"),
    ]

    (doc,) = data.documents  # 8002 is gone (404) and skipped
    assert (doc.id, doc.title, doc.doc_type, doc.size_bytes) == (
        "8001",
        "Globex order form",
        "pdf",
        245760,
    )
    assert doc.url == f"https://app.hubspot.com/contacts/123456/record/0-3/{DEAL}"
    assert doc.modified_at == datetime(2025, 5, 30, 11, 59, 10, tzinfo=UTC)

    pages = fake.server.matching("GET", rf"/deals/{DEAL}/associations/contacts$")
    assert [p.param("after") for p in pages] == [None, "MTAy"]
    (deal_get,) = fake.server.matching("GET", rf"/crm/v3/objects/deals/{DEAL}$")
    assert deal_get.param("properties") == (
        "dealname,dealstage,pipeline,amount,closedate,hubspot_owner_id,description,deal_currency_code"
    )
    (batch,) = fake.server.matching("POST", "/contacts/batch/read$")
    assert batch.body["inputs"] == [{"id": "101"}, {"id": "102"}, {"id": "103"}]


def test_find_by_phone_searches_phone_fields_across_pages(hubspot: HS) -> None:
    fake, connector = hubspot
    data = connector.find_by_phone("+16045550110")
    searches = fake.server.matching("POST", "/contacts/search$")
    assert len(searches) == 2
    assert searches[0].body["filterGroups"] == [
        {"filters": [{"propertyName": "phone", "operator": "EQ", "value": "+16045550110"}]},
        {"filters": [{"propertyName": "mobilephone", "operator": "EQ", "value": "+16045550110"}]},
    ]
    assert "after" not in searches[0].body and searches[1].body["after"] == "1"
    assert {c.id for c in data.contacts} == {"101", "104"}
    assert [(r.opportunity_id, r.contact_id, r.role) for r in data.roles] == [
        (DEAL, "101", Role.DECISION_MAKER)
    ]
    assert [d.id for d in data.opportunities] == [DEAL]
    assert [a.id for a in data.accounts] == ["5001"]


def test_write_call_log_creates_one_associated_call(hubspot: HS) -> None:
    fake, connector = hubspot
    call_id = connector.write_call_log(entry())
    (create,) = fake.server.matching("POST", "/crm/v3/objects/calls$")
    assert create.body == {
        "properties": {
            "hs_timestamp": "2025-06-04T07:55:00Z",
            "hs_call_title": "Renewal check-in",
            "hs_call_body": "Needs two more seats.\n\nDocuments presented: 8001",
            "hs_call_duration": "240000",
            "hs_call_direction": "OUTBOUND",
            "hs_call_status": "COMPLETED",
            "hs_call_external_id": "call:00112233-4455",
            "hs_call_to_number": "+16045550110",
            "hs_call_disposition": OUTCOME_GUID,
        },
        "associations": [
            {
                "to": {"id": DEAL},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 206}],
            },
            {
                "to": {"id": "101"},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 194}],
            },
        ],
    }
    assert list(fake.calls) == [call_id]
    (lookup, *_) = fake.server.matching("POST", "/calls/search$")
    assert lookup.body["filterGroups"] == [
        {
            "filters": [
                {
                    "propertyName": "hs_call_external_id",
                    "operator": "EQ",
                    "value": "call:00112233-4455",
                }
            ]
        }
    ]
    assert connector.write_call_log(entry()) == call_id
    assert len(fake.server.matching("POST", "/crm/v3/objects/calls$")) == 1


def test_disposition_text_goes_to_the_body_unless_configured(hubspot: HS) -> None:
    fake, connector = hubspot
    connector.write_call_log(entry(disposition="Left voicemail", direction="inbound"))
    connector.write_call_log(entry(disposition="connected", idempotency_key="call:second-one"))
    first, second = (
        c.body["properties"] for c in fake.server.matching("POST", "/crm/v3/objects/calls$")
    )
    assert "hs_call_disposition" not in first
    assert first["hs_call_body"].endswith("\n\nOutcome: Left voicemail")
    assert (
        first["hs_call_direction"] == "INBOUND" and first["hs_call_from_number"] == "+16045550110"
    )
    assert second["hs_call_disposition"] == "f240bbac-87c9-4f6e-bf70-924b57d47db7"  # from config
    assert "Outcome:" not in second["hs_call_body"]


def test_retry_after_503_on_create_finds_the_first_call(hubspot: HS) -> None:
    fake, connector = hubspot
    fake.server.fail(
        "POST",
        "/crm/v3/objects/calls$",
        Reply(503, {"status": "error", "message": "Service Unavailable"}),
        after_handler=True,
    )
    call_id = connector.write_call_log(entry())
    assert list(fake.calls) == [call_id]
    assert len(fake.server.matching("POST", "/crm/v3/objects/calls$")) == 1
    assert len(fake.server.matching("POST", "/calls/search$")) == 2


NOTE_KEY = "note:7:0a1b2c3d4e5f"
NOTE_MILLIS = "1749024299123"  # 2025-06-04T08:04:59.123Z


def note(**changes: object) -> ContactNote:
    values: dict[str, object] = {
        "contact_id": "101",
        "opportunity_id": DEAL,
        "body": "Prefers calls after 3pm.",
        "created_at": datetime(2025, 6, 4, 8, 4, 59, 123456, tzinfo=UTC),
    }
    values.update(changes)
    return ContactNote.model_validate(values)


def test_write_contact_note_creates_one_associated_note(hubspot: HS) -> None:
    fake, connector = hubspot
    note_id = connector.write_contact_note(note(), NOTE_KEY)
    (create,) = fake.server.matching("POST", "/crm/v3/objects/notes$")
    assert create.body == {
        "properties": {
            "hs_timestamp": "2025-06-04T08:04:59.123Z",
            "hs_note_body": "Prefers calls after 3pm.\n\n(rc:note:7:0a1b2c3d4e5f)",
        },
        "associations": [
            {
                "to": {"id": "101"},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}],
            },
            {
                "to": {"id": DEAL},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 214}],
            },
        ],
    }
    assert list(fake.notes) == [note_id]
    (lookup, *_) = fake.server.matching("POST", "/notes/search$")
    assert lookup.body["filterGroups"] == [
        {"filters": [{"propertyName": "hs_timestamp", "operator": "EQ", "value": NOTE_MILLIS}]}
    ]
    assert lookup.body["properties"] == ["hs_note_body"]
    assert connector.write_contact_note(note(), NOTE_KEY) == note_id
    assert len(fake.server.matching("POST", "/crm/v3/objects/notes$")) == 1


def test_a_note_without_a_deal_goes_on_the_contact_only(hubspot: HS) -> None:
    fake, connector = hubspot
    connector.write_contact_note(note(opportunity_id=None), NOTE_KEY)
    (create,) = fake.server.matching("POST", "/crm/v3/objects/notes$")
    assert [a["to"]["id"] for a in create.body["associations"]] == ["101"]


def test_another_note_written_the_same_millisecond_is_not_taken(hubspot: HS) -> None:
    fake, connector = hubspot
    first = connector.write_contact_note(note(), NOTE_KEY)
    second = connector.write_contact_note(note(body="Other text."), "note:8:ffeeddccbbaa")
    assert first != second and len(fake.notes) == 2


@pytest.mark.parametrize("reached", [True, False], ids=["answer-lost", "refused"])
def test_retry_after_503_on_note_create_makes_exactly_one(hubspot: HS, reached: bool) -> None:
    fake, connector = hubspot
    fake.server.fail(
        "POST",
        "/crm/v3/objects/notes$",
        Reply(503, {"status": "error", "message": "Service Unavailable"}),
        after_handler=reached,
    )
    note_id = connector.write_contact_note(note(), NOTE_KEY)
    assert list(fake.notes) == [note_id]
    assert len(fake.server.matching("POST", "/crm/v3/objects/notes$")) == (1 if reached else 2)
    assert len(fake.server.matching("POST", "/notes/search$")) == 2


def test_note_ids_are_checked_before_anything_is_sent(hubspot: HS) -> None:
    fake, connector = hubspot
    with pytest.raises(ConnectorError) as caught:
        connector.write_contact_note(note(opportunity_id="006Dn00000A1b2cIAB"), NOTE_KEY)
    assert not caught.value.retryable and "deal" in caught.value.message
    assert fake.server.requests == []


def test_update_contact_role_replaces_the_label(hubspot: HS) -> None:
    fake, connector = hubspot
    connector.update_contact_role(
        ContactRole(
            opportunity_id=DEAL, contact_id="102", role=Role.TECHNICAL_BUYER, is_primary=True
        )
    )
    (put,) = fake.server.matching("PUT", rf"/deals/{DEAL}/associations/contacts/102$")
    assert put.body == [
        {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3},
        {"associationCategory": "USER_DEFINED", "associationTypeId": 42},
        {"associationCategory": "USER_DEFINED", "associationTypeId": 40},
    ]
    (archive,) = fake.server.matching("POST", "/batch/labels/archive$")
    assert archive.body == {
        "inputs": [
            {
                "from": {"id": DEAL},
                "to": {"id": "102"},
                "types": [{"associationCategory": "USER_DEFINED", "associationTypeId": 38}],
            }
        ]
    }
    labels = {t["label"] for t in fake.deal_contacts["102"]}
    assert labels == {None, "Technical buyer", "Primary"}


def test_update_contact_role_to_none_drops_role_labels(hubspot: HS) -> None:
    fake, connector = hubspot
    connector.update_contact_role(ContactRole(opportunity_id=DEAL, contact_id="101"))
    assert {t["label"] for t in fake.deal_contacts["101"]} == {None}


def test_unknown_label_is_not_retryable_and_writes_nothing(hubspot: HS) -> None:
    fake, connector = hubspot
    with pytest.raises(ConnectorError) as caught:
        connector.update_contact_role(
            ContactRole(opportunity_id=DEAL, contact_id="102", role=Role.EVALUATOR)
        )
    assert not caught.value.retryable and "Evaluator" in caught.value.message
    assert fake.server.matching("PUT", ".") == []


def test_labels_map_to_roles_and_primary() -> None:
    assert role_from_labels(["Primary", "Decision maker"]) == (
        Role.DECISION_MAKER,
        "Decision maker",
        True,
    )
    assert role_from_labels(["Billing contact", "Champion"]) == (Role.INFLUENCER, "Champion", False)
    assert role_from_labels(["Billing contact"]) == (Role.OTHER, "Billing contact", False)
    assert role_from_labels([]) == (Role.NONE, "", False)


@pytest.mark.parametrize("bad_id", ["123/../../owners", "12a", "", "1" * 21])
def test_ids_are_checked_before_they_reach_a_url(hubspot: HS, bad_id: str) -> None:
    fake, connector = hubspot
    with pytest.raises(ConnectorError):
        connector.opportunity(bad_id)
    assert fake.server.requests == []


def test_missing_deal_and_bad_token_are_typed(hubspot: HS) -> None:
    fake, connector = hubspot
    with pytest.raises(ConnectorError) as missing:
        connector.opportunity("1234")
    assert missing.value.status == 404 and not missing.value.retryable
    fake.server.fail(
        "GET", rf"/crm/v3/objects/deals/{DEAL}$", Reply(401, FakeHubSpot.fixture("error_401.json"))
    )
    with pytest.raises(ConnectorError) as rejected:
        connector.opportunity(DEAL)
    assert rejected.value.status == 401 and not rejected.value.retryable
    assert "INVALID_AUTHENTICATION" not in rejected.value.message  # the message, not the code
    assert "Authentication credentials not found" in rejected.value.message
