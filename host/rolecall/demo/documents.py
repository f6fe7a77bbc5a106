"""Writes real document files (PDF, DOCX, ODT, XLSX, PNG, SVG) with the standard library alone.

This module owns the byte-level formats behind the demo dataset's documents. Each
`write_*` function takes a path and the content, writes a small but valid file and
returns its size in bytes. Output is deterministic: the same arguments give the same
bytes (zip entries carry the given or a fixed timestamp; nothing reads the clock).

- PDF 1.4: A4 pages of text in the standard Helvetica fonts (WinAnsiEncoding, so text
  outside Windows-1252 shows as `?`; the document title in /Info is full Unicode), with
  a correct cross-reference table.
- DOCX and ODT: headings and paragraphs, any Unicode.
- XLSX: one sheet of a header row, rows of text and numbers, and an optional totals row
  of SUM formulas (with their values cached).
- PNG: RGB pixels drawn on a `Canvas` (rectangles and lines), e.g. a bar chart or a box
  diagram.
- SVG: a box-and-arrow diagram with labels.
"""

from __future__ import annotations

import io
import math
import re
import struct
import textwrap
import zipfile
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "Canvas",
    "Cell",
    "Section",
    "write_bar_chart_png",
    "write_diagram_png",
    "write_diagram_svg",
    "write_docx",
    "write_odt",
    "write_pdf",
    "write_png",
    "write_xlsx",
]

Section = tuple[str, Sequence[str]]
"""A heading (empty for none) and the paragraphs under it."""
Cell = str | int | float | None
Color = tuple[int, int, int]

_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)
"""The earliest time a zip entry can carry; used when no time is given."""
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _save(path: Path, data: bytes) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


def _xml(text: str) -> str:
    """Text safe inside an XML element: escaped, without characters XML 1.0 forbids."""
    return escape(_NOT_XML.sub("", text))


def _attr(text: str) -> str:
    return quoteattr(_NOT_XML.sub("", text))


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return _EPOCH
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _w3c(moment: datetime | None) -> str:
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _zip(path: Path, entries: Sequence[tuple[str, str | bytes]], moment: datetime | None) -> int:
    """A zip whose first entry, if named `mimetype`, is stored uncompressed (as ODF wants)."""
    stamp = _utc(moment)
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            data = content.encode("utf-8") if isinstance(content, str) else content
            archive.writestr(info, data)
    return _save(path, buffer.getvalue())


# --- PDF ------------------------------------------------------------------------------

_PAGE_WIDTH, _PAGE_HEIGHT = 595, 842  # A4 in points
_MARGIN = 56
_LEADING = 14
_WRAP = 92
_FIRST_PAGE_LINES = 48
_PAGE_LINES = 52


