"""The context settings file, `config/context.json`: page memory on or off, and which
sites may name records of the embedded store or a configured CRM.

    {"page_memory": true, "record_origins": ["https://crm.example.com"]}

A missing file means the defaults: memory on, and `record_origins` not set (see
`origin_may_name_records`).
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rolecall.atomic_file import atomic_write_text
from rolecall.paths import Home
from rolecall.protocol.page import page_origin

CONTEXT_FILE = "context.json"


class ContextSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    page_memory: bool = True
    record_origins: list[str] | None = Field(default=None, max_length=100)

    @field_validator("record_origins")
    @classmethod
    def _origins(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        found = []
        for text in value:
            origin = page_origin(text)
            if origin is None:
                raise ValueError(f"not an http(s) origin: {text[:100]!r}")
            found.append(origin)
        return found


def settings_path(home: Home) -> Path:
    return home.config_dir / CONTEXT_FILE


def load_settings(home: Home) -> ContextSettings:
    """The settings; the defaults when the file is missing or unreadable."""
    try:
        return ContextSettings.model_validate(json.loads(settings_path(home).read_text()))
    except (OSError, ValueError, ValidationError):
        return ContextSettings()


def save_settings(home: Home, settings: ContextSettings) -> None:
    """Writes the file atomically (a crash leaves the old or the new one)."""
    path = settings_path(home)
    text = json.dumps(settings.model_dump(exclude_none=True), indent=2) + "\n"
    atomic_write_text(path, text)


def _salesforce_pair(origin: str) -> str:
    """A Salesforce org's Lightning pages and its API host are one site."""
    return origin.replace(".lightning.force.com", ".my.salesforce.com")


def origin_may_name_records(
    origin: str | None, allowed: list[str] | None, connector_origins: list[str]
) -> bool:
    """May a page of `origin` name a record of the store or of a configured CRM?

    Yes when the origin is a configured CRM's instance, or one of `record_origins` (the
    sites the imported data came from). With neither configured, the store's data has
    no site of its own and any page may name it (a single-site setup); a page without an
    http(s) origin never may.
    """
    if origin is None:
        return False
    if allowed is None and not connector_origins:
        return True
    trusted = {_salesforce_pair(o) for o in [*(allowed or []), *connector_origins]}
    return _salesforce_pair(origin) in trusted
