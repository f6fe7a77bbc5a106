"""Protocol v1's page part: the CRM record a page shows, as the extension read it.

The extension's CRM adapters read the record in view off the page; a call placed from
that page carries it, so the call is logged against the right record and the side
panel can say where the call came from.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field

from rolecall.protocol.base import Params


class PageRecord(Params):
    """The record a CRM page shows: which CRM, which instance, which object."""

    crm: str = Field(
        max_length=32,
        pattern=r"^[a-z0-9_]+$",
        description="An adapter's or a URL scheme's CRM (salesforce, odoo, espocrm…), or generic.",
    )
    instance: str = Field(default="", max_length=253, description="The CRM's host or org.")
    object_type: str = Field(default="", max_length=64, description="e.g. opportunity, contact.")
    record_id: str = Field(default="", max_length=64)
    name: str = Field(default="", max_length=200)
    url: str = Field(default="", max_length=2000, pattern=r"^(https?://.*)?$")


class PageDeal(Params):
    """The deal fields a CRM page shows, each as the page writes it (read, never computed)."""

    stage: str = Field(default="", max_length=100)
    amount: str = Field(default="", max_length=64, description="As shown, e.g. '€48,500.00'.")
    currency: str = Field(
        default="", pattern=r"^([A-Z]{3})?$", description="ISO 4217 code, when the page says."
    )
    close_date: str = Field(default="", max_length=64, description="As shown.")
    owner: str = Field(default="", max_length=200)
    account: str = Field(default="", max_length=200)
    account_phone: str = Field(
        default="",
        max_length=64,
        description="The account's main line (switchboard) as shown beside the account, if any.",
    )


class PageRef(Params):
    """Which CRM record a page deal or a logged call came from: the site, type and id."""

    origin: str = Field(max_length=300, pattern=r"^https?://[^/\s]+$")
    record_type: str = Field(default="", max_length=64)
    record_id: str = Field(default="", max_length=64)
    url: str = Field(default="", max_length=2000, pattern=r"^(https?://.*)?$")


def page_origin(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, lower case; None for anything else."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    try:
        port = parts.port
    except ValueError:
        return None
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def record_ref(record: PageRecord | None) -> PageRef | None:
    """The record a page showed, named by its origin; None when the page had no http(s) URL."""
    if record is None:
        return None
    origin = page_origin(record.url)
    if origin is None:
        return None
    return PageRef(
        origin=origin,
        record_type=record.object_type,
        record_id=record.record_id,
        url=record.url,
    )
