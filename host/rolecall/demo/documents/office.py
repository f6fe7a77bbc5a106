"""Office documents as zip packages: DOCX and ODT (headings, paragraphs), XLSX (one sheet)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from rolecall.demo.documents.parts import (
    Cell,
    Section,
    w3c,
    write_zip,
    xml_attr,
    xml_text,
)

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
        f"<dc:title>{xml_text(title)}</dc:title><dc:creator>{xml_text(author)}</dc:creator>"
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{w3c(moment)}</dcterms:modified>'
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
    return f'<w:p>{props}<w:r><w:t xml:space="preserve">{xml_text(text)}</w:t></w:r></w:p>'


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
    return write_zip(path, entries, modified)


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
    body = [f'<text:p text:style-name="Title">{xml_text(title)}</text:p>']
    for heading, paragraphs in sections:
        if heading:
            body.append(
                '<text:h text:style-name="Heading1" text:outline-level="1">'
                f"{xml_text(heading)}</text:h>"
            )
        body += [f"<text:p>{xml_text(paragraph)}</text:p>" for paragraph in paragraphs]
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
        f'office:version="1.2"><office:meta><dc:title>{xml_text(title)}</dc:title>'
        f"<dc:creator>{xml_text(author)}</dc:creator><dc:date>{w3c(modified)}</dc:date>"
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
    return write_zip(path, entries, modified)


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
        text = f'<t xml:space="preserve">{xml_text(value)}</t>'
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
        f'<sheets><sheet name={xml_attr(name)} sheetId="1" r:id="rId1"/></sheets></workbook>'
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
    return write_zip(path, entries, modified)
