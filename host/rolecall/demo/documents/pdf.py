"""PDF 1.4: A4 pages of text in the standard Helvetica fonts, with a correct xref table."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from rolecall.demo.documents.parts import (
    save,
    utc,
)

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
        info += utc(created).strftime(" /CreationDate (D:%Y%m%d%H%M%SZ)").encode()
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
    return save(path, bytes(out))
