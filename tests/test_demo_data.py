"""The demo dataset's promises, and the document files it writes (checked byte by byte).

The validators here are independent of the writers: they read the formats' structure
(PDF cross-reference offsets, zip parts and their XML, PNG chunks and CRCs).
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import phonenumbers
import pytest

from rolecall.demo import documents
from rolecall.demo.dataset import demo_dataset
from rolecall.protocol.records import KEY_ROLES, Dataset, Role
from rolecall.store.store import Store

SALESFORCE_ROLES = {
    "Business User",
    "Decision Maker",
    "Economic Buyer",
    "Economic Decision Maker",
    "Evaluator",
    "Executive Sponsor",
    "Influencer",
    "Technical Buyer",
    "Other",
}
STAGES = {
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
}
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


# --- validators -------------------------------------------------------------------------


def check_pdf(data: bytes) -> int:
    """A structurally sound PDF: header, xref offsets at `n 0 obj`, stream lengths, EOF.
    Returns the number of pages."""
    assert data.startswith(b"%PDF-1.")
    assert data.rstrip().endswith(b"%%EOF")
    start = int(re.findall(rb"startxref\s+(\d+)\s+%%EOF", data)[-1])
    assert data[start:].startswith(b"xref")
    lines = data[start:].split(b"\n")
    first, count = map(int, lines[1].split())
    assert first == 0
    table = data[start + len(lines[0]) + len(lines[1]) + 2 :]
    for number in range(count):
        entry = table[20 * number : 20 * (number + 1)]
        assert len(entry) == 20 and entry.endswith((b" \n", b"\r\n")), entry
        offset, generation, kind = entry[:10], entry[11:16], entry[17:18]
        if number == 0:
            assert kind == b"f"
            continue
        assert kind == b"n" and generation == b"00000"
        assert data[int(offset) :].startswith(f"{number} 0 obj".encode()), number
    assert re.search(rb"/Size " + str(count).encode() + rb"\b", data[start:])
    for match in re.finditer(rb"/Length (\d+) >>\nstream\n", data):
        end = match.end() + int(match.group(1))
        assert data[end:].startswith(b"endstream")
    pages = int(re.search(rb"/Type /Pages /Kids \[[^\]]*\] /Count (\d+)", data).group(1))
    assert pages == len(re.findall(rb"/Type /Page\b(?!s)", data))
    return pages


def _zip_xml(path: Path) -> dict[str, ElementTree.Element]:
    """Every XML part of a zip package, parsed (the zip's CRCs checked first)."""
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return {
            name: ElementTree.fromstring(archive.read(name))
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        }


def _check_package(parts: dict[str, ElementTree.Element], main: str) -> None:
    """OOXML: content types name the main part; every relationship target exists."""
    types = parts["[Content_Types].xml"]
    overrides = {o.get("PartName") for o in types}
    assert f"/{main}" in overrides
    for name, root in parts.items():
        if not name.endswith(".rels"):
            continue
        base = name.replace("_rels/", "").removesuffix(".rels").rpartition("/")[0]
        for relationship in root:
            target = relationship.get("Target", "")
            resolved = f"{base}/{target}".lstrip("/") if base else target
            assert resolved in parts, (name, target)


def check_docx(path: Path) -> list[str]:
    parts = _zip_xml(path)
    _check_package(parts, "word/document.xml")
    body = parts["word/document.xml"].find(f"{W}body")
    assert body is not None
    paragraphs = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.iter(f"{W}p")]
    assert paragraphs and paragraphs[0]
    styles = {s.get(f"{W}val") for s in body.iter(f"{W}pStyle")}
    assert styles <= {s.get(f"{W}styleId") for s in parts["word/styles.xml"]}
    return paragraphs


def check_xlsx(path: Path) -> list[list[str]]:
    parts = _zip_xml(path)
    _check_package(parts, "xl/workbook.xml")
    assert parts["xl/workbook.xml"].find(f"{S}sheets/{S}sheet") is not None
    rows = []
    for row in parts["xl/worksheets/sheet1.xml"].iter(f"{S}row"):
        cells = []
        for cell in row:
            if cell.get("t") == "inlineStr":
                cells.append("".join(t.text or "" for t in cell.iter(f"{S}t")))
            else:
                formula = cell.find(f"{S}f")
                value = cell.find(f"{S}v")
                assert value is not None and value.text is not None
                float(value.text)
                cells.append(f"={formula.text}" if formula is not None else value.text)
        rows.append(cells)
    assert rows
    return rows


