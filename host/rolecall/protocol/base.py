"""The two model bases of the protocol: what the daemon sends, and what clients send."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Sent(BaseModel):
    """Results and event payloads: every field is always sent (so required in the schema)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )


class Params(BaseModel):
    """Params: fields with a default may be left out by the client."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_mode_override="validation")
