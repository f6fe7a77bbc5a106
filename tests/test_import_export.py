"""Importing a Salesforce data export and Rolecall JSON, exporting both, and round trips.

The fixtures in tests/data/import are hand-written in the shape of Salesforce's
Setup > Data Export files (API field names as headers, every value quoted, 18-character
ids, extra columns the importer ignores): `valid/` must import cleanly, `broken/` holds
one mistake per row where noted and must yield exactly the expected errors.
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rolecall.crm.exporting import (
    CONTACT_COLUMNS,
    OPPORTUNITY_COLUMNS,
    ROLE_COLUMNS,
    export_json,
    export_salesforce_csv,
)
from rolecall.crm.importing import (
    ImportResult,
    RowError,
    import_json,
    import_salesforce_csv,
    parse_phone,
)
from rolecall.demo.dataset import demo_dataset
from rolecall.protocol.records import (
    Account,
    Contact,
    ContactRole,
    Dataset,
    Document,
    Opportunity,
    Phone,
    Relationship,
    Role,
)

DATA = Path(__file__).parent / "data" / "import"
VALID = DATA / "valid"
BROKEN = DATA / "broken"
CSV_FILES = (
    "User.csv",
    "Account.csv",
    "Contact.csv",
    "Opportunity.csv",
    "OpportunityContactRole.csv",
    "ContentDocumentLink.csv",
    "ContentVersion.csv",
)

ACME, KESSLER, HUAXIN = "0015g00000AcmEaAAB", "0015g00000KeSsLAA1", "0015g00000HuAxInAA"
ANNA, MARCUS, TOM = "0035g00000AnNaKAAQ", "0035g00000MaRcUsAA", "0035g00000ToMbEcAA"
JUERGEN, ZOE, FRANCOIS = "0035g00000JuErGeAA", "0035g00000ZoEmUeAA", "0035g00000FrAnCoAA"
WANG, LI, JOSE = "0035g00000WaNgWeAA", "0035g00000LiNaAAAA", "0035g00000NoAcCtAA"
OPP_ACME, OPP_KESSLER = "0065g00000OpPaCmAA", "0065g00000OpPkEsAA"
OPP_HUAXIN, OPP_JOSE = "0065g00000OpPhUaAA", "0065g00000OpPjOsAA"


Record = TypeVar("Record", Account, Contact, Opportunity, Document)


def by_id(records: list[Record]) -> dict[str, Record]:
    return {record.id: record for record in records}


def carried_by_csv(dataset: Dataset) -> Dataset:
    """What Salesforce's CSV files can carry of `dataset` (see exporting's docstring)."""
    return dataset.model_copy(
        update={
            "relationships": sorted(
                (r for r in dataset.relationships if r.kind == "reports_to"),
                key=lambda r: (r.from_contact_id, r.to_contact_id),
            ),
            "documents": [d.model_copy(update={"local_path": None}) for d in dataset.documents],
        }
    )


def csv_round_trip(dataset: Dataset, directory: Path) -> ImportResult:
    export_salesforce_csv(dataset, directory)
    return import_salesforce_csv(directory)


# --- a valid export -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def valid() -> ImportResult:
    return import_salesforce_csv(VALID)


def test_valid_export_imports_cleanly(valid: ImportResult) -> None:
    assert valid.errors == []
    assert valid.ok
    assert valid.warnings == [
        RowError("ContentVersion.csv", 8, "the file is on no opportunity in the export; left out")
    ]
    assert valid.counts == {
        "accounts": 3,
        "contacts": 9,
        "opportunities": 4,
        "roles": 10,
        "relationships": 4,
        "documents": 6,
    }
    assert valid.rows_read == {
        "User.csv": 2,
        "Account.csv": 4,
        "Contact.csv": 9,
        "Opportunity.csv": 4,
        "OpportunityContactRole.csv": 11,
        "ContentDocumentLink.csv": 7,
        "ContentVersion.csv": 7,
    }


def test_valid_accounts_with_bom_quotes_and_newlines(valid: ImportResult) -> None:
    accounts = by_id(valid.dataset.accounts)
    assert (VALID / "Account.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert set(accounts) == {ACME, KESSLER, HUAXIN}  # the deleted one is left out
    assert accounts[ACME] == Account(
        id=ACME,
        name="Acme Analytics, Inc.",
        industry="Technology",
        website="https://www.acme-analytics.example",
        phone=Phone(kind="work", raw="(415) 555-0132", e164="+14155550132"),
    )
    assert accounts[HUAXIN].name == "华信零售集团"
    assert accounts[KESSLER].phone == Phone(raw="0711 123456-0", e164="+497111234560")


def test_valid_contacts_names_and_phones(valid: ImportResult) -> None:
    contacts = by_id(valid.dataset.contacts)
    assert contacts[ANNA] == Contact(
        id=ANNA,
        account_id=ACME,
        first_name="Anna",
        last_name="Kowalski",
        title="VP, Customer Operations",
        email="anna.kowalski@acme-analytics.example",
        phones=[
            Phone(kind="work", raw="(415) 555-0147", e164="+14155550147"),
            Phone(kind="mobile", raw="415.555.0198", e164="+14155550198"),
        ],
    )
    assert contacts[MARCUS].phones[1] == Phone(
        kind="fax", raw="(415) 555-0199", e164="+14155550199"
    )
    assert contacts[WANG].name == "王伟" and contacts[WANG].title == "首席运营官"
    assert contacts[ZOE].name == "Zoë Müller" and contacts[FRANCOIS].name == "François Lefèvre"
    assert contacts[JOSE].account_id is None
    # National numbers read in the contact's country, else its account's:
    assert contacts[ZOE].phones[0].e164 == "+497111234560"  # MailingCountryCode DE
    assert contacts[JUERGEN].phones == [
        Phone(kind="work", raw="0711 123456-0", e164="+497111234560"),  # BillingCountryCode
        Phone(kind="mobile", raw="0171 2345678", e164="+491712345678"),
    ]
    assert contacts[WANG].phones[0].e164 == "+8613800138000"
    # Not a number: kept as written, and no error.
    assert contacts[LI].phones == [Phone(kind="work", raw="请找前台", e164=None)]


def test_valid_opportunities(valid: ImportResult) -> None:
    opportunities = by_id(valid.dataset.opportunities)
    assert opportunities[OPP_ACME] == Opportunity(
        id=OPP_ACME,
        account_id=ACME,
        name="Acme — Contact Centre Platform",
        stage="Negotiation/Review",
        amount=182500.0,
        currency="USD",
        close_date=date(2025, 3, 28),
        owner="Maria Chen",
        description='Replace the "click-to-dial" plug-in for 240 agents, with call context.\n'
        "Legal has redlines on the MSA, section 7 (data protection); wants a 3-year price lock.",
    )
    assert opportunities[OPP_KESSLER].currency == "EUR"
    assert opportunities[OPP_KESSLER].owner == "Daniel Okoye"
    assert opportunities[OPP_HUAXIN].name == "华信 — 门店呼叫中心"
    assert opportunities[OPP_HUAXIN].description == "320 家门店, 东部地区"
    assert opportunities[OPP_JOSE].amount is None and opportunities[OPP_JOSE].account_id is None


def test_valid_roles_keep_salesforce_wording(valid: ImportResult) -> None:
    roles = {(r.opportunity_id, r.contact_id): r for r in valid.dataset.roles}
    assert roles[(OPP_ACME, ANNA)] == ContactRole(
        opportunity_id=OPP_ACME,
        contact_id=ANNA,
        role=Role.DECISION_MAKER,
        source_role="Decision Maker",
        is_primary=True,
    )
    assert roles[(OPP_ACME, TOM)].role is Role.INFLUENCER  # a custom value, "Champion"
    assert roles[(OPP_ACME, TOM)].source_role == "Champion"
    assert roles[(OPP_KESSLER, ZOE)].role is Role.ECONOMIC_BUYER
    assert roles[(OPP_KESSLER, ZOE)].source_role == "Economic Decision Maker"
    assert roles[(OPP_ACME, JOSE)].role is Role.NONE
    assert (OPP_HUAXIN, TOM) not in roles  # IsDeleted
    assert sorted((r.from_contact_id, r.to_contact_id) for r in valid.dataset.relationships) == [
        (FRANCOIS, JUERGEN),
        (LI, WANG),
        (TOM, ANNA),
        (ZOE, JUERGEN),
    ]


def test_valid_documents(valid: ImportResult) -> None:
    documents = by_id(valid.dataset.documents)
    assert documents["0685g00000CvPrOpAA"] == Document(
        id="0685g00000CvPrOpAA",
        opportunity_id=OPP_ACME,
        title="Proposal v3",
        doc_type="pdf",
        size_bytes=48213,
        owner="Maria Chen",
        modified_at=datetime(2025, 2, 28, 16, 4, 11, tzinfo=UTC),
    )
    assert "0685g00000CvPrOoAA" not in documents  # an older version
    # Published on the account, linked to the opportunity:
    assert documents["0685g00000CvMsAaAA"].opportunity_id == OPP_ACME
    assert documents["0685g00000CvMsAaAA"].modified_at == datetime(
        2025, 2, 20, 9, 30, 0, 500_000, tzinfo=UTC
    )
    # Linked to two opportunities: one document on each.
    assert documents["0685g00000CvWhItAA"].opportunity_id == OPP_ACME
    assert documents[f"0685g00000CvWhItAA:{OPP_KESSLER}"].opportunity_id == OPP_KESSLER
    link = documents["0685g00000CvReQsAA"]
    assert (link.doc_type, link.url, link.title) == (
        "link",
        "https://docs.example/huaxin/requirements",
        "需求说明书",
    )
    assert "0685g00000CvLoGoAA" not in documents  # in a user's library only


def test_zip_reads_like_the_directory(valid: ImportResult, tmp_path: Path) -> None:
    archive = tmp_path / "WE_00D5g000000Abcd_1.ZIP"
    with zipfile.ZipFile(archive, "w") as out:
        for path in VALID.iterdir():
            out.write(path, path.name)
    result = import_salesforce_csv(archive)
    assert result.dataset == valid.dataset
    assert result.errors == valid.errors and result.warnings == valid.warnings


def test_file_bytes_in_the_export_are_used(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(VALID, export)
    (export / "ContentVersion").mkdir()
    (export / "ContentVersion" / "0685g00000CvPrOpAA").write_bytes(b"%PDF-1.4 ...")
    documents = by_id(import_salesforce_csv(export).dataset.documents)
    assert documents["0685g00000CvPrOpAA"].local_path == str(
        export / "ContentVersion" / "0685g00000CvPrOpAA"
    )
    assert documents["0685g00000CvMsAaAA"].local_path is None


def test_other_encodings_when_asked(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    text = (VALID / "Contact.csv").read_text(encoding="utf-8")
    latin = [
        line for line in text.splitlines(keepends=True) if not any(c in line for c in "王李娜")
    ]
    (export / "Contact.csv").write_bytes("".join(latin).encode("latin-1"))
    as_utf8 = import_salesforce_csv(export)
    assert [(e.file, e.line) for e in as_utf8.errors] == [("Contact.csv", 5)]
    assert "not utf-8 text" in as_utf8.errors[0].message
    assert as_utf8.dataset.contacts == []
    as_latin = import_salesforce_csv(export, encoding="ISO-8859-1")
    assert as_latin.errors == []
    assert "Zoë Müller" in [c.name for c in as_latin.dataset.contacts]


def test_default_region_reads_national_numbers(tmp_path: Path) -> None:
    (tmp_path / "Contact.csv").write_text('"Id","LastName","Phone"\n"c1","Weiß","030 1234567"\n')
    assert import_salesforce_csv(tmp_path).dataset.contacts[0].phones[0].e164 is None
    german = import_salesforce_csv(tmp_path, default_region="DE").dataset.contacts[0]
    assert german.phones[0].e164 == "+49301234567"


def test_missing_columns_and_files_are_reported(tmp_path: Path) -> None:
    (tmp_path / "Contact.csv").write_text('"Id","FirstName"\n"c1","Anna"\n')
    (tmp_path / "Account.csv").write_text("")
    result = import_salesforce_csv(tmp_path)
    assert [(e.file, e.line) for e in result.errors] == [("Account.csv", 1), ("Contact.csv", 1)]
    assert "no LastName column" in result.errors[1].message
    nowhere = import_salesforce_csv(tmp_path / "nothing-here")
    assert [(e.file, e.line) for e in nowhere.errors] == [("nothing-here", 0)]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no Salesforce export files" in import_salesforce_csv(empty).errors[0].message


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError):
        import_salesforce_csv(VALID, default_region="XX")
    with pytest.raises(ValueError):
        import_salesforce_csv(VALID, default_currency="euro")
    with pytest.raises(ValueError):
        import_salesforce_csv(VALID, encoding="no-such-codec")


def test_parse_phone() -> None:
    assert parse_phone("  +1 (415) 555-0132 ext. 7 ") == Phone(
        raw="+1 (415) 555-0132 ext. 7", e164="+14155550132"
    )
    assert parse_phone("2024-01-15") == Phone(raw="2024-01-15", e164=None)
    assert parse_phone("sip:anna@pbx.example") == Phone(raw="sip:anna@pbx.example", e164=None)
    assert parse_phone("0711 123456-0", "mobile", "DE") == Phone(
        kind="mobile", raw="0711 123456-0", e164="+497111234560"
    )
    assert parse_phone("") is None and parse_phone("1" * 65) is None


# --- a broken export ----------------------------------------------------------------------

EXPECTED_ERRORS = [
    ("User.csv", 3, "not utf-8 text"),
    ("Account.csv", 3, "Name is empty"),
    ("Account.csv", 5, "duplicate account Id (first on line 2)"),
    ("Contact.csv", 3, "LastName is empty"),
    ("Contact.csv", 6, "'not an id!' is not a valid record id"),
    ("Opportunity.csv", 5, "CloseDate '2025-13-45' is not a date"),
    ("Opportunity.csv", 6, "Amount '12,5OO' is not a number"),
    ("Opportunity.csv", 10, "3 fields where the header has 10"),
    ("OpportunityContactRole.csv", 3, "contact 0035g00000GhOsTAAA is not in Contact.csv"),
    ("OpportunityContactRole.csv", 4, "was skipped (Contact.csv line 3)"),
    ("OpportunityContactRole.csv", 5, "was skipped (Opportunity.csv line 5)"),
    ("OpportunityContactRole.csv", 6, "IsPrimary 'maybe' is not true or false"),
    ("OpportunityContactRole.csv", 7, "contact already on this opportunity (line 2)"),
    ("ContentVersion.csv", 3, "LastModifiedDate 'yesterday' is not a time"),
    (
        "ContentVersion.csv",
        4,
        "opportunity 0065g00000BaDaMtAA was skipped (Opportunity.csv line 6)",
    ),
    ("ContentVersion.csv", 5, "ContentSize '-5' is not a size in bytes"),
]
EXPECTED_WARNINGS = [
    ("Contact.csv", 5, "account 0015g00000BaDaCcAA was skipped (Account.csv line 3)"),
    ("Contact.csv", 7, "ReportsToId: contact 0035g00000GhOsTAAA is not in Contact.csv"),
    ("Opportunity.csv", 7, "account 0015g00000MiSsInAA is not in Account.csv; link dropped"),
    ("ContentVersion.csv", 6, "on no opportunity"),
]


@pytest.fixture(scope="module")
def broken() -> ImportResult:
    return import_salesforce_csv(BROKEN)


def test_broken_export_reports_each_bad_row(broken: ImportResult) -> None:
    assert [(e.file, e.line) for e in broken.errors] == [(f, n) for f, n, _ in EXPECTED_ERRORS]
    for error, (_, _, words) in zip(broken.errors, EXPECTED_ERRORS, strict=True):
        assert words in error.message, error
    assert [(w.file, w.line) for w in broken.warnings] == [(f, n) for f, n, _ in EXPECTED_WARNINGS]
    for warning, (_, _, words) in zip(broken.warnings, EXPECTED_WARNINGS, strict=True):
        assert words in warning.message, warning
    assert str(broken.errors[1]) == "Account.csv:3: Name is empty; row skipped"
    assert not broken.ok


def test_broken_export_keeps_every_good_row(broken: ImportResult) -> None:
    dataset = broken.dataset
    assert [a.id for a in dataset.accounts] == [ACME, KESSLER]
    assert dataset.accounts[0].name == "Acme Analytics, Inc."  # the first of the duplicates
    contacts = by_id(dataset.contacts)
    assert list(contacts) == [
        ANNA,
        JUERGEN,
        "0035g00000OrPhAnAA",
        "0035g00000LoSeRAAA",
        "0035g00000NoNuMbAA",
    ]
    assert contacts["0035g00000OrPhAnAA"].account_id is None  # its account row was bad
    assert contacts["0035g00000NoNuMbAA"].phones == [Phone(raw="bitte über Zentrale")]
    assert dataset.relationships == []  # the only manager is not in the export
    opportunities = by_id(dataset.opportunities)
    assert list(opportunities) == [OPP_ACME, "0065g00000NoAcCtAA", OPP_KESSLER]
    # An opportunity whose account is not in the export is kept, without the link.
    assert opportunities["0065g00000NoAcCtAA"].account_id is None
    assert opportunities[OPP_ACME].description == 'Three lines:\none, with a comma\nand "quotes".'
    assert opportunities[OPP_KESSLER].currency == "EUR"
    # User.csv was unreadable: owners stay as Salesforce user ids.
    assert opportunities[OPP_ACME].owner == "0055g000004MaRiAAK"
    assert [(r.opportunity_id, r.contact_id, r.role) for r in dataset.roles] == [
        (OPP_ACME, ANNA, Role.DECISION_MAKER),
        (OPP_KESSLER, JUERGEN, Role.ECONOMIC_BUYER),
        ("0065g00000NoAcCtAA", "0035g00000OrPhAnAA", Role.TECHNICAL_BUYER),
    ]
    assert [d.id for d in dataset.documents] == ["0685g00000CvPrOpAA"]
    assert broken.counts == {
        "accounts": 2,
        "contacts": 5,
        "opportunities": 3,
        "roles": 3,
        "relationships": 0,
        "documents": 1,
    }


def test_broken_export_loads_into_a_database(broken: ImportResult, tmp_path: Path) -> None:
    """What is left refers only to what is there, so the store's foreign keys hold."""
    from rolecall.store.store import Store

    store = Store(tmp_path / "rolecall.db")
    try:
        store.load(broken.dataset)
        (count,) = store.db.execute("SELECT count(*) FROM opportunity_contact_roles").fetchone()
    finally:
        store.close()
    assert count == 3


