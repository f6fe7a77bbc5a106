"""Pictures: PNG drawn on a `Canvas` (bar charts, box diagrams) and SVG box diagrams."""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

from rolecall.demo.documents.parts import (
    Color,
    save,
    xml_text,
)

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
    return save(path, canvas.png())


PALETTE: tuple[Color, ...] = (
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
        canvas.fill_rect(x, bottom - bar, max(slot - 16, 4), bar, PALETTE[index % len(PALETTE)])
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
        color = PALETTE[index % len(PALETTE)]
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
        f"<title>{xml_text(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#777"/></marker></defs>',
        f'<rect width="{width}" height="{height}" fill="#fafafc"/>',
        f'<text x="16" y="28" font-family="sans-serif" font-size="18">{xml_text(title)}</text>',
    ]
    for start, end in links:
        (_, x0, y0), (_, x1, y1) = boxes[start], boxes[end]
        parts.append(
            f'<line x1="{x0 + box_w // 2}" y1="{y0 + box_h}" x2="{x1 + box_w // 2}" y2="{y1}" '
            'stroke="#777" stroke-width="2" marker-end="url(#arrow)"/>'
        )
    for index, (label, x, y) in enumerate(boxes):
        red, green, blue = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="8" fill="#fff" '
            f'stroke="#{red:02x}{green:02x}{blue:02x}" stroke-width="3"/>'
            f'<text x="{x + box_w // 2}" y="{y + box_h // 2 + 5}" text-anchor="middle" '
            f'font-family="sans-serif" font-size="13">{xml_text(label)}</text>'
        )
    parts.append("</svg>\n")
    return save(path, "\n".join(parts).encode("utf-8"))
