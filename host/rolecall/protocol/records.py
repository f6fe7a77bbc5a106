"""What Rolecall knows about a deal: accounts, contacts, opportunities, roles, documents.

These are the records the protocol carries; the embedded store, the importers, the CRM
connectors and the context service share them. Ids are the source system's own (an
18-character Salesforce id, a Dynamics GUID, a HubSpot number as text, or ours for the
embedded store); phones are kept both as written and, when they parse, in E.164.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

RecordId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:{}-]+$")]
Name = Annotated[str, Field(max_length=200)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Role(StrEnum):
    """A contact's organisational role on a deal, in the order the people view shows them."""

    DECISION_MAKER = "decision_maker"
    ECONOMIC_BUYER = "economic_buyer"
    EXECUTIVE_SPONSOR = "executive_sponsor"
    TECHNICAL_BUYER = "technical_buyer"
    EVALUATOR = "evaluator"
    INFLUENCER = "influencer"
    BUSINESS_USER = "business_user"
    OTHER = "other"
    NONE = "none"
    """On the deal with no role recorded."""


ROLE_LABELS: Mapping[Role, str] = MappingProxyType(
    {
        Role.DECISION_MAKER: "Decision Maker",
        Role.ECONOMIC_BUYER: "Economic Buyer",
        Role.EXECUTIVE_SPONSOR: "Executive Sponsor",
        Role.TECHNICAL_BUYER: "Technical Buyer",
        Role.EVALUATOR: "Evaluator",
        Role.INFLUENCER: "Influencer",
        Role.BUSINESS_USER: "Business User",
        Role.OTHER: "Other",
    }
)
"""One contact's role in Salesforce's default picklist wording: what is written to a CRM
and shown beside a person. `Role.NONE` has no label: no role is written."""

ROLE_GROUP_LABELS: Mapping[Role, str] = MappingProxyType(
    {
        Role.DECISION_MAKER: "Decision makers",
        Role.ECONOMIC_BUYER: "Economic buyers",
        Role.EXECUTIVE_SPONSOR: "Executive sponsors",
        Role.TECHNICAL_BUYER: "Technical buyers",
        Role.EVALUATOR: "Evaluators",
        Role.INFLUENCER: "Influencers",
        Role.BUSINESS_USER: "Business users",
        Role.OTHER: "Other roles",
        Role.NONE: "No role",
    }
)
"""The heading of each role's group of people on a deal."""

ROLE_ORDER: tuple[Role, ...] = tuple(Role)
KEY_ROLES: tuple[Role, ...] = (Role.DECISION_MAKER, Role.ECONOMIC_BUYER)
"""Roles whose absence the people view points out."""


class Phone(_Model):
    kind: Literal["work", "mobile", "home", "fax", "other"] = "work"
    raw: str = Field(max_length=64, description="As written in the source.")
    e164: str | None = Field(default=None, pattern=r"^\+[1-9][0-9]{6,14}$")


class Account(_Model):
    id: RecordId
    name: Name
    industry: Name = ""
    website: str = Field(default="", max_length=500)
    phone: Phone | None = None


class Contact(_Model):
    id: RecordId
    account_id: RecordId | None = None
    first_name: Name = ""
    last_name: Name
    title: Name = ""
    email: str = Field(default="", max_length=320)
    phones: list[Phone] = Field(default_factory=list, max_length=10)
    sip_uri: str | None = Field(default=None, max_length=256)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Opportunity(_Model):
    id: RecordId
    account_id: RecordId | None = None
    name: Name
    stage: Name = ""
    amount: float | None = None
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    close_date: date | None = None
    owner: Name = ""
    description: str = Field(default="", max_length=32_000)


class ContactRole(_Model):
    """A contact on an opportunity. `source_role` keeps the CRM's own wording."""

    opportunity_id: RecordId
    contact_id: RecordId
    role: Role = Role.NONE
    source_role: Name = ""
    is_primary: bool = False


class Relationship(_Model):
    from_contact_id: RecordId
    to_contact_id: RecordId
    kind: Literal["reports_to", "works_with", "assistant_of", "replaces"]


class Document(_Model):
    id: RecordId
    opportunity_id: RecordId
    title: Name
    doc_type: str = Field(max_length=16, description="File extension, lower case: pdf, docx…")
    size_bytes: int = Field(ge=0)
    url: str | None = Field(default=None, max_length=2000)
    local_path: str | None = Field(default=None, max_length=1024)
    owner: Name = ""
    modified_at: datetime | None = None


class Dataset(_Model):
    """A whole import or export: everything in one piece, loaded in one transaction."""

    accounts: list[Account] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    opportunities: list[Opportunity] = Field(default_factory=list)
    roles: list[ContactRole] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)
    documents: list[Document] = Field(default_factory=list)


_ROLE_WORDS: dict[str, Role] = {
    "decision maker": Role.DECISION_MAKER,
    "economic decision maker": Role.ECONOMIC_BUYER,
    "economic buyer": Role.ECONOMIC_BUYER,
    "executive sponsor": Role.EXECUTIVE_SPONSOR,
    "technical buyer": Role.TECHNICAL_BUYER,
    "technical decision maker": Role.TECHNICAL_BUYER,
    "evaluator": Role.EVALUATOR,
    "influencer": Role.INFLUENCER,
    "business user": Role.BUSINESS_USER,
    "end user": Role.BUSINESS_USER,
    "user": Role.BUSINESS_USER,
    "champion": Role.INFLUENCER,
    "other": Role.OTHER,
}


def normalize_role(text: str | None) -> Role:
    """A CRM's role wording (Salesforce picklist, HubSpot label, free text) as a `Role`."""
    words = " ".join((text or "").replace("_", " ").replace("-", " ").lower().split())
    if not words:
        return Role.NONE
    return _ROLE_WORDS.get(words, Role.OTHER)