# --- Rolecall JSON ------------------------------------------------------------------------


def test_json_round_trip_of_an_import(valid: ImportResult, tmp_path: Path) -> None:
    path = tmp_path / "dataset.json"
    export_json(valid.dataset, path)
    again = import_json(path)
    assert again.errors == [] and again.warnings == []
    assert again.dataset == valid.dataset
    assert again.rows_read == {"dataset.json": sum(valid.counts.values())}
    text = path.read_text(encoding="utf-8")
    assert text.startswith('{\n  "format": "rolecall-dataset",\n  "version": 1,\n')
    assert "王伟" in text  # readable, not \u escapes
    assert not list(tmp_path.glob("*.partial"))


def _json_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "in.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_json_errors_name_their_line(tmp_path: Path) -> None:
    text = """{
  "format": "rolecall-dataset",
  "version": 1,
  "accounts": [
    {"id": "acc-1", "name": "One"},
    {"id": "acc-1", "name": "One again"},
    {"id": "bad id", "name": "Two"}
  ],
  "contacts": [
    {"id": "con-1", "account_id": "acc-2", "last_name": "Ng"},
    {"id": "con-2", "last_name": "Xu", "phones": [{"raw": "1", "e164": "12"}]}
  ],
  "opportunities": [{"id": "opp-1", "name": "Deal", "amount": "lots"}],
  "roles": [
    {"opportunity_id": "opp-1", "contact_id": "con-1", "role": "decision_maker"}
  ],
  "relationships": [
    {"from_contact_id": "con-1", "to_contact_id": "con-2", "kind": "reports_to"}
  ],
  "documents": [],
  "comments": "ignored"
}
"""
    result = import_json(_json_file(tmp_path, text))
    assert [(e.line, e.message.split(":")[0]) for e in result.errors] == [
        (6, "duplicate account Id (first on line 5); skipped"),
        (7, "accounts[2]"),
        (11, "contacts[1]"),
        (13, "opportunities[0]"),
        (15, "opportunity opp-1 was skipped (in.json line 13); role skipped"),
        (18, "contact con-2 was skipped (in.json line 11); relationship skipped"),
    ]
    assert "phones.0.e164" in result.errors[2].message
    assert [(w.line, w.message) for w in result.warnings] == [
        (1, "unknown section 'comments' ignored"),
        (10, "AccountId: account acc-2 is not in the accounts; link dropped"),
    ]
    assert [c.id for c in result.dataset.contacts] == ["con-1"]
    assert result.dataset.contacts[0].account_id is None


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('{"format": "rolecall-dataset",\n "version": 1,\n "accounts": [}', 3, "not JSON"),
        ('{"format": "something-else", "version": 1}', 1, "not a Rolecall dataset"),
        ("[1, 2]", 1, "not a Rolecall dataset"),
        ('{"format": "rolecall-dataset", "version": 2}', 1, "version 2"),
        ('{"format": "rolecall-dataset", "version": 1, "contacts": {}}', 1, "not a list"),
        ("[" * 100_000, 1, "nested too deeply"),
    ],
)
def test_json_whole_file_problems(tmp_path: Path, text: str, line: int, words: str) -> None:
    result = import_json(_json_file(tmp_path, text))
    assert [(e.file, e.line) for e in result.errors] == [("in.json", line)]
    assert words in result.errors[0].message
    assert result.dataset == Dataset()