def _pdf_text(text: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding (Windows-1252; others become `?`)."""
    flat = " ".join(text.split())
    raw = flat.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _pdf_unicode(text: str) -> bytes:
    """A PDF text string for metadata: UTF-16BE with a byte order mark, in hex."""
    return b"<FEFF" + " ".join(text.split()).encode("utf-16-be").hex().upper().encode() + b">"


def _pdf_page(title: str | None, lines: Sequence[str], number: int, total: int) -> bytes:
    out = [b"BT"]
    top = _PAGE_HEIGHT - _MARGIN
    if title is not None:
        out += [b"/F1 18 Tf", f"{_MARGIN} {top} Td".encode(), _pdf_text(title) + b" Tj"]
        out += [b"/F2 10.5 Tf", f"{_LEADING} TL".encode(), b"0 -30 Td"]
    else:
        out += [b"/F2 10.5 Tf", f"{_LEADING} TL".encode(), f"{_MARGIN} {top} Td".encode()]
    for index, line in enumerate(lines):
        if index:
            out.append(b"T*")
        out.append(_pdf_text(line) + b" Tj")
    out.append(b"ET")
    if title is not None:
        rule = top - 12
        out.append(f"0.5 w {_MARGIN} {rule} m {_PAGE_WIDTH - _MARGIN} {rule} l S".encode())
    footer = f"Page {number} of {total}"
    out += [b"BT /F2 8 Tf", f"{_MARGIN} 30 Td".encode(), _pdf_text(footer) + b" Tj ET"]
    return b"\n".join(out) + b"\n"


def write_pdf(
    path: Path,
    title: str,
    lines: Sequence[str],
    *,
    author: str = "",
    created: datetime | None = None,
) -> int:
    """A PDF 1.4 of `title` and `lines` (wrapped, paginated); returns the file size."""
    wrapped = [part for line in lines for part in (textwrap.wrap(line, _WRAP) or [""])]
    pages = [wrapped[:_FIRST_PAGE_LINES]]
    rest = wrapped[_FIRST_PAGE_LINES:]
    while rest:
        pages.append(rest[:_PAGE_LINES])
        rest = rest[_PAGE_LINES:]
    first_page = 6
    kids = " ".join(f"{first_page + 2 * index} 0 R" for index in range(len(pages)))
    info = b"<< /Title " + _pdf_unicode(title) + b" /Producer (Rolecall)"
    if author:
        info += b" /Author " + _pdf_unicode(author)
    if created is not None:
        info += _utc(created).strftime(" /CreationDate (D:%Y%m%d%H%M%SZ)").encode()
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        info + b" >>",
    ]
    for index, page_lines in enumerate(pages):
        content = _pdf_page(title if index == 0 else None, page_lines, index + 1, len(pages))
        contents_ref = first_page + 2 * index + 1
        page = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_PAGE_WIDTH} {_PAGE_HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {contents_ref} 0 R >>"
        )
        objects.append(page.encode())
        objects.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"endstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 5 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return _save(path, bytes(out))


# --- DOCX -----------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CORE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships/metadata"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _core_properties(title: str, author: str, moment: datetime | None) -> str:
    return (
        _XML_HEAD + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/'
        '2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_xml(title)}</dc:title><dc:creator>{_xml(author)}</dc:creator>"
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{_w3c(moment)}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _relationships(targets: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f'<Relationship Id="rId{index}" Type="{kind}" Target="{target}"/>'
        for index, (kind, target) in enumerate(targets, start=1)
    )
    return _XML_HEAD + f'<Relationships xmlns="{_PACKAGE_RELS}">{items}</Relationships>'


def _content_types(overrides: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides
    )
    return (
        _XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{items}</Types>"
    )


_DOCX_STYLES = (
    _XML_HEAD + f'<w:styles xmlns:w="{_W}">'
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
    '<w:pPr><w:spacing w:after="120"/></w:pPr>'
    '<w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="SimSun"/>'
    '<w:sz w:val="22"/></w:rPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/>'
    '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/>'
    '<w:rPr><w:b/><w:sz w:val="40"/></w:rPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>'
    '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/>'
    '<w:pPr><w:keepNext/><w:spacing w:before="240"/><w:outlineLvl w:val="0"/></w:pPr>'
    '<w:rPr><w:b/><w:sz w:val="28"/></w:rPr></w:style>'
    "</w:styles>"
)


def _docx_paragraph(text: str, style: str | None = None) -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{props}<w:r><w:t xml:space="preserve">{_xml(text)}</w:t></w:r></w:p>'


def write_docx(
    path: Path,
    title: str,
    sections: Sequence[Section],
    *,
    author: str = "",
    modified: datetime | None = None,
) -> int:
    """A WordprocessingML document: the title, then each section's heading and paragraphs."""
    body = [_docx_paragraph(title, "Title")]
    for heading, paragraphs in sections:
        if heading:
            body.append(_docx_paragraph(heading, "Heading1"))
        body += [_docx_paragraph(paragraph) for paragraph in paragraphs]
    document = (
        _XML_HEAD + f'<w:document xmlns:w="{_W}"><w:body>{"".join(body)}'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" '
        'w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>'
    )
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    entries = [
        (
            "[Content_Types].xml",
            _content_types(
                [
                    ("/word/document.xml", f"{main}.document.main+xml"),
                    ("/word/styles.xml", f"{main}.styles+xml"),
                    (
                        "/docProps/core.xml",
                        "application/vnd.openxmlformats-package.core-properties+xml",
                    ),
                ]
            ),
        ),
        (
            "_rels/.rels",
            _relationships(
                [
                    (f"{_OFFICE_RELS}/officeDocument", "word/document.xml"),
                    (f"{_CORE_RELS}/core-properties", "docProps/core.xml"),
                ]
            ),
        ),
        (
            "word/_rels/document.xml.rels",
            _relationships([(f"{_OFFICE_RELS}/styles", "styles.xml")]),
        ),
        ("word/document.xml", document),
        ("word/styles.xml", _DOCX_STYLES),
        ("docProps/core.xml", _core_properties(title, author, modified)),
    ]
    return _zip(path, entries, modified)


# --- ODT ------------------------------------------------------------------------------

_ODT_MIME = "application/vnd.oasis.opendocument.text"
_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"'
)


