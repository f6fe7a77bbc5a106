"""Speech to text for one recorded call: each channel's speech through faster-whisper,
then the two parties' turns merged by time.

The model works on 30 s windows whatever their content, so a channel's speech regions
(the VAD's) are joined with a short pause between them and transcribed in one pass, not
one window per region; each word's time is mapped back to the call's clock and the
region it was said in. The model runs on the CPU at int8 with a small thread count (the
worker sets it). Consecutive pieces of one speaker with little gap become one turn.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rolecall.protocol.transcript import Speaker, Turn
from rolecall.transcript.audio_files import RATE, Samples, read_channel
from rolecall.transcript.vad import Region, speech_regions

JOIN_GAP_S = 1.0
GAP_S = 0.5
"""Silence put between one channel's speech regions when they are joined for the model."""


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

    def _channel(
        self,
        speaker: Speaker,
        samples: Samples,
        regions: list[Region],
        progress: Callable[[float], None],
    ) -> list[Turn]:
        """One channel's pieces: its speech regions joined (with a short pause between) and
        run through the model at once, each word put back at its own time and region."""
        if not regions:
            return []
        gap = np.zeros(int(GAP_S * RATE), dtype=np.float32)
        parts: list[Samples] = []
        spans: list[tuple[float, float, Region]] = []  # (start, end) in the joined audio
        at = 0.0
        for region in regions:
            piece = samples[int(region.start_s * RATE) : int(region.end_s * RATE)]
            parts += [piece, gap]
            spans.append((at, at + len(piece) / RATE, region))
            at += (len(piece) + len(gap)) / RATE
        joined = np.concatenate(parts)
        segments, _ = self._model.transcribe(
            joined,
            language="en",
            beam_size=5,
            vad_filter=False,
            condition_on_previous_text=False,
            word_timestamps=True,
        )
        words: list[tuple[int, float, float, str]] = []  # (region index, start, end, word)
        for segment in segments:
            for word in segment.words or []:
                middle = (float(word.start) + float(word.end)) / 2
                index = _span_of(spans, middle)
                begin, _, region = spans[index]
                shift = region.start_s - begin
                words.append((index, float(word.start) + shift, float(word.end) + shift, word.word))
            progress(min(float(segment.end) / at, 1.0))
        pieces: list[Turn] = []
        for index, group in itertools.groupby(words, key=lambda w: w[0]):
            found = list(group)
            region = spans[index][2]
            text = "".join(w[3] for w in found).strip()
            if text:
                pieces.append(
                    Turn(
                        speaker=speaker,
                        start_s=round(max(region.start_s, found[0][1]), 2),
                        end_s=round(min(region.end_s, max(found[-1][2], found[0][1])), 2),
                        text=text[:4000],
                    )
                )
        return pieces

    def transcribe(
        self, channels: list[Channel], progress: Callable[[float], None] = lambda share: None
    ) -> tuple[list[Turn], float]:
        """The call's turns in time order, and the recording's length in seconds."""
        loaded = [(channel.speaker, read_channel(channel.path)) for channel in channels]
        work = [(speaker, samples, speech_regions(samples)) for speaker, samples in loaded]
        total = sum(r.end_s - r.start_s for _, _, regions in work for r in regions) or 1.0
        done = 0.0
        turns: list[Turn] = []
        for speaker, samples, regions in work:
            length = sum(r.end_s - r.start_s for r in regions)
            share = _scaled(progress, done, length, total)
            turns += self._channel(speaker, samples, regions, share)
            done += length
            progress(min(done / total, 1.0))
        length = max((len(samples) / RATE for _, samples in loaded), default=0.0)
        return merge_turns(turns), length


def _scaled(
    progress: Callable[[float], None], before: float, length: float, total: float
) -> Callable[[float], None]:
    """A channel's own progress (0–1) as a share of the whole call's speech."""
    return lambda share: progress(min((before + share * length) / total, 1.0))


def _span_of(spans: list[tuple[float, float, Region]], at: float) -> int:
    """The index of the region (in the joined audio) nearest to time `at`."""
    for index, (_, end, _region) in enumerate(spans):
        if at < end + GAP_S / 2:
            return index
    return len(spans) - 1


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
