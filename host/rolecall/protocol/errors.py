"""Stable error codes of protocol v1 and the exception that carries one.

Codes never change meaning once released; new failures get new codes. The native
host shim builds its few error replies without importing this module (it must start
fast), so its codes are spelled as plain strings there and checked against this enum
in the tests.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Why a request failed. Clients branch on these, never on the message text."""

    BAD_FRAME = "bad_frame"
    """A frame could not be read: broken length header or chunk sequence."""
    FRAME_TOO_LARGE = "frame_too_large"
    """A frame or a reassembled message was over the size limit."""
    INVALID_JSON = "invalid_json"
    """A native-messaging frame was not UTF-8 JSON."""
    INVALID_MESSAGE = "invalid_message"
    """The envelope or the payload did not match the protocol's models."""
    UNKNOWN_TYPE = "unknown_type"
    """No method of that name."""
    UNSUPPORTED_VERSION = "unsupported_version"
    """The two sides share no protocol version."""
    HANDSHAKE_REQUIRED = "handshake_required"
    """A request came before `hello`."""
    DAEMON_UNAVAILABLE = "daemon_unavailable"
    """The shim could neither reach nor start the daemon."""
    INVALID_TARGET = "invalid_target"
    """What was to be dialled is not a phone number or SIP URI; `details.reason` says why."""
    NOT_FOUND = "not_found"
    """No call, account or contact with that id."""
    INVALID_STATE = "invalid_state"
    """Not possible in the call's current state (e.g. hold before it is answered)."""
    SIP_ERROR = "sip_error"
    """The SIP stack refused; `details.status` and `details.reason` say how."""
    TOO_MANY_CALLS = "too_many_calls"
    """The SIP stack's limit of simultaneous calls is reached."""
    UNAVAILABLE = "unavailable"
    """A part the request needs is not working (the SIP stack, the keyring)."""
    INTERNAL = "internal"
    """A bug on the answering side; details carry a reference for its log."""
    TIMEOUT = "timeout"
    """The client gave up waiting for a reply."""
    DISCONNECTED = "disconnected"
    """The connection closed before the reply came."""


class ProtocolError(Exception):
    """A failure that becomes an error reply with a stable code."""

    def __init__(self, code: ErrorCode, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: dict[str, Any] = details or {}