def write_odt(
    path: Path,
    title: str,
    sections: Sequence[Section],
    *,
    author: str = "",
    modified: datetime | None = None,
) -> int:
    """An OpenDocument text: the title, then each section's heading and paragraphs."""
    body = [f'<text:p text:style-name="Title">{_xml(title)}</text:p>']
    for heading, paragraphs in sections:
        if heading:
            body.append(
                '<text:h text:style-name="Heading1" text:outline-level="1">'
                f"{_xml(heading)}</text:h>"
            )
        body += [f"<text:p>{_xml(paragraph)}</text:p>" for paragraph in paragraphs]
    styles = (
        "<office:automatic-styles>"
        '<style:style style:name="Title" style:family="paragraph">'
        '<style:text-properties fo:font-size="20pt" fo:font-weight="bold"/></style:style>'
        '<style:style style:name="Heading1" style:family="paragraph">'
        '<style:text-properties fo:font-size="14pt" fo:font-weight="bold"/></style:style>'
        "</office:automatic-styles>"
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_ODF_NS} '
        f'office:version="1.2">{styles}<office:body><office:text>{"".join(body)}'
        "</office:text></office:body></office:document-content>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {_ODF_NS} '
        f'office:version="1.2"><office:meta><dc:title>{_xml(title)}</dc:title>'
        f"<dc:creator>{_xml(author)}</dc:creator><dc:date>{_w3c(modified)}</dc:date>"
        "</office:meta></office:document-meta>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
        f'manifest:media-type="{_ODT_MIME}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    entries = [
        ("mimetype", _ODT_MIME),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content),
        ("meta.xml", meta),
    ]
    return _zip(path, entries, modified)


# --- XLSX -----------------------------------------------------------------------------

