"""Dynamics 365 connector contract: Web API reads, phone call and note write-back, stakeholders."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from connectors.fake_server import Reply
from connectors.fakes import FakeDynamics, odata_literals
from rolecall.crm.connectors.base import ConnectorError, ContactNote
from rolecall.crm.connectors.dynamics import DynamicsConnector, like_escape, odata_string
from rolecall.protocol.calllog import CallLogEntry
from rolecall.protocol.records import ContactRole, Role

DY = tuple[FakeDynamics, DynamicsConnector]
OPP = FakeDynamics.OPPORTUNITY
A, B, D = FakeDynamics.CONTACT_A, FakeDynamics.CONTACT_B, FakeDynamics.CONTACT_D
C = "c0000000-0000-4000-8000-00000000000c"
ACCOUNT = "a1a1a1a1-0000-4000-8000-000000000001"
API = FakeDynamics.API


def entry(**changes: object) -> CallLogEntry:
    values: dict[str, object] = {
        "call_id": "fedcba9876543210fedcba9876543210",
        "idempotency_key": "call:fedcba98_7654",
        "direction": "outbound",
        "number": "+442079460123",
        "contact_id": A,
        "opportunity_id": OPP,
        "subject": "",
        "started_at": datetime(2025, 6, 4, 9, 0, tzinfo=UTC),
        "answered_at": datetime(2025, 6, 4, 9, 0, 10, tzinfo=UTC),
        "ended_at": datetime(2025, 6, 4, 9, 2, 11, tzinfo=UTC),
        "duration_s": 121,
        "end_cause": "normal_clearing",
        "disposition": "Call back next week",
        "notes": "Budget approved in Q3.",
        "documents_presented": ["d0000000-0000-4000-8000-000000000001"],
    }
    values.update(changes)
    return CallLogEntry.model_validate(values)


def test_opportunity_reads_stakeholders_across_pages(dynamics: DY) -> None:
    fake, connector = dynamics
    data = connector.opportunity(OPP)

    (opp,) = data.opportunities
    assert (opp.id, opp.name, opp.stage, opp.amount) == (
        OPP,
        "Contoso - 200 Seats",
        "2-Develop",
        48000.0,
    )
    assert (opp.currency, opp.close_date, opp.owner) == ("GBP", date(2025, 10, 31), "Priya Patel")
    assert opp.account_id == ACCOUNT
    (account,) = data.accounts
    assert (account.name, account.industry, account.website) == (
        "Contoso Ltd",
        "Business Services",
        "https://contoso.example",
    )
    assert account.phone is not None and account.phone.e164 == "+442079460000"

    roles = {r.contact_id: r for r in data.roles}
    assert set(roles) == {A, B, C, D}  # the account-to-opportunity connection is left out
    assert (roles[A].role, roles[A].source_role, roles[A].is_primary) == (
        Role.DECISION_MAKER,
        "Decision Maker",
        True,  # the opportunity's parentcontactid
    )
    assert roles[B].role is Role.TECHNICAL_BUYER and not roles[B].is_primary
    assert roles[C].role is Role.INFLUENCER  # from the second page
    assert (roles[D].role, roles[D].source_role) == (Role.OTHER, "Stakeholder")

    blair = next(c for c in data.contacts if c.id == B)
    assert blair.account_id == ACCOUNT and blair.title == "Head of IT"
    assert [p.e164 for p in blair.phones] == ["+442079460124"]  # national form, region GB

    docs = {d.title: d for d in data.documents}
    assert docs["Contoso SOW.docx"].doc_type == "docx"
    assert docs["Contoso SOW.docx"].size_bytes == 73216
    assert docs["pricing.PDF"].doc_type == "pdf" and docs["pricing.PDF"].owner == "Sam Singh"
    assert docs["Contoso SOW.docx"].url == (
        f"{fake.server.url}/main.aspx?pagetype=entityrecord&etn=opportunity&id={OPP}"
    )

    connection_requests = fake.server.matching("GET", f"{API}/connections$")
    assert len(connection_requests) == 2
    first, second = connection_requests
    assert first.param("$filter") == f"(_record1id_value eq {OPP}) and statecode eq 0"
    assert second.param(
        "$skiptoken",
    ) and second.param("$skiptoken").startswith('<cookie pagenumber="2"')
    assert "odata.maxpagesize=500" in first.headers["prefer"]
    assert first.headers["odata-version"] == "4.0"
    (get_opp,) = fake.server.matching("GET", rf"{API}/opportunities\(")
    assert get_opp.param(
        "$expand",
    ).startswith("customerid_account($select=")


def test_find_by_phone_matches_the_ways_numbers_are_written(dynamics: DY) -> None:
    fake, connector = dynamics
    data = connector.find_by_phone("+442079460123")
    (search,) = fake.server.matching("GET", f"{API}/contacts$")[:1]
    assert set(odata_literals(search.param("$filter") or "")) == {
        "+442079460123",
        "+44 20 7946 0123",
        "020 7946 0123",
    }
    assert [c.id for c in data.contacts] == [A]
    assert [(r.opportunity_id, r.contact_id, r.role, r.is_primary) for r in data.roles] == [
        (OPP, A, Role.DECISION_MAKER, True)
    ]
    assert [o.id for o in data.opportunities] == [OPP]


def test_write_call_log_creates_a_completed_phonecall(dynamics: DY) -> None:
    fake, connector = dynamics
    call_id = connector.write_call_log(entry())
    (create,) = fake.server.matching("POST", f"{API}/phonecalls$")
    assert create.body == {
        "subject": "Outbound call +442079460123 (rc:call:fedcba98_7654)",
        "description": "Outcome: Call back next week\n\nBudget approved in Q3.\n\n"
        "Documents presented: d0000000-0000-4000-8000-000000000001\n\n"
        "Rolecall call call:fedcba98_7654",
        "directioncode": True,
        "actualdurationminutes": 3,
        "actualstart": "2025-06-04T09:00:10Z",
        "actualend": "2025-06-04T09:02:11Z",
        "phonenumber": "+442079460123",
        "regardingobjectid_opportunity@odata.bind": f"/opportunities({OPP})",
        "phonecall_activity_parties": [
            {"partyid_contact@odata.bind": f"/contacts({A})", "participationtypemask": 2}
        ],
    }
    assert list(fake.phonecalls) == [call_id]
    assert (
        fake.phonecalls[call_id]["statecode"] == 1 and fake.phonecalls[call_id]["statuscode"] == 2
    )
    (lookup, *_) = fake.server.matching("GET", f"{API}/phonecalls$")
    # The key's "_" is a LIKE wildcard in Dataverse: it is bracketed to match literally.
    assert lookup.param("$filter") == (
        f"endswith(subject,'(rc:call:fedcba98[_]7654)') and _regardingobjectid_value eq {OPP}"
    )
    assert connector.write_call_log(entry()) == call_id
    assert len(fake.server.matching("POST", f"{API}/phonecalls$")) == 1


def test_retry_after_503_on_create_finds_and_completes_the_first_call(dynamics: DY) -> None:
    fake, connector = dynamics
    fake.server.fail(
        "POST",
        f"{API}/phonecalls$",
        Reply(503, {"error": {"code": "0x80040216", "message": "busy"}}),
        after_handler=True,
    )
    call_id = connector.write_call_log(entry(direction="inbound"))
    assert list(fake.phonecalls) == [call_id]
    assert len(fake.server.matching("POST", f"{API}/phonecalls$")) == 1
    # Found still open (the close never happened), so it is closed now: Received.
    assert (
        fake.phonecalls[call_id]["statecode"] == 1 and fake.phonecalls[call_id]["statuscode"] == 4
    )
    assert fake.phonecalls[call_id]["directioncode"] is False


NOTE_KEY = "note:7:0a1b2c3d4e5f"


def note(**changes: object) -> ContactNote:
    values: dict[str, object] = {
        "contact_id": A,
        "opportunity_id": OPP,
        "body": "Budget holder is the CFO.\nSend the SOW draft by Friday.",
        "created_at": datetime(2025, 6, 4, 9, 5, 1, 250000, tzinfo=UTC),
    }
    values.update(changes)
    return ContactNote.model_validate(values)


def test_write_contact_note_creates_one_annotation_on_the_contact(dynamics: DY) -> None:
    fake, connector = dynamics
    note_id = connector.write_contact_note(note(), NOTE_KEY)
    (create,) = fake.server.matching("POST", f"{API}/annotations$")
    assert create.body == {
        "subject": "Budget holder is the CFO. (rc:note:7:0a1b2c3d4e5f)",
        "notetext": "Budget holder is the CFO.\nSend the SOW draft by Friday.",
        "objectid_contact@odata.bind": f"/contacts({A})",
    }
    assert list(fake.annotations) == [note_id]
    (lookup, *_) = fake.server.matching("GET", f"{API}/annotations$")
    assert lookup.param("$filter") == (
        f"endswith(subject,'(rc:note:7:0a1b2c3d4e5f)') and _objectid_value eq {A}"
    )
    assert connector.write_contact_note(note(), NOTE_KEY) == note_id
    assert len(fake.server.matching("POST", f"{API}/annotations$")) == 1
    # A note is not an attachment: the opportunity's documents are what they were.
    assert {d.title for d in connector.opportunity(OPP).documents} == {
        "Contoso SOW.docx",
        "pricing.PDF",
    }


@pytest.mark.parametrize("reached", [True, False], ids=["answer-lost", "refused"])
def test_retry_after_503_on_annotation_create_makes_exactly_one(
    dynamics: DY, reached: bool
) -> None:
    fake, connector = dynamics
    fake.server.fail(
        "POST",
        f"{API}/annotations$",
        Reply(503, {"error": {"code": "0x80040216", "message": "busy"}}),
        after_handler=reached,
    )
    note_id = connector.write_contact_note(note(), NOTE_KEY)
    assert list(fake.annotations) == [note_id]
    assert len(fake.server.matching("POST", f"{API}/annotations$")) == (1 if reached else 2)
    assert len(fake.server.matching("GET", f"{API}/annotations$")) == 2


def test_note_marker_wildcards_are_matched_literally(dynamics: DY) -> None:
    fake, connector = dynamics
    key = "note:9:ab_cd%ef"
    note_id = connector.write_contact_note(note(), key)
    (lookup, *_) = fake.server.matching("GET", f"{API}/annotations$")
    assert "'(rc:note:9:ab[_]cd[%]ef)'" in (lookup.param("$filter") or "")
    assert connector.write_contact_note(note(), key) == note_id
    # A note on another contact with the same marker is not taken for this one.
    assert connector.write_contact_note(note(contact_id=B), key) != note_id
    assert len(fake.annotations) == 2


def test_update_contact_role_changes_the_connection_and_the_primary_contact(dynamics: DY) -> None:
    fake, connector = dynamics
    connector.update_contact_role(
        ContactRole(opportunity_id=OPP, contact_id=B, role=Role.ECONOMIC_BUYER, is_primary=True)
    )
    (patch,) = fake.server.matching("PATCH", rf"{API}/connections\(")
    assert patch.body == {
        "record2roleid@odata.bind": f"/connectionroles({FakeDynamics.ROLE_ECONOMIC_BUYER})"
    }
    assert fake.connections["e0000000-0000-4000-8000-000000000002"]["role"] == (
        FakeDynamics.ROLE_ECONOMIC_BUYER
    )
    assert fake.primary_contact == B
    (roles_query,) = fake.server.matching("GET", f"{API}/connectionroles$")
    assert roles_query.param("$filter") == "name eq 'Economic Buyer' and statecode eq 0"


def test_update_contact_role_creates_a_connection_and_clears_primary(dynamics: DY) -> None:
    fake, connector = dynamics
    newcomer = "c0000000-0000-4000-8000-0000000000ee"
    fake.primary_contact = newcomer
    connector.update_contact_role(
        ContactRole(opportunity_id=OPP, contact_id=newcomer, role=Role.INFLUENCER)
    )
    (create,) = fake.server.matching("POST", f"{API}/connections$")
    assert create.body == {
        "record1id_opportunity@odata.bind": f"/opportunities({OPP})",
        "record2id_contact@odata.bind": f"/contacts({newcomer})",
        "record2roleid@odata.bind": "/connectionroles(f0000000-0000-4000-8000-000000000003)",
    }
    assert fake.primary_contact is None


def test_unknown_connection_role_is_not_retryable(dynamics: DY) -> None:
    fake, connector = dynamics
    with pytest.raises(ConnectorError) as caught:
        connector.update_contact_role(
            ContactRole(opportunity_id=OPP, contact_id=B, role=Role.OTHER, source_role="Gatekeeper")
        )
    assert not caught.value.retryable and "Gatekeeper" in caught.value.message
    assert fake.server.matching("PATCH", ".") == [] and fake.server.matching("POST", ".") == []


@pytest.mark.parametrize("bad_id", [f"{OPP}) or (1 eq 1", "not-a-guid", f"{OPP}'", "../accounts"])
def test_ids_that_could_inject_odata_are_refused(dynamics: DY, bad_id: str) -> None:
    fake, connector = dynamics
    with pytest.raises(ConnectorError):
        connector.opportunity(bad_id)
    with pytest.raises(ConnectorError):
        connector.write_call_log(entry(contact_id="c0000000{x}"))
    assert fake.server.requests == []


@pytest.mark.parametrize("value", ["O'Brien", "x' or name ne 'y", "''", "a'')or(''"])
def test_odata_strings_stay_one_literal(value: str) -> None:
    expression = f"name eq {odata_string(value)} and statecode eq 0"
    assert odata_literals(expression) == [value]
    assert expression.endswith("' and statecode eq 0")


def test_like_wildcards_are_bracketed() -> None:
    assert like_escape("a_b%c[d]") == "a[_]b[%]c[[]d]"


def test_find_by_phone_refuses_non_e164_input(dynamics: DY) -> None:
    fake, connector = dynamics
    with pytest.raises(ConnectorError):
        connector.find_by_phone("+44' or telephone1 ne '")
    assert fake.server.requests == []


def test_rejected_token_is_not_retryable(dynamics: DY) -> None:
    fake, connector = dynamics
    fake.server.fail(
        "GET",
        rf"{API}/opportunities\(",
        Reply(
            401,
            {
                "error": {
                    "code": "0x80072560",
                    "message": "The user is not a member of the organization.",
                }
            },
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        connector.opportunity(OPP)
    assert not caught.value.retryable and caught.value.status == 401
    assert "crm:dynamics" in caught.value.message
