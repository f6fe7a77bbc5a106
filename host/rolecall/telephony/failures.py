"""How telephony failures reach clients: stack refusals and unknown ids as `ProtocolError`."""

from __future__ import annotations

from rolecall.protocol.errors import ErrorCode, ProtocolError
from rolecall.telephony.stack import StackError


def not_found(what: str) -> ProtocolError:
    return ProtocolError(ErrorCode.NOT_FOUND, f"no {what}")


def stack_failure(exc: StackError) -> ProtocolError:
    code = {
        "not_found": ErrorCode.NOT_FOUND,
        "too_many_calls": ErrorCode.TOO_MANY_CALLS,
        "unavailable": ErrorCode.UNAVAILABLE,
        "state": ErrorCode.INVALID_STATE,
    }.get(exc.kind, ErrorCode.SIP_ERROR)
    return ProtocolError(code, exc.message, {"status": exc.status})
