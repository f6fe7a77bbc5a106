"""Framing failures, each tied to the protocol's stable error code."""

from __future__ import annotations


class FrameError(Exception):
    """A frame that cannot be used. `code` is an `ErrorCode` value (kept as text here)."""

    code = "bad_frame"

    def __init__(self, message: str, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.fatal = fatal
        """True when the stream is out of step and must be closed."""


class TruncatedFrame(FrameError):
    """The stream ended inside a frame: its bytes are gone, so the stream ends too."""

    def __init__(self, message: str) -> None:
        super().__init__(message, fatal=True)


class FrameTooLarge(FrameError):
    code = "frame_too_large"

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"frame of {length} bytes is over the {limit}-byte limit")
        self.length = length
        self.limit = limit


class InvalidJson(FrameError):
    code = "invalid_json"
