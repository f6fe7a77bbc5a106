"""What the document writers share: value types, XML escaping, times, zip and file output."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

Section = tuple[str, Sequence[str]]
"""A heading (empty for none) and the paragraphs under it."""
Cell = str | int | float | None
Color = tuple[int, int, int]

_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)
"""The earliest time a zip entry can carry; used when no time is given."""
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def save(path: Path, data: bytes) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


def xml_text(text: str) -> str:
    """Text safe inside an XML element: escaped, without characters XML 1.0 forbids."""
    return escape(_NOT_XML.sub("", text))


def xml_attr(text: str) -> str:
    return quoteattr(_NOT_XML.sub("", text))


def utc(moment: datetime | None) -> datetime:
    if moment is None:
        return _EPOCH
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def w3c(moment: datetime | None) -> str:
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_zip(
    path: Path, entries: Sequence[tuple[str, str | bytes]], moment: datetime | None
) -> int:
    """A zip whose first entry, if named `mimetype`, is stored uncompressed (as ODF wants)."""
    stamp = utc(moment)
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
    return save(path, buffer.getvalue())
