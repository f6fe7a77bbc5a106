"""Speech to text for one recorded call: each channel's speech regions through
faster-whisper, then the two parties' turns merged by time.

The model runs on the CPU at int8 with a small thread count (the worker sets it), one
region at a time; long regions are cut by the model into its own segments, each kept
with its time. Consecutive pieces of one speaker with little gap become one turn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rolecall.protocol.transcript import Speaker, Turn
from rolecall.transcript.audio_files import RATE, Samples, read_channel
from rolecall.transcript.vad import speech_regions

JOIN_GAP_S = 1.0


@dataclass(frozen=True)
class Channel:
    speaker: Speaker
    path: Path


class Transcriber:
    """One loaded model; `transcribe` may be called for many calls."""

    def __init__(self, model_folder: Path, *, threads: int = 2) -> None:
        from faster_whisper import WhisperModel

        self._model: Any = WhisperModel(
            str(model_folder), device="cpu", compute_type="int8", cpu_threads=threads
        )
        self.english_only = str(model_folder).rstrip("/").endswith(".en")

    def _pieces(self, speaker: Speaker, samples: Samples, offset_s: float) -> list[Turn]:
        segments, _ = self._model.transcribe(
            samples,
            language="en",
            beam_size=5,
            vad_filter=False,
            condition_on_previous_text=False,
            without_timestamps=False,
        )
        found = []
        for segment in segments:
            text = str(segment.text).strip()
            if text:
                found.append(
                    Turn(
                        speaker=speaker,
                        start_s=round(offset_s + float(segment.start), 2),
                        end_s=round(offset_s + float(segment.end), 2),
                        text=text[:4000],
                    )
                )
        return found

    def transcribe(
        self, channels: list[Channel], progress: Callable[[float], None] = lambda share: None
    ) -> tuple[list[Turn], float]:
        """The call's turns in time order, and the recording's length in seconds."""
        loaded = [(channel.speaker, read_channel(channel.path)) for channel in channels]
        work = [
            (speaker, samples, region)
            for speaker, samples in loaded
            for region in speech_regions(samples)
        ]
        total = sum(region.end_s - region.start_s for _, _, region in work) or 1.0
        done = 0.0
        turns: list[Turn] = []
        for speaker, samples, region in work:
            piece = samples[int(region.start_s * RATE) : int(region.end_s * RATE)]
            turns.extend(self._pieces(speaker, piece, region.start_s))
            done += region.end_s - region.start_s
            progress(min(done / total, 1.0))
        length = max((len(samples) / RATE for _, samples in loaded), default=0.0)
        return merge_turns(turns), length


def merge_turns(turns: list[Turn], join_gap_s: float = JOIN_GAP_S) -> list[Turn]:
    """Turns in time order; one speaker's pieces that follow each other closely join."""
    merged: list[Turn] = []
    for turn in sorted(turns, key=lambda t: (t.start_s, t.speaker)):
        last = merged[-1] if merged else None
        if last and last.speaker == turn.speaker and turn.start_s - last.end_s <= join_gap_s:
            merged[-1] = Turn(
                speaker=last.speaker,
                start_s=last.start_s,
                end_s=max(last.end_s, turn.end_s),
                text=f"{last.text} {turn.text}"[:4000],
            )
        else:
            merged.append(turn)
    return merged
