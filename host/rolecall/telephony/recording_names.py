"""The files one call recording is made of: the mixed WAV and its two channel files.

`NAME.wav` holds both voices mixed (for listening); `NAME.mic.wav` what the user said;
`NAME.far.wav` what the call sent us. Only names here (no pjsua2), so the transcript
worker and retention can use them without loading the SIP stack.
"""

from __future__ import annotations

from pathlib import Path


def channel_paths(mixed: Path) -> tuple[Path, Path]:
    """(user, far end) channel files of the mixed recording `mixed`."""
    stem = mixed.with_suffix("")
    return stem.with_name(stem.name + ".mic.wav"), stem.with_name(stem.name + ".far.wav")


def recording_files(mixed: Path) -> list[Path]:
    """Every file one recording is made of."""
    return [mixed, *channel_paths(mixed)]
