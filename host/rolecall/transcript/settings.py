"""`config/transcript.json`: whether calls are recorded and transcribed, the model, retention.

Every switch is off until the user turns it on; a file that cannot be read counts as
all off (and is logged), never as consent.
"""

from __future__ import annotations

import json
import logging

from pydantic import ValidationError

from rolecall.atomic_file import atomic_write_text
from rolecall.paths import Home
from rolecall.protocol.transcript import TranscriptSettings, TranscriptSettingsParams

log = logging.getLogger(__name__)


def load_transcript_settings(home: Home) -> TranscriptSettings:
    path = home.config_dir / "transcript.json"
    try:
        return TranscriptSettings.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return TranscriptSettings()
    except (OSError, ValidationError) as exc:
        log.warning("ignoring %s (recording and transcription stay off): %s", path, exc)
        return TranscriptSettings()


def save_transcript_settings(home: Home, settings: TranscriptSettings) -> None:
    path = home.config_dir / "transcript.json"
    atomic_write_text(path, json.dumps(settings.model_dump(), indent=2) + "\n")


def changed(settings: TranscriptSettings, params: TranscriptSettingsParams) -> TranscriptSettings:
    """`settings` with the fields `params` names; retention 0 means keep everything."""
    update: dict[str, object] = {
        name: value
        for name in ("record_calls", "transcribe", "model")
        if (value := getattr(params, name)) is not None
    }
    if params.retention_days is not None:
        update["retention_days"] = params.retention_days or None
    return TranscriptSettings.model_validate({**settings.model_dump(), **update})
