"""Generates protocol v1's JSON Schema from the pydantic models.

`python -m rolecall.protocol.schema` prints it; the committed copy is
`docs/protocol.schema.json`, from which the extension's TypeScript types are
generated (`extension/scripts/gen-protocol-types.mjs`). A test regenerates both and
fails when either committed file has drifted from the models.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.json_schema import GenerateJsonSchema

from rolecall.protocol.envelope import PROTOCOL_VERSION, Message
from rolecall.protocol.errors import ErrorCode
from rolecall.protocol.methods import EVENTS, METHODS


class _NoFieldTitles(GenerateJsonSchema):
    """Leaves out per-field titles, which would become noise types in TypeScript."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.replace("_", ".").split("."))


def _document_model() -> type[BaseModel]:
    strict = ConfigDict(extra="forbid")
    method_fields: dict[str, Any] = {}
    for name, spec in METHODS.items():
        method = create_model(
            f"{_pascal(name)}Method",
            __config__=strict,
            params=(spec.params, ...),
            result=(spec.result, ...),
        )
        method_fields[name.replace(".", "_")] = (method, Field(alias=name))
    event_fields: dict[str, Any] = {
        name.replace(".", "_"): (payload, Field(alias=name)) for name, payload in EVENTS.items()
    }
    methods = create_model("Methods", __config__=strict, **method_fields)
    events = create_model("Events", __config__=strict, **event_fields)
    return create_model(
        "RolecallProtocol",
        __config__=ConfigDict(
            extra="forbid",
            title="RolecallProtocol",
            json_schema_extra={"description": f"Rolecall protocol v{PROTOCOL_VERSION}."},
        ),
        message=(Message, ...),
        methods=(methods, ...),
        events=(events, ...),
        error_code=(ErrorCode, ...),
    )


def protocol_schema() -> dict[str, Any]:
    """The whole protocol as one JSON Schema document."""
    schema = _document_model().model_json_schema(
        by_alias=True, mode="serialization", schema_generator=_NoFieldTitles
    )
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://rolecall.app/schema/protocol-v{PROTOCOL_VERSION}.json"
    return schema


def render() -> str:
    """The schema as the committed file holds it."""
    return json.dumps(protocol_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
