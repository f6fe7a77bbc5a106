"""Protocol v1's transcript part: the user's consent settings, a call's transcript and
summary, the model, and the `transcript.progress` event.

Recording and transcription are off until the user turns them on. A transcript is made
after the call by a worker process on this machine; nothing is sent anywhere.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rolecall.protocol.base import Params, Sent

ModelName = Literal["tiny.en", "base"]
Speaker = Literal["user", "far"]
TranscriptState = Literal["queued", "running", "done", "failed"]


class TranscriptSettings(BaseModel):
    """`config/transcript.json`: what the user allowed. Every switch starts off."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    record_calls: bool = Field(default=False, description="Record every answered call.")
    transcribe: bool = Field(default=False, description="Transcribe recorded calls afterwards.")
    model: ModelName = Field(default="tiny.en", description="`base` is slower, better on phones.")
    retention_days: int | None = Field(
        default=None, ge=1, le=3650, description="Delete recordings and transcripts after N days."
    )


class TranscriptSettingsParams(Params):
    """`transcript.settings`: fields left out keep their value; no field reads them."""

    record_calls: bool | None = None
    transcribe: bool | None = None
    model: ModelName | None = None
    retention_days: int | None = Field(default=None, ge=0, le=3650, description="0: keep all.")


class TranscriptSettingsResult(Sent):
    settings: TranscriptSettings
    model_installed: bool = Field(description="The chosen model is on this machine, verified.")


class Turn(Sent):
    """What one party said, from `start_s` to `end_s` after the recording began."""

    speaker: Speaker
    start_s: float = Field(ge=0)
    end_s: float = Field(ge=0)
    text: str = Field(max_length=4000)


class Transcript(Sent):
    call_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    state: TranscriptState
    model: str = Field(max_length=40)
    turns: list[Turn]
    summary: str = Field(max_length=8000)
    action_items: list[str]
    error: str = Field(max_length=500, description="Why it failed, or ''.")


class TranscriptRef(Params):
    call_id: str = Field(pattern=r"^[0-9a-f]{32}$")


class TranscriptResult(Sent):
    transcript: Transcript | None = Field(description="null: the call has none.")


class TranscriptSummaryParams(Params):
    """The user's edit of a call's summary and action items (the wrap-up)."""

    call_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    summary: str = Field(max_length=8000)
    action_items: list[str] = Field(max_length=50)


class TranscriptDeleteResult(Sent):
    deleted_files: int = Field(ge=0)
    deleted_transcript: bool


class TranscriptProgressPayload(Sent):
    """`transcript.progress`: a call's transcript is queued, running (0–1), done or failed;
    `stage` says what the worker does now (`model` while the model is fetched)."""

    call_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    state: TranscriptState
    stage: Literal["queued", "model", "speech", "summary", "done", "failed"]
    progress: float = Field(ge=0, le=1)
    summary: str = Field(max_length=8000, description="The summary once done, else ''.")
