"""`config/audio.json`: the devices the user picked (by name) and the processing switches.

Every key is optional. A device name that no longer exists falls back to the system
default when opened, but stays remembered: plugging the headset back in brings it back.
"""

from __future__ import annotations

import json
import logging

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rolecall.atomic_file import atomic_write_text
from rolecall.paths import Home

log = logging.getLogger(__name__)


class AudioSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    input: str | None = Field(default=None, max_length=200)
    """The microphone; None: the system default."""
    output: str | None = Field(default=None, max_length=200)
    """The speaker or headset; None: the system default."""
    ringer: str | None = Field(default=None, max_length=200)
    """Where incoming calls ring; None: the output device."""
    echo_cancellation: bool = True
    noise_suppression: bool = False
    ring_silenced: bool = False


def load_audio_settings(home: Home) -> AudioSettings:
    path = home.config_dir / "audio.json"
    try:
        return AudioSettings.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return AudioSettings()
    except (OSError, ValidationError) as exc:
        log.warning("ignoring %s: %s", path, exc)
        return AudioSettings()


def save_audio_settings(home: Home, settings: AudioSettings) -> None:
    path = home.config_dir / "audio.json"
    atomic_write_text(path, json.dumps(settings.model_dump(), indent=2) + "\n")
