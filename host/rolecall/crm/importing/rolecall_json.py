"""Reads Rolecall's own JSON dataset (what `export_json` writes) into candidates.

Rolecall JSON (`import_json`): `{"format": "rolecall-dataset", "version": 1, "accounts":
[...], "contacts": [...], "opportunities": [...], "roles": [...], "relationships":
[...], "documents": [...]}`, each record the model's JSON form; the same checks apply,
and a relationship to a missing contact is an error there.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from rolecall.crm.importing.records import (
    JSON_FORMAT,
    JSON_VERSION,
    Candidates,
    ImportResult,
    Kind,
    Origin,
    Report,
    assemble,
    describe,
    result,
)
from rolecall.protocol.records import (
    Account,
    Contact,
    ContactRole,
    Dataset,
    Document,
    Opportunity,
    Relationship,
)

# --- JSON -----------------------------------------------------------------------------

_SECTIONS: Final[tuple[tuple[str, type[BaseModel]], ...]] = (
    ("accounts", Account),
    ("contacts", Contact),
    ("opportunities", Opportunity),
    ("roles", ContactRole),
    ("relationships", Relationship),
    ("documents", Document),
)
_SECTION_KINDS: Final[dict[str, Kind]] = {
    "accounts": "account",
    "contacts": "contact",
    "opportunities": "opportunity",
}
_JSON_SPACE: Final = re.compile(r"[ \t\n\r]*")


def _json_lines(text: str) -> dict[str, list[int]]:
    """The line each element of each top-level array starts on (for messages); best
    effort on text that already parsed as JSON."""
    decoder = json.JSONDecoder()
    lines: dict[str, list[int]] = {}
    counted_to, line = 0, 1

    def skip(index: int) -> int:
        found = _JSON_SPACE.match(text, index)
        return found.end() if found else index

    try:
        index = skip(0)
        if text[index] != "{":
            return lines
        index = skip(index + 1)
        while text[index] != "}":
            key, index = decoder.raw_decode(text, index)
            index = skip(skip(index) + 1)  # the colon
            if text[index] == "[":
                starts: list[int] = []
                index = skip(index + 1)
                while text[index] != "]":
                    line += text.count("\n", counted_to, index)
                    counted_to = index
                    starts.append(line)
                    _, index = decoder.raw_decode(text, index)
                    index = skip(index)
                    if text[index] == ",":
                        index = skip(index + 1)
                index += 1
                lines[str(key)] = starts
            else:
                _, index = decoder.raw_decode(text, index)
            index = skip(index)
            if text[index] == ",":
                index = skip(index + 1)
    except (ValueError, IndexError, RecursionError):
        pass
    return lines


def _json_document(name: str, path: Path, report: Report) -> tuple[dict[str, Any], str] | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.error((name, 0), f"cannot read the file: {exc.strerror or exc}")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.error((name, data.count(b"\n", 0, exc.start) + 1), "not UTF-8 text")
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        report.error((name, exc.lineno), f"not JSON: {exc.msg} (column {exc.colno})")
        return None
    except RecursionError:
        report.error((name, 1), "not JSON we can read: nested too deeply")
        return None
    if not isinstance(document, dict) or document.get("format") != JSON_FORMAT:
        report.error((name, 1), f'not a Rolecall dataset: no "format": "{JSON_FORMAT}"')
        return None
    if document.get("version") != JSON_VERSION:
        version = document.get("version")
        report.error((name, 1), f"version {version!r} is not one this Rolecall reads (1)")
        return None
    return document, text


def import_json(path: Path) -> ImportResult:
    """Reads a Rolecall dataset written by `export_json`. Never raises for bad input."""
    name = path.name
    report = Report()
    found = Candidates(
        {"account": "the accounts", "contact": "the contacts", "opportunity": "the opportunities"}
    )
    read: dict[str, int] = {}
    loaded = _json_document(name, path, report)
    if loaded is None:
        return ImportResult(Dataset(), report.errors, report.warnings, read)
    document, text = loaded
    lines = _json_lines(text)
    for key in document:
        if key not in ("format", "version") and key not in dict(_SECTIONS):
            report.warn((name, 1), f"unknown section {key!r} ignored")
    read[name] = 0
    for section, model in _SECTIONS:
        items = document.get(section, [])
        starts = lines.get(section, [])
        if not isinstance(items, list):
            report.error((name, 1), f'"{section}" is not a list; section skipped')
            continue
        read[name] += len(items)
        for index, item in enumerate(items):
            origin = (name, starts[index] if index < len(starts) else 1)
            try:
                record = model.model_validate(item)
            except ValidationError as exc:
                report.error(origin, f"{section}[{index}]: {describe(exc)}; skipped")
                kind = _SECTION_KINDS.get(section)
                if kind and isinstance(item, dict) and isinstance(item.get("id"), str):
                    found.rejected[kind].setdefault(item["id"], origin)
                continue
            _add(found, record, origin)
    return result(assemble(found, report), report, read)


def _add(found: Candidates, record: BaseModel, origin: Origin) -> None:
    if isinstance(record, Account):
        found.accounts.append((record, origin))
    elif isinstance(record, Contact):
        found.contacts.append((record, origin))
    elif isinstance(record, Opportunity):
        found.opportunities.append((record, origin))
    elif isinstance(record, ContactRole):
        found.roles.append((record, origin))
    elif isinstance(record, Relationship):
        found.relationships.append((record, origin, False))
    elif isinstance(record, Document):
        found.documents.append((record, origin))