def check_odt(path: Path) -> list[str]:
    parts = _zip_xml(path)
    with zipfile.ZipFile(path) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"
    manifest = parts["META-INF/manifest.xml"]
    listed = {
        e.get("{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}full-path") for e in manifest
    }
    assert {"/", "content.xml"} <= listed
    text_ns = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
    content = parts["content.xml"]
    return [
        "".join(e.itertext()) for e in content.iter() if e.tag in (f"{text_ns}p", f"{text_ns}h")
    ]


def check_png(data: bytes) -> tuple[int, int]:
    """Signature, chunks with correct CRCs (IHDR first, IEND last), pixel data that
    inflates to exactly one filtered row per line. Returns (width, height)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: list[tuple[bytes, bytes]] = []
    position = 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks.append((kind, body))
        position += 12 + length
    assert position == len(data)
    kinds = [kind for kind, _ in chunks]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, color, interlace) == (8, 2, 0)
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = 1 + 3 * width
    assert len(pixels) == stride * height
    assert all(pixels[row * stride] <= 4 for row in range(height))
    return width, height


def check_svg(data: bytes) -> ElementTree.Element:
    root = ElementTree.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def check_document(path: Path) -> None:
    data = path.read_bytes()
    assert data
    match path.suffix:
        case ".pdf":
            check_pdf(data)
        case ".docx":
            check_docx(path)
        case ".xlsx":
            check_xlsx(path)
        case ".odt":
            check_odt(path)
        case ".png":
            check_png(data)
        case ".svg":
            check_svg(data)
        case other:
            raise AssertionError(f"unexpected document type {other}")


# --- the writers ------------------------------------------------------------------------


def test_pdf_is_valid_with_many_pages_and_awkward_text(tmp_path: Path) -> None:
    lines = ["(parens) \\ backslash", "Zoë Müller, São Paulo, Æsir", "王伟 shows as ?"]
    lines += [f"Line {n}: " + "lorem ipsum " * 12 for n in range(120)]
    path = tmp_path / "a.pdf"
    size = documents.write_pdf(path, "Proposal — (draft)", lines, author="Maria Chen")
    data = path.read_bytes()
    assert size == len(data)
    assert check_pdf(data) >= 3
    assert b"(\\(parens\\) \\\\ backslash) Tj" in data
    assert "Zoë Müller".encode("cp1252") in data
    assert "Proposal — (draft)".encode("utf-16-be").hex().upper().encode() in data


def test_docx_is_valid_and_keeps_any_text(tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    text = 'Fees <in> "EUR" & 王伟\x07 said'
    size = documents.write_docx(
        path, "MSA — Kessler", [("1. Parties", [text, ""]), ("", ["no heading"])]
    )
    assert size == path.stat().st_size
    paragraphs = check_docx(path)
    assert paragraphs == [
        "MSA — Kessler",
        "1. Parties",
        'Fees <in> "EUR" & 王伟 said',
        "",
        "no heading",
    ]


def test_xlsx_is_valid_with_numbers_and_totals(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    rows = [
        ["Seats", 120, 45.5, 5460.0],
        ["Setup & training", 1, 2500, 2500],
        ["Note", None, None, None],
    ]
    documents.write_xlsx(
        path, "Pricing: Q1/2025", ["Item", "Qty", "Unit", "Total"], rows, totals=True
    )
    table = check_xlsx(path)
    assert table[0] == ["Item", "Qty", "Unit", "Total"]
    assert table[1] == ["Seats", "120", "45.5", "5460"]
    assert table[2] == ["Setup & training", "1", "2500", "2500"]
    assert table[-1] == ["Total", "=SUM(B2:B4)", "=SUM(C2:C4)", "=SUM(D2:D4)"]
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert 'name="Pricing  Q1 2025"' in workbook
    assert "<v>7960</v>" in sheet


def test_xlsx_refuses_not_a_number(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        documents.write_xlsx(tmp_path / "a.xlsx", "S", ["A"], [[float("nan")]])


def test_odt_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "a.odt"
    documents.write_odt(path, "会议纪要", [("Attendees", ["李娜", "José <Álvarez>"])])
    assert check_odt(path) == ["会议纪要", "Attendees", "李娜", "José <Álvarez>"]


def test_png_writers_are_valid_and_draw(tmp_path: Path) -> None:
    chart = tmp_path / "chart.png"
    documents.write_bar_chart_png(chart, [3, 0, 8, float("nan"), -1], width=320, height=200)
    assert check_png(chart.read_bytes()) == (320, 200)
    diagram = tmp_path / "diagram.png"
    documents.write_diagram_png(diagram, [(10, 10, 50, 30), (200, 150, 50, 30)], [(0, 1)])
    assert check_png(diagram.read_bytes()) == (800, 480)
    canvas = documents.Canvas(4, 3)
    canvas.fill_rect(1, 1, 2, 1, (255, 0, 0))
    canvas.line(0, 0, 3, 0, (0, 0, 255), width=1)
    assert canvas.pixels[0:3] == b"\x00\x00\xff"
    assert canvas.pixels[(1 * 4 + 1) * 3 : (1 * 4 + 2) * 3] == b"\xff\x00\x00"
    with pytest.raises(ValueError):
        documents.Canvas(0, 10)


def test_svg_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "a.svg"
    documents.write_diagram_svg(
        path, "Org <chart>", [("王伟", 10, 60), ("A & B", 200, 180)], [(0, 1)]
    )
    root = check_svg(path.read_bytes())
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["Org <chart>", "王伟", "A & B"]


def test_validators_catch_damage(tmp_path: Path) -> None:
    """The checks above are not vacuous: one changed byte, and they fail."""
    pdf = tmp_path / "a.pdf"
    documents.write_pdf(pdf, "T", ["x"])
    data = pdf.read_bytes()
    shifted = data.replace(b"1 0 obj", b" 1 0 obj", 1)
    with pytest.raises(AssertionError):
        check_pdf(shifted)
    png = tmp_path / "a.png"
    documents.write_bar_chart_png(png, [1, 2])
    data = bytearray(png.read_bytes())
    data[40] ^= 0x01
    with pytest.raises((AssertionError, zlib.error)):
        check_png(bytes(data))
    docx = tmp_path / "a.docx"
    documents.write_docx(docx, "T", [])
    with zipfile.ZipFile(docx) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"</w:body>", b"")
    with zipfile.ZipFile(docx, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    with pytest.raises(ElementTree.ParseError):
        check_docx(docx)


def test_writers_are_deterministic(tmp_path: Path) -> None:
    moment = datetime(2025, 2, 3, 4, 5, 6)
    for round_ in ("a", "b"):
        documents.write_docx(tmp_path / f"{round_}.docx", "T", [("H", ["p"])], modified=moment)
        documents.write_pdf(tmp_path / f"{round_}.pdf", "T", ["p"], created=moment)
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


@pytest.mark.skipif(shutil.which("file") is None, reason="no file(1) here")
def test_file_recognises_every_format(tmp_path: Path) -> None:
    documents.write_pdf(tmp_path / "a.pdf", "T", ["x"])
    documents.write_docx(tmp_path / "a.docx", "T", [])
    documents.write_xlsx(tmp_path / "a.xlsx", "S", ["A"], [[1]])
    documents.write_odt(tmp_path / "a.odt", "T", [])
    documents.write_bar_chart_png(tmp_path / "a.png", [1])
    expected = {
        "a.pdf": "PDF document",
        "a.docx": "Microsoft Word 2007+",
        "a.xlsx": "Microsoft Excel 2007+",
        "a.odt": "OpenDocument Text",
        "a.png": "PNG image data",
    }
    for name, description in expected.items():
        out = subprocess.run(["file", "-b", str(tmp_path / name)], capture_output=True, text=True)
        assert description in out.stdout, (name, out.stdout)


# --- the dataset ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Dataset, Path]]:
    directory = tmp_path_factory.mktemp("demo-docs")
    yield demo_dataset(directory), directory


def test_sizes_and_stages(demo: tuple[Dataset, Path]) -> None:
    dataset, _ = demo
    assert len(dataset.accounts) >= 6
    assert len(dataset.opportunities) >= 8
    assert len(dataset.contacts) >= 36
    assert {o.stage for o in dataset.opportunities} >= STAGES
    for opportunity in dataset.opportunities:
        assert opportunity.amount and opportunity.amount > 0
        assert opportunity.close_date is not None and opportunity.owner
    assert len({o.currency for o in dataset.opportunities}) >= 6


def test_accounts_span_industries_and_countries(demo: tuple[Dataset, Path]) -> None:
    dataset, _ = demo
    assert len({a.industry for a in dataset.accounts}) == len(dataset.accounts)
    regions = {
        phonenumbers.region_code_for_number(phonenumbers.parse(a.phone.e164))
        for a in dataset.accounts
        if a.phone and a.phone.e164
    }
    assert {"US", "DE", "CN", "HK", "GB", "BR", "JP", "IN"} <= regions
    assert all(a.website.endswith(".example") for a in dataset.accounts)


def test_every_salesforce_role_and_no_role(demo: tuple[Dataset, Path]) -> None:
    dataset, _ = demo
    assert {r.source_role for r in dataset.roles} == SALESFORCE_ROLES | {""}
    assert set(Role) == {r.role for r in dataset.roles}
    counts = Counter(r.role for r in dataset.roles)
    assert counts[Role.NONE] >= 1


def test_deals_missing_key_roles(demo: tuple[Dataset, Path]) -> None:
    dataset, _ = demo
    missing = [
        o.id
        for o in dataset.opportunities
        if not any(r.role is Role.ECONOMIC_BUYER for r in dataset.roles if r.opportunity_id == o.id)
    ]
    assert len(missing) >= 2
    for opportunity in dataset.opportunities:
        roles = [r for r in dataset.roles if r.opportunity_id == opportunity.id]
        assert sum(r.is_primary for r in roles) <= 1
        assert any(r.role in KEY_ROLES for r in roles)


def test_names_titles_and_emails(demo: tuple[Dataset, Path]) -> None:
    dataset, _ = demo
    names = [c.name for c in dataset.contacts]
    assert {"王伟", "李娜"} <= set(names)
    assert {"José Álvarez", "Zoë Müller", "François Lefèvre"} <= set(names)
    assert any(name.startswith("Björk") for name in names)
    assert sum(bool(CJK.search(name)) for name in names) >= 5
    assert sum(not name.isascii() and not CJK.search(name) for name in names) >= 8
    domains = {a.id: a.website.removeprefix("https://www.") for a in dataset.accounts}
    for contact in dataset.contacts:
        assert contact.title and "@" in contact.email
        if contact.account_id:
            assert contact.email.endswith("@" + domains[contact.account_id]), contact.id
    assert any(c.account_id is None for c in dataset.contacts)


def test_phones(demo: tuple[Dataset, Path]) -> None:
    dataset, _ = demo
    phones = [p for c in dataset.contacts for p in c.phones]
    assert all(p.e164 for p in phones)
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(p.e164)) for p in phones if p.e164)
    assert any(p.raw.startswith("+") for p in phones)
    assert sum(not p.raw.startswith("+") for p in phones) >= 15
    assert {"work", "mobile"} == {p.kind for p in phones}
    assert sum(len(c.phones) >= 2 for c in dataset.contacts) >= 5
    assert sum(bool(c.sip_uri) for c in dataset.contacts) >= 3
    assert all(c.sip_uri.startswith("sip:") for c in dataset.contacts if c.sip_uri)


def test_two_contacts_share_the_switchboard(demo: tuple[Dataset, Path]) -> None:
    dataset, _ = demo
    owners: dict[str, set[str]] = {}
    for contact in dataset.contacts:
        for phone in contact.phones:
            owners.setdefault(phone.e164 or "", set()).add(contact.id)
    shared = {number: ids for number, ids in owners.items() if len(ids) > 1}
    assert len(shared) == 1
    ((number, ids),) = shared.items()
    assert len(ids) == 2
    switchboards = {a.phone.e164 for a in dataset.accounts if a.phone}
    assert number in switchboards


def test_people_on_several_deals_and_relationships(demo: tuple[Dataset, Path]) -> None:
    dataset, _ = demo
    deals = Counter(r.contact_id for r in dataset.roles)
    assert max(deals.values()) >= 2
    contact_ids = {c.id for c in dataset.contacts}
    assert set(deals) <= contact_ids
    assert {r.opportunity_id for r in dataset.roles} == {o.id for o in dataset.opportunities}
    managers = {
        r.from_contact_id: r.to_contact_id for r in dataset.relationships if r.kind == "reports_to"
    }
    assert len(managers) == len([r for r in dataset.relationships if r.kind == "reports_to"])
    for start, end in managers.items():
        assert {start, end} <= contact_ids and start != end
    chains = [c for c in managers if managers.get(managers[c]) is not None]
    assert chains, "no reporting chain of two levels"
    assert {"works_with", "assistant_of"} <= {r.kind for r in dataset.relationships}


def test_document_files_exist_and_are_valid(demo: tuple[Dataset, Path]) -> None:
    dataset, directory = demo
    per_deal = Counter(d.opportunity_id for d in dataset.documents)
    assert set(per_deal) == {o.id for o in dataset.opportunities}
    assert all(2 <= n <= 6 for n in per_deal.values())
    assert {"pdf", "docx", "xlsx", "png", "odt", "svg"} == {d.doc_type for d in dataset.documents}
    assert len({d.id for d in dataset.documents}) == len(dataset.documents)
    for document in dataset.documents:
        assert document.local_path is not None
        path = Path(document.local_path)
        assert path.is_absolute() and path.is_relative_to(directory.absolute())
        assert path.suffix == f".{document.doc_type}"
        assert path.stat().st_size == document.size_bytes > 0
        assert document.modified_at is not None and document.modified_at.tzinfo is not None
        assert path.stat().st_mtime == document.modified_at.timestamp()
        assert document.owner
        check_document(path)


def test_same_every_build(demo: tuple[Dataset, Path], tmp_path: Path) -> None:
    dataset, directory = demo
    before = {p: p.read_bytes() for p in directory.rglob("*") if p.is_file()}
    assert demo_dataset(directory) == dataset
    assert {p: p.read_bytes() for p in directory.rglob("*") if p.is_file()} == before
    elsewhere = demo_dataset(tmp_path)
    moved = [d.model_copy(update={"local_path": None}) for d in elsewhere.documents]
    assert moved == [d.model_copy(update={"local_path": None}) for d in dataset.documents]
    assert elsewhere.model_copy(update={"documents": []}) == dataset.model_copy(
        update={"documents": []}
    )


def test_loads_into_the_embedded_store(demo: tuple[Dataset, Path], tmp_path: Path) -> None:
    dataset, _ = demo
    store = Store(tmp_path / "rolecall.db")
    try:
        store.load(dataset)
        counts = {
            table: store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("accounts", "contacts", "opportunities", "documents")
        }
    finally:
        store.close()
    assert counts == {
        "accounts": len(dataset.accounts),
        "contacts": len(dataset.contacts),
        "opportunities": len(dataset.opportunities),
        "documents": len(dataset.documents),
    }


def test_documents_get_urls_under_a_base_that_mirror_their_files(tmp_path: Path) -> None:
    base = "http://127.0.0.1:8080/documents/"
    data = demo_dataset(tmp_path / "docs", documents_url=base)
    for doc in data.documents:
        assert doc.url is not None and doc.url.startswith(base), doc
        assert " " not in doc.url and "/../" not in doc.url
        relative = unquote(urlsplit(doc.url).path).removeprefix("/documents/")
        assert (tmp_path / "docs" / relative).resolve() == Path(doc.local_path or "").resolve()
    assert all(doc.url is None for doc in demo_dataset(tmp_path / "plain").documents)
