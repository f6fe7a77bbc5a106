"""Writes real document files (PDF, DOCX, ODT, XLSX, PNG, SVG) with the standard library alone.

This package owns the byte-level formats behind the demo dataset's documents. Each
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

`pdf`, `office` and `images` hold the formats; `parts` what they share.
"""

from rolecall.demo.documents.images import (
    Canvas,
    write_bar_chart_png,
    write_diagram_png,
    write_diagram_svg,
    write_png,
)
from rolecall.demo.documents.office import write_docx, write_odt, write_xlsx
from rolecall.demo.documents.parts import Cell, Section
from rolecall.demo.documents.pdf import write_pdf

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
