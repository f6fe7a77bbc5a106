"""What the three connectors share: phone parsing, field clipping, role wording, create-once.

Values coming from a CRM are clipped to the models' limits rather than rejected, so
one over-long title never hides a whole opportunity. `create_once` is the idempotent
write every connector uses: look the record up by its idempotency key, create it only
if absent, and after an ambiguous failure look again before creating.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any, Literal, TypeVar

from rolecall.crm.connectors.base import ConnectorError
from rolecall.crm.connectors.http import HttpClient
from rolecall.phones import is_e164, national_digits, to_e164
from rolecall.protocol.calllog import CallLogEntry
from rolecall.protocol.records import ROLE_LABELS, Phone, Role

T = TypeVar("T")

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

PhoneKind = Literal["work", "mobile", "home", "fax", "other"]


def clip(value: Any, limit: int) -> str:
    """`value` as text (None → ""), whitespace-trimmed, at most `limit` characters."""
    if value is None:
        return ""
    return str(value).strip()[:limit]


def make_phone(raw: Any, kind: PhoneKind, region: str | None) -> Phone | None:
    text = clip(raw, 64)
    if not text:
        return None
    return Phone(kind=kind, raw=text, e164=to_e164(text, region, strictness="possible"))


def phones(pairs: Iterable[tuple[Any, PhoneKind]], region: str | None) -> list[Phone]:
    return [p for raw, kind in pairs if (p := make_phone(raw, kind, region)) is not None]


def require_e164(number: str) -> str:
    """`number` if it is E.164; anything else (and any query syntax in it) is refused."""
    if not is_e164(number):
        raise ConnectorError(f"not an E.164 phone number: {number!r}", retryable=False)
    return number


def digits_match(raw: Any, e164: str) -> bool:
    """True when the digits of `raw` are the number, with or without its country code."""
    digits = "".join(c for c in str(raw or "") if c.isdigit())
    national = national_digits(e164)
    return bool(digits) and (digits == e164[1:] or digits.endswith(national))


def parse_date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def parse_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    text = str(value).replace("Z", "+00:00")
    # Salesforce writes offsets without a colon: 2024-05-01T10:00:00.000+0000
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_amount(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        amount = float(value)
    except (TypeError, ValueError):
        return None
    return amount if math.isfinite(amount) else None


def currency(value: Any, default: str = "USD") -> str:
    text = str(value or "").upper()
    return text if re.fullmatch(r"[A-Z]{3}", text) else default


def extension(filename: Any) -> str:
    name = str(filename or "")
    return name.rsplit(".", 1)[1].lower()[:16] if "." in name else ""


def role_label(role: Role, source_role: str) -> str | None:
    """The CRM wording to write: the CRM's own if given, else our default; None for NONE."""
    if source_role.strip():
        return source_role.strip()
    return ROLE_LABELS.get(role)


def call_description(entry: CallLogEntry, *, marker: str = "") -> str:
    """The notes, then what was shown during the call, then (optionally) a marker line."""
    parts = [entry.notes.strip()] if entry.notes.strip() else []
    if entry.documents_presented:
        parts.append("Documents presented: " + ", ".join(entry.documents_presented))
    if marker:
        parts.append(marker)
    return "\n\n".join(parts)


def call_subject(entry: CallLogEntry) -> str:
    if entry.subject.strip():
        return entry.subject.strip()
    direction = "Outbound" if entry.direction == "outbound" else "Inbound"
    return f"{direction} call {entry.number}"


def key_marker(key: str) -> str:
    """How an idempotency key is written into a record's title: `(rc:<key>)`."""
    return f"(rc:{key})"


def marked_title(text: str, key: str, limit: int) -> str:
    """The first non-blank line of `text` (or "Note"), then the key's marker: ≤ `limit`."""
    marker = key_marker(key)
    room = limit - len(marker) - 1
    if room < 1:
        raise ConnectorError(f"idempotency key too long for a title: {key!r}", retryable=False)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "Note")
    return first[:room].rstrip() + " " + marker


def chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def unique(items: Iterable[T]) -> list[T]:
    return list(dict.fromkeys(items))


def create_once(
    http: HttpClient, lookup: Callable[[], str | None], create: Callable[[], str]
) -> str:
    """The id of the record `lookup` finds, or of the one `create` makes: never two.

    `create` must send its request as not idempotent, so the HTTP layer never repeats
    it after a failure that may have reached the CRM; this loop looks up again first.
    """
    policy = http.retry
    for attempt in range(1, policy.max_attempts + 1):
        existing = lookup()
        if existing is not None:
            return existing
        try:
            return create()
        except ConnectorError as exc:
            if not exc.retryable or attempt >= policy.max_attempts:
                raise
            http.sleep(policy.backoff(attempt, http.options.rng))
    raise AssertionError("unreachable")  # pragma: no cover
