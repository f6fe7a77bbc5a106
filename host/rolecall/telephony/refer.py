"""A far end's Refer-To header value, taken apart before anything is dialled.

A REFER names the party it wants us to call as a name-addr (`"Carol" <sip:…>`) or a bare
URI; the URI may carry embedded headers after `?` (RFC 3261 §19.1.1). The only one a
transfer needs is `Replaces` (attended transfer, RFC 3891); any other header would be
copied into the INVITE we send, so a Refer-To with one is refused. What is left of the
URI is for the dial plan to judge; this module only splits, decodes and bounds. Pure:
no I/O, no pjsua2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import unquote

MAX_REFER_TO: Final = 1024
"""A longer Refer-To is refused before it is looked at."""

ReferProblem = Literal["malformed", "foreign_header"]


@dataclass(frozen=True)
class Replaces:
    """The dialog an attended transfer's INVITE is to replace (RFC 3891)."""

    call_id: str
    to_tag: str
    from_tag: str

    def header(self) -> str:
        """The `Replaces` header value for the INVITE."""
        return f"{self.call_id};to-tag={self.to_tag};from-tag={self.from_tag}"


@dataclass(frozen=True)
class ReferTo:
    """A Refer-To split into the URI to judge and an attended transfer's `Replaces`."""

    uri: str
    replaces: Replaces | None
    problem: ReferProblem | None = None


def parse_refer_to(value: str) -> ReferTo:
    """Splits a Refer-To header value; `problem` says why it cannot be honoured at all."""
    text = value.strip()
    if not text or len(text) > MAX_REFER_TO:
        return ReferTo("", None, "malformed")
    if "<" in text:
        start, end = text.find("<"), text.find(">")
        if end < start:
            return ReferTo("", None, "malformed")
        text = text[start + 1 : end].strip()
    uri, _, headers = text.partition("?")
    replaces: Replaces | None = None
    for part in headers.split("&") if headers else []:
        name, _, raw = part.partition("=")
        if name.strip().lower() != "replaces" or replaces is not None:
            return ReferTo(uri, None, "foreign_header")
        replaces = _replaces(unquote(raw))
        if replaces is None:
            return ReferTo(uri, None, "malformed")
    return ReferTo(uri, replaces)


def _replaces(value: str) -> Replaces | None:
    call_id, *params = (p.strip() for p in value.split(";"))
    tags: dict[str, str] = {}
    for param in params:
        name, _, tag = param.partition("=")
        tags[name.strip().lower()] = tag.strip()
    to_tag, from_tag = tags.get("to-tag", ""), tags.get("from-tag", "")
    if not call_id or not to_tag or not from_tag or any(c in value for c in '\r\n<>"'):
        return None
    return Replaces(call_id, to_tag, from_tag)
