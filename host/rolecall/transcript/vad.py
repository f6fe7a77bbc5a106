"""Where someone speaks on one channel: WebRTC's voice activity detector over 30 ms frames.

Frames are voted speech or not; a region opens after a few speech frames, closes after
`hangover_s` of quiet, and regions closer than `merge_gap_s` join, so one sentence with
a breath in it stays one turn. Silence is never sent to the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import webrtcvad

from rolecall.transcript.audio_files import RATE, Samples, to_pcm16

FRAME_S = 0.03


@dataclass(frozen=True)
class Region:
    start_s: float
    end_s: float


def speech_regions(
    samples: Samples,
    *,
    aggressiveness: int = 2,
    open_frames: int = 3,
    hangover_s: float = 0.45,
    merge_gap_s: float = 0.6,
    min_s: float = 0.3,
    pad_s: float = 0.15,
) -> list[Region]:
    """The speech regions of a 16 kHz channel, in order."""
    vad = webrtcvad.Vad(aggressiveness)
    frame = int(RATE * FRAME_S)
    pcm = to_pcm16(samples)
    voted = [
        vad.is_speech(pcm[2 * i : 2 * (i + frame)], RATE)
        for i in range(0, len(samples) - frame + 1, frame)
    ]
    hangover = round(hangover_s / FRAME_S)
    regions: list[Region] = []
    start: int | None = None
    run = quiet = 0
    for index, speech in enumerate(voted):
        run = run + 1 if speech else 0
        if start is None:
            if run >= open_frames:
                start = index - open_frames + 1
                quiet = 0
        elif speech:
            quiet = 0
        else:
            quiet += 1
            if quiet >= hangover:
                regions.append(Region(start * FRAME_S, (index - quiet + 1) * FRAME_S))
                start = None
    if start is not None:
        regions.append(Region(start * FRAME_S, len(voted) * FRAME_S))
    total = len(samples) / RATE
    merged: list[Region] = []
    for region in regions:
        if merged and region.start_s - merged[-1].end_s < merge_gap_s:
            merged[-1] = Region(merged[-1].start_s, region.end_s)
        else:
            merged.append(region)
    return [
        Region(max(0.0, r.start_s - pad_s), min(total, r.end_s + pad_s))
        for r in merged
        if r.end_s - r.start_s >= min_s
    ]
