"""Protocol v1's audio part: the user's devices, their settings, a test, and their state.

Devices are named as the OS names them; `null` means the system default (which follows
the OS). `audio.state` tells clients which device is in use and when one is missing, so
a panel can say "no microphone" (the user can still listen) or "no speaker".
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from rolecall.protocol.base import Params, Sent

DeviceName = Annotated[str, Field(min_length=1, max_length=200)]


class AudioDevice(Sent):
    name: DeviceName
    host_api: str = Field(max_length=100, description="e.g. `PulseAudio`, `ALSA`, `WASAPI`.")
    inputs: int = Field(ge=0, description="Input channels: a microphone when > 0.")
    outputs: int = Field(ge=0, description="Output channels: a speaker when > 0.")
    default_input: bool
    default_output: bool


class AudioStatePayload(Sent):
    """`audio.state` (and part of `audio.devices`): what is in use now."""

    input: DeviceName | None = Field(description="The microphone in use; null: none.")
    output: DeviceName | None = Field(description="The speaker in use; null: none.")
    ringer: DeviceName | None = Field(description="Where calls ring; null: nowhere.")
    no_microphone: bool = Field(description="Calls work, but nobody hears the user.")
    no_speaker: bool = Field(description="Calls work, but the user hears nothing.")
    echo_cancellation: bool = Field(description="In effect (false where unavailable).")
    noise_suppression: bool
    ring_silenced: bool
    reason: str = Field(max_length=300, description="Why the devices changed last, or ''.")


class AudioChoice(Sent):
    """The user's remembered choice (null: the system default)."""

    input: DeviceName | None
    output: DeviceName | None
    ringer: DeviceName | None = Field(description="null: the output device.")
    echo_cancellation: bool
    noise_suppression: bool
    ring_silenced: bool


class AudioDevicesResult(Sent):
    devices: list[AudioDevice]
    chosen: AudioChoice
    state: AudioStatePayload


class AudioSetParams(Params):
    """Fields left out keep their value; `""` sets a device back to the system default."""

    input: Annotated[str, Field(max_length=200)] | None = None
    output: Annotated[str, Field(max_length=200)] | None = None
    ringer: Annotated[str, Field(max_length=200)] | None = None
    echo_cancellation: bool | None = None
    noise_suppression: bool | None = None
    ring_silenced: bool | None = None


class AudioTestParams(Params):
    seconds: float = Field(default=1.0, ge=0.2, le=5.0)


class AudioTestResult(Sent):
    output: DeviceName | None = Field(description="Where the test tone played; null: nowhere.")
    input: DeviceName | None
    mic_level_dbfs: float = Field(description="The microphone's peak meanwhile; -120: silence.")
