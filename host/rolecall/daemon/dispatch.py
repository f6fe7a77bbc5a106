"""Turns one incoming message into one reply: validation, routing, error mapping.

Every failure becomes an `ErrorResponse` with a stable code; nothing a client sends
can raise out of here.
"""

from __future__ import annotations

import errno
import logging
import re
import sqlite3
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from rolecall.protocol.envelope import (
    MESSAGE_ADAPTER,
    PROTOCOL_VERSION,
    ErrorInfo,
    ErrorResponse,
    Request,
)
from rolecall.protocol.errors import ErrorCode, ProtocolError
from rolecall.protocol.methods import METHODS

log = logging.getLogger(__name__)


class Caller(Protocol):
    """What a handler may know of the connection a request came on."""

    client_id: int
    greeted: bool


Handler = Callable[[Caller, Any], Awaitable[BaseModel]]
"""Takes the caller and the validated params model; returns the result model."""


def error_reply(
    request_id: str | None, code: ErrorCode, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An error response as a plain message."""
    return ErrorResponse(
        v=PROTOCOL_VERSION,
        id=request_id,
        error=ErrorInfo(code=code, message=message[:2000], details=details or {}),
    ).model_dump(mode="json")


def _validation_details(exc: ValidationError) -> dict[str, Any]:
    return {
        "errors": [
            {"loc": [str(part) for part in err["loc"]], "msg": err["msg"], "type": err["type"]}
            for err in exc.errors(include_url=False, include_input=False)[:20]
        ]
    }


_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def _request_id(raw: Mapping[str, Any]) -> str | None:
    """The request's id when it is a valid one, so that even a refusal can name it."""
    value = raw.get("id")
    if isinstance(value, str) and _REQUEST_ID.fullmatch(value):
        return value
    return None


def _storage_failure(request_id: str, method: str, exc: Exception) -> dict[str, Any]:
    """A write the disk refused (full, read-only, gone): `unavailable`, saying so plainly.

    Nothing was half-written: SQLite rolls the statement back, so the client may retry
    once space is back.
    """
    text = str(exc)
    full = "full" in text or getattr(exc, "errno", None) == errno.ENOSPC
    ref = uuid.uuid4().hex[:12]
    log.error("%s: storage failed (ref %s): %s", method, ref, text)
    message = (
        "the disk holding Rolecall's data is full; free some space and try again"
        if full
        else f"Rolecall's data could not be read or written: {text}"
    )
    reason = "disk_full" if full else "storage"
    return error_reply(request_id, ErrorCode.UNAVAILABLE, message, {"reason": reason, "ref": ref})


class Dispatcher:
    """Routes requests to handlers, one handler per method in `METHODS`."""

    def __init__(self, handlers: Mapping[str, Handler]) -> None:
        missing = set(METHODS) - set(handlers)
        if missing:
            raise ValueError(f"methods without a handler: {sorted(missing)}")
        self._handlers = dict(handlers)

    async def reply(self, caller: Caller, raw: Any) -> dict[str, Any]:
        """The reply to one message from a client."""
        if not isinstance(raw, dict):
            return error_reply(None, ErrorCode.INVALID_MESSAGE, "a message must be an object")
        request_id = _request_id(raw)
        if raw.get("v") != PROTOCOL_VERSION:
            return error_reply(
                request_id,
                ErrorCode.UNSUPPORTED_VERSION,
                f"message version {raw.get('v')!r} is not spoken here",
                {"supported": [PROTOCOL_VERSION]},
            )
        try:
            message = MESSAGE_ADAPTER.validate_python(raw)
        except ValidationError as exc:
            return error_reply(
                request_id,
                ErrorCode.INVALID_MESSAGE,
                "malformed envelope",
                _validation_details(exc),
            )
        if not isinstance(message, Request):
            return error_reply(
                request_id, ErrorCode.INVALID_MESSAGE, f"clients send requests, not {message.kind}"
            )
        return await self._call(caller, message)

    async def _call(self, caller: Caller, request: Request) -> dict[str, Any]:
        spec = METHODS.get(request.type)
        if spec is None:
            return error_reply(
                request.id, ErrorCode.UNKNOWN_TYPE, f"no method named {request.type!r}"
            )
        if spec.needs_hello and not caller.greeted:
            return error_reply(
                request.id, ErrorCode.HANDSHAKE_REQUIRED, "send hello before anything else"
            )
        try:
            params = spec.params.model_validate(request.payload)
        except ValidationError as exc:
            return error_reply(
                request.id,
                ErrorCode.INVALID_MESSAGE,
                f"bad params for {request.type}",
                _validation_details(exc),
            )
        try:
            result = await self._handlers[request.type](caller, params)
        except ProtocolError as exc:
            return error_reply(request.id, exc.code, exc.message, exc.details)
        except (sqlite3.Error, OSError) as exc:
            return _storage_failure(request.id, request.type, exc)
        except Exception:
            ref = uuid.uuid4().hex[:12]
            log.exception("handler for %s failed (ref %s)", request.type, ref)
            return error_reply(
                request.id, ErrorCode.INTERNAL, "the daemon hit a bug; see its log", {"ref": ref}
            )
        # Built directly: the parts are already validated, and this is the hot path.
        return {
            "v": PROTOCOL_VERSION,
            "kind": "response",
            "id": request.id,
            "ok": True,
            "result": result.model_dump(mode="json"),
        }