def test_json_unreadable_files(tmp_path: Path) -> None:
    missing = import_json(tmp_path / "missing.json")
    assert [(e.file, e.line) for e in missing.errors] == [("missing.json", 0)]
    latin = tmp_path / "latin.json"
    latin.write_bytes('{\n"x": "Zoë"}'.encode("latin-1"))
    assert [(e.line, e.message) for e in import_json(latin).errors] == [(2, "not UTF-8 text")]


# --- round trips ----------------------------------------------------------------------------


def test_csv_round_trip_of_an_import(valid: ImportResult, tmp_path: Path) -> None:
    again = csv_round_trip(valid.dataset, tmp_path)
    assert again.errors == [] and again.warnings == []
    assert again.dataset == valid.dataset
    with (tmp_path / "Opportunity.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert tuple(header) == OPPORTUNITY_COLUMNS
    assert (tmp_path / "Opportunity.csv").read_bytes().startswith(b'"Id","AccountId","Name"')


def test_csv_headers() -> None:
    assert CONTACT_COLUMNS[:6] == ("Id", "AccountId", "FirstName", "LastName", "Title", "Email")
    assert ROLE_COLUMNS == ("Id", "OpportunityId", "ContactId", "Role", "IsPrimary")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    return demo_dataset(tmp_path_factory.mktemp("demo-docs"))


def test_demo_round_trips_through_json(demo: Dataset, tmp_path: Path) -> None:
    export_json(demo, tmp_path / "demo.json")
    result = import_json(tmp_path / "demo.json")
    assert result.errors == [] and result.warnings == []
    assert result.dataset == demo


def test_demo_round_trips_through_csv(demo: Dataset, tmp_path: Path) -> None:
    written = export_salesforce_csv(demo, tmp_path, include_files=True)
    assert sorted(p.name for p in written) == sorted(
        name for name in CSV_FILES if name != "ContentDocumentLink.csv"
    )
    result = import_salesforce_csv(tmp_path)
    assert result.errors == [] and result.warnings == []
    assert carried_by_csv(result.dataset) == carried_by_csv(demo)
    for before, after in zip(demo.documents, result.dataset.documents, strict=True):
        assert after.local_path == str(tmp_path / "ContentVersion" / before.id)
        assert Path(after.local_path).read_bytes() == Path(before.local_path or "").read_bytes()


def test_what_csv_cannot_carry(tmp_path: Path) -> None:
    dataset = Dataset(
        contacts=[
            Contact(
                id="c1",
                last_name="Ng",
                phones=[
                    Phone(kind="mobile", raw="+1 415 555 0101"),
                    Phone(kind="work", raw="+1 415 555 0102"),
                    Phone(kind="work", raw="+1 415 555 0103"),
                ],
            ),
            Contact(id="c2", last_name="Xu"),
        ],
        opportunities=[Opportunity(id="o1", name="Deal")],
        roles=[ContactRole(opportunity_id="o1", contact_id="c1", role=Role.EVALUATOR)],
        relationships=[Relationship(from_contact_id="c1", to_contact_id="c2", kind="works_with")],
    )
    again = csv_round_trip(dataset, tmp_path).dataset
    assert [p.raw for p in again.contacts[0].phones] == ["+1 415 555 0102", "+1 415 555 0101"]
    assert again.roles[0].source_role == "Evaluator"
    assert again.relationships == []


# --- any input ------------------------------------------------------------------------------

PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _fresh(directory: Path) -> Path:
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir()
    return directory


def _well_formed(result: ImportResult, files: set[str]) -> None:
    for problem in result.errors + result.warnings:
        assert problem.file in files and problem.line >= 0 and problem.message
    Dataset.model_validate(result.dataset.model_dump())


@PROPERTY
@given(name=st.sampled_from(CSV_FILES), data=st.binary(max_size=2000))
def test_any_bytes_as_a_csv_file_never_raise(tmp_path: Path, name: str, data: bytes) -> None:
    directory = _fresh(tmp_path / "export")
    (directory / name).write_bytes(data)
    _well_formed(import_salesforce_csv(directory), {name, "export"})


@PROPERTY
@given(name=st.sampled_from(CSV_FILES), text=st.text(max_size=2000))
def test_any_text_as_a_csv_file_never_raises(tmp_path: Path, name: str, text: str) -> None:
    directory = _fresh(tmp_path / "export")
    (directory / name).write_text(text, encoding="utf-8")
    _well_formed(import_salesforce_csv(directory), {name, "export"})


@PROPERTY
@given(
    name=st.sampled_from(CSV_FILES),
    rows=st.lists(
        st.lists(st.one_of(st.text(max_size=40), st.sampled_from(["", "true", "0065", "1e999"]))),
        max_size=8,
    ),
)
def test_any_rows_under_the_right_header_never_raise(
    tmp_path: Path, name: str, rows: list[list[str]]
) -> None:
    """Real headers, random values: every value reaches its parser."""
    directory = _fresh(tmp_path / "export")
    export_salesforce_csv(Dataset(), directory)
    header = next(csv.reader(io.StringIO((VALID / name).read_text(encoding="utf-8-sig"))))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([(row + [""] * len(header))[: len(header)] for row in rows])
    (directory / name).write_text(buffer.getvalue(), encoding="utf-8")
    _well_formed(import_salesforce_csv(directory), set(CSV_FILES) | {"export"})


@PROPERTY
@given(data=st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode)))
def test_any_bytes_as_json_never_raise(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(data)
    _well_formed(import_json(path), {"in.json"})


@PROPERTY
@given(
    name=st.text(min_size=1, max_size=200).map(str.strip).filter(bool),
    description=st.text(max_size=500),
    amount=st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
    stage=st.sampled_from(["Prospecting", "Closed Won", ""]),
)
def test_any_text_round_trips_through_csv(
    tmp_path: Path, name: str, description: str, amount: float | None, stage: str
) -> None:
    """Quotes, commas, CR/LF, NUL and any script survive the CSV files."""
    dataset = Dataset(
        opportunities=[
            Opportunity(id="o1", name=name, description=description, amount=amount, stage=stage)
        ]
    )
    result = csv_round_trip(dataset, _fresh(tmp_path / "export"))
    assert result.errors == []
    assert result.dataset == dataset


VALID_TABLES = {
    name: list(csv.reader(io.StringIO((VALID / name).read_text(encoding="utf-8-sig"), newline="")))
    for name in CSV_FILES
}
CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [ACME, ANNA, JOSE, OPP_ACME, OPP_JOSE, "0695g00000CdMsAaAA", "", "true", "x" * 300]
    ),
)