_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_BAD_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
_XLSX_STYLES = (
    _XML_HEAD + f'<styleSheet xmlns="{_SHEET_NS}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="4" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    'applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_BOLD, _NUMBER, _BOLD_NUMBER = 1, 2, 3


def _column(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _number(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError("a spreadsheet cell cannot hold NaN or infinity")
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)


def _xlsx_cell(ref: str, value: Cell, bold: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        text_style = f' s="{_BOLD}"' if bold else ""
        text = f'<t xml:space="preserve">{_xml(value)}</t>'
        return f'<c r="{ref}" t="inlineStr"{text_style}><is>{text}</is></c>'
    number_style = _BOLD_NUMBER if bold else _NUMBER
    return f'<c r="{ref}" s="{number_style}"><v>{_number(value)}</v></c>'


def write_xlsx(
    path: Path,
    sheet_name: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    totals: bool = False,
    title: str = "",
    author: str = "",
    modified: datetime | None = None,
) -> int:
    """A one-sheet workbook: a bold header row, `rows`, and (if `totals`) a row of SUMs
    under every column that holds numbers. Strings are inline; returns the file size."""
    lines = [[_xlsx_cell(f"{_column(col)}1", text, bold=True) for col, text in enumerate(header)]]
    for row_index, row in enumerate(rows, start=2):
        lines.append([_xlsx_cell(f"{_column(col)}{row_index}", v) for col, v in enumerate(row)])
    if totals and rows:
        last = len(rows) + 1
        total_cells = [_xlsx_cell(f"A{last + 1}", "Total", bold=True)]
        for col in range(1, max(len(row) for row in rows)):
            column = [row[col] for row in rows if col < len(row) and row[col] is not None]
            if column and all(isinstance(v, int | float) for v in column):
                value = sum(float(v) for v in column if isinstance(v, int | float))
                letter = _column(col)
                total_cells.append(
                    f'<c r="{letter}{last + 1}" s="{_BOLD_NUMBER}"><f>SUM({letter}2:{letter}{last})'
                    f"</f><v>{_number(value)}</v></c>"
                )
        lines.append(total_cells)
    widths = [
        max([len(str(row[col])) for row in rows if col < len(row) and row[col] is not None]
            + [len(text)])
        for col, text in enumerate(header)
    ]  # fmt: skip
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{min(max(w, 8) + 2, 60)}" customWidth="1"/>'
        for i, w in enumerate(widths, start=1)
    )
    sheet_data = "".join(
        f'<row r="{index}">{"".join(cells)}</row>' for index, cells in enumerate(lines, start=1)
    )
    sheet = (
        _XML_HEAD
        + f'<worksheet xmlns="{_SHEET_NS}">'
        + (f"<cols>{cols}</cols>" if cols else "")
        + f"<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    name = _BAD_SHEET_NAME.sub(" ", sheet_name).strip("' ")[:31] or "Sheet1"
    workbook = (
        _XML_HEAD + f'<workbook xmlns="{_SHEET_NS}" xmlns:r="{_OFFICE_RELS}">'
        f'<sheets><sheet name={_attr(name)} sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    entries = [
        (
            "[Content_Types].xml",
            _content_types(
                [
                    ("/xl/workbook.xml", f"{main}.sheet.main+xml"),
                    ("/xl/worksheets/sheet1.xml", f"{main}.worksheet+xml"),
                    ("/xl/styles.xml", f"{main}.styles+xml"),
                    (
                        "/docProps/core.xml",
                        "application/vnd.openxmlformats-package.core-properties+xml",
                    ),
                ]
            ),
        ),
        (
            "_rels/.rels",
            _relationships(
                [
                    (f"{_OFFICE_RELS}/officeDocument", "xl/workbook.xml"),
                    (f"{_CORE_RELS}/core-properties", "docProps/core.xml"),
                ]
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            _relationships(
                [
                    (f"{_OFFICE_RELS}/worksheet", "worksheets/sheet1.xml"),
                    (f"{_OFFICE_RELS}/styles", "styles.xml"),
                ]
            ),
        ),
        ("xl/workbook.xml", workbook),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/styles.xml", _XLSX_STYLES),
        ("docProps/core.xml", _core_properties(title or name, author, modified)),
    ]
    return _zip(path, entries, modified)


# --- PNG ------------------------------------------------------------------------------


class Canvas:
    """An RGB image to draw rectangles and lines on, then encode as PNG."""

    def __init__(self, width: int, height: int, background: Color = (255, 255, 255)) -> None:
        if not (0 < width <= 4096 and 0 < height <= 4096):
            raise ValueError("a canvas is 1 to 4096 pixels on each side")
        self.width = width
        self.height = height
        self.pixels = bytearray(bytes(background) * (width * height))

    def fill_rect(self, x: int, y: int, width: int, height: int, color: Color) -> None:
        left, right = max(x, 0), min(x + width, self.width)
        top, bottom = max(y, 0), min(y + height, self.height)
        if left >= right:
            return
        run = bytes(color) * (right - left)
        for row in range(top, bottom):
            start = (row * self.width + left) * 3
            self.pixels[start : start + len(run)] = run

    def rect(self, x: int, y: int, width: int, height: int, color: Color, line: int = 2) -> None:
        """The outline of a rectangle, `line` pixels thick, inside its bounds."""
        self.fill_rect(x, y, width, line, color)
        self.fill_rect(x, y + height - line, width, line, color)
        self.fill_rect(x, y, line, height, color)
        self.fill_rect(x + width - line, y, line, height, color)

    def line(self, x0: int, y0: int, x1: int, y1: int, color: Color, width: int = 2) -> None:
        """A straight line (Bresenham), drawn with a square pen `width` pixels wide."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        step_x, step_y = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        error = dx + dy
        while True:
            self.fill_rect(x0 - width // 2, y0 - width // 2, width, width, color)
            if x0 == x1 and y0 == y1:
                return
            doubled = 2 * error
            if doubled >= dy:
                error += dy
                x0 += step_x
            if doubled <= dx:
                error += dx
                y0 += step_y

    def png(self) -> bytes:
        """The image as PNG: 8-bit RGB, no interlace, filter 0 on every row."""
        stride = self.width * 3
        raw = b"".join(
            b"\x00" + bytes(self.pixels[row * stride : (row + 1) * stride])
            for row in range(self.height)
        )
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(raw, 9))
            + _png_chunk(b"IEND", b"")
        )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def write_png(path: Path, canvas: Canvas) -> int:
    """The canvas as a PNG file; returns the file size."""
    return _save(path, canvas.png())


_PALETTE: tuple[Color, ...] = (
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
)


def write_bar_chart_png(
    path: Path, values: Sequence[float], *, width: int = 640, height: int = 360
) -> int:
    """A bar chart of non-negative `values` with axes and grid lines; returns the file size."""
    canvas = Canvas(width, height)
    left, bottom, top = 48, height - 40, 24
    grey, axis = (225, 225, 225), (60, 60, 60)
    for step in range(1, 5):
        y = bottom - (bottom - top) * step // 4
        canvas.fill_rect(left, y, width - left - 24, 1, grey)
    canvas.fill_rect(left, top, 2, bottom - top, axis)
    canvas.fill_rect(left, bottom, width - left - 24, 2, axis)
    peak = max([v for v in values if math.isfinite(v)] + [0.0]) or 1.0
    slot = (width - left - 40) // max(len(values), 1)
    for index, value in enumerate(values):
        bar = int((bottom - top) * max(value, 0.0) / peak) if math.isfinite(value) else 0
        x = left + 16 + index * slot
        canvas.fill_rect(x, bottom - bar, max(slot - 16, 4), bar, _PALETTE[index % len(_PALETTE)])
    return write_png(path, canvas)


def _tint(color: Color) -> Color:
    """The colour a quarter as strong, on white."""
    red, green, blue = (255 - (255 - channel) // 4 for channel in color)
    return (red, green, blue)


Box = tuple[int, int, int, int]
"""x, y, width, height."""


def write_diagram_png(
    path: Path,
    boxes: Sequence[Box],
    links: Sequence[tuple[int, int]],
    *,
    width: int = 800,
    height: int = 480,
) -> int:
    """Boxes joined centre to centre by lines (`links` index into `boxes`)."""
    canvas = Canvas(width, height, (250, 250, 252))
    for start, end in links:
        (x0, y0, w0, h0), (x1, y1, w1, h1) = boxes[start], boxes[end]
        canvas.line(x0 + w0 // 2, y0 + h0 // 2, x1 + w1 // 2, y1 + h1 // 2, (120, 120, 120))
    for index, (x, y, w, h) in enumerate(boxes):
        color = _PALETTE[index % len(_PALETTE)]
        canvas.fill_rect(x, y, w, h, _tint(color))
        canvas.rect(x, y, w, h, color, 3)
    return write_png(path, canvas)


# --- SVG ------------------------------------------------------------------------------


def write_diagram_svg(
    path: Path,
    title: str,
    boxes: Sequence[tuple[str, int, int]],
    links: Sequence[tuple[int, int]],
    *,
    width: int = 800,
    height: int = 480,
) -> int:
    """A diagram of labelled boxes (label, x, y; 160x56 each) joined by arrows."""
    box_w, box_h = 160, 56
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{_xml(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#777"/></marker></defs>',
        f'<rect width="{width}" height="{height}" fill="#fafafc"/>',
        f'<text x="16" y="28" font-family="sans-serif" font-size="18">{_xml(title)}</text>',
    ]
    for start, end in links:
        (_, x0, y0), (_, x1, y1) = boxes[start], boxes[end]
        parts.append(
            f'<line x1="{x0 + box_w // 2}" y1="{y0 + box_h}" x2="{x1 + box_w // 2}" y2="{y1}" '
            'stroke="#777" stroke-width="2" marker-end="url(#arrow)"/>'
        )
    for index, (label, x, y) in enumerate(boxes):
        red, green, blue = _PALETTE[index % len(_PALETTE)]
        parts.append(
            f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="8" fill="#fff" '
            f'stroke="#{red:02x}{green:02x}{blue:02x}" stroke-width="3"/>'
            f'<text x="{x + box_w // 2}" y="{y + box_h // 2 + 5}" text-anchor="middle" '
            f'font-family="sans-serif" font-size="13">{_xml(label)}</text>'
        )
    parts.append("</svg>\n")
    return _save(path, "\n".join(parts).encode("utf-8"))