@PROPERTY
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(CSV_FILES), st.integers(0, 20), st.integers(0, 20), CELLS),
        max_size=12,
    )
)
def test_a_damaged_export_still_gives_a_consistent_dataset(
    tmp_path: Path, edits: list[tuple[str, int, int, str]]
) -> None:
    """Cells of the valid export overwritten at random: whatever is imported refers only
    to what is imported, once, so it loads in one transaction."""
    directory = _fresh(tmp_path / "export")
    tables = {name: [list(row) for row in rows] for name, rows in VALID_TABLES.items()}
    for name, row, column, value in edits:
        cells = tables[name][row % len(tables[name])]
        cells[column % len(cells)] = value
    for name, rows in tables.items():
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        (directory / name).write_text(buffer.getvalue(), encoding="utf-8")
    dataset = import_salesforce_csv(directory).dataset
    accounts = {a.id for a in dataset.accounts}
    contacts = {c.id for c in dataset.contacts}
    opportunities = {o.id for o in dataset.opportunities}
    assert len(accounts) == len(dataset.accounts) and len(contacts) == len(dataset.contacts)
    assert len(opportunities) == len(dataset.opportunities)
    assert len({d.id for d in dataset.documents}) == len(dataset.documents)
    assert {c.account_id for c in dataset.contacts} <= accounts | {None}
    assert {o.account_id for o in dataset.opportunities} <= accounts | {None}
    assert {(r.opportunity_id, r.contact_id) for r in dataset.roles} <= {
        (o, c) for o in opportunities for c in contacts
    }
    assert len({(r.opportunity_id, r.contact_id) for r in dataset.roles}) == len(dataset.roles)
    assert {r.from_contact_id for r in dataset.relationships} <= contacts
    assert {r.to_contact_id for r in dataset.relationships} <= contacts
    assert {d.opportunity_id for d in dataset.documents} <= opportunities
